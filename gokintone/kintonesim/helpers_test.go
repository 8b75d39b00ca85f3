package kintonesim_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// small is a quick sample domain for most tests.
func small() sample.Options {
	return sample.Options{CustomerRecords: 40, DealRecords: 120, OrderRecords: 250}
}

func newServer(t *testing.T, f *kintonesim.Fixture, opts kintonesim.Options) *kintonesim.Server {
	t.Helper()
	if f == nil {
		f = sample.Fixture(small())
	}
	s, err := kintonesim.New(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pw(login, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(login + ":" + pass))
}

// adminAuth is the header of the sample's admin user.
var adminAuth = map[string]string{"X-Cybozu-Authorization": pw("admin", sample.Password)}

type resp struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// call sends one request. body may be nil, a string, or a value to encode as JSON.
func call(t *testing.T, s http.Handler, method, url string, body any, headers map[string]string) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, url, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	r := resp{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		dec := json.NewDecoder(strings.NewReader(r.raw))
		dec.UseNumber()
		if err := dec.Decode(&r.body); err != nil {
			t.Fatalf("%s %s: bad JSON %q: %v", method, url, r.raw, err)
		}
	}
	return r
}

// get is call with GET and the admin password.
func get(t *testing.T, s http.Handler, url string) resp {
	t.Helper()
	return call(t, s, "GET", url, nil, adminAuth)
}

// wantError checks a kintone error response.
func wantError(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (%s)", r.status, status, r.raw)
	}
	if r.body["code"] != code {
		t.Fatalf("code %v, want %s (%s)", r.body["code"], code, r.raw)
	}
	id, _ := r.body["id"].(string)
	if len(id) != 20 {
		t.Errorf("error id %q is not 20 characters", id)
	}
	if m, _ := r.body["message"].(string); m == "" {
		t.Errorf("no message in %s", r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func wantOK(t *testing.T, r resp) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
}

// records returns the records of a records.json answer.
func records(t *testing.T, r resp) []map[string]any {
	t.Helper()
	wantOK(t, r)
	list, ok := r.body["records"].([]any)
	if !ok {
		t.Fatalf("no records in %s", r.raw)
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

// val returns a record's field value.
func val(rec map[string]any, code string) any {
	f, _ := rec[code].(map[string]any)
	return f["value"]
}

func ids(t *testing.T, recs []map[string]any) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i], _ = val(r, "$id").(string)
	}
	return out
}
