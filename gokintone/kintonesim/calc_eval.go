package kintonesim

import (
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Computing formulas (parsed by calc.go). Numbers are exact decimals rounded as kintone rounds
// them: every literal, field value and intermediate result to the app's decimal places (4 by
// default) with its rounding mode (HALF_EVEN by default), and an integer part longer than the
// app's digits minus its decimal places is an error. Dates and times are Unix seconds (a DATE
// is its UTC midnight, a TIME its seconds since midnight). An unfilled field is "blank": 0 to
// arithmetic, comparisons and SUM, but a formula that only passes it on (n, (n), IF(c, n, 1))
// gives "". Any error gives "", as kintone answers it.

// NumberPrecision is an app's precision of numbers and formulas ("数値と計算の精度"), as
// app/settings.json writes it: the digits in all (1-30), the decimal places (0-10) and the
// rounding mode (HALF_EVEN, UP or DOWN). The default is 16, 4 and HALF_EVEN.
type NumberPrecision struct {
	Digits        NumString `json:"digits"`
	DecimalPlaces NumString `json:"decimalPlaces"`
	RoundingMode  string    `json:"roundingMode"`
}

// precision is a NumberPrecision read for computing.
type precision struct {
	digits, places int
	mode           string
	limit          *big.Int // 10^(digits-places): the smallest integer part too long
}

func precisionOf(p *NumberPrecision) precision {
	out := precision{digits: 16, places: 4, mode: "HALF_EVEN"}
	if p != nil {
		if n, err := strconv.Atoi(string(p.Digits)); err == nil && n >= 1 && n <= 30 {
			out.digits = n
		}
		if n, err := strconv.Atoi(string(p.DecimalPlaces)); err == nil && n >= 0 && n <= 10 && n < out.digits {
			out.places = n
		}
		if p.RoundingMode == "UP" || p.RoundingMode == "DOWN" {
			out.mode = p.RoundingMode
		}
	}
	out.limit = pow10(out.digits - out.places)
	return out
}

// pow10 is 10^n for n >= 0.
func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// calcKind is the type of a formula value, as kintone's help names them.
type calcKind uint8

const (
	cNumber  calcKind = iota // 数値型 (dates and times too)
	cString                  // 文字列型
	cBool                    // 論理型
	cStrings                 // 配列文字列型: CHECK_BOX, MULTI_SELECT, a table's text column
	cNumbers                 // 配列数値型: a table's number column
)

// calcValue is a formula value.
type calcValue struct {
	kind  calcKind
	blank bool // an unfilled field passed on as it is
	num   *big.Rat
	str   string
	b     bool
	strs  []string
	nums  []*big.Rat
}

var ratZero = new(big.Rat)

// calcEnv computes the formulas of one record. Formula fields are computed when first named,
// so a formula may name another (deploy refuses cycles). The store keeps one and reuses it:
// formulas are computed under its write lock (or while it loads).
type calcEnv struct {
	s    *store
	d    *appDef
	r    *record
	prec precision
	memo map[calcCell]calcValue
	busy map[calcCell]bool
}

// calcCell is a field of the record: row -1 for a top-level field.
type calcCell struct {
	f   *fieldDef
	row int
}

// errCalc ends a computation with kintone's "" (a runtime error of the formula).
type errCalc struct{}

// blankOf is what a formula field gives when its formula fails or passes nothing on: a blank
// of the field's kind.
func blankOf(f *fieldDef) calcValue {
	if f.typ == "CALC" {
		return calcValue{kind: cNumber, blank: true}
	}
	return calcValue{kind: cString, blank: true}
}

// computeFormulas recomputes a record's formula fields (top level and in table rows).
func (s *store) computeFormulas(d *appDef, r *record) {
	if !d.hasFormulas {
		return
	}
	env := &s.calc
	if env.memo == nil {
		env.memo, env.busy = map[calcCell]calcValue{}, map[calcCell]bool{}
	}
	clear(env.memo)
	clear(env.busy)
	env.s, env.d, env.r, env.prec = s, d, r, d.precision
	for _, f := range d.stored {
		if f.formula != nil {
			r.vals[f.idx] = env.render(f, env.field(calcCell{f, -1}))
		}
		if f.typ != "SUBTABLE" {
			continue
		}
		rows, _ := r.vals[f.idx].([]row)
		for i, rw := range rows {
			for _, fi := range f.inner {
				if fi.formula != nil {
					rw.vals[fi.idx] = env.render(fi, env.field(calcCell{fi, i}))
				}
			}
		}
	}
}

// field is the value of a formula field's cell, computed once. A CALC holds a number
// (booleans become 1 and 0, text and errors a blank); an auto-calculated text field holds text.
func (env *calcEnv) field(c calcCell) (v calcValue) {
	if v, ok := env.memo[c]; ok {
		return v
	}
	if env.busy[c] { // a cycle (deploy refuses them; a fixture's is left out): an error
		return blankOf(c.f)
	}
	env.busy[c] = true
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errCalc); !ok {
				panic(r)
			}
			v = blankOf(c.f)
		}
		env.memo[c] = v
	}()
	v = env.eval(c.f.formula.root, calcAt{table: c.f.table, row: c.row})
	switch {
	case v.blank:
		return blankOf(c.f)
	case c.f.typ == "SINGLE_LINE_TEXT":
		s, ok := env.text(v)
		if !ok {
			return blankOf(c.f)
		}
		return calcValue{kind: cString, str: s}
	case v.kind == cBool:
		n := int64(0)
		if v.b {
			n = 1
		}
		return calcValue{kind: cNumber, num: new(big.Rat).SetInt64(n)}
	case v.kind != cNumber:
		return blankOf(c.f)
	}
	return v
}

