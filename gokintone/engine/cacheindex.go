package engine

import (
	"math"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// A table held in a statement's cache (scan.go) is scanned again for every Filter call: once
// per outer row of a join or a correlated subquery, once per value of an IN list. An equality
// among the scan's constraints narrows that scan to the rows an index of the cached table
// finds for the constraint's value, instead of re-checking every row.
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
	indexes map[int]*eqIndex
}

// eqIndex lists the positions (in tableCache.rows, ascending, so in Id order) of the rows of
// one column by comparison key (see keys); nulls are the rows whose value is NULL.
type eqIndex struct {
	aff   schema.Affinity
	keys  map[any][]int32
	nulls []int32
}

// blobKey is a BLOB's bytes as a map key, apart from text with the same bytes (a BLOB never
// equals a TEXT).
type blobKey string

// index returns the index of column col, building it on first use; nil when a value of the
// column cannot be converted (the plain scan then reports the error where the statement
// reaches that row).
func (c *tableCache) index(t *schema.Table, col int) *eqIndex {
	if ix, ok := c.indexes[col]; ok {
		return ix
	}
	if c.indexes == nil {
		c.indexes = map[int]*eqIndex{}
	}
	c.indexes[col] = nil
	ix := &eqIndex{aff: t.Columns[col].Affinity(), keys: map[any][]int32{}}
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
		if !ok {
			return nil
		}
		for _, k := range keys {
			if k != nil {
				ix.keys[k] = append(ix.keys[k], int32(pos))
			}
		}
	}
	c.indexes[col] = ix
	return ix
}

// keysOf are the keys under which a non-NULL value of the column, or an argument compared
// with it, is listed: two values can be equal in SQLite's comparison only when they share a
// key. Under TEXT affinity a number is compared as its text with text, and as a number with a
// number, so it has both keys; every other value has one (the second is nil). ok is false
// for a value that is no SQL value.
func (ix *eqIndex) keysOf(v any) (keys [2]any, ok bool) {
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

// lookup returns the positions, ascending, of the rows that may hold for "column op arg", op
// being opEQ, opIS or opISNULL; ok is false when the index cannot tell (arg is no SQL value).
func (ix *eqIndex) lookup(op int, arg any) (pos []int32, ok bool) {
	if op == opISNULL {
		return ix.nulls, true
	}
	arg = sqlValue(arg)
	if arg == nil {
		if op == opIS {
			return ix.nulls, true
		}
		return nil, true // "= NULL" holds for no row
	}
	k, ok := ix.keysOf(arg)
	if !ok {
		return nil, false
	}
	if k[1] == nil {
		return ix.keys[k[0]], true
	}
	return mergePositions(ix.keys[k[0]], ix.keys[k[1]]), true
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

// indexable reports whether an index narrows a scan with constraint op.
func indexable(op int) bool { return op == opEQ || op == opIS || op == opISNULL }

// cachedRows are the rows of the cached table a scan with constraints cons (column, op,
// argument index) and their arguments args reads: of the equality constraints, the one whose
// index finds the fewest rows narrows the scan; without one, every row.
func cachedRows(t *schema.Table, c *tableCache, cons [][3]int, args []any) []*row {
	var best []int32
	found := false
	for i, con := range cons {
		if !indexable(con[1]) {
			continue
		}
		ix := c.index(t, con[0])
		if ix == nil {
			continue
		}
		if pos, ok := ix.lookup(con[1], args[i]); ok && (!found || len(pos) < len(best)) {
			best, found = pos, true
		}
	}
	if !found {
		return c.rows
	}
	rows := make([]*row, len(best))
	for i, p := range best {
		rows[i] = c.rows[p]
	}
	return rows
}
