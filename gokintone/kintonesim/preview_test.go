package kintonesim_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func fieldCodes(t *testing.T, r resp) []string {
	t.Helper()
	wantOK(t, r)
	var out []string
	for c := range r.body["properties"].(map[string]any) {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func TestPreviewNewAppAndDeploy(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app.json", map[string]any{"name": "Inventory", "space": 7, "thread": 7}, alice),
		`{"app":"4","revision":"2"}`)
	// Not live before its deploy.
	wantErr(t, call(t, s, "GET", "/k/v1/app.json?id=4", nil, alice), 404, "GAIA_AP01", "")
	wantErr(t, call(t, s, "GET", "/k/v1/app/form/fields.json?app=4", nil, alice), 404, "GAIA_AP01", "")
	wantErr(t, call(t, s, "GET", "/k/v1/records.json?app=4", nil, alice), 404, "GAIA_AP01", "")
	r := call(t, s, "GET", "/k/v1/preview/app/form/fields.json?app=4", nil, alice)
	if got := strings.Join(fieldCodes(t, r), ","); got != "カテゴリー,ステータス,レコード番号,作成日時,作成者,作業者,更新日時,更新者" || r.body["revision"] != "2" {
		t.Errorf("new form: %s (revision %v)", got, r.body["revision"])
	}
	add := func(app int, rev any, props map[string]any) resp {
		body := map[string]any{"app": app, "properties": props}
		if rev != nil {
			body["revision"] = rev
		}
		return call(t, s, "POST", "/k/v1/preview/app/form/fields.json", body, alice)
	}
	wantBody(t, add(4, 2, map[string]any{"sku": map[string]any{"type": "SINGLE_LINE_TEXT", "label": "SKU", "unique": true, "size": "x"},
		"qty": map[string]any{"type": "NUMBER", "code": "qty"}}), `{"revision":"3"}`)
	wantErr(t, add(4, 2, map[string]any{"x": map[string]any{"type": "NUMBER"}}), 409, "GAIA_CO02", "")
	wantErr(t, add(4, nil, map[string]any{"sku": map[string]any{"type": "NUMBER"}}), 400, "CB_VA01", "", "properties.sku.code")
	wantErr(t, add(4, nil, map[string]any{"y": map[string]any{"label": "no type"}}), 400, "CB_VA01", "", "properties.y.type")
	wantErr(t, add(4, nil, map[string]any{"z": map[string]any{"type": "WHATEVER"}}), 400, "CB_VA01", "", "properties")
	wantErr(t, add(4, nil, nil), 400, "CB_VA01", "", "properties")
	r = call(t, s, "GET", "/k/v1/preview/app/form/fields.json?app=4", nil, alice)
	props := r.body["properties"].(map[string]any)
	if r.body["revision"] != "3" || jsonText(props["sku"].(map[string]any)["size"]) != `"x"` || props["sku"].(map[string]any)["unique"] != true {
		t.Errorf("preview form: %s", r.raw)
	}

	// Deploy; the first status read says PROCESSING.
	dep := func(body map[string]any) resp {
		return call(t, s, "POST", "/k/v1/preview/app/deploy.json", body, alice)
	}
	wantErr(t, dep(map[string]any{"apps": []any{map[string]any{"app": 4, "revision": 2}}}), 409, "GAIA_CO02", "")
	wantErr(t, dep(map[string]any{"apps": []any{map[string]any{"app": 99}}}), 404, "GAIA_AP01", "")
	wantErr(t, dep(map[string]any{"apps": []any{}}), 400, "CB_VA01", "", "apps")
	wantBody(t, dep(map[string]any{"apps": []any{map[string]any{"app": 4, "revision": "3"}}}), `{}`)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/deploy.json?apps[0]=4&apps[1]=2", nil, alice),
		`{"apps":[{"app":"4","status":"PROCESSING"},{"app":"2","status":"SUCCESS"}]}`)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/deploy.json", map[string]any{"apps": []any{4}}, alice),
		`{"apps":[{"app":"4","status":"SUCCESS"}]}`)
	wantErr(t, call(t, s, "GET", "/k/v1/preview/app/deploy.json?apps[0]=98", nil, alice), 404, "GAIA_AP01", "")

	// Live now.
	wantBody(t, call(t, s, "GET", "/k/v1/app.json?id=4", nil, alice), `{"appId":"4","code":"","name":"Inventory","description":"",`+
		`"spaceId":"7","threadId":"7","createdAt":"2026-03-04T05:06:07Z","creator":{"code":"alice","name":"Alice"},`+
		`"modifiedAt":"2026-03-04T05:06:07Z","modifier":{"code":"alice","name":"Alice"}}`)
	r = call(t, s, "GET", "/k/v1/app/form/fields.json?app=4", nil, alice)
	if got := strings.Join(fieldCodes(t, r), ","); !strings.Contains(got, "qty") || r.body["revision"] != "3" {
		t.Errorf("live form: %s (revision %v)", got, r.body["revision"])
	}
	wantBody(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 4, "record": map[string]any{
		"sku": map[string]any{"value": "A-1"}, "qty": map[string]any{"value": "2"}}}, alice), `{"id":"1","revision":"1"}`)
	wantErr(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 4, "record": map[string]any{
		"sku": map[string]any{"value": "A-1"}}}, alice), 400, "CB_VA01", "", "record.sku.value")
	r = call(t, s, "GET", "/k/v1/apps.json?spaceIds[0]=7", nil, alice)
	if n := len(r.body["apps"].([]any)); n != 2 {
		t.Errorf("apps in space 7: %s", r.raw)
	}
	wantBody(t, call(t, s, "GET", "/k/v1/app/form/layout.json?app=4", nil, alice), `{"layout":[`+
		`{"type":"ROW","fields":[{"type":"NUMBER","code":"qty","size":{"width":"200"}}]},`+
		`{"type":"ROW","fields":[{"type":"SINGLE_LINE_TEXT","code":"sku","size":{"width":"200"}}]}],"revision":"3"}`)

	// Creating apps: names, tokens, guest spaces.
	wantErr(t, call(t, s, "POST", "/k/v1/preview/app.json", map[string]any{"name": ""}, alice), 400, "CB_VA01", "", "name")
	wantErr(t, call(t, s, "POST", "/k/v1/preview/app.json", map[string]any{"name": strings.Repeat("a", 65)}, alice), 400, "CB_VA01", "", "name")
	wantErr(t, call(t, s, "POST", "/k/v1/preview/app.json", map[string]any{"name": "x"}, tok("t-full")), 403, "GAIA_NO01", "")
	wantErr(t, call(t, s, "POST", "/k/v1/app.json", map[string]any{"name": "x"}, alice), 404, "CB_NF01", "")
	wantBody(t, call(t, s, "POST", "/k/guest/9/v1/preview/app.json", map[string]any{"name": "G"}, alice), `{"app":"5","revision":"2"}`)
	wantErr(t, call(t, s, "GET", "/k/v1/preview/app/form/fields.json?app=5", nil, alice), 400, "GAIA_IL23", "")
	wantOK(t, call(t, s, "POST", "/k/guest/9/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": 5}}}, alice))
	r = call(t, s, "GET", "/k/guest/9/v1/app.json?id=5", nil, alice)
	if r.status != 200 || r.body["spaceId"] != "9" {
		t.Errorf("guest app %s", r.raw)
	}
}

