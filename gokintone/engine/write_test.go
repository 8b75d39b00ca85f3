package engine

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// exec runs a statement to its end and returns it (closed).
func (f *fixture) exec(t *testing.T, sql string, args ...any) *Stmt {
	t.Helper()
	s, err := f.eng.Execute(context.Background(), sql, args)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	s.Close()
	return s
}

// writeRequests counts the write requests the simulator served since the log was reset, by
// path.
func (f *fixture) writeRequests() map[string]int {
	n := map[string]int{}
	for _, r := range f.sim.Requests() {
		if r.Method != "GET" {
			n[r.Method+" "+r.Path]++
		}
	}
	return n
}

func writeFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1, CheckRevision: true})
}

func TestInsertUpdateDelete(t *testing.T) {
	f := writeFixture(t)
	before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
	f.sim.ResetRequests()
	s := f.exec(t, "INSERT INTO Deals ([Deal name], Amount, Notes) VALUES ('a', 10, 'x'), ('b', 20.5, 'y'), (?, ?, NULL)", "c", int64(30))
	if s.RowsAffected() != 3 || len(s.InsertedIDs()) != 3 {
		t.Fatalf("rowcount %d, ids %v", s.RowsAffected(), s.InsertedIDs())
	}
	if got := f.writeRequests(); got["POST /k/v1/bulkRequest.json"] != 1 || len(got) != 1 {
		t.Errorf("requests %v", got)
	}
	ids := s.InsertedIDs()
	rows := f.query(t, "SELECT Id, [Deal name], Amount, Notes FROM Deals WHERE Id >= ? ORDER BY Id", ids[0])
	if head(rows) != head([][]any{{ids[0], "a", int64(10), "x"}, {ids[1], "b", 20.5, "y"}, {ids[2], "c", int64(30), nil}}) {
		t.Fatalf("inserted rows: %v", rows)
	}
	if n := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64); n != before+3 {
		t.Errorf("count %d, want %d", n, before+3)
	}
	f.sim.ResetRequests()
	s = f.exec(t, "UPDATE Deals SET Amount = Amount * 2 WHERE Id = ?", ids[0])
	if s.RowsAffected() != 1 {
		t.Errorf("update rowcount %d", s.RowsAffected())
	}
	if q := f.kintoneQueries("2"); len(q) != 1 || !strings.Contains(q[0], "$id") {
		t.Errorf("the UPDATE should read one record by id: %v", q)
	}
	if got := f.query(t, "SELECT Amount, Revision FROM Deals WHERE Id = ?", ids[0]); head(got) != head([][]any{{int64(20), int64(2)}}) {
		t.Errorf("after update: %v", got)
	}
	// An UPDATE that changes nothing sends nothing.
	f.sim.ResetRequests()
	f.exec(t, "UPDATE Deals SET Amount = Amount WHERE Id = ?", ids[0])
	if got := f.writeRequests(); len(got) != 0 {
		t.Errorf("unchanged rows were sent: %v", got)
	}
	s = f.exec(t, "DELETE FROM Deals WHERE Id IN (?, ?)", ids[1], ids[2])
	if s.RowsAffected() != 2 {
		t.Errorf("delete rowcount %d", s.RowsAffected())
	}
	if n := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64); n != before+1 {
		t.Errorf("count %d after delete, want %d", n, before+1)
	}
}

func TestExecuteManyBatches(t *testing.T) {
	f := writeFixture(t)
	rows := make([][]any, 10000)
	for i := range rows {
		rows[i] = []any{"deal", int64(i)}
	}
	f.sim.ResetRequests()
	s, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	if err != nil {
		t.Fatal(err)
	}
	if s.RowsAffected() != 10000 || len(s.InsertedIDs()) != 10000 {
		t.Fatalf("rowcount %d, %d ids", s.RowsAffected(), len(s.InsertedIDs()))
	}
	if got := f.writeRequests(); got["POST /k/v1/bulkRequest.json"] != 5 || len(got) != 1 {
		t.Errorf("10,000 rows should be 5 bulkRequests: %v", got)
	}
	ids := s.InsertedIDs()
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("ids not in row order: row %d has %d after %d", i, ids[i], ids[i-1])
		}
	}
	got := f.query(t, "SELECT Amount FROM Deals WHERE Id = ?", ids[9999])
	if head(got) != head([][]any{{int64(9999)}}) {
		t.Errorf("last row: %v", got)
	}
}

