package kclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Credentials used across the tests; none of them may ever appear in error text.
const (
	testUser      = "sato"
	testPassword  = "s3cret-Passw0rd"
	testBasicUser = "gate"
	testBasicPass = "basic-S3cret"
	tok1          = "TOKENaaaa1111"
	tok2          = "TOKENbbbb2222"
	tok3          = "TOKENcccc3333"
)

// newServer starts a fresh httptest server for one test.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client for srv with password auth and fast retries, after edit.
func newClient(t *testing.T, srv *httptest.Server, edit func(*Config)) *Client {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		BaseURL:  u,
		User:     testUser,
		Password: testPassword,
		Retry:    RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond},
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// assertNoSecrets fails when text contains any credential or its base64 form.
func assertNoSecrets(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{testPassword, testBasicPass, tok1, tok2, tok3,
		b64(testUser + ":" + testPassword), b64(testBasicUser + ":" + testBasicPass)} {
		if strings.Contains(text, s) {
			t.Errorf("error text contains secret %q: %s", s, text)
		}
	}
}

const appJSON = `{"appId":"3","code":"SALES","name":"Sales","description":"<b>deals</b>","spaceId":null,"threadId":"12",
 "createdAt":"2024-01-31T05:00:00.000Z","creator":{"code":"sato","name":"Sato"},
 "modifiedAt":"2024-02-01T06:30:00Z","modifier":{"code":"","name":""}}`

func TestPasswordAuthAndHeaders(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/k/v1/app.json" || r.URL.Query().Get("id") != "3" {
			t.Errorf("got %s %s", r.Method, r.URL)
		}
		if got, want := r.Header.Get("X-Cybozu-Authorization"), b64(testUser+":"+testPassword); got != want {
			t.Errorf("X-Cybozu-Authorization = %q, want %q", got, want)
		}
		if got := r.Header.Values("X-Cybozu-API-Token"); len(got) != 0 {
			t.Errorf("token header sent with password auth: %q", got)
		}
		if got, want := r.Header.Get("Authorization"), "Basic "+b64(testBasicUser+":"+testBasicPass); got != want {
			t.Errorf("Authorization = %q, want %q", got, want)
		}
		if got := r.Header.Get("User-Agent"); got != "cdata-kintone/devel" { // go test links no version
			t.Errorf("User-Agent = %q", got)
		}
		if got := r.Header.Get("Accept-Language"); got != "en" {
			t.Errorf("Accept-Language = %q", got)
		}
		if r.Header.Get("X-HTTP-Method-Override") != "" || r.Header.Get("Content-Type") != "" {
			t.Errorf("short GET carries override or content type headers")
		}
		writeJSON(w, 200, appJSON)
	})
	c := newClient(t, srv, func(cfg *Config) {
		cfg.BasicAuthUser, cfg.BasicAuthPassword = testBasicUser, testBasicPass
		cfg.Tokens = []TokenPair{{3, tok3}} // password wins: never sent
	})
	app, err := c.App(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if app.AppID != 3 || app.Code != "SALES" || app.Name != "Sales" || app.Description != "<b>deals</b>" {
		t.Errorf("app = %+v", app)
	}
	if app.SpaceID != nil || app.ThreadID == nil || *app.ThreadID != 12 {
		t.Errorf("space/thread = %v/%v", app.SpaceID, app.ThreadID)
	}
	if want := time.Date(2024, 1, 31, 5, 0, 0, 0, time.UTC); !app.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v", app.CreatedAt)
	}
	if app.Creator != (Entity{"sato", "Sato"}) || app.Modifier != (Entity{}) {
		t.Errorf("creator/modifier = %+v/%+v", app.Creator, app.Modifier)
	}
	if c.RequestCount() != 1 {
		t.Errorf("RequestCount = %d", c.RequestCount())
	}
}

func TestCustomUserAgentAndLanguage(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != "myapp/1.0" {
			t.Errorf("User-Agent = %q", got)
		}
		if got, ok := r.Header["Accept-Language"]; ok {
			t.Errorf("Accept-Language sent: %q", got)
		}
		writeJSON(w, 200, appJSON)
	})
	c := newClient(t, srv, func(cfg *Config) { cfg.UserAgent, cfg.Language = "myapp/1.0", "-" })
	if _, err := c.App(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
}

