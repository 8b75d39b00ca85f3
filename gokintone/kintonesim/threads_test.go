package kintonesim_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestThreadComments(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	post := func(path string, body map[string]any, h map[string]string) resp {
		return call(t, s, "POST", path+"space/thread/comment.json", body, h)
	}
	comment := func(space, thread int, c map[string]any) map[string]any {
		return map[string]any{"space": space, "thread": thread, "comment": c}
	}
	wantBody(t, post("/k/v1/", comment(7, 7, map[string]any{"text": "hello"}), alice), `{"id":"1"}`)
	up := postUpload(t, s, "/k/v1/file.json", "plan.txt", "text/plain", "the plan", alice)
	wantOK(t, up)
	key := up.body["fileKey"].(string)
	wantBody(t, post("/k/v1/", comment(7, 7, map[string]any{
		"mentions": []any{map[string]any{"code": "bob", "type": "USER"}},
		"files":    []any{map[string]any{"fileKey": key, "width": 250}}}), bob), `{"id":"2"}`)
	// The guest space's thread is another thread, though its id is the same as a normal one's.
	wantBody(t, post("/k/guest/9/v1/", comment(9, 9, map[string]any{"text": "guest"}), alice), `{"id":"1"}`)

	th, ok := s.Thread(false, 7)
	want := kintonesim.Thread{ID: 7, Comments: []kintonesim.ThreadComment{
		{ID: 1, Text: "hello", Creator: "alice"},
		{ID: 2, Text: "Bob \n", Creator: "bob", Mentions: []kintonesim.EntityRef{{Type: "USER", Code: "bob"}}, Files: []string{"plan.txt"}},
	}}
	if !ok || !reflect.DeepEqual(th, want) {
		t.Errorf("thread 7:\n got %+v\nwant %+v", th, want)
	}
	if th, ok := s.Thread(true, 9); !ok || len(th.Comments) != 1 || th.Comments[0].Text != "guest" {
		t.Errorf("guest thread 9: %+v %v", th, ok)
	}
	if _, ok := s.Thread(false, 9); ok {
		t.Error("a normal space 9 was found")
	}

	// Errors.
	wantErr(t, post("/k/v1/", comment(7, 8, map[string]any{"text": "x"}), alice), 404, "GAIA_TH01", "The specified thread (id: 8) is not found.")
	wantErr(t, post("/k/v1/", comment(99, 99, map[string]any{"text": "x"}), alice), 404, "GAIA_SP01", "")
	wantErr(t, post("/k/v1/", comment(7, 7, map[string]any{}), alice), 400, "CB_VA01", "", "comment.text")
	wantErr(t, post("/k/v1/", map[string]any{"space": 7, "thread": 7}, alice), 400, "CB_VA01", "", "comment")
	six := make([]any, 6)
	for i := range six {
		six[i] = map[string]any{"fileKey": key}
	}
	wantErr(t, post("/k/v1/", comment(7, 7, map[string]any{"files": six}), alice), 400, "CB_VA01", "", "comment.files")
	wantErr(t, post("/k/v1/", comment(7, 7, map[string]any{"files": []any{map[string]any{"fileKey": "nope"}}}), alice),
		400, "CB_VA01", "", "comment.files[0].fileKey")
	wantErr(t, post("/k/v1/", comment(7, 7, map[string]any{"text": "x", "mentions": []any{map[string]any{"code": "zed", "type": "USER"}}}), alice),
		400, "CB_VA01", "", "comment.mentions[0].code")
	wantErr(t, post("/k/v1/", comment(8, 8, map[string]any{"text": "x"}), alice), 403, "CB_NO02", "")
	wantErr(t, post("/k/v1/", comment(9, 9, map[string]any{"text": "x"}), alice), 400, "GAIA_IL23", "")
	wantErr(t, post("/k/v1/", comment(7, 7, map[string]any{"text": "x"}), tok("t-full")), 403, "GAIA_NO01", "")
	wantErr(t, post("/k/v1/", comment(7, 7, map[string]any{"text": strings.Repeat("x", 65536)}), alice), 400, "CB_VA01", "", "comment.text")
	if th, _ := s.Thread(false, 7); len(th.Comments) != 2 {
		t.Errorf("a refused comment was kept: %+v", th.Comments)
	}
}

func TestUpdateThread(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	put := func(path string, body map[string]any, h map[string]string) resp {
		return call(t, s, "PUT", path+"space/thread.json", body, h)
	}
	// Space administrators (alice and bob, through the group leads) may change the body.
	wantBody(t, put("/k/v1/", map[string]any{"id": 7, "body": "<b>news</b>"}, bob), `{}`)
	if th, _ := s.Thread(false, 7); th.Body != "<b>news</b>" {
		t.Errorf("body %q", th.Body)
	}
	wantBody(t, put("/k/v1/", map[string]any{"id": "7"}, alice), `{}`) // nothing to change
	if th, _ := s.Thread(false, 7); th.Body != "<b>news</b>" {
		t.Errorf("body without a body parameter: %q", th.Body)
	}
	// The guest space's creator (alice, the first user) may change its thread.
	wantBody(t, put("/k/guest/9/v1/", map[string]any{"id": 9, "body": "guest news"}, alice), `{}`)
	if th, _ := s.Thread(true, 9); th.Body != "guest news" {
		t.Errorf("guest body %q", th.Body)
	}
	// A member who is neither an administrator nor the creator may not.
	wantErr(t, put("/k/v1/", map[string]any{"id": 8, "body": "x"}, bob), 403, "CB_NO02",
		"Only the space administrators or the creator of the thread can update it.")
	wantErr(t, put("/k/v1/", map[string]any{"id": 8, "body": "x"}, alice), 403, "CB_NO02", "No privilege to proceed.")
	// The single thread of a space has no name.
	wantErr(t, put("/k/v1/", map[string]any{"id": 7, "name": "Renamed"}, alice), 400, "CB_VA01", "", "name")
	wantErr(t, put("/k/v1/", map[string]any{"id": 7, "name": ""}, alice), 400, "CB_VA01", "", "name")
	wantErr(t, put("/k/v1/", map[string]any{"id": 99, "body": "x"}, alice), 404, "GAIA_TH01", "")
	wantErr(t, put("/k/v1/", map[string]any{"body": "x"}, alice), 400, "CB_VA01", "", "id")
	wantErr(t, put("/k/v1/", map[string]any{"id": 7, "body": "x"}, tok("t-full")), 403, "GAIA_NO01", "")
	wantErr(t, put("/k/v1/", map[string]any{"id": 7, "body": strings.Repeat("x", 65536)}, alice), 400, "CB_VA01", "", "body")
}
