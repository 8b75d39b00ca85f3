package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValues(t *testing.T) {
	col := func(typ, format string) *Column {
		c, ok := columnFor(Field{Code: "f", Type: typ, Format: format}, "", Options{}, nil)
		if !ok {
			t.Fatalf("%s has no column", typ)
		}
		return &c
	}
	cases := []struct {
		c    *Column
		raw  string
		want any
	}{
		{col("NUMBER", ""), `"42"`, int64(42)},
		{col("NUMBER", ""), `"-1.50"`, -1.5},
		{col("NUMBER", ""), `""`, nil},
		{col("NUMBER", ""), `"12345678901234567890"`, 1.2345678901234567e19},
		{col("CALC", "NUMBER"), `"7"`, int64(7)},
		{col("CALC", "DATE"), `"2024-01-31"`, "2024-01-31"},
		{col("DATE", ""), `null`, nil},
		{col("TIME", ""), `"13:30"`, "13:30:00"},
		{col("DATETIME", ""), `"2024-01-31T05:00:00Z"`, "2024-01-31T05:00:00Z"},
		{col("DATETIME", ""), `"2024-01-31T14:00:00+09:00"`, "2024-01-31T05:00:00Z"},
		{col("SINGLE_LINE_TEXT", ""), `""`, nil},
		{col("SINGLE_LINE_TEXT", ""), `"a\"b"`, `a"b`},
		{col("DROP_DOWN", ""), `null`, nil},
		{col("CHECK_BOX", ""), `[]`, nil},
		{col("CHECK_BOX", ""), `["a","b"]`, `["a","b"]`},
		{col("USER_SELECT", ""), `[{"code":"sato","name":"佐藤"}]`, `[{"code":"sato","name":"佐藤"}]`},
		{col("CREATOR", ""), `{"code":"sato","name":"佐藤"}`, "sato"},
		{col("CREATOR", ""), ` { "name" : "佐藤" , "code" : "sato" , "extra" : "x" } `, "sato"},
		{col("CREATOR", ""), `{"code":"","name":""}`, nil},
		{col("MODIFIER", ""), `{"code":"s\u0061to"}`, "sato"},
		{col("MODIFIER", ""), `{"Code":"sato"}`, "sato"},                     // encoding/json's rules: any case
		{col("MODIFIER", ""), `{"code":"a","code":"sato"}`, "sato"},          // the last one
		{col("MODIFIER", ""), `{"code":"sato","name":"x","size":3}`, "sato"}, // other keys are not read
		{col("FILE", ""), `[{"contentType":"text/plain","fileKey":"k","name":"a.txt","size":"3"}]`,
			`[{"contentType":"text/plain","fileKey":"k","name":"a.txt","size":"3"}]`},
	}
	for _, c := range cases {
		got, err := c.c.Value(json.RawMessage(c.raw))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s: got %#v, %v; want %#v", c.c.FieldType, c.raw, got, err, c.want)
		}
	}
	if _, err := col("CHECK_BOX", "").Value(json.RawMessage(`"x"`)); err == nil {
		t.Error("a CHECK_BOX value that is not a list must be an error")
	}
}

func TestBuildNames(t *testing.T) {
	fields := map[string]Field{
		"id":    {Code: "id", Type: "SINGLE_LINE_TEXT", Label: "Id"},
		"a":     {Code: "a", Type: "NUMBER", Label: "Amount"},
		"b":     {Code: "b", Type: "NUMBER", Label: "amount"},
		"g":     {Code: "g", Type: "GROUP", Label: "Group"},
		"items": {Code: "items", Type: "SUBTABLE", Label: "Items", Fields: map[string]Field{"q": {Code: "q", Type: "NUMBER", Label: "Qty"}}},
	}
	ts, _ := Build("Sales", 7, "", fields, Options{SubtableSeparator: "_"})
	var names []string
	for _, c := range ts[0].Columns {
		names = append(names, c.Name)
	}
	if want := []string{"Id", "Revision", "Amount", "amount_b", "Id_id"}; !reflect.DeepEqual(names, want) {
		t.Errorf("columns %q, want %q", names, want)
	}
	if len(ts) != 2 || ts[1].Name != "Sales_Items" || ts[1].Columns[2].Name != "Qty" {
		t.Errorf("child table: %+v", ts[1])
	}
	if AffinityOf(TypeDate) != AffNumeric || AffinityOf(TypeVarchar) != AffText || AffinityOf(TypeDecimal) != AffNumeric {
		t.Error("affinities")
	}
}