// TestPartialFailure: a failure of the second bulkRequest leaves the first committed and says
// so; re-running from first_uncommitted_index completes every row exactly once.
func TestPartialFailure(t *testing.T) {
	f := writeFixture(t)
	rows := make([][]any, 5000)
	for i := range rows {
		rows[i] = []any{"p" + strings.Repeat("x", i%3), int64(i)}
	}
	before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", Nth: 2, Status: 500, Code: "GAIA_DA02", Message: "busy"})
	_, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	e := kerr.As(err)
	if e == nil || e.Details == nil {
		t.Fatalf("error %v has no details", err)
	}
	wf := e.Details.(WriteFailure)
	if len(wf.CommittedIDs) != 2000 || wf.FirstUncommittedIndex != 2000 || wf.OutcomeUnknown {
		t.Fatalf("details %+v", wf)
	}
	if n := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64); n != before+2000 {
		t.Fatalf("count %d, want %d", n, before+2000)
	}
	if _, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows[wf.FirstUncommittedIndex:]); err != nil {
		t.Fatal(err)
	}
	got := f.query(t, "SELECT COUNT(*), COUNT(DISTINCT Amount), MIN(Amount), MAX(Amount) FROM Deals WHERE Id > ?", before)
	if head(got) != head([][]any{{int64(5000), int64(5000), int64(0), int64(4999)}}) {
		t.Errorf("after resuming: %v", got)
	}
}

// TestErrorAfterRowsSentAhead: an executemany sends full bulkRequests while its later rows
// run; an error in a later row says which rows were written, and re-running from
// first_uncommitted_index completes every row exactly once.
func TestErrorAfterRowsSentAhead(t *testing.T) {
	f := writeFixture(t)
	const sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
	for _, c := range []struct {
		name  string
		bad   []any
		field string
	}{
		{"a value the driver refuses", []any{"ahead", "not a number"}, "Amount"},
		{"a parameter row of the wrong length", []any{"ahead"}, ""},
	} {
		rows := make([][]any, 5000)
		for i := range rows {
			rows[i] = []any{"ahead", int64(i)}
		}
		rows[4500] = c.bad
		before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
		_, err := f.eng.ExecuteMany(context.Background(), sql, rows)
		e := kerr.As(err)
		if e == nil || e.Details == nil {
			t.Fatalf("%s: error %v has no details", c.name, err)
		}
		wf := e.Details.(WriteFailure)
		if len(wf.CommittedIDs) != 4000 || wf.FirstUncommittedIndex != 4000 || wf.Field != c.field ||
			!strings.Contains(e.Message, "4000 rows were written before it") {
			t.Fatalf("%s: details %+v (%v)", c.name, wf, err)
		}
		written := f.query(t, "SELECT Id FROM Deals WHERE Id > ? ORDER BY Id", before)
		if len(written) != 4000 || written[0][0] != wf.CommittedIDs[0] || written[3999][0] != wf.CommittedIDs[3999] {
			t.Fatalf("%s: %d records written, committed_ids %d…%d", c.name, len(written), wf.CommittedIDs[0], wf.CommittedIDs[3999])
		}
		rows[4500] = []any{"ahead", int64(4500)}
		if _, err := f.eng.ExecuteMany(context.Background(), sql, rows[wf.FirstUncommittedIndex:]); err != nil {
			t.Fatal(err)
		}
		got := f.query(t, "SELECT COUNT(*), COUNT(DISTINCT Amount), MIN(Amount), MAX(Amount) FROM Deals WHERE Id > ?", before)
		if head(got) != head([][]any{{int64(5000), int64(5000), int64(0), int64(4999)}}) {
			t.Errorf("%s: after resuming: %v", c.name, got)
		}
	}
}

// TestInsertSelectIsNotSentAhead: the rows of an executemany whose INSERT reads a table are
// all sent at the end, so that no row sees the records of the rows before it.
func TestInsertSelectIsNotSentAhead(t *testing.T) {
	// Every row's scan asks kintone (no table held in memory for the statement).
	f := newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1, FilterCallsBeforeCache: 1 << 30})
	rows := make([][]any, 2100)
	for i := range rows {
		rows[i] = []any{"seen"}
	}
	f.sim.ResetRequests()
	if _, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) SELECT ?, COUNT(*) FROM Deals WHERE [Deal name] = 'seen'", rows); err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, r := range f.sim.Requests() {
		switch r.Path {
		case "/k/v1/records.json":
			reads++
		case "/k/v1/bulkRequest.json":
			if reads != len(rows) {
				t.Fatalf("a bulkRequest was sent after %d of the %d rows' reads", reads, len(rows))
			}
		}
	}
	got := f.query(t, "SELECT COUNT(*), MIN(Amount), MAX(Amount) FROM Deals WHERE [Deal name] = 'seen'")
	if head(got) != head([][]any{{int64(len(rows)), int64(0), int64(0)}}) {
		t.Errorf("%v: no row should see the records of the rows before it", got)
	}
}

