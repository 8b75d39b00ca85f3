package kquery

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String renders q in canonical form (see the package documentation). It never fails and never
// lets a value, field code, operator or function argument escape its place: anything that
// cannot be written as the AST says is written as a quoted literal where kintone expects
// something else, so that kintone rejects the query instead of running a different one. Use
// Build to get an error instead.
func (q *Query) String() string {
	if q == nil {
		return ""
	}
	var parts []string
	if q.Where != nil {
		var b strings.Builder
		writeExpr(&b, q.Where, false)
		parts = append(parts, b.String())
	}
	if len(q.OrderBy) > 0 {
		items := make([]string, len(q.OrderBy))
		for i, o := range q.OrderBy {
			dir := "asc"
			if o.Desc {
				dir = "desc"
			}
			items[i] = fieldText(o.Field) + " " + dir
		}
		parts = append(parts, "order by "+strings.Join(items, ", "))
	}
	if q.Limit != nil {
		parts = append(parts, "limit "+strconv.FormatInt(*q.Limit, 10))
	}
	if q.Offset != nil {
		parts = append(parts, "offset "+strconv.FormatInt(*q.Offset, 10))
	}
	return strings.Join(parts, " ")
}

// Build renders q like String but first checks that the text means exactly what the AST says:
// every literal is representable (no CR, NUL or invalid UTF-8: ErrNotRepresentable), and every
// field code, operator, value count, function call, logical group and limit is well formed
// (ErrInvalidQuery). Queries sent to kintone should be built with Build.
func (q *Query) Build() (string, error) {
	if q == nil {
		return "", nil
	}
	if q.Where != nil {
		if err := checkExpr(q.Where); err != nil {
			return "", err
		}
		if d := exprDepth(q.Where) - 1; d > MaxDepth {
			return "", fmt.Errorf("%w: groups nested %d deep (Parse accepts %d)", ErrInvalidQuery, d, MaxDepth)
		}
	}
	for _, o := range q.OrderBy {
		if !ValidField(o.Field) {
			return "", fmt.Errorf("%w: order by field code %q is not a single token", ErrInvalidQuery, o.Field)
		}
	}
	if q.Limit != nil && *q.Limit < 0 {
		return "", fmt.Errorf("%w: negative limit %d", ErrInvalidQuery, *q.Limit)
	}
	if q.Offset != nil && *q.Offset < 0 {
		return "", fmt.Errorf("%w: negative offset %d", ErrInvalidQuery, *q.Offset)
	}
	return q.String(), nil
}

func checkExpr(e Expr) error {
	switch x := derefExpr(e).(type) {
	case *Logical:
		if x.Op != OpAnd && x.Op != OpOr {
			return fmt.Errorf("%w: logical operator %q", ErrInvalidQuery, x.Op)
		}
		if len(x.Terms) < 2 {
			return fmt.Errorf("%w: %s group with %d terms", ErrInvalidQuery, x.Op, len(x.Terms))
		}
		for _, t := range x.Terms {
			if t == nil {
				return fmt.Errorf("%w: nil term in %s group", ErrInvalidQuery, x.Op)
			}
			if err := checkExpr(t); err != nil {
				return err
			}
		}
	case *Cond:
		if !ValidField(x.Field) {
			return fmt.Errorf("%w: field code %q is not a single token", ErrInvalidQuery, x.Field)
		}
		if !x.Op.Known() {
			return fmt.Errorf("%w: operator %q", ErrInvalidQuery, string(x.Op))
		}
		if n := x.Op.valueCount(); (n >= 0 && len(x.Values) != n) || (n < 0 && len(x.Values) == 0) {
			return fmt.Errorf("%w: %s takes %s, got %d", ErrInvalidQuery, x.Op, countText(n), len(x.Values))
		}
		for _, v := range x.Values {
			if v.Func != nil {
				if !validFuncName(v.Func.Name) {
					return fmt.Errorf("%w: function name %q", ErrInvalidQuery, v.Func.Name)
				}
				for _, a := range v.Func.Args {
					if !validFuncArg(a) {
						return fmt.Errorf("%w: argument %q of %s", ErrInvalidQuery, a, v.Func.Name)
					}
				}
				continue
			}
			if err := checkRepresentable(v.Lit); err != nil {
				return fmt.Errorf("field %s: %w", x.Field, err)
			}
		}
	default:
		return fmt.Errorf("%w: unknown expression %T", ErrInvalidQuery, e)
	}
	return nil
}

// exprDepth is the number of parentheses String writes around the deepest condition.
func exprDepth(e Expr) int {
	l, ok := derefExpr(e).(*Logical)
	if !ok || l == nil {
		return 0
	}
	d := 0
	for _, t := range l.Terms {
		if n := exprDepth(t); n > d {
			d = n
		}
	}
	if len(l.Terms) == 1 {
		return d
	}
	return d + 1
}

func countText(n int) string {
	switch {
	case n < 0:
		return "one or more values"
	case n == 1:
		return "one value"
	}
	return strconv.Itoa(n) + " values"
}

// derefExpr turns the value forms Cond and Logical into pointers so that one type switch
// covers both.
func derefExpr(e Expr) Expr {
	switch x := e.(type) {
	case Cond:
		return &x
	case Logical:
		return &x
	}
	return e
}

