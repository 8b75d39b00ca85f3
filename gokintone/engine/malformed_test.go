package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The tests here feed kintone values and metadata of unexpected shapes through the simulator's
// fault rules (a 200 answer with a raw JSON body: the fixture parser would refuse them). A
// value is never silently changed: it is kept exactly or the statement that uses it fails
// naming table, field, record and value; a statement that does not use it is not affected.

// oddFields is the form of the "Odd" app (field codes are the column names).
var oddFields = map[string]kintonesim.FieldProperty{
	"num":  {Type: "NUMBER", Label: "num"},
	"calc": {Type: "CALC", Label: "calc", Expression: "num * 2", Format: "NUMBER"},
	"text": {Type: "SINGLE_LINE_TEXT", Label: "text"},
	"date": {Type: "DATE", Label: "date"},
	"time": {Type: "TIME", Label: "time"},
	"dt":   {Type: "DATETIME", Label: "dt"},
	"cb":   {Type: "CHECK_BOX", Label: "cb", Options: kintonesim.OptionList("<b>", "R&D", "a")},
	"us":   {Type: "USER_SELECT", Label: "us"},
	"file": {Type: "FILE", Label: "file"},
	"drop": {Type: "DROP_DOWN", Label: "drop", Options: kintonesim.OptionList("x", "y")},
	"lines": {Type: "SUBTABLE", Label: "lines", Fields: map[string]kintonesim.FieldProperty{
		"item":   {Type: "SINGLE_LINE_TEXT", Label: "item"},
		"amount": {Type: "NUMBER", Label: "amount"},
	}},
}

// oddFixture is an engine over the "Odd" app, columns named by field code.
type oddFixture struct{ *fixture }

func newOddFixture(t *testing.T) *oddFixture {
	t.Helper()
	f := &kintonesim.Fixture{
		Lang:  "en",
		Users: []kintonesim.User{{Code: "admin", Name: "Admin", Password: "pw"}, {Code: "sato", Name: "Sato"}},
		Apps:  []kintonesim.App{{ID: 1, Name: "Odd", Fields: oddFields}},
	}
	return &oddFixture{newFixtureWith(t, f, Options{MaxRows: -1, Schema: schema.Options{UseCodeForFieldName: true}})}
}

// oddRecord is a record as records.json sends it, every field well formed; set replaces
// values by raw JSON.
func oddRecord(id int, set map[string]string) map[string]any {
	val := map[string]string{
		"$id":              fmt.Sprintf("%q", fmt.Sprint(id)),
		"$revision":        `"1"`,
		"Record_number":    fmt.Sprintf("%q", fmt.Sprint(id)),
		"num":              `"10"`,
		"calc":             `"20"`,
		"text":             fmt.Sprintf(`"t%d"`, id),
		"date":             `"2024-01-31"`,
		"time":             `"13:30"`,
		"dt":               `"2024-01-31T05:00:00Z"`,
		"cb":               `["a"]`,
		"us":               `[{"code":"sato","name":"Sato"}]`,
		"file":             `[]`,
		"drop":             `"x"`,
		"Created_by":       `{"code":"admin","name":"Admin"}`,
		"Updated_by":       `{"code":"admin","name":"Admin"}`,
		"Created_datetime": `"2024-01-01T00:00:00Z"`,
		"Updated_datetime": `"2024-01-01T00:00:00Z"`,
		"lines":            fmt.Sprintf(`[{"id":"%d1","value":{"item":{"type":"SINGLE_LINE_TEXT","value":"pen"},"amount":{"type":"NUMBER","value":"2"}}}]`, id),
	}
	types := map[string]string{"$id": "__ID__", "$revision": "__REVISION__", "Record_number": "RECORD_NUMBER",
		"Created_by": "CREATOR", "Updated_by": "MODIFIER", "Created_datetime": "CREATED_TIME", "Updated_datetime": "UPDATED_TIME"}
	for code, p := range oddFields {
		types[code] = p.Type
	}
	for k, v := range set {
		val[k] = v
	}
	rec := map[string]any{}
	for code, raw := range val {
		if raw == "<absent>" {
			continue
		}
		if entry, ok := strings.CutPrefix(raw, "<entry>"); ok { // the field's whole JSON
			rec[code] = json.RawMessage(entry)
			continue
		}
		rec[code] = map[string]any{"type": types[code], "value": json.RawMessage(raw)}
	}
	return rec
}

