package engine

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// This file re-evaluates a constraint exactly as SQLite would, so that a row kintone returned
// for a (superset) pushed condition is kept only when SQLite itself would have kept it.
// SQLite omits every constraint the virtual table uses, so this is the only check.

// storage class order used by SQLite when values of different classes are compared.
func class(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case int64, float64:
		return 1
	case string:
		return 2
	default: // []byte
		return 3
	}
}

// applyAffinity converts the right-hand value of a comparison against a column with the
// given affinity, following datatype3.html §4.2: a numeric column applies NUMERIC affinity
// to the other operand, a TEXT column applies TEXT affinity to an operand without affinity.
// A bound parameter or literal has no affinity.
func applyAffinity(v any, aff schema.Affinity) any {
	switch aff {
	case schema.AffInteger, schema.AffReal, schema.AffNumeric:
		if s, ok := v.(string); ok {
			if n, ok := textToNumeric(s, aff == schema.AffReal); ok {
				return n
			}
		}
	case schema.AffText:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return formatReal(x)
		}
	}
	return v
}

// textToNumeric converts text that looks like a number (leading and trailing blanks allowed,
// as SQLite allows) into int64 or float64.
func textToNumeric(s string, real bool) (any, bool) {
	t := strings.Trim(s, " \t\n\r\f\v")
	if t == "" {
		return nil, false
	}
	if !real {
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n, true
		}
	}
	if !looksNumeric(t) {
		return nil, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, false
	}
	if !real && f == math.Trunc(f) && math.Abs(f) < 9.2e18 {
		return int64(f), true
	}
	return f, true
}

// looksNumeric accepts SQLite's numeric literal forms, rejecting Go-only ones (hex floats,
// "inf", "nan", underscores) that strconv would take.
func looksNumeric(t string) bool {
	i := skipSign(t, 0)
	i, digits := skipDigits(t, i)
	if i < len(t) && t[i] == '.' {
		var frac int
		i, frac = skipDigits(t, i+1)
		digits += frac
	}
	if digits == 0 {
		return false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		var exp int
		if i, exp = skipDigits(t, skipSign(t, i+1)); exp == 0 {
			return false
		}
	}
	return i == len(t)
}

func skipSign(t string, i int) int {
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		return i + 1
	}
	return i
}

// skipDigits returns the index after the ASCII digits at i and how many there were.
func skipDigits(t string, i int) (int, int) {
	start := i
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i, i - start
}

// formatReal renders a float the way SQLite converts REAL to TEXT ("%!.15g").
func formatReal(f float64) string {
	s := strconv.FormatFloat(f, 'g', 15, 64)
	if !strings.ContainsAny(s, ".eEn") { // n: NaN/Inf
		s += ".0"
	}
	return s
}

// compareValues orders two SQL values as SQLite does with the BINARY collation. Both must be
// non-NULL.
func compareValues(a, b any) int {
	ca, cb := class(a), class(b)
	if ca != cb {
		if ca < cb {
			return -1
		}
		return 1
	}
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y)
		case float64:
			return -cmpFloatInt(y, x)
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpFloatInt(x, y)
		case float64:
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case string:
		return strings.Compare(x, b.(string))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	}
	return 0
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// cmpFloatInt compares a float with an int64 without losing precision on large integers.
func cmpFloatInt(f float64, i int64) int {
	if math.IsNaN(f) {
		return -1
	}
	if f < -9.223372036854775808e18 {
		return -1
	}
	if f >= 9.223372036854775808e18 {
		return 1
	}
	t := math.Trunc(f)
	ti := int64(t)
	if ti != i {
		return cmpInt(ti, i)
	}
	switch {
	case f > t:
		return 1
	case f < t:
		return -1
	}
	return 0
}

// Constraint operators as SQLite reports them to xBestIndex.
const (
	opEQ        = 2
	opGT        = 4
	opLE        = 8
	opLT        = 16
	opGE        = 32
	opLIKE      = 65
	opGLOB      = 66
	opNE        = 68
	opISNOT     = 69
	opISNOTNULL = 70
	opISNULL    = 71
	opIS        = 72
	opLIMIT     = 73
	opOFFSET    = 74
)

// holds reports whether "col op arg" is true for the column value v, as SQLite evaluates it.
func holds(op int, v, arg any, aff schema.Affinity) bool {
	if b, ok := arg.([]byte); ok && b == nil {
		arg = nil // go-sqlite3 hands SQL NULL to xFilter as a nil []byte
	}
	switch op {
	case opISNULL:
		return v == nil
	case opISNOTNULL:
		return v != nil
	case opIS:
		if v == nil || arg == nil {
			return v == nil && arg == nil
		}
		return compareValues(v, applyAffinity(arg, aff)) == 0
	case opISNOT:
		if v == nil || arg == nil {
			return !(v == nil && arg == nil)
		}
		return compareValues(v, applyAffinity(arg, aff)) != 0
	}
	if v == nil || arg == nil {
		return false
	}
	c := compareValues(v, applyAffinity(arg, aff))
	switch op {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opGT:
		return c > 0
	case opGE:
		return c >= 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	}
	return false
}
