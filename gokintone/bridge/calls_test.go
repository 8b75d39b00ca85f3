package bridge

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// connectWait opens a connection, waiting as long as it takes.
func connectWait(connStr string) (int64, error) {
	reply, err := Connect(connStr, -1)
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
	sh, info := startSampleSim(t)
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
	if err != nil || !strings.HasPrefix(rows, `{"rows":[[1],[2],[3]],"done":true,"ready":true`) {
		t.Errorf("rows: %s %v", rows, err)
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
	if rows, _ := StmtFetch(s, 5, -1); !strings.HasPrefix(rows, `{"rows":[["1,2,3,4"]]`) {
		t.Errorf("rows: %s", rows)
	}
	if r, err := parseExec(ExecuteMany(c, "DELETE FROM t WHERE a = ?", `[]`, -1)); err != nil || r.Rowcount != 0 {
		t.Errorf("no rows: %+v %v", r, err)
	}
	if _, err := ExecuteMany(c, "DELETE FROM t WHERE a = ?", `[[["int"]]]`, -1); classOf(err) != InterfaceError {
		t.Errorf("bad row: %v", err)
	}
}

// TestDrainEvents: HTTP log records and progress events are recorded only once asked for,
// counted in replies and drained once.
func TestDrainEvents(t *testing.T) {
	_, c := sampleConn(t)
	s, _ := executeWait(c, "SELECT Id FROM Deals", "[]")
	StmtClose(s)
	if d, err := ConnDrain(c, ""); err != nil || d != `{"warnings":[],"logs":[],"progress":[]}` {
		t.Errorf("nothing wanted: %s %v", d, err)
	}
	if _, err := ConnDrain(c, `{"log_level": 10, "progress": true}`); err != nil {
		t.Fatal(err)
	}
	r, err := parseExec(Execute(c, "SELECT Id FROM Deals", "[]", -1))
	if err != nil || r.Events < 2 {
		t.Fatalf("%+v %v", r, err)
	}
	StmtClose(r.Stmt)
	d, err := ConnDrain(c, `{"log_level": 30, "progress": false}`)
	var ev struct {
		Logs []struct {
			Level, Logger, Message string
			Time                   float64
		}
		Progress []struct {
			Table    string
			Received int
		}
	}
	if err != nil || json.Unmarshal([]byte(d), &ev) != nil || len(ev.Logs) == 0 || len(ev.Progress) == 0 {
		t.Fatalf("drain: %s %v", d, err)
	}
	ok := false
	for _, l := range ev.Logs {
		if l.Level != "DEBUG" || l.Logger != "cdata_kintone.http" || l.Time < 1e9 {
			t.Errorf("log record %+v", l)
		}
		ok = ok || strings.Contains(l.Message, "GET /k/v1/records.json -> HTTP 200 in ")
	}
	if !ok {
		t.Errorf("no record of a records.json request: %+v", ev.Logs)
	}
	if p := ev.Progress[0]; p.Table != "Deals" || p.Received <= 0 {
		t.Errorf("progress %+v", p)
	}
	if d, _ := ConnDrain(c, ""); d != `{"warnings":[],"logs":[],"progress":[]}` {
		t.Errorf("not drained: %s", d)
	}
	if _, err := ConnDrain(c, `{"log_level": "x"}`); classOf(err) != InterfaceError {
		t.Errorf("bad selection: %v", err)
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
