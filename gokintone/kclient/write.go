// Record writes: bulkRequest (several write requests applied atomically) and the outcome of a
// write that failed on the way.

package kclient

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"reflect"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Limits of kintone's write APIs.
const (
	MaxRecordsPerRequest = 100 // records.json POST, PUT and DELETE
	MaxBulkRequests      = 20  // requests in one bulkRequest
)

// WriteRequest is one write API call: a request of a bulkRequest, or sent on its own.
type WriteRequest struct {
	Method   string // POST, PUT or DELETE
	Endpoint string // below /k/v1/ without ".json", such as "records"
	Payload  any    // the request body; marshalled to JSON
}

// records is the number of records (or comments) the request writes: the length of its
// payload's "records" or "ids" list, else 1 for a payload about one record.
func (r WriteRequest) records() int {
	m, ok := r.Payload.(map[string]any)
	if !ok {
		return 0
	}
	for _, key := range []string{"records", "ids"} {
		if v := reflect.ValueOf(m[key]); v.Kind() == reflect.Slice {
			return v.Len()
		}
	}
	return 1
}

// Bulk sends requests as one bulkRequest: kintone applies all of them or none. app selects the
// API tokens sent (those of app and its related apps). out receives one raw reply per request.
// A refused bulkRequest is an error whose *APIError has BulkIndex set to the refused request.
// It is never retried.
func (c *Client) Bulk(ctx context.Context, app int64, reqs []WriteRequest) ([]json.RawMessage, error) {
	if len(reqs) == 0 || len(reqs) > MaxBulkRequests {
		return nil, kerr.New(kerr.KindInternal, "a bulkRequest holds 1 to %d requests, not %d", MaxBulkRequests, len(reqs))
	}
	type item struct {
		Method  string `json:"method"`
		API     string `json:"api"`
		Payload any    `json:"payload"`
	}
	items := make([]item, len(reqs))
	sent := 0
	for i, r := range reqs {
		items[i] = item{Method: r.Method, API: c.path(r.Endpoint), Payload: r.Payload}
		sent += r.records()
	}
	var reply struct {
		Results []json.RawMessage `json:"results"`
	}
	err := c.do(ctx, call{method: http.MethodPost, endpoint: "bulkRequest", app: app,
		body: map[string]any{"requests": items}, sent: sent}, &reply)
	if err != nil {
		return nil, err
	}
	if len(reply.Results) != len(reqs) {
		return nil, kerr.New(kerr.KindBadReply, "kintone POST %s: the reply has %d results for %d requests",
			c.path("bulkRequest"), len(reply.Results), len(reqs))
	}
	return reply.Results, nil
}

// Write sends one write request on its own and returns the raw reply. It is never retried.
func (c *Client) Write(ctx context.Context, app int64, r WriteRequest) (json.RawMessage, error) {
	var reply json.RawMessage
	err := c.do(ctx, call{method: r.Method, endpoint: r.Endpoint, app: app, body: r.Payload, sent: r.records()}, &reply)
	return reply, err
}

// MaybeApplied reports whether a write that failed with err may nevertheless have been applied
// by kintone: the request left this machine and no reply says it was refused (the connection
// broke, the reply timed out, a gateway answered instead of kintone with a server error, or a
// 2xx reply could not be read).
// kintone's own error replies, and failures before the request was sent (no connection,
// unknown host, a refused certificate), are false.
func MaybeApplied(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		// kintone's envelope: it refused the request, and a bulkRequest is atomic. Another
		// server's 5xx (a gateway) may have come after kintone applied it.
		return ae.Code == "" && ae.Status >= 500
	}
	var ur *unreadableReply
	if errors.As(err, &ur) {
		return true // a 2xx reply that could not be read: perhaps kintone's, after applying it
	}
	var te *transportError
	if !errors.As(err, &te) {
		return false
	}
	var op *net.OpError
	if errors.As(te.err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	if errors.As(te.err, &dns) || errors.Is(te.err, ErrUntrustedServer) {
		return false
	}
	return true
}
