package kintonesim_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

func tok(tokens string) map[string]string { return map[string]string{"X-Cybozu-API-Token": tokens} }

func TestAuth(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	u := "/k/v1/records.json?app=2&query=" + q("limit 1")
	wantError(t, call(t, s, "GET", u, nil, nil), 401, "CB_AU01")
	wantError(t, call(t, s, "GET", u, nil, map[string]string{"X-Cybozu-Authorization": pw("admin", "wrong")}), 401, "CB_WA01")
	wantError(t, call(t, s, "GET", u, nil, map[string]string{"X-Cybozu-Authorization": pw("nobody", sample.Password)}), 401, "CB_WA01")
	wantError(t, call(t, s, "GET", u, nil, map[string]string{"X-Cybozu-Authorization": "%%%not base64"}), 401, "CB_WA01")
	wantOK(t, call(t, s, "GET", u, nil, map[string]string{"X-Cybozu-Authorization": pw("sato", sample.Password)}))

	wantOK(t, call(t, s, "GET", u, nil, tok("sim-deals-view")))
	wantOK(t, call(t, s, "GET", u, nil, tok("sim-customers-view, sim-deals-full")))
	wantError(t, call(t, s, "GET", u, nil, tok("nope")), 400, "GAIA_IA02")
	wantError(t, call(t, s, "GET", u, nil, tok("sim-deals-view,nope")), 400, "GAIA_IA02")
	wantError(t, call(t, s, "GET", u, nil, tok("sim-deals-view,sim-deals-full")), 400, "GAIA_DA03")
	wantError(t, call(t, s, "GET", u, nil, tok("sim-customers-full")), 403, "GAIA_NO01")
	wantError(t, call(t, s, "GET", "/k/v1/app.json?id=2", nil, tok("sim-customers-full")), 403, "GAIA_NO01")
	wantOK(t, call(t, s, "GET", "/k/v1/app/form/fields.json?app=2", nil, tok("sim-deals-view")))
	ten := strings.Repeat("x,", 9) + "sim-deals-view"
	wantError(t, call(t, s, "GET", u, nil, tok(ten)), 400, "CB_VA01")

	// Repeated headers are one list.
	req := httptest.NewRequest("GET", u, nil)
	req.Header.Add("X-Cybozu-API-Token", "sim-customers-view")
	req.Header.Add("X-Cybozu-API-Token", "sim-deals-view")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("repeated headers: %d %s", rec.Code, rec.Body)
	}
	req.Header.Add("X-Cybozu-API-Token", "sim-deals-full")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "GAIA_DA03") {
		t.Errorf("repeated duplicate: %d %s", rec.Code, rec.Body)
	}

	// Password wins over a bad token.
	h := map[string]string{"X-Cybozu-Authorization": pw("admin", sample.Password), "X-Cybozu-API-Token": "nope"}
	wantOK(t, call(t, s, "GET", u, nil, h))

	// Token calls act as Administrator.
	s.ResetRequests()
	call(t, s, "GET", u, nil, tok("sim-deals-view"))
	if l := s.Requests(); len(l) != 1 || l[0].Auth != kintonesim.AuthToken || l[0].User != "Administrator" {
		t.Errorf("log %+v", l)
	}
}

func TestTokenPermissions(t *testing.T) {
	f := sample.Fixture(small())
	f.Apps[1].APITokens = append(f.Apps[1].APITokens, kintonesim.APIToken{Token: "add-only", Add: true})
	s := newServer(t, f, kintonesim.Options{})
	wantError(t, call(t, s, "GET", "/k/v1/records.json?app=2", nil, tok("add-only")), 403, "GAIA_NO01")
	wantError(t, call(t, s, "GET", "/k/v1/record.json?app=2&id=1", nil, tok("add-only")), 403, "GAIA_NO01")
	r := call(t, s, "GET", "/k/v1/records.json?app=2", nil, map[string]string{"X-Cybozu-API-Token": "add-only", "Accept-Language": "ja"})
	if !strings.Contains(r.body["message"].(string), "APIトークン") {
		t.Errorf("ja: %v", r.body["message"])
	}
}

