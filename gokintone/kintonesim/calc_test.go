package kintonesim_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// calcCase is a formula and what kintone computes for it in each record of calcRecords (by the
// record's label; records not listed are not checked). text makes it an auto-calculated
// SINGLE_LINE_TEXT field instead of a CALC; format is the CALC's format (default NUMBER).
type calcCase struct {
	expr   string
	text   bool
	format string
	want   map[string]string
}

// calcRecords are the records every formula is computed for.
var calcRecords = map[string]map[string]any{
	"none":     {},
	"empty":    {"n": cell(""), "d": cell(""), "items": cell([]any{row(map[string]any{"qty": cell("")})})},
	"n5":       {"n": cell("5"), "items": cell([]any{row(map[string]any{"qty": cell("1")})})},
	"big":      {"n": cell("999999999999.9999"), "m": cell("1")},
	"digits12": {"n": cell("999999999999"), "m": cell("0.00025")},
	"small":    {"n": cell("1.5")},
	"ab":       {"a": cell("10"), "b": cell("3")},
	"div0":     {"a": cell("10"), "b": cell("0")},
	"a5":       {"a": cell("5")},
	"a15":      {"a": cell("15")},
	"a200":     {"a": cell("200")},
	"pi":       {"n": cell("3.14159")},
	"rows":     {"items": cell([]any{row(map[string]any{"qty": cell("10")}), row(map[string]any{"qty": cell("20")}), row(map[string]any{"qty": cell("")})})},
	"dates":    {"d": cell("2026-04-25"), "dt": cell("2026-04-25T10:00:00Z"), "n": cell("90061")},
	"xy":       {"tags": cell([]any{"x", "y"})},
	"y":        {"tags": cell([]any{"y"})},
	"1000":     {"a": cell("1000")},
	"a30b20":   {"a": cell("30"), "b": cell("20")},
	"a10b20":   {"a": cell("10"), "b": cell("20")},
}

func cell(v any) map[string]any { return map[string]any{"value": v} }
func row(cells map[string]any) any {
	return map[string]any{"value": cells}
}

// calcApp is an app with the fields calcRecords fill and one formula field per case.
func calcApp(id int64, cases map[string]calcCase, precision *kintonesim.NumberPrecision) kintonesim.App {
	fields := map[string]kintonesim.FieldProperty{
		"label": {Type: "SINGLE_LINE_TEXT"}, "n": {Type: "NUMBER"}, "m": {Type: "NUMBER"},
		"a": {Type: "NUMBER"}, "b": {Type: "NUMBER"}, "d": {Type: "DATE"}, "dt": {Type: "DATETIME"},
		"tags":  {Type: "CHECK_BOX", Options: kintonesim.OptionList("x", "y")},
		"items": {Type: "SUBTABLE", Fields: map[string]kintonesim.FieldProperty{"qty": {Type: "NUMBER"}}},
	}
	for code, c := range cases {
		if c.text {
			fields[code] = kintonesim.FieldProperty{Type: "SINGLE_LINE_TEXT", Expression: c.expr}
			continue
		}
		format := c.format
		if format == "" {
			format = "NUMBER"
		}
		fields[code] = kintonesim.FieldProperty{Type: "CALC", Expression: c.expr, Format: format}
	}
	return kintonesim.App{ID: id, Name: fmt.Sprint("calc ", id), Fields: fields, NumberPrecision: precision}
}

