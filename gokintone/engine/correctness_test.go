package engine

import (
	"reflect"
	"strings"
	"testing"
)

// The reproducers of wrong answers and refused statements found by comparing the driver with
// plain SQLite: each runs against the kintone tables and against TEMP copies of the same rows
// (d, o, i), and the results must be identical.

func tempCopies(t *testing.T, f *fixture) {
	t.Helper()
	f.query(t, "CREATE TEMP TABLE d AS SELECT * FROM Deals")
	f.query(t, `CREATE TEMP TABLE o AS SELECT * FROM "受注明細 Orders"`)
	f.query(t, `CREATE TEMP TABLE i AS SELECT * FROM "受注明細 Orders_明細"`)
}

var liveNames = strings.NewReplacer("%D", "Deals", "%O", `"受注明細 Orders"`, "%I", `"受注明細 Orders_明細"`)
var localNames = strings.NewReplacer("%D", "d", "%O", "o", "%I", "i")

func sameAsSQLite(t *testing.T, f *fixture, sql string, args ...any) [][]any {
	t.Helper()
	live, local := liveNames.Replace(sql), localNames.Replace(sql)
	got, err := f.try(live, args...)
	if err != nil {
		t.Errorf("%s: %v", live, err)
		return nil
	}
	want := f.query(t, local, args...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s\n got %d rows: %v\nwant %d rows: %v", live, len(got), head(got), len(want), head(want))
	}
	return got
}

// TestRepeatedScanLimitOffset: a table scanned a second time in one statement is served from
// the statement's copy of it; LIMIT and OFFSET must still apply there.
func TestRepeatedScanLimitOffset(t *testing.T) {
	f := newFixture(t, 300)
	tempCopies(t, f)
	got := sameAsSQLite(t, f, `SELECT (SELECT COUNT(*) FROM %D), (SELECT "Id" FROM %D ORDER BY "Id" LIMIT 1 OFFSET 3)`)
	if len(got) == 1 && !reflect.DeepEqual(got[0], []any{int64(2000), int64(4)}) {
		t.Errorf("got %v, want [2000 4]", got[0])
	}
	sameAsSQLite(t, f, `SELECT (SELECT COUNT(*) FROM %D), (SELECT "Id" FROM %D ORDER BY "Id" DESC LIMIT 1 OFFSET 1)`)
	rows := sameAsSQLite(t, f, `SELECT "Id" FROM (SELECT "Id" FROM %D) UNION ALL SELECT "Id" FROM (SELECT "Id" FROM %D LIMIT 50 OFFSET 7)`)
	if len(rows) == 2050 && (rows[2000][0] != int64(8) || rows[2049][0] != int64(57)) {
		t.Errorf("second part runs %v..%v, want 8..57", rows[2000][0], rows[2049][0])
	}
	sameAsSQLite(t, f, `SELECT a.Id, (SELECT b.Id FROM %D b WHERE b.Id > a.Id ORDER BY b.Id LIMIT 1 OFFSET 2) FROM %D a WHERE a.Id < 40 ORDER BY a.Id`)
	sameAsSQLite(t, f, `SELECT (SELECT count(*) FROM %D WHERE Amount > 0), (SELECT Id FROM %D WHERE Amount > 0 LIMIT 1 OFFSET 5), (SELECT Id FROM %D WHERE Amount > 0 LIMIT 2 OFFSET 7)`)
}

// TestCorrelatedSubqueries: EXISTS and scalar subqueries carry an implicit LIMIT 1 that
// SQLite hands to the table, then runs the inner scan again for every outer row. They must
// run, and must not cost one request per outer row.
func TestCorrelatedSubqueries(t *testing.T) {
	f := newFixture(t, 300)
	tempCopies(t, f)
	f.sim.ResetRequests()
	rows := sameAsSQLite(t, f, `SELECT o."Id" FROM %O AS o WHERE NOT EXISTS (SELECT 1 FROM %I AS i WHERE i."RecordId" = o."Id")`)
	if len(rows) == 0 {
		t.Errorf("the anti-join found no order without lines; the sample data has some")
	}
	if n := len(f.kintoneQueries("3")); n > 30 {
		t.Errorf("the anti-join over 300 orders sent %d requests", n)
	}
	sameAsSQLite(t, f, `SELECT o."Id" FROM %O AS o WHERE EXISTS (SELECT 1 FROM %I AS i WHERE i."RecordId" = o."Id" AND i."数量" > 8)`)
	f.sim.ResetRequests()
	rows = sameAsSQLite(t, f, `SELECT (SELECT i."Id" FROM %D AS i WHERE i."Id" > o."Id") FROM %D AS o`)
	if len(rows) != 2000 {
		t.Errorf("%d rows, want 2000", len(rows))
	}
	if n := len(f.kintoneQueries("2")); n > 30 {
		t.Errorf("the correlated scalar subquery over 2,000 rows sent %d requests", n)
	}
	sameAsSQLite(t, f, `SELECT o.Id, (SELECT max(i."小計") FROM %I i WHERE i.RecordId = o.Id) FROM %O o WHERE o.Id < 60`)
}
