package bridge

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// connectWait opens a connection, waiting as long as it takes.
func connectWait(connStr string) (int64, error) {
	reply, err := Connect(connStr, "", -1)
	if err != nil {
		return 0, err
	}
	var r struct {
		Conn  int64 `json:"conn"`
		Ready bool  `json:"ready"`
	}
	if err := json.Unmarshal([]byte(reply), &r); err != nil || !r.Ready {
		return 0, kerr.New(kerr.KindInternal, "bad Connect reply %s (%v)", reply, err)
	}
	return r.Conn, nil
}

// replyRows are the rows of a StmtFetch reply, which come column by column.
func replyRows(t *testing.T, reply string) [][]any {
	t.Helper()
	var r struct {
		Rows    int
		Columns [][]any
	}
	if err := json.Unmarshal([]byte(reply), &r); err != nil {
		t.Fatalf("bad reply %s: %v", reply, err)
	}
	rows := make([][]any, r.Rows)
	for i := range rows {
		rows[i] = make([]any, len(r.Columns))
		for j, col := range r.Columns {
			rows[i][j] = col[i]
		}
	}
	return rows
}

// execReply is the reply of Execute, ExecuteMany and StmtWait.
type execReply struct {
	Stmt        int64             `json:"stmt"`
	Ready       bool              `json:"ready"`
	Description []json.RawMessage `json:"description"`
	Rowcount    int64             `json:"rowcount"`
	Events      int               `json:"events"`
}

func parseExec(reply string, err error) (execReply, error) {
	var r execReply
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(reply), &r); err != nil {
		return r, kerr.New(kerr.KindInternal, "bad reply %s (%v)", reply, err)
	}
	return r, nil
}

// executeWait runs a statement to completion and returns its handle.
func executeWait(h int64, sql, params string) (int64, error) {
	r, err := parseExec(Execute(h, sql, params, -1))
	return r.Stmt, err
}

func sampleConn(t *testing.T) (int64, int64) {
	t.Helper()
	return connectedSim(t, 10)
}

// connectedSim starts a simulator with orders sample records and connects to it.
func connectedSim(t *testing.T, orders int) (int64, int64) {
	t.Helper()
	sh, info := startSim(t, orders)
	c, err := connectWait("Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ConnClose(c) })
	return sh, c
}

// TestBoundedWaits: with a slow kintone, Execute and StmtFetch answer "not ready" within their
// wait, and the work they started goes on to the same result.
func TestBoundedWaits(t *testing.T) {
	sh, c := sampleConn(t)
	rule := `{"path": "/k/v1/records.json", "times": -1, "delayMs": 300}`
	if err := SimAddFault(sh, rule); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	r, err := parseExec(Execute(c, "SELECT Id FROM Deals WHERE Id <= 3 ORDER BY Id", "[]", 20))
	if err != nil {
		t.Fatal(err)
	}
	if r.Ready || time.Since(t0) > 250*time.Millisecond {
		t.Fatalf("Execute waited %v for a 300 ms request and answered %+v", time.Since(t0), r)
	}
	if _, err := StmtFetch(r.Stmt, 10, -1); classOf(err) != InterfaceError {
		t.Errorf("fetch before the execution finished: %v", err)
	}
	polls := 0
	for !r.Ready {
		polls++
		if r, err = parseExec(StmtWait(r.Stmt, 20)); err != nil {
			t.Fatal(err)
		}
	}
	if polls < 2 || len(r.Description) != 1 {
		t.Errorf("after %d polls: %+v", polls, r)
	}
	rows, err := StmtFetch(r.Stmt, 10, -1)
	if err != nil || !strings.HasPrefix(rows, `{"rows":3,"columns":[[1,2,3]],"shapes":["int"],"done":true,"ready":true`) {
		t.Errorf("rows: %s %v", rows, err)
	}
}

// TestNextBatchIsReadAhead: once a batch is handed over, the next is read meanwhile, so a
// later call finds it ready at once, even with kintone slow by then; the rows are those of
// reading batch after batch.
func TestNextBatchIsReadAhead(t *testing.T) {
	sh, c := connectedSim(t, 1200)
	s, err := executeWait(c, "SELECT Id FROM [受注明細 Orders] ORDER BY Id", "[]")
	if err != nil {
		t.Fatal(err)
	}
	if err := SimAddFault(sh, `{"path": "/k/v1/records.json", "times": -1, "delayMs": 300}`); err != nil {
		t.Fatal(err)
	}
	var ids [][]any
	first, err := StmtFetch(s, 400, -1)
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, replyRows(t, first)...)
	time.Sleep(time.Second)
	t0 := time.Now()
	second, err := StmtFetch(s, 400, 0)
	if err != nil || !strings.Contains(second, `"ready":true`) || time.Since(t0) > 100*time.Millisecond {
		t.Fatalf("the second batch was not read ahead: %.200s %v", second, err)
	}
	ids = append(ids, replyRows(t, second)...)
	for !strings.Contains(second, `"done":true`) {
		if second, err = StmtFetch(s, 400, -1); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, replyRows(t, second)...)
	}
	if len(ids) != 1200 || ids[0][0] != 1.0 || ids[1199][0] != 1200.0 {
		t.Errorf("%d rows, from %v to %v", len(ids), ids[0], ids[len(ids)-1])
	}
}

