package engine

import (
	"fmt"
	"reflect"
	"testing"
)

func TestAnalyzeFacts(t *testing.T) {
	cases := []struct {
		sql                                  string
		in, collate, mixed, nul, trail, comp bool
		first                                string
	}{
		{sql: "SELECT * FROM Deals WHERE Id = 5", first: "select"},
		{sql: "select 1; ", first: "select"},
		{sql: "SELECT 1; SELECT 2", trail: true, first: "select"},
		{sql: "SELECT 'in', [in], \"collate\" -- in collate\n FROM t /* cast */", first: "select"},
		{sql: "SELECT * FROM t WHERE a IN (1, 2)", in: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a IN (SELECT b FROM u)", in: true, mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = 'x' COLLATE NOCASE", collate: true, first: "select"},
		{sql: "SELECT * FROM t JOIN u ON t.a = u.b", mixed: true, first: "select"},
		{sql: "SELECT * FROM t JOIN u USING (a)", mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = CAST(? AS INTEGER)", mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = (SELECT max(b) FROM u)", mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = upper(?) AND b > 3 AND c IS NULL", first: "select"},
		{sql: "SELECT * FROM t WHERE a = likely(u.b)", mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a BETWEEN 1 AND u.b", mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a IS NOT u.b", mixed: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = 'x' || char(0)", nul: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = x'00'", nul: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = X'31003200'", nul: true, first: "select"},
		{sql: "SELECT * FROM t WHERE a = X'3132' OR b = x'aB'", first: "select"},
		{sql: "SELECT * FROM t WHERE a = x''", first: "select"},
		{sql: "SELECT a FROM t UNION ALL SELECT b FROM u", comp: true, first: "select"},
		{sql: "WITH c AS (SELECT 1) SELECT * FROM c", first: "with"},
	}
	for _, c := range cases {
		f := analyzeSQL(c.sql)
		got := []any{f.hasIN, f.hasCollate, f.mixedAffinity, f.nulText, f.trailing, f.compound, f.firstWord}
		want := []any{c.in, c.collate, c.mixed, c.nul, c.trail, c.comp, c.first}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got in,collate,mixed,nul,trailing,compound,first = %v\nwant %v", c.sql, got, want)
		}
	}
}

func TestAnalyzeScopes(t *testing.T) {
	f := analyzeSQL(`SELECT o."Id", (SELECT max(i."小計") FROM "受注明細 Orders_明細" i WHERE i.RecordId = o.Id)
		FROM "受注明細 Orders" AS o
		WHERE NOT EXISTS (SELECT 1 FROM [受注明細 Orders_明細] AS x WHERE x.RecordId = o.Id LIMIT 5 OFFSET 2)
		ORDER BY o.Id LIMIT 10`)
	if len(f.scopes) != 3 {
		t.Fatalf("%d scopes", len(f.scopes))
	}
	top, scalar, exists := f.scopes[0], f.scopes[1], f.scopes[2]
	if !reflect.DeepEqual(top.from, []tableRef{{"受注明細 orders", "o", sourceTable}}) || !top.orderBy || !top.limit || top.offset || top.correlated() {
		t.Errorf("top scope: %+v", top)
	}
	if !reflect.DeepEqual(scalar.from, []tableRef{{"受注明細 orders_明細", "i", sourceTable}}) || scalar.parent != top || !scalar.correlated() || scalar.limit {
		t.Errorf("scalar subquery: %+v", scalar)
	}
	if !reflect.DeepEqual(scalar.outer, []columnRef{{"o", "id"}}) {
		t.Errorf("scalar subquery reads %v of the outer query", scalar.outer)
	}
	if !exists.limit || !exists.offset || !exists.correlated() || exists.orderBy || exists.parent != top {
		t.Errorf("EXISTS subquery: %+v", exists)
	}
	if f.tables["受注明細 orders_明細"] != 2 || f.tables["受注明細 orders"] != 1 {
		t.Errorf("tables: %v", f.tables)
	}

	f = analyzeSQL("SELECT Id FROM Deals d, 顧客リスト AS c WHERE d.Id = c.Id UNION SELECT Id FROM Deals LIMIT 3, 4")
	if len(f.scopes) != 2 || !f.scopes[0].compound || !f.scopes[1].compound || !f.scopes[1].limit || !f.scopes[1].offset {
		t.Fatalf("compound scopes: %+v", f.scopes)
	}
	if !reflect.DeepEqual(f.scopes[0].from, []tableRef{{"deals", "d", sourceTable}, {"顧客リスト", "c", sourceTable}}) || f.scopes[0].correlated() {
		t.Errorf("first part: %+v", f.scopes[0])
	}
	if !reflect.DeepEqual(f.scopes[0].columns, []columnRef{{"d", "id"}, {"c", "id"}}) {
		t.Errorf("columns: %v", f.scopes[0].columns)
	}
	if f.scopes[1].parent != nil {
		t.Errorf("the second part of a compound is not nested in the first")
	}
}

// FuzzAnalyzeSQL: the analysis reads user text before SQLite does. Whatever the text, it must
// not panic, and what it says of a statement SQLite prepares must agree with what SQLite's
// authorizer reports (checkAgainstSQLite). The statements of the tests above are its seeds.
func FuzzAnalyzeSQL(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM t WHERE a IN (1, 2)", "SELECT (", ")))", "SELECT a FROM t UNION SELECT", "FROM",
		"SELECT x.", "SELECT * FROM a.", "SELECT * FROM t AS", "LIMIT 1,", "x'", "[abc", `"a""b`, "-- c", "/* c",
		"SELECT * FROM t JOIN (SELECT 1) ON t.a = (SELECT b FROM u WHERE u.c = t.c LIMIT 1 OFFSET 2)",
	} {
		f.Add(s)
	}
	for _, c := range columnCases {
		f.Add(c.sql)
	}
	for _, c := range countCases {
		f.Add(c.sql)
	}
	for _, c := range writeCases {
		f.Add(c.sql)
	}
	for _, place := range keywordPlaces {
		f.Add(fmt.Sprintf(place, "offset"))
	}
	o := newSQLiteOracle(f)
	f.Fuzz(func(t *testing.T, sql string) {
		facts := analyzeSQL(sql)
		for _, s := range facts.scopes {
			_ = s.correlated()
		}
		checkAgainstSQLite(t, o, sql, facts)
	})
}
