package kquery

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseTests is shared by the parser test, the round-trip test and the fuzz seed corpus.
var parseTests = []struct {
	in   string
	code string // expected error code; "" when the query parses
}{
	{``, ""},
	{`   `, ""},
	{`title = "abc"`, ""},
	{`title = "a\"b\\c\td\ne"`, ""},
	{`title = "東京タワー"`, ""},
	{`title = ""`, ""},
	{`num > 10`, ""},
	{`num >= -1.5e3 and num <= "20"`, ""},
	{`num < 1 and num != 2`, ""},
	{`$id > 100 order by $id asc limit 500`, ""},
	{`status in ("Open", "Done")`, ""},
	{`status not in ("")`, ""},
	{`title like "key"`, ""},
	{`title not like "key"`, ""},
	{`memo is empty`, ""},
	{`memo is not empty`, ""},
	{`MEMO IS NOT EMPTY AND title LIKE "x" OR num IN (1)`, ""},
	{`a = 1 or b = 2 and c = 3`, ""},
	{`(a = 1 or b = 2) and c = 3`, ""},
	{`((a = 1))`, ""},
	{`(a = 1 and b = 2) and c = 3`, ""},
	{`a = 1 and (b = 2 and (c = 3 or d = 4))`, ""},
	{`d = TODAY()`, ""},
	{`d = from_today(-1, days)`, ""},
	{`d > THIS_MONTH(LAST) and d < NEXT_WEEK(monday)`, ""},
	{`creator in (LOGINUSER(), "sato")`, ""},
	{`order by a desc, b asc, c`, ""},
	{`ORDER BY a DESC LIMIT 5 OFFSET 10`, ""},
	{`limit 100`, ""},
	{`offset 99999`, ""},
	{`limit -1`, ""},
	{`limit = 5`, ""},
	{`order = 1 order by order desc`, ""},
	{`rel.field in ("x")`, ""},
	{"title\t=\r\n\"x\"\u3000and\u3000num\u3000=\u30001", ""},
	{`a="x"and b="y"`, ""},
	{`a = "it's"`, ""},
	{`a = "(" and b = ")"`, ""},
	// rejected
	{`title = 'abc'`, "CB_VA01"},
	{"title = \"a\tb\"", "CB_VA01"},
	{"title = \"a\nb\"", "CB_VA01"},
	{"title = \"a\rb\"", "CB_VA01"},
	{`title = "a\rb"`, "CB_VA01"},
	{`title = "abc`, "CB_VA01"},
	{`title = "abc\"`, "CB_VA01"},
	{`title = abc`, "CB_VA01"},
	{`title == "a"`, "CB_VA01"},
	{`title <> "a"`, "CB_VA01"},
	{`title ! "a"`, "CB_VA01"},
	{`title "a"`, "CB_VA01"},
	{`title in ()`, "CB_VA01"},
	{`title in ("a",)`, "CB_VA01"},
	{`title in "a"`, "CB_VA01"},
	{`title not = "a"`, "CB_VA01"},
	{`title is "a"`, "CB_VA01"},
	{`title is not null`, "CB_VA01"},
	{`(a = 1`, "CB_VA01"},
	{`a = 1)`, "CB_VA01"},
	{`a = 1 and`, "CB_VA01"},
	{`and a = 1`, "CB_VA01"},
	{`a = 1 b = 2`, "CB_VA01"},
	{`limit 5 order by a`, "CB_VA01"},
	{`offset 5 limit 5`, "CB_VA01"},
	{`a = 1 limit 5 limit 6`, "CB_VA01"},
	{`limit 1.5`, "CB_VA01"},
	{`limit "5"`, "CB_VA01"},
	{`limit 99999999999999999999`, "CB_VA01"},
	{`order by`, "CB_VA01"},
	{`order by a,`, "CB_VA01"},
	{`order by 1`, "CB_VA01"},
	{`d = TODAY(`, "CB_VA01"},
	{`d = FROM_TODAY("1", DAYS)`, "CB_VA01"},
	{`d = 今日()`, "CB_VA01"},
	{`1 = 1`, "CB_VA01"},
	{`"a" = "a"`, "CB_VA01"},
	{`a = "x" or ("1"="1")`, "CB_VA01"},
	{"a = \"\xff\"", "CB_VA01"},
	{`a = 1 ; b = 2`, "CB_VA01"},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		q, err := Parse(tt.in)
		if tt.code == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", tt.in, err)
			} else if q == nil {
				t.Errorf("Parse(%q) returned nil query", tt.in)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want *Error %s", tt.in, err, tt.code)
			continue
		}
		if e.Code != tt.code || e.Status != 400 {
			t.Errorf("Parse(%q): code %s status %d, want %s 400 (%v)", tt.in, e.Code, e.Status, tt.code, e)
		}
		if tt.code == "CB_VA01" && len(e.Errors["query"]) == 0 {
			t.Errorf("Parse(%q): CB_VA01 without errors.query", tt.in)
		}
	}
}