// TestMalformedFieldEntries: a field that is not an object {"type", "value"} does not fail the
// page: only the statements that use it fail.
func TestMalformedFieldEntries(t *testing.T) {
	o := newOddFixture(t)
	o.serve(t, oddRecord(2, map[string]string{"num": `<entry>"5"`, "cb": `<entry>[1]`, "drop": `<entry>null`,
		"text":  `<entry>{"type":"SINGLE_LINE_TEXT","value":"a&b","extra":{"x":[1,"]"]}}`,
		"lines": `<entry>{"type":"SUBTABLE","value":[{"id":"21","value":{"item":"pen","amount":{"type":"NUMBER","value":"3"}}}]}`}),
		oddRecord(3, nil))
	rows, err := o.try(`SELECT Id, text, "drop", date FROM Odd ORDER BY Id`)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{int64(2), "a&b", nil, "2024-01-31"}, {int64(3), "t3", "x", "2024-01-31"}}) {
		t.Errorf("other columns: %v %v", rows, err)
	}
	for col, want := range map[string]string{
		"num": `record "2": field "num" (NUMBER) has the value "5", which is not a field object {"type": …, "value": …}`,
		"cb":  `record "2": field "cb" (CHECK_BOX) has the value [1], which is not a field object`,
	} {
		if _, err := o.try(`SELECT ` + col + ` FROM Odd`); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", col, err)
		}
	}
	rows, err = o.try(`SELECT Id, RecordId, amount FROM Odd_lines ORDER BY Id`)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{int64(21), int64(2), int64(3)}, {int64(31), int64(3), int64(2)}}) {
		t.Errorf("child table: %v %v", rows, err)
	}
	if _, err := o.try(`SELECT item FROM Odd_lines`); err == nil || !strings.Contains(err.Error(), `row "21" of the table field "lines": field "item" (SINGLE_LINE_TEXT) has the value "pen", which is not a field object`) {
		t.Errorf("item: %v", err)
	}
	o.serve(t, oddRecord(2, map[string]string{"lines": `<entry>["x"]`}), oddRecord(3, nil))
	if _, err := o.try(`SELECT RecordId FROM Odd_lines`); err == nil || !strings.Contains(err.Error(), `the table field "lines" has the value ["x"], which is not a field object`) {
		t.Errorf("lines: %v", err)
	}
	// A record that is not an object is refused, not read as a row of NULLs.
	body := `{"records":[null,` + mustJSON(oddRecord(3, nil)) + `]}`
	o.sim.ClearFaults()
	o.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/records.json", Times: -1, Status: 200, Body: body, ContentType: "application/json"})
	if _, err := o.try(`SELECT text FROM Odd`); err == nil || !strings.Contains(err.Error(), "a record that is not an object") {
		t.Errorf("null record: %v", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// serve makes records.json of the app answer these records, whatever the query.
func (o *oddFixture) serve(t *testing.T, recs ...map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"records": recs, "totalCount": nil})
	if err != nil {
		t.Fatal(err)
	}
	o.sim.ClearFaults()
	o.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/records.json", Times: -1, Status: 200,
		Body: string(body), ContentType: "application/json"})
}

