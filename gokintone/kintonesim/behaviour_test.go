package kintonesim_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// behaviourFixture is the domain of TestBehaviour: an app with validated fields and a lookup, the
// lookup's source app, and an app with process management.
const behaviourFixture = `{
 "users": [{"code": "admin", "password": "pw"}, {"code": "bob", "password": "pw"},
           {"code": "carol", "password": "pw", "valid": false}],
 "apps": [
  {"id": 1, "name": "Orders", "fields": {
    "title": {"type": "SINGLE_LINE_TEXT", "required": true, "maxLength": "5"},
    "qty":   {"type": "NUMBER", "maxValue": "100"},
    "kind":  {"type": "RADIO_BUTTON", "required": true, "options": ["A", "B"]},
    "tags":  {"type": "CHECK_BOX", "options": ["x", "y"]},
    "day":   {"type": "DATE"},
    "twice": {"type": "CALC", "expression": "qty * 2", "required": true},
    "code":  {"type": "SINGLE_LINE_TEXT", "lookup": {"relatedApp": {"app": "2"}, "relatedKeyField": "key",
              "fieldMappings": [{"field": "name", "relatedField": "name"}]}},
    "name":  {"type": "SINGLE_LINE_TEXT"}},
   "records": [{"title": {"value": "a"}}, {"title": {"value": "b"}}]},
  {"id": 2, "name": "Products", "fields": {"key": {"type": "SINGLE_LINE_TEXT", "unique": true}, "name": {"type": "SINGLE_LINE_TEXT"}},
   "records": [{"key": {"value": "P1"}, "name": {"value": "Pen"}}]},
  {"id": 3, "name": "Flow", "fields": {"title": {"type": "SINGLE_LINE_TEXT"}},
   "processManagement": {"enable": true,
    "states": {"Open": {"index": "0"},
               "Doing": {"index": "1", "assignee": {"type": "ONE", "entities": [{"entity": {"type": "USER", "code": "admin"}}, {"entity": {"type": "USER", "code": "bob"}}]}},
               "Done": {"index": "2"}},
    "actions": [{"name": "Start", "from": "Open", "to": "Doing"}, {"name": "Finish", "from": "Doing", "to": "Done"}]},
   "records": [{"title": {"value": "open"}}, {"title": {"value": "doing"}, "ステータス": {"value": "Doing"}, "作業者": {"value": [{"code": "bob"}]}}]}
 ]
}`

// answer is kintone's error answer in one language: the message and the errors object as JSON
// ("" when there is none).
type answer struct{ message, errors string }