func lim(n int64) *int64 { return &n }

func TestParseAST(t *testing.T) {
	tests := []struct {
		in   string
		want *Query
	}{
		{`a = 1 or b = "2" and c in ("x", TODAY())`, &Query{Where: &Logical{Op: OpOr, Terms: []Expr{
			C("a", Eq, Num("1")),
			&Logical{Op: OpAnd, Terms: []Expr{C("b", Eq, Str("2")), C("c", In, Str("x"), Fn("TODAY"))}},
		}}}},
		{`(a = 1 or b = 2) and c is not empty`, &Query{Where: &Logical{Op: OpAnd, Terms: []Expr{
			&Logical{Op: OpOr, Terms: []Expr{C("a", Eq, Num("1")), C("b", Eq, Num("2"))}},
			C("c", IsNotEmpty),
		}}}},
		{`x NOT LIKE "k" Order By a, b DESC Limit 5 Offset 0`, &Query{
			Where:   C("x", NotLike, Str("k")),
			OrderBy: []OrderItem{{Field: "a"}, {Field: "b", Desc: true}},
			Limit:   lim(5), Offset: lim(0),
		}},
		{`d = from_today(-2, weeks)`, &Query{Where: C("d", Eq, Fn("FROM_TODAY", "-2", "WEEKS"))}},
		{`t = "a\\\"b\tc\nd"`, &Query{Where: C("t", Eq, Str("a\\\"b\tc\nd"))}},
		{`offset 3`, &Query{Offset: lim(3)}},
		{``, &Query{}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got  %#v\n want %#v", tt.in, got, tt.want)
		}
	}
}

// TestRoundTrip: every query the parser accepts renders to text that parses to the same AST,
// and rendering is a fixed point.
func TestRoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		if tt.code != "" {
			continue
		}
		checkRoundTrip(t, tt.in)
	}
}

func checkRoundTrip(t *testing.T, in string) {
	t.Helper()
	q1, err := Parse(in)
	if err != nil {
		return
	}
	s1 := q1.String()
	q2, err := Parse(s1)
	if err != nil {
		t.Fatalf("Parse(%q) ok, but its rendering %q does not parse: %v", in, s1, err)
	}
	if !reflect.DeepEqual(q1, q2) {
		t.Fatalf("round trip of %q changed the AST:\n %#v\n %#v\n(text %q)", in, q1, q2, s1)
	}
	if s2 := q2.String(); s2 != s1 {
		t.Fatalf("String is not a fixed point for %q: %q then %q", in, s1, s2)
	}
}

func TestParseDepth(t *testing.T) {
	ok := strings.Repeat("(", MaxDepth) + "a = 1" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(ok); err != nil {
		t.Errorf("nesting %d: %v", MaxDepth, err)
	}
	deep := "(" + ok + ")"
	var e *Error
	if _, err := Parse(deep); !errors.As(err, &e) || e.Code != "CB_VA01" {
		t.Errorf("nesting %d: %v, want CB_VA01", MaxDepth+1, err)
	}
	// Build refuses exactly what Parse would refuse.
	build := func(levels int) error {
		var e Expr = C("a", Eq, Int(1))
		for i := 0; i < levels; i++ {
			e = &Logical{Op: []string{OpAnd, OpOr}[i%2], Terms: []Expr{e, C("b", Eq, Int(2))}}
		}
		s, err := (&Query{Where: e}).Build()
		if err == nil {
			if _, perr := Parse(s); perr != nil {
				t.Errorf("Build gave %d levels that Parse refuses: %v", levels, perr)
			}
		}
		return err
	}
	if err := build(MaxDepth + 1); err != nil {
		t.Errorf("Build at the limit: %v", err)
	}
	if err := build(MaxDepth + 2); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("Build beyond the limit: %v", err)
	}
}
