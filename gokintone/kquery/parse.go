package kquery

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tComma
	tOp     // = != < > <= >=
	tString // double-quoted literal; text is the unescaped content
	tWord   // bare token: keyword, field code, number, function name
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the query
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// lex splits a query into tokens. Whitespace is anything unicode.IsSpace accepts, which covers
// the tab, CR, LF and U+3000 kintone accepts between tokens.
func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, syntaxError("invalid UTF-8 at byte %d", i)
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case r == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case r == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case r == '=':
			toks = append(toks, token{tOp, "=", i})
			i++
		case r == '!':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{tOp, "!=", i})
				i += 2
			} else {
				return nil, syntaxError("unexpected %q at byte %d (did you mean !=?)", "!", i)
			}
		case r == '<' || r == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{tOp, s[i : i+2], i})
				i += 2
			} else {
				toks = append(toks, token{tOp, s[i : i+1], i})
				i++
			}
		case r == '\'':
			return nil, syntaxError("single quote at byte %d: kintone string literals take double quotes only", i)
		case r == '"':
			text, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, text, i})
			i += n
		case isWordRune(r):
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) || (r2 == utf8.RuneError && sz == 1) {
					break
				}
				j += sz
			}
			toks = append(toks, token{tWord, s[i:j], i})
			i = j
		default:
			return nil, syntaxError("unexpected character %q at byte %d", r, i)
		}
	}
	toks = append(toks, token{tEOF, "", len(s)})
	return toks, nil
}

