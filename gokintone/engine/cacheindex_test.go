package engine

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// indexValues are values of every storage class, and values of different classes that
// compare equal under some affinity: 12, 12.0, '12', ' 12', '12.0', '1.2e1', X'3132'.
var indexValues = []any{
	nil, int64(0), int64(12), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
	12.0, 12.5, math.Copysign(0, -1), 1e20, 0x1p63, -0x1p63, 0.1, math.Inf(1), math.NaN(),
	"12", " 12", "12.0", "1.2e1", "0", "-0", "0.1", "abc", "ABC", "", "9223372036854775807",
	"-9223372036854775808", "9223372036854775808", "1e20", "0x10", "Inf",
	[]byte("12"), []byte{}, []byte("abc"),
}

// TestColIndexNeverMisses checks, for a column of every affinity holding values of every
// storage class (and holding numbers only, and text only, which ranges are ordered for), that
// a lookup finds every row SQLite's comparison keeps (holds, itself checked against SQLite in
// compare_sqlite_test.go), in ascending order, and fewer rows than the table for a value most
// rows do not equal.
func TestColIndexNeverMisses(t *testing.T) {
	var numbers, texts []any
	for _, v := range indexValues {
		switch v.(type) {
		case int64, float64:
			numbers = append(numbers, v)
		case string:
			texts = append(texts, v)
		}
	}
	sets := map[string][]any{"mixed": indexValues, "numbers": numbers, "texts": texts}
	for _, decl := range []string{"INTEGER", "REAL", "NUMERIC", "ISODATE", "TEXT", "BLOB"} {
		for name, set := range sets {
			testColIndex(t, decl+" "+name, decl, set)
		}
	}
}

func testColIndex(t *testing.T, what, decl string, set []any) {
	tab := &schema.Table{Name: "t", Columns: []schema.Column{{Name: "c", DeclType: decl}}}
	var values [][]any
	for _, v := range set {
		values = append(values, []any{v})
	}
	c := &tableCache{rows: valueRows(values)}
	ix := c.index(tab, 0)
	if ix == nil {
		t.Fatalf("%s: no index", what)
	}
	aff := tab.Columns[0].Affinity()
	for _, op := range []int{opEQ, opIS, opISNULL, opGT, opGE, opLT, opLE} {
		for _, arg := range indexValues {
			m, ok := lookupAny(ix, op, arg)
			if !ok {
				if !isRange(op) { // a range may be left unordered, an equality never
					t.Errorf("%s op %d %#v: the index cannot tell", what, op, arg)
				}
				continue
			}
			got := m.ascending(len(c.rows))
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Errorf("%s op %d %#v: positions %v not ascending", what, op, arg, got)
			}
			for pos, r := range c.rows {
				v, _ := r.value(tab, 0)
				if holds(op, v, arg, aff) && !slices.Contains(got, int32(pos)) {
					t.Errorf("%s: %#v op %d %#v holds but the index misses the row", what, v, op, arg)
				}
			}
			if op == opEQ && len(got) >= len(c.rows)/2 && len(c.rows) > 4 {
				t.Errorf("%s = %#v: the index finds %d of %d rows", what, arg, len(got), len(c.rows))
			}
		}
	}
}

// lookupAny is what the index finds for one constraint, a range included.
func lookupAny(ix *colIndex, op int, arg any) (match, bool) {
	if !isRange(op) {
		return ix.lookup(op, arg)
	}
	from, to, ok := ix.span(op, arg)
	return match{pos: ix.ordered[from:to], byValue: true}, ok
}

// TestColIndexOrdersRanges checks which columns ranges are narrowed on: values of one class
// as the comparison sees them.
func TestColIndexOrdersRanges(t *testing.T) {
	cases := []struct {
		decl   string
		values []any
		class  int
	}{
		{"INTEGER", []any{int64(3), " 4", 2.5, nil}, 1},
		{"ISODATE", []any{"2024-01-02", "2023-12-31", nil}, 2},
		{"ISODATE", []any{"2024-01-02", "2024"}, 0},
		{"TEXT", []any{"b", "a"}, 2},
		{"TEXT", []any{"b", int64(1)}, 0},
		{"BLOB", []any{int64(1), 2.5}, 1},
		{"BLOB", []any{[]byte("a")}, 0},
	}
	for _, c := range cases {
		tab := &schema.Table{Name: "t", Columns: []schema.Column{{Name: "c", DeclType: c.decl}}}
		var values [][]any
		for _, v := range c.values {
			values = append(values, []any{v})
		}
		ix := (&tableCache{rows: valueRows(values)}).index(tab, 0)
		if ix.sortClass != c.class {
			t.Errorf("%s %#v: range class %d, want %d", c.decl, c.values, ix.sortClass, c.class)
		}
	}
	tab := &schema.Table{Name: "t", Columns: []schema.Column{{Name: "c", DeclType: "INTEGER"}}}
	c := &tableCache{rows: valueRows([][]any{{int64(5)}, {int64(1)}, {"3"}, {nil}, {int64(4)}})}
	// c > '2' AND c <= 4.5 AND c = c: the range's two bounds narrow the scan together.
	got := cachedRows(tab, c, [][3]int{{0, opGT, 0}, {0, opLE, 1}, {0, opNE, 2}}, []any{"2", 4.5, int64(9)})
	if want := []*row{c.rows[2], c.rows[4]}; !reflect.DeepEqual(got, want) {
		t.Errorf("c > '2' AND c <= 4.5: %d rows, want rows 2 and 4", len(got))
	}
}

