package kclient

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A reply a read may be retried after but a write must report as perhaps applied: a gateway's
// page with status 200, and a reply whose connection broke halfway through the body.
var unreadableReplies = map[string]http.HandlerFunc{
	"gateway page": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>Please sign in to the network</body></html>")
	},
	"body cut short": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		io.WriteString(w, `{"records":[{"$id":`)
		w.(http.Flusher).Flush()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	},
}

func TestUnreadableRepliesRetriedForReadsOnly(t *testing.T) {
	for name, fault := range unreadableReplies {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 || r.Method != http.MethodGet {
					fault(w, r)
					return
				}
				writeJSON(w, 200, `{"records":[],"totalCount":null}`)
			})
			c := newClient(t, srv, nil)
			if _, err := c.Records(context.Background(), 1, "", nil, false); err != nil || n.Load() != 2 {
				t.Fatalf("read: err %v after %d attempts, want success on the second", err, n.Load())
			}
			n.Store(0)
			_, err := c.Write(context.Background(), 1, WriteRequest{Method: http.MethodPost, Endpoint: "record",
				Payload: map[string]any{"app": 1}})
			if err == nil || n.Load() != 1 || !MaybeApplied(err) {
				t.Errorf("write: err %v after %d attempts (maybe applied %v); want one attempt, perhaps applied",
					err, n.Load(), MaybeApplied(err))
			}
		})
	}
}

// busyServer answers every request with 503 (a retryable failure) and counts them.
func busyServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 503, `{"code":"","message":"maintenance"}`)
	})
	return srv, &n
}

// TestStatementRetryBudget: the requests made with one context share its retry budget; once
// spent, a transient failure is returned at once, and the message says why.
func TestStatementRetryBudget(t *testing.T) {
	srv, n := busyServer(t)
	c := newClient(t, srv, nil)
	ctx := WithRetryBudget(context.Background(), RetryBudget{Retries: 5, Wait: time.Minute})
	if _, err := c.Records(ctx, 1, "", nil, false); err == nil || n.Load() != 4 {
		t.Fatalf("first request: %v after %d attempts, want 4 (3 retries)", err, n.Load())
	}
	_, err := c.Records(ctx, 1, "", nil, false)
	if n.Load() != 7 {
		t.Errorf("second request: %d attempts in all, want 7 (the 2 retries left)", n.Load())
	}
	if !strings.Contains(err.Error(), "gave up after 3 attempts: the statement has used its retry budget of 5 retries and 1m0s of waiting") ||
		!IsRetryable(err) {
		t.Errorf("err = %v", err)
	}
	if _, err := c.Records(ctx, 1, "", nil, false); err == nil || n.Load() != 8 {
		t.Errorf("third request: %v, %d attempts in all, want 8 (no retry left)", err, n.Load())
	}

	// The time waited counts too: a budget of 1 ms of waiting allows no backoff of 1 ms or more.
	n.Store(0)
	c = newClient(t, srv, func(cfg *Config) { cfg.Retry.BaseDelay = 10 * time.Millisecond })
	ctx = WithRetryBudget(context.Background(), RetryBudget{Retries: 100, Wait: time.Millisecond})
	if _, err := c.Records(ctx, 1, "", nil, false); err == nil || n.Load() != 1 {
		t.Errorf("%v after %d attempts, want 1", err, n.Load())
	}
}

// TestCursorReadsNeverRetried: reading a cursor page advances the cursor, so a failed read is
// not resent (the resend would return the next page, and 500 records would be skipped).
func TestCursorReadsNeverRetried(t *testing.T) {
	srv, n := busyServer(t)
	c := newClient(t, srv, nil)
	_, err := c.CursorRecords(context.Background(), 1, "cursor-1")
	if err == nil || n.Load() != 1 {
		t.Errorf("%v after %d attempts, want 1", err, n.Load())
	}
	var b json.RawMessage
	if err := c.Do(context.Background(), Request{Method: "GET", Endpoint: "records/cursor", NoRetry: true}, &b); err == nil || n.Load() != 2 {
		t.Errorf("Do with NoRetry: %v, %d attempts in all, want 2", err, n.Load())
	}
}

// TestTooBusyHoldsTheOtherRequests: after kintone says the domain runs as many concurrent
// requests as it allows, the client's other requests wait out the same backoff instead of
// adding to the load.
func TestTooBusyHoldsTheOtherRequests(t *testing.T) {
	var n atomic.Int64
	refused := make(chan time.Time, 1)
	var secondAt atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"code":"GAIA_TO04","id":"a","message":"The number of concurrent API requests exceeds the limit."}`)
			refused <- time.Now()
			return
		}
		if r.URL.Path == "/k/v1/app.json" {
			secondAt.Store(time.Now().UnixNano())
		}
		writeJSON(w, 200, `{"records":[],"totalCount":null,"appId":"1","name":"x"}`)
	})
	c := newClient(t, srv, func(cfg *Config) { cfg.Retry.MaxDelay = 5 * time.Second })
	done := make(chan error, 1)
	go func() {
		_, err := c.Records(context.Background(), 1, "", nil, false)
		done <- err
	}()
	at := <-refused
	time.Sleep(50 * time.Millisecond) // the first request is now waiting to retry
	if _, err := c.App(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if gap := time.Duration(secondAt.Load() - at.UnixNano()); gap < time.Second {
		t.Errorf("the other request went out %v after the 429 with Retry-After: 1", gap)
	}
}
