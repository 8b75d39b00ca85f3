package kintonesim_test

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// rightsFixture is an app with rights of every kind, in the fixture's JSON form.
const rightsFixture = `{"users": [{"code": "u", "name": "U", "password": "p"}], "apps": [{"id": 5, "name": "R", "lang": "en",
	"fields": {"who": {"type": "USER_SELECT"}, "price": {"type": "NUMBER"}, "note": {"type": "SINGLE_LINE_TEXT"}},
	"rights": {
	 "app": [{"entity": {"type": "ORGANIZATION", "code": "sales"}, "includeSubs": true, "recordViewable": true, "recordExportable": true},
	         {"entity": {"type": "CREATOR"}, "appEditable": true, "recordViewable": true}],
	 "fields": [{"code": "price", "entities": [{"accessibility": "WRITE", "entity": {"type": "FIELD_ENTITY", "code": "who"}},
	                                          {"accessibility": "NONE", "entity": {"type": "GROUP", "code": "everyone"}}]},
	            {"code": "note", "entities": [{"accessibility": "READ", "entity": {"type": "USER", "code": "u"}}]}],
	 "records": [{"filterCond": "price > 10", "entities": [{"entity": {"type": "USER", "code": "u"}, "viewable": true, "editable": true}]},
	             {"entities": [{"entity": {"type": "FIELD_ENTITY", "code": "who"}, "viewable": true, "deletable": true}]}]}}]}`

func TestRights(t *testing.T) {
	f, err := kintonesim.ParseFixture([]byte(rightsFixture))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, f, kintonesim.Options{})
	u := map[string]string{"X-Cybozu-Authorization": pw("u", "p")}
	appRights := `{"rights":[` +
		`{"entity":{"type":"ORGANIZATION","code":"sales"},"includeSubs":true,"appEditable":false,"recordViewable":true,"recordAddable":false,` +
		`"recordEditable":false,"recordDeletable":false,"recordImportable":false,"recordExportable":true},` +
		`{"entity":{"type":"CREATOR","code":null},"includeSubs":false,"appEditable":true,"recordViewable":true,"recordAddable":false,` +
		`"recordEditable":false,"recordDeletable":false,"recordImportable":false,"recordExportable":false}],"revision":"1"}`
	wantBody(t, call(t, s, "GET", "/k/v1/app/acl.json?app=5", nil, u), appRights)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/acl.json?app=5", nil, u), appRights)
	wantBody(t, call(t, s, "GET", "/k/v1/field/acl.json?app=5", nil, u), `{"rights":[`+
		`{"code":"price","entities":[{"accessibility":"WRITE","entity":{"type":"FIELD_ENTITY","code":"who"},"includeSubs":false},`+
		`{"accessibility":"NONE","entity":{"type":"GROUP","code":"everyone"},"includeSubs":false}]},`+
		`{"code":"note","entities":[{"accessibility":"READ","entity":{"type":"USER","code":"u"},"includeSubs":false}]}],"revision":"1"}`)
	recordRights := `{"rights":[` +
		`{"filterCond":"price > 10","entities":[{"entity":{"type":"USER","code":"u"},"viewable":true,"editable":true,"deletable":false,"includeSubs":false}]},` +
		`{"filterCond":"","entities":[{"entity":{"type":"FIELD_ENTITY","code":"who"},"viewable":true,"editable":false,"deletable":true,"includeSubs":false}]}],` +
		`"revision":"1"}`
	wantBody(t, call(t, s, "GET", "/k/v1/record/acl.json?app=5&lang=en", nil, u), recordRights)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/record/acl.json?app=5", nil, u), recordRights)
	wantErr(t, call(t, s, "GET", "/k/v1/record/acl.json?app=5&lang=xx", nil, u), 400, "CB_VA01", "", "lang")

	// A deployed form change drops the rights of the fields it deletes, and FIELD_ENTITY entities of them.
	wantBody(t, call(t, s, "DELETE", "/k/v1/preview/app/form/fields.json", map[string]any{"app": 5, "fields": []any{"note", "who"}}, u),
		`{"revision":"2"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/field/acl.json?app=5", nil, u), `{"rights":[`+
		`{"code":"price","entities":[{"accessibility":"NONE","entity":{"type":"GROUP","code":"everyone"},"includeSubs":false}]}],"revision":"2"}`)
	wantOK(t, call(t, s, "POST", "/k/v1/preview/app/deploy.json", map[string]any{"apps": []any{map[string]any{"app": 5}}}, u))
	wantBody(t, call(t, s, "GET", "/k/v1/record/acl.json?app=5", nil, u), `{"rights":[`+
		`{"filterCond":"price > 10","entities":[{"entity":{"type":"USER","code":"u"},"viewable":true,"editable":true,"deletable":false,"includeSubs":false}]},`+
		`{"filterCond":"","entities":[]}],"revision":"2"}`)
}

func TestDefaultRights(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	// An app without rights in the fixture has those of a new app: its creator may do
	// everything, everyone may use its records; no field or record rights.
	everyone := `{"rights":[` +
		`{"entity":{"type":"CREATOR","code":null},"includeSubs":false,"appEditable":true,"recordViewable":true,"recordAddable":true,` +
		`"recordEditable":true,"recordDeletable":true,"recordImportable":true,"recordExportable":true},` +
		`{"entity":{"type":"GROUP","code":"everyone"},"includeSubs":false,"appEditable":false,"recordViewable":true,"recordAddable":true,` +
		`"recordEditable":true,"recordDeletable":true,"recordImportable":false,"recordExportable":false}],"revision":"1"}`
	wantBody(t, call(t, s, "GET", "/k/v1/app/acl.json?app=2", nil, alice), everyone)
	wantBody(t, call(t, s, "GET", "/k/v1/preview/app/acl.json?app=2", nil, tok("p-full")), everyone)
	wantBody(t, call(t, s, "GET", "/k/guest/9/v1/app/acl.json?app=3", nil, alice), everyone)
	wantBody(t, call(t, s, "GET", "/k/v1/field/acl.json?app=1", nil, alice), `{"rights":[],"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/record/acl.json?app=1", nil, alice), `{"rights":[],"revision":"1"}`)
	for _, endpoint := range []string{"app/acl", "field/acl", "record/acl"} {
		path := "/k/v1/" + endpoint + ".json"
		wantErr(t, call(t, s, "GET", path, nil, alice), 400, "CB_VA01", "", "app")
		wantErr(t, call(t, s, "GET", path+"?app=42", nil, alice), 404, "GAIA_AP01", "")
		wantErr(t, call(t, s, "GET", path+"?app=3", nil, alice), 400, "GAIA_IL23", "")
		wantErr(t, call(t, s, "GET", path+"?app=2", nil, tok("t-full")), 403, "GAIA_NO01", "")
	}
	// The sample's apps have rights worth reading.
	s = newServer(t, nil, kintonesim.Options{})
	r := get(t, s, "/k/v1/field/acl.json?app=2")
	if rights := r.body["rights"].([]any); len(rights) != 2 || jsonText(rights[1]) !=
		`{"code":"expected_revenue","entities":[{"accessibility":"READ","entity":{"code":"managers","type":"GROUP"},"includeSubs":false},`+
			`{"accessibility":"NONE","entity":{"code":"everyone","type":"GROUP"},"includeSubs":false}]}` {
		t.Errorf("sample field rights: %s", r.raw)
	}
}

