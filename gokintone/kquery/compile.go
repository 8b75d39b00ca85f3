package kquery

import (
	"slices"
	"strings"
	"time"
)

// kind is how the evaluator treats a field type.
type kind int

const (
	kNone     kind = iota // not queryable (SUBTABLE, REFERENCE_TABLE, layout types)
	kNumber               // NUMBER, CALC with a number or duration format
	kID                   // $id, $revision, RECORD_NUMBER (may carry an app-code prefix)
	kText                 // SINGLE_LINE_TEXT, LINK, STATUS, RADIO_BUTTON, DROP_DOWN
	kLongText             // MULTI_LINE_TEXT
	kRichText             // RICH_TEXT
	kMulti                // CHECK_BOX, MULTI_SELECT, CATEGORY
	kEntity               // USER/ORGANIZATION/GROUP_SELECT, STATUS_ASSIGNEE, CREATOR, MODIFIER
	kDate                 // DATE, CALC DATE
	kDateTime             // DATETIME, CREATED_TIME, UPDATED_TIME, CALC DATETIME
	kTime                 // TIME, CALC TIME
	kFile                 // FILE
)

func kindOf(d FieldDef) kind {
	switch d.Type {
	case "NUMBER":
		return kNumber
	case "CALC":
		switch strings.ToUpper(d.Format) {
		case "DATE":
			return kDate
		case "DATETIME":
			return kDateTime
		case "TIME":
			return kTime
		}
		// NUMBER, NUMBER_DIGIT and the durations HOUR_MINUTE / DAY_HOUR_MINUTE: the API
		// carries CALC values as plain numbers, so they compare numerically.
		return kNumber
	case "__ID__", "__REVISION__", "RECORD_NUMBER":
		return kID
	case "SINGLE_LINE_TEXT", "LINK", "STATUS", "RADIO_BUTTON", "DROP_DOWN":
		return kText
	case "MULTI_LINE_TEXT":
		return kLongText
	case "RICH_TEXT":
		return kRichText
	case "CHECK_BOX", "MULTI_SELECT", "CATEGORY":
		return kMulti
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "STATUS_ASSIGNEE", "CREATOR", "MODIFIER":
		return kEntity
	case "DATE":
		return kDate
	case "DATETIME", "CREATED_TIME", "UPDATED_TIME":
		return kDateTime
	case "TIME":
		return kTime
	case "FILE":
		return kFile
	}
	return kNone
}

var (
	opsOrdered = []Op{Eq, Ne, Gt, Lt, Ge, Le, In, NotIn}
	opsText    = []Op{Eq, Ne, In, NotIn, Like, NotLike}
	opsLong    = []Op{Like, NotLike, IsEmpty, IsNotEmpty}
	opsRich    = []Op{Like, NotLike}
	opsIn      = []Op{In, NotIn}
	opsStatus  = []Op{Eq, Ne, In, NotIn}
	opsDate    = []Op{Eq, Ne, Gt, Lt, Ge, Le}
)

// allowedOps is kintone's operator table per field type.
func allowedOps(d FieldDef) []Op {
	switch d.Type {
	case "STATUS":
		return opsStatus
	case "RADIO_BUTTON", "DROP_DOWN":
		return opsIn
	}
	switch kindOf(d) {
	case kNumber, kID:
		return opsOrdered
	case kText:
		return opsText
	case kLongText, kFile:
		return opsLong
	case kRichText:
		return opsRich
	case kMulti, kEntity:
		return opsIn
	case kDate, kDateTime, kTime:
		return opsDate
	}
	return nil
}

func isSelection(t string) bool {
	switch t {
	case "CHECK_BOX", "RADIO_BUTTON", "DROP_DOWN", "MULTI_SELECT":
		return true
	}
	return false
}

// Program is a query compiled against an app's schema: it matches, sorts and pages records as
// kintone's records.json GET does.
type Program struct {
	match  func(Record) bool // nil matches every record
	keys   []sortKey
	limit  int64
	offset int64
}

// Match reports whether r satisfies the query's condition.
func (p *Program) Match(r Record) bool { return p.match == nil || p.match(r) }

// Limit is the query's limit, or kintone's default of 100.
func (p *Program) Limit() int64 { return p.limit }

