package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// dealsApp is the id of the sample app Deals, typed for SQL parameters.
const dealsApp = int64(sample.DealsApp)

// commentRequests are the record/comment(s).json requests the simulator served since the log
// was reset, as "METHOD path".
func (f *fixture) commentRequests() []string {
	var out []string
	for _, r := range f.sim.Requests() {
		if strings.HasPrefix(r.Path, "/k/v1/record/comment") {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// firstDeal is the id of a record of Deals.
func (f *fixture) firstDeal(t *testing.T) int64 {
	t.Helper()
	return f.query(t, "SELECT Id FROM Deals ORDER BY Id LIMIT 1")[0][0].(int64)
}

// TestCommentsInsertAndReadPaged: 23 rows of one executemany post 23 comments, one request
// each, in row order; reading them back takes three requests of at most 10, oldest first.
func TestCommentsInsertAndReadPaged(t *testing.T) {
	f := writeFixture(t)
	deal := f.firstDeal(t)
	rows := make([][]any, 23)
	for i := range rows {
		rows[i] = []any{dealsApp, deal, fmt.Sprintf("note %d", i)}
	}
	f.sim.ResetRequests()
	s, err := f.eng.ExecuteMany(context.Background(), "INSERT INTO Comments (AppId, RecordId, Text) VALUES (?, ?, ?)", rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.writeRequests(); !reflect.DeepEqual(got, map[string]int{"POST /k/v1/record/comment.json": 23}) {
		t.Errorf("requests %v", got)
	}
	ids := s.InsertedIDs()
	if s.RowsAffected() != 23 || len(ids) != 23 || ids[0] != 1 || ids[22] != 23 {
		t.Fatalf("rowcount %d, ids %v", s.RowsAffected(), ids)
	}
	f.sim.ResetRequests()
	got := f.query(t, "SELECT Id, AppId, RecordId, Text, CreatorCode, CreatorName, MentionsAggregate, CreatedAt LIKE '____-__-__T__:__:__Z' FROM Comments WHERE AppId = ? AND RecordId = ?",
		dealsApp, deal)
	if len(got) != 23 {
		t.Fatalf("%d rows: %v", len(got), got)
	}
	for i, r := range got {
		want := []any{int64(i + 1), dealsApp, deal, fmt.Sprintf("note %d", i), "admin", "管理者", nil, int64(1)}
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("row %d: %v, want %v", i, r, want)
		}
	}
	var offsets []any
	for _, r := range f.sim.Requests() {
		if r.Path == "/k/v1/record/comments.json" {
			if r.Params["order"] != "asc" || fmt.Sprint(r.Params["limit"]) != "10" {
				t.Errorf("params %v", r.Params)
			}
			offsets = append(offsets, fmt.Sprint(r.Params["offset"]))
		}
	}
	if !reflect.DeepEqual(offsets, []any{"0", "10", "20"}) {
		t.Errorf("offsets %v", offsets)
	}
	// A record's comments are read once per statement, however often it is scanned.
	f.sim.ResetRequests()
	n := f.query(t, "SELECT COUNT(*) FROM Comments a JOIN Comments b ON b.AppId = a.AppId AND b.RecordId = a.RecordId AND b.Id = a.Id WHERE a.AppId = ? AND a.RecordId = ?",
		dealsApp, deal)
	if n[0][0] != int64(23) || len(f.commentRequests()) != 3 {
		t.Errorf("self-join: %v rows, requests %v", n, f.commentRequests())
	}
}

// TestCommentsJoinAndIN: IN lists and joins give each scan of Comments its record.
func TestCommentsJoinAndIN(t *testing.T) {
	f := writeFixture(t)
	deals := f.query(t, "SELECT Id FROM Deals ORDER BY Id LIMIT 3")
	for i, d := range deals[:2] {
		f.exec(t, "INSERT INTO Comments (AppId, RecordId, Text) VALUES (?, ?, ?)", dealsApp, d[0], fmt.Sprintf("on %d", i))
	}
	got := f.query(t, "SELECT RecordId, Text FROM Comments WHERE AppId = ? AND RecordId IN (?, ?, ?) ORDER BY RecordId",
		dealsApp, deals[0][0], deals[1][0], deals[2][0])
	if head(got) != head([][]any{{deals[0][0], "on 0"}, {deals[1][0], "on 1"}}) {
		t.Errorf("IN: %v", got)
	}
	got = f.query(t, "SELECT d.Id, c.Text FROM Deals d JOIN Comments c ON c.AppId = 2 AND c.RecordId = d.Id WHERE d.Id <= ? ORDER BY d.Id",
		deals[2][0])
	if head(got) != head([][]any{{deals[0][0], "on 0"}, {deals[1][0], "on 1"}}) {
		t.Errorf("join: %v", got)
	}
	// Text '2' equals the INTEGER 2 as SQLite compares them; a fraction equals no id.
	if got := f.query(t, "SELECT COUNT(*) FROM Comments WHERE AppId = '2' AND RecordId = ?", deals[0][0]); got[0][0] != int64(1) {
		t.Errorf("AppId = '2': %v", got)
	}
	f.sim.ResetRequests()
	if got := f.query(t, "SELECT COUNT(*) FROM Comments WHERE AppId = 2.5 AND RecordId = ?", deals[0][0]); got[0][0] != int64(0) || len(f.commentRequests()) != 0 {
		t.Errorf("AppId = 2.5: %v, requests %v", got, f.commentRequests())
	}
}

// TestCommentsMentionsAndDelete: mentions are written and read as the same JSON; DELETE removes
// the comment it finds, one request per comment.
func TestCommentsMentionsAndDelete(t *testing.T) {
	f := writeFixture(t)
	deal := f.firstDeal(t)
	mentions := `[{"code":"sato","type":"USER"},{"code":"sales","type":"ORGANIZATION"}]`
	f.exec(t, "INSERT INTO Comments (AppId, RecordId, Text, MentionsAggregate) VALUES (?, ?, 'look', ?), (?, ?, 'second', NULL)",
		dealsApp, deal, mentions, dealsApp, deal)
	got := f.query(t, "SELECT Id, Text, MentionsAggregate FROM Comments WHERE AppId = ? AND RecordId = ?", dealsApp, deal)
	// kintone puts the names of those mentioned before the text.
	if head(got) != head([][]any{{int64(1), "佐藤 太郎 営業部 \nlook", mentions}, {int64(2), "second", nil}}) {
		t.Fatalf("rows %v", got)
	}
	f.sim.ResetRequests()
	s := f.exec(t, "DELETE FROM Comments WHERE AppId = ? AND RecordId = ? AND Id = ?", dealsApp, deal, int64(1))
	if s.RowsAffected() != 1 || !reflect.DeepEqual(f.writeRequests(), map[string]int{"DELETE /k/v1/record/comment.json": 1}) {
		t.Errorf("rowcount %d, requests %v", s.RowsAffected(), f.writeRequests())
	}
	got = f.query(t, "SELECT Id FROM Comments WHERE AppId = ? AND RecordId = ?", dealsApp, deal)
	if head(got) != head([][]any{{int64(2)}}) {
		t.Errorf("after delete: %v", got)
	}
}

// TestCommentsPartialFailure: kintone refusing the second of three comments leaves the first
// posted, names the row and the column, and re-running from there posts the rest once.
func TestCommentsPartialFailure(t *testing.T) {
	f := writeFixture(t)
	deal := f.firstDeal(t)
	rows := [][]any{
		{dealsApp, deal, "a", nil},
		{dealsApp, deal, "b", `[{"code":"nobody","type":"USER"}]`},
		{dealsApp, deal, "c", nil},
	}
	sql := "INSERT INTO Comments (AppId, RecordId, Text, MentionsAggregate) VALUES (?, ?, ?, ?)"
	_, err := f.eng.ExecuteMany(context.Background(), sql, rows)
	e := kerr.As(err)
	if e == nil || e.Code != "CB_VA01" || e.Details == nil {
		t.Fatalf("error %v", err)
	}
	wf := e.Details.(WriteFailure)
	if !reflect.DeepEqual(wf.CommittedIDs, []int64{1}) || wf.FirstUncommittedIndex != 1 || wf.RowIndex == nil || *wf.RowIndex != 1 ||
		wf.Field != "MentionsAggregate" || wf.OutcomeUnknown {
		t.Errorf("details %+v", wf)
	}
	rows[1][3] = nil
	if _, err := f.eng.ExecuteMany(context.Background(), sql, rows[wf.FirstUncommittedIndex:]); err != nil {
		t.Fatal(err)
	}
	got := f.query(t, "SELECT Text FROM Comments WHERE AppId = ? AND RecordId = ?", dealsApp, deal)
	if head(got) != head([][]any{{"a"}, {"b"}, {"c"}}) {
		t.Errorf("after resuming: %v", got)
	}
}

// TestCommentsRefused: what Comments cannot do fails before any write is sent.
func TestCommentsRefused(t *testing.T) {
	f := writeFixture(t)
	deal := f.firstDeal(t)
	f.exec(t, "INSERT INTO Comments (AppId, RecordId, Text) VALUES (?, ?, 'keep')", dealsApp, deal)
	cases := []struct {
		sql  string
		kind kerr.Kind
		text string
	}{
		{"SELECT * FROM Comments", kerr.KindSQL, "needs both AppId = … and RecordId = …"},
		{"SELECT * FROM Comments WHERE AppId = 2", kerr.KindSQL, "needs both AppId"},
		{"SELECT * FROM Comments WHERE AppId = 2 OR RecordId = 1", kerr.KindSQL, "needs both AppId"},
		{"DELETE FROM Comments WHERE Id = 1", kerr.KindSQL, "needs both AppId"},
		{"SELECT * FROM Comments WHERE AppId = 2 AND RecordId = 1 AND Text = 'a' || char(0)", kerr.KindSQL, "copy the comments into a TEMP table"},
		{fmt.Sprintf("UPDATE Comments SET Text = 'x' WHERE AppId = 2 AND RecordId = %d", deal), kerr.KindNotSupported, "cannot change a comment"},
		{"UPDATE Comments SET Text = 'x' WHERE AppId = 2 AND RecordId = 1 AND Id = 999", kerr.KindNotSupported, "cannot change a comment"},
		{"INSERT INTO Comments (AppId, RecordId) VALUES (2, 1)", kerr.KindBadValue, "Text must be"},
		{"INSERT INTO Comments (AppId, RecordId, Text) VALUES (2, 'one', 'x')", kerr.KindBadValue, "RecordId must be"},
		{"INSERT INTO Comments (AppId, RecordId, Text, CreatedAt) VALUES (2, 1, 'x', '2024-01-01T00:00:00Z')", kerr.KindInvalidArgument, "CreatedAt"},
		{"INSERT INTO Comments (Id, AppId, RecordId, Text) VALUES (5, 2, 1, 'x')", kerr.KindInvalidArgument, "Id"},
		{"INSERT INTO Comments (AppId, RecordId, Text, MentionsAggregate) VALUES (2, 1, 'x', 'sato')", kerr.KindBadValue, "MentionsAggregate must be"},
		{`INSERT INTO Comments (AppId, RecordId, Text, MentionsAggregate) VALUES (2, 1, 'x', '[{"code":"sato","type":"USR"}]')`, kerr.KindBadValue, `"USR"`},
		{"INSERT INTO Comments (AppId, RecordId, Text) VALUES (2, 1, 'x') RETURNING Id", kerr.KindNotSupported, "RETURNING"},
	}
	for _, c := range cases {
		f.sim.ResetRequests()
		_, err := f.try(c.sql)
		if got := kerr.KindOf(err); got != c.kind || err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %s %v, want %s containing %q", c.sql, got, err, c.kind, c.text)
		}
		if got := f.writeRequests(); len(got) != 0 {
			t.Errorf("%s: sent %v", c.sql, got)
		}
	}
	if got := f.query(t, "SELECT Text FROM Comments WHERE AppId = 2 AND RecordId = ?", deal); head(got) != head([][]any{{"keep"}}) {
		t.Errorf("after the refusals: %v", got)
	}
	// What the refusal advises.
	f.exec(t, "CREATE TEMP TABLE c AS SELECT * FROM Comments WHERE AppId = 2 AND RecordId = ?", deal)
	if got := f.query(t, "SELECT Text FROM c WHERE Text = 'keep' || char(0)"); len(got) != 0 {
		t.Errorf("from a TEMP copy: %v", got)
	}
	// A COLLATE leaves the conditions on AppId and RecordId (numbers) to the scan.
	if got := f.query(t, "SELECT Text FROM Comments WHERE AppId = 2 AND RecordId = ? AND Text = 'KEEP' COLLATE NOCASE", deal); head(got) != head([][]any{{"keep"}}) {
		t.Errorf("under COLLATE: %v", got)
	}
}

// TestCommentsInSystemTables: Comments is listed with its columns and keys.
func TestCommentsInSystemTables(t *testing.T) {
	f := writeFixture(t)
	got := f.query(t, "SELECT TableType, IsUpdateable, AppId FROM sys_tables WHERE TableName = 'Comments'")
	if head(got) != head([][]any{{"TABLE", int64(1), nil}}) {
		t.Errorf("sys_tables: %v", got)
	}
	got = f.query(t, "SELECT ColumnName, DataTypeName, IsKey FROM sys_tablecolumns WHERE TableName = 'Comments' ORDER BY Ordinal")
	want := [][]any{{"Id", "INTEGER", int64(1)}, {"AppId", "INTEGER", int64(1)}, {"RecordId", "INTEGER", int64(1)},
		{"Text", "VARCHAR", int64(0)}, {"CreatorCode", "VARCHAR", int64(0)}, {"CreatorName", "VARCHAR", int64(0)},
		{"CreatedAt", "DATETIME", int64(0)}, {"MentionsAggregate", "VARCHAR", int64(0)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sys_tablecolumns: %v", got)
	}
}
