package kintonesim_test

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestComments(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	post := func(body map[string]any, h map[string]string) resp {
		return call(t, s, "POST", "/k/v1/record/comment.json", body, h)
	}
	wantBody(t, call(t, s, "GET", "/k/v1/record/comments.json?app=1&record=1", nil, alice),
		`{"comments":[],"older":false,"newer":false}`)
	wantBody(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": "first"}}, alice), `{"id":"1"}`)
	wantBody(t, post(map[string]any{"app": "1", "record": "1", "comment": map[string]any{"text": "second",
		"mentions": []any{map[string]any{"code": "bob", "type": "USER"}, map[string]any{"code": "leads", "type": "GROUP"},
			map[string]any{"code": "dev", "type": "ORGANIZATION"}}}}, bob), `{"id":"2"}`)
	wantBody(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": "third"}}, tok("t-view")), `{"id":"3"}`)
	// Ids are per record.
	wantBody(t, post(map[string]any{"app": 1, "record": 2, "comment": map[string]any{"text": "other"}}, alice), `{"id":"1"}`)

	c1 := `{"id":"1","text":"first","createdAt":"2026-03-04T05:06:07Z","creator":{"code":"alice","name":"Alice"},"mentions":[]}`
	c2 := `{"id":"2","text":"Bob Leads Development \nsecond","createdAt":"2026-03-04T05:06:07Z","creator":{"code":"bob","name":"Bob"},` +
		`"mentions":[{"code":"bob","type":"USER"},{"code":"leads","type":"GROUP"},{"code":"dev","type":"ORGANIZATION"}]}`
	c3 := `{"id":"3","text":"third","createdAt":"2026-03-04T05:06:07Z","creator":{"code":"Administrator","name":"Administrator"},"mentions":[]}`
	get := func(qs string) resp {
		return call(t, s, "GET", "/k/v1/record/comments.json?app=1&record=1"+qs, nil, alice)
	}
	wantBody(t, get(""), `{"comments":[`+c3+`,`+c2+`,`+c1+`],"older":false,"newer":false}`)
	wantBody(t, get("&order=asc"), `{"comments":[`+c1+`,`+c2+`,`+c3+`],"older":false,"newer":false}`)
	wantBody(t, get("&limit=1"), `{"comments":[`+c3+`],"older":true,"newer":false}`)
	wantBody(t, get("&limit=1&offset=1"), `{"comments":[`+c2+`],"older":true,"newer":true}`)
	wantBody(t, get("&order=asc&limit=2&offset=1"), `{"comments":[`+c2+`,`+c3+`],"older":true,"newer":false}`)
	wantBody(t, get("&order=asc&limit=1"), `{"comments":[`+c1+`],"older":false,"newer":true}`)
	wantBody(t, get("&offset=5"), `{"comments":[],"older":false,"newer":true}`)
	// JSON body GET works as everywhere.
	wantBody(t, call(t, s, "GET", "/k/v1/record/comments.json", map[string]any{"app": 1, "record": 1, "order": "desc", "limit": 1}, alice),
		`{"comments":[`+c3+`],"older":true,"newer":false}`)

	// Parameter errors.
	wantErr(t, get("&order=up"), 400, "CB_VA01", "Missing or invalid input.", "order")
	if r := get("&order=up"); r.body["errors"].(map[string]any)["order"].(map[string]any)["messages"].([]any)[0] != "must be one of the enum value" {
		t.Errorf("order message %s", r.raw)
	}
	wantErr(t, get("&limit=11"), 400, "CB_VA01", "", "limit")
	wantErr(t, get("&limit=0"), 400, "CB_VA01", "", "limit")
	wantErr(t, get("&offset=-1"), 400, "CB_VA01", "", "offset")
	wantErr(t, call(t, s, "GET", "/k/v1/record/comments.json?app=1&record=99", nil, alice), 404, "GAIA_RE01",
		"The specified record (ID: 99) is not found.")
	wantErr(t, call(t, s, "GET", "/k/v1/record/comments.json?app=1", nil, alice), 400, "CB_VA01", "", "record")
	wantErr(t, call(t, s, "GET", "/k/v1/record/comments.json?app=2&record=1", nil, tok("t-full")), 403, "GAIA_NO01", "")
	wantErr(t, post(map[string]any{"app": 1, "record": 1}, alice), 400, "CB_VA01", "", "comment")
	wantErr(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": ""}}, alice), 400, "CB_VA01", "", "comment.text")
	wantErr(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": strings.Repeat("あ", 65536)}}, alice),
		400, "CB_VA01", "", "comment.text")
	wantBody(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": strings.Repeat("あ", 65535)}}, alice), `{"id":"4"}`)
	many := []any{}
	for i := 0; i < 11; i++ {
		many = append(many, map[string]any{"code": "bob", "type": "USER"})
	}
	wantErr(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": "x", "mentions": many}}, alice),
		400, "CB_VA01", "", "comment.mentions")
	wantErr(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": "x",
		"mentions": []any{map[string]any{"code": "bob", "type": "ROBOT"}}}}, alice), 400, "CB_VA01", "", "comment.mentions[0].type")
	wantErr(t, post(map[string]any{"app": 1, "record": 1, "comment": map[string]any{"text": "x",
		"mentions": []any{map[string]any{"code": "nobody", "type": "USER"}}}}, alice), 400, "CB_VA01", "", "comment.mentions[0].code")

	// Delete: own comments only; a missing one is 400 GAIA_RE02.
	del := func(id any, h map[string]string) resp {
		return call(t, s, "DELETE", "/k/v1/record/comment.json", map[string]any{"app": 1, "record": 1, "comment": id}, h)
	}
	wantErr(t, del(1, bob), 403, "CB_NO02", "Only the user who posted the comment can delete it.")
	wantBody(t, del(1, alice), `{}`)
	wantErr(t, del(1, alice), 400, "GAIA_RE02", "The specified comment does not exist. The comment may have been deleted.")
	wantErr(t, del("9", ja(alice)), 400, "GAIA_RE02", "指定したコメントが存在しません。削除された可能性があります。")
	wantErr(t, call(t, s, "DELETE", "/k/v1/record/comment.json?app=1&record=2&comment=7", nil, alice), 400, "GAIA_RE02", "")
	wantBody(t, call(t, s, "DELETE", "/k/v1/record/comment.json?app=1&record=1&comment=2", nil, bob), `{}`)
	wantBody(t, get("&order=asc&limit=1"), `{"comments":[`+c3+`],"older":false,"newer":true}`)
	// Guest-space rules apply.
	wantErr(t, call(t, s, "GET", "/k/guest/9/v1/record/comments.json?app=1&record=1", nil, alice), 403, "CB_NO02", "")

	// The request log has the app.
	l := s.Requests()
	last := l[len(l)-1]
	if last.Method != "GET" || last.Path != "/k/guest/9/v1/record/comments.json" || last.App != "1" || last.Status != 403 || last.Code != "CB_NO02" {
		t.Errorf("log %+v", last)
	}
}
