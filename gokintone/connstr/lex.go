package connstr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lexing problems, in the order the scanner can meet them within a segment.
const (
	probNone         = iota
	probNoEquals     // a segment without "="
	probEmptyName    // "=value"
	probUnterminated // a quoted value without its closing quote
	probAfterQuote   // text between a closing quote and the next ";"
)

// segment is one Name=Value part of a connection string.
type segment struct {
	index      int    // 1-based number of the segment, counting empty ones
	start, end int    // byte range of the segment's text, without the ";"
	name       string // trimmed
	value      string // trimmed when unquoted; unquoted and unescaped when quoted
	hasEquals  bool
	quoted     bool
	problem    int
	problemAt  int // byte offset of the problem
}

// scan splits s into segments, leaving out blank ones (which still count in the numbering). It
// never fails: problems are recorded in the segments, and scanning goes on after them (an unterminated quote swallows the rest of the string), so that
// the same scan serves both Parse and the masked echo of a malformed string.
func scan(s string) []segment {
	var segs []segment
	i := 0
	for n := 1; i <= len(s); n++ {
		g := segment{index: n, start: i}
		rest := s[i:]
		j := strings.IndexAny(rest, "=;")
		if j < 0 || rest[j] == ';' {
			if j < 0 {
				j = len(rest)
			}
			g.end = i + j
			g.name = strings.TrimSpace(rest[:j])
			if g.name != "" {
				g.problem, g.problemAt = probNoEquals, i+skipBlanks(rest, 0)
				segs = append(segs, g)
			}
			i += j + 1
			continue
		}
		g.hasEquals = true
		g.name = strings.TrimSpace(rest[:j])
		if g.name == "" {
			g.problem, g.problemAt = probEmptyName, i+j
		}
		k := skipBlanks(rest, j+1)
		if k < len(rest) && (rest[k] == '\'' || rest[k] == '"') {
			g.quoted = true
			q := rest[k]
			var b strings.Builder
			m := k + 1
			closed := false
			for m < len(rest) {
				if rest[m] == q {
					if m+1 < len(rest) && rest[m+1] == q {
						b.WriteByte(q)
						m += 2
						continue
					}
					closed = true
					m++
					break
				}
				b.WriteByte(rest[m])
				m++
			}
			g.value = b.String()
			if !closed {
				if g.problem == probNone {
					g.problem, g.problemAt = probUnterminated, i+k
				}
				g.end = len(s)
				segs = append(segs, g)
				return segs
			}
			m = skipBlanks(rest, m)
			if m < len(rest) && rest[m] != ';' {
				if g.problem == probNone {
					g.problem, g.problemAt = probAfterQuote, i+m
				}
				semi := strings.IndexByte(rest[m:], ';')
				if semi < 0 {
					m = len(rest)
				} else {
					m += semi
				}
			}
			g.end = i + m
			segs = append(segs, g)
			i += m + 1
			continue
		}
		semi := strings.IndexByte(rest[k:], ';')
		if semi < 0 {
			semi = len(rest) - k
		}
		g.value = strings.TrimSpace(rest[k : k+semi])
		g.end = i + k + semi
		segs = append(segs, g)
		i = g.end + 1
	}
	return segs
}

func skipBlanks(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// charPos turns a byte offset into a 1-based character position for messages.
func charPos(s string, at int) int {
	if at > len(s) {
		at = len(s)
	}
	return utf8.RuneCountInString(s[:at]) + 1
}

const mask = "********"

// MaskString returns a connection string, well-formed or not, with the values of secret
// properties replaced by ********. Whatever cannot be attributed safely is masked too: the
// values of unknown properties, segments without "=", anything after an unterminated quote, and
// the name of an unknown property that directly follows a secret one (it is probably a piece of
// a secret value containing an unquoted ";"). Use it to show a connection string in logs or errors.
func MaskString(s string) string {
	segs := scan(s)
	parts := make([]string, 0, len(segs))
	prevSecret := false
	for _, g := range segs {
		known := lookup(g.name)
		secret := known != nil && IsSecretValue(g.name, g.value)
		switch {
		case !g.hasEquals:
			parts = append(parts, mask)
		case g.problem == probUnterminated:
			parts = append(parts, maskName(g.name, known, prevSecret)+"="+mask)
		case known != nil && !secret && g.problem == probNone:
			parts = append(parts, strings.TrimSpace(s[g.start:g.end]))
		case g.value == "" && g.problem == probNone && !g.quoted:
			parts = append(parts, maskName(g.name, known, prevSecret)+"=")
		default:
			parts = append(parts, maskName(g.name, known, prevSecret)+"="+mask)
		}
		prevSecret = secret || (known == nil && prevSecret)
	}
	return strings.Join(parts, ";")
}

func maskName(name string, known *Property, prevSecret bool) string {
	if known != nil {
		return known.Name
	}
	if prevSecret {
		return mask
	}
	return name
}

// needsQuotes reports whether a value must be quoted to survive lexing unchanged.
func needsQuotes(v string) bool {
	if v == "" || strings.ContainsRune(v, ';') || v[0] == '\'' || v[0] == '"' {
		return true
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	return unicode.IsSpace(first) || unicode.IsSpace(last)
}

// quote writes v as a connection-string value: as is when it needs no quotes, otherwise in
// single quotes with inner single quotes doubled.
func quote(v string) string {
	if !needsQuotes(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// maxShown bounds a value or name quoted in a message.
const maxShown = 80

// shortQuote quotes a (non-secret) value for a message, shortened when long.
func shortQuote(v string) string {
	if utf8.RuneCountInString(v) > maxShown {
		v = string([]rune(v)[:maxShown]) + "…"
	}
	return strconv.Quote(v)
}

// describeSegment names a segment in messages without showing its value.
func describeSegment(s string, g segment) string {
	return "segment " + strconv.Itoa(g.index) + " (at character " + strconv.Itoa(charPos(s, g.start+skipBlanks(s[g.start:g.end], 0))) + ")"
}