// TestFormulas computes formulas as kintone does (BEHAVIOUR.md, Formulas): each case is a
// recorded formula and its recorded values, written on POST and read back.
func TestFormulas(t *testing.T) {
	apps := []struct {
		precision *kintonesim.NumberPrecision
		cases     map[string]calcCase
	}{
		{nil, map[string]calcCase{ // the default precision: 16 digits, 4 decimal places, HALF_EVEN
			// An unfilled field passed on is "", counts as 0 in arithmetic, comparisons and SUM.
			"ref_n":      {expr: "n", want: map[string]string{"none": "", "empty": "", "n5": "5", "big": "999999999999.9999"}},
			"paren_n":    {expr: "(n)", want: map[string]string{"none": "", "n5": "5"}},
			"neg_n":      {expr: "-n", want: map[string]string{"none": "0", "n5": "-5"}},
			"n_plus_1":   {expr: "n + 1", want: map[string]string{"none": "1", "empty": "1", "n5": "6"}},
			"sum_n":      {expr: "SUM(n)", want: map[string]string{"none": "0", "n5": "5"}},
			"n_eq_0":     {expr: "n = 0", want: map[string]string{"none": "1", "n5": "0"}},
			"if_cmp":     {expr: "IF(n > 0, 1, 2)", want: map[string]string{"none": "2", "n5": "1"}},
			"if_branch":  {expr: "IF(1 > 0, n, 2)", want: map[string]string{"none": "", "n5": "5"}},
			"ref_ref_n":  {expr: "ref_n", want: map[string]string{"none": "", "n5": "5", "big": "999999999999.9999"}},
			"ref_ref_n1": {expr: "ref_n + 1", want: map[string]string{"none": "1", "n5": "6"}},
			"ref_d":      {expr: "d", want: map[string]string{"none": "", "empty": ""}},
			"d_plus":     {expr: "d + 86400", want: map[string]string{"none": "86400", "empty": "86400"}},
			// SUM of a table without rows fails; an empty cell is 0.
			"sum_qty":   {expr: "SUM(qty)", want: map[string]string{"none": "", "empty": "0", "n5": "1", "rows": "30"}},
			"sum_qty_1": {expr: "SUM(qty) + 1", want: map[string]string{"none": "", "empty": "1", "n5": "2"}},
			// Literals and intermediate values are rounded to 4 places; over 12 integer digits fails.
			"third":     {expr: "1 / 3", want: map[string]string{"none": "0.3333"}},
			"third_x3":  {expr: "1 / 3 * 3", want: map[string]string{"none": "0.9999"}},
			"literal":   {expr: "0.00015 * 10000", want: map[string]string{"none": "2"}},
			"literal2":  {expr: "0.00025 * 1", want: map[string]string{"none": "0.0002"}},
			"overflow":  {expr: "999999999999 + 1", want: map[string]string{"none": ""}},
			"n_plus_1b": {expr: "n + 1", want: map[string]string{"big": "", "digits12": ""}},
			"mid_over":  {expr: "n * 10 / 10", want: map[string]string{"n5": "5", "digits12": ""}},
			"n_plus_m":  {expr: "n + m", want: map[string]string{"digits12": "999999999999.0002"}},
			"keep_16":   {expr: "n + 0", want: map[string]string{"big": "999999999999.9999"}},
			// Arithmetic.
			"add":     {expr: "a + b", want: map[string]string{"ab": "13", "a5": "5"}},
			"sub":     {expr: "a - b", want: map[string]string{"ab": "7"}},
			"mul":     {expr: "a * b", want: map[string]string{"ab": "30"}},
			"div":     {expr: "a / b", want: map[string]string{"ab": "3.3333", "div0": ""}},
			"pow":     {expr: "a ^ b", want: map[string]string{"ab": "1000"}},
			"pow_neg": {expr: "4 ^ -2", want: map[string]string{"none": "0.0625"}},
			"pow_fr":  {expr: "4 ^ 1.5", want: map[string]string{"none": "4"}},
			"pow_big": {expr: "2 ^ 101", want: map[string]string{"none": ""}},
			"tenth":   {expr: "7 * 0.1", want: map[string]string{"none": "0.7"}},
			// Functions.
			"round":      {expr: "ROUND(-2.5, 0)", want: map[string]string{"none": "-3"}},
			"round2":     {expr: "ROUND(1.25, 1)", want: map[string]string{"none": "1.3"}},
			"roundup":    {expr: "ROUNDUP(-1.21, 1)", want: map[string]string{"none": "-1.3"}},
			"rounddown":  {expr: "ROUNDDOWN(-1.29, 1)", want: map[string]string{"none": "-1.2"}},
			"round_n":    {expr: "ROUND(n, 2)", want: map[string]string{"pi": "3.14"}},
			"roundup_n":  {expr: "ROUNDUP(n, 2)", want: map[string]string{"pi": "3.15"}},
			"rounddn_n":  {expr: "ROUNDDOWN(n, 2)", want: map[string]string{"pi": "3.14"}},
			"cmp_a":      {expr: "a > 10", want: map[string]string{"a15": "1", "a5": "0"}},
			"and":        {expr: "AND(a > 0, a < 100)", want: map[string]string{"a15": "1", "a200": "0"}},
			"or_not":     {expr: "OR(NOT(a > 0), a = 5)", want: map[string]string{"a15": "0", "a5": "1"}},
			"if_num":     {expr: "IF(a > 10, a * 2, a / 2)", want: map[string]string{"a15": "30", "a5": "2.5"}},
			"if_text":    {expr: `IF(a > 0, "pos", "neg")`, want: map[string]string{"a5": ""}},
			"contains":   {expr: `CONTAINS(tags, "x")`, want: map[string]string{"xy": "1", "y": "0"}},
			"systime":    {expr: "更新日時 - 作成日時", want: map[string]string{"none": "0"}},
			"cmp":        {expr: "1 > 0", want: map[string]string{"none": "1"}},
			"if_number":  {expr: "IF(1, 1, 2)", want: map[string]string{"none": ""}},
			"and_number": {expr: "AND(1, 1)", want: map[string]string{"none": ""}},
			"bool_plus":  {expr: "(1 > 0) + 1", want: map[string]string{"none": ""}},
			// Dates and times are seconds; each format renders the result.
			"d_next":  {expr: "d + 86400", format: "DATE", want: map[string]string{"dates": "2026-04-26"}},
			"dt_hour": {expr: "dt + 3600", format: "DATETIME", want: map[string]string{"dates": "2026-04-25T11:00:00Z"}},
			"diff":    {expr: "dt - d", want: map[string]string{"dates": "36000"}},
			"hm":      {expr: "n", format: "HOUR_MINUTE", want: map[string]string{"dates": "25:01"}},
			"dhm":     {expr: "n", format: "DAY_HOUR_MINUTE", want: map[string]string{"dates": "25:01"}},
			"time":    {expr: "n", format: "TIME", want: map[string]string{"dates": "01:01"}},
			"n_dt":    {expr: "n * 3600", format: "DATETIME", want: map[string]string{"dates": "1980-04-10T13:00:00Z"}},
			"n_date":  {expr: "n * 3600", format: "DATE", want: map[string]string{"dates": "1980-04-10"}},
			"digit":   {expr: "n * 3", format: "NUMBER_DIGIT", want: map[string]string{"dates": "270183"}},
			// Auto-calculated text.
			"s_ref_n":   {expr: "n", text: true, want: map[string]string{"none": "", "n5": "5"}},
			"s_concat":  {expr: `n & "x"`, text: true, want: map[string]string{"none": "x", "n5": "5x"}},
			"s_bool":    {expr: `(1 > 0) & "x"`, text: true, want: map[string]string{"none": "truex"}},
			"s_third":   {expr: `1 / 3 & ""`, text: true, want: map[string]string{"none": "0.3333"}},
			"s_if_num":  {expr: `IF(1, "a", "b")`, text: true, want: map[string]string{"none": ""}},
			"s_sum":     {expr: `a & " + " & b & " = " & (a + b)`, text: true, want: map[string]string{"a10b20": "10 + 20 = 30"}},
			"s_if":      {expr: `IF(a > b, "a wins", "b wins")`, text: true, want: map[string]string{"a30b20": "a wins", "a10b20": "b wins"}},
			"s_yen":     {expr: "YEN(a * 1.1, 0)", text: true, want: map[string]string{"1000": "¥1,100"}},
			"s_date":    {expr: `DATE_FORMAT(1745574000, "YYYY-MM-dd", "UTC")`, text: true, want: map[string]string{"none": "2025-04-25"}},
			"s_date_jp": {expr: `DATE_FORMAT(d, "YYYY/MM/dd HH:mm", "Asia/Tokyo") & " " & a`, text: true, want: map[string]string{"dates": "2026/04/25 09:00 "}},
			// A formula naming another formula field.
			"calc_x": {expr: "a * 2", want: map[string]string{"ab": "20"}},
			"calc_y": {expr: "calc_x + 1", want: map[string]string{"ab": "21"}},
		}},
		{&kintonesim.NumberPrecision{Digits: "30", DecimalPlaces: "10", RoundingMode: "HALF_EVEN"}, map[string]calcCase{
			"third":    {expr: "1 / 3", want: map[string]string{"none": "0.3333333333"}},
			"div7":     {expr: "10 / 7", want: map[string]string{"none": "1.4285714286"}},
			"literal":  {expr: "0.00015 * 10000", want: map[string]string{"none": "1.5"}},
			"overflow": {expr: "999999999999 + 1", want: map[string]string{"none": "1000000000000"}},
			"n_plus_1": {expr: "n + 1", want: map[string]string{"big": "1000000000000.9999"}},
			"n_plus_m": {expr: "n + m", want: map[string]string{"digits12": "999999999999.00025"}},
			"pow":      {expr: "2 ^ -20", want: map[string]string{"none": "0.0000009537"}},
		}},
		{&kintonesim.NumberPrecision{Digits: "5", DecimalPlaces: "2", RoundingMode: "UP"}, map[string]calcCase{
			"third":        {expr: "1 / 3", want: map[string]string{"none": "0.34"}},
			"third_x3":     {expr: "1 / 3 * 3", want: map[string]string{"none": "1.02"}},
			"literal":      {expr: "0.00015 * 1", want: map[string]string{"none": "0.01"}},
			"negative":     {expr: "-0.00001", want: map[string]string{"none": "-0.01"}},
			"n_div":        {expr: "n / 3", want: map[string]string{"small": "0.5"}},
			"literal_over": {expr: "0.01 * 10000", want: map[string]string{"none": ""}},
			"overflow":     {expr: "99999 + 1", want: map[string]string{"none": ""}},
			"pow":          {expr: "2 ^ -20", want: map[string]string{"none": "0.01"}},
		}},
	}
	f := &kintonesim.Fixture{Users: []kintonesim.User{{Code: "u", Password: "p"}}}
	for i, a := range apps {
		f.Apps = append(f.Apps, calcApp(int64(i+1), a.cases, a.precision))
	}
	s := newServer(t, f, kintonesim.Options{})
	if w := s.Warnings(); len(w) > 0 {
		t.Fatalf("warnings: %v", w)
	}
	auth := map[string]string{"X-Cybozu-Authorization": pw("u", "p")}
	labels := make([]string, 0, len(calcRecords))
	for l := range calcRecords {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for i, a := range apps {
		app := i + 1
		for _, l := range labels {
			rec := map[string]any{"label": cell(l)}
			for k, v := range calcRecords[l] {
				rec[k] = v
			}
			wantOK(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": app, "record": rec}, auth))
		}
		got := map[string]map[string]any{}
		for _, r := range records(t, call(t, s, "GET", fmt.Sprintf("/k/v1/records.json?app=%d&query=limit+500", app), nil, auth)) {
			got[val(r, "label").(string)] = r
		}
		for code, c := range a.cases {
			for label, want := range c.want {
				if v := val(got[label], code); v != want {
					t.Errorf("app %d %s = %s, record %s: %q, want %q", app, code, c.expr, label, v, want)
				}
			}
		}
	}
}

// TestFormulaDeployChecks refuses at deploy the formulas kintone refuses (GAIA_IL01, in the
// caller's language) and unknown CALC formats when the field is saved (CB_VA01).
func TestFormulaDeployChecks(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	for _, tt := range []struct {
		name   string
		fields map[string]any
		ja, en string
	}{
		{"unknown field", map[string]any{"c": calcField("nonexistent + 1")},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：計算式に含まれるフィールドコード（nonexistent）が存在しません。)",
			`The formula of the field "c" is invalid. (The field code (nonexistent) in the formula does not exist.)`},
		{"unknown function", map[string]any{"c": calcField("FOOBAR(x)"), "x": map[string]any{"type": "NUMBER"}},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：FOOBAR関数は使用できません。)", ""},
		{"argument count", map[string]any{"c": calcField("IF(x)"), "x": map[string]any{"type": "NUMBER"}},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：IF関数には3個の引数が必要です。)", ""},
		{"syntax", map[string]any{"c": calcField("x +"), "x": map[string]any{"type": "NUMBER"}},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：計算式の文法が正しくありません。)", ""},
		{"full-width symbol", map[string]any{"c": calcField("x ＋ 1"), "x": map[string]any{"type": "NUMBER"}},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：全角記号「＋」が入力されています。半角記号「+」を入力してください。)", ""},
		{"cycle", map[string]any{"c": calcField("c2 + 1"), "c2": calcField("c + 1")},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：フィールドの参照が循環しています。)", ""},
		{"field type", map[string]any{"c": calcField("ml + 1"), "ml": map[string]any{"type": "MULTI_LINE_TEXT"}},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：計算式で利用できないフィールドタイプ(ml)が指定されています。)", ""},
		{"text formula", map[string]any{"c": map[string]any{"type": "SINGLE_LINE_TEXT", "expression": "NOSUCH(1)"}},
			"フィールド「c」の計算式が正しくありません。(エラーの内容：NOSUCH関数は使用できません。)", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, "POST", "/k/v1/preview/app.json", map[string]any{"name": tt.name}, alice)
			wantOK(t, r)
			app := r.body["app"]
			wantOK(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": app, "properties": tt.fields}, alice))
			deploy := map[string]any{"apps": []any{map[string]any{"app": app}}}
			wantErr(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", deploy, ja(alice)), 400, "GAIA_IL01", tt.ja)
			if tt.en != "" {
				wantErr(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", deploy, alice), 400, "GAIA_IL01", tt.en)
			}
			wantError(t, call(t, s, "GET", fmt.Sprintf("/k/v1/app.json?id=%v", app), nil, alice), 404, "GAIA_AP01")
		})
	}
	// A valid formula deploys; a table's column is summed from outside the table.
	r := call(t, s, "POST", "/k/v1/preview/app.json", map[string]any{"name": "ok"}, alice)
	app := r.body["app"]
	wantOK(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": app, "properties": map[string]any{
		"items": map[string]any{"type": "SUBTABLE", "fields": map[string]any{"qty": map[string]any{"type": "NUMBER"}}},
		"total": calcField("SUM(qty)")}}, alice))
	wantOK(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": app}}}, alice))
	// An unknown format is refused when the field is saved.
	bad := map[string]any{"app": app, "properties": map[string]any{"c": map[string]any{"type": "CALC", "expression": "1", "format": "CURRENCY"}}}
	r = call(t, s, "POST", "/k/v1/preview/app/form/fields.json", bad, ja(alice))
	wantErr(t, r, 400, "CB_VA01", "入力内容が正しくありません。", "properties[c].format")
	if got := jsonText(r.body["errors"]); got != `{"properties[c].format":{"messages":["Enum値のいずれかでなければなりません。"]}}` {
		t.Errorf("errors %s", got)
	}
	r = call(t, s, "PUT", "/k/v1/preview/app/form/fields.json", map[string]any{"app": app, "properties": map[string]any{
		"total": map[string]any{"format": "YEN"}}}, alice)
	wantErr(t, r, 400, "CB_VA01", "Missing or invalid input.", "properties[total].format")
	if got := jsonText(r.body["errors"]); got != `{"properties[total].format":{"messages":["must be one of the enum value"]}}` {
		t.Errorf("errors %s", got)
	}
}