// TestValidationErrorNamesTheRow: a value the driver refuses, and kintone's validation error
// in the third request of a bulkRequest, both name the row and the column.
func TestValidationErrorNamesTheRow(t *testing.T) {
	f := writeFixture(t)
	rows := make([][]any, 300)
	for i := range rows {
		rows[i] = []any{"ok", int64(i)}
	}
	rows[217][1] = "not a number"
	_, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	check := func(err error, code string) {
		t.Helper()
		e := kerr.As(err)
		if e == nil || e.Details == nil || e.Code != code {
			t.Fatalf("%v", err)
		}
		wf := e.Details.(WriteFailure)
		if wf.RowIndex == nil || *wf.RowIndex != 217 || wf.Field != "Amount" || len(wf.CommittedIDs) != 0 || wf.FirstUncommittedIndex != 0 {
			t.Errorf("details %+v (%v)", wf, err)
		}
	}
	check(err, "")
	rows[217][1] = int64(217)
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", Status: 400, ContentType: "application/json",
		Body: `{"results":[{},{},{"code":"CB_VA01","id":"x","message":"Missing or invalid input.","errors":{"records[17].amount.value":{"messages":["Only numbers are allowed."]}}}]}`})
	_, err = f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	check(err, "CB_VA01")
}

// TestLostUpdate: a record changed by someone else between the UPDATE's scan and its write is
// refused (GAIA_CO02), not overwritten; with CheckRevision off it is overwritten.
func TestLostUpdate(t *testing.T) {
	for _, check := range []bool{true, false} {
		f := newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1, CheckRevision: check})
		id := f.query(t, "SELECT Id FROM Deals ORDER BY Id LIMIT 1")[0][0].(int64)
		// The write waits 300 ms in the simulator; meanwhile someone else changes the record.
		f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", Delay: 300 * time.Millisecond})
		done := make(chan error, 1)
		go func() {
			time.Sleep(100 * time.Millisecond)
			_, err := f.kc.Write(context.Background(), sample.DealsApp, kclient.WriteRequest{Method: "PUT", Endpoint: "record",
				Payload: map[string]any{"app": sample.DealsApp, "id": id, "record": map[string]any{"deal_name": map[string]any{"value": "someone else"}}}})
			done <- err
		}()
		_, err := f.eng.Execute(context.Background(), "UPDATE Deals SET Amount = 12345 WHERE Id = ?", []any{id})
		if werr := <-done; werr != nil {
			t.Fatal(werr)
		}
		got := f.query(t, "SELECT Amount, [Deal name] FROM Deals WHERE Id = ?", id)
		if check {
			if e := kerr.As(err); e == nil || e.Code != "GAIA_CO02" {
				t.Errorf("a lost update was not refused: %v", err)
			}
			if got[0][0] == int64(12345) || got[0][1] != "someone else" {
				t.Errorf("record after the refused update: %v", got)
			}
		} else if err != nil || got[0][0] != int64(12345) || got[0][1] != "someone else" {
			t.Errorf("CheckRevision off: %v, %v", err, got)
		}
	}
}

func TestWritesRefused(t *testing.T) {
	f := writeFixture(t)
	cases := map[string]string{
		"INSERT INTO Deals ([Deal name]) VALUES ('x') RETURNING Id":          "RETURNING",
		"INSERT OR REPLACE INTO Deals ([Deal name]) VALUES ('x')":            "OR REPLACE",
		"REPLACE INTO Deals ([Deal name]) VALUES ('x')":                      "OR REPLACE",
		"INSERT OR IGNORE INTO Deals ([Deal name]) VALUES ('x')":             "OR IGNORE",
		"UPDATE Deals SET Id = Id + 100000 WHERE Id = 1":                     "Id",
		"UPDATE Deals SET rowid = 5 WHERE Id = 1":                            "Id",
		"UPDATE Deals SET [Expected revenue] = 5 WHERE Id = 1":               "Expected revenue",
		"UPDATE Deals SET Revision = 5 WHERE Id = 1":                         "Revision",
		"INSERT INTO Deals (Id, [Deal name]) VALUES (99999, 'x')":            "Id",
		"INSERT INTO Deals ([Record number], [Deal name]) VALUES ('7', 'x')": "Record number",
	}
	for sql, want := range cases {
		f.sim.ResetRequests()
		_, err := f.eng.Execute(context.Background(), sql, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", sql, err)
		}
		if got := f.writeRequests(); len(got) != 0 {
			t.Errorf("%s: sent %v", sql, got)
		}
	}
}

