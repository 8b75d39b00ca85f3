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
//
// "Exactly" means SQLite's own arithmetic, not its documentation: how it renders a REAL as
// text (15 or 17 digits, by a round-trip test of its own) and how it reads number text have
// changed between SQLite versions and are not what Go's strconv gives. Rather than
// re-implement them, those conversions are asked of SQLite itself (sqliteconv.go) unless the
// result is certain (integers, whole numbers); compare_sqlite_test.go checks everything here
// against the SQLite the driver is built with.

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

// sqlValue is v as SQLite holds it: a Go NaN reaches SQLite as NULL (sqlite3_result_double
// and sqlite3_bind_double store NULL for NaN; kintone text "NaN" in a DOUBLE column parses to
// NaN), and go-sqlite3 hands SQL NULL to xFilter as a nil []byte.
func sqlValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) {
			return nil
		}
	case []byte:
		if x == nil {
			return nil
		}
	}
	return v
}

// applyAffinity converts a value as SQLite does when it stores it in a column with the given
// affinity (datatype3.html §3, vdbe.c applyAffinity): text that looks like a number becomes
// one in a numeric column, a number becomes text in a TEXT column. Other values are returned
// unchanged. Comparisons convert differently (compareAffinity); holds uses that.
func applyAffinity(v any, aff schema.Affinity) any {
	switch aff {
	case schema.AffInteger, schema.AffReal, schema.AffNumeric:
		if s, ok := v.(string); ok {
			if n, ok := textToNumeric(s, aff == schema.AffReal); ok {
				return n
			}
		}
	case schema.AffText:
		return numberToText(v)
	}
	return v
}

// textToNumeric is the number SQLite stores for text s in a column with numeric affinity:
// applyNumericAffinity(bTryForInt=1), so a real without a fraction that fits becomes an
// integer ('5.0' → 5), then for a REAL column the value read back as REAL. ok is false when s
// does not look like a number (it is stored as text).
func textToNumeric(s string, real bool) (any, bool) {
	n, ok := numericAffinity(s, true)
	if ok && real {
		if i, isInt := n.(int64); isInt {
			return float64(i), true
		}
	}
	return n, ok
}

// numericAffinity is the number text s stands for when SQLite applies numeric affinity to
// it, if it looks like one. Text that is a whole decimal integer fitting in 64 bits is that
// INTEGER exactly ('9007199254740993' stays 9007199254740993); other number-shaped text is
// the REAL SQLite's parser makes of it. With tryForInt (storing in a column) a REAL without a
// fraction that fits becomes an INTEGER ('3.0e+5' is stored as 300000).
func numericAffinity(s string, tryForInt bool) (any, bool) {
	t, shape := numberShape(s)
	switch shape {
	case notNumber:
		return nil, false
	case wholeNumber:
		if i, err := strconv.ParseInt(t, 10, 64); err == nil {
			return i, true
		}
	}
	r := sqliteReal(t)
	if tryForInt {
		if i, ok := integerAffinity(r); ok {
			return i, true
		}
	}
	return r, true
}

// The shapes of text under numeric affinity.
const (
	notNumber   = iota
	wholeNumber // [sign]digits
	realNumber  // with a decimal point or an exponent
)

