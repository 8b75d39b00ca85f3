package kintonesim_test

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestUserAPI(t *testing.T) {
	s := newExt(t, kintonesim.Options{})
	user := func(id, code, name, sur, given, email, org string, valid bool) string {
		v := "true"
		if !valid {
			v = "false"
		}
		return `{"id":"` + id + `","code":"` + code + `","ctime":"2025-01-01T00:00:00Z","mtime":"2025-01-01T00:00:00Z","valid":` + v +
			`,"name":"` + name + `","surName":"` + sur + `","givenName":"` + given + `","surNameReading":"","givenNameReading":"",` +
			`"localName":"","localNameLocale":"","timezone":"Asia/Tokyo","locale":"auto","description":"","phone":"","mobilePhone":"",` +
			`"extensionNumber":"","email":"` + email + `","callto":"","url":"","employeeNumber":"","birthDate":null,"joinDate":null,` +
			`"primaryOrganization":` + org + `,"sortOrder":null,"customItemValues":[]}`
	}
	ua := user("1", "alice", "Alice", "Liddell", "Alice", "alice@example.com", `"1"`, true)
	ub := user("2", "bob", "Bob", "", "", "", "null", true)
	uc := user("3", "carol", "Carol", "", "", "", "null", false)
	wantBody(t, call(t, s, "GET", "/v1/users.json", nil, alice), `{"users":[`+ua+`,`+ub+`,`+uc+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/users.json?ids[0]=3&ids[1]=1", nil, alice), `{"users":[`+ua+`,`+uc+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/users.json?codes[0]=bob&codes[1]=nobody", nil, alice), `{"users":[`+ub+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/users.json?offset=1&size=1", nil, alice), `{"users":[`+ub+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/users.json", map[string]any{"codes": []any{"carol"}}, alice), `{"users":[`+uc+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/users.json?offset=9", nil, alice), `{"users":[]}`)
	wantErr(t, call(t, s, "GET", "/v1/users.json?ids[0]=1&codes[0]=bob", nil, alice), 400, "CB_VA01", "", "ids")
	wantErr(t, call(t, s, "GET", "/v1/users.json?size=0", nil, alice), 400, "CB_VA01", "", "size")
	wantErr(t, call(t, s, "GET", "/v1/users.json?size=101", nil, alice), 400, "CB_VA01", "", "size")
	wantErr(t, call(t, s, "GET", "/v1/users.json?offset=-1", nil, alice), 400, "CB_VA01", "", "offset")
	wantErr(t, call(t, s, "GET", "/v1/users.json?ids[0]=x", nil, alice), 400, "CB_VA01", "", "ids[0]")
	many := "/v1/users.json?" + strings.Repeat("codes[]=a&", 101)
	wantErr(t, call(t, s, "GET", many, nil, alice), 400, "CB_VA01", "", "codes")

	org1 := `{"id":"1","code":"dev","name":"Development","localName":"","localNameLocale":"","parentCode":null,"description":""}`
	org2 := `{"id":"2","code":"ops","name":"Operations","localName":"","localNameLocale":"","parentCode":null,"description":""}`
	g1 := `{"id":"1","code":"leads","name":"Leads","description":"","type":"static"}`
	g2 := `{"id":"2","code":"all","name":"Everyone","description":"","type":"static"}`
	wantBody(t, call(t, s, "GET", "/v1/organizations.json", nil, bob), `{"organizations":[`+org1+`,`+org2+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/organizations.json?codes[0]=ops", nil, bob), `{"organizations":[`+org2+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/groups.json?ids[0]=2", nil, bob), `{"groups":[`+g2+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/groups.json?size=1", nil, bob), `{"groups":[`+g1+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/user/groups.json?code=bob", nil, alice), `{"groups":[`+g1+`,`+g2+`]}`)
	wantBody(t, call(t, s, "GET", "/v1/user/groups.json?code=carol", nil, alice), `{"groups":[]}`)
	wantBody(t, call(t, s, "GET", "/v1/user/organizations.json?code=alice", nil, alice), `{"organizationTitles":[`+
		`{"organization":`+org1+`,"title":{"id":"1","code":"boss","name":"Boss","description":""}},{"organization":`+org2+`,"title":null}]}`)
	wantErr(t, call(t, s, "GET", "/v1/user/organizations.json?code=nobody", nil, alice), 400, "CB_VA01", "", "code")
	wantErr(t, call(t, s, "GET", "/v1/user/groups.json", nil, alice), 400, "CB_VA01", "", "code")

	// Authentication: password only.
	wantErr(t, call(t, s, "GET", "/v1/users.json", nil, tok("t-full")), 403, "CB_NO02",
		"No privilege to proceed. The User API accepts password authentication only.")
	wantErr(t, call(t, s, "GET", "/v1/users.json", nil, nil), 401, "CB_AU01", "")
	wantErr(t, call(t, s, "GET", "/v1/users.json", nil, map[string]string{"X-Cybozu-Authorization": pw("alice", "bad")}), 401, "CB_WA01", "")
	wantErr(t, call(t, s, "GET", "/v1/nothing.json", nil, alice), 404, "CB_NF01", "")
	wantErr(t, call(t, s, "GET", "/v1/records.json?app=1", nil, alice), 404, "CB_NF01", "")
	wantErr(t, call(t, s, "POST", "/v1/users.json", nil, alice), 404, "CB_NF01", "")
	// Logged like the rest.
	l := s.Requests()
	if last := l[len(l)-1]; last.Path != "/v1/users.json" || last.Status != 404 || last.Code != "CB_NF01" {
		t.Errorf("log %+v", last)
	}

	// The sample has memberships.
	s = newServer(t, nil, kintonesim.Options{})
	r := get(t, s, "/v1/user/organizations.json?code=sato")
	if r.status != 200 || !strings.Contains(r.raw, `"code":"sales-east"`) || !strings.Contains(r.raw, `"name":"課長"`) {
		t.Errorf("sample memberships %s", r.raw)
	}

	// Memberships must name declared groups, organizations and titles.
	for _, bad := range []string{`"groups": ["x"]`, `"organizations": ["x"]`, `"organizations": [{"code": "o", "title": "x"}]`} {
		f, err := kintonesim.ParseFixture([]byte(`{"organizations": [{"code": "o", "name": "O"}], "apps": [], "users": [{"code": "u", "name": "U", ` + bad + `}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