// TestSubtableWrites: rows of a record's table are added, changed and deleted without touching
// its other rows; each record is sent once, with its whole table and its revision.
func TestSubtableWrites(t *testing.T) {
	f := writeFixture(t)
	const child = "[受注明細 Orders_明細]"
	q := func(id int64) string {
		rows := f.query(t, "SELECT Id, 商品, 数量, 単価, 小計 FROM "+child+" WHERE RecordId = ? ORDER BY Id", id)
		return head(rows)
	}
	rec := f.query(t, "SELECT RecordId, COUNT(*) FROM "+child+" GROUP BY RecordId HAVING COUNT(*) >= 2 ORDER BY RecordId LIMIT 1")
	id, n := rec[0][0].(int64), rec[0][1].(int64)
	rows := f.query(t, "SELECT Id FROM "+child+" WHERE RecordId = ? ORDER BY Id", id)
	first, second := rows[0][0].(int64), rows[1][0].(int64)
	others := f.query(t, "SELECT Id, 商品, 数量, 単価 FROM "+child+" WHERE RecordId = ? AND Id NOT IN (?, ?) ORDER BY Id", id, first, second)

	f.sim.ResetRequests()
	s := f.exec(t, "INSERT INTO "+child+" (RecordId, 商品, 数量, 単価) VALUES (?, 'new item', 3, 100), (?, 'second new', 1, 5)", id, id)
	if s.RowsAffected() != 2 {
		t.Errorf("insert rowcount %d", s.RowsAffected())
	}
	if got := f.writeRequests(); got["POST /k/v1/bulkRequest.json"] != 1 || len(got) != 1 {
		t.Errorf("requests %v", got)
	}
	s = f.exec(t, "UPDATE "+child+" SET 数量 = 数量 + 1 WHERE Id = ?", first)
	if s.RowsAffected() != 1 {
		t.Errorf("update rowcount %d", s.RowsAffected())
	}
	f.exec(t, "DELETE FROM "+child+" WHERE Id = ?", second)
	after := f.query(t, "SELECT 商品, 数量, 単価, 小計 FROM "+child+" WHERE RecordId = ? ORDER BY Id", id)
	if int64(len(after)) != n+1 {
		t.Fatalf("%d rows after, want %d: %s", len(after), n+1, q(id))
	}
	// The untouched rows keep their values (and their ids).
	kept := f.query(t, "SELECT Id, 商品, 数量, 単価 FROM "+child+" WHERE RecordId = ? AND Id NOT IN (?, ?) AND 商品 NOT LIKE '%new%' ORDER BY Id", id, first, second)
	if head(kept) != head(others) {
		t.Errorf("untouched rows changed:\n%s\nwant\n%s", head(kept), head(others))
	}
	last := after[len(after)-1]
	if last[0] != "second new" || last[3] == nil {
		t.Errorf("new row %v (小計 is computed by kintone)", last)
	}
	if _, err := f.eng.Execute(context.Background(), "INSERT INTO "+child+" (商品) VALUES ('orphan')", nil); err == nil ||
		!strings.Contains(err.Error(), "RecordId") {
		t.Errorf("a row without its record: %v", err)
	}
	if _, err := f.eng.Execute(context.Background(), "UPDATE "+child+" SET RecordId = RecordId + 1 WHERE Id = ?", []any{first}); err == nil {
		t.Error("moving a row to another record was accepted")
	}
}

// TestOutcomeUnknown: the connection breaks after kintone applied a bulkRequest: the error
// says the outcome is unknown and does not count those rows as committed; the updated ids it
// concerns are named.
func TestOutcomeUnknown(t *testing.T) {
	f := writeFixture(t)
	before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
	rows := make([][]any, 2500)
	for i := range rows {
		rows[i] = []any{"u", int64(i)}
	}
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", Nth: 2, ResetAfterServe: true})
	_, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	e := kerr.As(err)
	if e == nil || e.Details == nil {
		t.Fatalf("%v", err)
	}
	wf := e.Details.(WriteFailure)
	if !wf.OutcomeUnknown || len(wf.CommittedIDs) != 2000 || wf.FirstUncommittedIndex != 2000 || !strings.Contains(err.Error(), "not known") {
		t.Fatalf("details %+v: %v", wf, err)
	}
	// Here kintone did apply it: the first 2,000 and the 500 of the lost reply exist.
	if n := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64); n != before+2500 {
		t.Errorf("count %d, want %d", n, before+2500)
	}
	f.sim.ClearFaults()
	ids := f.query(t, "SELECT Id FROM Deals WHERE Amount < 2 AND [Deal name] = 'u' ORDER BY Id")
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", ResetAfterServe: true})
	_, err = f.eng.Execute(context.Background(), "UPDATE Deals SET Amount = Amount + 100 WHERE [Deal name] = 'u' AND Amount < 2", nil)
	e = kerr.As(err)
	if e == nil || e.Details == nil {
		t.Fatalf("%v", err)
	}
	wf = e.Details.(WriteFailure)
	if !wf.OutcomeUnknown || len(wf.UnknownIDs) != 2 || wf.UnknownIDs[0] != ids[0][0] || wf.UnknownIDs[1] != ids[1][0] {
		t.Errorf("details %+v", wf)
	}
}