func TestTokenSelection(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Cybozu-Authorization") != "" {
			t.Errorf("password header sent with token auth")
		}
		mu.Lock()
		got = append(got, r.URL.Path+" "+strings.Join(r.Header.Values("X-Cybozu-API-Token"), "|"))
		mu.Unlock()
		switch r.URL.Path {
		case "/k/v1/records.json":
			writeJSON(w, 200, `{"records":[],"totalCount":null}`)
		case "/k/v1/apps.json":
			writeJSON(w, 200, `{"apps":[]}`)
		case "/k/v1/app/form/fields.json":
			writeJSON(w, 200, `{"properties":{
			  "cust":{"type":"SINGLE_LINE_TEXT","code":"cust","label":"Customer","lookup":{"relatedApp":{"app":"3","code":""},"relatedKeyField":"name","fieldMappings":[]}},
			  "tbl":{"type":"SUBTABLE","code":"tbl","fields":{"item":{"type":"NUMBER","code":"item","lookup":{"relatedApp":{"app":"77","code":""},"relatedKeyField":"id","fieldMappings":[]}}}}
			},"revision":"5"}`)
		}
	})
	c := newClient(t, srv, func(cfg *Config) {
		cfg.User, cfg.Password = "", ""
		cfg.Tokens = []TokenPair{{1, tok1}, {2, tok2}, {3, tok3}}
	})
	ctx := context.Background()
	if _, err := c.Records(ctx, 1, "", nil, false); err != nil {
		t.Fatal(err)
	}
	c.WithRelatedApps(1, []int64{2, 2, 1, 99}) // duplicates, self and token-less apps are harmless
	if _, err := c.Records(ctx, 1, "", nil, false); err != nil {
		t.Fatal(err)
	}
	// fields.json of app 2 finds a lookup to app 3 (and to app 77, which has no token).
	if _, err := c.FormFields(ctx, 2, "default"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Records(ctx, 2, "", nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apps(ctx, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/k/v1/records.json " + tok1,
		"/k/v1/records.json " + tok1 + "," + tok2,
		"/k/v1/app/form/fields.json " + tok2,
		"/k/v1/records.json " + tok2 + "," + tok3,
		"/k/v1/apps.json " + tok1 + "," + tok2 + "," + tok3,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// An app without a token: an error before any request.
	n := c.RequestCount()
	_, err := c.Records(ctx, 5, "", nil, false)
	if kerr.KindOf(err) != kerr.KindNoCredentials || !strings.Contains(err.Error(), "app 5") {
		t.Errorf("no token: %v", err)
	}
	if c.RequestCount() != n {
		t.Errorf("a request was sent without a token")
	}
	assertNoSecrets(t, err.Error())
}

func TestTooManyTokensForOneApp(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s", r.URL)
	})
	var pairs []TokenPair
	var related []int64
	for i := int64(1); i <= 10; i++ {
		pairs = append(pairs, TokenPair{i, fmt.Sprintf("TOKENxx%02d", i)})
		if i > 1 {
			related = append(related, i)
		}
	}
	c := newClient(t, srv, func(cfg *Config) {
		cfg.User, cfg.Password = "", ""
		cfg.Tokens = pairs
		cfg.Related = map[int64][]int64{1: related}
	})
	_, err := c.Records(context.Background(), 1, "", nil, false)
	if err == nil || !strings.Contains(err.Error(), "10 API tokens") || !strings.Contains(err.Error(), "at most 9") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "TOKENxx") {
		t.Errorf("token in error: %v", err)
	}
}

func TestAppsChunksTokens(t *testing.T) {
	var requests atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		toks := strings.Split(r.Header.Get("X-Cybozu-API-Token"), ",")
		if len(toks) > MaxTokensPerRequest {
			t.Errorf("%d tokens in one request", len(toks))
		}
		q := r.URL.Query()
		var apps []string
		for i := 0; ; i++ {
			id := q.Get(fmt.Sprintf("ids[%d]", i))
			if id == "" {
				break
			}
			if want := "TOKENxx" + fmt.Sprintf("%02s", id); toks[i] != want {
				t.Errorf("ids[%d]=%s travels with token %s", i, id, toks[i])
			}
			apps = append(apps, fmt.Sprintf(`{"appId":%q,"name":"a%s"}`, id, id))
		}
		writeJSON(w, 200, `{"apps":[`+strings.Join(apps, ",")+`]}`)
	})
	var pairs []TokenPair
	for i := int64(12); i >= 1; i-- {
		pairs = append(pairs, TokenPair{i, fmt.Sprintf("TOKENxx%02d", i)})
	}
	c := newClient(t, srv, func(cfg *Config) { cfg.User, cfg.Password, cfg.Tokens = "", "", pairs })
	apps, err := c.Apps(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 12 || requests.Load() != 2 {
		t.Errorf("%d apps in %d requests", len(apps), requests.Load())
	}
	for i, a := range apps {
		if a.AppID != int64(i+1) {
			t.Errorf("apps[%d].AppID = %d", i, a.AppID)
		}
	}
}

func TestAppsPaging(t *testing.T) {
	const total = 250
	var offsets []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/k/v1/apps.json" || q.Get("limit") != "100" {
			t.Errorf("got %s", r.URL)
		}
		offsets = append(offsets, q.Get("offset"))
		var off int
		fmt.Sscan(q.Get("offset"), &off)
		var apps []string
		for i := off; i < min(off+100, total); i++ {
			apps = append(apps, fmt.Sprintf(`{"appId":"%d"}`, i+1))
		}
		writeJSON(w, 200, `{"apps":[`+strings.Join(apps, ",")+`]}`)
	})
	c := newClient(t, srv, nil)
	apps, err := c.Apps(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != total || apps[total-1].AppID != total {
		t.Errorf("got %d apps", len(apps))
	}
	if strings.Join(offsets, ",") != "0,100,200" {
		t.Errorf("offsets %v", offsets)
	}
}

func TestAppsByIDsChunksOf100(t *testing.T) {
	var sizes []int
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := 0
		var apps []string
		for ; q.Has(fmt.Sprintf("ids[%d]", n)); n++ {
			apps = append(apps, fmt.Sprintf(`{"appId":%q}`, q.Get(fmt.Sprintf("ids[%d]", n))))
		}
		sizes = append(sizes, n)
		writeJSON(w, 200, `{"apps":[`+strings.Join(apps, ",")+`]}`)
	})
	c := newClient(t, srv, nil)
	var ids []int64
	for i := int64(1); i <= 150; i++ {
		ids = append(ids, i)
	}
	apps, err := c.Apps(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 150 || fmt.Sprint(sizes) != "[100 50]" {
		t.Errorf("%d apps, request sizes %v", len(apps), sizes)
	}
}