// numberShape trims the blanks SQLite skips around a number and tells whether the rest is a
// number in SQLite's grammar: [+-] digits [. digits] [(e|E) [+-] digits], or [+-] . digits …;
// at least one digit before the exponent and one in it. No hex, no "inf" or "nan", no '_'.
func numberShape(s string) (string, int) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i] // SQLite reads number text up to a NUL ("1\x00" is 1)
	}
	t := trimSpace(s)
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(t) && isDigit(t[i]); i++ {
		digits++
	}
	shape := wholeNumber
	if i < len(t) && t[i] == '.' {
		shape = realNumber
		for i++; i < len(t) && isDigit(t[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return t, notNumber
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		shape = realNumber
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(t) && isDigit(t[i]); i++ {
			exp++
		}
		if exp == 0 {
			return t, notNumber
		}
	}
	if i != len(t) {
		return t, notNumber
	}
	return t, shape
}

// trimSpace removes the blanks SQLite skips around a number: ASCII space, \t, \n, \v, \f, \r
// (not U+00A0 and the like).
func trimSpace(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// integerAffinity is the integer a REAL without a fraction stands for when SQLite stores it
// in a numeric column. The two extreme integers are left as REAL, as SQLite leaves them.
func integerAffinity(r float64) (int64, bool) {
	if !(r > -9223372036854775808.0 && r < 9223372036854775808.0) {
		return 0, false
	}
	i := int64(r)
	return i, float64(i) == r && i > math.MinInt64 && i < math.MaxInt64
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberToText is the text SQLite makes of a number under TEXT affinity: an INTEGER in
// decimal, a REAL by formatReal. Other values are returned unchanged.
func numberToText(v any) any {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatReal(x)
	}
	return v
}

// likeText is a value as LIKE reads it: its text (a number as SQLite renders it, a BLOB's
// bytes).
func likeText(v any) string {
	switch x := numberToText(v).(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// likeMatch reports whether s matches the LIKE pattern as SQLite's built-in LIKE without
// ESCAPE decides (the driver's PRAGMAs leave case_sensitive_like off): % matches any run of
// characters, _ one character, and ASCII letters match either case.
func likeMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Backtracking over the last %, the classic wildcard match: linear in practice.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, ti
			pi++
		case pi < len(p) && (p[pi] == '_' || foldASCII(p[pi]) == foldASCII(t[ti])):
			pi++
			ti++
		case star >= 0:
			mark++
			pi, ti = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// foldASCII lower-cases an ASCII letter.
func foldASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// formatReal renders a REAL as SQLite converts it to TEXT. SQLite prints 15 significant
// digits when they give the value back by its own reckoning, else 17 ('0.1', but
// '0.00099189399999999989' for 0.000991894); one digit is kept after the point ('5.0',
// '1000000000000000.0'); exponents below -4 or above 16 use the exponent form ('1.0e+17').
// Whole numbers below 1e15 are laid out here (their digits are exact); every other value is
// rendered by SQLite itself.
func formatReal(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN" // SQLite never holds NaN
	case f == 0:
		return "0.0" // also -0.0
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatInt(int64(f), 10) + ".0"
	}
	return sqliteText(f)
}

// compareValues orders two SQL values as SQLite does with the BINARY collation
// (sqlite3MemCompare): NULL < INTEGER and REAL (compared by value) < TEXT (bytes) < BLOB
// (bytes). Both must be non-NULL. No conversion is made; see compareAffinity.
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
			return 0 // also 0.0 against -0.0
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

// cmpFloatInt compares a float with an int64 exactly (sqlite3IntFloatCompare), without the
// rounding of converting a large integer to float64.
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

// compareAffinity converts the two non-NULL operands of a comparison as the comparison
// opcodes do (vdbe.c OP_Eq…OP_Ge) when the comparison's affinity is that of the column: a
// literal or parameter has none, so the column's affinity is used, and it is applied to
// BOTH operands, the column value included: a vtab column holds whatever xColumn returned
// (an INTEGER column may hold text ' 12', which then compares as 12).
//
//   - Numeric affinity (INTEGER, REAL, NUMERIC alike): each TEXT operand that looks like a
//     number becomes one, by numericAffinity without tryForInt ('5.0' is REAL 5.0, '12' is
//     INTEGER 12). Numbers and blobs are left alone.
//   - TEXT affinity, only when at least one operand is TEXT: each number becomes text
//     (numberToText). Two numbers compare as numbers; blobs are left alone.
//   - BLOB affinity: no conversion.
func compareAffinity(a, b any, aff schema.Affinity) (any, any) {
	switch aff {
	case schema.AffInteger, schema.AffReal, schema.AffNumeric:
		return textToComparable(a), textToComparable(b)
	case schema.AffText:
		_, as := a.(string)
		_, bs := b.(string)
		if as || bs {
			return numberToText(a), numberToText(b)
		}
	}
	return a, b
}

func textToComparable(v any) any {
	if s, ok := v.(string); ok {
		if n, ok := numericAffinity(s, false); ok {
			return n
		}
	}
	return v
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

// holds reports whether "col op arg" is true for the column value v, as SQLite evaluates it
// for a column with affinity aff and an argument without affinity (a literal, a parameter or
// an expression that has none). v is the value the cursor hands to SQLite; arg is what
// go-sqlite3 passes to Filter.
func holds(op int, v, arg any, aff schema.Affinity) bool {
	v, arg = sqlValue(v), sqlValue(arg)
	switch op {
	case opISNULL:
		return v == nil
	case opISNOTNULL:
		return v != nil
	case opIS, opISNOT:
		eq := v == nil && arg == nil
		if v != nil && arg != nil {
			a, b := compareAffinity(v, arg, aff)
			eq = compareValues(a, b) == 0
		}
		return eq == (op == opIS)
	}
	if v == nil || arg == nil {
		return false // NULL: neither true nor false, so the row is not kept
	}
	if op == opLIKE {
		return likeMatch(likeText(arg), likeText(v))
	}
	a, b := compareAffinity(v, arg, aff)
	c := compareValues(a, b)
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