// TestUpsert: UPSERT INTO and the T#UPSERT companion add or update, keyed by Id or by a unique
// field, as kintone upserts in one bulkRequest.
func TestUpsert(t *testing.T) {
	f := writeFixture(t)
	id := f.query(t, "SELECT Id FROM Deals ORDER BY Id LIMIT 1")[0][0].(int64)
	before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
	f.sim.ResetRequests()
	s := f.exec(t, "UPSERT INTO [Deals] (Id, [Deal name], Amount) VALUES (?, 'changed', 1), (99999999, 'added', 2)", id)
	if s.RowsAffected() != 2 || len(s.InsertedIDs()) != 1 || s.InsertedIDs()[0] == 99999999 {
		t.Fatalf("rowcount %d, inserted %v", s.RowsAffected(), s.InsertedIDs())
	}
	if got := f.writeRequests(); got["POST /k/v1/bulkRequest.json"] != 1 || len(got) != 1 {
		t.Errorf("requests %v", got)
	}
	if got := f.query(t, "SELECT [Deal name], Amount FROM Deals WHERE Id = ?", id); head(got) != head([][]any{{"changed", int64(1)}}) {
		t.Errorf("updated: %v", got)
	}
	if n := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64); n != before+1 {
		t.Errorf("count %d, want %d", n, before+1)
	}
	// Keyed by a unique field, through the companion table.
	orders := "[受注明細 Orders#UPSERT]"
	no := f.query(t, "SELECT 受注番号 FROM [受注明細 Orders] ORDER BY Id LIMIT 1")[0][0].(string)
	s, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO "+orders+" (受注番号, メモ) VALUES (?, ?)",
		[][]any{{no, "updated by key"}, {"NEW-0001", "new by key"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.InsertedIDs()) != 1 {
		t.Errorf("inserted %v", s.InsertedIDs())
	}
	got := f.query(t, "SELECT 受注番号, メモ FROM [受注明細 Orders] WHERE 受注番号 IN (?, 'NEW-0001') ORDER BY Id", no)
	if head(got) != head([][]any{{no, "updated by key"}, {"NEW-0001", "new by key"}}) {
		t.Errorf("by key: %v", got)
	}
	if _, err := f.eng.Execute(context.Background(), "INSERT INTO [Deals#UPSERT] SELECT * FROM Deals WHERE Id = 1", nil); err == nil ||
		!strings.Contains(err.Error(), "column list") {
		t.Errorf("no key: %v", err)
	}
}

