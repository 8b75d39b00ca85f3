package kintonesim_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// pwTasks is the password header of oauthFixture's admin.
var pwTasks = map[string]string{"X-Cybozu-Authorization": pw("admin", "pw-admin")}

func TestFaultRules(t *testing.T) {
	f := oauthFixture()
	f.Apps = append(f.Apps, kintonesim.App{ID: 2, Name: "Other", Fields: map[string]kintonesim.FieldProperty{"x": {Type: "NUMBER"}}})
	s := newServer(t, f, kintonesim.Options{})
	recs := "/k/v1/records.json?app=1"
	// The 2nd and 3rd GET records.json of app 1 fail with a kintone error.
	s.AddFault(kintonesim.FaultRule{Method: "GET", Path: "/k/v1/records.json", App: "1", Nth: 2, Times: 2,
		Status: 503, Code: "GAIA_DA02", Message: "Lock failed.", Header: map[string]string{"Retry-After": "1"}})
	wantOK(t, call(t, s, "GET", recs, nil, pwTasks))
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=2", nil, pwTasks)) // another app: not counted
	wantOK(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 1}, pwTasks))
	for i := 0; i < 2; i++ {
		r := call(t, s, "GET", recs, nil, pwTasks)
		wantError(t, r, 503, "GAIA_DA02")
		if r.body["message"] != "Lock failed." || r.header.Get("Retry-After") != "1" || r.header.Get("X-Cybozu-Error") != "GAIA_DA02" {
			t.Errorf("fault %d: %s %v", i, r.raw, r.header)
		}
	}
	wantOK(t, call(t, s, "GET", recs, nil, pwTasks))
	// The app is matched in a JSON body too, and after X-HTTP-Method-Override.
	s.AddFault(kintonesim.FaultRule{Method: "GET", App: "2", Times: -1, Status: 502, Body: "<html>Bad Gateway</html>", ContentType: "text/html"})
	r := call(t, s, "POST", "/k/v1/records.json", map[string]any{"app": 2}, map[string]string{
		"X-Cybozu-Authorization": pwTasks["X-Cybozu-Authorization"], "X-HTTP-Method-Override": "GET"})
	if r.status != 502 || r.raw != "<html>Bad Gateway</html>" || r.header.Get("Content-Type") != "text/html" {
		t.Errorf("override: %d %q %v", r.status, r.raw, r.header)
	}
	for i := 0; i < 3; i++ {
		if r := call(t, s, "GET", "/k/v1/app.json?id=2", nil, pwTasks); r.status != 502 {
			t.Errorf("times -1: %d", r.status)
		}
	}
	wantOK(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2}, pwTasks))
	// Faults come before authentication; a plain-text body without ContentType is text/plain.
	s.AddFault(kintonesim.FaultRule{Path: "/k/v1/app*", Status: 500})
	r = call(t, s, "GET", "/k/v1/app/form/fields.json?app=1", nil, nil)
	if r.status != 500 || r.raw != "" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("prefix: %d %q %v", r.status, r.raw, r.header)
	}
	if l := s.Requests(); !l[len(l)-1].Fault || l[len(l)-1].Status != 500 {
		t.Errorf("log %+v", l[len(l)-1])
	}
	wantOK(t, call(t, s, "GET", "/k/v1/app/form/fields.json?app=1", nil, pwTasks))
	// ClearFaults drops rules and the FailNext queue.
	s.FailNext(5, kintonesim.Fault{Status: 503, Body: "maintenance"})
	s.ClearFaults()
	wantOK(t, call(t, s, "GET", "/k/v1/app.json?id=2", nil, pwTasks))
	// FailNext still works and comes first.
	s.AddFault(kintonesim.FaultRule{Status: 500})
	s.FailNext(1, kintonesim.Fault{Status: 429, Code: "GAIA_TO04"})
	wantError(t, call(t, s, "GET", recs, nil, pwTasks), 429, "GAIA_TO04")
	if r := call(t, s, "GET", recs, nil, pwTasks); r.status != 500 {
		t.Errorf("rule after queue: %d", r.status)
	}
	wantOK(t, call(t, s, "GET", recs, nil, pwTasks))
}

