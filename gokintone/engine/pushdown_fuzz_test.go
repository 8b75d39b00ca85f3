package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// fuzzColumns are the columns of the app FuzzPushdown reads: one of each field type whose
// comparisons may be sent to kintone, by SQL name and field code.
var fuzzColumns = []struct{ name, code, typ string }{
	{"Id", "$id", ""},
	{"Text", "text", "SINGLE_LINE_TEXT"},
	{"Link", "link", "LINK"},
	{"Memo", "memo", "MULTI_LINE_TEXT"},
	{"Num", "num", "NUMBER"},
	{"Day", "day", "DATE"},
	{"At", "at", "DATETIME"},
	{"Clock", "clock", "TIME"},
	{"Pick", "pick", "DROP_DOWN"},
	{"Radio", "radio", "RADIO_BUTTON"},
}

// fuzzOptions are the options of Pick and Radio: text that would end a kintone string literal,
// or change a query's structure, if it were not escaped.
var fuzzOptions = []string{"plain", `a"b`, `x\y`, `") or ($id > "0`, "東京", " pad ", "1"}

// fuzzTexts are text values of the records (and seeds of the fuzz target).
var fuzzTexts = []string{"", "plain", `a"b`, `x\y`, `\"`, `" or $id > 0 or "`, "line\nbreak", "tab\tx", "東京",
	"1", "1.0", " 1", "01", "-0", "1e3", "abc", "ABC", "2024-02-29", "12:30:00"}

var fuzzNumbers = []string{"0", "0.1", "0.30000000000000004", "-5", "100", "1e3", "123456789012345678", "-0.000001", "3"}
var fuzzDays = []string{"2024-02-29", "2024-03-01", "1999-12-31", "2038-01-19"}
var fuzzTimes = []string{"2024-02-29T23:59:00Z", "2024-03-01T00:00:00Z", "2001-01-01T12:30:00Z"}
var fuzzClocks = []string{"00:00", "12:30", "23:59", "09:05"}