// TestTempCompanion: T#TEMP gathers rows locally; INSERT … SELECT * copies them, NULL in Id
// and read-only columns meaning "not given".
func TestTempCompanion(t *testing.T) {
	f := writeFixture(t)
	// Stage is required: a NULL in a writable column is an empty value, not "not given".
	f.exec(t, "INSERT INTO [Deals#TEMP] ([Deal name], Amount, Stage) SELECT 't' || n, n, (SELECT Stage FROM Deals LIMIT 1) FROM (SELECT 1 AS n UNION ALL SELECT 2)")
	f.exec(t, "INSERT INTO [Deals#TEMP] ([Deal name], Amount, Stage) SELECT 't3', 3, Stage FROM Deals LIMIT 1")
	f.sim.ResetRequests()
	s := f.exec(t, "INSERT INTO Deals SELECT * FROM [Deals#TEMP]")
	if s.RowsAffected() != 3 || len(s.InsertedIDs()) != 3 {
		t.Fatalf("rowcount %d, ids %v", s.RowsAffected(), s.InsertedIDs())
	}
	if got := f.writeRequests(); got["POST /k/v1/bulkRequest.json"] != 1 || len(got) != 1 {
		t.Errorf("requests %v", got)
	}
	got := f.query(t, "SELECT [Deal name], Amount FROM Deals WHERE [Deal name] LIKE 't_' ORDER BY Id")
	if head(got) != head([][]any{{"t1", int64(1)}, {"t2", int64(2)}, {"t3", int64(3)}}) {
		t.Errorf("copied: %v", got)
	}
	f.exec(t, "UPDATE [Deals#TEMP] SET Id = 5")
	if _, err := f.eng.Execute(context.Background(), "INSERT INTO Deals SELECT * FROM [Deals#TEMP]", nil); err == nil || !strings.Contains(err.Error(), "Id") {
		t.Errorf("a non-NULL Id was accepted: %v", err)
	}
	// UPDATE … FROM the TEMP table.
	f.exec(t, "DELETE FROM [Deals#TEMP]")
	f.exec(t, "INSERT INTO [Deals#TEMP] ([Deal name], Amount) VALUES ('t1', 100)") // never sent: no Stage needed
	s = f.exec(t, "UPDATE Deals SET Amount = tmp.Amount FROM [Deals#TEMP] AS tmp WHERE Deals.[Deal name] = tmp.[Deal name]")
	if s.RowsAffected() != 1 {
		t.Errorf("update from: rowcount %d", s.RowsAffected())
	}
	if got := f.query(t, "SELECT Amount FROM Deals WHERE [Deal name] = 't1'"); head(got) != head([][]any{{int64(100)}}) {
		t.Errorf("after update from: %v", got)
	}
}