// TestCancel: StmtCancel from another goroutine stops a statement waiting for kintone with a
// "cancelled" OperationalError; the connection stays usable. ConnCancel does the same for
// every statement of the connection.
func TestCancel(t *testing.T) {
	sh, c := sampleConn(t)
	if err := SimAddFault(sh, `{"path": "/k/v1/records.json", "times": 1, "delayMs": 5000}`); err != nil {
		t.Fatal(err)
	}
	r, err := parseExec(Execute(c, "SELECT Id FROM Deals", "[]", 0))
	if err != nil || r.Ready {
		t.Fatalf("%+v %v", r, err)
	}
	time.AfterFunc(50*time.Millisecond, func() { StmtCancel(r.Stmt) })
	t0 := time.Now()
	_, err = StmtWait(r.Stmt, -1)
	if classOf(err) != OperationalError || kerr.KindOf(err) != kerr.KindCancelled || time.Since(t0) > 2*time.Second {
		t.Fatalf("after %v: %v", time.Since(t0), err)
	}
	if _, err := StmtWait(r.Stmt, 0); err == nil {
		t.Error("a failed statement is released")
	}
	// ConnCancel, during a fetch.
	if err := SimAddFault(sh, `{"path": "/k/v1/records.json", "times": 1, "delayMs": 5000}`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err = executeWait(c, "SELECT Id FROM Deals", "[]")
	}()
	time.Sleep(100 * time.Millisecond)
	ConnCancel(c)
	wg.Wait()
	if kerr.KindOf(err) != kerr.KindCancelled {
		t.Errorf("ConnCancel: %v", err)
	}
	s, err := executeWait(c, "SELECT COUNT(*) FROM Deals", "[]")
	if err != nil {
		t.Fatalf("the connection is usable after a cancel: %v", err)
	}
	StmtClose(s)
}

// TestCloseWhileRunning: closing a running statement or connection returns at once.
func TestCloseWhileRunning(t *testing.T) {
	sh, c := sampleConn(t)
	if err := SimAddFault(sh, `{"path": "/k/v1/records.json", "times": 1, "delayMs": 5000}`); err != nil {
		t.Fatal(err)
	}
	r, err := parseExec(Execute(c, "SELECT Id FROM Deals", "[]", 0))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	StmtClose(r.Stmt)
	ConnClose(c)
	if time.Since(t0) > time.Second {
		t.Errorf("closing took %v", time.Since(t0))
	}
	if _, err := StmtWait(r.Stmt, 0); classOf(err) != InterfaceError {
		t.Errorf("closed statement: %v", err)
	}
}