func TestBasicLayer(t *testing.T) {
	f := sample.Fixture(small())
	f.BasicAuth = &kintonesim.BasicAuth{User: "lb", Password: "secret"}
	s := newServer(t, f, kintonesim.Options{})
	u := "/k/v1/app.json?id=1"
	r := call(t, s, "GET", u, nil, adminAuth)
	if r.status != 401 || r.body != nil || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("missing basic: %d %q", r.status, r.raw)
	}
	h := map[string]string{"X-Cybozu-Authorization": adminAuth["X-Cybozu-Authorization"],
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("lb:wrong"))}
	if r := call(t, s, "GET", u, nil, h); r.status != 401 || r.body != nil {
		t.Errorf("wrong basic: %d %q", r.status, r.raw)
	}
	h["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte("lb:secret"))
	wantOK(t, call(t, s, "GET", u, nil, h))
	delete(h, "X-Cybozu-Authorization")
	wantError(t, call(t, s, "GET", u, nil, h), 401, "CB_AU01")
}

func TestGuestPaths(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	wantError(t, get(t, s, "/k/v1/records.json?app=4"), 400, "GAIA_IL23")
	wantError(t, get(t, s, "/k/v1/app.json?id=4"), 400, "GAIA_IL23")
	wantError(t, get(t, s, "/k/guest/2/v1/records.json?app=1"), 403, "CB_NO02")
	wantError(t, get(t, s, "/k/guest/1/v1/records.json?app=4"), 403, "CB_NO02")
	recs := records(t, get(t, s, "/k/guest/2/v1/records.json?app=4"))
	if len(recs) != 5 {
		t.Errorf("guest tasks: %d", len(recs))
	}
	wantOK(t, call(t, s, "GET", "/k/guest/2/v1/record.json?app=4&id=1", nil, tok("sim-guest-view")))
	wantOK(t, get(t, s, "/k/guest/2/v1/app/form/fields.json?app=4"))
}

func TestLegacy520(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{Legacy520: true})
	r := call(t, s, "GET", "/k/v1/records.json?app=1", nil, tok("nope"))
	if r.status != 520 || r.body["code"] != "GAIA_IA02" {
		t.Errorf("legacy: %d %s", r.status, r.raw)
	}
	wantError(t, get(t, s, "/k/v1/records.json?app=1&query="+q("limit 501")), 400, "GAIA_QU01")
}

func TestConcurrencyLimit(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{ConcurrencyLimit: 2, Latency: 300 * time.Millisecond})
	r := get(t, s, "/k/v1/app.json?id=1")
	if r.header.Get("X-ConcurrencyLimit-Limit") != "2" || r.header.Get("X-ConcurrencyLimit-Running") != "1" {
		t.Errorf("headers %v", r.header)
	}
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); get(t, s, "/k/v1/app.json?id=1") }()
	}
	deadline := time.Now().Add(2 * time.Second)
	for s.InFlight() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	r = get(t, s, "/k/v1/app.json?id=1")
	wantError(t, r, 429, "GAIA_TO04")
	if r.header.Get("X-ConcurrencyLimit-Running") != "3" || r.header.Get("X-Cybozu-Error") != "GAIA_TO04" {
		t.Errorf("429 headers %v", r.header)
	}
	wg.Wait()
	// Default limit 100.
	s = newServer(t, nil, kintonesim.Options{})
	if r := get(t, s, "/k/v1/app.json?id=1"); r.header.Get("X-ConcurrencyLimit-Limit") != "100" {
		t.Errorf("default limit header %q", r.header.Get("X-ConcurrencyLimit-Limit"))
	}
}

func TestLatency(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{Latency: 80 * time.Millisecond})
	start := time.Now()
	wantOK(t, get(t, s, "/k/v1/app.json?id=1"))
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("answered after %v", d)
	}
	// A cancelled request stops waiting.
	s = newServer(t, nil, kintonesim.Options{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest("GET", "/k/v1/app.json?id=1", nil).WithContext(ctx)
	start = time.Now()
	s.ServeHTTP(httptest.NewRecorder(), req)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancelled request took %v", d)
	}
}