// TestMalformedValues: for each column type, values kintone should not send. A statement
// using the column fails naming table, app, record, field and value; one that does not use
// it returns the right rows.
func TestMalformedValues(t *testing.T) {
	o := newOddFixture(t)
	cases := []struct {
		field, raw string
		column     string // SQL column that reads the field ("" = field)
		table      string // "" = Odd
		reason     string
	}{
		{field: "num", raw: `{}`, reason: "is neither a number nor text"},
		{field: "num", raw: `true`, reason: "is neither a number nor text"},
		{field: "num", raw: `["1"]`, reason: "is neither a number nor text"},
		{field: "num", raw: `[]`, reason: "is neither a number nor text"},
		{field: "calc", raw: `{"value":"1"}`, reason: "is neither a number nor text"},
		{field: "text", raw: `{"a":1}`, reason: "is not text"},
		{field: "text", raw: `42`, reason: "is a number where text is expected"},
		{field: "text", raw: `false`, reason: "is not text"},
		{field: "text", raw: `["a"]`, reason: "is not text"},
		{field: "text", raw: `"\ud800"`, reason: "is not valid Unicode"},
		{field: "date", raw: `20240131`, reason: "is a number where text is expected"},
		{field: "time", raw: `{}`, reason: "is not text"},
		{field: "dt", raw: `1706677200`, reason: "is a number where text is expected"},
		{field: "drop", raw: `["x"]`, reason: "is not text"},
		{field: "cb", raw: `"a"`, reason: "is not a list of texts"},
		{field: "cb", raw: `[1]`, reason: "is not a list of texts"},
		{field: "cb", raw: `["a",null]`, reason: "holds null"},
		{field: "cb", raw: `{}`, reason: "is not a list of texts"},
		{field: "us", raw: `["sato"]`, reason: "is not a list of objects"},
		{field: "us", raw: `[{"code":1}]`, reason: `has a "code" that is not text`},
		{field: "us", raw: `[null]`, reason: "holds null"},
		{field: "us", raw: `{"code":"sato"}`, reason: "is not a list of objects"},
		{field: "file", raw: `[{"fileKey":"k","name":"a.txt","size":123}]`, reason: `has a "size" that is not text`},
		{field: "Created_by", raw: `"admin"`, reason: "is not an object"},
		{field: "Created_by", raw: `{}`, reason: `has no "code"`},
		{field: "Updated_by", raw: `{"code":null}`, reason: `has a "code" that is not text`},
		{field: "$id", raw: `{}`, column: "Id", reason: "is neither a number nor text"},
		{field: "$revision", raw: `[7]`, column: "Revision", reason: "is neither a number nor text"},
		{field: "Record_number", raw: `true`, reason: "is neither a number nor text"},
		{field: "lines", raw: `[{"id":"1","value":{"item":{"type":"SINGLE_LINE_TEXT","value":{}},"amount":{"type":"NUMBER","value":"2"}}}]`,
			column: "item", table: "Odd_lines", reason: "is not text"},
		{field: "lines", raw: `[{"id":{},"value":{"item":{"type":"SINGLE_LINE_TEXT","value":"pen"}}}]`,
			column: "Id", table: "Odd_lines", reason: "is neither a number nor text"},
	}
	for _, c := range cases {
		t.Run(c.field+" "+c.raw, func(t *testing.T) {
			// The odd record comes first: the pager needs only the last record's $id.
			o.serve(t, oddRecord(2, map[string]string{c.field: c.raw}), oddRecord(3, nil))
			table, column := c.table, c.column
			if table == "" {
				table = "Odd"
			}
			if column == "" {
				column = c.field
			}
			// Not using the column: the right rows.
			other := "text"
			if table == "Odd_lines" {
				other = "RecordId"
				if column == "RecordId" {
					other = "amount"
				}
			}
			if column == "text" {
				other = "num"
			}
			rows, err := o.try(fmt.Sprintf(`SELECT %s FROM %s`, other, table))
			if err != nil {
				t.Fatalf("a statement not using %s failed: %v", column, err)
			}
			if len(rows) != 2 {
				t.Fatalf("rows %v", rows)
			}
			// Using it: an error naming what and where.
			for _, sql := range []string{
				fmt.Sprintf(`SELECT %s FROM %s`, quoteCol(column), table),
				fmt.Sprintf(`SELECT %s FROM %s WHERE %s IS NOT NULL`, other, table, quoteCol(column)),
				fmt.Sprintf(`SELECT count(*) FROM %s a JOIN %s b ON b.%s = a.%s WHERE b.%s IS NULL`, table, table, other, other, quoteCol(column)),
			} {
				_, err = o.try(sql)
				if err == nil {
					t.Fatalf("%s: no error", sql)
				}
				msg := err.Error()
				wantValue := schema.ShortJSON([]byte(c.raw))
				if table == "Odd_lines" {
					wantValue = "" // the row's part of the value
				}
				wantRecord := `record "2"`
				if c.field == "$id" {
					wantRecord = "record " + c.raw
				}
				for _, want := range []string{"table " + table + " (app 1)", wantRecord, c.reason, wantValue} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: %q lacks %q", sql, msg, want)
					}
				}
				if kerr.KindOf(err) != kerr.KindBadValue {
					t.Errorf("%s: kind %s, want %s: %v", sql, kerr.KindOf(err), kerr.KindBadValue, err)
				}
			}
		})
	}
}

func quoteCol(c string) string { return `"` + c + `"` }

