package kintonesim_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

const (
	aliceJSON = `{"code":"alice","name":"Alice"}`
	bobJSON   = `{"code":"bob","name":"Bob"}`
)

func statusOf(t *testing.T, s *kintonesim.Server, id string) (string, string, string) {
	t.Helper()
	r := call(t, s, "GET", "/k/v1/record.json?app=1&id="+id, nil, alice)
	wantOK(t, r)
	rec := r.body["record"].(map[string]any)
	return val(rec, "ステータス").(string), jsonText(val(rec, "作業者")), val(rec, "$revision").(string)
}

func TestProcessRecordsAndSettings(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	r := call(t, s, "GET", "/k/v1/record.json?app=1&id=1", nil, alice)
	rec := r.body["record"].(map[string]any)
	if jsonText(rec["ステータス"]) != `{"type":"STATUS","value":"Open"}` ||
		jsonText(rec["作業者"]) != `{"type":"STATUS_ASSIGNEE","value":[`+aliceJSON+`]}` {
		t.Errorf("record 1: %v %v", rec["ステータス"], rec["作業者"])
	}
	if _, ok := rec["カテゴリー"]; ok {
		t.Error("categories are off")
	}
	if st, asg, _ := statusOf(t, s, "2"); st != "Review" || asg != `[`+aliceJSON+`,`+bobJSON+`]` {
		t.Errorf("record 2: %s %s", st, asg)
	}
	if st, asg, _ := statusOf(t, s, "3"); st != "Review" || asg != `[`+bobJSON+`]` {
		t.Errorf("record 3: %s %s", st, asg)
	}
	// Apps without process management have no STATUS values.
	r = call(t, s, "GET", "/k/v1/record.json?app=2&id=1", nil, alice)
	if _, ok := r.body["record"].(map[string]any)["ステータス"]; ok {
		t.Errorf("app 2 has a status: %s", r.raw)
	}
	// Queries on STATUS and STATUS_ASSIGNEE.
	qs := func(query string) []string {
		return ids(t, records(t, call(t, s, "GET", "/k/v1/records.json?app=1&query="+q(query), nil, alice)))
	}
	if got := qs(`ステータス in ("Review") order by $id asc`); !reflect.DeepEqual(got, []string{"2", "3"}) {
		t.Errorf("status in: %v", got)
	}
	if got := qs(`ステータス != "Review"`); !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("status !=: %v", got)
	}
	if got := qs(`作業者 in (LOGINUSER())`); !reflect.DeepEqual(got, []string{"2", "1"}) {
		t.Errorf("assignee in: %v", got)
	}
	// fields.json lists them enabled.
	r = call(t, s, "GET", "/k/v1/app/form/fields.json?app=1", nil, alice)
	props := r.body["properties"].(map[string]any)
	if jsonText(props["ステータス"]) != `{"code":"ステータス","enabled":true,"label":"ステータス","type":"STATUS"}` ||
		jsonText(props["カテゴリー"]) != `{"code":"カテゴリー","enabled":false,"label":"カテゴリー","type":"CATEGORY"}` {
		t.Errorf("fields: %v %v", props["ステータス"], props["カテゴリー"])
	}
	// New records start in the first state, assigned per its setting.
	wantBody(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 1, "record": map[string]any{
		"title": map[string]any{"value": "new"}, "ステータス": map[string]any{"value": "Done"}}}, bob), `{"id":"4","revision":"1"}`)
	if st, asg, _ := statusOf(t, s, "4"); st != "Open" || asg != `[`+bobJSON+`]` {
		t.Errorf("new record: %s %s", st, asg)
	}
	// Record updates leave them alone.
	wantOK(t, call(t, s, "PUT", "/k/v1/record.json", map[string]any{"app": 1, "id": 4, "record": map[string]any{
		"ステータス": map[string]any{"value": "Done"}, "作業者": map[string]any{"value": []any{}}}}, alice))
	if st, asg, _ := statusOf(t, s, "4"); st != "Open" || asg != `[`+bobJSON+`]` {
		t.Errorf("updated record: %s %s", st, asg)
	}

	// app/status.json, live and preview.
	want := `{"enable":true,"states":{` +
		`"Open":{"name":"Open","index":"0","assignee":{"type":"ONE","entities":[{"entity":{"type":"FIELD_ENTITY","code":"作成者"},"includeSubs":false}]}},` +
		`"Review":{"name":"Review","index":"1","assignee":{"type":"ANY","entities":[{"entity":{"type":"GROUP","code":"leads"},"includeSubs":false}]}},` +
		`"Done":{"name":"Done","index":"2","assignee":{"type":"ONE","entities":[]}}},` +
		`"actions":[{"name":"Submit","from":"Open","to":"Review","filterCond":"","type":"PRIMARY"},` +
		`{"name":"Approve","from":"Review","to":"Done","filterCond":"title != \"blocked\"","type":"PRIMARY"},` +
		`{"name":"Reopen","from":"Done","to":"Open","filterCond":"","type":"SECONDARY"}],"revision":"1"}`
	wantBody(t, call(t, s, "GET", "/k/v1/app/status.json?app=1", nil, alice), want)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/status.json?app=1&lang=en", nil, alice), want)
	wantBody(t, call(t, s, "GET", "/k/v1/app/status.json?app=2", nil, tok("p-full")), `{"enable":false,"states":null,"actions":null,"revision":"1"}`)
	wantErr(t, call(t, s, "GET", "/k/v1/app/status.json?app=1&lang=fr", nil, alice), 400, "CB_VA01", "", "lang")
	wantErr(t, call(t, s, "GET", "/k/v1/app/status.json?app=1", nil, tok("p-full")), 403, "GAIA_NO01", "")
	wantErr(t, call(t, s, "GET", "/k/v1/app/status.json?app=99", nil, alice), 404, "GAIA_AP01", "The app (ID: 99) not found. The app may have been deleted.")
}