func TestPreviewChangesLiveApp(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	h := tok("p-full") // app settings calls accept any token of the app
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 2, "revision": 1,
		"properties": map[string]any{"qty": map[string]any{"type": "NUMBER", "defaultValue": "5"},
			"tbl": map[string]any{"type": "SUBTABLE", "fields": map[string]any{"c": map[string]any{"type": "NUMBER"}}}}}, h), `{"revision":"2"}`)
	// The live app is unchanged until the deploy.
	if got := strings.Join(fieldCodes(t, call(t, s, "GET", "/k/v1/app/form/fields.json?app=2", nil, h)), ","); strings.Contains(got, "qty") {
		t.Errorf("live form changed early: %s", got)
	}
	r := call(t, s, "GET", "/k/v1/preview/app/form/fields.json?app=2", nil, h)
	if r.body["revision"] != "2" || r.body["properties"].(map[string]any)["qty"] == nil {
		t.Errorf("preview form %s", r.raw)
	}
	// Rename name → title, change a label, delete qty, check revisions and errors.
	put := func(props map[string]any, rev any) resp {
		return call(t, s, "PUT", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 2, "properties": props, "revision": rev}, h)
	}
	wantBody(t, put(map[string]any{"name": map[string]any{"code": "title", "label": "Title"},
		"tbl": map[string]any{"fields": map[string]any{"c": map[string]any{"label": "C"}, "d": map[string]any{"type": "SINGLE_LINE_TEXT"}}}}, "2"), `{"revision":"3"}`)
	wantErr(t, put(map[string]any{"nope": map[string]any{"label": "x"}}, nil), 400, "GAIA_FC01", "The specified field (code: nope) not found.")
	wantErr(t, put(map[string]any{"qty": map[string]any{"type": "SINGLE_LINE_TEXT"}}, nil), 400, "CB_VA01", "", "properties.qty.type")
	wantErr(t, put(map[string]any{"qty": map[string]any{"code": "title"}}, nil), 400, "CB_VA01", "", "properties.qty.code")
	wantErr(t, put(map[string]any{"qty": map[string]any{"label": "x"}}, 1), 409, "GAIA_CO02", "")
	del := func(fields []any, rev any) resp {
		return call(t, s, "DELETE", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 2, "fields": fields, "revision": rev}, h)
	}
	wantErr(t, del([]any{"nope"}, nil), 400, "GAIA_FC01", "")
	wantErr(t, del([]any{"レコード番号"}, nil), 400, "CB_VA01", "", "fields[0]")
	wantErr(t, del(nil, nil), 400, "CB_VA01", "", "fields")
	wantBody(t, del([]any{"qty", "d"}, 3), `{"revision":"4"}`)
	r = call(t, s, "GET", "/k/v1/preview/app/form/fields.json?app=2", nil, h)
	props := r.body["properties"].(map[string]any)
	tbl := props["tbl"].(map[string]any)["fields"].(map[string]any)
	if props["qty"] != nil || props["name"] != nil || props["title"].(map[string]any)["label"] != "Title" ||
		tbl["c"].(map[string]any)["label"] != "C" || tbl["d"] != nil {
		t.Errorf("preview form after changes: %s", r.raw)
	}
	// DELETE parameters may come in the query string too.
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 2,
		"properties": map[string]any{"tmp": map[string]any{"type": "DATE"}}}, h), `{"revision":"5"}`)
	wantBody(t, call(t, s, "DELETE", "/k/v1/preview/app/form/fields.json?app=2&fields[0]=tmp", nil, h), `{"revision":"6"}`)

	// Revert throws the preview away.
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": 2}}, "revert": true}, h), `{}`)
	r = call(t, s, "GET", "/k/v1/preview/app/form/fields.json?app=2", nil, h)
	if got := strings.Join(fieldCodes(t, r), ","); !strings.Contains(got, "name") || strings.Contains(got, "title") || r.body["revision"] != "1" {
		t.Errorf("reverted preview: %s (revision %v)", got, r.body["revision"])
	}

	// Again, and deploy: values follow renamed fields, new fields start empty.
	wantOK(t, put(map[string]any{"name": map[string]any{"code": "title"}}, 1))
	wantOK(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 2,
		"properties": map[string]any{"name": map[string]any{"type": "SINGLE_LINE_TEXT"}, "n": map[string]any{"type": "NUMBER", "defaultValue": "3"},
			"c2": map[string]any{"type": "CALC", "expression": "n * 2"}}}, h))
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": 2, "revision": 3}}}, h), `{}`)
	r = call(t, s, "GET", "/k/v1/record.json?app=2&id=1", nil, h)
	rec := r.body["record"].(map[string]any)
	if val(rec, "title") != "x" || val(rec, "name") != "" || val(rec, "n") != "" || val(rec, "c2") != "0" || val(rec, "$revision") != "1" {
		t.Errorf("migrated record %s", r.raw)
	}
	wantBody(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2, "record": map[string]any{}}, h), `{"id":"2","revision":"1"}`)
	if v := recordField(t, s, "2", "2", "c2"); v != "6" {
		t.Errorf("new record calc %v", v)
	}
	if r := call(t, s, "GET", "/k/v1/app/form/fields.json?app=2", nil, h); r.body["revision"] != "3" {
		t.Errorf("live revision %v", r.body["revision"])
	}
	// Tokens of the app still work, others still do not.
	wantErr(t, call(t, s, "GET", "/k/v1/records.json?app=2", nil, tok("t-full")), 403, "GAIA_NO01", "")
	wantErr(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 2,
		"properties": map[string]any{"z": map[string]any{"type": "DATE"}}}, tok("t-full")), 403, "GAIA_NO01", "")
	// Preview paths other than the settings ones do not exist.
	wantErr(t, call(t, s, "GET", "/k/v1/preview/records.json?app=2", nil, h), 404, "CB_NF01", "")
}

