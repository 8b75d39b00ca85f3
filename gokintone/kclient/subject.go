package kclient

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
)

// subjectSpec is a parsed SSLClientCertSubject: attribute=value pairs that must all be present
// in a certificate's subject. Values are compared case-insensitively and may contain * (any
// run of characters). nil matches every certificate.
type subjectSpec []subjectAttr

type subjectAttr struct{ name, value string }

// Short names of subject attributes, as SSLClientCertSubject writes them, by OID.
var subjectNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "S",
	"2.5.4.6":                    "C",
	"2.5.4.9":                    "STREET",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.17":                   "POSTALCODE",
	"1.2.840.113549.1.9.1":       "E",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
}

// Other spellings of the short names.
var subjectAliases = map[string]string{"ST": "S", "EMAIL": "E", "EMAILADDRESS": "E"}

// parseSubject reads "CN=alice, O=Example" (comma-separated; a value containing a comma is
// enclosed in double quotes). "" and "*" match every certificate; text without "=" is a CN.
func parseSubject(s string) (subjectSpec, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "*" {
		return nil, nil
	}
	var parts []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	parts = append(parts, cur.String())
	var spec subjectSpec
	for _, p := range parts {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			if len(parts) > 1 {
				return nil, certConfigError("SSLClientCertSubject %q: each comma-separated part must be Name=Value, such as CN=alice", s)
			}
			name, value = "CN", p
		}
		name = strings.ToUpper(strings.TrimSpace(name))
		if a, ok := subjectAliases[name]; ok {
			name = a
		}
		if !knownSubjectName(name) {
			return nil, certConfigError("SSLClientCertSubject %q: unknown attribute %q; use CN, O, OU, L, S, C, E, STREET, "+
				"SERIALNUMBER, POSTALCODE, DC, UID or a dotted OID", s, name)
		}
		spec = append(spec, subjectAttr{name: name, value: strings.ToLower(strings.TrimSpace(value))})
	}
	return spec, nil
}

func knownSubjectName(n string) bool {
	for _, v := range subjectNames {
		if v == n {
			return true
		}
	}
	var oid asn1.ObjectIdentifier
	for _, part := range strings.Split(n, ".") {
		var x int
		if _, err := fmt.Sscanf(part, "%d", &x); err != nil || fmt.Sprint(x) != part {
			return false
		}
		oid = append(oid, x)
	}
	return len(oid) >= 2
}

// matches reports whether every attribute of the spec is in the certificate's subject.
func (s subjectSpec) matches(c *x509.Certificate) bool {
	for _, want := range s {
		found := false
		for _, n := range c.Subject.Names {
			name := n.Type.String()
			if short, ok := subjectNames[name]; ok {
				name = short
			}
			if name == want.name && wildcardMatch(want.value, strings.ToLower(fmt.Sprint(n.Value))) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// wildcardMatch matches text against a pattern in which * stands for any run of characters.
func wildcardMatch(pattern, text string) bool {
	p, t := []rune(pattern), []rune(text)
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && p[pi] == t[ti]:
			pi++
			ti++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