func TestProcessActions(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	put := func(body map[string]any, h map[string]string) resp {
		return call(t, s, "PUT", "/k/v1/record/status.json", body, h)
	}
	// Only the record's assignee (alice, its creator) may act on it.
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Submit", "revision": 1}, bob), 403, "CB_NO02", "No privilege to proceed.")
	wantBody(t, put(map[string]any{"app": 1, "id": 1, "action": "Submit", "revision": 1}, alice), `{"revision":"3"}`)
	if st, asg, rev := statusOf(t, s, "1"); st != "Review" || asg != `[`+aliceJSON+`,`+bobJSON+`]` || rev != "3" {
		t.Errorf("after Submit: %s %s %s", st, asg, rev)
	}
	r := call(t, s, "GET", "/k/v1/record.json?app=1&id=1", nil, alice)
	if m := val(r.body["record"].(map[string]any), "更新者"); jsonText(m) != aliceJSON {
		t.Errorf("modifier %v", m)
	}
	// The action's from is not the current status.
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Submit"}, alice), 400, "GAIA_IL03",
		"Failed to update the status. The settings or the status itself may have been changed by someone.")
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Nope"}, ja(alice)), 400, "GAIA_IL03",
		"ステータスの変更に失敗しました。ほかのユーザーがステータス、またはステータスの設定を変更した可能性があります。")
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Approve", "revision": 2}, alice), 409, "GAIA_CO02",
		"The revision is not the latest. Someone may update a record after you opened it.")
	// filterCond must match.
	wantErr(t, put(map[string]any{"app": 1, "id": 3, "action": "Approve"}, alice), 400, "GAIA_IL03", "")
	wantBody(t, put(map[string]any{"app": "1", "id": "1", "action": "Approve", "revision": "3"}, alice), `{"revision":"5"}`)
	if st, asg, _ := statusOf(t, s, "1"); st != "Done" || asg != `[]` {
		t.Errorf("after Approve: %s %s", st, asg)
	}
	// Back to a first status that has assignees: the caller names one (GAIA_SA01 otherwise).
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Reopen"}, alice), 400, "GAIA_SA01", "Specify the assignee.")
	wantBody(t, put(map[string]any{"app": 1, "id": 1, "action": "Reopen", "assignee": "alice"}, alice), `{"revision":"7"}`)
	if st, asg, _ := statusOf(t, s, "1"); st != "Open" || asg != `[`+aliceJSON+`]` {
		t.Errorf("after Reopen: %s %s", st, asg)
	}
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Submit", "assignee": "carol"}, alice), 400, "CB_VA01", "", "assignee")
	wantErr(t, put(map[string]any{"app": 1, "id": 1, "action": "Submit", "assignee": "nobody"}, alice), 400, "CB_VA01", "", "assignee")
	wantBody(t, put(map[string]any{"app": 1, "id": 1, "action": "Submit", "assignee": "bob"}, alice), `{"revision":"9"}`)
	if _, asg, _ := statusOf(t, s, "1"); asg != `[`+bobJSON+`]` {
		t.Errorf("chosen assignee: %s", asg)
	}
	// Parameter, permission and setting errors.
	wantErr(t, put(map[string]any{"app": 1, "id": 1}, alice), 400, "CB_VA01", "", "action")
	wantErr(t, put(map[string]any{"app": 1, "action": "Submit"}, alice), 400, "CB_VA01", "", "id")
	wantErr(t, put(map[string]any{"app": 1, "id": 99, "action": "Submit"}, alice), 404, "GAIA_RE01", "")
	wantErr(t, put(map[string]any{"app": 2, "id": 1, "action": "Submit"}, alice), 400, "GAIA_ST02",
		"Your request failed. The process management feature has been disabled.")
	wantErr(t, put(map[string]any{"app": 1, "id": 2, "action": "Approve"}, tok("t-view")), 403, "GAIA_NO01", "")
	// An API token acts as Administrator, who is not an assignee of record 2.
	wantErr(t, put(map[string]any{"app": 1, "id": 2, "action": "Approve"}, tok("t-full")), 403, "CB_NO02", "")
	wantBody(t, put(map[string]any{"app": 1, "id": 2, "action": "Approve"}, bob), `{"revision":"3"}`)
	wantErr(t, call(t, s, "PUT", "/k/guest/9/v1/record/status.json", map[string]any{"app": 1, "id": 2, "action": "Reopen"}, alice), 403, "CB_NO02", "")
}

