package engine

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// analysisTables are the tables the analysis tests know, as they are declared; the SQLite
// oracle declares the same, and a view vw the lookup does not know.
var analysisTables = []struct {
	name    string
	columns []string
}{
	{"t", []string{"a", "b", "c", "Id", "数値", "x y"}},
	{"u", []string{"a", "k", "v", "left"}},
	{"Deals", []string{"Id", "Amount", "Customer", "Stage"}},
	{"受注明細 Orders", []string{"RecordId", "小計", "Id"}},
	{"one", []string{"only"}},
	{"kw", append([]string{"a"}, keywordsAsNames...)},
}

// keywordsAsNames are keywords SQLite also reads as names: its fallback list, the join
// operators, and the words its tokenizer reads by context (WINDOW, OVER, FILTER).
var keywordsAsNames = strings.Fields(`abort action after analyze asc attach before begin by
	cascade cast column conflict database deferred desc detach do each end exclusive explain
	fail for ignore immediate initially instead like glob regexp match no plan query key of
	offset pragma raise recursive release replace restrict row rows savepoint temp trigger
	vacuum view virtual with without nulls first last current following partition preceding
	range unbounded exclude groups others ties generated always materialized reindex rename
	current_time current_date current_timestamp if left right full inner cross natural outer
	indexed window over filter true false rowid returning`)

func analysisLookup(table string) ([]string, bool) {
	for _, t := range analysisTables {
		if foldIdent(t.name) == table {
			return t.columns, true
		}
	}
	return nil, false
}

