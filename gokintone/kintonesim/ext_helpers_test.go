package kintonesim_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// extFixture is the small domain of the tests of the files, comments, process management,
// settings, spaces, preview and User API endpoints.
const extFixture = `{
 "lang": "ja",
 "users": [
  {"code": "alice", "name": "Alice", "password": "pw", "primaryOrganization": "dev", "surName": "Liddell",
   "givenName": "Alice", "email": "alice@example.com", "groups": ["leads"],
   "organizations": [{"code": "dev", "title": "boss"}, "ops"]},
  {"code": "bob", "name": "Bob", "password": "pw", "groups": ["leads", "all"], "organizations": ["ops"]},
  {"code": "carol", "name": "Carol", "password": "pw", "valid": false}
 ],
 "organizations": [{"code": "dev", "name": "Development"}, {"code": "ops", "name": "Operations"}],
 "groups": [{"code": "leads", "name": "Leads"}, {"code": "all", "name": "Everyone"}],
 "titles": [{"code": "boss", "name": "Boss"}],
 "spaces": [
  {"id": 7, "name": "Team", "body": "<p>hi</p>", "members": ["alice", {"entity": {"type": "GROUP", "code": "leads"}, "isAdmin": true}]},
  {"id": 8, "name": "Secret", "isPrivate": true, "members": ["bob"]},
  {"id": 9, "name": "Guests", "isGuest": true, "members": ["alice"]}
 ],
 "apps": [
  {"id": 1, "name": "Tickets", "spaceId": 7,
   "fields": {
    "title": {"type": "SINGLE_LINE_TEXT", "label": "Title"},
    "owner": {"type": "USER_SELECT"},
    "doc":   {"type": "FILE"},
    "memo":  {"type": "MULTI_LINE_TEXT"},
    "lines": {"type": "SUBTABLE", "fields": {"item": {"type": "SINGLE_LINE_TEXT"}}}
   },
   "apiTokens": [{"token": "t-full", "view": true, "add": true, "edit": true, "delete": true}, {"token": "t-view", "view": true}],
   "processManagement": {"enable": true,
    "states": {
     "Open":   {"index": "0", "assignee": {"type": "ONE", "entities": [{"entity": {"type": "FIELD_ENTITY", "code": "作成者"}}]}},
     "Review": {"index": "1", "assignee": {"type": "ANY", "entities": [{"entity": {"type": "GROUP", "code": "leads"}}]}},
     "Done":   {"index": "2"}
    },
    "actions": [
     {"name": "Submit", "from": "Open", "to": "Review"},
     {"name": "Approve", "from": "Review", "to": "Done", "filterCond": "title != \"blocked\""},
     {"name": "Reopen", "from": "Done", "to": "Open", "type": "SECONDARY"}
    ]},
   "records": [
    {"title": {"value": "first"}},
    {"title": {"value": "second"}, "ステータス": {"value": "Review"}},
    {"title": {"value": "blocked"}, "ステータス": {"value": "Review"}, "作業者": {"value": [{"code": "bob"}]}}
   ]},
  {"id": 2, "name": "Plain", "fields": {"name": {"type": "SINGLE_LINE_TEXT"}}, "records": [{"name": {"value": "x"}}],
   "apiTokens": [{"token": "p-full", "view": true, "add": true, "edit": true, "delete": true}]},
  {"id": 3, "name": "Guest app", "guestSpaceId": 9, "fields": {}}
 ]
}`

var (
	alice = map[string]string{"X-Cybozu-Authorization": pw("alice", "pw")}
	bob   = map[string]string{"X-Cybozu-Authorization": pw("bob", "pw")}
)

// extClock is the fixed time of the ext tests.
var extClock = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

// newExt builds a fresh server on extFixture.
func newExt(t *testing.T, opts kintonesim.Options) *kintonesim.Server {
	t.Helper()
	f, err := kintonesim.ParseFixture([]byte(extFixture))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now == nil {
		opts.Now = extClock
	}
	return newServer(t, f, opts)
}

// ja adds Accept-Language: ja to headers.
func ja(h map[string]string) map[string]string {
	out := map[string]string{"Accept-Language": "ja"}
	for k, v := range h {
		out[k] = v
	}
	return out
}

// wantBody checks a 200 answer whose JSON equals want.
func wantBody(t *testing.T, r resp, want string) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	var got, exp any
	if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
		t.Fatalf("bad JSON %q: %v", r.raw, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("body\n got %s\nwant %s", strings.TrimSpace(r.raw), want)
	}
}

// wantErr checks an error answer and its message and error keys.
func wantErr(t *testing.T, r resp, status int, code, message string, keys ...string) {
	t.Helper()
	wantError(t, r, status, code)
	if message != "" && r.body["message"] != message {
		t.Errorf("message %q, want %q", r.body["message"], message)
	}
	errs, _ := r.body["errors"].(map[string]any)
	if len(errs) != len(keys) {
		t.Errorf("errors %v, want keys %v", errs, keys)
	}
	for _, k := range keys {
		if errs[k] == nil {
			t.Errorf("no error for %s: %s", k, r.raw)
		}
	}
}

// field returns one field's value of a record.json answer.
func recordField(t *testing.T, s *kintonesim.Server, app, id, code string) any {
	t.Helper()
	r := call(t, s, "GET", "/k/v1/record.json?app="+app+"&id="+id, nil, alice)
	wantOK(t, r)
	return val(r.body["record"].(map[string]any), code)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
