package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

const cursorPath = "/k/v1/records/cursor.json"

// newCursorFixture serves the sample data (2,000 deals, orders orders) to an engine with
// UseCursor set.
func newCursorFixture(t *testing.T, orders int) *fixture {
	t.Helper()
	return newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: orders}), Options{MaxRows: -1, UseCursor: true})
}

// requests counts the requests to path since the log was last reset, by method.
func (f *fixture) requests(path string) map[string]int {
	n := map[string]int{}
	for _, r := range f.sim.Requests() {
		if r.Path == path {
			n[r.Method]++
		}
	}
	return n
}

// openCursors is the number of cursors the simulator holds.
func (f *fixture) openCursors() int { return f.sim.Stats().OpenCursors }

// TestCursorScanSendsCursorRequests: with UseCursor a scan is one POST with the pushed query
// (without limit), then GETs of 500 records until kintone says no more, and no records.json;
// kintone deletes the cursor with its last page, so no DELETE is needed.
func TestCursorScanSendsCursorRequests(t *testing.T) {
	f := newCursorFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals WHERE Id = 1") // declares the table
	f.sim.ResetRequests()
	rows := f.query(t, "SELECT Id, Stage FROM Deals WHERE Id > 100")
	if len(rows) != 1900 || rows[0][0] != int64(101) || rows[1899][0] != int64(2000) {
		t.Fatalf("%d rows, first %v", len(rows), head(rows))
	}
	if got, want := f.requests(cursorPath), map[string]int{"POST": 1, "GET": 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("cursor requests %v, want %v", got, want)
	}
	if q := f.kintoneQueries("2"); len(q) != 0 {
		t.Errorf("records.json was read too: %q", q)
	}
	for _, r := range f.sim.Requests() {
		if r.Method == "POST" && r.Path == cursorPath {
			if r.Query != "$id > 100 order by $id asc" || fmt.Sprint(r.Params["size"]) != "500" {
				t.Errorf("cursor created with query %q, params %v", r.Query, r.Params)
			}
			if fields, _ := r.Params["fields"].([]any); len(fields) != 2 {
				t.Errorf("cursor fields %v, want the two columns used", r.Params["fields"])
			}
		}
	}
	if n := f.openCursors(); n != 0 {
		t.Errorf("%d cursors left open", n)
	}
}

// TestCursorAnswersAsIdPaging: UseCursor changes how records are read, never an answer.
func TestCursorAnswersAsIdPaging(t *testing.T) {
	f := newCursorFixture(t, 300)
	paging, err := Open(f.kc, Options{MaxRows: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { paging.Close() })
	byID := &fixture{sim: f.sim, eng: paging, kc: f.kc}
	for _, sql := range []string{
		"SELECT * FROM Deals",
		"SELECT Id, Amount FROM Deals WHERE Amount > 2500000 AND Stage = 'Won' ORDER BY Id DESC",
		"SELECT Id FROM Deals WHERE [Deal name] LIKE 'ERP%' LIMIT 7 OFFSET 3",
		"SELECT Id FROM Deals ORDER BY Id DESC LIMIT 600 OFFSET 450",
		"SELECT Id, Stage FROM Deals WHERE Id = 1234",
		"SELECT Stage, count(*), sum(Amount) FROM Deals WHERE Id <= 1500 GROUP BY Stage ORDER BY Stage",
		`SELECT * FROM "受注明細 Orders_明細" WHERE RecordId < 200`,
		"SELECT d.Id, c.業種 FROM Deals d JOIN 顧客リスト c ON c.Id = d.Id % 50 + 1 WHERE d.Id <= 400",
		"SELECT a.Id, (SELECT count(*) FROM Deals b WHERE b.Amount + 0 >= a.Amount) FROM Deals a WHERE a.Id <= 4 ORDER BY a.Id",
	} {
		want := byID.query(t, sql)
		if got := f.query(t, sql); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d rows through cursors, %d by id paging; first %v and %v", sql, len(got), len(want), head(got), head(want))
		}
	}
	if n := f.openCursors(); n != 0 {
		t.Errorf("%d cursors left open", n)
	}
}