// columnCases: what each statement may read of each table, "*" for every column; nil with
// unknown set for a statement the analysis cannot tell. A table not listed is not scanned.
var columnCases = []struct {
	sql     string
	read    map[string]string // folded table name → its columns read, sorted, comma-separated
	unknown bool
}{
	{sql: "SELECT a, b FROM t WHERE c = 1", read: map[string]string{"t": "a,b,c"}},
	{sql: "select ID, A from T", read: map[string]string{"t": "Id,a"}},
	{sql: "SELECT * FROM t", read: map[string]string{"t": "*"}},
	{sql: "SELECT t.* FROM t", read: map[string]string{"t": "*"}},
	{sql: "SELECT \"x y\", [数値], `Id` FROM t", read: map[string]string{"t": "Id,x y,数値"}},
	{sql: "SELECT count(*) FROM t", read: map[string]string{"t": ""}},
	{sql: "SELECT rowid FROM t", read: map[string]string{"t": ""}},
	{sql: "SELECT /* c, */ a FROM t WHERE b = 'FROM u JOIN one' -- , c\n", read: map[string]string{"t": "a,b"}},
	{sql: "SELECT a FROM t WHERE b = ? ORDER BY c COLLATE NOCASE DESC NULLS LAST LIMIT 10 OFFSET 5",
		read: map[string]string{"t": "a,b,c"}},
	{sql: "SELECT CASE WHEN a > 0 THEN CAST(b AS TEXT) ELSE c END FROM t", read: map[string]string{"t": "a,b,c"}},
	{sql: "SELECT a IS NOT DISTINCT FROM b FROM t", read: map[string]string{"t": "a,b"}},
	{sql: "SELECT group_concat(a ORDER BY b) FILTER (WHERE c) FROM t", read: map[string]string{"t": "a,b,c"}},
	{sql: "SELECT row_number() OVER (PARTITION BY b ORDER BY c) FROM t", read: map[string]string{"t": "b,c"}},
	{sql: "SELECT sum(a) OVER w FROM t WINDOW w AS (ORDER BY b)", read: map[string]string{"t": "a,b"}},
	{sql: "SELECT b, count(*) FROM t GROUP BY b HAVING max(c) > 1", read: map[string]string{"t": "b,c"}},
	{sql: `SELECT "小計" FROM "受注明細 Orders" o WHERE o.RecordId = 1`,
		read: map[string]string{"受注明細 orders": "RecordId,小計"}},
	{sql: "SELECT main.t.a FROM main.t", read: map[string]string{"t": "a"}},
	{sql: "SELECT a FROM 't'", read: map[string]string{"t": "a"}},

	// Joins: an unqualified name counts for every table that has such a column.
	{sql: "SELECT x.a FROM t AS x JOIN u ON x.b = u.k", read: map[string]string{"t": "a,b", "u": "k"}},
	{sql: "SELECT a FROM t JOIN u ON t.b = u.k", read: map[string]string{"t": "a,b", "u": "a,k"}},
	{sql: "SELECT a FROM t NATURAL JOIN u", read: map[string]string{"t": "*", "u": "*"}},
	{sql: "SELECT c FROM t JOIN u USING (a)", read: map[string]string{"t": "a,c", "u": "a"}},
	{sql: "SELECT t.a, u.k FROM (t JOIN u ON t.b = u.a)", read: map[string]string{"t": "a,b", "u": "a,k"}},
	{sql: "SELECT t.a FROM t JOIN u ON t.b = u.k, one WHERE only = 1",
		read: map[string]string{"t": "a,b", "u": "k", "one": "only"}},
	{sql: "SELECT t.a FROM t LEFT OUTER JOIN u ON t.b = u.k CROSS JOIN one",
		read: map[string]string{"t": "a,b", "u": "k", "one": ""}},
	// SQLite reads "left" here as u's column, not as LEFT JOIN.
	{sql: "SELECT t.a FROM t JOIN u ON t.b = left JOIN one ON 1",
		read: map[string]string{"t": "a,b", "u": "left", "one": ""}},
	{sql: "SELECT j.value FROM t, json_each(t.c) AS j WHERE t.a = 1", read: map[string]string{"t": "a,c"}},

	// Subqueries, correlated or not, and CTEs.
	{sql: "SELECT a FROM t WHERE b IN (SELECT k FROM u WHERE u.v = t.c)",
		read: map[string]string{"t": "a,b,c", "u": "k,v"}},
	{sql: "SELECT (SELECT max(v) FROM u WHERE k = a) AS m FROM t", read: map[string]string{"t": "a", "u": "a,k,v"}},
	{sql: "SELECT (SELECT count(*) FROM u) AS n, a FROM t", read: map[string]string{"t": "a", "u": ""}},
	{sql: "SELECT * FROM u WHERE EXISTS (SELECT 1 FROM t WHERE t.a = u.a AND b = v)",
		read: map[string]string{"t": "a,b", "u": "*"}},
	{sql: "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE EXISTS (SELECT 1 FROM one WHERE only = t.b))",
		read: map[string]string{"t": "a,b", "u": "", "one": "only"}},
	{sql: "SELECT a FROM t WHERE (b, c) IN (SELECT k, v FROM u)", read: map[string]string{"t": "a,b,c", "u": "k,v"}},
	{sql: "SELECT a FROM t WHERE b IN one", read: map[string]string{"t": "a,b", "one": "*"}},
	{sql: "SELECT s.a FROM (SELECT a, c FROM t) AS s", read: map[string]string{"t": "a,c"}},
	{sql: "SELECT s.a FROM (SELECT * FROM t) s", read: map[string]string{"t": "*"}},
	{sql: "WITH c AS (SELECT a, b FROM t) SELECT a FROM c", read: map[string]string{"t": "a,b"}},
	{sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT k FROM u, r",
		read: map[string]string{"u": "k"}},
	// A CTE named like a table: the table's scan is kept too (a superset).
	{sql: "WITH u AS (SELECT a FROM t) SELECT * FROM u", read: map[string]string{"t": "a", "u": "*"}},
	{sql: "WITH f AS (SELECT * FROM u), u AS (SELECT b AS k FROM t) SELECT k FROM f", read: map[string]string{"t": "b", "u": "*"}},
	{sql: "SELECT a FROM t UNION SELECT k FROM u ORDER BY 1", read: map[string]string{"t": "a", "u": "k"}},
	{sql: "VALUES (1), (2)", read: map[string]string{}},

	// Writes.
	{sql: "UPDATE t SET a = 1 WHERE b = 2", read: map[string]string{"t": "*"}},
	{sql: "UPDATE t SET a = u.v FROM u WHERE u.k = t.b", read: map[string]string{"t": "*", "u": "k,v"}},
	{sql: "DELETE FROM t WHERE b = 2 RETURNING c", read: map[string]string{"t": "b,c"}},
	{sql: "DELETE FROM t", read: map[string]string{"t": ""}},
	{sql: "DELETE FROM t WHERE a IN (SELECT k FROM u WHERE u.v = t.c)", read: map[string]string{"t": "a,c", "u": "k,v"}},
	{sql: "INSERT INTO t (a, b) VALUES (1, 2)", read: map[string]string{"t": ""}},
	{sql: "INSERT INTO t (a) SELECT k FROM u WHERE v > 0", read: map[string]string{"t": "", "u": "k,v"}},
	{sql: "INSERT INTO t (a) VALUES (1) RETURNING *", read: map[string]string{"t": "*"}},
	{sql: "INSERT INTO u (a, k) VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET k = excluded.k",
		read: map[string]string{"u": "*"}},
	{sql: "INSERT INTO u (a) VALUES (1) ON CONFLICT (a) DO NOTHING", read: map[string]string{"u": "a"}},

	// Unknown: not parsed, a view or unknown table, an undefined qualifier, a keyword read as
	// a name where a clause may start.
	{sql: "CREATE TEMP TABLE x AS SELECT a FROM t", unknown: true},
	{sql: "SELECT a FROM vw", unknown: true},
	{sql: "SELECT a FROM t, vw", unknown: true},
	{sql: "INSERT INTO vw VALUES (1)", unknown: true},
	{sql: "SELECT zz.a FROM t", unknown: true},
	{sql: "SELECT left FROM u", unknown: true},
	{sql: "SELECT a FROM u ORDER BY left", unknown: true},
	{sql: "SELECT a FROM (t JOIN u ON t.a = u.a) AS j", unknown: true},
	{sql: "SELECT a FROM t WHERE " + strings.Repeat("(", 1200) + "1" + strings.Repeat(")", 1200), unknown: true},
}