func TestRecordsParametersAndDecoding(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/k/v1/records.json" {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		if q.Get("app") != "8" || q.Get("query") != `title like "a b" order by $id asc limit 500` ||
			q.Get("fields[0]") != "$id" || q.Get("fields[1]") != "タイトル" || q.Get("totalCount") != "true" {
			t.Errorf("query = %v", q)
		}
		if strings.Contains(r.URL.RawQuery, "+") {
			t.Errorf("spaces encoded as +: %s", r.URL.RawQuery)
		}
		writeJSON(w, 200, `{"records":[{"$id":{"type":"__ID__","value":"14"},"tags":{"type":"CHECK_BOX","value":["x","y"]}}],"totalCount":"1234"}`)
	})
	c := newClient(t, srv, nil)
	page, err := c.Records(context.Background(), 8, `title like "a b" order by $id asc limit 500`, []string{"$id", "タイトル"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount == nil || *page.TotalCount != 1234 || len(page.Records) != 1 {
		t.Fatalf("page = %+v", page)
	}
	if v := page.Records[0]["$id"]; v.Type != "__ID__" || string(v.Value) != `"14"` {
		t.Errorf("$id = %+v", v)
	}
	if v := page.Records[0]["tags"]; string(v.Value) != `["x","y"]` {
		t.Errorf("tags = %s", v.Value)
	}
}

func TestGuestSpacePaths(t *testing.T) {
	var paths []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		switch {
		case strings.HasSuffix(r.URL.Path, "/records.json"):
			writeJSON(w, 200, `{"records":[],"totalCount":null}`)
		case strings.HasSuffix(r.URL.Path, "/apps.json"):
			writeJSON(w, 200, `{"apps":[]}`)
		case strings.HasSuffix(r.URL.Path, "/fields.json"):
			writeJSON(w, 200, `{"properties":{},"revision":"1"}`)
		default:
			writeJSON(w, 200, appJSON)
		}
	})
	c := newClient(t, srv, func(cfg *Config) { cfg.GuestSpaceID = 7 })
	ctx := context.Background()
	c.Records(ctx, 1, "", nil, false)
	c.Apps(ctx, nil)
	c.App(ctx, 1)
	c.FormFields(ctx, 1, "")
	want := "/k/guest/7/v1/records.json /k/guest/7/v1/apps.json /k/guest/7/v1/app.json /k/guest/7/v1/app/form/fields.json"
	if strings.Join(paths, " ") != want {
		t.Errorf("paths %v", paths)
	}
}

// TestMethodOverride checks the switch to POST + X-HTTP-Method-Override at 4,096 characters.
func TestMethodOverride(t *testing.T) {
	type seen struct {
		method, override, contentType string
		params                        map[string]any
	}
	var last seen
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		last = seen{method: r.Method, override: r.Header.Get("X-HTTP-Method-Override"), contentType: r.Header.Get("Content-Type")}
		if r.Method == http.MethodPost {
			if err := json.NewDecoder(r.Body).Decode(&last.params); err != nil {
				t.Errorf("body: %v", err)
			}
		} else {
			last.params = map[string]any{"query": r.URL.Query().Get("query")}
		}
		if r.URL.RawQuery != "" && r.Method == http.MethodPost {
			t.Errorf("POST with a query string")
		}
		writeJSON(w, 200, `{"records":[],"totalCount":null}`)
	})
	c := newClient(t, srv, nil)
	base := srv.URL + "/k/v1/records.json?"
	urlLen := func(q string) int {
		return len(base + encodeQuery([]param{{"app", int64(1)}, {"query", q}}))
	}
	q := "x = \"" + strings.Repeat("a", 4096-urlLen("x = \"\"")) + "\""
	if urlLen(q) != 4096 {
		t.Fatalf("setup: url length %d", urlLen(q))
	}
	ctx := context.Background()
	if _, err := c.Records(ctx, 1, q, nil, false); err != nil {
		t.Fatal(err)
	}
	if last.method != http.MethodGet || last.params["query"] != q {
		t.Errorf("4096-character URL: got %+v", last.method)
	}
	q2 := q + "b"
	if _, err := c.Records(ctx, 1, q2, []string{"$id"}, true); err != nil {
		t.Fatal(err)
	}
	if last.method != http.MethodPost || last.override != "GET" || !strings.HasPrefix(last.contentType, "application/json") {
		t.Fatalf("4097-character URL: got %s override=%q ct=%q", last.method, last.override, last.contentType)
	}
	if last.params["app"] != float64(1) || last.params["query"] != q2 || last.params["totalCount"] != true ||
		fmt.Sprint(last.params["fields"]) != "[$id]" {
		t.Errorf("body = %v", last.params)
	}
	// More than 100 fields cannot travel in a query string, however short.
	var fields []string
	for i := 0; i < 101; i++ {
		fields = append(fields, fmt.Sprint("f", i))
	}
	if _, err := c.Records(ctx, 1, "", fields, false); err != nil {
		t.Fatal(err)
	}
	if last.method != http.MethodPost || len(last.params["fields"].([]any)) != 101 {
		t.Errorf("101 fields: %s", last.method)
	}
	// Multibyte text counts percent-encoded.
	if _, err := c.Records(ctx, 1, `t = "`+strings.Repeat("あ", 460)+`"`, nil, false); err != nil {
		t.Fatal(err)
	}
	if last.method != http.MethodPost {
		t.Errorf("460 kana (4,140 encoded characters) went as %s", last.method)
	}
}

