package kquery

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRoundTrip checks two properties: any query Parse accepts renders (String) to text that
// parses to the same AST and renders identically again; and any value, quoted by the builder,
// comes back as exactly one literal of one condition (or is refused as unrepresentable).
func FuzzRoundTrip(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in, "")
	}
	for _, v := range []string{`") or ("1"="1`, `\`, "a\tb\nc", "a\rb", "東京", `\"`, "\x00", "\xff"} {
		f.Add(`title = "x"`, v)
	}
	records, env := testRecords(f), testEnv(f)
	f.Fuzz(func(t *testing.T, query, value string) {
		checkRoundTrip(t, query)
		// Whatever parses must compile or fail with an *Error, and never panic when run.
		if pq, err := Parse(query); err == nil {
			p, err := Compile(pq, testSchema, env)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Compile(%q) returned %T, not *Error", query, err)
				}
			} else {
				var out []Record
				for _, r := range records {
					if p.Match(r) {
						out = append(out, r)
					}
				}
				p.Sort(out)
				_ = p.Page(out)
			}
		}

		q := &Query{Where: Or(C("title", Eq, Str(value)), C("cb", NotIn, Str(value), Num(value)))}
		s := q.String()
		got, err := Parse(s)
		if !Representable(value) {
			if _, err := q.Build(); err == nil {
				t.Fatalf("Build accepted unrepresentable %q", value)
			}
			// Quote leaves a CR or invalid UTF-8 raw: such text must not parse at all. A NUL
			// stays raw too and reads back unchanged, so it falls through to the checks below.
			if strings.ContainsRune(value, '\r') || !utf8.ValidString(value) {
				if err == nil {
					t.Fatalf("unrepresentable %q parsed from %q", value, s)
				}
				return
			}
		}
		if err != nil {
			t.Fatalf("value %q: %q does not parse: %v", value, s, err)
		}
		if !reflect.DeepEqual(got, q) {
			t.Fatalf("value %q escaped its literal: %q parsed as %#v", value, s, got.Where)
		}
	})
}
