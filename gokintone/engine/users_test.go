package engine

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// extraUsers are added to the sample's twelve users, so that Users reads more than one page.
const extraUsers = 140

// newUserSchemaFixture is the sample with extraUsers more users, opened with Schema=USER.
func newUserSchemaFixture(t *testing.T) *fixture {
	t.Helper()
	fx := sample.Fixture(sample.Options{OrderRecords: 1})
	for i := range extraUsers {
		fx.Users = append(fx.Users, kintonesim.User{Code: fmt.Sprintf("user%03d", i), Name: fmt.Sprintf("User %d", i)})
	}
	return newFixtureWith(t, fx, Options{MaxRows: -1, UserSchema: true})
}

// userAPIRequests are the requests to the User API endpoint (such as "users") since the last
// reset.
func (f *fixture) userAPIRequests(endpoint string) int {
	n := 0
	for _, r := range f.sim.Requests() {
		if r.Path == "/v1/"+endpoint+".json" {
			n++
		}
	}
	return n
}

func TestUsers(t *testing.T) {
	f := newUserSchemaFixture(t)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT count(*), min(Id), max(Id) FROM Users")
	if want := [][]any{{int64(12 + extraUsers), int64(1), int64(12 + extraUsers)}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Users: got %v, want %v", got, want)
	}
	if n := f.userAPIRequests("users"); n != 2 {
		t.Errorf("%d users have been read in %d requests, want 2 pages of 100", 12+extraUsers, n)
	}
	f.sim.ResetRequests()
	got = f.query(t, "SELECT Id, Code, Name, Valid, PrimaryOrganization, CreatedTime, BirthDate FROM Users WHERE Code = 'sato'")
	want := [][]any{{int64(2), "sato", "佐藤 太郎", int64(1), int64(3), "2025-01-01T00:00:00Z", nil}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Users WHERE Code = 'sato':\n got %v\nwant %v", got, want)
	}
	if n := f.userAPIRequests("users"); n != 1 {
		t.Errorf("Code = 'sato' sent %d requests, want 1 (the codes parameter)", n)
	}
	got = f.query(t, "SELECT Code FROM Users WHERE Id IN (3, 1, 999) ORDER BY Id")
	if want := [][]any{{"admin"}, {"suzuki"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Users WHERE Id IN (…): got %v, want %v", got, want)
	}
	if _, err := f.try("DELETE FROM Users WHERE Id = 1"); kerr.KindOf(err) != kerr.KindNotSupported ||
		!strings.Contains(err.Error(), "User API") {
		t.Errorf("DELETE FROM Users: %v", err)
	}
}

func TestUserGroupsAndDepartments(t *testing.T) {
	f := newUserSchemaFixture(t)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT UserCode, GroupId, GroupCode, GroupName FROM UserGroups WHERE UserCode = 'sato' ORDER BY GroupId")
	want := [][]any{{"sato", int64(1), "managers", "マネージャー"}, {"sato", int64(2), "project-a", "プロジェクトA"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UserGroups of sato:\n got %v\nwant %v", got, want)
	}
	if n, all := f.userAPIRequests("user/groups"), f.userAPIRequests("users"); n != 1 || all != 0 {
		t.Errorf("UserCode = 'sato' sent %d user/groups and %d users requests, want 1 and 0", n, all)
	}
	got = f.query(t, `SELECT UserCode, OrganizationId, OrganizationCode, OrganizationName, TitleId, TitleCode, TitleName
		FROM UserDepartments WHERE UserCode IN ('sato', 'tanaka') ORDER BY UserCode`)
	want = [][]any{
		{"sato", int64(3), "sales-east", "東日本営業課", int64(1), "manager", "課長"},
		{"tanaka", int64(2), "sales", "営業部", int64(2), "staff", "担当"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UserDepartments:\n got %v\nwant %v", got, want)
	}
	// Without UserCode: every user is listed, and asked once.
	f.sim.ResetRequests()
	got = f.query(t, "SELECT GroupCode, count(*) FROM UserGroups GROUP BY GroupCode ORDER BY GroupCode")
	want = [][]any{{"managers", int64(3)}, {"oncall", int64(3)}, {"project-a", int64(4)}, {"sysadmins", int64(2)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UserGroups by group:\n got %v\nwant %v", got, want)
	}
	if n := f.userAPIRequests("user/groups"); n != 12+extraUsers {
		t.Errorf("UserGroups sent %d requests, want one per user (%d)", n, 12+extraUsers)
	}
	// A statement reads each user's groups once, however often SQLite scans them (once per
	// value of an IN list).
	f.sim.ResetRequests()
	got = f.query(t, "SELECT GroupCode FROM UserGroups WHERE UserCode = 'admin' AND GroupId IN (3, 1) ORDER BY GroupId")
	if want := [][]any{{"managers"}, {"sysadmins"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("admin's groups: got %v, want %v", got, want)
	}
	if n := f.userAPIRequests("user/groups"); n != 1 {
		t.Errorf("the statement sent %d user/groups requests, want 1", n)
	}
}

func TestUserSchemaTables(t *testing.T) {
	f := newUserSchemaFixture(t)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT TableName, TableType FROM sys_tables")
	want := [][]any{{"Users", "VIEW"}, {"UserGroups", "VIEW"}, {"UserDepartments", "VIEW"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sys_tables with Schema=USER:\n got %v\nwant %v", got, want)
	}
	got = f.query(t, "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = 'UserGroups' AND IsKey = 1")
	if want := [][]any{{"UserCode"}, {"GroupId"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("the key of UserGroups: got %v, want %v", got, want)
	}
	for _, r := range f.sim.Requests() {
		if strings.HasPrefix(r.Path, "/k/") {
			t.Errorf("the system tables asked kintone for %s", r.Path)
		}
	}
	if _, err := f.try("SELECT * FROM Deals"); kerr.KindOf(err) != kerr.KindSQL || !strings.Contains(err.Error(), "Schema=USER") {
		t.Errorf("an app table with Schema=USER: %v", err)
	}
	apps, names, err := f.eng.Tables(t.Context())
	if err != nil || apps != nil || names != nil {
		t.Errorf("Tables with Schema=USER: %v %v %v", apps, names, err)
	}
}

// The User API's views are not tables with Schema=REST: an app may be called Users.
func TestUserViewsOnlyWithUserSchema(t *testing.T) {
	f := newFixture(t, 1)
	if _, err := f.try("SELECT * FROM UserGroups"); err == nil || !strings.Contains(err.Error(), "no such table: UserGroups") {
		t.Errorf("UserGroups with Schema=REST: %v", err)
	}
}

// EXPLAIN KINTONE shows no kintone query for a User API view: its conditions are the driver's.
func TestExplainUserView(t *testing.T) {
	f := newUserSchemaFixture(t)
	rows := f.explain(t, "SELECT * FROM UserGroups WHERE UserCode = 'sato'")
	if len(rows) != 1 || rows[0][3] != "UserGroups" || rows[0][4] != nil || rows[0][6] != `"UserCode" = 'sato'` {
		t.Errorf("EXPLAIN KINTONE of UserGroups: %v", rows)
	}
}