// TestExecuteMany: one call runs every parameter row; the row counts are summed; a statement
// returning rows is refused; an error stops at its row and keeps the earlier rows' effects.
func TestExecuteMany(t *testing.T) {
	_, c := sampleConn(t)
	if _, err := executeWait(c, "CREATE TEMP TABLE t (a INTEGER PRIMARY KEY, b TEXT)", "[]"); err != nil {
		t.Fatal(err)
	}
	r, err := parseExec(ExecuteMany(c, "INSERT INTO t VALUES (?, ?)", `[[["int","1"],["text","x"]],[["int","2"],["null",null]],[["int","3"],["text","z"]]]`, -1))
	if err != nil || !r.Ready || r.Rowcount != 3 || r.Description != nil {
		t.Fatalf("%+v %v", r, err)
	}
	_, err = parseExec(ExecuteMany(c, "INSERT INTO t VALUES (?, 'dup')", `[[["int","4"]],[["int","1"]],[["int","5"]]]`, -1))
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("duplicate key: %v", err)
	}
	if _, err = parseExec(ExecuteMany(c, "SELECT ?", `[[["int","1"]]]`, -1)); classOf(err) != ProgrammingError {
		t.Errorf("SELECT: %v", err)
	}
	s, _ := executeWait(c, "SELECT group_concat(a) FROM t", "[]")
	if rows, _ := StmtFetch(s, 5, -1); !strings.HasPrefix(rows, `{"rows":1,"columns":[["1,2,3,4"]]`) {
		t.Errorf("rows: %s", rows)
	}
	if r, err := parseExec(ExecuteMany(c, "DELETE FROM t WHERE a = ?", `[]`, -1)); err != nil || r.Rowcount != 0 {
		t.Errorf("no rows: %+v %v", r, err)
	}
	if _, err := ExecuteMany(c, "DELETE FROM t WHERE a = ?", `[[["int"]]]`, -1); classOf(err) != InterfaceError {
		t.Errorf("bad row: %v", err)
	}
}

// drained is what ConnDrain answers.
type drained struct {
	Warnings []string
	Logs     []struct {
		Level, Logger, Message string
		Time                   float64
	}
}

func drain(t *testing.T, c int64, wanted string) drained {
	t.Helper()
	d, err := ConnDrain(c, wanted)
	var ev drained
	if err != nil || json.Unmarshal([]byte(d), &ev) != nil {
		t.Fatalf("drain: %s %v", d, err)
	}
	return ev
}

// TestDrainEvents: log records are recorded only once asked for, counted in replies and
// drained once.
func TestDrainEvents(t *testing.T) {
	_, c := sampleConn(t)
	s, _ := executeWait(c, "SELECT Id FROM Deals LIMIT 1", "[]") // one request, no read-ahead
	StmtClose(s)
	if d, err := ConnDrain(c, ""); err != nil || d != `{"warnings":[],"logs":[]}` {
		t.Errorf("nothing wanted: %s %v", d, err)
	}
	if _, err := ConnDrain(c, `{"log_level": 10}`); err != nil {
		t.Fatal(err)
	}
	r, err := parseExec(Execute(c, "SELECT Id FROM Deals WHERE Id > 5 LIMIT 3", "[]", -1))
	if err != nil || r.Events < 2 {
		t.Fatalf("%+v %v", r, err)
	}
	StmtClose(r.Stmt)
	ev := drain(t, c, `{"log_level": 30}`)
	var http, pushdown []string
	for _, l := range ev.Logs {
		if l.Level != "DEBUG" || l.Time < 1e9 {
			t.Errorf("log record %+v", l)
		}
		switch l.Logger {
		case "cdata_kintone.http":
			http = append(http, l.Message)
		case "cdata_kintone.pushdown":
			pushdown = append(pushdown, l.Message)
		default:
			t.Errorf("log record %+v", l)
		}
	}
	// Verbosity 1: what was asked for, never the values of conditions.
	if len(http) != 1 || !strings.HasPrefix(http[0], "GET /k/v1/records.json (app 2) -> HTTP 200 in ") ||
		!strings.HasSuffix(http[0], " ms, 3 records; fields $id") {
		t.Errorf("HTTP records %q", http)
	}
	if len(pushdown) != 1 || pushdown[0] != `Deals: sends "Id" >; LIMIT 3` {
		t.Errorf("pushdown records %q", pushdown)
	}
	if d, _ := ConnDrain(c, ""); d != `{"warnings":[],"logs":[]}` {
		t.Errorf("not drained: %s", d)
	}
	if _, err := ConnDrain(c, `{"log_level": "x"}`); classOf(err) != InterfaceError {
		t.Errorf("bad selection: %v", err)
	}
	if _, err := ConnDrain(c, `{"log_level": 10, "progress": true}`); classOf(err) != InterfaceError {
		t.Errorf("unknown selection: %v", err)
	}
}

