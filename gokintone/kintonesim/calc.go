package kintonesim

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Formulas: the expression of a CALC field, and of a SINGLE_LINE_TEXT field whose value kintone
// computes (auto-calculation). calc.go reads them and checks them as kintone does when an app
// is deployed; calc_eval.go computes them on every write. BEHAVIOUR.md (Formulas) lists what
// is followed and its sources.
//
// The grammar, loosest first: comparisons (= != <> < <= > >=), & (text concatenation), + -,
// * /, ^ (right-associative), unary - and +, then numbers, "strings", field codes, function
// calls and parentheses.

// formula is a field's parsed expression.
type formula struct {
	root *calcNode
	refs []string // the field codes it names
}

// calcNode is a node of a parsed formula.
type calcNode struct {
	op   string   // "num", "str", "ref", "call", "neg", or a binary operator
	num  *big.Rat // "num": the literal as written
	str  string   // "str": the literal; "ref": the field code; "call": the function (upper case)
	args []*calcNode
}

// calcFuncs are the functions kintone's formulas know, with their argument counts (max -1: no
// limit).
var calcFuncs = map[string]struct{ min, max int }{
	"SUM": {1, -1}, "IF": {3, 3}, "AND": {1, 32}, "OR": {1, 32}, "NOT": {1, 1},
	"ROUND": {1, 2}, "ROUNDUP": {1, 2}, "ROUNDDOWN": {1, 2}, "YEN": {2, 2},
	"DATE_FORMAT": {3, 3}, "CONTAINS": {2, 2},
}

// calcFormats are the formats kintone accepts for a CALC field ("" is NUMBER).
var calcFormats = map[string]bool{
	"": true, "NUMBER": true, "NUMBER_DIGIT": true, "DATETIME": true, "DATE": true, "TIME": true,
	"HOUR_MINUTE": true, "DAY_HOUR_MINUTE": true,
}

// unreferable are the field types a formula may not name.
var unreferable = map[string]bool{
	"MULTI_LINE_TEXT": true, "RICH_TEXT": true, "FILE": true, "LINK": true, "USER_SELECT": true,
	"ORGANIZATION_SELECT": true, "GROUP_SELECT": true, "REFERENCE_TABLE": true, "LABEL": true,
	"SPACER": true, "HR": true, "GROUP": true, "RECORD_NUMBER": true, "STATUS": true,
	"STATUS_ASSIGNEE": true, "CATEGORY": true, "SUBTABLE": true,
}

// fullWidthSymbols are the full-width symbols kintone refuses in a formula, with the ASCII
// symbol meant.
var fullWidthSymbols = map[rune]rune{
	'＋': '+', '－': '-', '＊': '*', '／': '/', '＾': '^', '＆': '&', '＝': '=', '＜': '<', '＞': '>',
	'（': '(', '）': ')', '，': ',', '”': '"', '“': '"',
}

// formulaError is why kintone refuses a formula at deploy (GAIA_IL01).
type formulaError struct {
	field  *fieldDef
	reason text
}

func (e *formulaError) apiError() *apiError {
	label := e.field.prop.Label
	return &apiError{status: 400, code: "GAIA_IL01", msg: text{
		fmt.Sprintf("The formula of the field \"%s\" is invalid. (%s)", label, e.reason.en),
		fmt.Sprintf("フィールド「%s」の計算式が正しくありません。(エラーの内容：%s)", label, e.reason.ja)}}
}

// The reasons of GAIA_IL01, in kintone's recorded Japanese wording.
var (
	msgFormulaSyntax = text{"The syntax of the formula is invalid.", "計算式の文法が正しくありません。"}
	msgFormulaCycle  = text{"The fields refer to each other in a cycle.", "フィールドの参照が循環しています。"}
	msgFullWidth     = func(got, want rune) text {
		return text{fmt.Sprintf("The full-width symbol \"%c\" was entered. Enter the half-width \"%c\".", got, want),
			fmt.Sprintf("全角記号「%c」が入力されています。半角記号「%c」を入力してください。", got, want)}
	}
	msgUnknownFunc = func(name string) text {
		return text{fmt.Sprintf("The %s function cannot be used.", name), fmt.Sprintf("%s関数は使用できません。", name)}
	}
	msgArgsExactly = func(name string, n int) text {
		return text{fmt.Sprintf("The %s function needs %d arguments.", name, n), fmt.Sprintf("%s関数には%d個の引数が必要です。", name, n)}
	}
	msgArgsAtLeast = func(name string, n int) text {
		return text{fmt.Sprintf("The %s function needs %d or more arguments.", name, n), fmt.Sprintf("%s関数には%d個以上の引数が必要です。", name, n)}
	}
	msgArgsAtMost = func(name string, n int) text {
		return text{fmt.Sprintf("The %s function takes up to %d arguments.", name, n), fmt.Sprintf("%s関数に指定できる引数は%d個までです。", name, n)}
	}
	msgFormulaNoField = func(code string) text {
		return text{fmt.Sprintf("The field code (%s) in the formula does not exist.", code),
			fmt.Sprintf("計算式に含まれるフィールドコード（%s）が存在しません。", code)}
	}
	msgFormulaFieldType = func(code string) text {
		return text{fmt.Sprintf("A field type that formulas cannot use is specified (%s).", code),
			fmt.Sprintf("計算式で利用できないフィールドタイプ(%s)が指定されています。", code)}
	}
)

