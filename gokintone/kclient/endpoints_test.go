package kclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

func TestCursorLifecycle(t *testing.T) {
	var gets atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/k/v1/records/cursor.json" {
			t.Errorf("path %s", r.URL.Path)
		}
		if got := r.Header.Get("X-Cybozu-API-Token"); got != tok1 {
			t.Errorf("token %q", got)
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		// A page read goes as a POST overridden to GET (see TestCursorReadLostReplyNotResent).
		switch r.Method + " " + r.Header.Get("X-HTTP-Method-Override") {
		case "POST ":
			if body["app"] != float64(1) || body["query"] != "x > 1 order by y" || body["size"] != float64(500) || len(body["fields"].([]any)) != 2 {
				t.Errorf("create body %v", body)
			}
			writeJSON(w, 200, `{"id":"9a9716fe-1394-4ed5-b8c5-8d8e1a0a8c4f","totalCount":"123456"}`)
		case "POST GET":
			if body["id"] != "9a9716fe-1394-4ed5-b8c5-8d8e1a0a8c4f" {
				t.Errorf("get %v", body)
			}
			switch gets.Add(1) {
			case 1:
				writeJSON(w, 200, `{"records":[{"$id":{"type":"__ID__","value":"1"}}],"next":true}`)
			default:
				writeJSON(w, 503, `{"code":"","message":"busy"}`)
			}
		case "DELETE ":
			if body["id"] != "gone" {
				writeJSON(w, 200, `{}`)
				return
			}
			writeJSON(w, 404, `{"code":"GAIA_CN01","id":"x","message":"The cursor does not exist or has expired."}`)
		}
	})
	c := newClient(t, srv, func(cfg *Config) {
		cfg.User, cfg.Password = "", ""
		cfg.Tokens = []TokenPair{{1, tok1}}
	})
	ctx := context.Background()
	cur, err := c.CreateCursor(ctx, 1, "x > 1 order by y", []string{"$id", "y"}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID != "9a9716fe-1394-4ed5-b8c5-8d8e1a0a8c4f" || cur.TotalCount != 123456 {
		t.Errorf("cursor %+v", cur)
	}
	page, err := c.CursorRecords(ctx, 1, cur.ID)
	if err != nil || !page.Next || len(page.Records) != 1 {
		t.Fatalf("page %+v, %v", page, err)
	}
	// Reading a cursor advances it: a 503 is not retried.
	if _, err := c.CursorRecords(ctx, 1, cur.ID); err == nil || gets.Load() != 2 {
		t.Errorf("err %v after %d reads", err, gets.Load())
	}
	if err := c.DeleteCursor(ctx, 1, cur.ID); err != nil {
		t.Error(err)
	}
	if err := c.DeleteCursor(ctx, 1, "gone"); err != nil {
		t.Errorf("GAIA_CN01 on delete: %v", err)
	}
}

// TestCursorReadLostReplyNotResent: a page read whose request reached kintone and whose reply
// was lost (the connection, reused from an earlier request, closed instead) fails and is not
// sent again, neither by the client nor by Go's HTTP transport, which resends a GET on its own
// in that case: the resend would return the next page and a page of records would be skipped.
func TestCursorReadLostReplyNotResent(t *testing.T) {
	var reads atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/k/v1/records/cursor.json" {
			writeJSON(w, 200, `{"records":[],"totalCount":null}`)
			return
		}
		reads.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Records(ctx, 1, "", nil, false); err != nil { // the connection is then reused
		t.Fatal(err)
	}
	if _, err := c.CursorRecords(ctx, 1, "cursor-1"); err == nil || reads.Load() != 1 {
		t.Errorf("%v after %d reads, want an error after 1", err, reads.Load())
	}
}

func TestCreateCursorNotRetried(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 429, `{"code":"GAIA_TM12","id":"x","message":"too many cursors"}`)
	})
	c := newClient(t, srv, nil)
	_, err := c.CreateCursor(context.Background(), 1, "", nil, 0)
	if kerr.KindOf(err) != kerr.KindAPIError || kerr.As(err).Code != "GAIA_TM12" || n.Load() != 1 {
		t.Errorf("err %v after %d requests", err, n.Load())
	}
}

