package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// sqlFacts are what the engine needs to know about a statement's text before SQLite plans it,
// because go-sqlite3's virtual-table interface does not tell: whether an IN list or an explicit
// COLLATE appears (both make pushing some constraints unsafe), and whether the text holds more
// than one statement.
type sqlFacts struct {
	hasIN      bool
	hasCollate bool
	trailing   bool   // a non-empty statement follows the first ';'
	firstWord  string // the statement's first keyword, lower-cased
}

// scanSQL tokenises just enough of SQLite's grammar to find keywords outside string
// literals, quoted identifiers and comments.
func scanSQL(sql string) sqlFacts {
	var f sqlFacts
	afterSemicolon := false
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(sql, i, c)
			if afterSemicolon {
				f.trailing = true
			}
		case c == '[':
			j := strings.IndexByte(sql[i:], ']')
			if j < 0 {
				return f
			}
			i += j + 1
			if afterSemicolon {
				f.trailing = true
			}
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return f
			}
			i += j + 1
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return f
			}
			i += j + 4
		case c == ';':
			afterSemicolon = true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			if j == i { // a non-ASCII rune that is not a letter
				_, n := utf8.DecodeRuneInString(sql[i:])
				j = i + n
			}
			word := sql[i:j]
			if f.firstWord == "" && !afterSemicolon {
				f.firstWord = strings.ToLower(word)
			}
			if afterSemicolon {
				f.trailing = true
			}
			if strings.EqualFold(word, "in") {
				f.hasIN = true
			} else if strings.EqualFold(word, "collate") {
				f.hasCollate = true
			}
			i = j
		default:
			if afterSemicolon {
				f.trailing = true
			}
			i++
		}
	}
	return f
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