// render is a formula field's stored text: "" for a blank, a CALC's number in its format.
func (env *calcEnv) render(f *fieldDef, v calcValue) string {
	switch {
	case v.blank:
		return ""
	case v.kind == cNumber:
		return formatCalc(v.num, f.prop.Format, env.prec)
	}
	return v.str
}

// calcAt is where a formula is computed: the table and row of its field (nil and -1 outside
// tables). A column of that table names the row's cell; other columns name the whole column.
type calcAt struct {
	table *fieldDef
	row   int
}

// text is a value as & and text fields show it.
func (env *calcEnv) text(v calcValue) (string, bool) {
	if v.blank {
		return "", true
	}
	switch v.kind {
	case cString:
		return v.str, true
	case cNumber:
		return decimalText(v.num, env.prec.places), true
	case cBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

// eval evaluates n at a field's place; errors panic with errCalc.
func (env *calcEnv) eval(n *calcNode, at calcAt) calcValue {
	switch n.op {
	case "num":
		return env.number(n.num)
	case "str":
		return calcValue{kind: cString, str: n.str}
	case "ref":
		return env.ref(n.str, at)
	case "call":
		return env.call(n, at)
	case "neg":
		x := env.num(env.eval(n.args[0], at))
		return env.number(new(big.Rat).Neg(x))
	case "&":
		a, ok1 := env.text(env.eval(n.args[0], at))
		b, ok2 := env.text(env.eval(n.args[1], at))
		if !ok1 || !ok2 {
			panic(errCalc{})
		}
		return calcValue{kind: cString, str: a + b}
	case "=", "!=", "<", "<=", ">", ">=":
		return calcValue{kind: cBool, b: env.compare(n.op, env.eval(n.args[0], at), env.eval(n.args[1], at))}
	}
	x, y := env.num(env.eval(n.args[0], at)), env.num(env.eval(n.args[1], at))
	switch n.op {
	case "+":
		return env.number(new(big.Rat).Add(x, y))
	case "-":
		return env.number(new(big.Rat).Sub(x, y))
	case "*":
		return env.number(new(big.Rat).Mul(x, y))
	case "/":
		if y.Sign() == 0 {
			panic(errCalc{})
		}
		return env.number(new(big.Rat).Quo(x, y))
	case "^":
		return env.number(power(x, y))
	}
	panic(errCalc{})
}

// number rounds x to the app's precision; an integer part too long is an error.
func (env *calcEnv) number(x *big.Rat) calcValue {
	whole := x.Num()
	if !x.IsInt() {
		x = roundRat(x, env.prec.places, env.prec.mode)
		whole = new(big.Int).Quo(x.Num(), x.Denom())
	}
	if whole.CmpAbs(env.prec.limit) >= 0 {
		panic(errCalc{})
	}
	return calcValue{kind: cNumber, num: x}
}

// num is v as an operand of arithmetic: a number, blank counting as 0.
func (env *calcEnv) num(v calcValue) *big.Rat {
	if v.kind != cNumber {
		panic(errCalc{})
	}
	if v.blank {
		return ratZero
	}
	return v.num
}

// power is x^y with y's fraction dropped (4^1.5 is 4), y within -100..100.
func power(x, y *big.Rat) *big.Rat {
	e := new(big.Int).Quo(y.Num(), y.Denom())
	if !e.IsInt64() || e.Int64() > 100 || e.Int64() < -100 {
		panic(errCalc{})
	}
	k := e.Int64()
	if k < 0 && x.Sign() == 0 {
		panic(errCalc{})
	}
	abs := k
	if abs < 0 {
		abs = -abs
	}
	num := new(big.Int).Exp(x.Num(), big.NewInt(abs), nil)
	den := new(big.Int).Exp(x.Denom(), big.NewInt(abs), nil)
	if k < 0 {
		num, den = den, num
	}
	return new(big.Rat).SetFrac(num, den)
}

// compare compares numbers (blank as 0), texts (blank as ""), or booleans for equality.
func (env *calcEnv) compare(op string, a, b calcValue) bool {
	var c int
	switch {
	case a.kind == cNumber && b.kind == cNumber:
		c = env.num(a).Cmp(env.num(b))
	case a.kind == cString && b.kind == cString:
		c = strings.Compare(a.str, b.str)
	case a.kind == cBool && b.kind == cBool && (op == "=" || op == "!="):
		if a.b != b.b {
			c = 1
		}
	default:
		panic(errCalc{})
	}
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// ref is the value of a field a formula names.
func (env *calcEnv) ref(code string, at calcAt) calcValue {
	f := env.d.byCode[code]
	if f.table == nil {
		return env.cell(f, env.r.vals, calcCell{f, -1})
	}
	rows, _ := env.r.vals[f.table.idx].([]row)
	if at.table == f.table {
		return env.cell(f, rows[at.row].vals, calcCell{f, at.row})
	}
	// A table's column seen from outside the table: an array.
	list := calcValue{kind: cNumbers}
	if !numericField(f) {
		list.kind = cStrings
	}
	for i := range rows {
		v := env.cell(f, rows[i].vals, calcCell{f, i})
		switch {
		case list.kind == cStrings:
			s, _ := env.text(v)
			list.strs = append(list.strs, s)
		default:
			list.nums = append(list.nums, env.num(v))
		}
	}
	return list
}

// numericField reports whether formulas read f as a number.
func numericField(f *fieldDef) bool {
	switch f.typ {
	case "NUMBER", "CALC", "DATE", "DATETIME", "TIME", "CREATED_TIME", "UPDATED_TIME":
		return true
	}
	return false
}

// cell reads field f's value from vals (a record's or a row's).
func (env *calcEnv) cell(f *fieldDef, vals []any, c calcCell) calcValue {
	if f.formula != nil {
		return env.field(c)
	}
	blankNum := calcValue{kind: cNumber, blank: true}
	switch f.typ {
	case "CREATED_TIME":
		return env.number(new(big.Rat).SetInt64(env.r.created))
	case "UPDATED_TIME":
		return env.number(new(big.Rat).SetInt64(env.r.updated))
	case "CREATOR", "MODIFIER":
		u := env.r.creator
		if f.typ == "MODIFIER" {
			u = env.r.modifier
		}
		return calcValue{kind: cString, str: env.s.dir.get(u).code}
	case "CHECK_BOX", "MULTI_SELECT":
		list, _ := vals[f.idx].([]string)
		return calcValue{kind: cStrings, strs: list}
	}
	s, _ := vals[f.idx].(string)
	if !numericField(f) {
		return calcValue{kind: cString, str: s, blank: s == ""}
	}
	if s == "" {
		return blankNum
	}
	var secs int64
	switch f.typ {
	case "DATE":
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return blankNum
		}
		secs = t.Unix()
	case "DATETIME":
		t, ok := parseDatetime(s)
		if !ok {
			return blankNum
		}
		secs = t.Unix()
	case "TIME":
		h, m, _ := strings.Cut(s, ":")
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(m)
		secs = int64(hh*3600 + mm*60)
	default: // NUMBER, or a CALC whose formula is not computed (the fixture's value)
		x, ok := new(big.Rat).SetString(s)
		if !ok {
			return blankNum
		}
		return env.number(x)
	}
	return env.number(new(big.Rat).SetInt64(secs))
}

// call runs a function.
func (env *calcEnv) call(n *calcNode, at calcAt) calcValue {
	arg := func(i int) calcValue { return env.eval(n.args[i], at) }
	boolArg := func(i int) bool {
		v := arg(i)
		if v.kind != cBool {
			panic(errCalc{})
		}
		return v.b
	}
	switch n.str {
	case "SUM":
		total := new(big.Rat)
		for i := range n.args {
			v := arg(i)
			switch v.kind {
			case cNumbers:
				if len(v.nums) == 0 { // a table without rows
					panic(errCalc{})
				}
				for _, x := range v.nums {
					total.Add(total, x)
				}
			default:
				total.Add(total, env.num(v))
			}
		}
		return env.number(total)
	case "IF":
		if boolArg(0) {
			return arg(1)
		}
		return arg(2)
	case "AND", "OR":
		all := n.str == "AND"
		for i := range n.args {
			if b := boolArg(i); b != all {
				return calcValue{kind: cBool, b: !all}
			}
		}
		return calcValue{kind: cBool, b: all}
	case "NOT":
		return calcValue{kind: cBool, b: !boolArg(0)}
	case "ROUND", "ROUNDUP", "ROUNDDOWN":
		places := 0
		if len(n.args) == 2 {
			places = env.intArg(arg(1))
		}
		mode := map[string]string{"ROUND": "HALF_UP", "ROUNDUP": "UP", "ROUNDDOWN": "DOWN"}[n.str]
		return env.number(roundRat(env.num(arg(0)), places, mode))
	case "YEN":
		x := roundRat(env.num(arg(0)), env.intArg(arg(1)), "HALF_UP")
		return calcValue{kind: cString, str: yen(x)}
	case "DATE_FORMAT":
		return calcValue{kind: cString, str: env.dateFormat(arg(0), arg(1), arg(2))}
	case "CONTAINS":
		list, want := arg(0), arg(1)
		if list.kind != cStrings || want.kind != cString {
			panic(errCalc{})
		}
		for _, s := range list.strs {
			if s == want.str {
				return calcValue{kind: cBool, b: true}
			}
		}
		return calcValue{kind: cBool}
	}
	panic(errCalc{})
}

// intArg is a whole-number argument (digits of ROUND and YEN).
func (env *calcEnv) intArg(v calcValue) int {
	x := env.num(v)
	if !x.IsInt() || !x.Num().IsInt64() || x.Num().Int64() > 100 || x.Num().Int64() < -100 {
		panic(errCalc{})
	}
	return int(x.Num().Int64())
}

// roundRat rounds x to places decimals (negative: tens, hundreds...) by mode: HALF_EVEN,
// HALF_UP (ties away from zero), UP (away from zero) or DOWN (toward zero).
func roundRat(x *big.Rat, places int, mode string) *big.Rat {
	scale := new(big.Rat).SetInt(pow10(abs(places)))
	if places < 0 {
		scale.Inv(scale)
	}
	y := new(big.Rat).Mul(x, scale)
	if y.IsInt() {
		return x
	}
	q, rem := new(big.Int).QuoRem(y.Num(), y.Denom(), new(big.Int))
	if rem.Sign() != 0 {
		twice := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2))
		half := twice.Cmp(y.Denom()) // vs 1/2: -1 below, 0 a tie, 1 above
		away := false
		switch mode {
		case "UP":
			away = true
		case "HALF_UP":
			away = half >= 0
		case "HALF_EVEN":
			away = half > 0 || half == 0 && q.Bit(0) == 1
		}
		if away {
			q.Add(q, big.NewInt(int64(y.Sign())))
		}
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt(q), scale)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// decimalText writes a rounded number without trailing zeros ("0.3333", "10", "-2").
func decimalText(x *big.Rat, places int) string {
	s := x.FloatString(max(places, 0))
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// formatCalc renders a CALC number in its format: a plain number (NUMBER and NUMBER_DIGIT:
// separators, units and displayScale are the UI's), or Unix seconds as DATETIME, DATE (UTC),
// TIME (within a day), HOUR_MINUTE and DAY_HOUR_MINUTE (hours beyond 24), seconds dropped.
func formatCalc(x *big.Rat, format string, prec precision) string {
	switch format {
	case "DATETIME", "DATE", "TIME", "HOUR_MINUTE", "DAY_HOUR_MINUTE":
	default: // NUMBER, NUMBER_DIGIT, and a format kintone does not know (a fixture's)
		return decimalText(x, prec.places)
	}
	whole := new(big.Int).Quo(x.Num(), x.Denom())
	if x.Sign() < 0 && !x.IsInt() {
		whole.Sub(whole, big.NewInt(1)) // floor
	}
	if !whole.IsInt64() {
		return ""
	}
	secs := whole.Int64()
	switch format {
	case "DATETIME":
		return formatDatetime(secs)
	case "DATE":
		return time.Unix(secs, 0).UTC().Format("2006-01-02")
	case "TIME":
		day := (secs%86400 + 86400) % 86400
		return strconv.FormatInt(day/3600+100, 10)[1:] + ":" + strconv.FormatInt(day%3600/60+100, 10)[1:]
	}
	sign := ""
	if secs < 0 {
		sign, secs = "-", -secs
	}
	h, m := secs/3600, secs%3600/60
	hh := strconv.FormatInt(h, 10)
	if h < 10 {
		hh = "0" + hh
	}
	return sign + hh + ":" + strconv.FormatInt(m+100, 10)[1:]
}

// yen writes a rounded amount as YEN does: "¥1,100", "-¥1,234.5".
func yen(x *big.Rat) string {
	s := decimalText(x, 100)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + "¥" + b.String()
}

// dateFormat is DATE_FORMAT(value, format, time zone): Unix seconds (fraction dropped) written
// with the date and time letters of the format ("YYYY-MM-dd HH:mm") in the zone ("system" is
// the users' time zone).
func (env *calcEnv) dateFormat(value, format, zone calcValue) string {
	if format.kind != cString || zone.kind != cString {
		panic(errCalc{})
	}
	x := env.num(value)
	secs := new(big.Int).Quo(x.Num(), x.Denom())
	if !secs.IsInt64() || secs.Int64() < -30610224000 || secs.Int64() > 253402300799 {
		panic(errCalc{})
	}
	loc := env.s.loc
	if zone.str != "system" {
		var err error
		if loc, err = time.LoadLocation(zone.str); err != nil {
			panic(errCalc{})
		}
	}
	t := time.Unix(secs.Int64(), 0).In(loc)
	var b strings.Builder
	f := format.str
	for len(f) > 0 {
		if f[0] == '\'' { // quoted text
			end := strings.IndexByte(f[1:], '\'')
			if end < 0 {
				b.WriteString(f[1:])
				break
			}
			b.WriteString(f[1 : end+1])
			f = f[end+2:]
			continue
		}
		n := 1
		for n < len(f) && f[n] == f[0] {
			n++
		}
		b.WriteString(dateField(t, f[0], n, f[:n]))
		f = f[n:]
	}
	return b.String()
}

// dateField writes one run of a DATE_FORMAT letter (n times c).
func dateField(t time.Time, c byte, n int, run string) string {
	pad := func(v int) string {
		s := strconv.Itoa(v)
		for len(s) < n {
			s = "0" + s
		}
		return s
	}
	switch c {
	case 'Y', 'y':
		if n == 2 {
			return pad(t.Year() % 100)
		}
		return pad(t.Year())
	case 'M':
		return pad(int(t.Month()))
	case 'd':
		return pad(t.Day())
	case 'H':
		return pad(t.Hour())
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(h)
	case 'm':
		return pad(t.Minute())
	case 's':
		return pad(t.Second())
	case 'a':
		if t.Hour() < 12 {
			return "AM"
		}
		return "PM"
	case 'Z':
		return t.Format("-0700")
	}
	return run
}
