package kclient

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// writesFixture is a domain for the write endpoints: app 1 with a FILE field and process
// management (Open → Doing → Done), a normal space 1 and a guest space 5 with app 2.
const writesFixture = `{
 "users": [{"code": "admin", "name": "Admin", "password": "pw"}, {"code": "sato", "name": "Sato", "password": "pw"}],
 "spaces": [
  {"id": 1, "name": "Team", "members": [{"entity": {"type": "USER", "code": "admin"}, "isAdmin": true}]},
  {"id": 5, "name": "Partners", "isGuest": true, "members": ["admin"]}
 ],
 "apps": [
  {"id": 1, "name": "Docs", "fields": {"title": {"type": "SINGLE_LINE_TEXT"}, "doc": {"type": "FILE"}},
   "apiTokens": [{"token": "docsfull", "view": true, "add": true, "edit": true, "delete": true}],
   "processManagement": {"enable": true,
    "states": {"Open": {"index": "0"}, "Doing": {"index": "1", "assignee": {"type": "ANY", "entities": [
      {"entity": {"type": "USER", "code": "admin"}}, {"entity": {"type": "USER", "code": "sato"}}]}}, "Done": {"index": "2"}},
    "actions": [{"name": "Start", "from": "Open", "to": "Doing"}, {"name": "Finish", "from": "Doing", "to": "Done"}]},
   "records": [{"title": {"value": "a"}}, {"title": {"value": "b"}}, {"title": {"value": "c"}}]},
  {"id": 2, "name": "Guest docs", "guestSpaceId": 5, "fields": {"title": {"type": "SINGLE_LINE_TEXT"}},
   "processManagement": {"enable": true, "states": {"Open": {"index": "0"}, "Done": {"index": "1"}},
    "actions": [{"name": "Finish", "from": "Open", "to": "Done"}]},
   "records": [{"title": {"value": "g"}}]}
 ]
}`

// newWritesSim starts a simulator on writesFixture and returns it with a password client
// (guest space 0: none) after edit.
func newWritesSim(t *testing.T, guest int64, edit func(*Config)) (*kintonesim.Server, *Client) {
	t.Helper()
	f, err := kintonesim.ParseFixture([]byte(writesFixture))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := kintonesim.New(f, kintonesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, sim.ServeHTTP)
	c := newClient(t, srv, func(cfg *Config) {
		cfg.User, cfg.Password, cfg.GuestSpaceID = "admin", "pw", guest
		if edit != nil {
			edit(cfg)
		}
	})
	return sim, c
}

// recordField returns a field value of a record, read with GET record.json.
func recordField(t *testing.T, c *Client, app, id int64, code string) any {
	t.Helper()
	var reply struct {
		Record map[string]struct {
			Value any `json:"value"`
		} `json:"record"`
	}
	if err := c.Do(context.Background(), Request{Method: "GET", Endpoint: "record", App: app,
		Params: map[string]any{"app": app, "id": id}}, &reply); err != nil {
		t.Fatal(err)
	}
	return reply.Record[code].Value
}

func wantKind(t *testing.T, err error, kind kerr.Kind, code string) {
	t.Helper()
	e := kerr.As(err)
	if e == nil || e.Kind != kind || e.Code != code {
		t.Fatalf("error %v, want kind %s code %q", err, kind, code)
	}
}