func TestColumnUse(t *testing.T) {
	o := newSQLiteOracle(t)
	for _, c := range columnCases {
		f := analyzeSQL(c.sql)
		u := f.columnUse(analysisLookup)
		if u.unknown != c.unknown {
			t.Errorf("%s\n unknown = %v, want %v (kind %v)", c.sql, u.unknown, c.unknown, f.kind)
			continue
		}
		got := map[string]string{}
		for _, sc := range u.scans {
			cols, all := u.read(sc.ref.name)
			got[sc.ref.name] = "*"
			if !all {
				got[sc.ref.name] = strings.Join(slices.Sorted(slices.Values(cols)), ",")
			}
		}
		if !c.unknown && !reflect.DeepEqual(got, c.read) {
			t.Errorf("%s\n read %v\n want %v", c.sql, got, c.read)
		}
		checkAgainstSQLite(t, o, c.sql, f)
	}
}

func TestColumnUsePerScan(t *testing.T) {
	f := analyzeSQL("SELECT x.a, y.b FROM t x JOIN t AS y ON x.c = y.c")
	u := f.columnUse(analysisLookup)
	want := []scanUse{
		{ref: tableRef{"t", "x", sourceTable}, columns: []string{"a", "c"}},
		{ref: tableRef{"t", "y", sourceTable}, columns: []string{"b", "c"}},
	}
	if !reflect.DeepEqual(u.scans, want) {
		t.Errorf("scans %+v\nwant %+v", u.scans, want)
	}
	if cols, all := u.read("t"); all || !reflect.DeepEqual(cols, []string{"a", "c", "b"}) {
		t.Errorf("read(t) = %v, %v", cols, all)
	}
	if _, all := u.read("u"); !all {
		t.Errorf("a table without a scan the analysis saw must read as every column")
	}
}