func writeExpr(b *strings.Builder, e Expr, nested bool) {
	switch x := derefExpr(e).(type) {
	case *Logical:
		if x == nil {
			b.WriteString("()")
			return
		}
		if len(x.Terms) == 1 {
			writeExpr(b, x.Terms[0], nested)
			return
		}
		op := x.Op
		if op != OpAnd && op != OpOr {
			op = Quote(op)
		}
		// Every nested group is parenthesised: kintone's and/or precedence is undocumented,
		// and keeping groups explicit makes String a fixed point of Parse.
		if nested || len(x.Terms) == 0 {
			b.WriteByte('(')
		}
		for i, t := range x.Terms {
			if i > 0 {
				b.WriteString(" " + op + " ")
			}
			if t == nil {
				b.WriteString("()")
				continue
			}
			writeExpr(b, t, true)
		}
		if nested || len(x.Terms) == 0 {
			b.WriteByte(')')
		}
	case *Cond:
		if x == nil {
			b.WriteString("()")
			return
		}
		b.WriteString(fieldText(x.Field))
		b.WriteByte(' ')
		if x.Op.Known() {
			b.WriteString(string(x.Op))
		} else {
			b.WriteString(Quote(string(x.Op)))
		}
		switch {
		case x.Op == In || x.Op == NotIn || !x.Op.Known():
			b.WriteString(" (")
			for i, v := range x.Values {
				if i > 0 {
					b.WriteString(", ")
				}
				writeValue(b, v)
			}
			b.WriteByte(')')
		case x.Op == IsEmpty || x.Op == IsNotEmpty:
			for _, v := range x.Values { // none in a valid AST; kept visible so kintone rejects it
				b.WriteByte(' ')
				writeValue(b, v)
			}
		default:
			if len(x.Values) == 0 {
				b.WriteString(" ()")
			}
			for i, v := range x.Values {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteByte(' ')
				writeValue(b, v)
			}
		}
	default:
		b.WriteString("()")
	}
}

func writeValue(b *strings.Builder, v Value) {
	if f := v.Func; f != nil {
		if validFuncName(f.Name) {
			b.WriteString(f.Name)
		} else {
			b.WriteString(Quote(f.Name))
		}
		b.WriteByte('(')
		for i, a := range f.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			if validFuncArg(a) {
				b.WriteString(a)
			} else {
				b.WriteString(Quote(a))
			}
		}
		b.WriteByte(')')
		return
	}
	if v.Bare && isNumber(v.Lit) {
		b.WriteString(v.Lit)
		return
	}
	b.WriteString(Quote(v.Lit))
}

func fieldText(f string) string {
	if ValidField(f) {
		return f
	}
	return Quote(f) // a string in field position: kintone rejects the query
}

// ValidField reports whether f can be written bare as a field reference: one token of the query
// language that is not a number. kintone field codes always are; the check guards the builder
// against codes that would split into several tokens.
func ValidField(f string) bool {
	if f == "" || isNumber(f) {
		return false
	}
	for _, r := range f {
		if !isWordRune(r) {
			return false
		}
	}
	return utf8.ValidString(f)
}

func validFuncName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r < utf8.RuneSelf && unicode.IsLetter(r) || i > 0 && r < utf8.RuneSelf && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func validFuncArg(s string) bool {
	if s == "" {
		return false
	}
	if isNumber(s) {
		return true
	}
	return validFuncName(s)
}

// isWordRune reports whether r may be part of a bare token (field code, number, keyword,
// function name).
func isWordRune(r rune) bool {
	switch r {
	case '(', ')', ',', '"', '\'', '=', '!', '<', '>', utf8.RuneError:
		return false
	}
	return !unicode.IsSpace(r) && !unicode.IsControl(r)
}

// isNumber reports whether s is a bare number as kintone's query language writes one:
// an optional minus, digits with an optional fraction, and an optional exponent.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == fs {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		es := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == es {
			return false
		}
	}
	return i == len(s)
}

// And joins terms with "and". Nil terms are dropped and nested and groups are spliced in, so
// that conditions can be combined without special cases; fewer than two remaining terms give
// nil or the single term.
func And(terms ...Expr) Expr { return join(OpAnd, terms) }

// Or joins terms with "or" the way And joins them with "and".
func Or(terms ...Expr) Expr { return join(OpOr, terms) }

func join(op string, terms []Expr) Expr {
	var out []Expr
	for _, t := range terms {
		if t == nil {
			continue
		}
		switch x := derefExpr(t).(type) {
		case *Logical:
			if x == nil {
				continue
			}
			if x.Op == op {
				for _, s := range x.Terms {
					if s != nil {
						out = append(out, s)
					}
				}
				continue
			}
		case *Cond:
			if x == nil {
				continue
			}
		}
		out = append(out, t)
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return &Logical{Op: op, Terms: out}
}

// Str is a string literal; every user value enters a query this way (or through Num), so it is
// always escaped by Quote.
func Str(s string) Value { return Value{Lit: s} }

// Num is a bare number. Text that is not a number in the query language's syntax falls back to
// a quoted literal: kintone accepts quoted numbers, so the meaning is kept and nothing unquoted
// can be smuggled in.
func Num(s string) Value {
	if isNumber(s) {
		return Value{Lit: s, Bare: true}
	}
	return Value{Lit: s}
}

// Int is a bare integer.
func Int(n int64) Value { return Value{Lit: strconv.FormatInt(n, 10), Bare: true} }

// Fn is a function call value such as Fn("FROM_TODAY", "-1", "DAYS").
func Fn(name string, args ...string) Value {
	return Value{Func: &Func{Name: name, Args: args}}
}

// C is a condition: C("status", kquery.In, kquery.Str("open")).
func C(field string, op Op, values ...Value) *Cond {
	return &Cond{Field: field, Op: op, Values: values}
}

// WithSeek adds "$id > lastID" to the user's condition for $id seek paging. The user's
// condition stays a separate group, so a top-level or in it is rendered in parentheses and
// cannot widen the seek.
func WithSeek(userWhere Expr, lastID int64) Expr {
	return And(userWhere, C("$id", Gt, Int(lastID)))
}

// Int64 returns a pointer to n, for Query.Limit and Query.Offset.
func Int64(n int64) *int64 { return &n }