// TestCursorNotForOneRequest: a LIMIT within one page and an Id lookup are one records.json
// request, as without UseCursor; a LIMIT beyond one page reads through a cursor.
func TestCursorNotForOneRequest(t *testing.T) {
	f := newCursorFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals WHERE Id = 1")
	for sql, records := range map[string]int{
		"SELECT * FROM Deals LIMIT 10":            1,
		"SELECT * FROM Deals LIMIT 10 OFFSET 490": 1,
		"SELECT * FROM Deals WHERE Id = 1234":     1,
		"SELECT * FROM Deals LIMIT 10 OFFSET 491": 0,
		"SELECT * FROM Deals LIMIT 501":           0,
	} {
		f.sim.ResetRequests()
		f.query(t, sql)
		cursors := f.requests(cursorPath)["POST"]
		if n := len(f.kintoneQueries("2")); n != records || cursors != 1-records {
			t.Errorf("%s: %d records.json requests and %d cursors", sql, n, cursors)
		}
	}
}

// TestCursorDeletedWhenScanStopsEarly: a LIMIT met and a statement closed before it is read to
// the end each delete the cursor. (A connection closes its statements: tests/test_use_cursor.py.)
func TestCursorDeletedWhenScanStopsEarly(t *testing.T) {
	f := newCursorFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals WHERE Id = 1")
	f.sim.ResetRequests()
	if rows := f.query(t, "SELECT Id FROM Deals LIMIT 700"); len(rows) != 700 {
		t.Fatalf("%d rows", len(rows))
	}
	if got := f.requests(cursorPath); got["POST"] != 1 || got["DELETE"] != 1 || f.openCursors() != 0 {
		t.Errorf("LIMIT met: %v, %d cursors open", got, f.openCursors())
	}

	f.sim.ResetRequests()
	s, err := f.eng.Execute(context.Background(), "SELECT * FROM Deals", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rows, _, err := s.Fetch(10); err != nil || len(rows) != 10 {
		t.Fatalf("fetch: %d rows, %v", len(rows), err)
	}
	if n := f.openCursors(); n != 1 {
		t.Fatalf("%d cursors open while the statement is read", n)
	}
	s.Close()
	if got := f.requests(cursorPath); got["DELETE"] != 1 || f.openCursors() != 0 {
		t.Errorf("statement closed: %v, %d cursors open", got, f.openCursors())
	}
}

// TestCursorDeletedOnCancel: cancelling a statement while a page read waits deletes the cursor.
func TestCursorDeletedOnCancel(t *testing.T) {
	f := newCursorFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals WHERE Id = 1")
	f.sim.AddFault(kintonesim.FaultRule{Method: "GET", Path: cursorPath, Nth: 2, Delay: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := f.eng.Execute(ctx, "SELECT * FROM Deals", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.AfterFunc(100*time.Millisecond, cancel)
	began := time.Now()
	_, _, err = s.Fetch(2000)
	if err == nil || time.Since(began) > 5*time.Second {
		t.Fatalf("fetch after cancel: %v after %v", err, time.Since(began))
	}
	if n := f.openCursors(); n != 0 {
		t.Errorf("%d cursors open after the cancel", n)
	}
}

// TestCursorReadNotRetried: a page read that fails after rows were handed on is not sent again
// (its reply may have been lost after kintone moved the cursor on): the scan fails, saying so,
// and deletes the cursor.
func TestCursorReadNotRetried(t *testing.T) {
	for name, rule := range map[string]kintonesim.FaultRule{
		"503":        {Status: 503, Code: "GAIA_TO04"},
		"lost reply": {ResetAfterServe: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newCursorFixture(t, 100)
			f.query(t, "SELECT 1 FROM Deals WHERE Id = 1")
			f.sim.ResetRequests()
			rule.Method, rule.Path, rule.Nth = "GET", cursorPath, 2
			f.sim.AddFault(rule)
			_, err := f.try("SELECT * FROM Deals")
			if err == nil || !strings.Contains(err.Error(), "reading table Deals through a kintone cursor failed after 500 records") ||
				!strings.Contains(err.Error(), "never sent again") {
				t.Fatalf("error %v", err)
			}
			if got := f.requests(cursorPath); got["GET"] != 2 || got["DELETE"] != 1 || f.openCursors() != 0 {
				t.Errorf("requests %v, %d cursors open", got, f.openCursors())
			}
		})
	}
}

// TestCursorStartsOverBeforeAnyRow: a transient failure of the first page read starts the scan
// over once with a new cursor (the first deleted); a second one fails the scan.
func TestCursorStartsOverBeforeAnyRow(t *testing.T) {
	defer func(d time.Duration) { cursorRestartDelay = d }(cursorRestartDelay)
	cursorRestartDelay = 0
	f := newCursorFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals WHERE Id = 1")
	f.sim.ResetRequests()
	f.sim.AddFault(kintonesim.FaultRule{Method: "GET", Path: cursorPath, ResetAfterServe: true})
	rows := f.query(t, "SELECT Id FROM Deals")
	if len(rows) != 2000 || rows[0][0] != int64(1) {
		t.Fatalf("%d rows, first %v", len(rows), head(rows))
	}
	if got, want := f.requests(cursorPath), map[string]int{"POST": 2, "GET": 5, "DELETE": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}

	f.sim.ClearFaults()
	f.sim.ResetRequests()
	f.sim.AddFault(kintonesim.FaultRule{Method: "GET", Path: cursorPath, Times: 2, Status: 503, Code: "GAIA_TO04"})
	if _, err := f.try("SELECT Id FROM Deals"); err == nil || !strings.Contains(err.Error(), "failed after 0 records") {
		t.Fatalf("error %v", err)
	}
	if got := f.requests(cursorPath); got["POST"] != 2 || got["GET"] != 2 || f.openCursors() != 0 {
		t.Errorf("requests %v, %d cursors open", got, f.openCursors())
	}
}

// TestCursorLimitFallsBack: when another client holds the domain's ten cursors, a scan reads
// by id at once, with a warning, and uses a cursor again once one is free.
func TestCursorLimitFallsBack(t *testing.T) {
	f := newCursorFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals WHERE Id = 1")
	var held []string
	for range 10 {
		c, err := f.kc.CreateCursor(context.Background(), 2, "", nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c.ID)
	}
	f.eng.Warnings()
	f.sim.ResetRequests()
	if rows := f.query(t, "SELECT Id FROM Deals WHERE Id > 10"); len(rows) != 1990 {
		t.Fatalf("%d rows", len(rows))
	}
	if got := f.requests(cursorPath); got["POST"] != 1 || got["GET"] != 0 || len(f.kintoneQueries("2")) == 0 {
		t.Errorf("cursor requests %v, records.json %d", got, len(f.kintoneQueries("2")))
	}
	if w := strings.Join(f.eng.Warnings(), "\n"); !strings.Contains(w, "GAIA_TM12") || !strings.Contains(w, "reads by record id") {
		t.Errorf("warnings %q", w)
	}
	if err := f.kc.DeleteCursor(context.Background(), 2, held[0]); err != nil {
		t.Fatal(err)
	}
	f.sim.ResetRequests()
	f.query(t, "SELECT Id FROM Deals WHERE Id > 10")
	if got := f.requests(cursorPath); got["POST"] != 1 || got["GET"] != 4 || len(f.kintoneQueries("2")) != 0 {
		t.Errorf("with a cursor free: %v, records.json %d", got, len(f.kintoneQueries("2")))
	}
}

// TestCursorExplained: EXPLAIN KINTONE shows the cursor's query and says it is read through one.
func TestCursorExplained(t *testing.T) {
	f := newCursorFixture(t, 100)
	rows, err := f.eng.Explain(context.Background(), "SELECT Id FROM Deals WHERE Id > 5", nil)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range rows {
		if r[4] == "$id > 5 order by $id asc" && strings.Contains(r[5].(string), throughCursor) {
			found = true
		}
	}
	if !found || f.sim.Stats().ByEndpoint["POST "+cursorPath] != 0 {
		t.Errorf("explained %v", rows)
	}
}
