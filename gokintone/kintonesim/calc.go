package kintonesim

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// The simulator evaluates the arithmetic part of kintone's CALC formulas: numbers, field
// codes, + - * / ^, parentheses, unary minus and SUM(field). A formula it cannot evaluate, or
// one that fails (division by zero), yields "" as kintone does on errors; an empty operand
// counts as 0. Only the NUMBER and NUMBER_DIGIT formats are computed; other formats keep the
// value the fixture gives. Arithmetic is exact (integers, falling back to big.Rat); a
// non-terminating quotient is rounded to 10 decimal places.

// calcNode is a parsed formula.
type calcNode struct {
	op   byte // 'n' number, 'f' field, 's' SUM, '~' negate, or + - * / ^
	num  calcNum
	name string
	a, b *calcNode
}

// calcNum is an exact number: an int64 when r is nil.
type calcNum struct {
	i int64
	r *big.Rat
}

func (n calcNum) rat() *big.Rat {
	if n.r != nil {
		return n.r
	}
	return new(big.Rat).SetInt64(n.i)
}

func ratNum(r *big.Rat) calcNum {
	if r.IsInt() && r.Num().IsInt64() {
		return calcNum{i: r.Num().Int64()}
	}
	return calcNum{r: r}
}

func parseNum(s string) (calcNum, bool) {
	if s == "" {
		return calcNum{}, true
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return calcNum{i: i}, true
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return calcNum{}, false
	}
	return ratNum(r), true
}

func (n calcNum) String() string {
	if n.r == nil {
		return strconv.FormatInt(n.i, 10)
	}
	return formatRat(n.r)
}

func arith(op byte, x, y calcNum) (calcNum, bool) {
	if x.r == nil && y.r == nil {
		a, b := x.i, y.i
		switch op {
		case '+':
			if s := a + b; (s > a) == (b > 0) {
				return calcNum{i: s}, true
			}
		case '-':
			if s := a - b; (s < a) == (b > 0) {
				return calcNum{i: s}, true
			}
		case '*':
			if a == 0 || b == 0 {
				return calcNum{}, true
			}
			if p := a * b; p/b == a && !(a == -1 && b == math.MinInt64) && !(b == -1 && a == math.MinInt64) {
				return calcNum{i: p}, true
			}
		case '/':
			if b == 0 {
				return calcNum{}, false
			}
			if b != -1 && a%b == 0 {
				return calcNum{i: a / b}, true
			}
		}
	}
	a, b := x.rat(), y.rat()
	switch op {
	case '+':
		return ratNum(new(big.Rat).Add(a, b)), true
	case '-':
		return ratNum(new(big.Rat).Sub(a, b)), true
	case '*':
		return ratNum(new(big.Rat).Mul(a, b)), true
	case '/':
		if b.Sign() == 0 {
			return calcNum{}, false
		}
		return ratNum(new(big.Rat).Quo(a, b)), true
	}
	return calcNum{}, false
}

// calcCache caches parsed formulas by expression text.
type calcCache map[string]*calcNode

func (c calcCache) get(expr string) *calcNode {
	if n, ok := c[expr]; ok {
		return n
	}
	p := &calcParser{s: expr}
	n := p.sum()
	p.space()
	if p.failed || p.i != len(p.s) {
		n = nil
	}
	c[expr] = n
	return n
}

// compute recomputes a record's CALC fields (top-level and in subtable rows).
func (c calcCache) compute(d *appDef, r *record) {
	if !d.hasCalc {
		return
	}
	for _, f := range d.stored {
		if f.typ != "SUBTABLE" || !f.hasCalc {
			continue
		}
		rows, _ := r.vals[f.idx].([]row)
		for _, rw := range rows {
			for _, fi := range f.inner {
				if fi.typ == "CALC" && computable(fi) {
					rw.vals[fi.idx] = c.eval(fi.prop.Expression, func(code string, each func(string) bool) bool {
						if x := d.byCode[code]; x != nil && x.table == f {
							v, _ := rw.vals[x.idx].(string)
							return each(v)
						}
						return topValues(d, r, code, each)
					})
				}
			}
		}
	}
	for _, f := range d.stored {
		if f.typ == "CALC" && computable(f) {
			r.vals[f.idx] = c.eval(f.prop.Expression, func(code string, each func(string) bool) bool {
				return topValues(d, r, code, each)
			})
		}
	}
}

func computable(f *fieldDef) bool {
	return f.prop.Expression != "" && (f.prop.Format == "" || f.prop.Format == "NUMBER" || f.prop.Format == "NUMBER_DIGIT")
}

// topValues passes a field's values to each: one for a top-level field, one per row for a
// subtable column. It returns false for an unknown field or when each does.
func topValues(d *appDef, r *record, code string, each func(string) bool) bool {
	f := d.byCode[code]
	if f == nil || (f.idx < 0 && f.table == nil) {
		return false
	}
	if f.table != nil {
		rows, _ := r.vals[f.table.idx].([]row)
		for _, rw := range rows {
			v, _ := rw.vals[f.idx].(string)
			if !each(v) {
				return false
			}
		}
		return true
	}
	v, _ := r.vals[f.idx].(string)
	return each(v)
}

