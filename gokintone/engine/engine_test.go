package engine

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

type fixture struct {
	sim *kintonesim.Server
	eng *Engine
	kc  *kclient.Client
}

func newFixture(t *testing.T, orders int) *fixture {
	t.Helper()
	return newFixtureFrom(t, sample.Fixture(sample.Options{OrderRecords: orders}))
}

func newFixtureFrom(t *testing.T, f *kintonesim.Fixture) *fixture {
	t.Helper()
	return newFixtureWith(t, f, Options{MaxRows: -1})
}

// newFixtureWith serves f from a fresh simulator and opens an engine with opts on it, as the
// fixture's first user with a password.
func newFixtureWith(t testing.TB, f *kintonesim.Fixture, opts Options) *fixture {
	t.Helper()
	sim, err := kintonesim.New(f, kintonesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	var user, pass string
	for _, us := range f.Users {
		if us.Password != "" {
			user, pass = us.Code, us.Password
			break
		}
	}
	kc, err := kclient.New(kclient.Config{BaseURL: u, User: user, Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Open(kc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &fixture{sim: sim, eng: eng, kc: kc}
}

func (f *fixture) query(t *testing.T, sql string, args ...any) [][]any {
	t.Helper()
	rows, err := f.try(sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows
}

func (f *fixture) try(sql string, args ...any) ([][]any, error) {
	s, err := f.eng.Execute(context.Background(), sql, args)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var all [][]any
	for {
		rows, done, err := s.Fetch(1000)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
		if done {
			return all, nil
		}
	}
}

// kintoneQueries returns the query parameters of the records.json requests for app since
// the log was last reset.
func (f *fixture) kintoneQueries(app string) []string {
	var qs []string
	for _, r := range f.sim.Requests() {
		if r.Path == "/k/v1/records.json" && r.App == app {
			qs = append(qs, r.Query)
		}
	}
	return qs
}

// TestMatchesSQLite runs each query against the kintone tables and against a TEMP copy of the
// same rows: the results must be identical, whatever was pushed down.
func TestMatchesSQLite(t *testing.T) {
	matchesCopies(t, newFixture(t, 1200), []copyQuery{
		{"SELECT * FROM %D WHERE Id = 7", nil},
		{"SELECT * FROM %D WHERE Id = ?", []any{"7"}},
		{"SELECT Id FROM %D WHERE Id > 1990 OR Id < 3 ORDER BY Id", nil},
		{"SELECT Id, Amount FROM %D WHERE Amount > ? AND Amount <= 3000000", []any{int64(2500000)}},
		{"SELECT Id, Amount FROM %D WHERE Amount >= '2500000.5'", nil},
		{"SELECT Id, Amount FROM %D WHERE Amount != 0 AND Id BETWEEN 10 AND 60", nil},
		{"SELECT Id, Stage FROM %D WHERE Stage = 'Won'", nil},
		{"SELECT Id, Stage FROM %D WHERE Stage != 'Won' AND Id < 100", nil},
		{"SELECT Id, Stage FROM %D WHERE Stage IN ('Won', 'Lost') AND Id < 200 ORDER BY Id", nil},
		{"SELECT Id FROM %D WHERE Stage = 'won'", nil},
		{"SELECT Id, [Deal name] FROM %D WHERE [Deal name] LIKE 'erp%'", nil},
		{"SELECT Id, [Close date] FROM %D WHERE [Close date] >= '2026-01-01' AND [Close date] < ?", []any{"2026-02-01"}},
		{"SELECT Id, [Last contact] FROM %D WHERE [Last contact] > '2025-11-26T21:13:30Z'", nil},
		{"SELECT Id, [Last contact] FROM %D WHERE [Last contact] <= '2025-06-01'", nil},
		{"SELECT Id FROM %D WHERE [Last contact] IS NULL", nil},
		{"SELECT Id FROM %D WHERE Notes IS NOT NULL AND Id < 300", nil},
		{"SELECT Id FROM %D WHERE Priority IS NULL", nil},
		{"SELECT Id, [Call time] FROM %D WHERE [Call time] >= '12:00:00'", nil},
		{"SELECT Id, Customer FROM %D WHERE Customer = ?", []any{"東京ユニ電機株式会社"}},
		{"SELECT Id FROM %D ORDER BY Id DESC LIMIT 5", nil},
		{"SELECT Id FROM %D WHERE Id > 100 ORDER BY Id DESC LIMIT 5 OFFSET 2", nil},
		{"SELECT Id FROM %D LIMIT 3 OFFSET 1995", nil},
		{"SELECT Id, Amount FROM %D WHERE Amount > 1000000 LIMIT 7 OFFSET 3", nil},
		{"SELECT Id, Amount FROM %D ORDER BY Amount DESC, Id LIMIT 10", nil},
		{"SELECT Stage, COUNT(*), SUM(Amount) FROM %D GROUP BY Stage ORDER BY Stage", nil},
		{"SELECT Id FROM %D WHERE Amount = 'abc'", nil},
		{"SELECT Id FROM %D WHERE Stage = 5", nil},
		{"SELECT Id FROM %D WHERE Stage = 'Won' COLLATE NOCASE AND Id < 50", nil},
		{"SELECT Id FROM %D WHERE Id IN (3, 5, 7, 900) ORDER BY 1", nil},
		{"SELECT Id FROM %D WHERE Id IS 5", nil},
		{"SELECT Id FROM %D WHERE Id IS NULL", nil},
		{"SELECT count(*) FROM %O", nil},
		{"SELECT Id FROM %O WHERE Id > 1100 ORDER BY Id", nil},
		{"SELECT RecordId, count(*), sum(小計) FROM %I WHERE RecordId < 40 GROUP BY RecordId ORDER BY RecordId", nil},
		{"SELECT * FROM %I WHERE 数量 > 5 AND RecordId BETWEEN 100 AND 120 ORDER BY Id", nil},
		{"SELECT o.Id, count(i.Id) FROM %O o JOIN %I i ON i.RecordId = o.Id WHERE o.Id < 30 GROUP BY o.Id ORDER BY o.Id", nil},
	})
}

// TestOneTableUnderTwoNames: a statement that reads Deals under two names (Deals and App_2)
// holds one copy of its rows for both, which must carry the fields each name reads (a scan
// under one name once asked kintone only for the fields read under that name, and the other
// read NULLs from the shared rows).
func TestOneTableUnderTwoNames(t *testing.T) {
	matchesCopies(t, newFixture(t, 300), []copyQuery{
		{"SELECT a.Id, a.Stage, (SELECT b.Amount FROM %D b ORDER BY b.Id LIMIT 1) FROM %A a WHERE a.Id IN (250, 4, 120) ORDER BY a.Stage, a.Id", nil},
		{"SELECT a.Id, a.Stage, b.Amount FROM %A a JOIN %D b ON b.Id = a.Id + 1 WHERE a.Id < 40 ORDER BY a.Id", nil},
		{"SELECT Id, (SELECT count(*) FROM %A x WHERE x.Stage = d.Stage) FROM %D d WHERE Id IN (3, 9, 27) ORDER BY 2, 1", nil},
	})
}

// copyQuery is a statement over %D (Deals, also %A: its other name App_2), %O (Orders) and %I
// (Orders_明細), with its parameters.
type copyQuery struct {
	sql  string
	args []any
}

// matchesCopies runs each query on the kintone tables and on TEMP copies of them, plain
// SQLite tables holding the same rows, and reports where the answers differ.
func matchesCopies(t *testing.T, f *fixture, queries []copyQuery) {
	t.Helper()
	f.query(t, "CREATE TEMP TABLE d AS SELECT * FROM Deals")
	f.query(t, `CREATE TEMP TABLE o AS SELECT * FROM "受注明細 Orders"`)
	f.query(t, `CREATE TEMP TABLE i AS SELECT * FROM "受注明細 Orders_明細"`)
	for _, q := range queries {
		live := strings.NewReplacer("%D", "Deals", "%A", "App_2", "%O", `"受注明細 Orders"`, "%I", `"受注明細 Orders_明細"`).Replace(q.sql)
		local := strings.NewReplacer("%D", "d", "%A", "d", "%O", "o", "%I", "i").Replace(q.sql)
		got := f.query(t, live, q.args...)
		want := f.query(t, local, q.args...)
		// Without ORDER BY both sides return rows in ascending Id: the kintone tables by
		// design, the TEMP copies in insertion order.
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %d rows: %v\nwant %d rows: %v", live, len(got), head(got), len(want), head(want))
		}
	}
}

func head(rows [][]any) string {
	if len(rows) > 5 {
		return fmt.Sprint(rows[:5]) + "…"
	}
	return fmt.Sprint(rows)
}

// TestPushdownSent checks what reaches kintone: filter, order and limit in the query, and the
// number of requests.
func TestPushdownSent(t *testing.T) {
	f := newFixture(t, 1200)
	f.query(t, "SELECT Id FROM Deals LIMIT 1") // declares the table
	cases := []struct {
		sql  string
		want []string
	}{
		{"SELECT Id FROM Deals WHERE Id > 100 ORDER BY Id DESC LIMIT 5 OFFSET 2",
			[]string{"$id > 100 order by $id desc limit 5 offset 2"}},
		{"SELECT Id FROM Deals WHERE Id = 7",
			[]string{"$id = 7 order by $id asc limit 500"}},
		{"SELECT Id FROM Deals WHERE Amount > 2500000 AND Stage = 'Won' AND Id <= 600",
			[]string{`amount > 2500000 and stage in ("Won") and $id <= 600 order by $id asc limit 500`}},
		{`SELECT Id FROM Deals WHERE [Deal name] = 'a"b\c'`,
			[]string{`deal_name = "a\"b\\c" order by $id asc limit 500`}},
		{"SELECT Id FROM Deals WHERE [Last contact] IS NULL AND [Deal name] IS NOT NULL AND Id < 50",
			[]string{`$id < 50 and deal_name != "" order by $id asc limit 500`}},
		{"SELECT Id FROM Deals WHERE [Deal name] LIKE 'ERP%' AND Id < 50",
			[]string{`$id < 50 order by $id asc limit 500`}},
		// With a COLLATE in the statement, conditions on ids and IS NULL are still sent: no
		// collation changes them.
		{"SELECT Id FROM Deals WHERE Id BETWEEN 7 AND 9 AND Stage = 'won' COLLATE NOCASE AND [Deal name] IS NOT NULL",
			[]string{`deal_name != "" and $id >= 7 and $id <= 9 order by $id asc limit 500`}},
	}
	for _, c := range cases {
		f.sim.ResetRequests()
		f.query(t, c.sql)
		got := f.kintoneQueries("2")
		if len(got) != len(c.want) {
			t.Errorf("%s: sent %d requests %q, want %d %q", c.sql, len(got), got, len(c.want), c.want)
			continue
		}
		for i := range got {
			want := c.want[i]
			if got[i] != want {
				t.Errorf("%s: request %d = %q, want %q", c.sql, i, got[i], want)
			}
		}
	}
}

// TestPagingPast10000 reads an app of 12,000 records: seek paging, 24 requests, every id once
// in ascending order.
func TestPagingPast10000(t *testing.T) {
	if testing.Short() {
		t.Skip("large data")
	}
	f := newFixture(t, 12000)
	f.query(t, `SELECT Id FROM "受注明細 Orders" LIMIT 1`)
	f.sim.ResetRequests()
	rows := f.query(t, `SELECT Id FROM "受注明細 Orders"`)
	if len(rows) != 12000 {
		t.Fatalf("got %d rows", len(rows))
	}
	for i, r := range rows {
		if r[0] != int64(i+1) {
			t.Fatalf("row %d has Id %v", i, r[0])
		}
	}
	// The first page, a probe for the largest id, then id ranges of 2,000 read four at a time:
	// 5 ranges of 4 pages and one of 3.
	qs := f.kintoneQueries("3")
	if len(qs) != 25 {
		t.Errorf("sent %d requests, want 25: %q", len(qs), qs)
	}
	if qs[0] != "order by $id asc limit 500" || qs[1] != "order by $id desc limit 1" {
		t.Errorf("queries: %q, %q", qs[0], qs[1])
	}
	ranges := 0
	for _, q := range qs[2:] {
		if strings.Contains(q, "offset") || !strings.Contains(q, " and $id <= ") {
			t.Errorf("range query %q", q)
		}
		if strings.HasPrefix(q, "$id > 10500 and $id <= 12000 ") {
			ranges++
		}
	}
	if ranges != 1 {
		t.Errorf("the last range was started %d times", ranges)
	}
	// With one request at a time the same scan pages by seeking only.
	f.eng.opts.ScanParallelism = 1
	f.sim.ResetRequests()
	if rows := f.query(t, `SELECT Id FROM "受注明細 Orders"`); len(rows) != 12000 {
		t.Fatalf("sequential: %d rows", len(rows))
	}
	qs = f.kintoneQueries("3")
	if len(qs) != 25 || qs[21] != "$id > 10500 order by $id asc limit 500" {
		t.Errorf("sequential: %d requests: %q", len(qs), qs)
	}
	// An OFFSET beyond kintone's 10,000 still works.
	got := f.query(t, `SELECT Id FROM "受注明細 Orders" LIMIT 2 OFFSET 10500`)
	if !reflect.DeepEqual(got, [][]any{{int64(10501)}, {int64(10502)}}) {
		t.Errorf("offset 10500: %v", got)
	}
}

// TestJoinRequests: a join must not cost a request per outer row.
func TestJoinRequests(t *testing.T) {
	f := newFixture(t, 1200)
	f.query(t, "SELECT 1 FROM Deals, 顧客リスト LIMIT 1")
	f.sim.ResetRequests()
	rows := f.query(t, "SELECT d.Id, c.業種 FROM Deals d JOIN 顧客リスト c ON c.Id = d.Id % 50 + 1 WHERE d.Id <= 400")
	if len(rows) != 400 {
		t.Fatalf("got %d rows", len(rows))
	}
	n := len(f.sim.Requests())
	if n > 20 {
		t.Errorf("the join sent %d requests", n)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t, 100)
	cases := []struct {
		sql  string
		kind kerr.Kind
		text string
	}{
		{"SELECT * FROM NoSuchApp", kerr.KindSQL, "no such table: NoSuchApp"},
		{"SELECT nope FROM Deals", kerr.KindSQL, "no such column: nope"},
		{"SELEC 1", kerr.KindSQL, "syntax error"},
		{"SELECT 1; SELECT 2", kerr.KindSQL, "only one SQL statement"},
		// Text without a statement: SQLite prepares none, which go-sqlite3 would run into a crash.
		{"", kerr.KindSQL, "holds no statement"},
		{" ;; -- nothing\n /* here */ ;", kerr.KindSQL, "holds no statement"},
		{"/* never closed", kerr.KindSQL, "holds no statement"},
		{"ATTACH 'x.db' AS x", kerr.KindNotSupported, "not authorized"},
		{"CREATE TABLE t(a)", kerr.KindNotSupported, "not authorized"},
		{"PRAGMA writable_schema = 1", kerr.KindNotSupported, "not authorized"},
	}
	for _, c := range cases {
		_, err := f.try(c.sql)
		if err == nil {
			t.Errorf("%s: no error", c.sql)
			continue
		}
		if got := kerr.KindOf(err); got != c.kind || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %s %q, want %s containing %q", c.sql, got, err, c.kind, c.text)
		}
	}
	if _, err := f.try("SELECT ?", 1, 2); err == nil || !strings.Contains(err.Error(), "1 parameter marker(s) but 2") {
		t.Errorf("parameter count: %v", err)
	}
	// TEMP tables are allowed.
	f.query(t, "CREATE TEMP TABLE scratch(a INTEGER)")
	f.query(t, "INSERT INTO scratch VALUES (1)")
}

func TestSystemTables(t *testing.T) {
	f := newFixture(t, 100)
	rows := f.query(t, "SELECT TableName, AppId, ParentTable FROM sys_tables ORDER BY AppId, TableName")
	var names []string
	for _, r := range rows {
		names = append(names, r[0].(string))
	}
	want := []string{"顧客リスト", "Deals", "受注明細 Orders", "受注明細 Orders_明細"}
	for _, w := range want {
		found := false
		for _, n := range names {
			found = found || n == w
		}
		if !found {
			t.Errorf("sys_tables lacks %q: %q", w, names)
		}
	}
	cols := f.query(t, "SELECT ColumnName, DataTypeName, FieldType FROM sys_tablecolumns WHERE TableName = 'Deals' AND ColumnName IN ('Id', 'Amount', 'Close date')  ORDER BY Ordinal")
	wantCols := [][]any{{"Id", "INTEGER", "__ID__"}, {"Amount", "DECIMAL", "NUMBER"}, {"Close date", "DATE", "DATE"}}
	if !reflect.DeepEqual(cols, wantCols) {
		t.Errorf("sys_tablecolumns: %v", cols)
	}
	// The app list is read once per connection: listing again sends no request.
	f.sim.ResetRequests()
	f.query(t, "SELECT count(*) FROM sys_tables")
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("sys_tables again sent %d requests", n)
	}
}

// TestAffinityConversions checks the Go copy of SQLite's affinity rules against SQLite itself.
func TestAffinityConversions(t *testing.T) {
	f := newFixture(t, 10)
	f.query(t, "CREATE TEMP TABLE aff(n NUMERIC, i INTEGER, r REAL, x TEXT)")
	inputs := []any{"12", " 12 ", "-1.5", "1e3", "+.5", "1e", "abc", "0x10", "inf", "1_000", ".", "",
		"9223372036854775807", "9223372036854775808", "1.0", "007", int64(5), 2.5, -0.25}
	for _, in := range inputs {
		f.query(t, "DELETE FROM aff")
		f.query(t, "INSERT INTO aff VALUES (?, ?, ?, ?)", in, in, in, in)
		want := f.query(t, "SELECT n, i, r, x FROM aff")[0]
		got := []any{applyAffinity(in, schema.AffNumeric), applyAffinity(in, schema.AffInteger),
			applyAffinity(in, schema.AffReal), applyAffinity(in, schema.AffText)}
		// Compared as SQLite compares (REAL 5.0 equals INTEGER 5), since the Go side only
		// prepares comparisons.
		for k := range got {
			if class(got[k]) != class(want[k]) || compareValues(got[k], want[k]) != 0 {
				t.Errorf("affinity %d of %#v: got %#v, SQLite stores %#v", k, in, got[k], want[k])
			}
		}
	}
}

// TestRepeatedFullScan: a table scanned whole again in one statement (the inner side of a
// join without a usable condition) is read at most twice, then served from memory.
func TestRepeatedFullScan(t *testing.T) {
	f := newFixture(t, 100)
	f.query(t, "SELECT 1 FROM Deals LIMIT 1")
	f.sim.ResetRequests()
	rows := f.query(t, "SELECT a.Id, (SELECT count(*) FROM Deals b WHERE b.Amount + 0 >= a.Amount) FROM Deals a WHERE a.Id <= 4 ORDER BY a.Id")
	if len(rows) != 4 {
		t.Fatalf("rows %v", rows)
	}
	// a: one request. b (2,000 records, read whole): 1 page + probe + 3 pages per full read;
	// at most read on the first outer row and again for the cache on the second, then served
	// from memory (SQLite may avoid the repeated scans itself).
	if n := len(f.kintoneQueries("2")); n > 11 {
		t.Errorf("%d requests, want at most 11: %q", n, f.kintoneQueries("2"))
	}
}

// TestResultColumnTypes checks the type names and type codes a query reports: from the type
// table for plain references to kintone columns (through aliases and views too), by the value
// for expressions. Id is the row's own id (ROWID) in app and child tables; RecordId is not.
func TestResultColumnTypes(t *testing.T) {
	f := newFixture(t, 10)
	f.query(t, "CREATE TEMP VIEW ids AS SELECT Id AS DealId FROM Deals")
	for sql, want := range map[string][]Column{
		"SELECT Id, Revision, Amount, [Close date], [Last contact], [Call time], [Deal name], Id + 0 FROM Deals": {
			{"Id", "INTEGER", "ROWID"}, {"Revision", "INTEGER", "NUMBER"}, {"Amount", "DECIMAL", "NUMBER"},
			{"Close date", "DATE", "DATETIME"}, {"Last contact", "DATETIME", "DATETIME"}, {"Call time", "TIME", "DATETIME"},
			{"Deal name", "VARCHAR", "STRING"}, {"Id + 0", "", "NUMBER"}},
		"SELECT Id AS i, RecordId FROM [受注明細 Orders_明細]": {{"i", "INTEGER", "ROWID"}, {"RecordId", "INTEGER", "NUMBER"}},
		"SELECT DealId FROM ids":                         {{"DealId", "INTEGER", "ROWID"}},
	} {
		s, err := f.eng.Execute(context.Background(), sql, nil)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := s.Columns(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", sql, got, want)
		}
		s.Close()
	}
}

// TestKeySystemTables checks the keys generic tools reflect: every table's primary key and
// the child tables' references to their apps.
func TestKeySystemTables(t *testing.T) {
	f := newFixture(t, 10)
	check := func(sql string, want [][]any) {
		t.Helper()
		if got := f.query(t, sql); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", sql, got, want)
		}
	}
	check("SELECT * FROM sys_catalogs", [][]any{{"CData"}})
	check("SELECT * FROM sys_schemas", [][]any{{"CData", "Kintone"}})
	check("SELECT ColumnName, KeySeq, KeyName FROM sys_primarykeys WHERE TableName IN ('Deals', 'Comments') ORDER BY TableName, KeySeq",
		[][]any{{"Id", int64(1), "PK_Comments"}, {"AppId", int64(2), "PK_Comments"}, {"RecordId", int64(3), "PK_Comments"},
			{"Id", int64(1), "PK_Deals"}})
	check("SELECT TableName, ColumnName, ForeignKeyName, ReferencedTableName, ReferencedColumnName, PrimaryKeyName, ForeignKeyType FROM sys_foreignkeys",
		[][]any{{"受注明細 Orders_明細", "RecordId", "FK_受注明細 Orders_明細_受注明細 Orders", "受注明細 Orders", "Id", "PK_受注明細 Orders", "FOREIGNKEY"}})
	check("SELECT ColumnName, IsKey, IsForeignKey, PrimaryKeyName, ReferencedTableName FROM sys_keycolumns WHERE TableName = '受注明細 Orders_明細' ORDER BY ColumnName",
		[][]any{{"Id", int64(1), int64(0), "PK_受注明細 Orders_明細", nil}, {"RecordId", int64(0), int64(1), "PK_受注明細 Orders", "受注明細 Orders"}})
	check("SELECT IndexName, ColumnName, IsUnique, IsPrimary, OrdinalPosition FROM sys_indexes WHERE TableName = 'Deals'",
		[][]any{{"PK_Deals", "Id", int64(1), int64(1), int64(1)}})
	// Every table has a primary key, and sys_tablecolumns agrees with it.
	check("SELECT TableName FROM sys_tables WHERE TableName NOT IN (SELECT TableName FROM sys_primarykeys)", nil)
	check(`SELECT count(*) FROM sys_tablecolumns c WHERE IsKey <> EXISTS (
		SELECT 1 FROM sys_primarykeys k WHERE k.TableName = c.TableName AND k.ColumnName = c.ColumnName)`, [][]any{{int64(0)}})
	check("SELECT VALUE FROM sys_sqlinfo WHERE NAME = 'SUPPORT_TRANSACTION'", [][]any{{"NO"}})
	check("SELECT Product, Version, Datasource, License FROM sys_information", [][]any{{"cdata-kintone", "devel", "kintone", "Apache-2.0"}})
	check("SELECT count(*) FROM sys_identity", [][]any{{int64(0)}})
}

// TestSchemaShapingOptions checks UseSimpleNames, CheckForSubtablesIn (SubtablesIn) and Tables
// (ListedTables) as a user sees them: in the tables listed and the names queries use.
func TestSchemaShapingOptions(t *testing.T) {
	open := func(opts Options) *fixture {
		opts.MaxRows = -1
		return newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 3}), opts)
	}
	tableNames := func(f *fixture) []any {
		var names []any
		for _, r := range f.query(t, "SELECT TableName FROM sys_tables ORDER BY TableName") {
			names = append(names, r[0])
		}
		return names
	}

	simple := open(Options{Schema: schema.Options{UseSimpleNames: true}})
	names := tableNames(simple)
	want := []any{"Comments", "Deals", "_____", "_____Orders", "_____Orders___"}
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("UseSimpleNames: tables %v lack %q", names, w)
		}
	}
	cols := simple.query(t, "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = 'Deals' AND ColumnName = 'Close_date'")
	if len(cols) != 1 {
		t.Errorf("UseSimpleNames: Deals has no column Close_date")
	}
	// Simple names need no quoting.
	simple.query(t, "SELECT Id, Close_date FROM Deals ORDER BY Id LIMIT 1")
	simple.query(t, "SELECT RecordId FROM _____Orders___ LIMIT 1")

	noChildren := open(Options{Schema: schema.Options{SubtablesIn: []string{"Deals"}}})
	if got := noChildren.query(t, "SELECT count(*) FROM sys_tables WHERE ParentTable IS NOT NULL"); got[0][0] != int64(0) {
		t.Errorf("SubtablesIn=Deals: %v child tables", got[0][0])
	}
	if _, err := noChildren.try("SELECT * FROM [受注明細 Orders_明細]"); err == nil {
		t.Errorf("SubtablesIn=Deals: the child table of another app exists")
	}

	listed := open(Options{ListedTables: []string{"deals", "受注明細 Orders_明細"}, ListedViews: []string{"nothing"}})
	if got := tableNames(listed); !reflect.DeepEqual(got, []any{"Deals", "受注明細 Orders_明細"}) {
		t.Errorf("ListedTables: tables %v", got)
	}
	// The apps not listed are not read to list the tables, and can still be queried.
	for _, req := range listed.sim.Requests() {
		if strings.HasSuffix(req.Path, "/form/fields.json") && req.App != fmt.Sprint(sample.DealsApp) && req.App != fmt.Sprint(sample.OrdersApp) {
			t.Errorf("ListedTables: the fields of app %s were read", req.App)
		}
	}
	listed.query(t, "SELECT count(*) FROM [顧客リスト]")
}
