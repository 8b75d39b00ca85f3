package bridge

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeColumnsKeepsStorageClasses(t *testing.T) {
	var b strings.Builder
	rows := [][]any{
		{nil, int64(-3), 3.0, "日本\x00\"\\\n\u2028\x7f", []byte{0, 255}, true},
		{nil, int64(4), math.Copysign(0, -1), "", []byte{}, false},
		{nil, nil, 1e300, nil, nil, nil},
		{nil, nil, math.NaN(), "x", nil, nil},
		{nil, nil, math.Inf(-1), "y", nil, nil},
	}
	if err := encodeColumns(&b, rows, 6); err != nil {
		t.Fatal(err)
	}
	want := `"columns":[[null,null,null,null,null],[-3,4,null,null,null],[3.0,-0.0,1e+300,NaN,-Infinity],` +
		`["日本\u0000\"\\\n` + "\u2028\x7f" + `","",null,"x","y"],[{"b64":"AP8="},{"b64":""},null,null,null],[1,0,null,null,null]],` +
		`"shapes":["null","int","number","text","","int"]`
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
	b.Reset()
	if err := encodeColumns(&b, nil, 2); err != nil || b.String() != `"columns":[[],[]],"shapes":["null","null"]` {
		t.Errorf("no rows: %s %v", b.String(), err)
	}
	b.Reset()
	if err := encodeColumns(&b, [][]any{{"\xff"}}, 1); classOf(err) != DataError {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

// TestJSONStringsAreJSON: text is written as encoding/json reads it back, whatever it holds.
func TestJSONStringsAreJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "\"quoted\" \\ back", "\x00\x01\x1f\t\r\n", "日本語 \u2028\u2029 <&>", "\U0001F600"} {
		var b strings.Builder
		if err := writeJSONString(&b, s); err != nil {
			t.Fatal(err)
		}
		var back string
		if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back != s {
			t.Errorf("%q: wrote %s, read %q (%v)", s, b.String(), back, err)
		}
	}
}

// TestShapes: a column's shape is the one form every non-NULL value of the batch has, and a
// date, time or date-time shape only for text naming a real one that Python's datetime holds.
func TestShapes(t *testing.T) {
	cases := []struct {
		values []any
		shape  string
	}{
		{nil, shapeNull},
		{[]any{nil, nil}, shapeNull},
		{[]any{int64(1), nil, true}, shapeInt},
		{[]any{int64(1), 2.5}, shapeNumber},
		{[]any{0.5, int64(1)}, shapeNumber},
		{[]any{int64(1), "1"}, shapeMixed},
		{[]any{[]byte("a")}, shapeMixed},
		{[]any{"a", []byte("a")}, shapeMixed},
		{[]any{"2024-02-29", nil, "0001-01-01", "9999-12-31"}, shapeDate},
		{[]any{"2024-01-01", "2024-01-01T00:00:00Z"}, shapeText},
		{[]any{"2024-01-01", "x"}, shapeText},
		{[]any{"00:00:00", "23:59:59"}, shapeTime},
		{[]any{"2024-01-01T00:00:00Z", "2000-02-29T23:59:59Z"}, shapeDatetime},
		{[]any{"2024-01-01T00:00:00Z", "12:00:00"}, shapeText},
		{[]any{"2024-01-01T00:00:00Z", int64(1)}, shapeMixed},
	}
	for _, c := range cases {
		rows := make([][]any, len(c.values))
		for i, v := range c.values {
			rows[i] = []any{v}
		}
		var b strings.Builder
		if err := encodeColumns(&b, rows, 1); err != nil {
			t.Fatal(err)
		}
		if got := b.String()[strings.Index(b.String(), `"shapes":["`)+11:]; got != c.shape+`"]` {
			t.Errorf("%q: shape %s, want %q", c.values, got, c.shape)
		}
	}
	for _, text := range []string{"2023-02-29", "1900-02-29", "0000-01-01", "2024-13-01", "2024-00-10", "2024-04-31",
		"2024-1-01", "２０２４-01-01", "2024/01/01", "24:00:00", "12:60:00", "12:00:60", "12:00", "1:00:00",
		"12:00:00.5", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00+09:00",
		"2024-01-01T24:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T00:00:00z", "+024-01-01", "-024-01-01"} {
		if got := textShape(text); got != shapeText {
			t.Errorf("%q: shape %q, want text", text, got)
		}
	}
}