// warnings describe what a fixture's app holds that kintone would refuse: formulas (their fields
// keep the values the fixture gives) and unknown CALC formats (shown as NUMBER).
func (d *appDef) warnings() []string {
	var out []string
	for _, e := range d.badFormulas {
		out = append(out, fmt.Sprintf("app %d: field %q: the formula %q is not computed (%s); its values are kept as given",
			d.meta.ID, e.field.code, e.field.prop.Expression, strings.TrimSuffix(e.reason.en, ".")))
	}
	for _, f := range d.byCode {
		if f.typ == "CALC" && !calcFormats[f.prop.Format] {
			out = append(out, fmt.Sprintf("app %d: field %q: kintone knows no CALC format %q; values are written as NUMBER",
				d.meta.ID, f.code, f.prop.Format))
		}
	}
	sort.Strings(out)
	return out
}

// isFormula reports whether kintone computes f's value.
func isFormula(f *fieldDef) bool {
	return f.prop.Expression != "" && (f.typ == "CALC" || f.typ == "SINGLE_LINE_TEXT")
}

// prepareFormulas parses and checks every formula of an app as kintone does at deploy: syntax,
// functions and their argument counts, the fields named and the types they have, and cycles.
// A formula that passes is kept on its field (fieldDef.formula) and computed on every write;
// the refused ones are listed in d.badFormulas, by field code.
func (d *appDef) prepareFormulas() {
	var fields []*fieldDef
	for _, f := range d.fields {
		fields = append(fields, f)
		fields = append(fields, f.inner...)
	}
	for _, f := range fields {
		if !isFormula(f) {
			continue
		}
		fm, reason := parseFormula(f.prop.Expression)
		if reason == nil {
			reason = d.checkRefs(fm)
		}
		if reason != nil {
			d.badFormulas = append(d.badFormulas, &formulaError{field: f, reason: *reason})
			continue
		}
		f.formula = fm
	}
	// Cycles: a formula field that reaches itself through the formula fields it names.
	state := map[*fieldDef]int{} // 1 visiting, 2 done
	var visit func(f *fieldDef) bool
	visit = func(f *fieldDef) bool {
		switch state[f] {
		case 1:
			return true
		case 2:
			return false
		}
		state[f] = 1
		for _, code := range f.formula.refs {
			if g := d.byCode[code]; g != nil && g.formula != nil && visit(g) {
				return true
			}
		}
		state[f] = 2
		return false
	}
	for _, f := range fields {
		if f.formula != nil && visit(f) {
			d.badFormulas = append(d.badFormulas, &formulaError{field: f, reason: msgFormulaCycle})
		}
	}
	for _, e := range d.badFormulas {
		e.field.formula = nil
	}
	sort.SliceStable(d.badFormulas, func(i, j int) bool { return d.badFormulas[i].field.code < d.badFormulas[j].field.code })
}

// checkRefs checks the fields a formula names: they exist and formulas may use their type.
func (d *appDef) checkRefs(fm *formula) *text {
	for _, code := range fm.refs {
		f := d.byCode[code]
		if f == nil {
			t := msgFormulaNoField(code)
			return &t
		}
		if unreferable[f.typ] {
			t := msgFormulaFieldType(code)
			return &t
		}
	}
	return nil
}

// parseFormula parses an expression; the reason is kintone's when it refuses it.
func parseFormula(expr string) (*formula, *text) {
	p := &calcParser{src: expr, refs: map[string]bool{}}
	p.next()
	n := p.comparison()
	if p.fail == nil && p.tok.kind != tEOF {
		p.failWith(msgFormulaSyntax)
	}
	if p.fail != nil {
		return nil, p.fail
	}
	fm := &formula{root: n}
	for code := range p.refs {
		fm.refs = append(fm.refs, code)
	}
	sort.Strings(fm.refs)
	return fm, nil
}

// token kinds of formulas.
const (
	tEOF = iota
	tNum
	tStr
	tIdent
	tOp // an operator, parenthesis or comma
)

type calcToken struct {
	kind int
	text string
}

type calcParser struct {
	src  string
	pos  int
	tok  calcToken
	fail *text
	refs map[string]bool
}

func (p *calcParser) failWith(t text) {
	if p.fail == nil {
		p.fail = &t
	}
}

