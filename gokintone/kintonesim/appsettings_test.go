package kintonesim_test

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestLayout(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	wantBody(t, call(t, s, "GET", "/k/v1/app/form/layout.json?app=2", nil, alice),
		`{"layout":[{"type":"ROW","fields":[{"type":"SINGLE_LINE_TEXT","code":"name","size":{"width":"200"}}]}],"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/app/form/layout.json?app=1", nil, tok("t-view")), `{"layout":[`+
		`{"type":"ROW","fields":[{"type":"FILE","code":"doc","size":{"width":"200"}}]},`+
		`{"type":"SUBTABLE","code":"lines","fields":[{"type":"SINGLE_LINE_TEXT","code":"item","size":{"width":"200"}}]},`+
		`{"type":"ROW","fields":[{"type":"MULTI_LINE_TEXT","code":"memo","size":{"width":"400","innerHeight":"125"}}]},`+
		`{"type":"ROW","fields":[{"type":"USER_SELECT","code":"owner","size":{"width":"200"}}]},`+
		`{"type":"ROW","fields":[{"type":"SINGLE_LINE_TEXT","code":"title","size":{"width":"200"}}]}],"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/form/layout.json?app=2", nil, alice),
		`{"layout":[{"type":"ROW","fields":[{"type":"SINGLE_LINE_TEXT","code":"name","size":{"width":"200"}}]}],"revision":"1"}`)
	wantErr(t, call(t, s, "GET", "/k/v1/app/form/layout.json?app=2", nil, tok("t-full")), 403, "GAIA_NO01", "")
	wantErr(t, call(t, s, "GET", "/k/v1/app/form/layout.json?app=3", nil, alice), 400, "GAIA_IL23", "")
	wantBody(t, call(t, s, "GET", "/k/guest/9/v1/app/form/layout.json?app=3", nil, alice), `{"layout":[],"revision":"1"}`)
	wantErr(t, call(t, s, "GET", "/k/v1/app/form/layout.json", nil, alice), 400, "CB_VA01", "", "app")

	// A fixture's layout is returned as given; its views get defaults filled in.
	f, err := kintonesim.ParseFixture([]byte(`{"users": [{"code": "u", "name": "U", "password": "p"}], "apps": [{"id": 5, "name": "L", "lang": "en",
		"fields": {"a": {"type": "NUMBER"}, "lbl": {"type": "LABEL", "label": "Note"}},
		"layout": [{"type": "ROW", "fields": [{"type": "NUMBER", "code": "a", "size": {"width": 120}}, {"type": "LABEL", "label": "Note"}]}],
		"views": {"Mine": {"type": "LIST", "fields": ["a"], "filterCond": "a > 1", "index": "1"},
		          "Cal": {"type": "CALENDAR", "date": "Created_datetime", "title": "a", "id": "77"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s = newServer(t, f, kintonesim.Options{})
	u := map[string]string{"X-Cybozu-Authorization": pw("u", "p")}
	wantBody(t, call(t, s, "GET", "/k/v1/app/form/layout.json?app=5", nil, u),
		`{"layout":[{"type":"ROW","fields":[{"type":"NUMBER","code":"a","size":{"width":120}},{"type":"LABEL","label":"Note"}]}],"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/app/views.json?app=5", nil, u), `{"views":{`+
		`"Cal":{"type":"CALENDAR","id":"77","name":"Cal","index":"0","filterCond":"","sort":"Record_number desc","date":"Created_datetime","title":"a"},`+
		`"Mine":{"type":"LIST","id":"5002","name":"Mine","index":"1","filterCond":"a > 1","sort":"Record_number desc","fields":["a"]}},"revision":"1"}`)
}

func TestViews(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	wantBody(t, call(t, s, "GET", "/k/v1/app/views.json?app=1", nil, alice), `{"views":{"All":{"type":"LIST","id":"1001","name":"All",`+
		`"index":"0","filterCond":"","sort":"レコード番号 desc","fields":["doc","memo","owner","title"]}},"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/views.json?app=2&lang=ja", nil, tok("p-full")), `{"views":{"All":{"type":"LIST",`+
		`"id":"2001","name":"All","index":"0","filterCond":"","sort":"レコード番号 desc","fields":["name"]}},"revision":"1"}`)
	wantErr(t, call(t, s, "GET", "/k/v1/app/views.json?app=2&lang=xx", nil, alice), 400, "CB_VA01", "", "lang")
	wantErr(t, call(t, s, "GET", "/k/v1/app/views.json?app=42", nil, alice), 404, "GAIA_AP01", "")
}

func TestSpaces(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	app1 := `{"threadId":"7","appId":"1","code":"","name":"Tickets","description":"","createdAt":"2025-01-01T00:00:00Z",` +
		`"creator":{"code":"alice","name":"Alice"},"modifiedAt":"2025-01-01T00:00:00Z","modifier":{"code":"alice","name":"Alice"}}`
	common := `"coverType":"PRESET","coverKey":"GREEN","coverUrl":"","useMultiThread":false,"fixedMember":false,` +
		`"showAnnouncement":true,"showThreadList":true,"showAppList":true,"showMemberList":true,"showRelatedLinkList":true,` +
		`"permissions":{"createApp":"EVERYONE"},"creator":{"code":"alice","name":"Alice"},"modifier":{"code":"alice","name":"Alice"}`
	wantBody(t, call(t, s, "GET", "/k/v1/space.json?id=7", nil, bob), `{"id":"7","name":"Team","defaultThread":"7","isPrivate":false,`+
		`"memberCount":"2","body":"<p>hi</p>","isGuest":false,"attachedApps":[`+app1+`],`+common+`}`)
	wantBody(t, call(t, s, "GET", "/k/v1/space/members.json?id=7", nil, alice), `{"members":[`+
		`{"entity":{"type":"USER","code":"alice"},"isAdmin":false,"isImplicit":false,"includeSubs":false},`+
		`{"entity":{"type":"GROUP","code":"leads"},"isAdmin":true,"isImplicit":false,"includeSubs":false}]}`)
	// Private spaces are for members; guest spaces through their guest path.
	wantErr(t, call(t, s, "GET", "/k/v1/space.json?id=8", nil, alice), 403, "CB_NO02", "No privilege to proceed.")
	wantOK(t, call(t, s, "GET", "/k/v1/space.json?id=8", nil, bob))
	wantErr(t, call(t, s, "GET", "/k/v1/space/members.json?id=8", nil, alice), 403, "CB_NO02", "")
	wantErr(t, call(t, s, "GET", "/k/v1/space.json?id=9", nil, alice), 400, "GAIA_IL23", "")
	r := call(t, s, "GET", "/k/guest/9/v1/space.json?id=9", nil, alice)
	wantOK(t, r)
	if r.body["isGuest"] != true || !strings.Contains(r.raw, `"attachedApps":[{"appId":"3"`) {
		t.Errorf("guest space %s", r.raw)
	}
	wantErr(t, call(t, s, "GET", "/k/guest/9/v1/space.json?id=7", nil, alice), 403, "CB_NO02", "")
	wantErr(t, call(t, s, "GET", "/k/v1/space.json?id=99", nil, alice), 404, "GAIA_SP01", "The specified space (id: 99) is not found.")
	wantErr(t, call(t, s, "GET", "/k/v1/space.json?id=99", nil, ja(alice)), 404, "GAIA_SP01", "指定したスペース（id: 99）が見つかりません。")
	wantErr(t, call(t, s, "GET", "/k/v1/space.json", nil, alice), 400, "CB_VA01", "", "id")
	wantErr(t, call(t, s, "GET", "/k/v1/space.json?id=7", nil, tok("t-full")), 403, "GAIA_NO01", "")
	// apps.json still filters by space.
	r = call(t, s, "GET", "/k/v1/apps.json?spaceIds[0]=7", nil, alice)
	if apps := r.body["apps"].([]any); len(apps) != 1 || apps[0].(map[string]any)["appId"] != "1" {
		t.Errorf("apps.json spaceIds: %s", r.raw)
	}
	// The sample declares its spaces.
	s = newServer(t, nil, kintonesim.Options{})
	r = get(t, s, "/k/v1/space.json?id=1")
	if r.status != 200 || r.body["name"] != "営業部" || !strings.Contains(r.raw, `"appId":"2"`) {
		t.Errorf("sample space %s", r.raw)
	}
	wantOK(t, get(t, s, "/k/guest/2/v1/space/members.json?id=2"))
	// Spaces listed twice are fixture errors.
	f, _ := kintonesim.ParseFixture([]byte(`{"users": [], "apps": [], "spaces": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]}`))
	if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil {
		t.Error("duplicate space accepted")
	}
}
