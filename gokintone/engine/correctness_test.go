package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
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

// newEdgeFixture serves one app "Edge" whose text field holds numbers written in ways SQLite's
// affinity rules treat differently from their canonical text.
func newEdgeFixture(t *testing.T) *fixture {
	t.Helper()
	texts := []string{"1", "1.0", " 1", "01", "1e0", "1.0e+15", "1e+15", "1000000000000000", "1.0e+20", "abc", "", "2", "-0", "0", "0.1"}
	var recs []string
	for i, s := range texts {
		recs = append(recs, fmt.Sprintf(`{"t": {"value": %q}, "n": {"value": "%d"}}`, s, i%3))
	}
	js := `{"users": [{"code": "admin", "password": "pw"}], "apps": [{"id": 1, "name": "Edge",
		"fields": {"t": {"type": "SINGLE_LINE_TEXT", "label": "T"}, "n": {"type": "NUMBER", "label": "N"}},
		"records": [` + strings.Join(recs, ",") + `]}]}`
	fx, err := kintonesim.ParseFixture([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureFrom(t, fx)
}

// TestOperandAffinity: a TEXT column compared with an operand of numeric affinity (another
// table's column, a CAST, a subquery) compares numerically in SQLite; with a literal or a
// parameter it compares as text. Both must give SQLite's answer.
func TestOperandAffinity(t *testing.T) {
	f := newEdgeFixture(t)
	f.query(t, "CREATE TEMP TABLE e AS SELECT * FROM Edge")
	f.query(t, "CREATE TEMP TABLE num(v INTEGER, r REAL, x TEXT, b BLOB)")
	f.query(t, "INSERT INTO num VALUES (1, 1.0, '1', 1), (1000000000000000, 1e15, '1e+15', 1e15), (0, 0.0, '0', 0)")
	queries := []string{
		"SELECT Id FROM %E WHERE T = 1",
		"SELECT Id FROM %E WHERE T = CAST(1 AS INTEGER)",
		"SELECT Id FROM %E WHERE T = CAST('1' AS REAL)",
		"SELECT Id FROM %E WHERE T > CAST(0 AS NUMERIC) ORDER BY Id",
		"SELECT %E.Id, num.v FROM %E JOIN num ON %E.T = num.v ORDER BY 1, 2",
		"SELECT %E.Id, num.v FROM num JOIN %E ON num.v = %E.T ORDER BY 1, 2",
		"SELECT %E.Id, num.r FROM num, %E WHERE %E.T = num.r ORDER BY 1, 2",
		"SELECT %E.Id, num.x FROM num, %E WHERE %E.T = num.x ORDER BY 1, 2",
		"SELECT %E.Id, num.b FROM num, %E WHERE %E.T = num.b ORDER BY 1, 2",
		"SELECT %E.Id FROM num, %E WHERE %E.T >= num.v AND num.v = 1 ORDER BY 1",
		"SELECT Id FROM %E WHERE T IN (SELECT v FROM num) ORDER BY 1",
		"SELECT Id FROM %E WHERE T = (SELECT v FROM num WHERE v = 1)",
		"SELECT Id FROM %E WHERE T BETWEEN (SELECT min(v) FROM num) AND 2 ORDER BY 1",
		"SELECT Id FROM %E WHERE T = likely((SELECT v FROM num WHERE v = 1))",
		"SELECT a.Id, b.Id FROM %E a JOIN %E b ON a.T = b.N ORDER BY 1, 2",
		"SELECT Id FROM %E WHERE 1000000000000000.0 <> T ORDER BY 1",
		"SELECT Id FROM %E WHERE T = 1e20",
		"SELECT Id FROM %E WHERE T = 1e15",
		"SELECT Id FROM %E WHERE T = -0.0",
	}
	for _, q := range queries {
		live := strings.ReplaceAll(q, "%E", "Edge")
		local := strings.ReplaceAll(q, "%E", "e")
		got, err := f.try(live)
		if err != nil {
			t.Errorf("%s: %v", live, err)
			continue
		}
		want := f.query(t, local)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %v\nwant %v", live, got, want)
		}
	}
	// A view's CAST counts too, though the statement does not show it.
	f.query(t, "CREATE TEMP VIEW castv AS SELECT Id FROM Edge WHERE T = CAST('1' AS INTEGER)")
	got := f.query(t, "SELECT Id FROM castv ORDER BY 1")
	want := f.query(t, "SELECT Id FROM e WHERE T = CAST('1' AS INTEGER) ORDER BY 1")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("view: got %v, want %v", got, want)
	}
}