func TestProcessBulkStatusesAndAssignees(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	puts := func(recs []any) resp {
		return call(t, s, "PUT", "/k/v1/records/status.json", map[string]any{"app": 1, "records": recs}, alice)
	}
	// All or nothing: record 3 fails its filter, so record 2 keeps its status.
	r := puts([]any{map[string]any{"id": 2, "action": "Approve"}, map[string]any{"id": 3, "action": "Approve"}})
	wantErr(t, r, 400, "GAIA_IL03", "")
	if st, _, rev := statusOf(t, s, "2"); st != "Review" || rev != "1" {
		t.Errorf("rolled back: %s %s", st, rev)
	}
	wantErr(t, puts([]any{map[string]any{"id": 2, "action": "Approve", "revision": 5}}), 409, "GAIA_CO02", "")
	wantErr(t, puts([]any{map[string]any{"id": 2}}), 400, "CB_VA01", "", "records[0].action")
	wantErr(t, puts(nil), 400, "CB_VA01", "", "records")
	many := make([]any, 101)
	for i := range many {
		many[i] = map[string]any{"id": 1, "action": "Submit"}
	}
	wantErr(t, puts(many), 400, "CB_VA01", "", "records")
	wantBody(t, puts([]any{map[string]any{"id": 2, "action": "Approve", "revision": "1"}, map[string]any{"id": 1, "action": "Submit"}}),
		`{"records":[{"id":"2","revision":"3"},{"id":"1","revision":"3"}]}`)

	// Assignees.
	asg := func(body map[string]any, h map[string]string) resp {
		return call(t, s, "PUT", "/k/v1/record/assignees.json", body, h)
	}
	wantBody(t, asg(map[string]any{"app": 1, "id": 1, "assignees": []any{"bob", "carol", "bob"}, "revision": 3}, alice), `{"revision":"4"}`)
	if _, a, _ := statusOf(t, s, "1"); a != `[`+bobJSON+`,{"code":"carol","name":"Carol"}]` {
		t.Errorf("assignees %s", a)
	}
	wantBody(t, asg(map[string]any{"app": 1, "id": 1, "assignees": []any{}}, alice), `{"revision":"5"}`)
	if _, a, _ := statusOf(t, s, "1"); a != `[]` {
		t.Errorf("cleared assignees %s", a)
	}
	wantErr(t, asg(map[string]any{"app": 1, "id": 1, "assignees": []any{"nobody"}}, alice), 400, "CB_VA01", "", "assignees[0]")
	wantErr(t, asg(map[string]any{"app": 1, "id": 1}, alice), 400, "CB_VA01", "", "assignees")
	hundredOne := make([]any, 101)
	for i := range hundredOne {
		hundredOne[i] = "bob"
	}
	wantErr(t, asg(map[string]any{"app": 1, "id": 1, "assignees": hundredOne}, alice), 400, "CB_VA01", "", "assignees")
	wantErr(t, asg(map[string]any{"app": 1, "id": 1, "assignees": []any{"bob"}, "revision": 1}, alice), 409, "GAIA_CO02", "")
	wantErr(t, asg(map[string]any{"app": 2, "id": 1, "assignees": []any{"bob"}}, alice), 400, "GAIA_ST02", "")

	// bulkRequest runs status and assignee changes in its transaction.
	r = call(t, s, "POST", "/k/v1/bulkRequest.json", map[string]any{"requests": []any{
		map[string]any{"method": "PUT", "api": "/k/v1/record/assignees.json", "payload": map[string]any{"app": 1, "id": 1, "assignees": []any{"alice"}}},
		map[string]any{"method": "PUT", "api": "/k/v1/record/status.json", "payload": map[string]any{"app": 1, "id": 1, "action": "Approve"}},
		map[string]any{"method": "PUT", "api": "/k/v1/records/status.json", "payload": map[string]any{"app": 1, "records": []any{
			map[string]any{"id": 1, "action": "Reopen", "assignee": "alice"}}}},
	}}, alice)
	wantBody(t, r, `{"results":[{"revision":"6"},{"revision":"8"},{"records":[{"id":"1","revision":"10"}]}]}`)
	r = call(t, s, "POST", "/k/v1/bulkRequest.json", map[string]any{"requests": []any{
		map[string]any{"method": "PUT", "api": "/k/v1/record/status.json", "payload": map[string]any{"app": 1, "id": 1, "action": "Submit"}},
		map[string]any{"method": "PUT", "api": "/k/v1/record/status.json", "payload": map[string]any{"app": 1, "id": 1, "action": "Submit"}},
	}}, alice)
	if r.status != 400 || !strings.Contains(r.raw, `"code":"GAIA_IL03"`) || !strings.HasPrefix(r.raw, `{"results":[{},{`) {
		t.Errorf("bulk failure %d %s", r.status, r.raw)
	}
	if st, _, rev := statusOf(t, s, "1"); st != "Open" || rev != "10" {
		t.Errorf("bulk rolled back: %s %s", st, rev)
	}
}