func TestErrorReplies(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		kind      kerr.Kind
		code      string
		contains  []string
		apiStatus int // 0: no *APIError expected; also the error's Status
	}{
		{
			name: "app not found", status: 404,
			body: `{"code":"GAIA_AP01","id":"aBc8xyRm9kiFutkr90f1","message":"The app (ID: 3) not found. The app may have been deleted."}`,
			kind: kerr.KindAPIError, code: "GAIA_AP01", apiStatus: 404,
			contains: []string{"kintone GET /k/v1/records.json: The app (ID: 3) not found. The app may have been deleted. (HTTP 404) [GAIA_AP01]"},
		},
		{
			name: "password failed", status: 401,
			body: `{"code":"CB_WA01","id":"x1","message":"Password authentication failed. The value in http header of X-Cybozu-Authorization is not valid."}`,
			kind: kerr.KindAPIError, code: "CB_WA01", apiStatus: 401,
			contains: []string{"Password authentication failed", "HTTP 401"},
		},
		{
			name: "query error with field errors", status: 400,
			body: `{"code":"CB_VA01","id":"x2","message":"Missing or invalid input.","errors":{"query":{"messages":["The query is invalid."]},"app":{"messages":["Required field.","Must be a number."]},"c":{"messages":["x"]},"d":{"messages":["y"]}}}`,
			kind: kerr.KindAPIError, code: "CB_VA01", apiStatus: 400,
			contains: []string{"Missing or invalid input. (app: Required field. Must be a number.; c: x; d: y; and 1 more)"},
		},
		{
			name: "the query text refused", status: 400,
			body: `{"code":"CB_VA01","id":"x4","message":"Missing or invalid input.","errors":{"query":{"messages":["The limit must be 500 or less."]}}}`,
			kind: kerr.KindQueryRefused, code: "CB_VA01", apiStatus: 400,
			contains: []string{"(query: The limit must be 500 or less.)"},
		},
		{
			name: "query syntax", status: 400,
			body: `{"code":"GAIA_IQ11","id":"x3","message":"The specified field (nope) does not exist."}`,
			kind: kerr.KindAPIError, code: "GAIA_IQ11", apiStatus: 400,
		},
		{
			name: "unknown code falls back by status", status: 409,
			body: `{"code":"GAIA_XX99","id":"x4","message":"Conflict."}`,
			kind: kerr.KindAPIError, code: "GAIA_XX99", apiStatus: 409,
		},
		{
			name: "legacy 520", status: 520,
			body: `{"code":"GAIA_IA02","id":"x5","message":"The specified API token does not match the API token generated via an app."}`,
			kind: kerr.KindAPIError, code: "GAIA_IA02", apiStatus: 520,
		},
		{
			name: "bulkRequest envelope", status: 400,
			body: `{"results":[{},{"code":"GAIA_CO02","id":"x6","message":"The revision is not the latest."},{}]}`,
			kind: kerr.KindAPIError, code: "GAIA_CO02", apiStatus: 400,
		},
		{
			name: "non-JSON 503", status: 503, header: map[string]string{"Content-Type": "text/html"},
			body: "<html><head><title>503</title></head>\n<body><h1>Service\tUnavailable</h1>\x00 maintenance " + strings.Repeat("z", 300) + "</body></html>",
			kind: kerr.KindHTTPError, apiStatus: 503,
			contains: []string{"HTTP 503 Service Unavailable", "Service Unavailable maintenance zzz"},
		},
		{
			name: "basic auth 401", status: 401, header: map[string]string{"Content-Type": "text/plain", "WWW-Authenticate": `Basic realm="x"`},
			body: "Unauthorized",
			kind: kerr.KindHTTPError, apiStatus: 401,
			contains: []string{"HTTP 401", "BasicAuthUser"},
		},
		{
			name: "non-JSON 404 is an HTTP error", status: 404, header: map[string]string{"Content-Type": "text/html"},
			body: "<h1>Not Found</h1>",
			kind: kerr.KindHTTPError, apiStatus: 404,
		},
		{
			name: "redirect is not followed", status: 302, header: map[string]string{"Location": "https://login.example.com/"},
			kind: kerr.KindHTTPError, apiStatus: 302, contains: []string{"HTTP 302"},
		},
		{
			name: "filter aborted", status: 200, header: map[string]string{"X-Cybozu-Warning": "Filter aborted because of too many search results"},
			body: `{"records":[],"totalCount":null}`,
			kind: kerr.KindLimit, contains: []string{"Filter aborted because of too many search results", "incomplete"},
		},
		{
			name: "malformed JSON", status: 200, header: map[string]string{"Content-Type": "application/json"},
			body: `{"records":[{"a":`, kind: kerr.KindBadReply, contains: []string{"malformed JSON", "HTTP 200"},
		},
		{
			name: "HTML instead of JSON", status: 200, header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			body: `<html>login</html>`, kind: kerr.KindBadReply, contains: []string{"text/html"},
		},
		{
			name: "JSON without records", status: 200, body: `{"apps":[]}`, kind: kerr.KindBadReply,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if ct, ok := tt.header["Content-Type"]; !ok || ct == "" {
					w.Header().Set("Content-Type", "application/json")
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			c := newClient(t, srv, func(cfg *Config) { cfg.Retry.MaxRetries = -1 })
			_, err := c.Records(context.Background(), 3, "", nil, false)
			if err == nil {
				t.Fatal("no error")
			}
			e := kerr.As(err)
			if e == nil {
				t.Fatalf("not a *kerr.Error: %T %v", err, err)
			}
			if e.Kind != tt.kind || e.Code != tt.code || e.Status != tt.apiStatus {
				t.Errorf("kind/code/status = %s/%q/%d, want %s/%q/%d (%v)", e.Kind, e.Code, e.Status, tt.kind, tt.code, tt.apiStatus, err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			var ae *APIError
			if got := errors.As(err, &ae); got != (tt.apiStatus != 0) {
				t.Errorf("errors.As(*APIError) = %v", got)
			} else if got && (ae.Status != tt.apiStatus || ae.Method != "GET" || ae.Path != "/k/v1/records.json") {
				t.Errorf("APIError = %+v", ae)
			}
			if len(err.Error()) > 600 {
				t.Errorf("error too long (%d): %s", len(err.Error()), err)
			}
			if strings.ContainsAny(err.Error(), "\n\t\x00") {
				t.Errorf("control characters in %q", err)
			}
			if !strings.HasPrefix(err.Error(), "kintone GET /k/v1/records.json: ") {
				t.Errorf("error = %s", err)
			}
			if c.RequestCount() != 1 {
				t.Errorf("RequestCount = %d", c.RequestCount())
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &APIError{Status: 404, Code: "GAIA_AP01", Message: "The app (ID: 3) not found.", Method: "GET", Path: "/k/v1/records.json"}
	if got, want := e.Error(), "kintone GET /k/v1/records.json: The app (ID: 3) not found. [GAIA_AP01] (HTTP 404)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	e = &APIError{Status: 400, Code: "CB_VA01", Message: "Missing or invalid input.", Method: "GET", Path: "/k/v1/records.json",
		Errors: map[string]FieldErrors{"query": {Messages: []string{"Invalid."}}}}
	if got, want := e.Error(), "kintone GET /k/v1/records.json: Missing or invalid input. (query: Invalid.) [CB_VA01] (HTTP 400)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := newClient(t, srv, func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond })
	start := time.Now()
	_, err := c.Records(context.Background(), 1, "", nil, false)
	if err == nil {
		t.Fatal("no error")
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if !IsTimeout(err) || IsRetryable(err) || kerr.KindOf(err) != kerr.KindTimeout {
		t.Errorf("IsTimeout=%v IsRetryable=%v kind=%s", IsTimeout(err), IsRetryable(err), kerr.KindOf(err))
	}
	if msg := err.Error(); !strings.Contains(msg, "timed out after 0.05 s") || !strings.Contains(msg, "Timeout connection property") {
		t.Errorf("message %q", msg)
	}
	if c.RequestCount() != 1 {
		t.Errorf("a timeout was retried: %d requests", c.RequestCount())
	}
}

func TestTimeoutWhileReadingBody(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"records":[`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := newClient(t, srv, func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond })
	_, err := c.Records(context.Background(), 1, "", nil, false)
	if !IsTimeout(err) || !strings.Contains(fmt.Sprint(err), "timed out") {
		t.Errorf("err = %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := New(Config{BaseURL: &url.URL{Scheme: "http", Host: addr}, User: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Apps(context.Background(), nil)
	if err == nil {
		t.Fatal("no error")
	}
	if kerr.KindOf(err) != kerr.KindNetwork || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v", err)
	}
	if IsRetryable(err) || c.RequestCount() != 1 {
		t.Errorf("refused connection retried (%d requests)", c.RequestCount())
	}
	assertNoSecrets(t, err.Error())
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		replies  []int // statuses in order; the last repeats
		body     string
		header   map[string]string
		attempts int64
		ok       bool
	}{
		{name: "503 then ok", replies: []int{503, 503, 200}, attempts: 3, ok: true},
		{name: "502 and 504 then ok", replies: []int{502, 504, 200}, attempts: 3, ok: true},
		{name: "429 GAIA_TO04", replies: []int{429, 200}, body: `{"code":"GAIA_TO04","id":"a","message":"The number of concurrent API requests exceeds the limit."}`, attempts: 2, ok: true},
		{name: "lock GAIA_RE18", replies: []int{500, 200}, body: `{"code":"GAIA_RE18","id":"a","message":"Failed to lock."}`, attempts: 2, ok: true},
		{name: "lock GAIA_DA02", replies: []int{400, 200}, body: `{"code":"GAIA_DA02","id":"a","message":"Failed to lock."}`, attempts: 2, ok: true},
		{name: "500 then ok", replies: []int{500, 200}, attempts: 2, ok: true},
		{name: "gives up after 3 retries", replies: []int{503}, attempts: 4},
		{name: "no retry for 501", replies: []int{501, 200}, attempts: 1},
		{name: "no retry for legacy 520", replies: []int{520, 200}, body: `{"code":"GAIA_IA02","id":"a","message":"The API token does not match."}`, attempts: 1},
		{name: "no retry for 400", replies: []int{400, 200}, body: `{"code":"GAIA_IQ11","id":"a","message":"bad query"}`, attempts: 1},
		{name: "no retry for 401", replies: []int{401, 200}, body: `{"code":"CB_WA01","id":"a","message":"Password authentication failed."}`, attempts: 1},
		{name: "no retry for 403", replies: []int{403, 200}, body: `{"code":"CB_NO02","id":"a","message":"No privilege to proceed."}`, attempts: 1},
		{name: "no retry for 429 GAIA_TM12", replies: []int{429, 200}, body: `{"code":"GAIA_TM12","id":"a","message":"too many cursors"}`, attempts: 1},
		{name: "Retry-After beyond MaxDelay ends retrying", replies: []int{503, 200}, header: map[string]string{"Retry-After": "120"}, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				status := tt.replies[min(i, len(tt.replies)-1)]
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if status == 200 {
					writeJSON(w, 200, `{"records":[],"totalCount":null}`)
					return
				}
				body := tt.body
				if body == "" {
					body = "<html>busy</html>"
				}
				w.WriteHeader(status)
				io.WriteString(w, body)
			})
			c := newClient(t, srv, nil)
			_, err := c.Records(context.Background(), 1, "", nil, false)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v", err)
			}
			if n.Load() != tt.attempts || c.RequestCount() != tt.attempts {
				t.Errorf("attempts: server saw %d, RequestCount %d, want %d", n.Load(), c.RequestCount(), tt.attempts)
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	var n atomic.Int64
	var first time.Time
	var gap time.Duration
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"code":"GAIA_TO04","id":"a","message":"busy"}`)
			return
		}
		gap = time.Since(first)
		writeJSON(w, 200, `{"records":[],"totalCount":null}`)
	})
	c := newClient(t, srv, func(cfg *Config) { cfg.Retry.MaxDelay = 5 * time.Second })
	if _, err := c.Records(context.Background(), 1, "", nil, false); err != nil {
		t.Fatal(err)
	}
	if gap < time.Second {
		t.Errorf("retried after %v despite Retry-After: 1", gap)
	}
}

func TestRetryOverriddenGetAndConnectionReset(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("X-HTTP-Method-Override") != "GET" {
			t.Errorf("not overridden: %s", r.Method)
		}
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"query"`) {
			t.Errorf("attempt %d lost its body: %q", n.Load(), body)
		}
		if n.Add(1) <= 2 {
			// Break the connection before any reply.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0) // RST instead of FIN
				}
				conn.Close()
			}
			return
		}
		writeJSON(w, 200, `{"records":[],"totalCount":null}`)
	})
	c := newClient(t, srv, nil)
	q := "x = \"" + strings.Repeat("a", 5000) + "\""
	if _, err := c.Records(context.Background(), 1, q, nil, false); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || c.RequestCount() != 3 {
		t.Errorf("server saw %d, RequestCount %d", n.Load(), c.RequestCount())
	}
}

func TestConnectionResetIsRetryable(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := newClient(t, srv, nil)
	_, err := c.App(context.Background(), 1)
	if err == nil || !IsRetryable(err) || kerr.KindOf(err) != kerr.KindNetwork {
		t.Fatalf("err = %v (retryable %v)", err, IsRetryable(err))
	}
	if c.RequestCount() != 4 {
		t.Errorf("RequestCount = %d, want 4", c.RequestCount())
	}
	if !strings.Contains(err.Error(), "broke before a reply") {
		t.Errorf("message %q", err)
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		writeJSON(w, 503, `{"code":"","message":"busy"}`)
	})
	c := newClient(t, srv, func(cfg *Config) { cfg.Retry.MaxDelay = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Records(ctx, 1, "", nil, false)
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if !errors.Is(err, context.DeadlineExceeded) || kerr.KindOf(err) != kerr.KindInterrupted || !strings.Contains(err.Error(), "busy") {
		t.Errorf("err = %v", err)
	}
	if c.RequestCount() != 1 {
		t.Errorf("RequestCount = %d", c.RequestCount())
	}

	// An already cancelled context sends nothing.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := c.Records(ctx2, 1, "", nil, false); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if c.RequestCount() != 1 {
		t.Errorf("RequestCount = %d", c.RequestCount())
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	// A hostile or buggy server echoes every request header back in its error replies.
	echo := func(r *http.Request) string {
		var b strings.Builder
		for k, v := range r.Header {
			fmt.Fprintf(&b, "%s=%s ", k, strings.Join(v, ","))
		}
		return b.String()
	}
	for _, mode := range []string{"json", "text", "fielderrors", "warning", "malformed"} {
		for _, auth := range []string{"password", "token"} {
			t.Run(mode+"/"+auth, func(t *testing.T) {
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
					all := echo(r)
					switch mode {
					case "json":
						b, _ := json.Marshal(map[string]string{"code": "CB_WA01", "id": all, "message": "bad " + all})
						writeJSON(w, 401, string(b))
					case "fielderrors":
						b, _ := json.Marshal(map[string]any{"code": "CB_VA01", "message": "x", "errors": map[string]any{all: map[string]any{"messages": []string{all}}}})
						writeJSON(w, 400, string(b))
					case "text":
						w.WriteHeader(401)
						io.WriteString(w, strings.ReplaceAll(all, " ", "")) // dense, within the first 200 characters
					case "warning":
						w.Header().Set("X-Cybozu-Warning", all)
						writeJSON(w, 200, `{"records":[]}`)
					case "malformed":
						writeJSON(w, 200, `{"records":"`+all)
					}
				})
				c := newClient(t, srv, func(cfg *Config) {
					cfg.BasicAuthUser, cfg.BasicAuthPassword = testBasicUser, testBasicPass
					cfg.Tokens = []TokenPair{{1, tok1}, {2, tok2}}
					cfg.Related = map[int64][]int64{1: {2}}
					if auth == "token" {
						cfg.User, cfg.Password = "", ""
					}
				})
				_, err := c.Records(context.Background(), 1, "", nil, false)
				if err == nil {
					t.Fatal("no error")
				}
				assertNoSecrets(t, err.Error())
				var ae *APIError
				if errors.As(err, &ae) {
					assertNoSecrets(t, ae.Error())
					assertNoSecrets(t, fmt.Sprintf("%+v", *ae))
				}
			})
		}
	}
}