// TestDeclaredCollation: a TEMP table column declared with COLLATE NOCASE decides the collation
// of a comparison where it is the left operand, though no COLLATE appears in the statement.
func TestDeclaredCollation(t *testing.T) {
	f := newFixture(t, 10)
	f.query(t, "CREATE TEMP TABLE d AS SELECT * FROM Deals")
	f.query(t, "CREATE TEMP TABLE k(s TEXT COLLATE NOCASE)")
	f.query(t, "INSERT INTO k VALUES ('won'), ('LOST')")
	for _, q := range []string{
		"SELECT k.s, count(*) FROM k JOIN %D ON k.s = %D.Stage GROUP BY 1 ORDER BY 1",
		"SELECT k.s, count(*) FROM k CROSS JOIN %D WHERE k.s = %D.Stage GROUP BY 1 ORDER BY 1",
		"SELECT k.s, count(*) FROM k, %D WHERE k.s = %D.Stage AND %D.Id < 500 GROUP BY 1 ORDER BY 1",
	} {
		sameAsSQLite(t, f, q)
	}
	if rows := f.query(t, "SELECT count(*) FROM k JOIN Deals ON k.s = Deals.Stage"); rows[0][0] == int64(0) {
		t.Errorf("NOCASE join found nothing")
	}
}

// TestScanOrder: what the README promises about the order of rows without ORDER BY. A scan
// asks kintone for ascending $id, so each Filter call yields ascending Id; an IN list or an OR
// of pushed conditions makes one Filter call per value or per condition, one after the other.
func TestScanOrder(t *testing.T) {
	f := newFixture(t, 10)
	ascending := func(rows [][]any, idCol int) bool {
		for k := 1; k < len(rows); k++ {
			if rows[k][idCol].(int64) <= rows[k-1][idCol].(int64) {
				return false
			}
		}
		return true
	}
	for _, q := range []string{
		"SELECT Id FROM Deals",
		"SELECT Id FROM Deals WHERE Id > 100 AND Id <= 1900",
		"SELECT Id FROM Deals WHERE Amount > 2500000",
		"SELECT Id FROM Deals WHERE Stage = 'Won'",
		"SELECT Id FROM Deals WHERE Stage != 'Won' AND [Close date] >= '2026-01-01'",
		"SELECT Id FROM Deals WHERE [Last contact] IS NULL",
		"SELECT Id FROM Deals WHERE [Deal name] LIKE '%a%'",
		"SELECT Id FROM Deals WHERE Id IN (900, 3, 5, 1999)", // SQLite walks the values in order
		`SELECT Id FROM "受注明細 Orders_明細" WHERE RecordId IN (7, 2, 5)`,
	} {
		rows := f.query(t, q)
		if len(rows) < 2 || !ascending(rows, 0) {
			t.Errorf("%s: %d rows, not in ascending Id: %v", q, len(rows), head(rows))
		}
	}
	// One run per IN value or OR branch, each ascending: at most that many runs.
	for _, c := range []struct {
		sql  string
		runs int
	}{
		{"SELECT Id, Stage FROM Deals WHERE Stage IN ('Won', 'Lost', 'Proposal')", 3},
		{"SELECT Id, Stage FROM Deals WHERE Stage = 'Won' OR Id < 50", 2},
		{"SELECT Id, Stage FROM Deals WHERE Stage = 'Won' OR Amount > 4000000", 2},
	} {
		rows := f.query(t, c.sql)
		runs := 1
		for k := 1; k < len(rows); k++ {
			if rows[k][0].(int64) <= rows[k-1][0].(int64) {
				runs++
			}
		}
		if len(rows) < 2 || runs > c.runs {
			t.Errorf("%s: %d rows in %d ascending runs, want at most %d", c.sql, len(rows), runs, c.runs)
		}
	}
}

