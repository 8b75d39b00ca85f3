package engine

import (
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// pushed is the kintone condition for one scan.
type pushed struct {
	where kquery.Expr
	// exact: kintone's matching set equals SQLite's for every used constraint, so kintone may
	// also apply LIMIT and OFFSET. Otherwise Go applies them after its re-check.
	exact bool
	// sent says, per used constraint, whether where holds a condition for it.
	sent []bool
}

// pushdown translates the used constraints into a kintone condition whose matching set is a
// superset of SQLite's. A constraint that cannot be expressed that way is simply not sent:
// Go re-checks every used constraint anyway, so dropping one costs transfer, never rows.
func (v *vtab) pushdown(p plan, args []any) pushed {
	if ownTable(v.t) {
		return pushed{}
	}
	out := pushed{exact: v.t.Subtable == "", sent: make([]bool, len(p.Cons))}
	var terms []kquery.Expr
	for i, con := range p.Cons {
		col := &v.t.Columns[con[0]]
		arg := args[i]
		if b, ok := arg.([]byte); ok && b == nil {
			arg = nil
		}
		cond, exact := pushOne(v.t, col, con[1], arg)
		if cond == nil {
			out.exact = false
			continue
		}
		if !exact {
			out.exact = false
		}
		out.sent[i] = true
		terms = append(terms, cond)
	}
	out.where = kquery.And(terms...)
	return out
}

var (
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reDatetime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	reTime     = regexp.MustCompile(`^\d{2}:\d{2}:\d{2}$`)
	// A datetime parameter with fractions of a second is bound as the whole second followed
	// by the fraction ("…SSZ.ffffff"), so that it sorts between that second and the next.
	reDatetimeFraction = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\.\d{1,9}$`)
)

var cmpOps = map[int]kquery.Op{opEQ: kquery.Eq, opNE: kquery.Ne, opGT: kquery.Gt, opGE: kquery.Ge, opLT: kquery.Lt, opLE: kquery.Le, opIS: kquery.Eq}

// pushOne returns the kintone condition for "col op arg", or nil, and whether it is exact.
func pushOne(t *schema.Table, col *schema.Column, op int, arg any) (kquery.Expr, bool) {
	if t.Subtable != "" && col.Role != "parent" {
		return nil, false // a condition on rows, not records: kept local
	}
	if op == opIS && arg == nil {
		op = opISNULL
	}
	if op == opISNOT {
		return nil, false
	}
	field := col.FieldCode
	switch col.FieldType {
	case "__ID__":
		switch op {
		case opISNOTNULL:
			return nil, true // always true: nothing to send, nothing lost
		case opISNULL:
			return kquery.C("$id", kquery.Lt, kquery.Int(0)), true // never true
		}
		n, ok := applyAffinity(arg, schema.AffInteger).(int64)
		if !ok {
			return nil, false
		}
		return kquery.C(field, cmpOps[op], kquery.Int(n)), true
	case "__REVISION__":
		return nil, false // kintone cannot filter on $revision
	}
	aff := col.Affinity()
	switch op {
	case opISNULL, opISNOTNULL:
		return pushEmpty(col, op == opISNULL), false
	}
	kop, ok := cmpOps[op]
	if !ok {
		return nil, false
	}
	arg = applyAffinity(arg, aff)
	switch col.DeclType {
	case schema.TypeDecimal, schema.TypeDouble:
		if col.FieldType != "NUMBER" && col.FieldType != "CALC" {
			return nil, false
		}
		if col.FieldType == "CALC" || t.Subtable != "" {
			return nil, false // CALC comparisons follow its display format in kintone: kept local
		}
		return pushNumber(field, op, arg)
	case schema.TypeDate:
		s, ok := arg.(string)
		if !ok || !reDate.MatchString(s) || col.FieldType != "DATE" {
			return nil, false
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, false
		}
		return kquery.C(field, kop, kquery.Str(s)), false
	case schema.TypeDatetime:
		s, ok := arg.(string)
		if !ok || col.FieldType == "CALC" {
			return nil, false
		}
		return pushDatetime(field, op, s)
	case schema.TypeTime:
		s, ok := arg.(string)
		if !ok || col.FieldType != "TIME" || !reTime.MatchString(s) {
			return nil, false
		}
		if _, err := time.Parse("15:04:05", s); err != nil {
			return nil, false // kintone refuses 12:60:00 or 25:00:00; SQLite compares them as text
		}
		return pushMinutePrecision(field, op, s[:5], s[6:] == "00")
	case schema.TypeVarchar:
		s, ok := arg.(string)
		if !ok || !kquery.Representable(s) {
			return nil, false
		}
		switch col.FieldType {
		case "SINGLE_LINE_TEXT", "LINK":
			if op == opEQ || op == opIS || op == opNE {
				return kquery.C(field, kop, kquery.Str(s)), false
			}
		case "DROP_DOWN", "RADIO_BUTTON", "STATUS", "CREATOR", "MODIFIER":
			if col.FieldType != "STATUS" && col.FieldType != "CREATOR" && col.FieldType != "MODIFIER" && !col.HasOption(s) {
				// kintone refuses a value that is not an option (GAIA_IQ10); no stored value
				// can equal it anyway, and != holds for every non-empty value.
				return nil, false
			}
			switch op {
			case opEQ, opIS:
				return kquery.C(field, kquery.In, kquery.Str(s)), false
			case opNE:
				return kquery.C(field, kquery.NotIn, kquery.Str(s)), false
			}
		}
	}
	return nil, false
}

// pushNumber pushes a comparison of a NUMBER field with a number. kintone compares exact
// decimals, SQLite compares the doubles the driver reads them as: 0.1000000000000000001 is
// the double 0.1, so "= 0.1" holds in SQLite but not in kintone. The bounds are therefore
// widened to the neighbouring doubles, whose shortest decimal forms lie beyond every decimal
// that rounds to the value itself; != is sent only where each decimal equal to the value is
// read as that same value.
func pushNumber(field string, op int, arg any) (kquery.Expr, bool) {
	var x float64
	exact := false // every decimal equal to the literal is read back as the argument itself
	var lit string
	switch a := arg.(type) {
	case int64:
		x = float64(a)
		exact = a > -1<<53 && a < 1<<53
		lit = strconv.FormatInt(a, 10)
	case float64:
		x = a
		exact = true
		lit = strconv.FormatFloat(a, 'f', -1, 64)
	default:
		return nil, false
	}
	if math.IsNaN(x) || x > 1e300 || x < -1e300 {
		return nil, false
	}
	lo, hi := numberBounds(x)
	// Reading a decimal as a double is monotonic: a decimal at or below the literal (which
	// reads as x) reads at or below x. So "> x" and "< x" hold in SQLite only for decimals
	// beyond the literal, and need no widening when the literal reads as the argument itself.
	switch op {
	case opEQ, opIS:
		return kquery.And(kquery.C(field, kquery.Ge, kquery.Num(lo)), kquery.C(field, kquery.Le, kquery.Num(hi))), false
	case opLT:
		if exact {
			return kquery.C(field, kquery.Lt, kquery.Num(lit)), false
		}
		return kquery.C(field, kquery.Le, kquery.Num(hi)), false
	case opLE:
		return kquery.C(field, kquery.Le, kquery.Num(hi)), false
	case opGT:
		if exact {
			return kquery.C(field, kquery.Gt, kquery.Num(lit)), false
		}
		return kquery.C(field, kquery.Ge, kquery.Num(lo)), false
	case opGE:
		return kquery.C(field, kquery.Ge, kquery.Num(lo)), false
	case opNE:
		if exact {
			return kquery.C(field, kquery.Ne, kquery.Num(lit)), false
		}
	}
	return nil, false
}

// numberBounds are decimals just outside the range of decimals that read as the double x: the
// shortest forms of its neighbours (near zero, ±1e-19, which lie beyond them and stay short).
func numberBounds(x float64) (lo, hi string) {
	if math.Abs(x) < 1e-20 {
		return "-0.0000000000000000001", "0.0000000000000000001"
	}
	lo = strconv.FormatFloat(math.Nextafter(x, math.Inf(-1)), 'f', -1, 64)
	hi = strconv.FormatFloat(math.Nextafter(x, math.Inf(1)), 'f', -1, 64)
	return lo, hi
}

// pushEmpty sends IS NULL / IS NOT NULL for the types where kintone has a way to say empty.
func pushEmpty(col *schema.Column, isNull bool) kquery.Expr {
	switch col.FieldType {
	case "SINGLE_LINE_TEXT", "LINK":
		if isNull {
			return kquery.C(col.FieldCode, kquery.Eq, kquery.Str(""))
		}
		return kquery.C(col.FieldCode, kquery.Ne, kquery.Str(""))
	case "DROP_DOWN", "RADIO_BUTTON":
		if isNull {
			return kquery.C(col.FieldCode, kquery.In, kquery.Str(""))
		}
		return kquery.C(col.FieldCode, kquery.NotIn, kquery.Str(""))
	case "MULTI_LINE_TEXT", "FILE":
		// kintone's "is empty" also matches whitespace-only text, which SQL keeps as NOT NULL:
		// a superset for IS NULL, a subset for IS NOT NULL (so that one is not sent).
		if isNull {
			return kquery.C(col.FieldCode, kquery.IsEmpty)
		}
	}
	return nil
}

// pushDatetime pushes a comparison with a DATETIME column, whose values are stored as
// YYYY-MM-DDTHH:MM:SSZ and compared by SQLite as text. kintone compares at minute precision.
func pushDatetime(field string, op int, s string) (kquery.Expr, bool) {
	if reDate.MatchString(s) {
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, false // 2024-02-30: kintone refuses it, SQLite compares it as text
		}
		// A bare date sorts before every datetime of that day.
		day := s + "T00:00:00Z"
		switch op {
		case opGT, opGE:
			return kquery.C(field, kquery.Ge, kquery.Str(day)), false
		case opLT, opLE:
			return kquery.C(field, kquery.Lt, kquery.Str(day)), false
		}
		return nil, false
	}
	whole := reDatetime.MatchString(s)
	if !whole && !reDatetimeFraction.MatchString(s) {
		return nil, false
	}
	if _, err := time.Parse(time.RFC3339, s[:20]); err != nil {
		return nil, false
	}
	// With a fraction the value lies strictly after its whole second, as text and in time.
	return pushMinutePrecision(field, op, s[:16]+":00Z", whole && s[17:19] == "00")
}

// pushMinutePrecision widens a comparison whose value may carry seconds to whole minutes:
// the stored values never do, so a bound with seconds rounds outward.
func pushMinutePrecision(field string, op int, minute string, whole bool) (kquery.Expr, bool) {
	if whole {
		return kquery.C(field, cmpOps[op], kquery.Str(minute)), false
	}
	switch op {
	case opGT, opGE:
		return kquery.C(field, kquery.Gt, kquery.Str(minute)), false
	case opLT, opLE:
		return kquery.C(field, kquery.Le, kquery.Str(minute)), false
	}
	return nil, false
}