func calcField(expr string) map[string]any {
	return map[string]any{"type": "CALC", "expression": expr, "format": "NUMBER"}
}

// TestFixtureFormulaWarnings loads a fixture whose formulas kintone would refuse: the fields keep
// the values the fixture gives, and Warnings names them.
func TestFixtureFormulaWarnings(t *testing.T) {
	f, err := kintonesim.ParseFixture([]byte(`{"users": [{"code": "u", "password": "p"}], "apps": [{"id": 1, "name": "A",
	  "fields": {"n": {"type": "NUMBER"}, "odd": {"type": "CALC", "expression": "MEDIAN(n)"},
	             "ok": {"type": "CALC", "expression": "n * 2"}, "cur": {"type": "CALC", "expression": "n", "format": "CURRENCY"}},
	  "records": [{"n": {"value": "2"}, "odd": {"value": "7"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, f, kintonesim.Options{})
	want := []string{
		`app 1: field "cur": kintone knows no CALC format "CURRENCY"; values are written as NUMBER`,
		`app 1: field "odd": the formula "MEDIAN(n)" is not computed (The MEDIAN function cannot be used); its values are kept as given`,
	}
	if got := s.Warnings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s", strings.Join(got, "\n"))
	}
	rec := call(t, s, "GET", "/k/v1/record.json?app=1&id=1", nil, map[string]string{"X-Cybozu-Authorization": pw("u", "p")}).body["record"].(map[string]any)
	if got, _ := json.Marshal([]any{val(rec, "odd"), val(rec, "ok"), val(rec, "cur")}); string(got) != `["7","4","2"]` {
		t.Errorf("values %s", got)
	}
}