// Offset is the query's offset, or 0.
func (p *Program) Offset() int64 { return p.offset }

// Compile checks q against the app's fields as kintone does and prepares it for evaluation.
// Errors are *Error with kintone's codes: GAIA_IQ11 unknown field, GAIA_IR02 table.field,
// GAIA_IQ10 value not among a selection field's options (checked before operators),
// GAIA_IQ07 = or != on a field in a table, GAIA_IQ03 operator not allowed for the field type,
// GAIA_IL08 wrong argument count, GAIA_IQ25 bad function argument (unit, weekday),
// GAIA_IQ23 bad day of month, GAIA_QU01 limit > 500, GAIA_QU02 offset > 10,000, and CB_VA01
// for negative limits, malformed literals (a date that is not a date), functions not allowed
// for the field, and sort keys that kintone cannot sort by (fields in tables, multi-valued
// fields).
func Compile(q *Query, s Schema, env Env) (*Program, error) {
	if env.Location == nil {
		env.Location = time.UTC
	}
	if env.Now.IsZero() {
		env.Now = time.Now()
	}
	c := &compiler{schema: s, env: env, now: env.Now.In(env.Location)}
	p := &Program{limit: 100}
	if q == nil {
		q = &Query{}
	}
	if q.Where != nil {
		m, err := c.expr(q.Where)
		if err != nil {
			return nil, err
		}
		p.match = m
	}
	keys, err := c.sortKeys(q.OrderBy)
	if err != nil {
		return nil, err
	}
	p.keys = keys
	if q.Limit != nil {
		switch n := *q.Limit; {
		case n < 0:
			return nil, invalidInput(MsgLimitNegative)
		case n > 500:
			return nil, gaiaError("GAIA_QU01", MsgLimitTooLarge)
		default:
			p.limit = n
		}
	}
	if q.Offset != nil {
		switch n := *q.Offset; {
		case n < 0:
			return nil, invalidInput(MsgOffsetNegative)
		case n > 10000:
			return nil, gaiaError("GAIA_QU02", MsgOffsetTooLarge)
		default:
			p.offset = n
		}
	}
	return p, nil
}

type compiler struct {
	schema Schema
	env    Env
	now    time.Time // env.Now in the user's time zone
}

// field is a resolved field reference.
type field struct {
	code    string
	def     FieldDef
	table   string // subtable code for inner fields
	related bool   // a related-records field "rel.field"
}

func (c *compiler) resolve(code string) (field, *Error) {
	if d, ok := c.schema[code]; ok {
		if d.Code == "" {
			d.Code = code
		}
		f := field{code: code, def: d, table: d.Subtable}
		if i := strings.IndexByte(code, '.'); i > 0 {
			f.related = true
		}
		return f, nil
	}
	switch code {
	case "$id":
		return field{code: code, def: FieldDef{Code: code, Type: "__ID__"}}, nil
	case "$revision":
		return field{code: code, def: FieldDef{Code: code, Type: "__REVISION__"}}, nil
	}
	if i := strings.IndexByte(code, '.'); i > 0 {
		if d, ok := c.schema[code[:i]]; ok && d.Type == "REFERENCE_TABLE" {
			return field{}, gaiaError("GAIA_IQ11", MsgFieldNotFound, code)
		}
		return field{}, gaiaError("GAIA_IR02", MsgRelatedNotFound, code[:i])
	}
	return field{}, gaiaError("GAIA_IQ11", MsgFieldNotFound, code)
}

// matcher tests one record.
type matcher = func(Record) bool

func (c *compiler) expr(e Expr) (matcher, error) {
	switch x := derefExpr(e).(type) {
	case *Logical:
		if x == nil || len(x.Terms) == 0 {
			return nil, syntaxError("empty %s group", "logical")
		}
		switch x.Op {
		case OpAnd:
			return c.and(x)
		case OpOr:
			ms, err := c.terms(x.Terms)
			if err != nil {
				return nil, err
			}
			return func(r Record) bool {
				for _, m := range ms {
					if m(r) {
						return true
					}
				}
				return false
			}, nil
		}
		return nil, syntaxError("unknown logical operator %q", x.Op)
	case *Cond:
		if x == nil {
			return nil, syntaxError("nil condition")
		}
		cp, err := c.cond(x)
		if err != nil {
			return nil, err
		}
		return cp.record, nil
	}
	return nil, syntaxError("unknown expression %T", e)
}

