package bridge

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// procFixture is a domain for the kintone procedures: app 1 with one attachment field and
// process management (Open → Doing → Done; an action's name with a comma), space 1 and guest space 5 with app 2.
const procFixture = `{
 "users": [{"code": "admin", "name": "Admin", "password": "pw"}, {"code": "sato", "name": "Sato", "password": "pw"}],
 "spaces": [{"id": 1, "name": "Team", "members": [{"entity": {"type": "USER", "code": "admin"}, "isAdmin": true}]},
            {"id": 5, "name": "Partners", "isGuest": true, "members": ["admin"]}],
 "apps": [
  {"id": 1, "name": "Docs", "fields": {"title": {"type": "SINGLE_LINE_TEXT"}, "doc": {"type": "FILE"}},
   "processManagement": {"enable": true,
    "states": {"Open": {"index": "0"}, "Doing": {"index": "1", "assignee": {"type": "ANY", "entities": [
      {"entity": {"type": "USER", "code": "admin"}}, {"entity": {"type": "USER", "code": "sato"}}]}}, "Done": {"index": "2"}},
    "actions": [{"name": "Start, now", "from": "Open", "to": "Doing"}, {"name": "Begin", "from": "Open", "to": "Doing"},
                {"name": "Finish", "from": "Doing", "to": "Done"}]},
   "records": [{"title": {"value": "a"}}, {"title": {"value": "b"}}, {"title": {"value": "c"}}]},
  {"id": 2, "name": "Guest docs", "guestSpaceId": 5, "fields": {"title": {"type": "SINGLE_LINE_TEXT"}},
   "processManagement": {"enable": true, "states": {"Open": {"index": "0"}, "Done": {"index": "1"}},
    "actions": [{"name": "Finish", "from": "Open", "to": "Done"}]},
   "records": [{"title": {"value": "g"}}]}
 ]
}`

// procConn starts a simulator on procFixture and connects to it with extra properties.
func procConn(t *testing.T, extra string) (sim int64, conn int64) {
	t.Helper()
	sim, err := SimStart(procFixture, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SimStop(sim) })
	infoJSON, _ := SimInfo(sim)
	var info simInfo
	json.Unmarshal([]byte(infoJSON), &info)
	conn, err = connectWait("Url=" + info.URL + ";User=admin;Password=pw" + extra)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ConnClose(conn) })
	return sim, conn
}

// query runs sql with params (the wire form, "" for none) and returns its rows.
func query(t *testing.T, conn int64, sql, params string) ([][]any, error) {
	t.Helper()
	h, err := executeWait(conn, sql, params)
	if err != nil {
		return nil, err
	}
	reply, err := StmtFetch(h, 1000, -1)
	if err != nil {
		return nil, err
	}
	return replyRows(t, reply), nil
}

func mustQuery(t *testing.T, conn int64, sql, params string) [][]any {
	t.Helper()
	rows, err := query(t, conn, sql, params)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows
}

func TestKintoneProcedureBinding(t *testing.T) {
	bind := func(sql string, params ...any) (map[string]string, error) {
		name, args, _, err := parseExecute(sql)
		if err != nil {
			return nil, err
		}
		return bindExecute(lookupProcedure(name), args, params)
	}
	// A bytes value of FileData travels in base64; of another parameter it is refused.
	in, err := bind("EXECUTE UploadFile FileData = ?, FileName = 'a.bin'", []byte{0, 1, 255})
	if err != nil || in["FileData"] != base64.StdEncoding.EncodeToString([]byte{0, 1, 255}) {
		t.Errorf("bytes FileData: %v %v", in, err)
	}
	if _, err := bind("EXECUTE UploadFile FileName = ?", []byte("x")); err == nil || !strings.Contains(err.Error(), "must be text, not bytes") {
		t.Errorf("bytes FileName: %v", err)
	}
	// Positional values follow the declared order.
	in, err = bind("EXECUTE UpdateStatus '1', '2,3', 'Go', ?", "sato")
	if err != nil || in["AppId"] != "1" || in["RecordId"] != "2,3" || in["Action"] != "Go" || in["Assignee"] != "sato" {
		t.Errorf("positional: %v %v", in, err)
	}
	// Every procedure and parameter is listed, required ones marked.
	procs, params := ProcedureRows()
	names := map[string]bool{}
	for _, p := range procs {
		names[p[2].(string)] = true
	}
	for _, want := range []string{"UploadFile", "DownloadFile", "UpdateStatus", "UpdateAssignees", "AddThreadComment", "UpdateThread"} {
		if !names[want] {
			t.Errorf("sys_procedures lacks %s", want)
		}
	}
	found := false
	for _, p := range params {
		if p[2] == "DownloadFile" && p[3] == "FileKey" {
			found = strings.HasPrefix(p[8].(string), "Required.")
		}
	}
	if !found {
		t.Error("DownloadFile's FileKey is not listed as required")
	}
}