// newFuzzFixture serves one app "Fuzz" with a record per fuzzTexts value (the other fields
// cycling through their lists, some records empty) and a TEMP copy "c" of its rows.
func newFuzzFixture(tb testing.TB) *fixture {
	tb.Helper()
	opts := map[string]any{}
	for i, o := range fuzzOptions {
		opts[o] = map[string]any{"label": o, "index": fmt.Sprint(i)}
	}
	fields := map[string]any{}
	for _, c := range fuzzColumns[1:] {
		p := map[string]any{"type": c.typ, "label": c.name}
		if c.typ == "DROP_DOWN" || c.typ == "RADIO_BUTTON" {
			p["options"] = opts
		}
		fields[c.code] = p
	}
	var records []map[string]any
	pick := func(list []string, i int) map[string]any {
		if i%5 == 4 {
			return map[string]any{"value": ""}
		}
		return map[string]any{"value": list[i%len(list)]}
	}
	for i, s := range fuzzTexts {
		records = append(records, map[string]any{
			"text": map[string]any{"value": s}, "link": pick(fuzzTexts, i+3), "memo": pick(fuzzTexts, i+7),
			"num": pick(fuzzNumbers, i), "day": pick(fuzzDays, i), "at": pick(fuzzTimes, i), "clock": pick(fuzzClocks, i),
			"pick": pick(fuzzOptions, i), "radio": map[string]any{"value": fuzzOptions[i%len(fuzzOptions)]},
		})
	}
	js, err := json.Marshal(map[string]any{
		"users": []any{map[string]any{"code": "admin", "password": "pw"}},
		"apps":  []any{map[string]any{"id": 1, "name": "Fuzz", "fields": fields, "records": records}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	fx, err := kintonesim.ParseFixture(js)
	if err != nil {
		tb.Fatal(err)
	}
	f := newFixtureWith(tb, fx, Options{MaxRows: -1})
	if _, err := f.try("CREATE TEMP TABLE c AS SELECT * FROM Fuzz"); err != nil {
		tb.Fatal(err)
	}
	return f
}

var fuzzOps = []string{"=", "!=", "<", "<=", ">", ">=", "IS", "IS NOT", "IS NULL", "IS NOT NULL"}

// fuzzArg is the parameter of one fuzz case: text, an integer, a real, NULL or a blob.
func fuzzArg(kind uint8, text string, num float64) any {
	switch kind % 5 {
	case 1:
		if math.IsNaN(num) || math.Abs(num) > 1e18 {
			return int64(0)
		}
		return int64(num)
	case 2:
		if math.IsNaN(num) {
			return nil // SQLite binds NaN as NULL
		}
		return num
	case 3:
		return nil
	case 4:
		return []byte(text)
	}
	return text
}

// FuzzPushdown: whatever the value compared with a column, the kintone query the driver sends
// selects a superset of the rows SQLite's answer has (checked by running that query's
// condition in the simulator, whose evaluator is kquery's), its conditions name that column's
// field only and are joined by and (no value changes the query's structure), and the
// statement's rows are exactly SQLite's over a TEMP copy of the table.
func FuzzPushdown(f *testing.F) {
	for i, s := range append(append(fuzzTexts, fuzzOptions...), fuzzNumbers...) {
		f.Add(uint8(i), uint8(i), uint8(0), s, 0.0)
	}
	for i, x := range []float64{0, 0.1, 0.30000000000000004, -5, 3, 1e3, 1.5, math.Inf(1), 123456789012345678, math.NaN()} {
		f.Add(uint8(4), uint8(i), uint8(1+i%2), "", x)
		f.Add(uint8(0), uint8(i), uint8(1+i%2), "", x)
	}
	for _, s := range append(append(fuzzDays, fuzzTimes...), "2024-02-30", "2024-02-29T23:59:30Z", "2024-02-29T23:59:00Z.5", "12:30:00", "12:60:00", "23:59:59") {
		for col := uint8(5); col <= 7; col++ {
			f.Add(col, uint8(len(s)), uint8(0), s, 0.0)
		}
	}
	fx := newFuzzFixture(f)
	f.Fuzz(func(t *testing.T, col, op, kind uint8, text string, num float64) {
		c := fuzzColumns[int(col)%len(fuzzColumns)]
		sqlOp := fuzzOps[int(op)%len(fuzzOps)]
		var args []any
		cond := fmt.Sprintf("%q %s", c.name, sqlOp)
		if !strings.HasSuffix(sqlOp, "NULL") {
			cond += " ?"
			args = []any{fuzzArg(kind, text, num)}
		}
		want, werr := fx.try("SELECT Id FROM c WHERE "+cond+" ORDER BY Id", args...)
		fx.sim.ResetRequests()
		got, gerr := fx.try("SELECT Id FROM Fuzz WHERE "+cond+" ORDER BY Id", args...)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%s %#v: SQLite says %v, the driver %v", cond, args, werr, gerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %#v: %v, SQLite %v", cond, args, got, want)
		}
		queries := fx.kintoneQueries("1")
		if werr != nil || len(queries) == 0 {
			return
		}
		pushed, err := kquery.Parse(queries[0])
		if err != nil {
			t.Fatalf("%s %#v: the query sent does not parse: %q: %v", cond, args, queries[0], err)
		}
		checkStructure(t, pushed.Where, c.code, queries[0])
		q := kquery.Query{Where: pushed.Where, OrderBy: []kquery.OrderItem{{Field: "$id"}}, Limit: kquery.Int64(500)}
		res, err := fx.kc.Records(context.Background(), 1, q.String(), []string{"$id"}, false)
		if err != nil {
			t.Fatalf("%s %#v: kintone refuses the condition sent, %q: %v", cond, args, queries[0], err)
		}
		selected := map[int64]bool{}
		for _, r := range res.Records {
			var id int64
			fmt.Sscan(rawString(r["$id"].Value), &id)
			selected[id] = true
		}
		for _, row := range want {
			if id := row[0].(int64); !selected[id] {
				t.Fatalf("%s %#v: record %d is in SQLite's answer but the query sent, %q, does not select it", cond, args, id, queries[0])
			}
		}
	})
}

// checkStructure fails unless every condition of e names field (or $id) and every logical
// operator is and.
func checkStructure(t *testing.T, e kquery.Expr, field, text string) {
	t.Helper()
	switch x := e.(type) {
	case nil:
	case *kquery.Logical:
		if x.Op != kquery.OpAnd {
			t.Fatalf("the query sent has %q: %q", x.Op, text)
		}
		for _, term := range x.Terms {
			checkStructure(t, term, field, text)
		}
	case *kquery.Cond:
		if !slices.Contains([]string{field, "$id"}, x.Field) {
			t.Fatalf("the query sent names field %q, not %q: %q", x.Field, field, text)
		}
	default:
		t.Fatalf("unexpected %T in %q", e, text)
	}
}