func TestPreviewDeployKeepsProcessAndTables(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	wantOK(t, call(t, s, "PUT", "/k/v1/record.json", map[string]any{"app": 1, "id": 2, "record": map[string]any{
		"lines": map[string]any{"value": []any{map[string]any{"value": map[string]any{"item": map[string]any{"value": "pen"}}}}}}}, alice))
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 1,
		"properties": map[string]any{"due": map[string]any{"type": "DATE"}}}, alice), `{"revision":"2"}`)
	wantBody(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": "1", "revision": "2"}}}, alice), `{}`)
	st, asg, rev := statusOf(t, s, "2")
	if st != "Review" || asg != `[`+aliceJSON+`,`+bobJSON+`]` || rev != "2" {
		t.Errorf("status after deploy: %s %s %s", st, asg, rev)
	}
	lines := recordField(t, s, "1", "2", "lines").([]any)
	if len(lines) != 1 || jsonText(lines[0].(map[string]any)["value"]) != `{"item":{"type":"SINGLE_LINE_TEXT","value":"pen"}}` {
		t.Errorf("table after deploy: %s", jsonText(lines))
	}
	if v := recordField(t, s, "1", "2", "due"); v != nil {
		t.Errorf("new DATE field %v", v)
	}
	wantBody(t, call(t, s, "PUT", "/k/v1/record/status.json", map[string]any{"app": 1, "id": 2, "action": "Approve", "revision": 2}, alice), `{"revision":"4"}`)
	// The fixture's spaceId and tokens survive.
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, tok("t-view")))
	r := call(t, s, "GET", "/k/v1/app.json?id=1", nil, alice)
	if r.body["spaceId"] != "7" {
		t.Errorf("app after deploy %s", r.raw)
	}
}