func TestRequestLog(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	get(t, s, "/k/v1/records.json?app=2&query="+q(`stage in ("Won") limit 3`))
	call(t, s, "GET", "/k/v1/records.json", map[string]any{"app": "3", "query": "limit 501"}, adminAuth)
	call(t, s, "GET", "/k/v1/record.json?app=1&id=1", nil, nil)
	l := s.Requests()
	if len(l) != 3 {
		t.Fatalf("%d entries", len(l))
	}
	e := l[0]
	if e.Method != "GET" || e.Path != "/k/v1/records.json" || e.App != "2" || e.Query != `stage in ("Won") limit 3` ||
		e.Status != 200 || e.Code != "" || e.Auth != kintonesim.AuthPassword || e.User != "admin" || e.Records != 3 || e.Params["app"] != "2" {
		t.Errorf("entry 0: %+v", e)
	}
	if e := l[1]; e.App != "3" || e.Query != "limit 501" || e.Status != 400 || e.Code != "GAIA_QU01" {
		t.Errorf("entry 1: %+v", e)
	}
	if e := l[2]; e.Status != 401 || e.Code != "CB_AU01" || e.Auth != kintonesim.AuthNone {
		t.Errorf("entry 2: %+v", e)
	}
	st := s.Stats()
	if st.Requests != 3 || st.Errors != 2 || st.RecordsReturned != 3 || st.ByEndpoint["GET /k/v1/records.json"] != 2 || st.ByCode["CB_AU01"] != 1 {
		t.Errorf("stats %+v", st)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.Stats().Requests != 0 {
		t.Error("reset kept entries")
	}
	// Method override is logged as GET.
	call(t, s, "POST", "/k/v1/records.json", map[string]any{"app": 1}, map[string]string{"X-HTTP-Method-Override": "GET",
		"X-Cybozu-Authorization": adminAuth["X-Cybozu-Authorization"]})
	if l := s.Requests(); l[0].Method != "GET" || l[0].Status != 200 {
		t.Errorf("override: %+v", l[0])
	}
	// Bounded log.
	s = newServer(t, nil, kintonesim.Options{MaxLoggedRequests: 2})
	for i := 1; i <= 3; i++ {
		get(t, s, "/k/v1/app.json?id="+string(rune('0'+i)))
	}
	if l := s.Requests(); len(l) != 2 || l[0].App != "2" || l[1].App != "3" {
		t.Errorf("bounded log %+v", l)
	}
}

func TestStart(t *testing.T) {
	rn, err := kintonesim.Start(sample.Fixture(small()), kintonesim.Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	if !strings.HasPrefix(rn.URL(), "http://localhost:") || rn.Server == nil {
		t.Fatalf("URL %s", rn.URL())
	}
	req, _ := http.NewRequest("GET", rn.URL()+"/k/v1/app.json?id=1", nil)
	req.Header.Set("X-Cybozu-API-Token", "sim-customers-view")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("status %d", res.StatusCode)
	}
	if err := rn.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestFailNext(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	s.FailNext(2, kintonesim.Fault{Status: 503, Body: "Service Unavailable"})
	s.FailNext(1, kintonesim.Fault{Status: 500, Code: "GAIA_RE18"})
	for i := 0; i < 2; i++ {
		r := get(t, s, "/k/v1/app.json?id=1")
		if r.status != 503 || r.raw != "Service Unavailable" {
			t.Errorf("fault %d: %d %q", i, r.status, r.raw)
		}
	}
	wantError(t, get(t, s, "/k/v1/app.json?id=1"), 500, "GAIA_RE18")
	wantOK(t, get(t, s, "/k/v1/app.json?id=1"))
	if st := s.Stats(); st.Errors != 3 || st.ByCode["GAIA_RE18"] != 1 {
		t.Errorf("stats %+v", st)
	}
}