func TestRightsFixtureErrors(t *testing.T) {
	for rights, want := range map[string]string{
		`{"app": [{"entity": {"type": "FIELD_ENTITY", "code": "who"}}]}`:                                       `app[0]: entity type "FIELD_ENTITY" is not USER, GROUP, ORGANIZATION or CREATOR`,
		`{"app": [{"entity": {"type": "CREATOR", "code": "u"}}]}`:                                              `a CREATOR entity has no code`,
		`{"app": [{"entity": {"type": "USER", "code": "u"}, "includeSubs": true}]}`:                            `includeSubs applies to organizations only`,
		`{"fields": [{"code": "nope", "entities": []}]}`:                                                       `fields[0]: "nope" is not a field`,
		`{"fields": [{"code": "price", "entities": [{"accessibility": "ALL", "entity": {"type": "USER"}}]}]}`:  `accessibility "ALL"`,
		`{"fields": [{"code": "price", "entities": [{"accessibility": "READ", "entity": {"type": "USER"}}]}]}`: `a USER entity needs a code`,
		`{"records": [{"entities": [{"entity": {"type": "CREATOR"}}]}]}`:                                       `entity type "CREATOR" is not USER, GROUP, ORGANIZATION or FIELD_ENTITY`,
		`{"records": [{"entities": [{"entity": {"type": "FIELD_ENTITY", "code": "price"}}]}]}`:                 `FIELD_ENTITY "price" is not a field of users`,
		`{"records": [{"filterCond": "nope = 1", "entities": []}]}`:                                            `records[0]: filterCond "nope = 1"`,
	} {
		f, err := kintonesim.ParseFixture([]byte(`{"users": [], "apps": [{"id": 5, "name": "R",
			"fields": {"who": {"type": "USER_SELECT"}, "price": {"type": "NUMBER"}}, "rights": ` + rights + `}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("rights %s: %v, want an error with %q", rights, err, want)
		}
	}
}