// TestLogRecordsByVerbosity: a connection asked for DEBUG from Connect on records its opening;
// from Verbosity=3 on its records hold the kintone query and the values of the conditions.
func TestLogRecordsByVerbosity(t *testing.T) {
	_, info := startSampleSim(t)
	reply, err := Connect("Url="+info.URL+";User="+info.User+";Password="+info.Password+";Verbosity=3", `{"log_level": 10}`, -1)
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ Conn int64 }
	json.Unmarshal([]byte(reply), &r)
	defer ConnClose(r.Conn)
	s, err := executeWait(r.Conn, "SELECT Id FROM Deals WHERE Stage = 'Won' AND [Deal name] LIKE '%a%'", "[]")
	if err != nil {
		t.Fatal(err)
	}
	StmtClose(s)
	var messages []string
	for _, l := range drain(t, r.Conn, "").Logs {
		messages = append(messages, l.Logger+": "+l.Message)
		if strings.Contains(l.Message, info.Password) {
			t.Errorf("a record holds the password: %s", l.Message)
		}
	}
	all := strings.Join(messages, "\n")
	for _, want := range []string{
		"cdata_kintone.connection: connected to " + info.URL + " as " + info.User + " in ",
		"cdata_kintone.http: GET /k/v1/apps.json -> HTTP 200",
		`cdata_kintone.pushdown: Deals: kintone query "stage in (\"Won\") order by $id asc limit 500"`,
		`; query stage in ("Won") order by $id asc limit 500`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no record with %q in\n%s", want, all)
		}
	}
}

// TestTaskPanic: a panic on a task's goroutine becomes its error, not a crash.
func TestTaskPanic(t *testing.T) {
	tk := start(func() (int, error) { panic("boom") })
	tk.wait(-1)
	if classOf(tk.err) != InternalError || !strings.Contains(tk.err.Error(), "boom") {
		t.Errorf("%v", tk.err)
	}
}

// TestFetchErrorIsItself: a request that fails while rows are fetched (after the first page)
// fails the fetch with its own error, not as a cancellation (closing the failed statement
// cancels its context, which must not change what is reported).
func TestFetchErrorIsItself(t *testing.T) {
	sh, c := sampleConn(t)
	rule := `{"path": "/k/v1/records.json", "nth": 4, "status": 400, "code": "GAIA_IQ11", "message": "field gone"}`
	if err := SimAddFault(sh, rule); err != nil {
		t.Fatal(err)
	}
	s, err := executeWait(c, "SELECT Id FROM Deals", "[]")
	if err != nil {
		t.Fatal(err)
	}
	_, err = StmtFetch(s, 5000, -1)
	if kerr.KindOf(err) != kerr.KindAPIError || !strings.Contains(err.Error(), "field gone") {
		t.Errorf("err = %v, want kintone's GAIA_IQ11", err)
	}
}

