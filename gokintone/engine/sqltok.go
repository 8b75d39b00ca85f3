package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Statement analysis: what the engine needs to know about a statement's text before SQLite
// plans it, because go-sqlite3's virtual-table interface does not tell. xBestIndex sees a
// column, an operator and (in xFilter) a value, but not the collation of the comparison
// (no sqlite3_vtab_collation), not whether an IN list is answered by repeated xFilter calls
// (no sqlite3_vtab_in), not the affinity of the other operand (no sqlite3_vtab_rhs_value),
// and not which columns the statement reads (no colUsed mask).
//
// The analysis is conservative by construction: each fact is "may happen somewhere in the
// statement", read from tokens without resolving names, so a fact can be set when the feature
// does not reach a kintone table, never missed when it does. A set fact only turns pushdown or
// LIMIT/OFFSET consumption off: correct and slower, never fast and wrong.
//
// The statement's structure is read as well (parseStatement): its scopes, the columns each
// scan may read (columnUse), a count(*) kintone's totalCount could answer (countShape) and
// what a write does (writeFacts). The same contract holds there: where the text leaves a
// doubt, the answer is "unknown" or "every column", never a narrower one.

// tokKind classifies a token.
type tokKind int

const (
	tokWord   tokKind = iota // keyword or bare identifier
	tokQuoted                // "identifier", [identifier], `identifier`
	tokString                // 'text' or X'blob'
	tokNumber                // numeric literal
	tokParam                 // ?, ?NNN, :name, @name, $name
	tokOp                    // operator or punctuation
)

type token struct {
	kind tokKind
	text string // as written; for tokWord also compared case-insensitively
	end  int    // the offset in the statement just after the token
}

// is reports whether t is the keyword word, given in lower case. Like SQLite, it folds ASCII
// letters only: "ſelect" is a name, not SELECT.
func (t token) is(word string) bool {
	if t.kind != tokWord || len(t.text) != len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if foldByte(t.text[i]) != word[i] {
			return false
		}
	}
	return true
}

// foldIdent folds a name as SQLite compares names: ASCII letters only, so that "Ä" and "ä"
// stay two names, as they are to SQLite.
func foldIdent(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = foldByte(c)
	}
	return string(b)
}

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// sqlFacts are the statement-level facts the virtual tables read while SQLite plans.
type sqlFacts struct {
	empty     bool   // the text holds no statement: blanks, comments and semicolons only
	trailing  bool   // a non-empty statement follows the first ';'
	firstWord string // the statement's first keyword, lower-cased

	// hasIN: an IN operator appears. SQLite answers "col IN (a, b)" on a virtual table with one
	// xFilter call per value; a LIMIT/OFFSET consumed by the table would then apply per value.
	hasIN bool
	// hasCollate: a COLLATE clause appears (in the statement, or in a TEMP table, view or
	// trigger it may read). The Go re-check compares with BINARY only, so no constraint is
	// used then.
	hasCollate bool
	// mixedAffinity: an operand of some comparison may carry an affinity of its own (a column
	// compared with a column, a CAST, a subquery, IN (SELECT …), USING or NATURAL joins). When
	// a TEXT column is compared with an operand of numeric affinity, SQLite applies numeric
	// affinity to the text (datatype3.html §4.2), where a literal or parameter would get text
	// affinity instead; the virtual table sees only the value, so comparisons on TEXT columns
	// are then left to SQLite.
	mixedAffinity bool
	// nulText: a text value holding a NUL character may reach a constraint (a parameter that
	// holds one; char(), unhex(), printf(), format(), zeroblob(), randomblob() or a blob
	// literal in the statement). go-sqlite3 cuts such text at the NUL before xFilter sees it,
	// so no constraint is used then.
	nulText bool

	// tables counts the references to each table name (folded, unqualified) in FROM and
	// JOIN clauses; selects counts SELECT keywords (subqueries, compound parts, CTEs); limits
	// counts LIMIT clauses; compound is set by UNION, INTERSECT or EXCEPT.
	tables   map[string]int
	selects  int
	limits   int
	compound bool

	// The statement's structure (see parseStatement). kind is stmtOther when the text is
	// outside the grammar the parse reads; scopes, write and count are then empty, and every
	// structural fact is unknown.
	kind stmtKind
	// scopes are the statement's levels of name resolution (see scope), in the order they
	// start.
	scopes []*scope
	// write describes an INSERT, REPLACE, UPDATE or DELETE; nil for any other statement.
	write *writeFacts
	// count is set when the statement is SELECT count(*) FROM one table [WHERE …].
	count *countShape
	// plain is set when the statement only lists columns of one table (plainread.go).
	plain *plainShape
}