// TestCountIsOneRequest: SELECT COUNT(*) FROM t [WHERE …] is answered by kintone's
// totalCount, one request, when the whole WHERE is sent to kintone exactly, and agrees with a
// scan and with SQLite over a copy of the rows; anything else is a scan.
func TestCountIsOneRequest(t *testing.T) {
	f := newFixture(t, 2500)
	f.query(t, `CREATE TEMP TABLE o AS SELECT * FROM "受注明細 Orders"`)
	one := []struct {
		where string
		args  []any
	}{
		{"", nil},
		{"WHERE Id > 1000", nil},
		{"WHERE Id <= 7", nil},
		{"WHERE Id = 1234", nil},
		{"WHERE Id = '1234'", nil},
		{"WHERE Id IS 77", nil},
		{"WHERE Id <> 5", nil},
		{"WHERE Id != 99999", nil},
		{"WHERE Id = 99999", nil},
		{"WHERE Id IS NULL", nil},
		{"WHERE Id BETWEEN 100 AND 199", nil},
		{"WHERE 2400 < Id AND Id <= +2450", nil},
		{`WHERE x."Id" >= ? AND x.Id < ?`, []any{int64(300), "700"}},
		{"WHERE Id > ? AND Id < ?", []any{int64(-10), int64(20)}},
	}
	for _, c := range one {
		q := `SELECT COUNT(*) FROM "受注明細 Orders" AS x ` + c.where
		f.sim.ResetRequests()
		got := f.query(t, q, c.args...)
		if n, counts := len(f.sim.Requests()), totalCounts(f.sim.Requests()); n != 1 || counts != 1 {
			t.Errorf("%s: %d requests (%d asking for totalCount), want 1", q, n, counts)
		}
		scan := f.query(t, `SELECT COUNT(x.Id) FROM "受注明細 Orders" AS x `+c.where, c.args...)
		want := f.query(t, "SELECT COUNT(*) FROM o AS x "+c.where, c.args...)
		if got[0][0] != want[0][0] || scan[0][0] != want[0][0] {
			t.Errorf("%s: count %v, scan %v, SQLite %v", q, got, scan, want)
		}
	}
	// A scan: a WHERE that is not sent whole and exactly, another aggregate, a child table.
	scans := []string{
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE 顧客名 LIKE '%a%'`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE 顧客名 = '株式会社富士ユニシステム'`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 10 AND 顧客名 = '株式会社富士ユニシステム'`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 2.5`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id = 1234.0`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 'abc'`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id IS NOT NULL`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 10 OR Id < 5`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id IN (1, 2)`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE abs(Id) = 5`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 5 AND 1 = 1`,
		`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id = 5 COLLATE nocase`,
		`SELECT COUNT(*), MAX(Id) FROM "受注明細 Orders"`,
		`SELECT COUNT(*) FROM "受注明細 Orders_明細" WHERE RecordId > 5`,
	}
	for _, q := range scans {
		f.sim.ResetRequests()
		got := f.query(t, q)
		if counts := totalCounts(f.sim.Requests()); counts != 0 {
			t.Errorf("%s: %d requests asking for totalCount, want a scan", q, counts)
		}
		local := strings.ReplaceAll(q, `"受注明細 Orders"`, "o")
		if local == q {
			continue // a child table: no copy here
		}
		if want := f.query(t, local); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, SQLite %v", q, got, want)
		}
	}
}

// TestCountRechecksTheRecord: when the record kintone lists with its totalCount does not
// satisfy the WHERE, kintone's count is not SQLite's, and the rows are counted by a scan.
func TestCountRechecksTheRecord(t *testing.T) {
	f := newFixture(t, 600)
	const q = `SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 100`
	want := f.query(t, q)
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/records.json", Status: 200, ContentType: "application/json",
		Body: `{"records":[{"$id":{"type":"__ID__","value":"5"}}],"totalCount":"777"}`})
	f.sim.ResetRequests()
	if got := f.query(t, q); !reflect.DeepEqual(got, want) || want[0][0] != int64(500) {
		t.Errorf("count %v, want %v (500)", got, want)
	}
	if n := len(f.sim.Requests()); n < 2 {
		t.Errorf("%d requests: the rows were not counted by a scan", n)
	}
}

// totalCounts is the number of requests that asked kintone for a totalCount.
func totalCounts(reqs []kintonesim.LoggedRequest) int {
	n := 0
	for _, r := range reqs {
		if r.Params["totalCount"] == "true" {
			n++
		}
	}
	return n
}

// TestRequestCounts: what typical statements cost in requests (the README's table). kintone
// counts requests per app per day.
func TestRequestCounts(t *testing.T) {
	const n = 25000
	f := newFixture(t, n)
	f.query(t, `SELECT 1 FROM "受注明細 Orders", Deals LIMIT 1`)
	scanBound := (n+499)/500 + 4 + 2 // pages, the parallel ranges' last pages, the probe and the first page
	cases := []struct {
		sql  string
		most int
	}{
		{`SELECT * FROM "受注明細 Orders" LIMIT 10`, 1},
		{`SELECT * FROM "受注明細 Orders" WHERE Id = 1234`, 1},
		{`SELECT * FROM "受注明細 Orders" WHERE 顧客名 = '株式会社富士ユニシステム'`, 1},
		{`SELECT COUNT(*) FROM "受注明細 Orders"`, 1},
		{`SELECT COUNT(*) FROM "受注明細 Orders" WHERE Id > 1000 AND Id <= 20000`, 1},
		// Each app is read once: Deals' 2,000 records and the matching orders.
		{`SELECT o.Id, d.Id FROM "受注明細 Orders" o JOIN Deals d ON d.Customer = o.顧客名 WHERE o.Id < 200`, 2000/500 + 4 + 2 + 1},
		{`SELECT Id FROM "受注明細 Orders"`, scanBound},
		{`SELECT * FROM "受注明細 Orders"`, scanBound},
	}
	settle := func() { // requests a closed statement's prefetch had already sent
		for n := -1; n != len(f.sim.Requests()); time.Sleep(50 * time.Millisecond) {
			n = len(f.sim.Requests())
		}
	}
	for _, c := range cases {
		settle()
		f.sim.ResetRequests()
		f.query(t, c.sql)
		settle()
		if got := len(f.sim.Requests()); got > c.most {
			t.Errorf("%s: %d requests, at most %d expected", c.sql, got, c.most)
		}
	}
}

// parallelFixture is writeFixture with InsertParallelism 4.
func parallelFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1, CheckRevision: true, InsertParallelism: 4})
}

// TestInsertParallelism: with InsertParallelism above 1 an executemany of 10,000 inserts is
// still 5 bulkRequests, and every row's id is that of the record holding the row's values.
func TestInsertParallelism(t *testing.T) {
	f := parallelFixture(t)
	rows := make([][]any, 10000)
	for i := range rows {
		rows[i] = []any{"par", int64(i)}
	}
	f.sim.ResetRequests()
	s, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.writeRequests(); got["POST /k/v1/bulkRequest.json"] != 5 || len(got) != 1 {
		t.Errorf("10,000 rows should be 5 bulkRequests: %v", got)
	}
	ids := s.InsertedIDs()
	if s.RowsAffected() != 10000 || len(ids) != 10000 {
		t.Fatalf("rowcount %d, %d ids", s.RowsAffected(), len(ids))
	}
	byID := map[int64]int64{}
	for _, r := range f.query(t, "SELECT Id, Amount FROM Deals WHERE [Deal name] = 'par'") {
		byID[r[0].(int64)] = r[1].(int64)
	}
	if len(byID) != 10000 {
		t.Fatalf("%d records written", len(byID))
	}
	for i, id := range ids {
		if byID[id] != int64(i) {
			t.Fatalf("row %d: id %d holds Amount %d", i, id, byID[id])
		}
		if i%2000 != 0 && id <= ids[i-1] {
			t.Fatalf("row %d: id %d is not after %d within its bulkRequest", i, id, ids[i-1])
		}
	}
}

// slowFirstFailure makes the first bulkRequest wait before kintone refuses it (row 10 has no
// Deal name, which kintone requires), so that the later ones, sent beside it, are applied first.
func slowFirstFailure(f *fixture) [][]any {
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", Nth: 1, Delay: 2 * time.Second})
	rows := make([][]any, 5000)
	for i := range rows {
		rows[i] = []any{"undo", int64(i)}
	}
	rows[10] = []any{nil, int64(10)}
	return rows
}

// TestInsertParallelismFailure: when a bulkRequest fails while later ones sent beside it were
// applied, their records are deleted again: the rows written are those before the failed
// request, as with one bulkRequest at a time, and re-running from first_uncommitted_index
// completes every row exactly once.
func TestInsertParallelismFailure(t *testing.T) {
	f := parallelFixture(t)
	const sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
	before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
	rows := slowFirstFailure(f)
	_, err := f.eng.ExecuteMany(context.Background(), sql, rows)
	e := kerr.As(err)
	if e == nil || e.Details == nil {
		t.Fatalf("error %v has no details", err)
	}
	wf := e.Details.(WriteFailure)
	if len(wf.CommittedIDs) != 0 || wf.FirstUncommittedIndex != 0 || wf.RowIndex == nil || *wf.RowIndex != 10 ||
		wf.Field != "Deal name" || wf.OutcomeUnknown || len(wf.LaterCommittedIDs) != 0 ||
		!strings.Contains(e.Message, "the 3000 records that later requests, sent beside it (InsertParallelism), had added (rows 2000 to 4999) were deleted again") {
		t.Fatalf("details %+v: %v", wf, err)
	}
	if n := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64); n != before {
		t.Fatalf("count %d, want %d", n, before)
	}
	f.sim.ClearFaults()
	rows[10] = []any{"undo", int64(10)}
	if _, err := f.eng.ExecuteMany(context.Background(), sql, rows[wf.FirstUncommittedIndex:]); err != nil {
		t.Fatal(err)
	}
	got := f.query(t, "SELECT COUNT(*), COUNT(DISTINCT Amount), MIN(Amount), MAX(Amount) FROM Deals WHERE [Deal name] = 'undo'")
	if head(got) != head([][]any{{int64(5000), int64(5000), int64(0), int64(4999)}}) {
		t.Errorf("after resuming: %v", got)
	}
}

// TestInsertParallelismStranded: when the records of later requests cannot be deleted again,
// the error lists them (later_committed_ids) and names no row to resume from.
func TestInsertParallelismStranded(t *testing.T) {
	f := parallelFixture(t)
	before := f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64)
	rows := slowFirstFailure(f)
	// The 4th bulkRequest is the first of the two that delete the 3,000 records (20 + 10
	// requests of 100).
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/bulkRequest.json", Nth: 4, Status: 500, Code: "GAIA_DA02", Message: "busy"})
	_, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
	e := kerr.As(err)
	if e == nil || e.Details == nil {
		t.Fatalf("error %v has no details", err)
	}
	wf := e.Details.(WriteFailure)
	if !wf.NoResume || len(wf.LaterCommittedIDs) != 2000 || len(wf.CommittedIDs) != 0 ||
		!strings.Contains(e.Message, "2000 of them could not be deleted again, or their deletion was not confirmed (later_committed_ids)") {
		t.Fatalf("details %+v: %v", wf, err)
	}
	left := f.query(t, "SELECT Id, Amount FROM Deals WHERE [Deal name] = 'undo' ORDER BY Id")
	if int64(len(left)) != 2000 || f.query(t, "SELECT COUNT(*) FROM Deals")[0][0].(int64) != before+2000 {
		t.Fatalf("%d records left", len(left))
	}
	for i, r := range left {
		if r[0] != wf.LaterCommittedIDs[i] {
			t.Fatalf("record %v left, later_committed_ids[%d] = %d", r, i, wf.LaterCommittedIDs[i])
		}
	}
	js, _ := json.Marshal(wf)
	if !strings.Contains(string(js), `"first_uncommitted_index":null`) || !strings.Contains(string(js), `"later_committed_ids":[`) {
		t.Errorf("details as sent to Python: %s", js)
	}
}