func TestUploadAndDownloadFile(t *testing.T) {
	sim, c := newWritesSim(t, 0, nil)
	ctx := context.Background()
	data := append([]byte("binary \x00\xff\n"), bytes.Repeat([]byte{0xab}, 5000)...)
	key, err := c.UploadFile(ctx, `報告 "final".bin`, "application/x-test", data)
	if err != nil {
		t.Fatal(err)
	}
	if l := sim.Requests(); l[len(l)-1].Path != "/k/v1/file.json" || l[len(l)-1].Status != 200 {
		t.Errorf("upload request %+v", l[len(l)-1])
	}
	// An upload key is not a download key.
	_, err = c.DownloadFile(ctx, key, 0)
	wantKind(t, err, kerr.KindAPIError, "GAIA_BL01")
	// Attached to a record, the file gets a download key that reads it back.
	var added struct {
		ID string `json:"id"`
	}
	if err := c.Do(ctx, Request{Method: "POST", Endpoint: "record", App: 1, Body: map[string]any{"app": 1,
		"record": map[string]any{"doc": map[string]any{"value": []any{map[string]any{"fileKey": key}}}}}}, &added); err != nil {
		t.Fatal(err)
	}
	files, _ := recordField(t, c, 1, 4, "doc").([]any)
	if len(files) != 1 {
		t.Fatalf("attachments %v", files)
	}
	att := files[0].(map[string]any)
	if att["name"] != `報告 "final".bin` || att["contentType"] != "application/x-test" {
		t.Errorf("attachment %v", att)
	}
	f, err := c.DownloadFile(ctx, att["fileKey"].(string), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Data, data) || f.ContentType != "application/x-test" {
		t.Errorf("downloaded %d bytes of %s", len(f.Data), f.ContentType)
	}
	// A file above the cap is refused, and the message holds none of it.
	_, err = c.DownloadFile(ctx, att["fileKey"].(string), 100)
	wantKind(t, err, kerr.KindLimit, "")
	if !strings.Contains(err.Error(), "larger than 100 bytes") || strings.Contains(err.Error(), "binary") {
		t.Errorf("cap error %v", err)
	}
	if _, err := c.DownloadFile(ctx, "", 0); err == nil {
		t.Error("an empty key was sent")
	}
	if _, err := c.UploadFile(ctx, "", "", data); err == nil {
		t.Error("a file without a name was sent")
	}
	// Uploads are writes: a lost reply is not sent again.
	sim.ResetRequests()
	sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/file.json", Status: 503, Code: "GAIA_TO04"})
	_, err = c.UploadFile(ctx, "x.txt", "", []byte("x"))
	wantKind(t, err, kerr.KindAPIError, "GAIA_TO04")
	// (Counting uploads only: the capped download above, which the client stopped reading, may
	// be logged after the reset.)
	n := 0
	for _, r := range sim.Requests() {
		if r.Method == "POST" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d upload requests", n)
	}
}

func TestUpdateStatusAndAssignees(t *testing.T) {
	_, c := newWritesSim(t, 0, nil)
	ctx := context.Background()
	rev, err := c.UpdateStatus(ctx, 1, StatusUpdate{ID: 1, Action: "Start", Assignee: "admin", Revision: 1})
	if err != nil || rev != 3 {
		t.Fatalf("revision %d, %v", rev, err)
	}
	if s := recordField(t, c, 1, 1, "ステータス"); s != "Doing" {
		t.Errorf("status %v", s)
	}
	if a, _ := recordField(t, c, 1, 1, "作業者").([]any); len(a) != 1 || a[0].(map[string]any)["code"] != "admin" {
		t.Errorf("assignees %v", a)
	}
	// A stale revision is kintone's conflict.
	_, err = c.UpdateStatus(ctx, 1, StatusUpdate{ID: 1, Action: "Finish", Revision: 1})
	wantKind(t, err, kerr.KindAPIError, "GAIA_CO02")

	revs, err := c.UpdateStatuses(ctx, 1, []StatusUpdate{{ID: 2, Action: "Start"}, {ID: 3, Action: "Start", Revision: -1}})
	if err != nil || len(revs) != 2 || revs[0] != (RecordRevision{2, 3}) || revs[1] != (RecordRevision{3, 3}) {
		t.Fatalf("revisions %v, %v", revs, err)
	}
	// All or nothing: record 2 cannot start again, so record 1 does not finish either.
	_, err = c.UpdateStatuses(ctx, 1, []StatusUpdate{{ID: 1, Action: "Finish"}, {ID: 2, Action: "Start"}})
	wantKind(t, err, kerr.KindAPIError, "GAIA_IL03")
	if s := recordField(t, c, 1, 1, "ステータス"); s != "Doing" {
		t.Errorf("status after a refused batch: %v", s)
	}
	if _, err := c.UpdateStatuses(ctx, 1, make([]StatusUpdate, MaxStatusUpdates+1)); err == nil {
		t.Error("101 records were sent")
	}

	rev, err = c.UpdateAssignees(ctx, 1, 1, []string{"admin", "sato"}, 3)
	if err != nil || rev != 4 {
		t.Fatalf("assignees revision %d, %v", rev, err)
	}
	if a, _ := recordField(t, c, 1, 1, "作業者").([]any); len(a) != 2 {
		t.Errorf("assignees %v", a)
	}
	if rev, err = c.UpdateAssignees(ctx, 1, 1, nil, 0); err != nil || rev != 5 {
		t.Fatalf("clearing: %d, %v", rev, err)
	}
	if a, _ := recordField(t, c, 1, 1, "作業者").([]any); len(a) != 0 {
		t.Errorf("assignees after clearing %v", a)
	}
	_, err = c.UpdateAssignees(ctx, 1, 1, []string{"admin"}, 1)
	wantKind(t, err, kerr.KindAPIError, "GAIA_CO02")
	if _, err := c.UpdateStatus(ctx, 0, StatusUpdate{ID: 1, Action: "Start"}); err == nil {
		t.Error("app 0 was sent")
	}
}