// merge adds the facts of SQL that the statement may run without naming it (the definitions
// of TEMP views and triggers, the declarations of TEMP tables).
func (f *sqlFacts) merge(o sqlFacts) {
	f.hasIN = f.hasIN || o.hasIN
	f.hasCollate = f.hasCollate || o.hasCollate
	f.mixedAffinity = f.mixedAffinity || o.mixedAffinity
	f.nulText = f.nulText || o.nulText
}

// tokenize splits sql into tokens, skipping blanks and comments. The second result reports
// whether a non-empty statement follows the first ';'.
func tokenize(sql string) (toks []token, trailing bool) {
	afterSemicolon := false
	emit := func(kind tokKind, start, end int) {
		if afterSemicolon {
			trailing = true
			return
		}
		toks = append(toks, token{kind: kind, text: sql[start:end], end: end})
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return toks, trailing
			}
			i += j + 1
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return toks, trailing
			}
			i += j + 4
		case c == ';':
			afterSemicolon = true
			i++
		case c == '\'':
			j := skipQuoted(sql, i, c)
			emit(tokString, i, j)
			i = j
		case c == '"' || c == '`':
			j := skipQuoted(sql, i, c)
			emit(tokQuoted, i, j)
			i = j
		case c == '[':
			j := strings.IndexByte(sql[i:], ']')
			if j < 0 {
				emit(tokQuoted, i, len(sql))
				return toks, trailing
			}
			emit(tokQuoted, i, i+j+1)
			i += j + 1
		case (c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'':
			j := skipQuoted(sql, i+1, '\'')
			emit(tokString, i, j)
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			j := i + 1
			for j < len(sql) && (isIdentPart(sql[j]) || sql[j] == '.' ||
				(sql[j] == '+' || sql[j] == '-') && (sql[j-1] == 'e' || sql[j-1] == 'E')) {
				j++
			}
			emit(tokNumber, i, j)
			i = j
		case c == '?' || c == ':' || c == '@' || c == '$':
			j := i + 1
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			emit(tokParam, i, j)
			i = j
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			if j == i { // a non-ASCII rune that is not a letter
				_, n := utf8.DecodeRuneInString(sql[i:])
				j = i + n
			}
			emit(tokWord, i, j)
			i = j
		default:
			n := 1
			if i+1 < len(sql) {
				switch sql[i : i+2] {
				case "<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->":
					n = 2
				}
			}
			if n == 2 && sql[i:i+2] == "->" && i+2 < len(sql) && sql[i+2] == '>' {
				n = 3
			}
			emit(tokOp, i, i+n)
			i += n
		}
	}
	return toks, trailing
}

// nonColumnWords are bare words that can stand where an operand goes but are not column
// references (so they carry no affinity).
var nonColumnWords = map[string]bool{
	"null": true, "true": true, "false": true, "current_date": true, "current_time": true,
	"current_timestamp": true, "not": true, "exists": true, "and": true, "or": true,
	"case": true, "when": true, "then": true, "else": true, "end": true, "where": true,
	"on": true, "having": true, "select": true, "is": true, "in": true, "between": true,
	"like": true, "glob": true, "escape": true, "distinct": true, "from": true,
}

// mayHaveAffinity reports whether the operand that starts (or, looking left, ends) at toks[i]
// may carry an affinity: a column reference, a parenthesised expression or a subquery.
func mayHaveAffinity(toks []token, i int, leftward bool) bool {
	if i < 0 || i >= len(toks) {
		return false
	}
	t := toks[i]
	switch t.kind {
	case tokQuoted:
		return true
	case tokWord:
		if nonColumnWords[strings.ToLower(t.text)] {
			return false
		}
		if !leftward && i+1 < len(toks) && toks[i+1].text == "(" {
			// A function's result has no affinity, except likely(), unlikely() and
			// likelihood(), which pass on their first argument's.
			switch strings.ToLower(t.text) {
			case "likely", "unlikely", "likelihood":
				return true
			}
			return false
		}
		return true
	case tokOp:
		// "(…)" may hold a column or a subquery; ")" ends one when looking left.
		return (t.text == "(" && !leftward) || (t.text == ")" && leftward)
	}
	return false
}