// TestMalformedSubtable: a SUBTABLE value that is not a list of rows fails the scans of its
// child table only.
func TestMalformedSubtable(t *testing.T) {
	o := newOddFixture(t)
	for _, raw := range []string{`{}`, `"x"`, `[null]`, `[{"id":"1"}]`, `[{"id":"1","value":null}]`} {
		o.serve(t, oddRecord(2, map[string]string{"lines": raw}), oddRecord(3, nil))
		if rows, err := o.try(`SELECT Id, text, num FROM Odd`); err != nil || len(rows) != 2 {
			t.Errorf("%s: main table: %v %v", raw, rows, err)
		}
		_, err := o.try(`SELECT RecordId FROM Odd_lines`)
		if err == nil || !strings.Contains(err.Error(), `table Odd_lines (app 1), record "2": the table field "lines" has the value `+raw) {
			t.Errorf("%s: child table: %v", raw, err)
		}
	}
}

// TestOddValuesKept: unexpected but representable values come back unchanged (or as the same
// number or instant), never as another value.
func TestOddValuesKept(t *testing.T) {
	o := newOddFixture(t)
	cases := []struct {
		field, raw string
		want       any
	}{
		{"num", `" 42 "`, " 42 "},
		{"num", `"0x1F"`, "0x1F"},
		{"num", `"0x1p4"`, "0x1p4"},
		{"num", `"NaN"`, "NaN"},
		{"num", `"Infinity"`, "Infinity"},
		{"num", `"1e400"`, "1e400"},
		{"num", `"1e-400"`, "1e-400"},
		{"num", `"1,234"`, "1,234"},
		{"num", `42`, int64(42)},
		{"num", `-1.50`, -1.5},
		{"num", `"+5"`, int64(5)},
		{"calc", `"1:30"`, "1:30"},
		{"Record_number", `"A-7"`, "A-7"},
		{"Record_number", `"007"`, "007"},
		{"Record_number", `"+7"`, "+7"},
		{"time", `"ab:cd"`, "ab:cd"},
		{"time", `"13:30"`, "13:30:00"},
		{"dt", `"2024-01-31T05:00:00.5Z"`, "2024-01-31T05:00:00.5Z"},
		{"dt", `"2024-01-31T14:00:00+09:00"`, "2024-01-31T05:00:00Z"},
		{"dt", `"2024/01/31 05:00"`, "2024/01/31 05:00"},
		{"date", `"31.01.2024"`, "31.01.2024"},
		{"text", `"a\u0026b \"q\""`, `a&b "q"`},
		{"text", `"\ufffd"`, "\uFFFD"},
		{"cb", `["<b>","R&D"]`, `["<b>","R&D"]`},
		{"cb", `[ "a" , "b\"c" ]`, `["a","b\"c"]`},
		{"us", `[{"code":"sato"}]`, `[{"code":"sato"}]`},
		{"us", `[{}]`, `[{}]`},
		{"us", `[{"name":"Sato","code":"sato","type":"USER"}]`, `[{"code":"sato","name":"Sato"}]`},
		{"file", `[{"contentType":"text/plain","fileKey":"k","name":"a&b.txt","size":"3"}]`,
			`[{"contentType":"text/plain","fileKey":"k","name":"a&b.txt","size":"3"}]`},
		{"Created_by", `{"code":"","name":""}`, nil},
		{"Created_by", `{"code":"sato"}`, "sato"},
		{"text", `""`, nil},
		{"text", `null`, nil},
		{"text", `<absent>`, nil},
	}
	for _, c := range cases {
		o.serve(t, oddRecord(2, map[string]string{c.field: c.raw}), oddRecord(3, nil))
		rows, err := o.try(fmt.Sprintf(`SELECT %s FROM Odd ORDER BY Id`, quoteCol(c.field)))
		if err != nil {
			t.Errorf("%s %s: %v", c.field, c.raw, err)
			continue
		}
		if len(rows) != 2 || !reflect.DeepEqual(rows[0][0], c.want) {
			t.Errorf("%s %s: got %#v, want %#v", c.field, c.raw, rows, c.want)
		}
	}
}