// TestRepliesCarryRequests: every reply of a statement carries the requests it sent since the
// last one, with what they asked and received; the connection counts its requests per app.
func TestRepliesCarryRequests(t *testing.T) {
	_, c := sampleConn(t)
	type request struct {
		Method, Path, Query string
		App                 int64
		Fields              []string
		Records, Status     int
		Ms                  float64
	}
	var reply struct {
		Stmt     int64
		Requests []request
	}
	r, err := Execute(c, "SELECT Id FROM [受注明細 Orders_明細] WHERE Id > 0 LIMIT 2", "[]", -1)
	if err != nil || json.Unmarshal([]byte(r), &reply) != nil {
		t.Fatalf("%s %v", r, err)
	}
	if len(reply.Requests) != 2 || reply.Requests[0].Path != "/k/v1/app/form/fields.json" || reply.Requests[0].App != 3 {
		t.Fatalf("requests %+v", reply.Requests)
	}
	got := reply.Requests[1]
	if got.Method != "GET" || got.Path != "/k/v1/records.json" || got.App != 3 || got.Query != "order by $id asc limit 500" ||
		!reflect.DeepEqual(got.Fields, []string{"$id", "$revision", "items"}) || got.Records != 10 || got.Status != 200 || got.Ms <= 0 {
		t.Errorf("records request %+v", got)
	}
	rows, err := StmtFetch(reply.Stmt, 100, -1)
	if err != nil || strings.Contains(rows, `"requests"`) {
		t.Errorf("a fetch that sent nothing: %s %v", rows, err)
	}
	var info struct {
		Requests      int64            `json:"requests"`
		RequestsByApp map[string]int64 `json:"requests_by_app"`
		Logging       map[string]any   `json:"logging"`
	}
	i, _ := ConnInfo(c)
	if json.Unmarshal([]byte(i), &info) != nil || info.RequestsByApp["3"] != 2 || info.RequestsByApp["0"] != 1 || info.Requests != 3 {
		t.Errorf("info %s", i)
	}
	if !reflect.DeepEqual(info.Logging, map[string]any{"file": "", "verbosity": 1.0, "max_file_size": float64(100 << 20), "modules": nil, "level": 20.0}) {
		t.Errorf("logging %v", info.Logging)
	}
}

// TestExplainKintone: EXPLAIN KINTONE answers as a statement with rows, sending no request.
func TestExplainKintone(t *testing.T) {
	h, c := sampleConn(t)
	SimResetRequests(h)
	r, err := parseExec(Execute(c, "explain kintone SELECT Id FROM Deals WHERE Id = ?", `[["int", "7"]]`, -1))
	if err != nil || len(r.Description) != 7 {
		t.Fatalf("%+v %v", r, err)
	}
	reply, err := StmtFetch(r.Stmt, 10, -1)
	if err != nil {
		t.Fatal(err)
	}
	rows := replyRows(t, reply)
	if len(rows) != 1 || !reflect.DeepEqual(rows[0][2:], []any{"SCAN Deals", "Deals", "$id = 7 order by $id asc limit 500", `"Id" = 7`, nil}) {
		t.Errorf("rows %v", rows)
	}
	if log, _ := SimRequests(h); strings.Contains(log, "records.json") {
		t.Errorf("EXPLAIN read records: %s", log)
	}
}

// TestLogfileKeepsItsLevel: with a Logfile, the core records what the file gets (DEBUG from
// Verbosity 2 on) whatever Python's loggers want.
func TestLogfileKeepsItsLevel(t *testing.T) {
	_, info := startSampleSim(t)
	c, err := connectWait("Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password + ";Logfile=k.log;Verbosity=2")
	if err != nil {
		t.Fatal(err)
	}
	defer ConnClose(c)
	drain(t, c, `{"log_level": 40}`)
	s, err := executeWait(c, "SELECT Id FROM Deals LIMIT 1", "[]")
	if err != nil {
		t.Fatal(err)
	}
	StmtClose(s)
	loggers := map[string]bool{}
	for _, l := range drain(t, c, "").Logs {
		loggers[l.Logger] = true
	}
	if !loggers["cdata_kintone.http"] || !loggers["cdata_kintone.pushdown"] {
		t.Errorf("records of %v", loggers)
	}
}