func TestFaultRuleOAuthPath(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	s.AddFault(kintonesim.FaultRule{Method: "POST", Path: "/oauth2/token", Status: 503, Body: "busy"})
	tk, _ := s.IssueOAuthTokens(oaID, oaUser)
	r := tokenReq(t, s, map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {tk.RefreshToken}}, "Authorization", basicHdr(oaID, oaSec))
	if r.status != 503 || r.raw != "busy" {
		t.Errorf("token fault: %d %q", r.status, r.raw)
	}
	wantOK(t, tokenReq(t, s, map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {tk.RefreshToken}}, "Authorization", basicHdr(oaID, oaSec)))
}

func TestFaultDelay(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	s.AddFault(kintonesim.FaultRule{Path: "/k/v1/app.json", Delay: 80 * time.Millisecond})
	start := time.Now()
	wantOK(t, call(t, s, "GET", "/k/v1/app.json?id=1", nil, pwTasks))
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("delay %v", d)
	}
	wantOK(t, call(t, s, "GET", "/k/v1/app.json?id=1", nil, pwTasks))
	if l := s.Requests(); len(l) != 2 || !l[0].Fault || l[1].Fault {
		t.Errorf("only the first request is delayed: %+v", l)
	}
}

func newRequest(t *testing.T, method, url string, headers map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

func TestFaultResetAndSlowBody(t *testing.T) {
	rn, err := kintonesim.Start(oauthFixture(), kintonesim.Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	s := rn.Server
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	u := rn.URL() + "/k/v1/records.json?app=1"

	// Reset: the connection drops without a response.
	s.AddFault(kintonesim.FaultRule{Path: "/k/v1/records.json", Reset: true})
	resp, err := client.Do(newRequest(t, "GET", u, pwTasks))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("reset: got %d", resp.StatusCode)
	}
	if l := s.Requests(); len(l) != 1 || l[0].Status != 0 || !l[0].Fault {
		t.Errorf("log %+v", l)
	}
	resp, err = client.Do(newRequest(t, "GET", u, pwTasks))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after reset: %v %v", resp, err)
	}
	resp.Body.Close()

	// ResetAfterServe: the record is added, then the connection drops instead of the reply.
	s.ResetRequests()
	s.AddFault(kintonesim.FaultRule{Method: "POST", Path: "/k/v1/record.json", ResetAfterServe: true})
	add := newRequest(t, "POST", rn.URL()+"/k/v1/record.json", pwTasks)
	add.Header.Set("Content-Type", "application/json")
	add.Body = io.NopCloser(strings.NewReader(`{"app": 1, "record": {"title": {"value": "lost reply"}}}`))
	resp, err = client.Do(add)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("reset after serve: got %d", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("reset after serve: the client saw %v, not a dropped connection", err)
	}
	if l := s.Requests(); len(l) != 1 || l[0].Status != 200 || !l[0].Fault {
		t.Errorf("log %+v", l)
	}
	resp, err = client.Do(newRequest(t, "GET", u+"&query=title%3D%22lost%20reply%22", pwTasks))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"value":"lost reply"`) {
		t.Errorf("the write of the lost reply is not applied: %s", body)
	}

	// SlowBody on the real answer: headers at once, the body over 300 ms.
	s.AddFault(kintonesim.FaultRule{Path: "/k/v1/records.json", SlowBody: 300 * time.Millisecond, Times: 2})
	start := time.Now()
	resp, err = client.Do(newRequest(t, "GET", u, pwTasks))
	if err != nil {
		t.Fatal(err)
	}
	head := time.Since(start)
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	total := time.Since(start)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(string(body), `{"records":[`) {
		t.Fatalf("slow body: %d %q %v", resp.StatusCode, body, err)
	}
	if head > 150*time.Millisecond || total < 250*time.Millisecond {
		t.Errorf("headers after %v, body after %v", head, total)
	}
	// A client with a shorter timeout gives up while reading the body.
	short := &http.Client{Timeout: 100 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err = short.Do(newRequest(t, "GET", u, pwTasks))
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	var ne interface{ Timeout() bool }
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("short timeout: %v", err)
	}
	// SlowBody on an injected error.
	s.ClearFaults()
	s.AddFault(kintonesim.FaultRule{Status: 503, Code: "GAIA_TO04", SlowBody: 100 * time.Millisecond})
	start = time.Now()
	resp, err = client.Do(newRequest(t, "GET", u, pwTasks))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"code":"GAIA_TO04"`) || time.Since(start) < 80*time.Millisecond {
		t.Errorf("slow error: %d %s %v", resp.StatusCode, body, time.Since(start))
	}
}

// keywordFixture is an app with n records; every record whose id is not a multiple of 5 has
// the word "apple" in its title.
func keywordFixture(n int) *kintonesim.Fixture {
	f := &kintonesim.Fixture{Users: []kintonesim.User{{Code: "admin", Password: "pw-admin"}},
		Apps: []kintonesim.App{{ID: 1, Name: "Words", Fields: map[string]kintonesim.FieldProperty{
			"title": {Type: "SINGLE_LINE_TEXT"}, "n": {Type: "NUMBER"}}}}}
	for i := 1; i <= n; i++ {
		title := fmt.Sprintf("pear %d", i)
		if i%5 != 0 {
			title = fmt.Sprintf("apple %d", i)
		}
		f.Apps[0].Records = append(f.Apps[0].Records, kintonesim.RecordInput{"title": {Value: title}, "n": {Value: fmt.Sprint(i)}})
	}
	return f
}

func TestFilterAbort(t *testing.T) {
	s := newServer(t, keywordFixture(20), kintonesim.Options{FilterAbortThreshold: 6})
	get := func(query string) resp {
		return call(t, s, "GET", "/k/v1/records.json?app=1&totalCount=true&fields[0]=$id&query="+q(query), nil, pwTasks)
	}
	// 16 records hold "apple": the search stops at the 6th (ids 1-4, 6, 7).
	r := get(`title like "apple"`)
	if r.header.Get("X-Cybozu-Warning") != "Filter aborted because of too many search results" {
		t.Errorf("warning %v", r.header)
	}
	want := `{"records":[{"$id":{"type":"__ID__","value":"7"}},{"$id":{"type":"__ID__","value":"6"}},{"$id":{"type":"__ID__","value":"4"}},` +
		`{"$id":{"type":"__ID__","value":"3"}},{"$id":{"type":"__ID__","value":"2"}},{"$id":{"type":"__ID__","value":"1"}}],"totalCount":"6"}` + "\n"
	if r.status != 200 || r.raw != want {
		t.Errorf("like:\n got %s\nwant %s", r.raw, want)
	}
	// Other conditions, order and limit apply to the partial result.
	r = get(`title like "apple" and n >= 3 order by n asc limit 2`)
	if got := ids(t, records(t, r)); strings.Join(got, ",") != "3,4" || r.body["totalCount"] != "4" || r.header.Get("X-Cybozu-Warning") == "" {
		t.Errorf("combined: %v %s", got, r.raw)
	}
	// not like: records past the cut-off count as not containing the keyword.
	r = get(`title not like "apple" limit 500`)
	if r.body["totalCount"] != "14" || r.header.Get("X-Cybozu-Warning") == "" {
		t.Errorf("not like: %s", r.raw)
	}
	// Under the threshold, or without like, no warning.
	for _, qq := range []string{`title like "pear"`, `n > 0`, ``} {
		if r := get(qq); r.status != 200 || r.header.Get("X-Cybozu-Warning") != "" {
			t.Errorf("%s: %d %v", qq, r.status, r.header)
		}
	}
	// Query errors are still reported as such.
	wantError(t, get(`title like "apple" limit 501`), 400, "GAIA_QU01")
	wantError(t, get(`nope like "apple"`), 400, "GAIA_IQ11")

	// The default threshold is kintone's 100,000; negative disables it.
	s = newServer(t, keywordFixture(20), kintonesim.Options{})
	if r := get(`title like "apple"`); r.header.Get("X-Cybozu-Warning") != "" || r.body["totalCount"] != "16" {
		t.Errorf("default: %s", r.raw)
	}
	s = newServer(t, keywordFixture(20), kintonesim.Options{FilterAbortThreshold: -1})
	if r := get(`title like "apple"`); r.header.Get("X-Cybozu-Warning") != "" {
		t.Errorf("disabled: %v", r.header)
	}
}