func TestDo(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/k/v1/app/views.json":
			if r.URL.RawQuery != "app=4&lang=en" {
				t.Errorf("query %s", r.URL.RawQuery)
			}
			writeJSON(w, 200, `{"views":{},"revision":"2"}`)
		case r.Method == http.MethodPost && r.URL.Path == "/k/v1/bulkRequest.json":
			b, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(b), `"requests"`) || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("body %s", b)
			}
			writeJSON(w, 503, `<html>busy</html>`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	var views struct{ Revision string }
	if err := c.Do(ctx, Request{Method: "GET", Endpoint: "app/views", App: 4, Params: map[string]any{"app": 4, "lang": "en"}}, &views); err != nil || views.Revision != "2" {
		t.Fatalf("%v %+v", err, views)
	}
	// Writes are never retried.
	err := c.Do(ctx, Request{Method: "POST", Endpoint: "bulkRequest", Body: map[string]any{"requests": []any{}}}, nil)
	if err == nil || n.Load() != 2 {
		t.Errorf("err %v after %d requests", err, n.Load())
	}
	for _, bad := range []Request{
		{Method: "PATCH", Endpoint: "x"},
		{Method: "GET", Endpoint: "../v2/x"},
		{Method: "GET", Endpoint: "records.json"},
		{Method: "GET", Endpoint: "records", Params: map[string]any{"app": 1.5}},
	} {
		if err := c.Do(ctx, bad, nil); kerr.KindOf(err) != kerr.KindMalformedCall {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if n.Load() != 2 {
		t.Errorf("invalid requests were sent")
	}
}

func TestGaveUpMessage(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 429, `{"code":"GAIA_TO04","id":"x","message":"The number of concurrent API requests exceeds the limit."}`)
	})
	c := newClient(t, srv, nil)
	_, err := c.Records(context.Background(), 1, "", nil, false)
	if !IsRetryable(err) || !strings.HasSuffix(err.Error(), "(gave up after 4 attempts) [GAIA_TO04]") {
		t.Errorf("err = %v", err)
	}
	// The count joins the message; what happened stays as it was.
	if e := kerr.As(err); e.Kind != kerr.KindAPIError || e.Code != "GAIA_TO04" || e.Status != 429 {
		t.Errorf("kind/code/status = %s/%s/%d", e.Kind, e.Code, e.Status)
	}
}

func TestBodyCaps(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("app") == "1" {
			writeJSON(w, 200, `{"records":[],"totalCount":null,"pad":"`+strings.Repeat("x", 2000)+`"}`)
			return
		}
		w.WriteHeader(500)
		io.WriteString(w, strings.Repeat("y", 5000))
	})
	c := newClient(t, srv, func(cfg *Config) { cfg.Retry.MaxRetries = -1 })
	c.maxSuccessBody, c.maxErrorBody = 1000, 300
	_, err := c.Records(context.Background(), 1, "", nil, false)
	if kerr.KindOf(err) != kerr.KindLimit || !strings.Contains(fmt.Sprint(err), "larger than 1000 bytes") {
		t.Errorf("err = %v", err)
	}
	_, err = c.Records(context.Background(), 2, "", nil, false)
	if kerr.KindOf(err) != kerr.KindHTTPError || !strings.Contains(fmt.Sprint(err), "HTTP 500") || len(err.Error()) > 400 {
		t.Errorf("err = %v", err)
	}
}

// TestChunkedBodiesOfAnySize: replies without a length, larger and smaller than the one before
// (whose size the next buffer is given), are read whole.
func TestChunkedBodiesOfAnySize(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		app, _ := strconv.Atoi(r.URL.Query().Get("app"))
		n := app - 1 // records
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"records":[`)
		w.(http.Flusher).Flush() // no Content-Length: chunked
		for i := 0; i < n; i++ {
			if i > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"$id":{"type":"__ID__","value":"%d"}}`, i+1)
		}
		io.WriteString(w, `],"totalCount":null}`)
	})
	c := newClient(t, srv, nil)
	for _, n := range []int64{3000, 1, 9000, 0, 500} {
		page, err := c.Records(context.Background(), n+1, "", nil, false)
		if err != nil {
			t.Fatalf("%d records: %v", n, err)
		}
		if int64(len(page.Records)) != n {
			t.Fatalf("%d records: read %d", n, len(page.Records))
		}
		if n > 0 && string(page.Records[n-1]["$id"].Value) != fmt.Sprintf(`"%d"`, n) {
			t.Errorf("%d records: the last is %s", n, page.Records[n-1]["$id"].Value)
		}
	}
}

func FuzzSanitizeBody(f *testing.F) {
	for _, s := range []string{"", "<html><b>x</b></html>", "a\x00b\r\nc\td", "\xff\xfe<", strings.Repeat("あ", 300), "<<>>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := sanitizeBody(b, 200)
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > 201 {
			t.Fatalf("%q", out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || r == '\n' {
				t.Fatalf("control character in %q", out)
			}
		}
	})
}
