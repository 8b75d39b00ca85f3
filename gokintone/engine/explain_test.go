package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// explain runs EXPLAIN KINTONE and returns its rows, checking that no records were read.
func (f *fixture) explain(t *testing.T, sql string, args ...any) [][]any {
	t.Helper()
	f.sim.ResetRequests()
	rows, err := f.eng.Explain(context.Background(), sql, args)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	for _, r := range f.sim.Requests() {
		if r.Path != "/k/v1/app/form/fields.json" && r.Path != "/k/v1/apps.json" {
			t.Errorf("%s: EXPLAIN sent %s %s", sql, r.Method, r.Path)
		}
	}
	for _, r := range rows {
		if len(r) != len(ExplainColumns) {
			t.Fatalf("row %v does not have the %d columns", r, len(ExplainColumns))
		}
	}
	return rows
}

// TestExplainShowsWhatGoesToKintone: each scan's first kintone query with the conditions sent
// and those kept local, SQLite's own steps (a sort) as they are, and no request for records.
func TestExplainShowsWhatGoesToKintone(t *testing.T) {
	f := newFixture(t, 10)
	rows := f.explain(t, "SELECT Id FROM Deals WHERE Id > ? AND Stage = 'Won' ORDER BY Id DESC LIMIT 5 OFFSET 2", int64(3))
	if len(rows) != 1 || rows[0][3] != "Deals" || rows[0][6] != nil {
		t.Fatalf("rows %v", rows)
	}
	if q := rows[0][4].(string); !strings.HasPrefix(q, `$id > 3 and stage in ("Won") order by $id desc limit `) {
		t.Errorf("kintone query %q", q)
	}
	if rows[0][5] != `"Id" > 3 AND "Stage" = 'Won'` {
		t.Errorf("sent %q", rows[0][5])
	}

	// A subtable's conditions are on rows, not records: kept local. The sort is SQLite's.
	rows = f.explain(t, "SELECT * FROM [受注明細 Orders_明細] WHERE [商品] = 'x' ORDER BY [数量]")
	if len(rows) != 2 || rows[0][4] != "order by $id asc limit 500" || rows[0][5] != nil || rows[0][6] != `"商品" = 'x'` ||
		rows[1][2] != "USE TEMP B-TREE FOR ORDER BY" || rows[1][3] != nil {
		t.Errorf("subtable rows %v", rows)
	}

	// LIMIT and OFFSET go to kintone when every condition is exact there.
	rows = f.explain(t, "SELECT Id FROM Deals WHERE Id >= 2 LIMIT 5 OFFSET 2")
	if len(rows) != 1 || rows[0][4] != "$id >= 2 order by $id asc limit 5 offset 2" || rows[0][5] != `"Id" >= 2; LIMIT 5; OFFSET 2` {
		t.Errorf("limit rows %v", rows)
	}

	// An IN list is one scan per value.
	rows = f.explain(t, "SELECT Id FROM Deals WHERE Id IN (1, 2)")
	if len(rows) != 2 || rows[0][2] != "SCAN Deals (2 scans)" || rows[0][5] != `"Id" = 1` || rows[1][5] != `"Id" = 2` {
		t.Errorf("IN rows %v", rows)
	}

	// The inner side of a join runs for the rows of the outer one: its conditions are shown
	// without values. Aliases are resolved to the tables.
	rows = f.explain(t, "SELECT d.Id FROM Deals d JOIN 顧客リスト c ON c.Id = d.Id WHERE d.Id < 4")
	if len(rows) != 2 || rows[0][3] != "Deals" || rows[0][5] != `"Id" < 4` ||
		rows[1][3] != "顧客リスト" || !strings.HasSuffix(rows[1][2].(string), "(runs once an enclosing step yields rows)") ||
		!strings.HasPrefix(rows[1][5].(string), `"Id" = ?`) {
		t.Errorf("join rows %v", rows)
	}
}

func TestExplainRefusesWrites(t *testing.T) {
	f := newFixture(t, 10)
	for _, sql := range []string{"DELETE FROM Deals WHERE Id = 1", "WITH x AS (SELECT 1) INSERT INTO Deals ([Deal name]) SELECT 'a' FROM x"} {
		_, err := f.eng.Explain(context.Background(), sql, nil)
		if e := kerr.As(err); e == nil || e.Kind != kerr.KindNotSupported || !strings.Contains(e.Message, "EXPLAIN KINTONE explains queries") {
			t.Errorf("%s: %v", sql, err)
		}
	}
	if n := len(f.query(t, "SELECT Id FROM Deals WHERE Id = 1")); n != 1 {
		t.Errorf("record 1 is gone")
	}
}

func TestExplainTarget(t *testing.T) {
	for sql, want := range map[string]string{
		"EXPLAIN KINTONE SELECT 1":           " SELECT 1",
		" -- c\n explain /* x */ Kintone\tx": "\tx",
	} {
		if got, ok := ExplainTarget(sql); !ok || got != want {
			t.Errorf("%q: %q %v", sql, got, ok)
		}
	}
	for _, sql := range []string{"EXPLAIN SELECT 1", "EXPLAIN KINTONEX SELECT", "SELECT 1", "EXPLAIN QUERY PLAN SELECT 1", "/* EXPLAIN KINTONE"} {
		if _, ok := ExplainTarget(sql); ok {
			t.Errorf("%q is taken for EXPLAIN KINTONE", sql)
		}
	}
}

// TestOnScanHearsScansThatSendRequests: a scan that reads from kintone is told with its first
// query; a table scanned repeatedly is told once as read whole; system tables are not told.
func TestOnScanHearsScansThatSendRequests(t *testing.T) {
	var scans []Scan
	f := newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1, OnScan: func(s Scan) { scans = append(scans, s) }})
	f.query(t, "SELECT Id FROM Deals WHERE Id = 2 AND [Deal name] IS NOT 'x'")
	f.query(t, "SELECT count(*) FROM sys_tables")
	want := []Scan{{Table: "Deals", Query: "$id = 2 order by $id asc limit 500", Limit: -1, Offset: -1,
		Sent: []Condition{{"Id", "=", int64(2)}}, Local: []Condition{{"Deal name", "IS NOT", "x"}}}}
	if !reflect.DeepEqual(scans, want) {
		t.Fatalf("scans %+v\nwant %+v", scans, want)
	}
	if got := scans[0].Summary(false); got != `Deals: sends "Id" =; checks locally only "Deal name" IS NOT` {
		t.Errorf("summary without values %q", got)
	}
	if got := scans[0].Summary(true); got != `Deals: kintone query "$id = 2 order by $id asc limit 500"; checks locally only "Deal name" IS NOT 'x'` {
		t.Errorf("summary with values %q", got)
	}
	scans = nil
	f.query(t, "SELECT count(*) FROM Deals a, Deals b WHERE a.Id = b.Id")
	var whole int
	for _, s := range scans {
		if s.Whole {
			whole++
			if s.Query != "order by $id asc limit 500" || !strings.Contains(s.Summary(false), "read whole once") {
				t.Errorf("whole scan %+v", s)
			}
		}
	}
	if whole != 1 {
		t.Errorf("%d scans read the table whole: %+v", whole, scans)
	}
}