// eval evaluates a formula; "" when it cannot.
func (c calcCache) eval(expr string, values func(code string, each func(string) bool) bool) string {
	n := c.get(expr)
	if n == nil {
		return ""
	}
	v, ok := n.eval(values)
	if !ok {
		return ""
	}
	return v.String()
}

func (n *calcNode) eval(values func(string, func(string) bool) bool) (calcNum, bool) {
	switch n.op {
	case 'n':
		return n.num, true
	case 'f', 's':
		var total calcNum
		count := 0
		ok := values(n.name, func(v string) bool {
			x, ok := parseNum(v)
			if !ok {
				return false
			}
			count++
			total, ok = arith('+', total, x)
			return ok
		})
		if !ok || (n.op == 'f' && count != 1) {
			return calcNum{}, false
		}
		return total, true
	case '~':
		v, ok := n.a.eval(values)
		if !ok {
			return v, false
		}
		return arith('-', calcNum{}, v)
	case '^':
		base, ok := n.a.eval(values)
		exp, ok2 := n.b.eval(values)
		if !ok || !ok2 || exp.r != nil || exp.i > 1000 || exp.i < -1000 {
			return calcNum{}, false
		}
		out := calcNum{i: 1}
		k := exp.i
		if k < 0 {
			k = -k
		}
		for ; k > 0; k-- {
			if out, ok = arith('*', out, base); !ok {
				return out, false
			}
		}
		if exp.i < 0 {
			return arith('/', calcNum{i: 1}, out)
		}
		return out, true
	}
	x, ok := n.a.eval(values)
	if !ok {
		return x, false
	}
	y, ok := n.b.eval(values)
	if !ok {
		return y, false
	}
	return arith(n.op, x, y)
}

// formatRat renders an exact decimal, or rounds a non-terminating one to 10 places.
func formatRat(v *big.Rat) string {
	if v.IsInt() {
		return v.Num().String()
	}
	for prec := 1; prec <= 30; prec++ {
		t := v.FloatString(prec)
		back, _ := new(big.Rat).SetString(t)
		if back.Cmp(v) == 0 {
			return t
		}
	}
	t := strings.TrimRight(v.FloatString(10), "0")
	return strings.TrimSuffix(t, ".")
}

type calcParser struct {
	s      string
	i      int
	failed bool
}

func (p *calcParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *calcParser) binary(next func() *calcNode, ops string) *calcNode {
	n := next()
	for !p.failed {
		p.space()
		if p.i >= len(p.s) || strings.IndexByte(ops, p.s[p.i]) < 0 {
			return n
		}
		op := p.s[p.i]
		p.i++
		m := next()
		if n == nil || m == nil {
			p.failed = true
			return nil
		}
		n = &calcNode{op: op, a: n, b: m}
	}
	return nil
}

func (p *calcParser) sum() *calcNode     { return p.binary(p.product, "+-") }
func (p *calcParser) product() *calcNode { return p.binary(p.power, "*/") }

func (p *calcParser) power() *calcNode {
	n := p.unary()
	p.space()
	if !p.failed && p.i < len(p.s) && p.s[p.i] == '^' {
		p.i++
		m := p.power()
		if n == nil || m == nil {
			p.failed = true
			return nil
		}
		return &calcNode{op: '^', a: n, b: m}
	}
	return n
}

func (p *calcParser) unary() *calcNode {
	p.space()
	if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
		neg := p.s[p.i] == '-'
		p.i++
		n := p.unary()
		if n == nil || !neg {
			return n
		}
		return &calcNode{op: '~', a: n}
	}
	return p.atom()
}

func (p *calcParser) atom() *calcNode {
	p.space()
	if p.i >= len(p.s) {
		p.failed = true
		return nil
	}
	c := p.s[p.i]
	if c == '(' {
		p.i++
		n := p.sum()
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			p.failed = true
			return nil
		}
		p.i++
		return n
	}
	if c >= '0' && c <= '9' || c == '.' {
		j := p.i
		for j < len(p.s) && (p.s[j] >= '0' && p.s[j] <= '9' || p.s[j] == '.') {
			j++
		}
		v, ok := parseNum(p.s[p.i:j])
		p.i = j
		if !ok {
			p.failed = true
			return nil
		}
		return &calcNode{op: 'n', num: v}
	}
	j := p.i
	for j < len(p.s) {
		r := rune(p.s[j])
		if r >= 0x80 || unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '$' {
			j++
			continue
		}
		break
	}
	name := p.s[p.i:j]
	if name == "" {
		p.failed = true
		return nil
	}
	p.i = j
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '(' && strings.EqualFold(name, "SUM") {
		k := strings.IndexByte(p.s[p.i:], ')')
		if k < 0 {
			p.failed = true
			return nil
		}
		arg := strings.TrimSpace(p.s[p.i+1 : p.i+k])
		p.i += k + 1
		return &calcNode{op: 's', name: arg}
	}
	return &calcNode{op: 'f', name: name}
}