func TestProcessFixtureErrors(t *testing.T) {
	for name, pm := range map[string]string{
		"no states":     `{"enable": true}`,
		"unknown state": `{"enable": true, "states": {"A": {"index": "0"}}, "actions": [{"name": "x", "from": "A", "to": "B"}]}`,
		"bad index":     `{"enable": true, "states": {"A": {"index": "x"}}}`,
	} {
		f, err := kintonesim.ParseFixture([]byte(`{"users": [], "apps": [{"id": 1, "name": "a", "fields": {}, "processManagement": ` + pm + `}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	f, _ := kintonesim.ParseFixture([]byte(`{"users": [], "apps": [{"id": 1, "name": "a", "fields": {},
		"processManagement": {"enable": true, "states": {"A": {"index": "0"}}},
		"records": [{"ステータス": {"value": "Z"}}]}]}`))
	if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil || !strings.Contains(err.Error(), "ステータス") {
		t.Errorf("bad status value: %v", err)
	}
}

// TestGeneralSettings: app/settings.json, live and preview, with the app's name and number
// precision.
func TestGeneralSettings(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	r := call(t, s, "GET", "/k/v1/app/settings.json?app=1", nil, alice)
	got := r.body
	precision, _ := got["numberPrecision"].(map[string]any)
	if r.status != 200 || got["name"] == "" || got["revision"] != "1" || got["enableComments"] != true ||
		!reflect.DeepEqual(precision, map[string]any{"digits": "16", "decimalPlaces": "4", "roundingMode": "HALF_EVEN"}) {
		t.Errorf("app/settings.json: %d %s", r.status, r.raw)
	}
	if p := call(t, s, "GET", "/k/v1/preview/app/settings.json?app=1", nil, alice); p.status != 200 || p.raw != r.raw {
		t.Errorf("preview: %d %s", p.status, p.raw)
	}
	wantErr(t, call(t, s, "GET", "/k/v1/app/settings.json?app=99", nil, alice), 404, "GAIA_AP01", "The app (ID: 99) not found. The app may have been deleted.")
}
