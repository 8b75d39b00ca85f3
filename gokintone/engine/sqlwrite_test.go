package engine

import (
	"reflect"
	"testing"
)

// writeCases: the kind and write facts of statements (write without its scope).
var writeCases = []struct {
	sql   string
	kind  stmtKind
	write *writeFacts
}{
	{"INSERT INTO t (a, \"B\") VALUES (1, 2), (3, (SELECT max(k) FROM u))", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, columns: []string{"a", "b"}, source: insertValues, rows: 2}},
	{"insert or replace into main.T values (1, 2, 3, 4, 5, 6)", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, conflict: "replace", source: insertValues, rows: 1}},
	{"REPLACE INTO t (a) SELECT k FROM u", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, conflict: "replace", columns: []string{"a"}, source: insertSelect}},
	{"INSERT OR IGNORE INTO t DEFAULT VALUES", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, conflict: "ignore", source: insertDefault, rows: 1}},
	{"INSERT INTO t (a) VALUES (1) UNION ALL SELECT 2", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, columns: []string{"a"}, source: insertSelect}},
	{"INSERT INTO t (a) VALUES (1), (2) LIMIT 1", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, columns: []string{"a"}, source: insertSelect}},
	{"INSERT INTO t ('a', [b]) VALUES ('x', 'y')", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, columns: []string{"a", "b"}, source: insertValues, rows: 1}},
	{"WITH c(x) AS (SELECT k FROM u) INSERT INTO t (a) SELECT x FROM c RETURNING a, t.b AS bee", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, with: true, columns: []string{"a"}, source: insertSelect,
		returning: &returningClause{columns: []string{"a", "b"}}}},
	{"INSERT INTO t (a) WITH c AS (SELECT 1) SELECT * FROM c", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, columns: []string{"a"}, source: insertSelect}},
	{`INSERT INTO u AS n (a, k) VALUES ('ON CONFLICT DO NOTHING', 1)
		ON CONFLICT (a) WHERE k > 0 DO UPDATE SET (k, v) = (excluded.k, n.v), "left" = 1 WHERE n.k IS NOT excluded.k
		ON CONFLICT DO NOTHING RETURNING *`, stmtInsert, &writeFacts{
		target: tableRef{"u", "n", sourceTable}, columns: []string{"a", "k"}, source: insertValues, rows: 1,
		upserts: []upsertClause{
			{target: []string{"a"}, targetWhere: true, set: []string{"k", "v", "left"}, updateWhere: true},
			{doNothing: true}},
		returning: &returningClause{star: true}}},
	{"INSERT INTO u (a) VALUES (1) ON CONFLICT (a DESC) DO NOTHING", stmtInsert, &writeFacts{
		target: tableRef{"u", "u", sourceTable}, columns: []string{"a"}, source: insertValues, rows: 1,
		upserts: []upsertClause{{target: []string{"a"}, doNothing: true}}}},
	{"INSERT INTO u (a) VALUES (1) ON CONFLICT (a COLLATE nocase) DO NOTHING", stmtInsert, &writeFacts{
		target: tableRef{"u", "u", sourceTable}, columns: []string{"a"}, source: insertValues, rows: 1,
		upserts: []upsertClause{{targetExpr: true, doNothing: true}}}},
	{"INSERT INTO t SELECT * FROM u WHERE true ON CONFLICT DO NOTHING", stmtInsert, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, source: insertSelect, upserts: []upsertClause{{doNothing: true}}}},

	{"UPDATE t SET a = 1, (b, c) = (SELECT k, v FROM u WHERE u.a = t.a) WHERE Id IN (SELECT k FROM u)", stmtUpdate, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, set: []string{"a", "b", "c"}}},
	{"update or rollback \"t\" as x set \"x y\" = [数値] + 1 from u where u.k = x.a returning x.a, b + 1", stmtUpdate, &writeFacts{
		target: tableRef{"t", "x", sourceTable}, conflict: "rollback", set: []string{"x y"}, returning: &returningClause{}}},
	{"UPDATE t SET a = CASE WHEN b THEN 'SET c = 1' ELSE c END -- , b = 2", stmtUpdate, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, set: []string{"a"}}},
	{"DELETE FROM t WHERE a = 'DELETE FROM u' RETURNING a AS \"A\"", stmtDelete, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, returning: &returningClause{columns: []string{"a"}}}},
	{"WITH old AS (SELECT k FROM u) DELETE FROM main.t NOT INDEXED WHERE a IN old", stmtDelete, &writeFacts{
		target: tableRef{"t", "t", sourceTable}, with: true}},
	{"/* c */ delete -- x\n FROM t AS gone RETURNING null, current_date", stmtDelete, &writeFacts{
		target: tableRef{"t", "gone", sourceTable}, returning: &returningClause{}}},

	{"SELECT * FROM t", stmtSelect, nil},
	{"VALUES (1)", stmtSelect, nil},
	{"WITH c AS (SELECT 1) SELECT * FROM c", stmtSelect, nil},
	{"INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING", stmtOther, nil}, // SQLite wants WHERE true
	{"INSERT INTO t VALUES (1) RETURNING", stmtOther, nil},
	{"UPDATE t SET a = WHERE b = 1", stmtOther, nil},
	{"CREATE TABLE x (a)", stmtOther, nil},
	{"EXPLAIN DELETE FROM t", stmtOther, nil},
	{"", stmtOther, nil},
}

func TestWriteFacts(t *testing.T) {
	o := newSQLiteOracle(t)
	for _, c := range writeCases {
		f := analyzeSQL(c.sql)
		var got *writeFacts
		if f.write != nil {
			w := *f.write
			if w.scope == nil || len(w.scope.from) == 0 || w.scope.from[0] != w.target {
				t.Errorf("%s: the write's scope does not start with its target: %+v", c.sql, w.scope)
			}
			w.scope = nil
			got = &w
		}
		if f.kind != c.kind || !reflect.DeepEqual(got, c.write) {
			t.Errorf("%s\n kind %v, write %+v\nwant %v, %+v", c.sql, f.kind, got, c.kind, c.write)
		}
		checkAgainstSQLite(t, o, c.sql, f)
	}
}