// keywordPlaces are statements with a name in each place one goes (column, alias, CTE, SET
// and INSERT columns); %[1]s is the name.
var keywordPlaces = []string{
	"SELECT %[1]s FROM kw", "SELECT a, %[1]s FROM kw", "SELECT %[1]s AS z FROM kw", "SELECT a %[1]s FROM kw",
	"SELECT max(%[1]s) FROM kw", "SELECT count(*) FROM kw WHERE %[1]s",
	"SELECT a FROM kw WHERE %[1]s = 1", "SELECT a FROM kw WHERE a = %[1]s", "SELECT a FROM kw WHERE NOT %[1]s",
	"SELECT a FROM kw WHERE a = - %[1]s", "SELECT a FROM kw WHERE a = (%[1]s)", "SELECT a FROM kw WHERE a IN (1, %[1]s)",
	"SELECT a FROM kw WHERE a BETWEEN %[1]s AND 2", "SELECT a FROM kw WHERE CASE %[1]s WHEN 1 THEN 1 END",
	"SELECT a FROM kw WHERE a = %[1]s COLLATE nocase", "SELECT a FROM kw WHERE %[1]s IS NOT NULL AND a",
	"SELECT a FROM kw WHERE a = %[1]s ORDER BY 1", "SELECT a FROM kw WHERE a = %[1]s LIMIT 1",
	"SELECT a FROM kw WHERE a = %[1]s UNION SELECT a FROM u", "SELECT a FROM kw WHERE a = %[1]s WINDOW w AS ()",
	"SELECT a FROM kw ORDER BY %[1]s", "SELECT a FROM kw GROUP BY %[1]s", "SELECT a FROM kw GROUP BY a HAVING %[1]s",
	"SELECT a FROM kw LIMIT %[1]s", "SELECT a FROM kw LIMIT 1 OFFSET %[1]s",
	"SELECT kw.a FROM kw JOIN u ON u.a = %[1]s JOIN one ON 1", "SELECT kw.a FROM kw JOIN u ON u.a = %[1]s LEFT JOIN one ON 1",
	"SELECT kw.a FROM kw JOIN u ON %[1]s JOIN one ON 1", "SELECT u.a FROM u JOIN kw USING (%[1]s)",
	"SELECT %[1]s.a FROM kw AS %[1]s", "SELECT %[1]s.a FROM kw %[1]s", "SELECT a FROM kw %[1]s WHERE a = 1",
	"SELECT kw.a FROM kw %[1]s, u WHERE %[1]s.a = u.k", "SELECT u.a FROM kw AS %[1]s JOIN u ON %[1]s.a = u.k",
	"SELECT a FROM u WHERE a IN (SELECT %[1]s FROM kw)", "SELECT (SELECT %[1]s FROM kw) FROM u",
	"SELECT * FROM u WHERE EXISTS (SELECT 1 FROM kw WHERE %[1]s = u.a)",
	"WITH %[1]s AS (SELECT a FROM kw) SELECT * FROM %[1]s", "WITH c AS (SELECT %[1]s FROM kw) SELECT * FROM c",
	"UPDATE kw SET %[1]s = 1", "UPDATE kw SET a = %[1]s", "UPDATE kw SET a = 1 WHERE %[1]s RETURNING a",
	"UPDATE kw AS %[1]s SET a = %[1]s.a", "DELETE FROM kw WHERE %[1]s", "DELETE FROM kw WHERE a = %[1]s RETURNING %[1]s",
	"DELETE FROM kw AS %[1]s WHERE %[1]s.a = 1", "INSERT INTO kw (%[1]s) VALUES (1)", "INSERT INTO kw (a) SELECT %[1]s FROM kw",
	"INSERT INTO kw (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET %[1]s = excluded.%[1]s",
	"INSERT INTO kw (a) VALUES (1) ON CONFLICT (a) DO NOTHING RETURNING %[1]s",
	"INSERT INTO kw AS %[1]s (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = %[1]s.a",
}

// TestKeywordsAsNames: where SQLite reads a keyword as a name, the analysis reads the same
// columns, or declines the statement (every column) when the word is one of its clause words
// (a column named "left" in "ORDER BY left").
func TestKeywordsAsNames(t *testing.T) {
	o := newSQLiteOracle(t)
	prepared := 0
	for _, place := range keywordPlaces {
		for _, k := range keywordsAsNames {
			for _, name := range []string{k, strings.ToUpper(k)} {
				sql := fmt.Sprintf(place, name)
				if _, ok := o.prepare(sql); !ok {
					continue
				}
				prepared++
				f := analyzeSQL(sql)
				if f.kind == stmtOther && !clauseWords[k] && k != "with" {
					t.Errorf("%s: not analysed", sql)
				}
				checkAgainstSQLite(t, o, sql, f)
			}
		}
	}
	if prepared == 0 {
		t.Fatal("SQLite prepared none of the statements")
	}
}