func TestKintoneProcedureErrors(t *testing.T) {
	_, conn := procConn(t, "")
	cases := []struct{ sql, want string }{
		{"EXECUTE DownloadFile", "DownloadFile needs parameter FileKey"},
		{"EXECUTE UpdateStatus AppId=1, RecordId='1,2', Action='a,b,c'", "3 values of Action for 2 records"},
		{"EXECUTE UpdateStatus AppId=1, RecordId='x', Action='Finish'", "RecordId must be a positive whole number"},
		{"EXECUTE UpdateStatus AppId=1, RecordId=1, Action='Finish', GuestSpaceId=5", "connect with GuestSpaceId=5"},
		{"EXECUTE UploadFile FileData='AAAA'", "needs FileName"},
		{"EXECUTE UploadFile FileData='not base64!', FileName='a'", "FileData is not base64"},
		{"EXECUTE UploadFile FileName='a'", "UploadFile needs the file"},
		{"EXECUTE UploadFile FullPath='/nonexistent/x', FileData='AA==', FileName='a'", "not both"},
		{"EXECUTE UploadFile FullPath='/nonexistent/x'", "cannot read FullPath"},
		{"EXECUTE UploadFile FileData='AA==', FileName='a', AttachToApp='yes'", "AttachToApp must be true or false"},
		{"EXECUTE UploadFile FileData='AA==', FileName='a', AttachToApp='true'", "needs AppId"},
		{"EXECUTE AddThreadComment SpaceId=1, ThreadId=1", "needs Text, Files or both"},
		{"EXECUTE AddThreadComment SpaceId=1, ThreadId=1, Text='x', Mentions='[{\"code\": 1}]'", "Mentions is not a JSON array"},
		{"EXECUTE UpdateThread ThreadId=1", "needs Name, Body or both"},
		{"EXECUTE GetOAuthAuthorizationURL", "needs a connection with AuthScheme=OAuth"},
	}
	for _, c := range cases {
		if _, err := query(t, conn, c.sql, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.sql, err, c.want)
		}
	}
}