// lexString reads the literal starting at s[start] == '"' and returns its content and length.
func lexString(s string, start int) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for i < len(s) {
		c := s[i]
		switch c {
		case '"':
			if !utf8.ValidString(b.String()) {
				return "", 0, syntaxError("invalid UTF-8 in the string starting at byte %d", start)
			}
			return b.String(), i + 1 - start, nil
		case '\\':
			if i+1 >= len(s) {
				return "", 0, syntaxError("unterminated string starting at byte %d", start)
			}
			switch s[i+1] {
			case '"':
				b.WriteByte('"')
			case '\\':
				b.WriteByte('\\')
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			default:
				return "", 0, syntaxError("unknown escape \\%c at byte %d (kintone knows \\\" \\\\ \\t \\n)", s[i+1], i)
			}
			i += 2
		case '\t', '\r', '\n':
			return "", 0, syntaxError("raw %q inside the string at byte %d: write \\t or \\n (a carriage return cannot be written)", c, i)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, syntaxError("unterminated string starting at byte %d", start)
}

type parser struct {
	toks  []token
	i     int
	depth int
}

// MaxDepth is how deeply parentheses may nest. kintone documents no limit; this one keeps a
// hostile query from costing the simulator seconds, and is far beyond any real condition.
const MaxDepth = 100

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// isKw reports whether t is the keyword kw (given in lower case); keywords are
// case-insensitive.
func isKw(t token, kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

func (p *parser) unexpected(want string) *Error {
	t := p.peek()
	return syntaxError("expected %s at byte %d, found %s", want, t.pos, t.describe())
}

// Parse reads a kintone query. Syntax errors are *Error with code CB_VA01, as kintone answers
// them; field names and types are checked later by Compile.
//
// Keywords are case-insensitive; clause order is fixed (condition, order by, limit, offset);
// and binds tighter than or; a sort key without a direction is read as asc. Because kintone's
// field codes may coincide with keywords, "order", "limit" and "offset" start a clause only
// when followed by "by" or an integer respectively.
func Parse(s string) (*Query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &Query{}
	if p.peek().kind != tEOF && !p.atClause() {
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		q.Where = e
	}
	if isKw(p.peek(), "order") && isKw(p.peekAt(1), "by") {
		p.next()
		p.next()
		for {
			t := p.next()
			if t.kind != tWord || isNumber(t.text) {
				p.i--
				return nil, p.unexpected("a field code after order by")
			}
			item := OrderItem{Field: t.text}
			if isKw(p.peek(), "asc") {
				p.next()
			} else if isKw(p.peek(), "desc") {
				p.next()
				item.Desc = true
			}
			q.OrderBy = append(q.OrderBy, item)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	if isKw(p.peek(), "limit") {
		p.next()
		n, err := p.parseInt("limit")
		if err != nil {
			return nil, err
		}
		q.Limit = &n
	}
	if isKw(p.peek(), "offset") {
		p.next()
		n, err := p.parseInt("offset")
		if err != nil {
			return nil, err
		}
		q.Offset = &n
	}
	if p.peek().kind != tEOF {
		if q.Where == nil && q.OrderBy == nil && q.Limit == nil && q.Offset == nil {
			return nil, p.unexpected("a condition")
		}
		return nil, p.unexpected("and, or, order by, limit, offset or the end of the query (clauses go in that order)")
	}
	return q, nil
}

// atClause reports whether the next tokens start order by, limit or offset rather than a
// condition on a field that happens to be called order, limit or offset.
func (p *parser) atClause() bool {
	t, n := p.peek(), p.peekAt(1)
	switch {
	case isKw(t, "order"):
		return isKw(n, "by")
	case isKw(t, "limit"), isKw(t, "offset"):
		return n.kind == tWord && isNumber(n.text)
	}
	return false
}

func (p *parser) parseInt(clause string) (int64, error) {
	t := p.next()
	if t.kind != tWord || !isInteger(t.text) {
		p.i--
		return 0, p.unexpected("an integer after " + clause)
	}
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil {
		return 0, syntaxError("%s %s is out of range", clause, t.text)
	}
	return n, nil
}

func isInteger(s string) bool {
	t := strings.TrimPrefix(s, "-")
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

func (p *parser) parseOr() (Expr, error) {
	return p.parseChain(OpOr, p.parseAnd)
}

func (p *parser) parseAnd() (Expr, error) {
	return p.parseChain(OpAnd, p.parseAtom)
}

func (p *parser) parseChain(op string, sub func() (Expr, error)) (Expr, error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for isKw(p.peek(), op) {
		p.next()
		t, err := sub()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &Logical{Op: op, Terms: terms}, nil
}

func (p *parser) parseAtom() (Expr, error) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		if p.depth++; p.depth > MaxDepth {
			return nil, syntaxError("parentheses nested deeper than %d at byte %d", MaxDepth, t.pos)
		}
		defer func() { p.depth-- }()
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			return nil, p.unexpected(`")"`)
		}
		p.next()
		return e, nil
	}
	if t.kind != tWord || isNumber(t.text) {
		return nil, p.unexpected("a field code or (")
	}
	p.next()
	c := &Cond{Field: t.text}
	op := p.next()
	switch {
	case op.kind == tOp:
		c.Op = Op(op.text)
	case isKw(op, "in"):
		c.Op = In
	case isKw(op, "like"):
		c.Op = Like
	case isKw(op, "not"):
		switch n := p.next(); {
		case isKw(n, "in"):
			c.Op = NotIn
		case isKw(n, "like"):
			c.Op = NotLike
		default:
			p.i--
			return nil, p.unexpected("in or like after not")
		}
	case isKw(op, "is"):
		neg := false
		if isKw(p.peek(), "not") {
			p.next()
			neg = true
		}
		if !isKw(p.peek(), "empty") {
			return nil, p.unexpected("empty")
		}
		p.next()
		c.Op = IsEmpty
		if neg {
			c.Op = IsNotEmpty
		}
		return c, nil
	default:
		p.i--
		return nil, p.unexpected("an operator after field " + strconv.Quote(t.text))
	}
	if c.Op == In || c.Op == NotIn {
		if p.peek().kind != tLParen {
			return nil, p.unexpected(`"(" after ` + string(c.Op))
		}
		p.next()
		for {
			v, err := p.parseValue()
			if err != nil {
				return nil, err
			}
			c.Values = append(c.Values, v)
			if p.peek().kind == tComma {
				p.next()
				continue
			}
			if p.peek().kind != tRParen {
				return nil, p.unexpected(`"," or ")"`)
			}
			p.next()
			break
		}
		return c, nil
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	c.Values = []Value{v}
	return c, nil
}

func (p *parser) parseValue() (Value, error) {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.next()
		return Value{Lit: t.text}, nil
	case t.kind == tWord && isNumber(t.text):
		p.next()
		return Value{Lit: t.text, Bare: true}, nil
	case t.kind == tWord && p.peekAt(1).kind == tLParen:
		if !validFuncName(t.text) {
			return Value{}, syntaxError("invalid function name %q at byte %d", t.text, t.pos)
		}
		p.next()
		p.next()
		f := &Func{Name: strings.ToUpper(t.text)}
		if p.peek().kind == tRParen {
			p.next()
			return Value{Func: f}, nil
		}
		for {
			a := p.next()
			if a.kind != tWord || !validFuncArg(a.text) {
				p.i--
				return Value{}, p.unexpected("a bare function argument (a symbol such as DAYS, or an integer)")
			}
			arg := a.text
			if !isNumber(arg) {
				arg = strings.ToUpper(arg)
			}
			f.Args = append(f.Args, arg)
			if p.peek().kind == tComma {
				p.next()
				continue
			}
			if p.peek().kind != tRParen {
				return Value{}, p.unexpected(`"," or ")"`)
			}
			p.next()
			return Value{Func: f}, nil
		}
	}
	return Value{}, p.unexpected(`a value: a "quoted string", a number or a function call`)
}
