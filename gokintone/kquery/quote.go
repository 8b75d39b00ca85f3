package kquery

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrNotRepresentable is wrapped by the errors of QuoteChecked and Build for values that no
// kintone query can carry unchanged. Callers that push conditions down to kintone should
// evaluate such a condition locally instead.
var ErrNotRepresentable = errors.New("kquery: value cannot be written in a kintone query")

// ErrInvalidQuery is wrapped by Build's errors for ASTs that do not form a valid query
// (an unknown operator, a field code that is not a single token, a malformed function call).
var ErrInvalidQuery = errors.New("kquery: invalid query")

// Quote returns s as a kintone string literal: in double quotes, with \ written \\, " written
// \", tab \t and line feed \n.
//
// kintone has no escape for a carriage return, and NUL or invalid UTF-8 do not survive the
// transports unchanged; Quote writes them raw rather than alter the value, so that the query is
// rejected (kintone and Parse refuse a raw CR inside a literal) instead of silently matching
// different records. Use QuoteChecked, Representable or Query.Build to detect them up front.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// QuoteChecked is Quote for values that must reach kintone unchanged: it refuses a carriage
// return (kintone has no escape for it), NUL and invalid UTF-8 with an error wrapping
// ErrNotRepresentable.
func QuoteChecked(s string) (string, error) {
	if err := checkRepresentable(s); err != nil {
		return "", err
	}
	return Quote(s), nil
}

// Representable reports whether s can be written as a kintone string literal unchanged.
func Representable(s string) bool { return checkRepresentable(s) == nil }

func checkRepresentable(s string) error {
	if i := strings.IndexByte(s, '\r'); i >= 0 {
		return fmt.Errorf("%w: carriage return at byte %d (kintone has no escape for it)", ErrNotRepresentable, i)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("%w: NUL at byte %d", ErrNotRepresentable, i)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: invalid UTF-8", ErrNotRepresentable)
	}
	return nil
}