// TestValuesNeverChanged: unexpected text is kept exactly, the same number or instant is
// converted, and shapes the column cannot hold are errors naming the field.
func TestValuesNeverChanged(t *testing.T) {
	col := func(typ, format string, double bool) *Column {
		c, ok := columnFor(Field{Code: "f", Type: typ, Format: format}, "", Options{NumberMapToDouble: double}, nil)
		if !ok {
			t.Fatalf("%s has no column", typ)
		}
		return &c
	}
	id := &Column{FieldCode: "$id", FieldType: "__ID__", DeclType: TypeInteger}
	kept := []struct {
		c    *Column
		raw  string
		want any
	}{
		{id, `"12"`, int64(12)},
		{id, `12`, int64(12)},
		{id, `"0x0C"`, "0x0C"},
		{id, `" 12"`, " 12"},
		{id, `"+12"`, "+12"},
		{id, `"012"`, "012"},
		{id, `"-0"`, "-0"},
		{id, `"99999999999999999999"`, "99999999999999999999"},
		{id, `1.0`, "1.0"},
		{col("NUMBER", "", false), `" 42"`, " 42"},
		{col("NUMBER", "", false), `"42 "`, "42 "},
		{col("NUMBER", "", false), `"0x2A"`, "0x2A"},
		{col("NUMBER", "", false), `"0x1p4"`, "0x1p4"},
		{col("NUMBER", "", false), `"Inf"`, "Inf"},
		{col("NUMBER", "", false), `"nan"`, "nan"},
		{col("NUMBER", "", false), `"1_000"`, "1_000"},
		{col("NUMBER", "", false), `"1e999"`, "1e999"},
		{col("NUMBER", "", false), `"1e-999"`, "1e-999"},
		{col("NUMBER", "", false), `"0e-999"`, int64(0)}, // NUMERIC affinity: a whole REAL that fits is an INTEGER
		{col("NUMBER", "", false), `"0.000"`, int64(0)},
		{col("NUMBER", "", false), `"1."`, int64(1)},
		{col("NUMBER", "", false), `".5"`, 0.5},
		{col("NUMBER", "", false), `"."`, "."},
		{col("NUMBER", "", false), `"1e"`, "1e"},
		{col("NUMBER", "", false), `"-"`, "-"},
		{col("NUMBER", "", false), `"1.5E+3"`, int64(1500)},
		{col("NUMBER", "", true), `" 1.5"`, " 1.5"},
		{col("NUMBER", "", true), `"NaN"`, "NaN"},
		{col("NUMBER", "", true), `"-Infinity"`, "-Infinity"},
		{col("NUMBER", "", true), `"0x10"`, "0x10"},
		{col("NUMBER", "", true), `"7"`, 7.0},
		{col("CALC", "HOUR_MINUTE", false), `"1:30"`, "1:30"},
		{col("TIME", "", false), `"1:30"`, "1:30"},
		{col("TIME", "", false), `"ab:cd"`, "ab:cd"},
		{col("TIME", "", false), `"13:30:15"`, "13:30:15"},
		{col("DATETIME", "", false), `"2024-01-31T05:00:00.123Z"`, "2024-01-31T05:00:00.123Z"},
		{col("DATETIME", "", false), `"2024-02-30T05:00:00Z"`, "2024-02-30T05:00:00Z"},
		{col("DATETIME", "", false), `"2024-01-31 05:00:00"`, "2024-01-31 05:00:00"},
		{col("SINGLE_LINE_TEXT", "", false), `"a\u0000b"`, "a\x00b"},
		{col("SINGLE_LINE_TEXT", "", false), "\"caf\xc3\xa9\"", "café"},
		{col("SINGLE_LINE_TEXT", "", false), `"\ud83d\ude00"`, "😀"},
		{col("SINGLE_LINE_TEXT", "", false), `"\uFFFD"`, "\uFFFD"},
		{col("CHECK_BOX", "", false), `["<b>","R&D","\u2028"]`, "[\"<b>\",\"R&D\",\"\u2028\"]"},
		{col("CHECK_BOX", "", false), `["a\nb","\u0001"]`, `["a\nb","\u0001"]`},
		{col("GROUP_SELECT", "", false), `[{"code":"g","name":"G"},{"code":"h"}]`, `[{"code":"g","name":"G"},{"code":"h"}]`},
		{col("USER_SELECT", "", false), `[{"Code":"x"}]`, `[{"code":"x"}]`}, // encoding/json matches keys case-insensitively
		{col("FILE", "", false), `[{"name":"a.txt","fileKey":"k"}]`, `[{"fileKey":"k","name":"a.txt"}]`},
		{col("MODIFIER", "", false), `{"code":"","name":""}`, nil},
	}
	for _, c := range kept {
		got, err := c.c.Value(json.RawMessage(c.raw))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s/%s %s: got %#v, %v; want %#v", c.c.FieldType, c.c.DeclType, c.raw, got, err, c.want)
		}
	}
	refused := []struct {
		c      *Column
		raw    string
		reason string
	}{
		{id, `{}`, "is neither a number nor text"},
		{id, `true`, "is neither a number nor text"},
		{col("NUMBER", "", false), `[]`, "is neither a number nor text"},
		{col("NUMBER", "", false), `["1"]`, "is neither a number nor text"},
		{col("SINGLE_LINE_TEXT", "", false), `[]`, "is not text"},
		{col("SINGLE_LINE_TEXT", "", false), `{}`, "is not text"},
		{col("SINGLE_LINE_TEXT", "", false), `12`, "is a number where text is expected"},
		{col("SINGLE_LINE_TEXT", "", false), "\"caf\xe9\"", "is not valid Unicode"},
		{col("SINGLE_LINE_TEXT", "", false), "\"caf\xe9\\n\"", "is not valid Unicode"},
		{col("SINGLE_LINE_TEXT", "", false), `"\udc00x"`, "is not valid Unicode"},
		{col("DATE", "", false), `true`, "is not text"},
		{col("CHECK_BOX", "", false), `[true]`, "is not a list of texts"},
		{col("CHECK_BOX", "", false), `[["a"]]`, "is not a list of texts"},
		{col("CHECK_BOX", "", false), `[null]`, "holds null"},
		{col("CHECK_BOX", "", false), "[\"caf\xe9\"]", "is not valid Unicode"},
		{col("MULTI_SELECT", "", false), `{"a":"b"}`, "is not a list of texts"},
		{col("USER_SELECT", "", false), `[{"code":null}]`, `has a "code" that is not text`},
		{col("USER_SELECT", "", false), `[{"code":"a","name":{}}]`, `has a "name" that is not text`},
		{col("USER_SELECT", "", false), `[[]]`, "is not a list of objects"},
		{col("ORGANIZATION_SELECT", "", false), `"hq"`, "is not a list of objects"},
		{col("FILE", "", false), `[{"size":3}]`, `has a "size" that is not text`},
		{col("CREATOR", "", false), `[]`, "is not an object"},
		{col("CREATOR", "", false), `{"name":"x"}`, `has no "code"`},
		{col("CREATOR", "", false), `{"code":5}`, `has a "code" that is not text`},
		{col("MODIFIER", "", false), `{"code":"sato"} x`, "is not an object"},
	}
	for _, c := range refused {
		_, err := c.c.Value(json.RawMessage(c.raw))
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Field != "f" && ve.Field != "$id" || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s %s: %v; want a ValueError that %s", c.c.FieldType, c.raw, err, c.reason)
		}
	}
	if s := ShortJSON([]byte(strings.Repeat("é", 100))); len(s) > 83 || !strings.HasSuffix(s, "…") || !utf8.ValidString(s) {
		t.Errorf("ShortJSON %q", s)
	}
}