// TestColIndexKeys checks the keys that make values of different storage classes meet.
func TestColIndexKeys(t *testing.T) {
	cases := []struct {
		aff  schema.Affinity
		v    any
		want [2]any
	}{
		{schema.AffInteger, " 12", [2]any{int64(12)}},
		{schema.AffReal, "1.2e1", [2]any{int64(12)}},
		{schema.AffNumeric, 12.5, [2]any{12.5}},
		{schema.AffNumeric, math.Copysign(0, -1), [2]any{int64(0)}},
		{schema.AffNumeric, -0x1p63, [2]any{int64(math.MinInt64)}},
		{schema.AffNumeric, 0x1p63, [2]any{0x1p63}},
		{schema.AffNumeric, "abc", [2]any{"abc"}},
		{schema.AffText, int64(12), [2]any{"12", int64(12)}},
		{schema.AffText, 12.0, [2]any{"12.0", int64(12)}},
		{schema.AffText, " 12", [2]any{" 12"}},
		{schema.AffBlob, "12", [2]any{"12"}},
		{schema.AffBlob, []byte("12"), [2]any{blobKey("12")}},
	}
	for _, c := range cases {
		ix := &colIndex{aff: c.aff}
		if got, ok := ix.keysOf(c.v); !ok || got != c.want {
			t.Errorf("affinity %v, %#v: keys %#v, want %#v", c.aff, c.v, got, c.want)
		}
	}
}

func TestMergePositions(t *testing.T) {
	cases := []struct{ a, b, want []int32 }{
		{nil, nil, nil},
		{[]int32{1, 4}, nil, []int32{1, 4}},
		{nil, []int32{2}, []int32{2}},
		{[]int32{1, 3, 5}, []int32{2, 3, 6}, []int32{1, 2, 3, 5, 6}},
	}
	for _, c := range cases {
		if got := mergePositions(c.a, c.b); !reflect.DeepEqual(got, c.want) {
			t.Errorf("merge %v %v = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestCachedScansMatchSQLite runs statements that scan a table once per outer row or per IN
// value, so that it is cached and its index narrows each scan, on the kintone tables and on
// TEMP copies of them: the answers must be the same. They compare a NUMERIC column holding
// text (Call time), TEXT with numbers, NULLs, IN lists, and a COLLATE the index must not
// apply (BestIndex then uses no constraint).
func TestCachedScansMatchSQLite(t *testing.T) {
	matchesCopies(t, newFixture(t, 300), []copyQuery{
		{"SELECT a.Id, b.Id FROM %D a JOIN %D b ON b.[Call time] = a.[Call time] WHERE a.Id < 60 ORDER BY 1, 2", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Probability = a.Probability) FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Probability IS a.Probability) FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT max(b.Id) FROM %D b WHERE b.Amount = a.Amount / 10000 * 10000.0) FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Stage = a.Stage COLLATE NOCASE) FROM %D a WHERE a.Id < 30 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Stage = lower(a.Stage) COLLATE NOCASE) FROM %D a WHERE a.Id < 30 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.[Deal name] = a.Id) FROM %D a WHERE a.Id < 30 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Id = a.Id || '' AND b.Amount IS NOT NULL) FROM %D a WHERE a.Id < 30 ORDER BY 1", nil},
		{"SELECT o.Id, (SELECT group_concat(i.Id) FROM %I i WHERE i.RecordId = o.Id AND typeof(i.数量) BETWEEN X'3132' AND 1) FROM %O o WHERE o.Id < 60 ORDER BY 1", nil},
		{"SELECT o.Id, (SELECT count(*) FROM %I i WHERE i.RecordId = o.Id AND i.数量 IN (1, '2', 3.0, ?)) FROM %O o WHERE o.Id < 60 ORDER BY 1", []any{"4"}},
		{"SELECT o.Id, (SELECT count(*) FROM %I i WHERE i.数量 IS NULL AND i.RecordId = o.Id) FROM %O o WHERE o.Id < 60 ORDER BY 1", nil},
		{"SELECT o.Id FROM %O o WHERE o.Id < 60 AND o.Id IN (SELECT i.RecordId FROM %I i WHERE i.単価 = ?) ORDER BY 1", []any{"2980"}},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Amount > a.Amount) FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Amount <= a.Amount / 2 AND b.Id >= a.Id) FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT max(b.Id) FROM %D b WHERE b.[Close date] < a.[Close date] AND b.Probability >= '30') FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT group_concat(b.Id) FROM %D b WHERE b.[Call time] BETWEEN a.[Call time] AND '12:00' AND b.Id < 200) FROM %D a WHERE a.Id < 40 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT b.Id FROM %D b WHERE b.Id > a.Id ORDER BY b.Id LIMIT 1 OFFSET 2) FROM %D a WHERE a.Id < 80 ORDER BY 1", nil},
		{"SELECT o.Id, (SELECT count(*) FROM %I i WHERE i.RecordId = o.Id AND i.商品 = 'webカメラ' COLLATE NOCASE) FROM %O o WHERE o.Id < 60 ORDER BY 1", nil},
		{"SELECT a.Id, (SELECT count(*) FROM %D b WHERE b.Amount = a.Amount AND b.Stage = a.Stage COLLATE NOCASE) FROM %D a WHERE a.Id < 60 ORDER BY 1", nil},
		{"SELECT o.Id, (SELECT max(i.Id) FROM %I i WHERE i.RecordId = o.Id COLLATE NOCASE AND i.数量 IS NOT NULL), o.顧客名 COLLATE NOCASE FROM %O o WHERE o.Id < 60 ORDER BY 1", nil},
	})
}
