package kquery

import (
	"strconv"
	"strings"
)

// decimal is an exact decimal number 0.digits × 10^exp. kintone stores NUMBER values as decimal
// text of arbitrary precision ("1e2", "0.1", 30 digits), so comparisons must not go through
// float64; this form compares any such text exactly without allocating for huge exponents.
type decimal struct {
	neg    bool
	digits string // no leading or trailing zeros; "" means zero
	exp    int64
}

// parseDecimal reads decimal text: optional sign, digits with an optional fraction, optional
// exponent; surrounding blanks are ignored as kintone ignores them on save.
func parseDecimal(s string) (decimal, bool) {
	s = strings.TrimSpace(s)
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.neg = s[i] == '-'
		i++
	}
	is := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[is:i]
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fs:i]
	}
	if intPart == "" && frac == "" {
		return decimal{}, false
	}
	var e int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		es := i
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ds := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == ds {
			return decimal{}, false
		}
		n, err := strconv.ParseInt(s[es:i], 10, 64)
		if err != nil || n > 1<<40 || n < -(1<<40) {
			return decimal{}, false
		}
		e = n
	}
	if i != len(s) {
		return decimal{}, false
	}
	digits := intPart + frac
	exp := int64(len(intPart)) + e
	j := 0
	for j < len(digits) && digits[j] == '0' {
		j++
	}
	exp -= int64(j)
	digits = strings.TrimRight(digits[j:], "0")
	if digits == "" {
		return decimal{}, true
	}
	d.digits, d.exp = digits, exp
	return d, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (d decimal) sign() int {
	switch {
	case d.digits == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

func cmpDecimal(a, b decimal) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	m := 0
	switch {
	case a.exp != b.exp:
		m = 1
		if a.exp < b.exp {
			m = -1
		}
	default:
		m = strings.Compare(a.digits, b.digits)
	}
	return m * sa
}