func TestMaskAppliesToErrors(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"code":"GAIA_IQ11","id":"a","message":"Field Verifier=abc not found"}`)
	})
	c := newClient(t, srv, func(cfg *Config) {
		cfg.Mask = func(s string) string { return strings.ReplaceAll(s, "Verifier=abc", "Verifier=****") }
	})
	_, err := c.Records(context.Background(), 1, "", nil, false)
	if err == nil || strings.Contains(err.Error(), "abc") || !strings.Contains(err.Error(), "Verifier=****") {
		t.Errorf("err = %v", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || strings.Contains(ae.Error(), "abc") {
		t.Errorf("APIError not masked: %v", ae)
	}
}

func TestFormFields(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/k/v1/app/form/fields.json" || r.URL.Query().Get("app") != "4" || r.URL.Query().Get("lang") != "en" {
			t.Errorf("got %s", r.URL)
		}
		writeJSON(w, 200, `{"properties":{
		  "status":{"type":"DROP_DOWN","code":"status","label":"Status","noLabel":false,"required":true,
		     "options":{"Open":{"label":"Open","index":"0"},"Closed":{"label":"Closed","index":"1"}},"defaultValue":"Open"},
		  "total":{"type":"CALC","code":"total","label":"Total","expression":"price*qty","format":"NUMBER_DIGIT","displayScale":"2","unit":"$","unitPosition":"BEFORE","hideExpression":false},
		  "items":{"type":"SUBTABLE","code":"items","fields":{"qty":{"type":"NUMBER","code":"qty","label":"Qty","unique":false,"digit":true,"minValue":"0","maxValue":""}}},
		  "cust":{"type":"SINGLE_LINE_TEXT","code":"cust","label":"Customer","lookup":{"relatedApp":{"app":"9","code":"CUST"},"relatedKeyField":"name","fieldMappings":[{"field":"addr","relatedField":"address"}],"lookupPickerFields":["name"],"filterCond":"","sort":"name asc"}},
		  "related":{"type":"REFERENCE_TABLE","code":"related","label":"Orders","referenceTable":{"relatedApp":{"app":"11","code":""},"condition":{"field":"cust","relatedField":"cust"},"displayFields":["n"],"size":"5"}},
		  "Categories":{"type":"CATEGORY","code":"Categories","label":"Categories","enabled":false},
		  "future":{"type":"NEW_TYPE","code":"future","label":"F","someNewAttr":{"x":1}}
		},"revision":"17"}`)
	})
	c := newClient(t, srv, nil)
	ff, err := c.FormFields(context.Background(), 4, "en")
	if err != nil {
		t.Fatal(err)
	}
	p := ff.Properties
	if ff.Revision != "17" || len(p) != 7 {
		t.Fatalf("revision %q, %d properties", ff.Revision, len(p))
	}
	if s := p["status"]; !s.Required || s.Options["Closed"].Index != "1" || string(s.DefaultValue) != `"Open"` {
		t.Errorf("status = %+v", s)
	}
	if s := p["total"]; s.Format != "NUMBER_DIGIT" || s.Expression != "price*qty" || s.DisplayScale != "2" || s.Unit != "$" || s.UnitPosition != "BEFORE" {
		t.Errorf("total = %+v", s)
	}
	if q := p["items"].Fields["qty"]; q.Type != "NUMBER" || !q.Digit || q.MinValue != "0" || len(q.Raw) == 0 {
		t.Errorf("items.qty = %+v", q)
	}
	if l := p["cust"].Lookup; l == nil || l.RelatedApp.App != "9" || l.RelatedApp.Code != "CUST" || l.RelatedKeyField != "name" ||
		len(l.FieldMappings) != 1 || l.FieldMappings[0] != (FieldMapping{"addr", "address"}) {
		t.Errorf("lookup = %+v", l)
	}
	if len(p["related"].ReferenceTable) == 0 {
		t.Errorf("referenceTable lost")
	}
	if e := p["Categories"].Enabled; e == nil || *e {
		t.Errorf("enabled = %v", e)
	}
	if !strings.Contains(string(p["future"].Raw), "someNewAttr") {
		t.Errorf("raw = %s", p["future"].Raw)
	}
	if b, _ := json.Marshal(p["future"]); !strings.Contains(string(b), "someNewAttr") {
		t.Errorf("marshal = %s", b)
	}
	if got := fmt.Sprint(c.RelatedApps(4)); got != "[9 11]" {
		t.Errorf("related apps = %s", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"records":[{"$id":{"type":"__ID__","value":"1"}}],"totalCount":null}`)
	})
	c := newClient(t, srv, func(cfg *Config) {
		cfg.User, cfg.Password = "", ""
		cfg.Tokens = []TokenPair{{1, tok1}, {2, tok2}}
	})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%4 == 0 {
				c.WithRelatedApps(1, []int64{2})
			}
			if _, err := c.Records(context.Background(), 1, "", nil, false); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if c.RequestCount() != 16 {
		t.Errorf("RequestCount = %d", c.RequestCount())
	}
}

