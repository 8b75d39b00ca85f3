package kquery

import (
	"html"
	"strings"
	"unicode"
)

// wordMatch approximates kintone's like, which is a search in a full-text index rather than a
// substring match ("gamma keyword" like "key" finds nothing, like "keyword" finds it).
//
// Both texts are folded (full-width ASCII to ASCII, lower case) and split into words: runs of
// letters and digits. Every word of the needle must occur as a whole word of the text. Runs of
// CJK characters (Han, Hiragana, Katakana, Hangul) are matched as substrings instead, because
// kintone's index cuts Japanese text into pieces a word split cannot reproduce. A needle
// without any word or CJK run matches every text. kintone indexes asynchronously and has its
// own tokeniser, so a real kintone may differ near these edges.
func wordMatch(text, needle string) bool {
	nt := fold(needle)
	words, cjk := tokens(nt)
	if len(words) == 0 && len(cjk) == 0 {
		return true
	}
	tt := fold(text)
	for _, c := range cjk {
		if !strings.Contains(tt, c) {
			return false
		}
	}
	if len(words) == 0 {
		return true
	}
	have, _ := tokens(tt)
	set := make(map[string]bool, len(have))
	for _, w := range have {
		set[w] = true
	}
	for _, w := range words {
		if !set[w] {
			return false
		}
	}
	return true
}

// fold maps full-width ASCII to ASCII and lower-cases, as kintone's search ignores width and
// case.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 0x30FC
}

// tokens splits folded text into words (letter/digit runs) and CJK runs.
func tokens(s string) (words, cjk []string) {
	var cur strings.Builder
	kind := 0 // 0 none, 1 word, 2 cjk
	flush := func() {
		if cur.Len() > 0 {
			if kind == 1 {
				words = append(words, cur.String())
			} else {
				cjk = append(cjk, cur.String())
			}
		}
		cur.Reset()
		kind = 0
	}
	for _, r := range s {
		k := 0
		switch {
		case isCJK(r):
			k = 2
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			k = 1
		}
		if k != kind {
			flush()
		}
		if k != 0 {
			kind = k
			cur.WriteRune(r)
		}
	}
	flush()
	return words, cjk
}

// htmlText is the searchable text of a RICH_TEXT value: tags removed, entities decoded.
func htmlText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}