// TestTextWithNUL: go-sqlite3 cuts text arguments at a NUL before xFilter sees them, so a
// statement where such text may reach a constraint is evaluated by SQLite.
func TestTextWithNUL(t *testing.T) {
	f := newEdgeFixture(t)
	f.query(t, "CREATE TEMP TABLE e AS SELECT * FROM Edge")
	for _, c := range []struct {
		sql  string
		args []any
	}{
		{"SELECT Id FROM %E WHERE T = ?", []any{"abc\x00def"}},
		{"SELECT Id FROM %E WHERE T = 'abc' || char(0) || 'x'", nil},
		{"SELECT Id FROM %E WHERE T < ? ORDER BY 1", []any{"1\x00"}},
		{"SELECT Id FROM %E WHERE T = CAST(x'61626300' AS TEXT)", nil},
	} {
		live := strings.ReplaceAll(c.sql, "%E", "Edge")
		local := strings.ReplaceAll(c.sql, "%E", "e")
		got := f.query(t, live, c.args...)
		want := f.query(t, local, c.args...)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %q\n got %v\nwant %v", live, c.args, got, want)
		}
	}
}

// TestNumberPrecision: kintone compares NUMBER values as exact decimals, SQLite as the doubles
// the driver reads them as; a pushed comparison must still keep every row SQLite keeps.
func TestNumberPrecision(t *testing.T) {
	nums := []string{"0.1000000000000000001", "0.1", "0.09999999999999999999", "100000000000000000001",
		"9223372036854775807", "9223372036854775809", "3.14159265358979323846", "2499999.99999999999",
		"2500000", "2500000.00000000001", "9007199254740993", "9007199254740993.5",
		"123456789012345678901234567890", "-0.0000000000000000000001", "0", "1e-30"}
	var recs []string
	for _, n := range nums {
		recs = append(recs, fmt.Sprintf(`{"n": {"value": %q}}`, n))
	}
	js := `{"users": [{"code": "admin", "password": "pw"}], "apps": [{"id": 1, "name": "Prec",
		"fields": {"n": {"type": "NUMBER", "label": "N"}}, "records": [` + strings.Join(recs, ",") + `]}]}`
	fx, err := kintonesim.ParseFixture([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureFrom(t, fx)
	f.query(t, "CREATE TEMP TABLE pc AS SELECT * FROM Prec")
	args := []any{0.1, int64(2500000), 1e20, int64(9223372036854775807), 3.141592653589793,
		int64(9007199254740993), 9007199254740994.0, 1.2345678901234568e29, 0.0, int64(0), "2500000", "0.1"}
	for _, op := range []string{"=", "<>", "<", "<=", ">", ">=", "IS"} {
		for _, a := range args {
			q := "SELECT Id FROM %s WHERE N " + op + " ? ORDER BY Id"
			got, err := f.try(fmt.Sprintf(q, "Prec"), a)
			if err != nil {
				t.Errorf("N %s %v: %v", op, a, err)
				continue
			}
			want := f.query(t, fmt.Sprintf(q, "pc"), a)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("N %s %#v:\n got %v\nwant %v", op, a, got, want)
			}
		}
	}
	// A value equals itself through a join.
	got := f.query(t, "SELECT count(*) FROM Prec a JOIN Prec b ON b.N = a.N")
	want := f.query(t, "SELECT count(*) FROM pc a JOIN pc b ON b.N = a.N")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("self-join: got %v, want %v", got, want)
	}
}