// TestOddIDs: ids that are not decimal integers are kept as text, never made 0; a statement
// that needs them as row ids fails naming them.
func TestOddIDs(t *testing.T) {
	o := newOddFixture(t)
	o.serve(t,
		oddRecord(2, map[string]string{"$id": `"0x10"`, "lines": `[{"id":"r-1","value":{"item":{"type":"SINGLE_LINE_TEXT","value":"pen"}}},{"value":{"item":{"type":"SINGLE_LINE_TEXT","value":"ink"}}},{"id":" 5","value":{}}]`}),
		oddRecord(3, nil))
	rows, err := o.try(`SELECT Id, text FROM Odd`)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{"0x10", "t2"}, {int64(3), "t3"}}) {
		t.Errorf("main ids: %v %v", rows, err)
	}
	rows, err = o.try(`SELECT Id, RecordId, item FROM Odd_lines`)
	want := [][]any{{"r-1", "0x10", "pen"}, {nil, "0x10", "ink"}, {" 5", "0x10", nil}, {int64(31), int64(3), "pen"}}
	if err != nil || !reflect.DeepEqual(rows, want) {
		t.Errorf("child ids: %v %v", rows, err)
	}
	// rowid reads xRowid.
	if _, err := o.try(`SELECT rowid FROM Odd`); err == nil || !strings.Contains(err.Error(), `table Odd (app 1), record "0x10": field "$id" has the value "0x10", which is not an integer`) {
		t.Errorf("rowid of a text $id: %v", err)
	}
	if _, err := o.try(`SELECT rowid FROM Odd_lines`); err == nil || !strings.Contains(err.Error(), `row "r-1" of the table field "lines": field "id" has the value "r-1", which is not an integer`) {
		t.Errorf("rowid of a text row id: %v", err)
	}
	if rows, err := o.try(`SELECT rowid, Id FROM Odd WHERE Id = 3`); err != nil || !reflect.DeepEqual(rows, [][]any{{int64(3), int64(3)}}) {
		t.Errorf("rowid of an integer id: %v %v", rows, err)
	}
	// With a COLLATE in the statement the driver compares ids as numbers only: a text id
	// (which '0X10' COLLATE NOCASE would equal) fails the statement rather than be missed.
	if _, err := o.try(`SELECT Id FROM Odd WHERE Id = '0X10' COLLATE NOCASE`); err == nil || !strings.Contains(err.Error(), `record "0x10": field "$id" has the value "0x10", which is not a number; in a statement with COLLATE`) {
		t.Errorf("a text $id under COLLATE: %v", err)
	}
	if rows, err := o.try(`SELECT Id FROM Odd WHERE Id IS NOT NULL AND text = 'T3' COLLATE NOCASE`); err != nil || !reflect.DeepEqual(rows, [][]any{{int64(3)}}) {
		t.Errorf("IS NOT NULL under COLLATE: %v %v", rows, err)
	}
}

// TestLongValueShortened: the value in a message is cut, at a character boundary.
func TestLongValueShortened(t *testing.T) {
	o := newOddFixture(t)
	long := `{"x":"` + strings.Repeat("あ", 200) + `"}`
	o.serve(t, oddRecord(2, map[string]string{"text": long}), oddRecord(3, nil))
	_, err := o.try(`SELECT text FROM Odd`)
	if err == nil || !strings.Contains(err.Error(), "…") || len(err.Error()) > 400 || !strings.Contains(err.Error(), `{"x":"あ`) {
		t.Errorf("%v", err)
	}
}

// TestConvertOnce: rows convert a value on first use and keep it (also in the statement's
// cache); unused columns are never converted.
func TestConvertOnce(t *testing.T) {
	tab := &schema.Table{Name: "T", AppID: 1, Columns: []schema.Column{
		{Name: "Id", FieldCode: "$id", FieldType: "__ID__", DeclType: schema.TypeInteger},
		{Name: "n", FieldCode: "n", FieldType: "NUMBER", DeclType: schema.TypeDecimal},
		{Name: "bad", FieldCode: "bad", FieldType: "NUMBER", DeclType: schema.TypeDecimal},
	}}
	recs := []kclient.Record{{
		"$id": {Type: "__ID__", Value: json.RawMessage(`"1"`)},
		"n":   {Type: "NUMBER", Value: json.RawMessage(`"2.5"`)},
		"bad": {Type: "NUMBER", Value: json.RawMessage(`{}`)},
	}}
	rows, err := recordRows(tab, recs)
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	r := &rows[0]
	for _, v := range r.vals {
		if v != nil {
			t.Fatalf("converted before use: %v", r.vals)
		}
	}
	if v, err := r.value(tab, 1); err != nil || v != 2.5 {
		t.Fatal(v, err)
	}
	recs[0]["n"] = kclient.FieldValue{Value: json.RawMessage(`"9"`)} // not read again
	if v, err := r.value(tab, 1); err != nil || v != 2.5 {
		t.Errorf("converted twice: %v %v", v, err)
	}
	if id, err := r.rowid(tab); err != nil || id != 1 {
		t.Errorf("rowid %v %v", id, err)
	}
	if r.vals[2] != nil {
		t.Error("unused column converted")
	}
	if _, err := r.value(tab, 2); err == nil {
		t.Error("bad value accepted")
	}
}