var comparisonOps = map[string]bool{"=": true, "==": true, "<": true, "<=": true, ">": true, ">=": true, "<>": true, "!=": true}

// blobMayHoldNUL reports whether the blob literal lit (X'…') may hold a zero byte: it does
// when one of its bytes is 00, and is assumed to when it is not well-formed hex.
func blobMayHoldNUL(lit string) bool {
	hex := strings.TrimSuffix(lit[min(2, len(lit)):], "'")
	if len(hex)%2 != 0 {
		return true
	}
	for i := 0; i < len(hex); i += 2 {
		if hex[i] == '0' && hex[i+1] == '0' || !isHex(hex[i]) || !isHex(hex[i+1]) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// analyzeSQL reads the facts of one statement's text.
func analyzeSQL(sql string) sqlFacts {
	toks, trailing := tokenize(sql)
	f := sqlFacts{empty: len(toks) == 0 && !trailing, trailing: trailing, tables: map[string]int{}}
	parseStatement(toks, &f)
	f.plain = plainShapeOf(toks)
	if len(toks) > 0 && toks[0].kind == tokWord {
		f.firstWord = strings.ToLower(toks[0].text)
	}
	for i, t := range toks {
		if t.kind == tokString && (t.text[0] == 'x' || t.text[0] == 'X') && blobMayHoldNUL(t.text) {
			f.nulText = true // a blob literal with a zero byte, perhaps CAST to text
		}
		switch {
		case t.kind == tokOp && comparisonOps[t.text]:
			if mayHaveAffinity(toks, i-1, true) && mayHaveAffinity(toks, i+1, false) {
				f.mixedAffinity = true
			}
		case t.kind != tokWord:
			continue
		case t.is("in"):
			f.hasIN = true
			// "x IN (SELECT …)" and "x IN table": the values come with their own affinity.
			if i+1 < len(toks) && (toks[i+1].kind != tokOp || i+2 < len(toks) && toks[i+2].is("select") || i+2 < len(toks) && toks[i+2].is("with")) {
				f.mixedAffinity = true
			}
		case t.is("is"), t.is("between"):
			j := i + 1
			for j < len(toks) && (toks[j].is("not") || toks[j].is("distinct") || toks[j].is("from")) {
				j++
			}
			if mayHaveAffinity(toks, i-1, true) && mayHaveAffinity(toks, j, false) {
				f.mixedAffinity = true
			}
			if t.is("between") { // the upper bound: the next AND
				for k := j; k < len(toks); k++ {
					if toks[k].is("and") {
						if mayHaveAffinity(toks, i-1, true) && mayHaveAffinity(toks, k+1, false) {
							f.mixedAffinity = true
						}
						break
					}
				}
			}
		case t.is("collate"):
			f.hasCollate = true
		case t.is("cast"), t.is("using"), t.is("natural"):
			f.mixedAffinity = true
		case t.is("char"), t.is("unhex"), t.is("printf"), t.is("format"), t.is("zeroblob"), t.is("randomblob"):
			f.nulText = true
		case t.is("select"):
			f.selects++
		case t.is("limit"):
			f.limits++
		case t.is("union"), t.is("intersect"), t.is("except"):
			f.compound = true
		case t.is("from"), t.is("join"):
			if i+1 < len(toks) && (toks[i+1].kind == tokWord || toks[i+1].kind == tokQuoted) {
				name := toks[i+1]
				if i+3 < len(toks) && toks[i+2].text == "." { // schema.table
					name = toks[i+3]
				}
				f.tables[foldIdent(unquoteIdent(name))]++
			}
		}
	}
	return f
}

// unquoteIdent returns the name a word, a quoted identifier or a 'string' token stands for
// (SQLite takes a string for a name where a name is expected and a string is not, as in
// "INSERT INTO t ('a')").
func unquoteIdent(t token) string {
	s := t.text
	if t.kind != tokQuoted && t.kind != tokString || len(s) < 2 {
		return s
	}
	switch s[0] {
	case '[':
		return s[1 : len(s)-1]
	case '"', '`', '\'':
		q := string(s[0])
		return strings.ReplaceAll(s[1:len(s)-1], q+q, q)
	}
	return s
}

func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || unicode.IsLetter(rune(c))
}

func isIdentPart(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= '0' && c <= '9') || unicode.IsLetter(rune(c))
}
