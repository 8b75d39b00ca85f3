// The generic request: any kintone endpoint, for the calls that have no method of their own.

package kclient

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Request is a call to any kintone endpoint, for Do.
type Request struct {
	Method   string // GET, POST, PUT or DELETE
	Endpoint string // the path below /k/v1/ without ".json", such as "app/views" or "bulkRequest"
	// App is the app the request concerns: with API tokens, its token (and those of its related
	// apps) is sent. 0 = none: all tokens are sent (at most 9).
	App int64
	// Params are the parameters of a GET: values of type string, int, int64, bool, []int64 or
	// []string. They travel in the query string, or in a JSON body with
	// X-HTTP-Method-Override when the URL would exceed 4,096 characters.
	Params map[string]any
	// Body is marshalled to JSON for the other methods.
	Body any
	// NoRetry marks a GET that must not be resent (it changes state, like reading a cursor).
	NoRetry bool
	// UserAPI sends the request to the cybozu User API (/v1/{Endpoint}.json, such as
	// "users"), which takes password authentication only, instead of kintone's.
	UserAPI bool
	// GuestSpace, when not 0, sends the request to that guest space's path
	// (/k/guest/{GuestSpace}/v1/…) instead of the connection's.
	GuestSpace int64
}

// Do sends req and decodes the JSON reply into out (unless out is nil). GETs are retried per
// the RetryPolicy unless req.NoRetry; other methods never are.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	method := strings.ToUpper(req.Method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return kerr.New(kerr.KindMalformedCall, "kintone: unsupported HTTP method %q", req.Method)
	}
	if req.Endpoint == "" || strings.ContainsAny(req.Endpoint, "?#%") || strings.HasSuffix(req.Endpoint, ".json") ||
		strings.HasPrefix(req.Endpoint, "/") || strings.Contains(req.Endpoint, "..") {
		return kerr.New(kerr.KindMalformedCall, "kintone: invalid endpoint %q: give a name like \"app/views\"", req.Endpoint)
	}
	cl := call{method: method, endpoint: req.Endpoint, userAPI: req.UserAPI, guest: req.GuestSpace, app: req.App, body: req.Body,
		noRetry: req.NoRetry}
	if method == http.MethodGet {
		params, err := paramsFromMap(req.Params)
		if err != nil {
			return kerr.Wrap(err, kerr.KindMalformedCall, "kintone GET %s: %v", c.callPath(cl), err)
		}
		cl.params = params
	}
	return c.do(ctx, cl, out)
}

// paramsFromMap orders parameters by name and checks their types.
func paramsFromMap(m map[string]any) ([]param, error) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	ps := make([]param, 0, len(m))
	for _, k := range names {
		v := m[k]
		switch x := v.(type) {
		case int:
			v = int64(x)
		case string, int64, bool, []int64, []string:
		default:
			return nil, fmt.Errorf("parameter %q has unsupported type %T", k, v)
		}
		ps = append(ps, param{k, v})
	}
	return ps, nil
}