func (c *compiler) terms(ts []Expr) ([]matcher, error) {
	ms := make([]matcher, 0, len(ts))
	for _, t := range ts {
		if t == nil {
			continue
		}
		m, err := c.expr(t)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// and compiles an and group. Positive conditions on fields of one subtable must hold in the
// same row (kintone's rule), so they are gathered per table and tested row by row; negative
// ones (not in, not like, is not empty) already require every row and stay separate.
func (c *compiler) and(x *Logical) (matcher, error) {
	var flat []Expr
	var walk func(ts []Expr)
	walk = func(ts []Expr) {
		for _, t := range ts {
			if l, ok := derefExpr(t).(*Logical); ok && l != nil && l.Op == OpAnd {
				walk(l.Terms)
				continue
			}
			if t != nil {
				flat = append(flat, t)
			}
		}
	}
	walk(x.Terms)
	var ms []matcher
	groups := map[string][]*condProg{}
	var order []string
	for _, t := range flat {
		if cd, ok := derefExpr(t).(*Cond); ok && cd != nil {
			cp, err := c.cond(cd)
			if err != nil {
				return nil, err
			}
			if cp.table != "" && !cp.related && !cp.neg {
				if _, seen := groups[cp.table]; !seen {
					order = append(order, cp.table)
				}
				groups[cp.table] = append(groups[cp.table], cp)
				continue
			}
			ms = append(ms, cp.record)
			continue
		}
		m, err := c.expr(t)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	for _, table := range order {
		g := groups[table]
		if len(g) == 1 {
			ms = append(ms, g[0].record)
			continue
		}
		ms = append(ms, func(r Record) bool {
			for _, row := range rows(r[table].Value) {
				all := true
				for _, cp := range g {
					if !cp.test(row(cp.code)) {
						all = false
						break
					}
				}
				if all {
					return true
				}
			}
			return false
		})
	}
	return func(r Record) bool {
		for _, m := range ms {
			if !m(r) {
				return false
			}
		}
		return true
	}, nil
}

// condProg is a compiled condition: test checks one value against the positive form of the
// operator; neg and the field's place decide how that becomes a record match.
type condProg struct {
	code    string
	table   string
	related bool
	neg     bool
	test    func(v any) bool
}

// record applies the condition to a whole record. In a table (or over related records) a
// positive operator needs one matching row, a negative one needs rows and no row matching the
// positive form; an empty table matches neither.
func (cp *condProg) record(r Record) bool {
	switch {
	case cp.related:
		vs := list(r[cp.code].Value)
		return anyAll(len(vs), func(i int) bool { return cp.test(vs[i]) }, cp.neg)
	case cp.table != "":
		rs := rows(r[cp.table].Value)
		return anyAll(len(rs), func(i int) bool { return cp.test(rs[i](cp.code)) }, cp.neg)
	}
	return cp.test(r[cp.code].Value) != cp.neg
}

func anyAll(n int, test func(int) bool, neg bool) bool {
	if n == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		if test(i) {
			return !neg
		}
	}
	return neg
}

func (c *compiler) cond(x *Cond) (*condProg, error) {
	f, rerr := c.resolve(x.Field)
	if rerr != nil {
		return nil, rerr
	}
	if !x.Op.Known() {
		return nil, syntaxError("unknown operator %q", string(x.Op))
	}
	if n := x.Op.valueCount(); (n >= 0 && len(x.Values) != n) || (n < 0 && len(x.Values) == 0) {
		return nil, syntaxError("%s takes %s, got %d", x.Op, countText(n), len(x.Values))
	}
	d := f.def
	if isSelection(d.Type) && d.Options != nil {
		for _, v := range x.Values {
			if v.Func == nil && v.Lit != "" && !slices.Contains(d.Options, v.Lit) {
				return nil, gaiaError("GAIA_IQ10", MsgNotAnOption, v.Lit, f.code)
			}
		}
	}
	if f.table != "" && (x.Op == Eq || x.Op == Ne) {
		return nil, gaiaError("GAIA_IQ07", MsgOperatorInTable, string(x.Op), f.code)
	}
	ops := allowedOps(d)
	if f.related && (x.Op == Eq || x.Op == Ne) {
		ops = nil // related-records fields take in / not in instead
	}
	if !slices.Contains(ops, x.Op) {
		return nil, gaiaError("GAIA_IQ03", MsgOperatorNotAllowed, string(x.Op), f.code)
	}
	test, err := c.tester(f, x.Op.positive(), x.Values)
	if err != nil {
		return nil, err
	}
	return &condProg{code: f.code, table: f.table, related: f.related, neg: x.Op.negative(), test: test}, nil
}

// tester builds the test of one value against op (a positive operator).
func (c *compiler) tester(f field, op Op, vals []Value) (func(any) bool, error) {
	k := kindOf(f.def)
	for _, v := range vals {
		if v.Func != nil {
			if err := c.checkFunc(f, k, v.Func); err != nil {
				return nil, err
			}
		}
	}
	switch k {
	case kNumber, kID:
		return c.numberTester(f, k, op, vals)
	case kDate, kDateTime, kTime:
		return c.timeTester(f, k, op, vals[0])
	case kText, kLongText, kRichText, kFile:
		return textTester(k, op, vals), nil
	case kMulti, kEntity:
		want := map[string]bool{}
		for _, v := range vals {
			want[c.entityValue(v)] = true
		}
		get := strs
		if k == kEntity {
			get = codes
		}
		return func(v any) bool {
			have := get(v)
			if len(have) == 0 {
				return want[""]
			}
			for _, h := range have {
				if want[h] {
					return true
				}
			}
			return false
		}, nil
	}
	return nil, gaiaError("GAIA_IQ03", MsgOperatorNotAllowed, string(op), f.code)
}

func (c *compiler) entityValue(v Value) string {
	if v.Func == nil {
		return v.Lit
	}
	switch v.Func.Name {
	case "LOGINUSER":
		return c.env.LoginUser
	case "PRIMARY_ORGANIZATION":
		return c.env.PrimaryOrganization
	}
	return ""
}

// checkFunc validates a function call for the field: known name, allowed for the field type,
// argument count (GAIA_IL08) and argument values.
func (c *compiler) checkFunc(f field, k kind, fn *Func) *Error {
	name := strings.ToUpper(fn.Name)
	var counts [2]int
	allowed := false
	switch name {
	case "LOGINUSER":
		allowed = k == kEntity && f.def.Type != "ORGANIZATION_SELECT" && f.def.Type != "GROUP_SELECT"
	case "PRIMARY_ORGANIZATION":
		allowed = f.def.Type == "ORGANIZATION_SELECT"
	default:
		cnt, ok := dateFuncs[name]
		if !ok {
			return invalidInput(MsgUnknownFunction, fn.Name)
		}
		counts = cnt
		allowed = k == kDate || k == kDateTime
	}
	if !allowed {
		return invalidInput(MsgFunctionNotAllowed, name, f.code)
	}
	if len(fn.Args) < counts[0] || len(fn.Args) > counts[1] {
		return gaiaError("GAIA_IL08", MsgArgumentCount, name)
	}
	if name != "NOW" {
		if _, _, err := dateFuncDays(fn, c.now); err != nil && (k == kDate || k == kDateTime) {
			return err
		}
	}
	return nil
}

func (c *compiler) numberTester(f field, k kind, op Op, vals []Value) (func(any) bool, error) {
	parse := func(s string) (decimal, bool) { return parseDecimal(s) }
	if k == kID {
		parse = parseID
	}
	type lit struct {
		empty bool
		d     decimal
	}
	lits := make([]lit, len(vals))
	for i, v := range vals {
		if v.Lit == "" {
			lits[i].empty = true
			continue
		}
		d, ok := parse(v.Lit)
		if !ok {
			return nil, invalidInput(MsgNotANumber, v.Lit, f.code)
		}
		lits[i].d = d
	}
	return func(v any) bool {
		rd, ok := parse(text(v))
		for _, l := range lits {
			if l.empty {
				if op == Eq || op == In {
					if !ok {
						return true
					}
				}
				continue
			}
			if ok && compareOp(op, cmpDecimal(rd, l.d)) {
				return true
			}
		}
		return false
	}, nil
}

// parseID reads $id, $revision and RECORD_NUMBER values, the last possibly prefixed with the
// app code ("SALES-12"): only the number counts.
func parseID(s string) (decimal, bool) {
	if d, ok := parseDecimal(s); ok {
		return d, true
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		return parseDecimal(s[i+1:])
	}
	return decimal{}, false
}

// compareOp applies an ordering operator to a three-way comparison; In means equality.
func compareOp(op Op, c int) bool {
	switch op {
	case Eq, In:
		return c == 0
	case Gt:
		return c > 0
	case Lt:
		return c < 0
	case Ge:
		return c >= 0
	case Le:
		return c <= 0
	}
	return false
}

func textTester(k kind, op Op, vals []Value) func(any) bool {
	get := func(v any) string { return text(v) }
	switch k {
	case kRichText:
		get = func(v any) string { return htmlText(text(v)) }
	case kFile:
		get = func(v any) string { return strings.Join(fileNames(v), "\n") }
	}
	switch op {
	case IsEmpty:
		if k == kFile {
			return func(v any) bool { return len(list(v)) == 0 }
		}
		return func(v any) bool { return isBlank(get(v)) }
	case Like:
		needle := vals[0].Lit
		return func(v any) bool { return wordMatch(get(v), needle) }
	}
	return func(v any) bool { // = and in: exact match, "" matching empty values
		s := get(v)
		for _, l := range vals {
			if s == l.Lit {
				return true
			}
		}
		return false
	}
}

// timeTester compares DATE, DATETIME and TIME values on their own axis (see span). Date
// functions and date-only literals on DATETIME fields cover whole days in the user's time zone.
func (c *compiler) timeTester(f field, k kind, op Op, v Value) (func(any) bool, error) {
	value := func(s string) (int64, bool) {
		switch k {
		case kDate:
			return parseDate(s)
		case kTime:
			return parseTime(s)
		}
		t, ok := parseDateTime(s)
		if !ok {
			return 0, false
		}
		return minuteOf(t), true
	}
	if v.Func == nil && v.Lit == "" {
		if op != Eq {
			return func(any) bool { return false }, nil
		}
		return func(x any) bool { _, ok := value(text(x)); return !ok }, nil
	}
	var sp span
	switch {
	case v.Func != nil && v.Func.Name == "NOW":
		if k == kDate {
			d := dayOf(c.now)
			sp = span{d, d}
		} else {
			m := minuteOf(c.now)
			sp = span{m, m}
		}
	case v.Func != nil:
		lo, hi, err := dateFuncDays(v.Func, c.now)
		if err != nil {
			return nil, err
		}
		sp = c.daySpan(k, lo, hi)
	default:
		if n, ok := value(v.Lit); ok {
			sp = span{n, n}
		} else if d, ok := parseDate(v.Lit); ok && k == kDateTime {
			sp = c.daySpan(k, d, d)
		} else {
			return nil, invalidInput(MsgNotADate, v.Lit, strings.ToLower(f.def.Type), f.code)
		}
	}
	return func(x any) bool {
		n, ok := value(text(x))
		if !ok {
			return false
		}
		switch op {
		case Eq:
			return sp.lo <= n && n <= sp.hi
		case Lt:
			return n < sp.lo
		case Le:
			return n <= sp.hi
		case Gt:
			return n > sp.hi
		case Ge:
			return n >= sp.lo
		}
		return false
	}, nil
}

// daySpan turns a range of civil days into the field's axis: for DATETIME, the minutes from
// the first day's midnight to the last day's 23:59 in the user's time zone.
func (c *compiler) daySpan(k kind, lo, hi int64) span {
	if k != kDateTime {
		return span{lo, hi}
	}
	midnight := func(day int64) time.Time {
		t := time.Unix(day*86400, 0).UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.env.Location)
	}
	return span{minuteOf(midnight(lo)), minuteOf(midnight(hi+1)) - 1}
}