func TestNewValidates(t *testing.T) {
	mustURL := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ok := mustURL("https://example.cybozu.com")
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no url", Config{User: "u", Password: testPassword}, "no kintone URL"},
		{"path", Config{BaseURL: mustURL("https://example.cybozu.com/k/v1"), User: "u", Password: testPassword}, "without a path"},
		{"userinfo", Config{BaseURL: mustURL("https://u:" + testPassword + "@example.cybozu.com"), User: "u", Password: testPassword}, "credentials"},
		{"ftp", Config{BaseURL: mustURL("ftp://example.cybozu.com"), User: "u", Password: testPassword}, "https://"},
		{"plain http", Config{BaseURL: mustURL("http://example.cybozu.com"), User: "u", Password: testPassword}, "must use https"},
		{"no credentials", Config{BaseURL: ok}, "no credentials"},
		{"password without user", Config{BaseURL: ok, Password: testPassword}, "without User"},
		{"token without app", Config{BaseURL: ok, Tokens: []TokenPair{{0, tok1}}}, "no app id"},
		{"bad token", Config{BaseURL: ok, Tokens: []TokenPair{{1, tok1 + ",x"}}}, "characters"},
		{"duplicate app", Config{BaseURL: ok, Tokens: []TokenPair{{1, tok1}, {1, tok2}}}, "two API tokens"},
		{"guest", Config{BaseURL: ok, User: "u", GuestSpaceID: -1}, "GuestSpaceId"},
		{"user agent", Config{BaseURL: ok, User: "u", UserAgent: "a\r\nX-Evil: 1"}, "UserAgent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || kerr.KindOf(err) != kerr.KindInvalidConfig {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if err != nil {
				assertNoSecrets(t, err.Error())
			}
		})
	}
	// Loopback http, and any http with AllowHTTP.
	for _, s := range []string{"http://localhost:8080", "http://127.0.0.1:1", "http://[::1]:2", "https://example.cybozu.com/"} {
		if _, err := New(Config{BaseURL: mustURL(s), User: "u"}); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := New(Config{BaseURL: mustURL("http://example.cybozu.com"), User: "u", AllowHTTP: true}); err != nil {
		t.Error(err)
	}
}

