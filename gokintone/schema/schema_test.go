package schema

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestValues(t *testing.T) {
	col := func(typ, format string) *Column {
		c, ok := columnFor(Field{Code: "f", Type: typ, Format: format}, "", Options{})
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
	ts := Build("Sales", 7, "", fields, Options{SubtableSeparator: "_"})
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
