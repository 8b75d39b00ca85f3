package engine

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// benchConvert measures turning one page of 500 decoded records into rows and reading the Id
// column (all=false) or every column (all=true) of each, without HTTP or SQLite.
func benchConvert(b *testing.B, all bool) {
	_, tab, recs := samplePage(b, 500)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		rows, err := recordRows(tab, recs)
		if err != nil {
			b.Fatal(err)
		}
		for k := range rows {
			r := &rows[k]
			last := 1
			if all {
				last = len(tab.Columns)
			}
			for j := 0; j < last; j++ {
				v, err := r.value(tab, j)
				if err != nil {
					b.Fatal(err)
				}
				if v != nil {
					n++
				}
			}
		}
	}
	_ = n
}

func BenchmarkConvertID(b *testing.B)  { benchConvert(b, false) }
func BenchmarkConvertAll(b *testing.B) { benchConvert(b, true) }

// TestRowsAheadLeaveBadValuesToTheStatement: converting a page's values ahead, on the goroutine
// that read it, fails nothing; a value that cannot be converted is left for the statement,
// which gets its error only when it reads that column.
func TestRowsAheadLeaveBadValuesToTheStatement(t *testing.T) {
	f, tab, recs := samplePage(&testing.B{}, 3)
	recs[1]["total"] = kclient.FieldValue{Type: "CALC", Value: json.RawMessage(`{"not":"a number"}`)}
	p := &pager{v: &vtab{e: f.eng, t: tab}}
	rows, err := p.rowsAhead(recs)
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	total := slices.IndexFunc(tab.Columns, func(c schema.Column) bool { return c.FieldCode == "total" })
	for k := range rows {
		for i, v := range rows[k].vals {
			if converted := v != nil; converted == (k == 1 && i == total) {
				t.Errorf("row %d, column %s: converted %v (%#v)", k, tab.Columns[i].Name, converted, v)
			}
		}
	}
	if _, err := rows[1].value(tab, total); kerr.KindOf(err) != kerr.KindBadValue {
		t.Errorf("reading the bad value: %v", err)
	}
}
