package engine

import "testing"

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