// countCases: the statements of the shape SELECT count(*) FROM t [WHERE …], and some that
// are not.
var countCases = []struct {
	sql   string
	want  *countShape
	valid bool // SQLite prepares it (with the analysis tables)
}{
	{"SELECT count(*) FROM t", &countShape{tableRef{"t", "t", sourceTable}, 0}, true},
	{"select COUNT(1) as n from Deals where Stage = 'won'", &countShape{tableRef{"deals", "deals", sourceTable}, 1}, true},
	{`SELECT count(*) "n" FROM t WHERE a IN (SELECT k FROM u)`, &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT Count ( * ) FROM main.t AS x WHERE x.a > 0 -- LIMIT 1", &countShape{tableRef{"t", "x", sourceTable}, 1}, true},
	// The WHERE's comparisons of a column with a value, each one constraint (BETWEEN two).
	{`SELECT count(*) FROM t WHERE a >= -1 AND 5 > "b" AND t.a <> ? AND a IS NOT :p AND b BETWEEN 'x' AND +2.5`, &countShape{tableRef{"t", "t", sourceTable}, 6}, true},
	{"SELECT count(*) FROM t WHERE a IS NULL AND b ISNULL AND a NOTNULL AND b NOT NULL AND a IS NOT NULL AND a IS 1", &countShape{tableRef{"t", "t", sourceTable}, 6}, true},
	// Anything else: -1.
	{"SELECT count(*) FROM t WHERE a = 1 OR a = 2", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE (a = 1)", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a = b", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a = 1 AND NOT b = 2", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a + 1 = 2", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE abs(a) = 2", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a = 1 COLLATE nocase", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a LIKE 'x%'", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a IN (1, 2)", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a NOT BETWEEN 1 AND 2", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a IS DISTINCT FROM 1", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE a = NULL", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t WHERE true = 1", &countShape{tableRef{"t", "t", sourceTable}, -1}, true},
	{"SELECT count(*) FROM t AS x WHERE t.a = 1", &countShape{tableRef{"t", "x", sourceTable}, -1}, false},
	{"SELECT count(a) FROM t", nil, true},
	{"SELECT count(NULL) FROM t", nil, true},
	{"SELECT count(*), 1 FROM t", nil, true},
	{"SELECT count(*) + 1 FROM t", nil, true},
	{"SELECT count(*) FILTER (WHERE a) FROM t", nil, true},
	{"SELECT count(*) OVER () FROM t", nil, true},
	{"SELECT count(*) FROM t GROUP BY a", nil, true},
	{"SELECT count(*) FROM t HAVING count(*) > 1", nil, true},
	{"SELECT DISTINCT count(*) FROM t", nil, true},
	{"SELECT count(*) FROM t LIMIT 1", nil, true},
	{"SELECT count(*) FROM t ORDER BY 1", nil, true},
	{"SELECT count(*) FROM t, u", nil, true},
	{"SELECT count(*) FROM t JOIN u ON t.a = u.a", nil, true},
	{"SELECT count(*) FROM (SELECT * FROM t)", nil, true},
	{"WITH t AS (SELECT 1) SELECT count(*) FROM t", nil, true},
	{"SELECT count(*) FROM json_each('[1]')", nil, true},
	{"SELECT count(*) FROM t UNION SELECT 1", nil, true},
	{"SELECT count(*) FROM", nil, false},
}

func TestCountShape(t *testing.T) {
	o := newSQLiteOracle(t)
	for _, c := range countCases {
		if got := analyzeSQL(c.sql).count; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s\n count shape %+v, want %+v", c.sql, got, c.want)
		}
		if _, ok := o.prepare(c.sql); ok != c.valid {
			t.Errorf("%s: SQLite prepares it: %v", c.sql, ok)
		}
	}
}

// sqliteOracle prepares statements against ordinary SQLite tables declared as analysisTables,
// and reports what SQLite's authorizer says each reads and writes.
type sqliteOracle struct {
	conn   *sqlite3.SQLiteConn
	events []authEvent
}

// authEvent is one authorizer call: an action code and its table and column.
type authEvent struct {
	op            int
	table, column string
}

