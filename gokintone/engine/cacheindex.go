package engine

import (
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// A table held in a statement's cache (scan.go) is scanned again for every Filter call: once
// per outer row of a join or a correlated subquery, once per value of an IN list. A
// comparison among the scan's constraints narrows that scan to the rows an index of the
// cached table finds for the constraint's value, instead of re-checking every row.
//
// An index lookup returns a superset of the rows the constraint holds for, never fewer: the
// cursor re-checks every constraint on the rows it gets (holds), so the index only has to
// agree with SQLite's comparison on which rows cannot match. It does so by keying each value
// by what the comparison compares (compareAffinity, then compareValues with BINARY): the
// number a text becomes under numeric affinity, the text a number becomes under TEXT
// affinity, numbers by value whatever their storage class.

// tableCache holds a whole table for the rest of one statement, with the indexes built on it
// so far (by column).
type tableCache struct {
	rows    []*row
	indexes map[int]*colIndex
	// collated: the statement has a COLLATE, under which a text value in a constrained column
	// (of numbers: collationFree) cannot be compared: a column holding one gets no index, so
	// that the row reaches the re-check, which fails the statement (cursor.matches).
	collated bool
}

// colIndex indexes one column of a cached table. Positions are indexes in tableCache.rows.
type colIndex struct {
	aff schema.Affinity
	// keys lists the positions of the rows by equality key (see keysOf), ascending (so in Id
	// order); nulls are the rows whose value is NULL.
	keys  map[any][]int32
	nulls []int32
	// For ranges: the positions of the non-NULL rows ordered by the value the comparison
	// compares (ordered[i] has the value sortKeys[i]), when all those values are of one
	// storage class, numbers or text (sortClass, see class); otherwise sortClass is 0 and
	// ranges are not narrowed.
	ordered   []int32
	sortKeys  []any
	sortClass int
}

// blobKey is a BLOB's bytes as a map key, apart from text with the same bytes (a BLOB never
// equals a TEXT).
type blobKey string

// index returns the index of column col, building it on first use; nil when a value of the
// column cannot be converted (the plain scan then reports the error where the statement
// reaches that row), or is text the statement's COLLATE keeps from comparing (see collated).
func (c *tableCache) index(t *schema.Table, col int) *colIndex {
	if ix, ok := c.indexes[col]; ok {
		return ix
	}
	if c.indexes == nil {
		c.indexes = map[int]*colIndex{}
	}
	c.indexes[col] = nil
	ix := &colIndex{aff: t.Columns[col].Affinity(), keys: map[any][]int32{}}
	for pos, r := range c.rows {
		v, err := r.value(t, col)
		if err != nil {
			return nil
		}
		if v = sqlValue(v); v == nil {
			ix.nulls = append(ix.nulls, int32(pos))
			continue
		}
		keys, ok := ix.keysOf(v)
		if _, text := v.(string); !ok || text && c.collated {
			return nil
		}
		for _, k := range keys {
			if k != nil {
				ix.keys[k] = append(ix.keys[k], int32(pos))
			}
		}
		ix.ordered = append(ix.ordered, int32(pos))
		ix.sortKeys = append(ix.sortKeys, ix.rangeKey(v))
	}
	ix.sortRanges()
	c.indexes[col] = ix
	return ix
}

// keysOf are the keys under which a non-NULL value of the column, or an argument compared
// with it, is listed: two values can be equal in SQLite's comparison only when they share a
// key. Under TEXT affinity a number is compared as its text with text, and as a number with a
// number, so it has both keys; every other value has one (the second is nil). ok is false
// for a value that is no SQL value.
func (ix *colIndex) keysOf(v any) (keys [2]any, ok bool) {
	switch ix.aff {
	case schema.AffInteger, schema.AffReal, schema.AffNumeric:
		v = textToComparable(v)
	case schema.AffText:
		switch v.(type) {
		case int64, float64:
			return [2]any{numberToText(v), numberKey(v)}, true
		}
	}
	switch x := v.(type) {
	case int64, float64:
		return [2]any{numberKey(x)}, true
	case string:
		return [2]any{x}, true
	case []byte:
		return [2]any{blobKey(x)}, true
	}
	return keys, false
}

// numberKey is one key for numbers that compare equal: a REAL with an integer value that an
// INTEGER can hold is that INTEGER (sqlite3IntFloatCompare finds them equal; -0.0 is 0),
// other numbers are themselves.
func numberKey(v any) any {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && f >= -0x1p63 && f < 0x1p63 {
		return int64(f)
	}
	return v
}

// rangeKey is the value a comparison of the column compares for a non-NULL value v of it, or
// for an argument, as far as the ranges use it: under numeric affinity the number a text
// stands for, under TEXT affinity the text of a number (which is what a TEXT value and a
// text argument compare; a number column value compared with a number is not, so a column
// holding numbers under TEXT affinity gets no range order: see sortRanges).
func (ix *colIndex) rangeKey(v any) any {
	switch ix.aff {
	case schema.AffInteger, schema.AffReal, schema.AffNumeric:
		return textToComparable(v)
	case schema.AffText:
		if _, isText := v.(string); !isText {
			return nil // no order: a number compares as text with text, as a number with a number
		}
	}
	return v
}

// sortRanges orders the non-NULL rows by their range keys when these are all numbers or all
// text, and gives up ranges otherwise (the keys of different classes would compare by their
// class first, and TEXT affinity converts a number differently by the other operand).
func (ix *colIndex) sortRanges() {
	for i, k := range ix.sortKeys {
		c := class(k)
		if k == nil || c == 3 || (i > 0 && c != ix.sortClass) {
			ix.ordered, ix.sortKeys, ix.sortClass = nil, nil, 0
			return
		}
		ix.sortClass = c
	}
	sort.Sort(byRangeKey{ix})
}

// byRangeKey sorts ordered and sortKeys together by key.
type byRangeKey struct{ ix *colIndex }

func (b byRangeKey) Len() int { return len(b.ix.ordered) }
func (b byRangeKey) Less(i, j int) bool {
	return compareValues(b.ix.sortKeys[i], b.ix.sortKeys[j]) < 0
}
func (b byRangeKey) Swap(i, j int) {
	b.ix.ordered[i], b.ix.ordered[j] = b.ix.ordered[j], b.ix.ordered[i]
	b.ix.sortKeys[i], b.ix.sortKeys[j] = b.ix.sortKeys[j], b.ix.sortKeys[i]
}

// A match is what an index finds for the constraints on one column: positions in ascending
// order, or (for a range) in key order, to be put in ascending order once the match is chosen.
type match struct {
	pos     []int32
	byValue bool // pos is in key order
}

// lookup returns the rows that may hold for "column op arg", op being opEQ, opIS or
// opISNULL; ok is false when arg is no SQL value.
func (ix *colIndex) lookup(op int, arg any) (m match, ok bool) {
	if op == opISNULL {
		return match{pos: ix.nulls}, true
	}
	arg = sqlValue(arg)
	if arg == nil {
		if op == opIS {
			return match{pos: ix.nulls}, true
		}
		return match{}, true // "= NULL" is true for no row
	}
	k, ok := ix.keysOf(arg)
	if !ok {
		return match{}, false
	}
	if k[1] == nil {
		return match{pos: ix.keys[k[0]]}, true
	}
	return match{pos: mergePositions(ix.keys[k[0]], ix.keys[k[1]])}, true
}

// span returns the rows in the range "column op arg" (op one of opGT, opGE, opLT, opLE) as
// the part [from, to) of the column's order; ok is false when the column's values and arg do
// not compare as values of one class.
func (ix *colIndex) span(op int, arg any) (from, to int, ok bool) {
	arg = sqlValue(arg)
	if arg == nil {
		return 0, 0, true // "< NULL" and the like are true for no row
	}
	if ix.sortClass == 0 {
		return 0, 0, false
	}
	k := ix.rangeKey(numberToTextIfText(ix.aff, arg))
	if class(k) != ix.sortClass {
		return 0, 0, false
	}
	// The first key above k (or at least k), by binary search over the ordered keys.
	above := func(orEqual bool) int {
		return sort.Search(len(ix.sortKeys), func(i int) bool {
			c := compareValues(ix.sortKeys[i], k)
			return c > 0 || orEqual && c == 0
		})
	}
	switch op {
	case opGT:
		return above(false), len(ix.ordered), true
	case opGE:
		return above(true), len(ix.ordered), true
	case opLT:
		return 0, above(true), true
	default: // opLE
		return 0, above(false), true
	}
}

// numberToTextIfText is an argument as a TEXT column's comparison converts it against a text
// value: a number becomes its text. Under other affinities arg is returned unchanged.
func numberToTextIfText(aff schema.Affinity, arg any) any {
	if aff == schema.AffText {
		return numberToText(arg)
	}
	return arg
}

// ascending returns the match's positions in ascending order; rows is the table's size.
func (m match) ascending(rows int) []int32 {
	if !m.byValue || len(m.pos) < 2 {
		return m.pos
	}
	if len(m.pos) < rows/64 { // few: sorting costs less than a pass over a bitmap
		out := slices.Clone(m.pos)
		slices.Sort(out)
		return out
	}
	set := make([]uint64, (rows+63)/64)
	for _, p := range m.pos {
		set[p/64] |= 1 << (p % 64)
	}
	out := make([]int32, 0, len(m.pos))
	for w, word := range set {
		for word != 0 {
			b := int32(bits.TrailingZeros64(word))
			out = append(out, int32(w)*64+b)
			word &= word - 1
		}
	}
	return out
}

// mergePositions is the ascending union of two ascending lists of positions.
func mergePositions(a, b []int32) []int32 {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]int32, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// isRange reports whether op is a range comparison (colIndex.span).
func isRange(op int) bool { return op == opGT || op == opGE || op == opLT || op == opLE }

// cachedRows are the rows of the cached table a scan with constraints cons (column, op,
// argument index) and their arguments args reads, in the cache's order. Each indexed column
// narrows the scan to a set of rows (an equality to the rows of its value, its range
// constraints together to the rows between their bounds); the smallest set is read, every
// row when no column narrows it.
func cachedRows(t *schema.Table, c *tableCache, cons [][3]int, args []any) []*row {
	var best match
	found := false
	consider := func(m match) {
		if !found || len(m.pos) < len(best.pos) {
			best, found = m, true
		}
	}
	type bounds struct{ col, from, to int }
	var ranges []bounds // one per column with range constraints
	for i, con := range cons {
		col, op := con[0], con[1]
		if op != opEQ && op != opIS && op != opISNULL && !isRange(op) {
			continue
		}
		ix := c.index(t, col)
		if ix == nil {
			continue
		}
		if !isRange(op) {
			if m, ok := ix.lookup(op, args[i]); ok {
				consider(m)
			}
			continue
		}
		from, to, ok := ix.span(op, args[i])
		if !ok {
			continue
		}
		j := slices.IndexFunc(ranges, func(b bounds) bool { return b.col == col })
		if j < 0 {
			ranges = append(ranges, bounds{col, from, to})
			continue
		}
		ranges[j].from, ranges[j].to = max(ranges[j].from, from), min(ranges[j].to, to)
	}
	for _, b := range ranges {
		consider(match{pos: c.indexes[b.col].ordered[b.from:max(b.from, b.to)], byValue: true})
	}
	if !found {
		return c.rows
	}
	pos := best.ascending(len(c.rows))
	rows := make([]*row, len(pos))
	for i, p := range pos {
		rows[i] = c.rows[p]
	}
	return rows
}