func TestKintoneProceduresRun(t *testing.T) {
	sim, conn := procConn(t, "")
	// UploadFile from a path, attached to a new record of the app's only attachment field; the
	// record's download key reads the same bytes back, as data and into a file.
	data := []byte("file \x00\xff content")
	path := filepath.Join(t.TempDir(), "報告.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rows := mustQuery(t, conn, "EXECUTE UploadFile FullPath = ?, AttachToApp = 'true', AppId = 1", `[["text",`+quoteJSON(path)+`]]`)
	if len(rows) != 1 || rows[0][1] != "true" || rows[0][2] != "4" || rows[0][3] != "1" || rows[0][0] == "" {
		t.Fatalf("UploadFile: %v", rows)
	}
	att := mustQuery(t, conn, "SELECT doc FROM Docs WHERE Id = 4", "")
	var files []struct{ FileKey, Name string }
	json.Unmarshal([]byte(att[0][0].(string)), &files)
	if len(files) != 1 || files[0].Name != "報告.bin" {
		t.Fatalf("attachment %v", att)
	}
	rows = mustQuery(t, conn, "EXECUTE DownloadFile FileKey = ?", `[["text",`+quoteJSON(files[0].FileKey)+`]]`)
	if got, _ := base64.StdEncoding.DecodeString(rows[0][1].(string)); string(got) != string(data) || rows[0][0] != "true" {
		t.Errorf("DownloadFile: %v", rows)
	}
	out := filepath.Join(t.TempDir(), "out.bin")
	rows = mustQuery(t, conn, "EXECUTE DownloadFile FileKey = ?, DownloadLocation = ?",
		`[["text",`+quoteJSON(files[0].FileKey)+`],["text",`+quoteJSON(out)+`]]`)
	if got, _ := os.ReadFile(out); string(got) != string(data) || rows[0][1] != nil {
		t.Errorf("DownloadFile to %s: %q %v", out, got, rows)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("DownloadFile wrote %v %v, want an owner-only file", st, err)
	}

	// UpdateStatus: one record (an action's name may hold a comma), then two in one request.
	rows = mustQuery(t, conn, "EXECUTE UpdateStatus AppId = 1, RecordId = 1, Action = 'Start, now', Assignee = 'sato'", "")
	if len(rows) != 1 || rows[0][1] != "1" || rows[0][2] != "3" {
		t.Errorf("UpdateStatus: %v", rows)
	}
	rows = mustQuery(t, conn, "EXECUTE UpdateStatus AppId = 1, RecordId = '2, 3', Action = 'Begin', Revision = '1,-1'", "")
	if len(rows) != 2 || rows[0][1] != "2" || rows[1][1] != "3" || rows[1][2] != "3" {
		t.Errorf("UpdateStatus of two: %v", rows)
	}
	if s := mustQuery(t, conn, "SELECT count(*) FROM Docs WHERE ステータス = 'Doing'", ""); s[0][0] != float64(3) {
		t.Errorf("records in Doing: %v", s)
	}
	// UpdateAssignees, as a JSON array.
	rows = mustQuery(t, conn, `EXECUTE UpdateAssignees AppId = 1, RecordId = 1, Assignees = '["admin", "sato"]', Revision = 3`, "")
	if rows[0][2] != "4" {
		t.Errorf("UpdateAssignees: %v", rows)
	}
	// Threads.
	rows = mustQuery(t, conn, "EXECUTE AddThreadComment SpaceId = 1, ThreadId = 1, Text = 'hello', Mentions = 'sato'", "")
	if rows[0][0] != "true" || rows[0][1] != "1" {
		t.Errorf("AddThreadComment: %v", rows)
	}
	if rows := mustQuery(t, conn, "EXECUTE UpdateThread ThreadId = 1, Body = '<b>news</b>'", ""); rows[0][0] != "true" {
		t.Errorf("UpdateThread: %v", rows)
	}
	s, _ := getSim(sim)
	th, _ := s.rn.Server.Thread(false, 1)
	if th.Body != "<b>news</b>" || len(th.Comments) != 1 || th.Comments[0].Text != "Sato \nhello" {
		t.Errorf("thread %+v", th)
	}
}

func TestKintoneProceduresInAGuestSpace(t *testing.T) {
	sim, conn := procConn(t, ";GuestSpaceId=5")
	rows := mustQuery(t, conn, "EXECUTE UpdateStatus AppId = 2, RecordId = 1, Action = 'Finish', GuestSpaceId = '5'", "")
	if rows[0][2] != "3" {
		t.Errorf("UpdateStatus: %v", rows)
	}
	key := mustQuery(t, conn, "EXECUTE UploadFile FileData = 'aGk=', FileName = 'hi.txt'", "")[0][0].(string)
	mustQuery(t, conn, "EXECUTE AddThreadComment SpaceId = 5, ThreadId = 5, Files = ?", `[["text",`+quoteJSON(key)+`]]`)
	if _, err := query(t, conn, "EXECUTE UpdateThread ThreadId = 5, Body = 'x', GuestSpaceId = 1", ""); err == nil ||
		!strings.Contains(err.Error(), "differs from the connection's (5)") {
		t.Errorf("another guest space: %v", err)
	}
	s, _ := getSim(sim)
	if th, _ := s.rn.Server.Thread(true, 5); len(th.Comments) != 1 || th.Comments[0].Files[0] != "hi.txt" {
		t.Errorf("guest thread %+v", th)
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestLocalFilesProperty: LocalFiles=NONE refuses every local path of UploadFile and
// DownloadFile (FileData still works); LocalFiles=<folder> allows paths inside the folder
// only, also when a symbolic link or .. points out of it.
func TestLocalFilesProperty(t *testing.T) {
	allowed, outside := t.TempDir(), t.TempDir()
	inside := filepath.Join(allowed, "in.txt")
	secret := filepath.Join(outside, "secret.txt")
	for _, p := range []string{inside, secret} {
		if err := os.WriteFile(p, []byte("data"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(allowed, "link.txt")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(allowed, "out")); err != nil {
		t.Fatal(err)
	}
	upload := func(conn int64, path string) error {
		_, err := query(t, conn, "EXECUTE UploadFile FullPath = ?", `[["text",`+quoteJSON(path)+`]]`)
		return err
	}
	download := func(conn int64, path string) error {
		key := mustQuery(t, conn, "EXECUTE UploadFile FileData = 'ZGF0YQ==', FileName = 'd.txt', AttachToApp = 'true', AppId = 1", "")
		var files []struct{ FileKey string }
		att := mustQuery(t, conn, "SELECT doc FROM Docs WHERE Id = ?", `[["int","`+key[0][2].(string)+`"]]`)
		json.Unmarshal([]byte(att[0][0].(string)), &files)
		_, err := query(t, conn, "EXECUTE DownloadFile FileKey = ?, DownloadLocation = ?",
			`[["text",`+quoteJSON(files[0].FileKey)+`],["text",`+quoteJSON(path)+`]]`)
		return err
	}
	refused := func(err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one saying %q", err, want)
		}
	}

	_, none := procConn(t, ";LocalFiles=none")
	refused(upload(none, inside), "UploadFile: FullPath is refused: this connection has LocalFiles=NONE")
	refused(download(none, filepath.Join(allowed, "new.txt")), "DownloadFile: DownloadLocation is refused")

	_, confined := procConn(t, ";LocalFiles="+allowed)
	if err := upload(confined, inside); err != nil {
		t.Errorf("inside the folder: %v", err)
	}
	if err := download(confined, filepath.Join(allowed, "new.txt")); err != nil {
		t.Errorf("download inside the folder: %v", err)
	}
	for _, p := range []string{secret, link, filepath.Join(allowed, "..", filepath.Base(outside), "secret.txt"), filepath.Join(allowed, "out", "secret.txt")} {
		refused(upload(confined, p), "is outside the folder LocalFiles allows")
	}
	refused(download(confined, filepath.Join(allowed, "out", "new.txt")), "is outside the folder LocalFiles allows")
	if _, err := os.Stat(filepath.Join(outside, "new.txt")); err == nil {
		t.Errorf("a download was written outside the folder")
	}
}

// TestAppProcedures: CreateApp makes a preview app, DeployApps deploys it (and the app then
// lists as a table), AppsDeployStatus reports the deploy.
func TestAppProcedures(t *testing.T) {
	_, conn := procConn(t, "")
	rows := mustQuery(t, conn, "EXECUTE CreateApp Name = 'Trips'", "")
	if len(rows) != 1 || rows[0][1] != "2" || rows[0][0] == "" {
		t.Fatalf("CreateApp: %v", rows)
	}
	app := rows[0][0].(string)
	if rows := mustQuery(t, conn, "EXECUTE DeployApps AppId = ?, Revision = '2'", `[["text",`+quoteJSON(app)+`]]`); rows[0][0] != "true" {
		t.Errorf("DeployApps: %v", rows)
	}
	rows = mustQuery(t, conn, "EXECUTE AppsDeployStatus AppId = ?", `[["text",`+quoteJSON(app)+`]]`)
	if len(rows) != 1 || rows[0][0] != app || (rows[0][1] != "PROCESSING" && rows[0][1] != "SUCCESS") {
		t.Errorf("AppsDeployStatus: %v", rows)
	}
	if rows := mustQuery(t, conn, "SELECT Name FROM Apps WHERE AppId = ?", `[["text",`+quoteJSON(app)+`]]`); len(rows) != 1 || rows[0][0] != "Trips" {
		t.Errorf("the deployed app: %v", rows)
	}
	if _, err := executeWait(conn, "EXECUTE DeployApps AppId = '1, x'", "[]"); err == nil || !strings.Contains(err.Error(), "positive whole number") {
		t.Errorf("DeployApps with a bad id: %v", err)
	}
}