func newSQLiteOracle(tb testing.TB) *sqliteOracle {
	c, err := (&sqlite3.SQLiteDriver{}).Open(":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	o := &sqliteOracle{conn: c.(*sqlite3.SQLiteConn)}
	for _, t := range analysisTables {
		var cols []string
		for i, col := range t.columns {
			decl := ""
			if i == 0 {
				decl = " UNIQUE" // a conflict target for UPSERT
			}
			cols = append(cols, schema.QuoteIdent(col)+decl)
		}
		o.exec(tb, "CREATE TABLE "+schema.QuoteIdent(t.name)+" ("+strings.Join(cols, ", ")+")")
	}
	o.exec(tb, "CREATE VIEW vw AS SELECT a, b FROM t")
	o.conn.RegisterAuthorizer(func(op int, arg1, arg2, _ string) int {
		o.events = append(o.events, authEvent{op, arg1, arg2})
		return sqlite3.SQLITE_OK
	})
	return o
}

func (o *sqliteOracle) exec(tb testing.TB, sql string) {
	if _, err := o.conn.Exec(sql, nil); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// prepare prepares (never runs) sql and returns the authorizer's calls; ok is false when
// SQLite rejects the statement.
func (o *sqliteOracle) prepare(sql string) (events []authEvent, ok bool) {
	o.events = nil
	st, err := o.conn.Prepare(sql)
	if err != nil {
		return nil, false
	}
	st.Close()
	return o.events, true
}

// checkAgainstSQLite fails tb when SQLite, preparing sql, reads a column of an analysis table
// that the facts f leave out, or writes otherwise than f says. A statement the analysis did
// not read (kind stmtOther) claims nothing.
func checkAgainstSQLite(tb testing.TB, o *sqliteOracle, sql string, f sqlFacts) {
	if f.kind == stmtOther || strings.IndexByte(sql, 0) >= 0 { // go-sqlite3 cuts the text at a NUL
		return
	}
	events, ok := o.prepare(sql)
	if !ok {
		return
	}
	u := f.columnUse(analysisLookup)
	var writes []authEvent
	for _, e := range events {
		table := foldIdent(e.table)
		cols, known := analysisLookup(table)
		switch {
		case !known:
		case e.op == sqlite3.SQLITE_READ && slices.ContainsFunc(cols, func(c string) bool { return foldIdent(c) == foldIdent(e.column) }):
			if read, all := u.read(table); !all && !slices.ContainsFunc(read, func(c string) bool { return foldIdent(c) == foldIdent(e.column) }) {
				tb.Errorf("%q: SQLite reads %s.%s; the analysis says %s reads only %v", sql, e.table, e.column, table, read)
			}
		case e.op == sqlite3.SQLITE_INSERT, e.op == sqlite3.SQLITE_UPDATE, e.op == sqlite3.SQLITE_DELETE:
			writes = append(writes, authEvent{e.op, table, foldIdent(e.column)})
		}
	}
	checkWrites(tb, sql, f, writes)
}

// checkWrites compares what SQLite's authorizer says a statement writes with its write facts:
// the target, and the columns SET and DO UPDATE SET assign.
func checkWrites(tb testing.TB, sql string, f sqlFacts, writes []authEvent) {
	w := f.write
	if w == nil {
		if len(writes) > 0 {
			tb.Errorf("%q: SQLite writes %v; the analysis says kind %v", sql, writes, f.kind)
		}
		return
	}
	op := map[stmtKind]int{stmtInsert: sqlite3.SQLITE_INSERT, stmtUpdate: sqlite3.SQLITE_UPDATE, stmtDelete: sqlite3.SQLITE_DELETE}[f.kind]
	assigned := map[string]bool{}
	for _, c := range w.set {
		assigned[c] = true
	}
	for _, up := range w.upserts {
		for _, c := range up.set {
			assigned[c] = true
		}
	}
	sqliteAssigned := map[string]bool{}
	sawTarget := false
	for _, e := range writes {
		if e.table != w.target.name {
			tb.Errorf("%q: SQLite writes %s; the analysis says %s", sql, e.table, w.target.name)
		}
		sawTarget = sawTarget || e.op == op
		if e.op == sqlite3.SQLITE_UPDATE {
			sqliteAssigned[e.column] = true
		}
	}
	if !sawTarget {
		tb.Errorf("%q: SQLite's writes %v are not of kind %v", sql, writes, f.kind)
	}
	if !reflect.DeepEqual(assigned, sqliteAssigned) {
		tb.Errorf("%q: SQLite assigns %v; the analysis says %v", sql, sqliteAssigned, assigned)
	}
}