func TestThreadComments(t *testing.T) {
	sim, c := newWritesSim(t, 0, nil)
	ctx := context.Background()
	id, err := c.AddThreadComment(ctx, ThreadComment{Space: 1, Thread: 1, Text: "hello",
		Mentions: []Mention{{Code: "sato", Type: "USER"}}})
	if err != nil || id != 1 {
		t.Fatalf("comment %d, %v", id, err)
	}
	key, err := c.UploadFile(ctx, "notes.txt", "text/plain", []byte("notes"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err = c.AddThreadComment(ctx, ThreadComment{Space: 1, Thread: 1, Files: []ThreadFile{{FileKey: key}}}); err != nil || id != 2 {
		t.Fatalf("comment with a file %d, %v", id, err)
	}
	body := "<b>agenda</b>"
	if err := c.UpdateThread(ctx, ThreadUpdate{ID: 1, Body: &body}); err != nil {
		t.Fatal(err)
	}
	th, _ := sim.Thread(false, 1)
	if th.Body != body || len(th.Comments) != 2 || th.Comments[0].Text != "Sato \nhello" || th.Comments[1].Files[0] != "notes.txt" {
		t.Errorf("thread %+v", th)
	}
	name := "Renamed"
	wantKind(t, c.UpdateThread(ctx, ThreadUpdate{ID: 1, Name: &name}), kerr.KindAPIError, "CB_VA01")
	if err := c.UpdateThread(ctx, ThreadUpdate{ID: 1}); err == nil {
		t.Error("an empty update was sent")
	}
	_, err = c.AddThreadComment(ctx, ThreadComment{Space: 1, Thread: 2, Text: "x"})
	wantKind(t, err, kerr.KindAPIError, "GAIA_TH01")
	// Space APIs do not take API tokens.
	_, tc := newWritesSim(t, 0, func(cfg *Config) {
		cfg.User, cfg.Password, cfg.Tokens = "", "", []TokenPair{{1, "docsfull"}}
	})
	_, err = tc.AddThreadComment(ctx, ThreadComment{Space: 1, Thread: 1, Text: "x"})
	wantKind(t, err, kerr.KindAPIError, "GAIA_NO01")
}

func TestWritesInAGuestSpace(t *testing.T) {
	sim, c := newWritesSim(t, 5, nil)
	ctx := context.Background()
	if rev, err := c.UpdateStatus(ctx, 2, StatusUpdate{ID: 1, Action: "Finish"}); err != nil || rev != 3 {
		t.Fatalf("guest status %d, %v", rev, err)
	}
	if _, err := c.UpdateAssignees(ctx, 2, 1, nil, -1); err != nil {
		t.Fatal(err)
	}
	key, err := c.UploadFile(ctx, "g.txt", "", []byte("guest"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddThreadComment(ctx, ThreadComment{Space: 5, Thread: 5, Text: "guest", Files: []ThreadFile{{FileKey: key}}}); err != nil {
		t.Fatal(err)
	}
	body := "guest body"
	if err := c.UpdateThread(ctx, ThreadUpdate{ID: 5, Body: &body}); err != nil {
		t.Fatal(err)
	}
	for _, r := range sim.Requests() {
		if !strings.HasPrefix(r.Path, "/k/guest/5/v1/") || r.Status != 200 {
			t.Errorf("request %s %s: %d", r.Method, r.Path, r.Status)
		}
	}
	if th, _ := sim.Thread(true, 5); th.Body != body || len(th.Comments) != 1 {
		t.Errorf("guest thread %+v", th)
	}
	// The normal path does not reach the guest app.
	_, n := newWritesSim(t, 0, nil)
	_, err = n.UpdateStatus(ctx, 2, StatusUpdate{ID: 1, Action: "Finish"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "GAIA_IL23" {
		t.Errorf("normal path: %v", err)
	}
}

func TestWriteWithALostReply(t *testing.T) {
	sim, c := newWritesSim(t, 0, nil)
	ctx := context.Background()
	sim.AddFault(kintonesim.FaultRule{Method: "PUT", Path: "/k/v1/record/status.json", ResetAfterServe: true})
	_, err := c.UpdateStatus(ctx, 1, StatusUpdate{ID: 1, Action: "Start"})
	wantKind(t, err, kerr.KindNetwork, "")
	// The write took effect, and it was sent once: a write is never sent again.
	if s := recordField(t, c, 1, 1, "ステータス"); s != "Doing" {
		t.Errorf("status %v", s)
	}
	if l := sim.Requests(); len(l) != 2 || !l[0].Fault || l[0].Status != 200 {
		t.Errorf("requests %+v", l)
	}
}