func TestDefaultTransportUntouched(t *testing.T) {
	c, err := New(Config{BaseURL: &url.URL{Scheme: "https", Host: "example.cybozu.com"}, User: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if c.http == http.DefaultClient || c.http.Transport == nil || c.http.Transport == http.DefaultTransport {
		t.Error("client shares the default transport")
	}
	// A caller's client is copied, not modified.
	hc := &http.Client{Timeout: time.Second}
	c, err = New(Config{BaseURL: &url.URL{Scheme: "https", Host: "example.cybozu.com"}, User: "u", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil || c.http == hc || c.http.Timeout != time.Second {
		t.Error("caller's http.Client modified or not used")
	}
}

func TestRetryPolicyWait(t *testing.T) {
	p := RetryPolicy{}.normalized()
	if p.MaxRetries != 3 || p.BaseDelay != 200*time.Millisecond {
		t.Fatalf("default %+v", p)
	}
	for retry, maxWait := range []time.Duration{200, 400, 800} {
		for i := 0; i < 50; i++ {
			w, ok := p.wait(retry, 0)
			if !ok || w < maxWait*time.Millisecond/2 || w > maxWait*time.Millisecond {
				t.Fatalf("retry %d: wait %v ok %v", retry, w, ok)
			}
		}
	}
	if _, ok := p.wait(3, 0); ok {
		t.Error("a 4th retry")
	}
	if w, ok := p.wait(0, 2*time.Second); !ok || w != 2*time.Second {
		t.Errorf("Retry-After: %v %v", w, ok)
	}
	if _, ok := (RetryPolicy{MaxRetries: -1}).normalized().wait(0, 0); ok {
		t.Error("retries disabled but retried")
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "-1": 0, "x": 0,
		now.Add(5 * time.Second).Format(http.TimeFormat): 5 * time.Second} {
		if got := parseRetryAfter(h, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestDecodeStringsAsNumbers(t *testing.T) {
	var a App
	if err := json.Unmarshal([]byte(`{"appId":12,"spaceId":"","threadId":"7","createdAt":null}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.AppID != 12 || a.SpaceID != nil || *a.ThreadID != 7 || !a.CreatedAt.IsZero() {
		t.Errorf("%+v", a)
	}
	// An entry in an unexpected shape does not fail the list: the attribute is left out and
	// named in Problems (the engine warns and skips an app without a usable id).
	if err := json.Unmarshal([]byte(`{"appId":"x1","name":"N","createdAt":"2024/01/31 05:00"}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.AppID != 0 || a.Name != "N" || !a.CreatedAt.IsZero() || len(a.Problems) != 2 ||
		!strings.Contains(a.Problems[0], `appId has the value "x1"`) || !strings.Contains(a.Problems[1], `createdAt has the value "2024/01/31 05:00"`) {
		t.Errorf("bad appId and createdAt: %+v", a)
	}
	if err := json.Unmarshal([]byte(`{"appId":`), &a); err == nil {
		t.Error("text that is not JSON accepted")
	}
	var p RecordsPage
	if err := json.Unmarshal([]byte(`{"records":[],"totalCount":"9007199254740993"}`), &p); err != nil || *p.TotalCount != 9007199254740993 {
		t.Errorf("totalCount: %v %v", err, p.TotalCount)
	}
}

func TestInvalidAppID(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") })
	c := newClient(t, srv, nil)
	if _, err := c.Records(context.Background(), 0, "", nil, false); kerr.KindOf(err) != kerr.KindInvalidArgument {
		t.Errorf("err = %v", err)
	}
}

// TestFieldValueShapes: the common shape is read by hand, anything else by encoding/json; a
// field that is not an object {"type", "value"} is kept in Bad instead of failing the record.
func TestFieldValueShapes(t *testing.T) {
	cases := []struct {
		in   string
		want FieldValue
	}{
		{`{"type":"NUMBER","value":"5"}`, FieldValue{Type: "NUMBER", Value: json.RawMessage(`"5"`)}},
		{` { "value" : [ {"a":"}]"} , 1 ] , "type" : "X" } `, FieldValue{Type: "X", Value: json.RawMessage(`[ {"a":"}]"} , 1 ]`)}},
		{`{"type":"T","value":"a\"b\\","other":{"x":[1,2]}}`, FieldValue{Type: "T", Value: json.RawMessage(`"a\"b\\"`)}},
		{`{"type":"T","value":-1.5e3}`, FieldValue{Type: "T", Value: json.RawMessage(`-1.5e3`)}},
		{`{"type":"T","value":null}`, FieldValue{Type: "T", Value: json.RawMessage(`null`)}},
		{`{"type":"T"}`, FieldValue{Type: "T"}},
		{`{}`, FieldValue{}},
		{`{"Type":"T","VALUE":true}`, FieldValue{Type: "T", Value: json.RawMessage(`true`)}}, // as encoding/json
		{`{"type":"\u0054","value":1}`, FieldValue{Type: "T", Value: json.RawMessage(`1`)}},
		{`null`, FieldValue{}},
		{`"5"`, FieldValue{Value: json.RawMessage(`"5"`), Bad: true}},
		{`[1]`, FieldValue{Value: json.RawMessage(`[1]`), Bad: true}},
		{`{"type":5,"value":"x"}`, FieldValue{Value: json.RawMessage(`{"type":5,"value":"x"}`), Bad: true}},
	}
	for _, c := range cases {
		var rec Record
		if err := json.Unmarshal([]byte(`{"f":`+c.in+`,"g":{"type":"N","value":"1"}}`), &rec); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := rec["f"]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v (value %s), want %+v", c.in, got, got.Value, c.want)
		}
		if g := rec["g"]; g.Type != "N" || string(g.Value) != `"1"` {
			t.Errorf("%s: the next field: %+v", c.in, g)
		}
	}
}