func TestBuildWarnings(t *testing.T) {
	fields := map[string]Field{
		"a":   {Code: "a", Type: "NUMBER"},
		"new": {Code: "new", Type: "FANCY"},
		"pct": {Code: "pct", Type: "CALC", Format: "PERCENT"},
		"grp": {Code: "grp", Type: "GROUP"},
		"t":   {Code: "t", Type: "SUBTABLE", Fields: map[string]Field{"x": {Code: "x", Type: "ODD"}}},
	}
	ts, warnings := Build("Sales", 7, "", fields, Options{SubtableSeparator: "_", UseCodeForFieldName: true})
	want := []string{
		`app 7 (table Sales): field "new" has the type "FANCY", unknown to this driver version; its column is left out`,
		`app 7 (table Sales): field "pct" (CALC) has the format "PERCENT", unknown to this driver version; its values are read as text`,
		`app 7 (table Sales): field "x" has the type "ODD", unknown to this driver version; its column is left out (in table "t")`,
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings %q", warnings)
	}
	if c := ts[0].Column("pct"); c == nil || c.DeclType != TypeVarchar || ts[0].Column("new") != nil {
		t.Errorf("columns %+v", ts[0].Columns)
	}
}

// TestBuildFilledFields: the fields a lookup fills name the lookup's column, in the record and
// in a SUBTABLE; a text field with a formula is auto-calculated.
func TestBuildFilledFields(t *testing.T) {
	fields := map[string]Field{
		"cust":  {Code: "cust", Type: "SINGLE_LINE_TEXT", Label: "Customer", CopyTargets: []string{"ind", "zip"}},
		"ind":   {Code: "ind", Type: "SINGLE_LINE_TEXT", Label: "Industry"},
		"zip":   {Code: "zip", Type: "NUMBER", Label: "Zip"},
		"label": {Code: "label", Type: "SINGLE_LINE_TEXT", Label: "Label", Expression: "cust & ind"},
		"total": {Code: "total", Type: "CALC", Label: "Total", Expression: "zip * 2"},
		"items": {Code: "items", Type: "SUBTABLE", Label: "Items", Fields: map[string]Field{
			"sku":   {Code: "sku", Type: "NUMBER", Label: "SKU", CopyTargets: []string{"name"}},
			"name":  {Code: "name", Type: "SINGLE_LINE_TEXT", Label: "Name"},
			"price": {Code: "price", Type: "NUMBER", Label: "Price"},
		}},
	}
	ts, _ := Build("Sales", 7, "", fields, Options{SubtableSeparator: "_"})
	want := map[string]string{"Industry": "Customer", "Zip": "Customer", "Name": "SKU"}
	for _, tab := range ts {
		for _, c := range tab.Columns {
			if c.CopiedBy != want[c.Name] {
				t.Errorf("%s.%s: CopiedBy %q, want %q", tab.Name, c.Name, c.CopiedBy, want[c.Name])
			}
			if c.AutoCalc != (c.Name == "Label") {
				t.Errorf("%s.%s: AutoCalc %v", tab.Name, c.Name, c.AutoCalc)
			}
		}
	}
}

func TestSimpleName(t *testing.T) {
	for in, want := range map[string]string{
		"Close date": "Close_date", "顧客名": "___", "2024 sales": "_2024_sales", "a1_B2": "a1_B2", "売上(円)": "_____",
	} {
		if got := SimpleName(in); got != want {
			t.Errorf("SimpleName(%q) = %q, want %q", in, got, want)
		}
	}
}