// next reads the next token into p.tok.
func (p *calcParser) next() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
	if p.pos >= len(p.src) {
		p.tok = calcToken{kind: tEOF}
		return
	}
	start := p.pos
	c := p.src[p.pos]
	switch {
	case c >= '0' && c <= '9' || c == '.':
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
		p.tok = calcToken{kind: tNum, text: p.src[start:p.pos]}
	case c == '"':
		var b strings.Builder
		p.pos++
		for p.pos < len(p.src) && p.src[p.pos] != '"' {
			if p.src[p.pos] == '\\' && p.pos+1 < len(p.src) {
				p.pos++
			}
			b.WriteByte(p.src[p.pos])
			p.pos++
		}
		if p.pos >= len(p.src) {
			p.failWith(msgFormulaSyntax)
			p.tok = calcToken{kind: tEOF}
			return
		}
		p.pos++
		p.tok = calcToken{kind: tStr, text: b.String()}
	case strings.IndexByte("+-*/^&(),", c) >= 0:
		p.pos++
		p.tok = calcToken{kind: tOp, text: string(c)}
	case c == '=' || c == '<' || c == '>' || c == '!':
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '=' || c == '<' && p.src[p.pos] == '>') {
			p.pos++
		}
		op := p.src[start:p.pos]
		if op == "!" {
			p.failWith(msgFormulaSyntax)
		}
		if op == "<>" {
			op = "!="
		}
		p.tok = calcToken{kind: tOp, text: op}
	default:
		for p.pos < len(p.src) {
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if want, ok := fullWidthSymbols[r]; ok {
				p.failWith(msgFullWidth(r, want))
				p.tok = calcToken{kind: tEOF}
				return
			}
			if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= utf8.RuneSelf && !unicode.IsSpace(r)) {
				break
			}
			p.pos += size
		}
		if p.pos == start {
			p.failWith(msgFormulaSyntax)
			p.tok = calcToken{kind: tEOF}
			return
		}
		p.tok = calcToken{kind: tIdent, text: p.src[start:p.pos]}
	}
}

func (p *calcParser) isOp(ops ...string) bool {
	if p.tok.kind != tOp {
		return false
	}
	for _, o := range ops {
		if p.tok.text == o {
			return true
		}
	}
	return false
}

// binary parses next-level operands joined by ops, left to right.
func (p *calcParser) binary(next func() *calcNode, ops ...string) *calcNode {
	n := next()
	for p.fail == nil && p.isOp(ops...) {
		op := p.tok.text
		p.next()
		n = &calcNode{op: op, args: []*calcNode{n, next()}}
	}
	return n
}

func (p *calcParser) comparison() *calcNode {
	return p.binary(p.concat, "=", "!=", "<", "<=", ">", ">=")
}
func (p *calcParser) concat() *calcNode  { return p.binary(p.sum, "&") }
func (p *calcParser) sum() *calcNode     { return p.binary(p.product, "+", "-") }
func (p *calcParser) product() *calcNode { return p.binary(p.power, "*", "/") }

func (p *calcParser) power() *calcNode {
	n := p.unary()
	if p.fail == nil && p.isOp("^") {
		p.next()
		return &calcNode{op: "^", args: []*calcNode{n, p.power()}}
	}
	return n
}

func (p *calcParser) unary() *calcNode {
	if p.isOp("-", "+") {
		neg := p.tok.text == "-"
		p.next()
		n := p.unary()
		if neg {
			return &calcNode{op: "neg", args: []*calcNode{n}}
		}
		return n
	}
	return p.atom()
}

func (p *calcParser) atom() *calcNode {
	if p.fail != nil {
		return nil
	}
	t := p.tok
	switch {
	case t.kind == tNum:
		r, ok := new(big.Rat).SetString(t.text)
		if !ok || strings.Count(t.text, ".") > 1 {
			p.failWith(msgFormulaSyntax)
			return nil
		}
		p.next()
		return &calcNode{op: "num", num: r}
	case t.kind == tStr:
		p.next()
		return &calcNode{op: "str", str: t.text}
	case t.kind == tOp && t.text == "(":
		p.next()
		n := p.comparison()
		if !p.isOp(")") {
			p.failWith(msgFormulaSyntax)
			return nil
		}
		p.next()
		return n
	case t.kind == tIdent:
		p.next()
		if !p.isOp("(") {
			p.refs[t.text] = true
			return &calcNode{op: "ref", str: t.text}
		}
		return p.call(strings.ToUpper(t.text), t.text)
	}
	p.failWith(msgFormulaSyntax)
	return nil
}

// call parses a function's arguments (p.tok is its "(").
func (p *calcParser) call(name, written string) *calcNode {
	p.next()
	n := &calcNode{op: "call", str: name}
	if !p.isOp(")") {
		for {
			n.args = append(n.args, p.comparison())
			if p.fail != nil {
				return nil
			}
			if !p.isOp(",") {
				break
			}
			p.next()
		}
	}
	if !p.isOp(")") {
		p.failWith(msgFormulaSyntax)
		return nil
	}
	p.next()
	spec, ok := calcFuncs[name]
	switch {
	case !ok:
		p.failWith(msgUnknownFunc(written))
	case spec.min == spec.max && len(n.args) != spec.min:
		p.failWith(msgArgsExactly(name, spec.min))
	case len(n.args) < spec.min:
		p.failWith(msgArgsAtLeast(name, spec.min))
	case spec.max >= 0 && len(n.args) > spec.max:
		p.failWith(msgArgsAtMost(name, spec.max))
	}
	return n
}
