package kquery

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, `""`},
		{`abc`, `"abc"`},
		{`sample"1"`, `"sample\"1\""`},
		{`C:\dir\`, `"C:\\dir\\"`},
		{"a\tb\nc", `"a\tb\nc"`},
		{`東京タワー`, `"東京タワー"`},
		{`\"`, `"\\\""`},
		{`") or ("1"="1`, `"\") or (\"1\"=\"1"`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got, err := QuoteChecked(tt.in); err != nil || got != tt.want {
			t.Errorf("QuoteChecked(%q) = %s, %v", tt.in, got, err)
		}
	}
}

func TestQuoteCheckedRefuses(t *testing.T) {
	for _, s := range []string{"a\rb", "a\r\nb", "nul\x00", "bad\xffutf8"} {
		if _, err := QuoteChecked(s); !errors.Is(err, ErrNotRepresentable) {
			t.Errorf("QuoteChecked(%q) error = %v, want ErrNotRepresentable", s, err)
		}
		if Representable(s) {
			t.Errorf("Representable(%q) = true", s)
		}
		q := &Query{Where: C("title", Eq, Str(s))}
		if _, err := q.Build(); !errors.Is(err, ErrNotRepresentable) {
			t.Errorf("Build with %q: %v, want ErrNotRepresentable", s, err)
		}
	}
	// Quote keeps the CR raw, so that the query is rejected instead of matching other data.
	q := &Query{Where: C("title", Eq, Str("a\rb"))}
	if _, err := Parse(q.String()); err == nil {
		t.Errorf("a raw CR in %q was accepted", q.String())
	}
}

// TestInjection: whatever a value holds, it stays one literal of one condition.
func TestInjection(t *testing.T) {
	values := []string{
		`") or ("1"="1`,
		`" or title != "`,
		`\`, `\\`, `\"`, `"`, `""`, `x" order by $id desc limit 500 offset "`,
		"tab\there", "line\nfeed", "\t\n\\\"",
		`東京タワー「引用」`, "全角\u3000空白",
		`a) or (b = "1"`, `'single'`, `1 = 1`,
		"\x01\x7f", "trailing\\",
	}
	for _, v := range values {
		q := &Query{Where: And(C("title", Eq, Str(v)), C("memo", Like, Str(v)), C("cb", In, Str(v), Str("x")))}
		s, err := q.Build()
		if err != nil {
			t.Fatalf("Build(%q): %v", v, err)
		}
		got, err := Parse(s)
		if err != nil {
			t.Fatalf("value %q: %q does not parse: %v", v, s, err)
		}
		if !reflect.DeepEqual(got, q) {
			t.Fatalf("value %q escaped its literal: %q parsed as %#v", v, s, got.Where)
		}
	}
}

func TestBuilders(t *testing.T) {
	a, b, c := C("a", Eq, Num("1")), C("b", Eq, Str("2")), C("c", In, Str("x"))
	tests := []struct {
		name string
		q    *Query
		want string
	}{
		{"and", &Query{Where: And(a, nil, b)}, `a = 1 and b = "2"`},
		{"and flattens", &Query{Where: And(And(a, b), c)}, `a = 1 and b = "2" and c in ("x")`},
		{"and single", &Query{Where: And(nil, a)}, `a = 1`},
		{"and none", &Query{Where: And(nil, nil)}, ``},
		{"or in and", &Query{Where: And(Or(a, b), c)}, `(a = 1 or b = "2") and c in ("x")`},
		{"and in or", &Query{Where: Or(And(a, b), c)}, `(a = 1 and b = "2") or c in ("x")`},
		{"seek keeps or", &Query{Where: WithSeek(Or(a, b), 42), OrderBy: []OrderItem{{Field: "$id"}}, Limit: Int64(500)},
			`(a = 1 or b = "2") and $id > 42 order by $id asc limit 500`},
		{"seek no cond", &Query{Where: WithSeek(nil, 0)}, `$id > 0`},
		{"seek and", &Query{Where: WithSeek(And(a, b), 7)}, `a = 1 and b = "2" and $id > 7`},
		{"value cond", &Query{Where: And(Cond{Field: "a", Op: IsEmpty}, *b)}, `a is empty and b = "2"`},
		{"num fallback", &Query{Where: C("n", Gt, Num("1 or 1"))}, `n > "1 or 1"`},
		{"num ok", &Query{Where: C("n", Gt, Num("-1.5e3"))}, `n > -1.5e3`},
		{"int", &Query{Where: C("n", Le, Int(-7))}, `n <= -7`},
		{"funcs", &Query{Where: C("d", Ge, Fn("FROM_TODAY", "-1", "DAYS"))}, `d >= FROM_TODAY(-1, DAYS)`},
		{"order", &Query{OrderBy: []OrderItem{{Field: "a", Desc: true}, {Field: "b"}}, Offset: Int64(3)}, `order by a desc, b asc offset 3`},
		{"empty ops", &Query{Where: Or(C("m", IsEmpty), C("m", IsNotEmpty))}, `m is empty or m is not empty`},
	}
	for _, tt := range tests {
		got, err := tt.q.Build()
		if err != nil || got != tt.want {
			t.Errorf("%s: Build() = %q, %v; want %q", tt.name, got, err, tt.want)
		}
		if tt.q.String() != tt.want {
			t.Errorf("%s: String() = %q", tt.name, tt.q.String())
		}
	}
}

// TestStringHostileAST: ASTs that Build rejects still render to text in which nothing escapes
// its place; kintone (and Parse) reject the result.
func TestStringHostileAST(t *testing.T) {
	hostile := []*Query{
		{Where: &Cond{Field: `a = "1" or b`, Op: Eq, Values: []Value{Str("x")}}},
		{Where: &Cond{Field: "a", Op: Op(`= "1" or b =`), Values: []Value{Str("x")}}},
		{Where: &Cond{Field: "a", Op: Eq, Values: []Value{Fn(`TODAY() or b = TODAY`)}}},
		{Where: &Cond{Field: "a", Op: Eq, Values: []Value{Fn("FROM_TODAY", `1) or b = TODAY(`, "DAYS")}}},
		{Where: &Logical{Op: `or b = "1" or`, Terms: []Expr{C("a", Eq, Str("1")), C("c", Eq, Str("1"))}}},
		{OrderBy: []OrderItem{{Field: "a limit 1"}}},
		{Where: &Logical{Op: OpAnd}},
		{Where: &Cond{Field: "a", Op: In}},
		{Where: &Cond{Field: "a", Op: Eq}},
	}
	for _, q := range hostile {
		if _, err := q.Build(); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("Build(%#v) = %v, want ErrInvalidQuery", q.Where, err)
		}
		s := q.String()
		if got, err := Parse(s); err == nil {
			t.Errorf("hostile AST rendered as parseable %q: %#v", s, got.Where)
		}
	}
	// A Bare value that is not a number is quoted, like Num's fallback: one literal, same meaning.
	q := &Query{Where: &Cond{Field: "a", Op: Eq, Values: []Value{{Lit: `1 or b = 1`, Bare: true}}}}
	if s, err := q.Build(); err != nil || s != `a = "1 or b = 1"` {
		t.Errorf("bare non-number: %q %v", s, err)
	}
	// A Bare value that is a number is written bare; Build passes it.
	if s, err := (&Query{Where: &Cond{Field: "a", Op: Eq, Values: []Value{{Lit: "12", Bare: true}}}}).Build(); err != nil || s != "a = 12" {
		t.Errorf("bare number: %q %v", s, err)
	}
}

func TestValidField(t *testing.T) {
	for f, want := range map[string]bool{
		"title": true, "$id": true, "レコード番号": true, "rel.field": true, "a_b・c": true,
		"": false, "1": false, "-2.5": false, "a b": false, `a"b`: false, "a(b)": false,
		"a,b": false, "a=b": false, "a\u3000b": false, "a\tb": false, "a'b": false,
	} {
		if got := ValidField(f); got != want {
			t.Errorf("ValidField(%q) = %v, want %v", f, got, want)
		}
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse(`a = 'x'`)
	if err == nil || !strings.Contains(err.Error(), "CB_VA01") || !strings.Contains(err.Error(), "single quote") {
		t.Errorf("error text %q should name the code and the cause", err)
	}
}