func TestDecodeParams(t *testing.T) {
	got, err := decodeParams(`[["null",null],["int","9223372036854775807"],["float","-0.5"],["float","nan"],["text","a\u0000b"],["blob","AP8="],["blob",""]]`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 || got[0] != nil || got[1] != int64(math.MaxInt64) || got[2] != -0.5 ||
		!math.IsNaN(got[3].(float64)) || got[4] != "a\x00b" || !reflect.DeepEqual(got[5], []byte{0, 255}) ||
		!reflect.DeepEqual(got[6], []byte{}) {
		t.Errorf("decoded %#v", got)
	}
	for _, bad := range []string{`[["int","9223372036854775808"]]`, `[["what","x"]]`, `{`, `[["blob","!!"]]`} {
		if _, err := decodeParams(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestDecodeParamRows: rows sent column by column decode to the values the same rows sent row
// by row do, NULLs and each column kind included; malformed columns are refused.
func TestDecodeParamRows(t *testing.T) {
	byRow, err := decodeParamRows(`[[["text","a"],["int","1"],["float","0.5"],["blob","AP8="]],` +
		`[["null",null],["null",null],["float","-inf"],["int","7"]],[["text","日本"],["int","-9223372036854775808"],["null",null],["text",""]]]`)
	if err != nil {
		t.Fatal(err)
	}
	byColumn, err := decodeParamRows(`{"n":3,"columns":[["text","a\u0000\u0000日本",[1]],["int","1,,-9223372036854775808",[1]],` +
		`["float","0.5,-inf,",[2]],["tagged",[["blob","AP8="],["int","7"],["text",""]]]]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(byRow, byColumn) {
		t.Errorf("row by row %#v, column by column %#v", byRow, byColumn)
	}
	for _, bad := range []string{
		`{"n":2,"columns":[["text","a",[]]]}`,                  // one value for two rows
		`{"n":1,"columns":[["int","9223372036854775808",[]]]}`, // out of range
		`{"n":1,"columns":[["int","1",[5]]]}`,                  // a NULL row that does not exist
		`{"n":1,"columns":[["what","1",[]]]}`,
		`{"n":1,"columns":[["tagged",[]]]}`,
		`{"n":1,"columns":[["text"]]}`,
		`{"n":-1,"columns":[]}`,
		`{"n":1,"columns":[]}`,
		`{"n":1000000000000,"columns":[["text","",[]]]}`,
	} {
		if _, err := decodeParamRows(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// FuzzDecodeParamRows: whatever the text, decoding parameter rows returns rows of one width
// or an error, and never panics or allocates more than the text describes.
func FuzzDecodeParamRows(f *testing.F) {
	f.Add(`{"n":2,"columns":[["text","a\u0000b",[]],["int","1,",[1]],["tagged",[["null",null],["blob","AA=="]]]]}`)
	f.Add(`[[["int","1"]],[["text","x"],["null",null]]]`)
	f.Add(`{"n":1,"columns":[["float","nan",[]]]}`)
	f.Fuzz(func(t *testing.T, text string) {
		rows, err := decodeParamRows(text)
		if err != nil || !strings.HasPrefix(text, "{") {
			return
		}
		for _, r := range rows {
			if len(r) != len(rows[0]) {
				t.Fatalf("rows of widths %d and %d", len(rows[0]), len(r))
			}
		}
	})
}

// TestConnectErrors goes through the whole core: the connection string, the client and the
// simulator, and checks classes, codes and that no secret is shown.
func TestConnectErrors(t *testing.T) {
	_, info := startSampleSim(t)
	cases := []struct {
		conn  string
		class Class
		code  string
		text  string
	}{
		{"Url=" + info.URL + ";User=" + info.User + ";Password=wrong-secret-1", OperationalError, "CB_WA01", "Password authentication failed"},
		{"Url=" + info.URL + ";APIToken=bad-token-2;AppId=2", OperationalError, "GAIA_IA02", "API token"},
		{"Url=" + info.URL + ";User=" + info.User + ";Pasword=x", InterfaceError, "", `did you mean "Password"`},
		{"Url=" + info.URL + ";User=a;Password=b;Offline=true", NotSupportedError, "", "Offline"},
		{"Url=" + info.URL + ";User=a;Password=b;Schema=USER", OperationalError, "CB_WA01", "GET /v1/users.json"},
		{"Url=" + info.URL + ";APIToken=sim-deals-full;AppId=2;Schema=USER", InterfaceError, "", "password authentication only"},
	}
	for _, c := range cases {
		_, err := connectWait(c.conn)
		if err == nil {
			t.Errorf("%s: no error", c.conn)
			continue
		}
		class, code, _ := classify(err)
		if class != c.class || code != c.code || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: got %v (%s %s), want %s %s containing %q", c.conn, err, class, code, c.class, c.code, c.text)
		}
		for _, secret := range []string{"wrong-secret-1", "bad-token-2"} {
			if strings.Contains(Wire(err), secret) {
				t.Errorf("%s: the error shows a secret: %v", c.conn, err)
			}
		}
	}
	c, err := connectWait("Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer ConnClose(c)
	ci, _ := ConnInfo(c)
	if strings.Contains(ci, info.Password) {
		t.Errorf("ConnInfo shows the password: %s", ci)
	}
	s, err := executeWait(c, "SELECT Id FROM Deals WHERE Id <= ? ORDER BY Id", `[["int","3"]]`)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := StmtFetch(s, 2, -1)
	if err != nil || rows != `{"rows":2,"columns":[[1,2]],"shapes":["int"],"done":false,"ready":true,"events":0}` {
		t.Errorf("fetch: %s %v", rows, err)
	}
	rows, _ = StmtFetch(s, 5, -1)
	if rows != `{"rows":1,"columns":[[3]],"shapes":["int"],"done":true,"ready":true,"events":0}` {
		t.Errorf("fetch: %s", rows)
	}
	if err := ConnClose(c); err != nil {
		t.Fatal(err)
	}
	if _, err := StmtFetch(s, 1, -1); classOf(err) != InterfaceError {
		t.Errorf("fetch after close: %v", err)
	}
}

// TestConnWarnings: the warnings of a connection are drained by ConnDrain, once.
func TestConnWarnings(t *testing.T) {
	h, info := startSampleSim(t)
	c, err := connectWait("Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer ConnClose(c)
	const none = `{"warnings":[],"logs":[]}`
	if d, err := ConnDrain(c, ""); err != nil || d != none {
		t.Errorf("no warnings: %s %v", d, err)
	}
	body := `{"properties":{"deal_name":{"type":"SINGLE_LINE_TEXT","code":"deal_name","label":"Deal name"},"x":{"type":"SPARKLE","code":"x","label":"X"}},"revision":"1"}`
	rule, _ := json.Marshal(map[string]any{"path": "/k/v1/app/form/fields.json", "times": -1, "status": 200,
		"body": body, "contentType": "application/json"})
	if err := SimAddFault(h, string(rule)); err != nil {
		t.Fatal(err)
	}
	r, err := parseExec(Execute(c, "SELECT [Deal name] FROM Deals WHERE Id = 1", "[]", -1))
	if err != nil || r.Events != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	StmtClose(r.Stmt)
	d, err := ConnDrain(c, "")
	var ev struct{ Warnings []string }
	if err != nil || json.Unmarshal([]byte(d), &ev) != nil || len(ev.Warnings) != 1 ||
		!strings.Contains(ev.Warnings[0], `field "x" has the type "SPARKLE", unknown to this driver version`) {
		t.Errorf("warnings: %s %v", d, err)
	}
	if d, err := ConnDrain(c, ""); err != nil || d != none {
		t.Errorf("not drained: %s %v", d, err)
	}
	ConnClose(c)
	if _, err := ConnDrain(c, ""); err == nil {
		t.Error("a closed connection has no warnings")
	}
}

type simInfo struct{ URL, User, Password string }

// startSampleSim starts a simulator with a small sample dataset for the test and returns its
// handle, where it listens and how to log in.
func startSampleSim(t *testing.T) (int64, simInfo) {
	t.Helper()
	return startSim(t, 10)
}

// startSim starts a simulator with the sample dataset of orders records in the Orders app.
func startSim(t *testing.T, orders int) (int64, simInfo) {
	t.Helper()
	h, err := SimStart("", fmt.Sprintf(`{"orderRecords": %d}`, orders))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SimStop(h) })
	infoJSON, _ := SimInfo(h)
	var info simInfo
	if err := json.Unmarshal([]byte(infoJSON), &info); err != nil {
		t.Fatal(err)
	}
	return h, info
}

// TestSchemaProperties: the schema properties of the reference product connect, and those that
// shape the tables reach the engine.
func TestSchemaProperties(t *testing.T) {
	_, info := startSampleSim(t)
	c, err := connectWait("Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password +
		";Schema=REST;AllowSpecialCharacters=true;UseUnitForNumericField=true;Other='a=1;b=2';Views=apps;" +
		"BrowsableSchemas=Kintone;Location=/nonexistent;UseSimpleNames=true;CheckForSubtablesIn=*;Tables='_____Orders'")
	if err != nil {
		t.Fatal(err)
	}
	defer ConnClose(c)
	s, err := executeWait(c, "SELECT TableName FROM sys_tables ORDER BY TableName", "[]")
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := StmtFetch(s, 10, -1); err != nil || rows != `{"rows":3,"columns":[["Apps","_____Orders","_____Orders___"]],"shapes":["text"],"done":true,"ready":true,"events":0}` {
		t.Errorf("sys_tables: %s %v", rows, err)
	}
}

// BenchmarkDecodeParamRows decodes 10,000 parameter rows of the write benchmark's five columns
// (name, stage, amount, probability, date) sent row by row, and column by column as Python
// sends them (text, text, int, int, text), also with the dates as a tagged column.
func BenchmarkDecodeParamRows(b *testing.B) {
	var rows, names, stages, amounts, probs, dates, plainDates []string
	for i := 0; i < 10000; i++ {
		name, amount, prob, date := fmt.Sprintf("Benchmark #%d", i), fmt.Sprint(1000*(i%500)), fmt.Sprint(i%101), fmt.Sprintf("2025-01-%02d", 1+i%28)
		rows = append(rows, fmt.Sprintf(`[["text",%s],["text","Lead"],["int","%s"],["int","%s"],["text","%s"]]`, jsonText(name), amount, prob, date))
		names, stages, amounts, probs = append(names, name), append(stages, "Lead"), append(amounts, amount), append(probs, prob)
		dates, plainDates = append(dates, `["text","`+date+`"]`), append(plainDates, date)
	}
	forms := map[string]string{
		"rows": "[" + strings.Join(rows, ",") + "]",
		"columns": fmt.Sprintf(`{"n":10000,"columns":[["text",%s,[]],["text",%s,[]],["int",%s,[]],["int",%s,[]],["text",%s,[]]]}`,
			jsonText(strings.Join(names, "\x00")), jsonText(strings.Join(stages, "\x00")),
			jsonText(strings.Join(amounts, ",")), jsonText(strings.Join(probs, ",")), jsonText(strings.Join(plainDates, "\x00"))),
		"columns, one tagged": fmt.Sprintf(`{"n":10000,"columns":[["text",%s,[]],["text",%s,[]],["int",%s,[]],["int",%s,[]],["tagged",[%s]]]}`,
			jsonText(strings.Join(names, "\x00")), jsonText(strings.Join(stages, "\x00")),
			jsonText(strings.Join(amounts, ",")), jsonText(strings.Join(probs, ",")), strings.Join(dates, ",")),
	}
	want, err := decodeParamRows(forms["rows"])
	if err != nil {
		b.Fatal(err)
	}
	for _, form := range []string{"columns", "columns, one tagged"} {
		if got, err := decodeParamRows(forms[form]); err != nil || !reflect.DeepEqual(got, want) {
			b.Fatalf("%s: the forms differ (%v)", form, err)
		}
	}
	for _, form := range []string{"rows", "columns", "columns, one tagged"} {
		b.Run(form, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := decodeParamRows(forms[form]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
