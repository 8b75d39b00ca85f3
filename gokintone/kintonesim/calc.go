package kintonesim

import (
	"math/big"
	"strings"
	"unicode"
)

// The simulator evaluates the arithmetic part of kintone's CALC formulas: numbers, field
// codes, + - * / ^, parentheses, unary minus and SUM(field). A formula it cannot evaluate, or
// one that fails (division by zero, an empty operand), yields "" as kintone does on errors.
// Only the NUMBER and NUMBER_DIGIT formats are computed; other formats keep the value the
// fixture gives.

// computeCalcs recomputes a record's CALC fields (top-level and in subtable rows).
func (s *Server) computeCalcs(d *appDef, r *record) {
	for _, f := range d.stored {
		switch f.typ {
		case "SUBTABLE":
			rows, _ := r.vals[f.idx].([]row)
			for _, rw := range rows {
				for _, fi := range f.inner {
					if fi.typ == "CALC" && computable(fi) {
						rw.vals[fi.idx] = evalCalc(fi.prop.Expression, func(code string) ([]string, bool) {
							for _, x := range f.inner {
								if x.code == code {
									v, _ := rw.vals[x.idx].(string)
									return []string{v}, true
								}
							}
							return topValues(d, r, code)
						})
					}
				}
			}
		}
	}
	for _, f := range d.stored {
		if f.typ == "CALC" && computable(f) {
			r.vals[f.idx] = evalCalc(f.prop.Expression, func(code string) ([]string, bool) { return topValues(d, r, code) })
		}
	}
}

func computable(f *fieldDef) bool {
	return f.prop.Expression != "" && (f.prop.Format == "" || f.prop.Format == "NUMBER" || f.prop.Format == "NUMBER_DIGIT")
}

// topValues returns a field's values for a formula: one for a top-level field, one per row
// for a subtable column.
func topValues(d *appDef, r *record, code string) ([]string, bool) {
	f := d.byCode[code]
	if f == nil || (f.idx < 0 && f.table == nil) {
		return nil, false
	}
	if f.table != nil {
		rows, _ := r.vals[f.table.idx].([]row)
		out := make([]string, len(rows))
		for i, rw := range rows {
			out[i], _ = rw.vals[f.idx].(string)
		}
		return out, true
	}
	v, _ := r.vals[f.idx].(string)
	return []string{v}, true
}

type calcParser struct {
	s      string
	i      int
	lookup func(string) ([]string, bool)
	failed bool
}

// evalCalc evaluates a formula; "" when it cannot.
func evalCalc(expr string, lookup func(string) ([]string, bool)) string {
	p := &calcParser{s: expr, lookup: lookup}
	v := p.sum()
	p.space()
	if p.failed || v == nil || p.i != len(p.s) {
		return ""
	}
	return formatRat(v)
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

func (p *calcParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *calcParser) sum() *big.Rat {
	v := p.product()
	for !p.failed {
		p.space()
		if p.i >= len(p.s) || (p.s[p.i] != '+' && p.s[p.i] != '-') {
			return v
		}
		op := p.s[p.i]
		p.i++
		w := p.product()
		if v == nil || w == nil {
			p.failed = true
			return nil
		}
		if op == '+' {
			v = new(big.Rat).Add(v, w)
		} else {
			v = new(big.Rat).Sub(v, w)
		}
	}
	return nil
}

func (p *calcParser) product() *big.Rat {
	v := p.power()
	for !p.failed {
		p.space()
		if p.i >= len(p.s) || (p.s[p.i] != '*' && p.s[p.i] != '/') {
			return v
		}
		op := p.s[p.i]
		p.i++
		w := p.power()
		if v == nil || w == nil {
			p.failed = true
			return nil
		}
		if op == '*' {
			v = new(big.Rat).Mul(v, w)
		} else {
			if w.Sign() == 0 {
				p.failed = true
				return nil
			}
			v = new(big.Rat).Quo(v, w)
		}
	}
	return nil
}

func (p *calcParser) power() *big.Rat {
	v := p.unary()
	p.space()
	if !p.failed && p.i < len(p.s) && p.s[p.i] == '^' {
		p.i++
		w := p.power()
		if v == nil || w == nil || !w.IsInt() || w.Num().BitLen() > 10 {
			p.failed = true
			return nil
		}
		n := w.Num().Int64()
		out := big.NewRat(1, 1)
		base := v
		if n < 0 {
			if v.Sign() == 0 {
				p.failed = true
				return nil
			}
			base, n = new(big.Rat).Inv(v), -n
		}
		for ; n > 0; n-- {
			out.Mul(out, base)
		}
		return out
	}
	return v
}

func (p *calcParser) unary() *big.Rat {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
		v := p.unary()
		if v == nil {
			return nil
		}
		return new(big.Rat).Neg(v)
	}
	if p.i < len(p.s) && p.s[p.i] == '+' {
		p.i++
		return p.unary()
	}
	return p.atom()
}

func (p *calcParser) atom() *big.Rat {
	p.space()
	if p.i >= len(p.s) {
		p.failed = true
		return nil
	}
	c := p.s[p.i]
	if c == '(' {
		p.i++
		v := p.sum()
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			p.failed = true
			return nil
		}
		p.i++
		return v
	}
	if c >= '0' && c <= '9' || c == '.' {
		j := p.i
		for j < len(p.s) && (p.s[j] >= '0' && p.s[j] <= '9' || p.s[j] == '.') {
			j++
		}
		v, ok := new(big.Rat).SetString(p.s[p.i:j])
		p.i = j
		if !ok {
			p.failed = true
			return nil
		}
		return v
	}
	j := p.i
	for j < len(p.s) {
		r := rune(p.s[j])
		if r >= 0x80 || unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '$' || r == '・' {
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
		p.i++
		p.space()
		k := p.i
		for k < len(p.s) && p.s[k] != ')' {
			k++
		}
		arg := strings.TrimSpace(p.s[p.i:k])
		if k >= len(p.s) {
			p.failed = true
			return nil
		}
		p.i = k + 1
		vals, ok := p.lookup(arg)
		if !ok {
			p.failed = true
			return nil
		}
		total := new(big.Rat)
		for _, v := range vals {
			if v == "" {
				continue
			}
			x, ok := new(big.Rat).SetString(v)
			if !ok {
				p.failed = true
				return nil
			}
			total.Add(total, x)
		}
		return total
	}
	vals, ok := p.lookup(name)
	if !ok || len(vals) != 1 {
		p.failed = true
		return nil
	}
	if vals[0] == "" {
		return new(big.Rat) // an empty number counts as 0 in kintone formulas
	}
	v, ok := new(big.Rat).SetString(vals[0])
	if !ok {
		p.failed = true
		return nil
	}
	return v
}
