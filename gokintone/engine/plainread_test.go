package engine

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"
)

func TestPlainShapeOf(t *testing.T) {
	cases := []struct {
		sql  string
		want *plainShape
	}{
		{`SELECT * FROM Deals`, &plainShape{table: "deals"}},
		{`select all * from "Deals" d;`, &plainShape{table: "deals"}},
		{`SELECT d.* FROM Deals AS d`, &plainShape{table: "deals"}},
		{`SELECT Id, [Deal name] AS n, Deals.Stage s, "Amount" FROM Deals`,
			&plainShape{table: "deals", columns: []string{"id", "deal name", "stage", "amount"}}},
		{`SELECT x.Id FROM Deals x`, &plainShape{table: "deals", columns: []string{"id"}}},
		{`SELECT Id 'label' FROM Deals`, &plainShape{table: "deals", columns: []string{"id"}}},
	}
	for _, sql := range []string{
		`SELECT * FROM Deals WHERE Id = 1`, `SELECT * FROM Deals LIMIT 5`, `SELECT * FROM Deals ORDER BY Id`,
		`SELECT DISTINCT Stage FROM Deals`, `SELECT Stage FROM Deals GROUP BY Stage`, `SELECT *, Id FROM Deals`,
		`SELECT Id, * FROM Deals`, `SELECT Id + 1 FROM Deals`, `SELECT upper(Stage) FROM Deals`, `SELECT 1 FROM Deals`,
		`SELECT 'Id' FROM Deals`, `SELECT current_date FROM Deals`, `SELECT null FROM Deals`, `SELECT * FROM main.Deals`,
		`SELECT * FROM Deals, Orders`, `SELECT * FROM Deals JOIN Orders`, `SELECT * FROM (SELECT * FROM Deals)`,
		`SELECT * FROM Deals UNION SELECT * FROM Deals`, `WITH d AS (SELECT 1) SELECT * FROM Deals`,
		`SELECT o.Id FROM Deals d`, `SELECT Id FROM Deals d WHERE d.Id > 0`, `SELECT Id COLLATE nocase FROM Deals`,
		`SELECT Id AS FROM Deals`, `SELECT count(*) FROM Deals`, `SELECT Id FROM Deals INDEXED BY x`, `SELECT Id`,
		`VALUES (1)`, `SELECT Id FROM Deals WINDOW w AS ()`, `SELECT Id FROM json_each('[]')`, `EXPLAIN SELECT * FROM Deals`,
	} {
		cases = append(cases, struct {
			sql  string
			want *plainShape
		}{sql, nil})
	}
	for _, c := range cases {
		toks, _ := tokenize(c.sql)
		if got := plainShapeOf(toks); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.sql, got, c.want)
		}
	}
}

// TestPlainReadsGiveSQLitesRows: over every table of the sample data (every field type, empty
// values, a child table), a plain read gives exactly the rows SQLite gives for the same
// statement with a WHERE that keeps every row, value by value and storage class by storage
// class; and it does read without SQLite.
func TestPlainReadsGiveSQLitesRows(t *testing.T) {
	f := newFixture(t, 1200)
	for _, table := range []string{`"受注明細 Orders"`, `"受注明細 Orders_明細"`, `Deals`, `顧客リスト`} {
		for _, list := range []string{"*", "Id", fmt.Sprintf("%s.*", table)} {
			sql := fmt.Sprintf("SELECT %s FROM %s", list, table)
			plain, viaSQLite := f.rowsAndPath(t, sql), f.rowsAndPath(t, sql+" WHERE 1")
			if !plain.plain || viaSQLite.plain {
				t.Fatalf("%s: read plainly %v, with WHERE 1 plainly %v", sql, plain.plain, viaSQLite.plain)
			}
			if len(plain.rows) != len(viaSQLite.rows) || len(plain.rows) == 0 {
				t.Fatalf("%s: %d rows, %d through SQLite", sql, len(plain.rows), len(viaSQLite.rows))
			}
			for i := range plain.rows {
				if a, b := exact(plain.rows[i]), exact(viaSQLite.rows[i]); a != b {
					t.Fatalf("%s: row %d\n plain  %s\n SQLite %s", sql, i, a, b)
				}
			}
		}
	}
}

type readResult struct {
	rows  [][]any
	plain bool // read without SQLite after the first row
}

func (f *fixture) rowsAndPath(t *testing.T, sql string) readResult {
	t.Helper()
	s, err := f.eng.Execute(context.Background(), sql, nil)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer s.Close()
	r := readResult{plain: s.plain != nil}
	for {
		rows, done, err := s.Fetch(700)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		r.rows = append(r.rows, rows...)
		if done {
			return r
		}
	}
}

// exact shows a row with each value's type and, for a real, its bits.
func exact(row []any) string {
	out := ""
	for _, v := range row {
		if x, ok := v.(float64); ok {
			out += fmt.Sprintf("float64(%x) ", math.Float64bits(x))
			continue
		}
		out += fmt.Sprintf("%T(%#v) ", v, v)
	}
	return out
}