// TestBehaviour holds a row for each behaviour BEHAVIOUR.md lists outside formulas (those are
// TestFormulas): a request, and kintone's recorded status, code and wording in each language
// ("-" is a request without Accept-Language). Every row leaves the domain as it was.
func TestBehaviour(t *testing.T) {
	f, err := kintonesim.ParseFixture([]byte(behaviourFixture))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, f, kintonesim.Options{})
	admin := map[string]string{"X-Cybozu-Authorization": pw("admin", "pw")}
	q := func(query string) string { return "/k/v1/records.json?app=1&query=" + url.QueryEscape(query) }
	many := make([]any, 101)
	for i := range many {
		many[i] = map[string]any{"id": 1, "record": map[string]any{}}
	}
	required := `{"record.title.value":{"messages":["%s"]}}`
	for _, tt := range []struct {
		name         string
		method, path string
		body         any
		auth         map[string]string // default: admin's password
		status       int
		code         string
		want         map[string]answer // by Accept-Language
		ok           string            // the body of a 200 answer
	}{
		// Languages
		{name: "languages: ja, en, zh (recorded wording), none and * (English)", method: "POST", path: "/k/v1/record.json",
			body: map[string]any{"app": 1, "record": map[string]any{}}, status: 400, code: "CB_VA01", want: map[string]answer{
				"ja":             {"入力内容が正しくありません。", strings.ReplaceAll(required, "%s", "必須です。")},
				"en":             {"Missing or invalid input.", strings.ReplaceAll(required, "%s", "Required.")},
				"zh":             {"输入有误。", strings.ReplaceAll(required, "%s", "此为必填项。")},
				"zh-TW,en;q=0.5": {"输入有误。", strings.ReplaceAll(required, "%s", "此为必填项。")},
				"en;q=0.4, ja":   {"入力内容が正しくありません。", strings.ReplaceAll(required, "%s", "必須です。")},
				"-":              {"Missing or invalid input.", strings.ReplaceAll(required, "%s", "Required.")},
				"*":              {"Missing or invalid input.", strings.ReplaceAll(required, "%s", "Required.")},
			}},
		{name: "languages: Chinese without a recorded wording is English", method: "GET", path: "/k/v1/records.json",
			status: 400, code: "CB_VA01", want: map[string]answer{
				"zh": {"输入有误。", `{"app":{"messages":["Required field."]}}`}}},
		// Query errors
		{name: "query: syntax", method: "GET", path: q(`title = 'a'`), status: 400, code: "CB_VA01", want: map[string]answer{
			"ja": {"入力内容が正しくありません。", `{"query":{"messages":["クエリ記法が間違っています。"]}}`},
			"en": {"Missing or invalid input.", `{"query":{"messages":["Query syntax is invalid."]}}`}}},
		{name: "query: unknown field", method: "GET", path: q(`nope = "a"`), status: 400, code: "GAIA_IQ11", want: map[string]answer{
			"ja": {"指定されたフィールド（nope）が見つかりません。", ""},
			"en": {"Specified field (nope) not found.", ""}}},
		{name: "query: operator for the field type", method: "GET", path: q(`tags = "x"`), status: 400, code: "GAIA_IQ03", want: map[string]answer{
			"ja": {"tagsフィールドのフィールドタイプには演算子=を使用できません。", ""}}},
		{name: "query: limit over 500", method: "GET", path: q(`limit 501`), status: 400, code: "GAIA_QU01", want: map[string]answer{
			"ja": {"limit には 500 以下の値を指定してください。", ""}}},
		{name: "query: offset over 10,000", method: "GET", path: q(`offset 10001`), status: 400, code: "GAIA_QU02", want: map[string]answer{
			"ja": {"offset には 10,000 以下の値を指定してください。", ""}}},
		{name: "query: day of the month", method: "GET", path: q(`day = THIS_MONTH(32)`), status: 400, code: "GAIA_IQ23", want: map[string]answer{
			"ja": {"指定した日にち（32）は無効です。1から31までの整数で指定します。", ""}}},
		{name: "query: FROM_TODAY unit", method: "GET", path: q(`day = FROM_TODAY(1, DECADES)`), status: 400, code: "GAIA_IQ25", want: map[string]answer{
			"ja": {"FROM_TODAY()の第2引数には、「DAYS」「WEEKS」「MONTHS」「YEARS」のいずれかを指定します。", ""}}},
		{name: "query: argument count", method: "GET", path: q(`day = FROM_TODAY(1)`), status: 400, code: "GAIA_IL08", want: map[string]answer{
			"ja": {"クエリの指定が不正です。", ""}}},
		// Parameters
		{name: "parameters: app missing or empty", method: "GET", path: "/k/v1/records.json?app=", status: 400, code: "CB_VA01", want: map[string]answer{
			"ja": {"入力内容が正しくありません。", `{"app":{"messages":["必須です。"]}}`},
			"en": {"Missing or invalid input.", `{"app":{"messages":["Required field."]}}`}}},
		{name: "parameters: app below 1", method: "GET", path: "/k/v1/app/status.json?app=-1", status: 400, code: "CB_VA01", want: map[string]answer{
			"ja": {"入力内容が正しくありません。", `{"app":{"messages":["最小でも1以上です。"]}}`},
			"en": {"Missing or invalid input.", `{"app":{"messages":["must be greater than or equal to 1"]}}`}}},
		{name: "parameters: delete without ids (the order differs by language)", method: "DELETE", path: "/k/v1/records.json",
			body: map[string]any{"app": 1}, status: 400, code: "CB_VA01", want: map[string]answer{
				"ja": {"入力内容が正しくありません。", `{"ids":{"messages":["必須です。","一度に1件から100件までのレコードを削除できます。"]}}`},
				"en": {"Missing or invalid input.", `{"ids":{"messages":["Between 1 and 100 records can be deleted at one time.","Required field."]}}`}}},
		{name: "parameters: enum", method: "GET", path: "/k/v1/record/comments.json?app=1&record=1&order=wrong", status: 400, code: "CB_VA01", want: map[string]answer{
			"ja": {"入力内容が正しくありません。", `{"order":{"messages":["Enum値のいずれかでなければなりません。"]}}`},
			"en": {"Missing or invalid input.", `{"order":{"messages":["must be one of the enum value"]}}`}}},
		// Validation
		{name: "validation: length, not a number, options (a radio button takes its first choice, CALC is not required)",
			method: "POST", path: "/k/v1/record.json", body: map[string]any{"app": 1, "record": map[string]any{
				"title": cell("toolong"), "qty": cell("abc"), "tags": cell([]any{"q"})}}, status: 400, code: "CB_VA01", want: map[string]answer{
				"ja": {"入力内容が正しくありません。", `{"record.tags.values[0].value":{"messages":["\"q\"は選択肢にありません。"]},` +
					`"record.title.value":{"messages":["6文字より短くなければなりません。"]},"record[qty].value":{"messages":["数字でなければなりません。"]}}`},
				"en": {"Missing or invalid input.", `{"record.tags.values[0].value":{"messages":["The value, \"q\", is not in options."]},` +
					`"record.title.value":{"messages":["Enter less than 6 characters."]},"record[qty].value":{"messages":["Only numbers are allowed."]}}`}}},
		{name: "validation: a radio button sent empty is required", method: "POST", path: "/k/v1/record.json",
			body: map[string]any{"app": 1, "record": map[string]any{"title": cell("a"), "kind": cell(""), "qty": cell("101")}}, status: 400, code: "CB_VA01", want: map[string]answer{
				"ja": {"入力内容が正しくありません。", `{"record.kind.value":{"messages":["必須です。"]},"record.qty.value":{"messages":["100以下である必要があります。"]}}`}}},
		{name: "validation: batch keys are dotted", method: "POST", path: "/k/v1/records.json", body: map[string]any{"app": 1, "records": []any{
			map[string]any{"title": cell("a")}, map[string]any{"title": cell("b"), "qty": cell("x")}}}, status: 400, code: "CB_VA01", want: map[string]answer{
			"en": {"Missing or invalid input.", `{"records[1].qty.value":{"messages":["Only numbers are allowed."]}}`}}},
		{name: "validation: a batch update files errors under records[i]", method: "PUT", path: "/k/v1/records.json", body: map[string]any{"app": 1, "records": []any{
			map[string]any{"id": 1, "record": map[string]any{"title": cell("b")}}, map[string]any{"id": 2, "record": map[string]any{"title": cell("")}}}},
			status: 400, code: "CB_VA01", want: map[string]answer{
				"en": {"Missing or invalid input.", `{"records[1].title.value":{"messages":["Required."]}}`}}},
		{name: "validation: more than 100 records added", method: "POST", path: "/k/v1/records.json", body: map[string]any{"app": 1, "records": many},
			status: 400, code: "CB_VA01", want: map[string]answer{
				"ja": {"入力内容が正しくありません。", `{"records":{"messages":["一度に100件までのレコードを追加できます。"]}}`},
				"en": {"Missing or invalid input.", `{"records":{"messages":["A maximum of 100 records can be added at one time."]}}`}}},
		{name: "validation: more than 100 records updated", method: "PUT", path: "/k/v1/records.json", body: map[string]any{"app": 1, "records": many},
			status: 400, code: "CB_VA01", want: map[string]answer{
				"ja": {"入力内容が正しくありません。", `{"records":{"messages":["一度に100件までのレコードを更新できます。"]}}`}}},
		{name: "validation: an empty batch adds nothing", method: "POST", path: "/k/v1/records.json", body: map[string]any{"app": 1, "records": []any{}},
			status: 200, ok: `{"ids":[],"revisions":[]}`},
		{name: "validation: an empty batch updates nothing", method: "PUT", path: "/k/v1/records.json", body: map[string]any{"app": 1, "records": []any{}},
			status: 200, ok: `{"records":[]}`},
		{name: "lookup: the key is not in the source app (no errors object)", method: "POST", path: "/k/v1/record.json",
			body: map[string]any{"app": 1, "record": map[string]any{"title": cell("a"), "code": cell("P999")}}, status: 400, code: "GAIA_LO04", want: map[string]answer{
				"ja": {"フィールド「code」の値「P999」が、ルックアップの参照先のフィールドにないか、またはアプリやフィールドの閲覧権限がありません。", ""},
				"en": {"A value P999 in the field code does not exist in the datasource app for lookup, or you do not have permission to view the app or the field.", ""}}},
		// Not found
		{name: "not found: record", method: "GET", path: "/k/v1/record.json?app=1&id=99999", status: 404, code: "GAIA_RE01", want: map[string]answer{
			"ja": {"指定したレコード（id: 99999）が見つかりません。", ""}, "en": {"The specified record (ID: 99999) is not found.", ""}}},
		{name: "not found: app", method: "GET", path: "/k/v1/app.json?id=99999", status: 404, code: "GAIA_AP01", want: map[string]answer{
			"ja": {"指定したアプリ（id: 99999）が見つかりません。削除されている可能性があります。", ""},
			"en": {"The app (ID: 99999) not found. The app may have been deleted.", ""}}},
		{name: "not found: file", method: "GET", path: "/k/v1/file.json?fileKey=nonexistent_key", status: 404, code: "GAIA_BL01", want: map[string]answer{
			"ja": {"指定したファイル（id: nonexistent_key）が見つかりません。", ""}, "en": {"The specified file (id: nonexistent_key) not found.", ""}}},
		{name: "not found: comment", method: "DELETE", path: "/k/v1/record/comment.json", body: map[string]any{"app": 1, "record": 1, "comment": 99999},
			status: 400, code: "GAIA_RE02", want: map[string]answer{
				"ja": {"指定したコメントが存在しません。削除された可能性があります。", ""},
				"en": {"The specified comment does not exist. The comment may have been deleted.", ""}}},
		// Process management
		{name: "process: disabled", method: "PUT", path: "/k/v1/record/status.json", body: map[string]any{"app": 1, "id": 1, "action": "Start"},
			status: 400, code: "GAIA_ST02", want: map[string]answer{
				"ja": {"操作に失敗しました。プロセス管理機能が無効化されています。", ""},
				"en": {"Your request failed. The process management feature has been disabled.", ""}}},
		{name: "process: the action does not start from the status", method: "PUT", path: "/k/v1/record/status.json", body: map[string]any{"app": 3, "id": 1, "action": "Finish"},
			status: 400, code: "GAIA_IL03", want: map[string]answer{
				"ja": {"ステータスの変更に失敗しました。ほかのユーザーがステータス、またはステータスの設定を変更した可能性があります。", ""},
				"en": {"Failed to update the status. The settings or the status itself may have been changed by someone.", ""}}},
		{name: "process: the next status needs an assignee", method: "PUT", path: "/k/v1/record/status.json", body: map[string]any{"app": 3, "id": 1, "action": "Start"},
			status: 400, code: "GAIA_SA01", want: map[string]answer{"ja": {"作業者を指定してください。", ""}}},
		{name: "process: only the record's assignees act", method: "PUT", path: "/k/v1/record/status.json", body: map[string]any{"app": 3, "id": 2, "action": "Finish"},
			status: 403, code: "CB_NO02", want: map[string]answer{"ja": {"権限がありません。", ""}, "en": {"No privilege to proceed.", ""}}},
		// Authentication
		{name: "authentication: a user with valid false", method: "GET", path: "/k/v1/app.json?id=1",
			auth: map[string]string{"X-Cybozu-Authorization": pw("carol", "pw")}, status: 401, code: "CB_WA01", want: map[string]answer{
				"en": {"Password authentication failed. The value in http header of X-Cybozu-Authorization is not valid.", ""}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			auth := tt.auth
			if auth == nil {
				auth = admin
			}
			if tt.ok != "" {
				wantBody(t, call(t, s, tt.method, tt.path, tt.body, auth), tt.ok)
				return
			}
			for lang, want := range tt.want {
				h := map[string]string{}
				for k, v := range auth {
					h[k] = v
				}
				if lang != "-" {
					h["Accept-Language"] = lang
				}
				r := call(t, s, tt.method, tt.path, tt.body, h)
				wantError(t, r, tt.status, tt.code)
				if r.body["message"] != want.message {
					t.Errorf("%s: message %q, want %q", lang, r.body["message"], want.message)
				}
				got := ""
				if e, ok := r.body["errors"]; ok {
					b, _ := json.Marshal(e)
					got = string(b)
				}
				if got != want.errors {
					t.Errorf("%s: errors %s, want %s", lang, got, want.errors)
				}
			}
		})
	}
	// No row changed the domain.
	if n := len(records(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, admin))); n != 2 {
		t.Errorf("app 1 holds %d records", n)
	}
}