// TestMalformedMetadata: unknown field types, field properties and app list entries in
// unexpected shapes are warnings; the connection and its queries go on.
func TestMalformedMetadata(t *testing.T) {
	o := newOddFixture(t)
	ctx := context.Background()
	o.serve(t, oddRecord(2, map[string]string{"calc2": `"12%"`}), oddRecord(3, nil)) // first: it clears the rules
	// The app list: an entry with createdAt in another format, one without a usable appId,
	// one that is not an object.
	o.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/apps.json", Times: -1, Status: 200, ContentType: "application/json",
		Body: `{"apps":[{"appId":"1","code":"","name":"Odd","description":"","spaceId":null,"threadId":null,"createdAt":"2024/01/31 05:00","creator":{"code":"admin","name":"Admin"},"modifiedAt":"2024-01-31T05:00:00.000Z","modifier":"admin"},
			{"appId":"x7","name":"Broken"},"junk"]}`})
	// The form: an unknown field type, a CALC format unknown, a property whose options are a
	// list, a property that is not an object, one whose code differs from its key.
	var form struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	form.Properties = map[string]json.RawMessage{}
	for code, p := range oddFields {
		if p.Type != "SUBTABLE" {
			form.Properties[code] = json.RawMessage(fmt.Sprintf(`{"type":%q,"code":%q,"label":%q,"format":%q}`, p.Type, code, p.Label, p.Format))
		}
	}
	form.Properties["mystery"] = json.RawMessage(`{"type":"HOLOGRAM","code":"mystery","label":"Mystery"}`)
	form.Properties["calc2"] = json.RawMessage(`{"type":"CALC","code":"calc2","label":"calc2","format":"PERCENT"}`)
	form.Properties["drop"] = json.RawMessage(`{"type":"DROP_DOWN","code":"drop","label":"drop","options":["x","y"]}`)
	form.Properties["junk"] = json.RawMessage(`"junk"`)
	form.Properties["text"] = json.RawMessage(`{"type":"SINGLE_LINE_TEXT","code":"TEXT","label":"text"}`)
	body, _ := json.Marshal(form)
	o.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/app/form/fields.json", Times: -1, Status: 200, ContentType: "application/json", Body: string(body)})
	if _, _, err := o.eng.Tables(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := o.try(`SELECT Id, text, "drop", calc2 FROM Odd ORDER BY Id`)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{int64(2), "t2", "x", "12%"}, {int64(3), "t3", "x", nil}}) {
		t.Errorf("query: %v %v", rows, err)
	}
	if _, err := o.try(`SELECT mystery FROM Odd`); err == nil || !strings.Contains(err.Error(), "no such column") {
		t.Errorf("unknown type: %v", err)
	}
	got := strings.Join(o.eng.Warnings(), "\n")
	for _, want := range []string{
		`kintone's app list: app 1 ("Odd"): createdAt has the value "2024/01/31 05:00"`,
		`kintone's app list: app 1 ("Odd"): modifier has the value "admin"`,
		`kintone's app list: an entry is left out (name "Broken"): appId has the value "x7", which is not an integer`,
		`kintone's app list: an entry is left out (name ""): the entry is not an object: "junk"`,
		`app 1 (table Odd): field "mystery" has the type "HOLOGRAM", unknown to this driver version; its column is left out`,
		`app 1 (table Odd): field "calc2" (CALC) has the format "PERCENT", unknown to this driver version; its values are read as text`,
		`app 1 (table Odd): field "drop": options has the value ["x","y"]; ignored`,
		`app 1 (table Odd): field "junk": the property is not an object: "junk"; the field is left out`,
		`app 1 (table Odd): the property of field "text" says its code is "TEXT"; "text" is used`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
	if w := o.eng.Warnings(); len(w) != 0 {
		t.Errorf("warnings not drained: %q", w)
	}
	// Given once per connection.
	if _, err := o.try(`SELECT * FROM sys_tablecolumns`); err != nil {
		t.Fatal(err)
	}
	if w := o.eng.Warnings(); len(w) != 0 {
		t.Errorf("warnings repeated: %q", w)
	}
}