// TestSparseIDs: a full scan of an app whose record ids have wide gaps reads id ranges sized
// by the density it saw, not one request per mostly empty range.
func TestSparseIDs(t *testing.T) {
	var recs []string
	for i := 1; i <= 1200; i++ {
		recs = append(recs, fmt.Sprintf(`{"$id": {"value": "%d"}, "t": {"value": "r%d"}}`, i*1000, i))
	}
	js := `{"users": [{"code": "admin", "password": "pw"}], "apps": [{"id": 1, "name": "Sparse",
		"fields": {"t": {"type": "SINGLE_LINE_TEXT", "label": "T"}}, "records": [` + strings.Join(recs, ",") + `]}]}`
	fx, err := kintonesim.ParseFixture([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureFrom(t, fx)
	f.query(t, "SELECT 1 FROM Sparse LIMIT 1")
	f.sim.ResetRequests()
	rows := f.query(t, "SELECT Id FROM Sparse")
	if len(rows) != 1200 || rows[0][0] != int64(1000) || rows[1199][0] != int64(1200000) {
		t.Fatalf("%d rows", len(rows))
	}
	for i := 1; i < len(rows); i++ {
		if rows[i][0].(int64) <= rows[i-1][0].(int64) {
			t.Fatalf("not ascending at %d", i)
		}
	}
	if n := len(f.kintoneQueries("1")); n > 8 {
		t.Errorf("the scan of 1,200 sparse records sent %d requests", n)
	}
}

// TestExistsKeepsOffset: SQLite 3.51.2 lost the OFFSET of a query over a virtual table whose
// WHERE holds an EXISTS over another virtual table (its EXISTS-to-join rewrite); 3.54.1, which
// the driver is built with since, does not. Kept as a guard for SQLite upgrades.
func TestExistsKeepsOffset(t *testing.T) {
	f := newFixture(t, 10)
	tempCopies(t, f)
	f.query(t, "CREATE TEMP TABLE c AS SELECT * FROM 顧客リスト")
	for _, q := range []string{
		"SELECT Id FROM %D WHERE EXISTS (SELECT 1 FROM 顧客リスト) LIMIT 3 OFFSET 10",
		"SELECT Id FROM %D WHERE EXISTS (SELECT 1 FROM 顧客リスト) ORDER BY Id LIMIT 3 OFFSET 10",
		"SELECT Id FROM %D WHERE Id > 2 AND EXISTS (SELECT 1 FROM %D) LIMIT 10, 3",
	} {
		got := f.query(t, liveNames.Replace(q))
		want := f.query(t, strings.ReplaceAll(localNames.Replace(q), "顧客リスト", "c"))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %v\nwant %v", q, got, want)
		}
	}
}

// TestTempDateColumnsKeepValues: values in TEMP columns declared DATE, DATETIME or TIMESTAMP
// come back as stored (go-sqlite3 would turn unparsable text into year 1 and integers into
// Unix times).
func TestTempDateColumnsKeepValues(t *testing.T) {
	f := newFixture(t, 10)
	f.query(t, "CREATE TEMP TABLE td(a DATE, b DATETIME, c TIMESTAMP)")
	f.query(t, "INSERT INTO td VALUES ('not a date', 'abc', 20240229), ('2024-02-29', '2024-02-29T13:05:07Z', '2024-02-29 13:05:07')")
	got := f.query(t, "SELECT a, b, c FROM td")
	want := [][]any{{"not a date", "abc", int64(20240229)}, {"2024-02-29", "2024-02-29T13:05:07Z", "2024-02-29 13:05:07"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	s, err := f.eng.Execute(context.Background(), "SELECT a, b, c FROM td", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if cols := s.Columns(); cols[0].DeclType != "DATE" || cols[1].DeclType != "DATETIME" || cols[2].DeclType != "TIMESTAMP" {
		t.Errorf("declared types: %+v", cols)
	}
}
