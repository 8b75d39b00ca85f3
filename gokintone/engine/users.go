package engine

// The views of Schema=USER, read from the cybozu User API (password authentication only):
// Users (/v1/users.json), UserGroups (/v1/user/groups.json) and UserDepartments
// (/v1/user/organizations.json), read-only. Users pages through every user (100 a request);
// an equality on Id or Code is sent as the ids or codes parameter (an IN list is one request
// per value, as SQLite scans once per value). UserGroups and UserDepartments have one row per
// user and group, or user and department: an equality on UserCode reads that user's only;
// without one the scan lists the users and asks once per user. Each column's FieldCode is the
// attribute of the User API's object it holds (a dotted path into a nested object); every
// condition is then evaluated on the rows read.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// userAPIPage is the most objects one User API list request returns (its size parameter).
const userAPIPage = 100

// userView is a view of the User API. A view with an endpoint has one request per user (its
// first column the user's code); one without is Users.
type userView struct {
	info     tableInfo
	endpoint string // below /v1/, without .json: a per-user endpoint taking the code parameter
	property string // the reply's list of objects
}

// The columns of Users, by index (the ones the scan reads by position).
const (
	userID = iota
	userCode
)

// usersView is the Users view: one row per user, each column the attribute of the User API's
// user its FieldCode names.
var usersView = &schema.Table{Name: "Users", Columns: []schema.Column{
	userID:   propertyColumn("Id", "id", schema.TypeInteger),
	userCode: propertyColumn("Code", "code", schema.TypeVarchar),
	propertyColumn("Name", "name", schema.TypeVarchar),
	propertyColumn("Email", "email", schema.TypeVarchar),
	propertyColumn("Valid", "valid", schema.TypeInteger),
	propertyColumn("CreatedTime", "ctime", schema.TypeDatetime),
	propertyColumn("UpdatedTime", "mtime", schema.TypeDatetime),
	propertyColumn("SurName", "surName", schema.TypeVarchar),
	propertyColumn("GivenName", "givenName", schema.TypeVarchar),
	propertyColumn("SurNameReading", "surNameReading", schema.TypeVarchar),
	propertyColumn("GivenNameReading", "givenNameReading", schema.TypeVarchar),
	propertyColumn("LocalName", "localName", schema.TypeVarchar),
	propertyColumn("LocalNameLocale", "localNameLocale", schema.TypeVarchar),
	propertyColumn("Timezone", "timezone", schema.TypeVarchar),
	propertyColumn("Locale", "locale", schema.TypeVarchar),
	propertyColumn("Description", "description", schema.TypeVarchar),
	propertyColumn("Phone", "phone", schema.TypeVarchar),
	propertyColumn("MobilePhone", "mobilePhone", schema.TypeVarchar),
	propertyColumn("ExtensionNumber", "extensionNumber", schema.TypeVarchar),
	propertyColumn("SkypeID", "callto", schema.TypeVarchar),
	propertyColumn("Url", "url", schema.TypeVarchar),
	propertyColumn("EmployeeNumber", "employeeNumber", schema.TypeVarchar),
	propertyColumn("BirthDate", "birthDate", schema.TypeDate),
	propertyColumn("JoinDate", "joinDate", schema.TypeDate),
	propertyColumn("PrimaryOrganization", "primaryOrganization", schema.TypeInteger),
	propertyColumn("SortOrder", "sortOrder", schema.TypeInteger),
	propertyColumn("CustomItemValues", "customItemValues", schema.TypeVarchar),
}}

var usersUserView = &userView{property: "users",
	info: tableInfo{table: usersView, kind: "VIEW", keys: []int{userID},
		description: "The users of the cybozu.com domain (User API users.json), one row per user. Id and Code equalities (or IN lists) are sent to the User API"}}

// userGroupsView is the UserGroups view: one row per user and group the user belongs to.
var userGroupsView = &schema.Table{Name: "UserGroups", Columns: []schema.Column{
	propertyColumn("UserCode", "", schema.TypeVarchar),
	propertyColumn("GroupId", "id", schema.TypeInteger),
	propertyColumn("GroupCode", "code", schema.TypeVarchar),
	propertyColumn("GroupName", "name", schema.TypeVarchar),
	propertyColumn("GroupDescription", "description", schema.TypeVarchar),
	propertyColumn("GroupType", "type", schema.TypeVarchar),
}}

var userGroupsUserView = &userView{endpoint: "user/groups", property: "groups",
	info: tableInfo{table: userGroupsView, kind: "VIEW", keys: []int{0, 1},
		description: "The groups each user belongs to (User API user/groups.json), one row per user and group. UserCode = … (or an IN list) reads those users only; without it, one request per user"}}

// userDepartmentsView is the UserDepartments view: one row per user and department
// (organization) the user belongs to, with the user's job title there.
var userDepartmentsView = &schema.Table{Name: "UserDepartments", Columns: []schema.Column{
	propertyColumn("UserCode", "", schema.TypeVarchar),
	propertyColumn("OrganizationId", "organization.id", schema.TypeInteger),
	propertyColumn("OrganizationCode", "organization.code", schema.TypeVarchar),
	propertyColumn("OrganizationName", "organization.name", schema.TypeVarchar),
	propertyColumn("OrganizationLocalName", "organization.localName", schema.TypeVarchar),
	propertyColumn("OrganizationLocalNameLocale", "organization.localNameLocale", schema.TypeVarchar),
	propertyColumn("OrganizationParentCode", "organization.parentCode", schema.TypeVarchar),
	propertyColumn("OrganizationDescription", "organization.description", schema.TypeVarchar),
	propertyColumn("TitleId", "title.id", schema.TypeInteger),
	propertyColumn("TitleCode", "title.code", schema.TypeVarchar),
	propertyColumn("TitleName", "title.name", schema.TypeVarchar),
	propertyColumn("TitleDescription", "title.description", schema.TypeVarchar),
}}

var userDepartmentsUserView = &userView{endpoint: "user/organizations", property: "organizationTitles",
	info: tableInfo{table: userDepartmentsView, kind: "VIEW", keys: []int{0, 1},
		description: "The departments each user belongs to, with the user's job title there (User API user/organizations.json), one row per user and department. UserCode = … (or an IN list) reads those users only; without it, one request per user"}}

// userViews are the views of Schema=USER, in the order sys_tables lists them.
var userViews = []*userView{usersUserView, userGroupsUserView, userDepartmentsUserView}

// userViewInfos describe the views of Schema=USER, in the order sys_tables lists them.
func userViewInfos() []tableInfo {
	infos := make([]tableInfo, len(userViews))
	for i, u := range userViews {
		infos[i] = u.info
	}
	return infos
}

// userViewOf returns the User API view t is, or nil.
func userViewOf(t *schema.Table) *userView {
	for _, u := range userViews {
		if u.info.table == t {
			return u
		}
	}
	return nil
}

// userViewNamed returns the User API view called name (case-insensitive), or nil.
func userViewNamed(name string) *schema.Table {
	for _, u := range userViews {
		if strings.EqualFold(name, u.info.table.Name) {
			return u.info.table
		}
	}
	return nil
}

// cost steers SQLite to the plans that give a scan of the view an equality on its key
// column (UserCode; Users: Id or Code) from a literal, a parameter or the other side of a
// join: it reads one user, where a scan without one reads them all (and, for a per-user
// view, asks once per user).
func (u *userView) cost(res *sqlite3.IndexResult, csts []sqlite3.InfoConstraint) {
	for i, c := range csts {
		if res.Used[i] && (int(c.Op) == opEQ || int(c.Op) == opIS) &&
			(c.Column == 0 || u.endpoint == "" && c.Column == userCode) {
			res.EstimatedCost, res.EstimatedRows = 10, 10
			return
		}
	}
	res.EstimatedCost, res.EstimatedRows = 1e9, 1e6
	if u.endpoint == "" {
		res.EstimatedCost = 1e6 // a page of 100 users a request
	}
}

// userRead is a read of the User API, the key of its rows in a statement's reads (readOnce):
// a view and the user code (Users: the filter sent, "" for all users).
type userRead struct {
	view *userView
	key  string
}

// userSource starts a scan of a User API view (the cursor re-checks every constraint).
func (v *vtab) userSource(ctx context.Context, st *Stmt, u *userView, cons [][3]int, args []any) (rowSource, error) {
	if u.endpoint == "" {
		rows, err := v.e.users(ctx, st, cons, args)
		if err != nil {
			return nil, err
		}
		return &sliceSource{rows: valueRows(rows)}, nil
	}
	var codes []string
	if code, found := textEquality(cons, args, 0); found {
		codes = []string{code}
	} else {
		users, err := v.e.users(ctx, st, nil, nil)
		if err != nil {
			return nil, err
		}
		for _, user := range users {
			codes = append(codes, toText(user[userCode]))
		}
	}
	var rows [][]any
	for _, code := range codes {
		if code == "" {
			continue // no user has it
		}
		userRows, err := v.e.userViewRows(ctx, st, u, code)
		if err != nil {
			return nil, err
		}
		rows = append(rows, userRows...)
	}
	return &sliceSource{rows: valueRows(rows)}, nil
}

// textEquality finds an equality of column col with text and returns the text. (An equality
// with another value is left to the re-check: SQLite may compare it as text.)
func textEquality(cons [][3]int, args []any, col int) (string, bool) {
	for i, con := range cons {
		if con[0] == col && (con[1] == opEQ || con[1] == opIS) {
			if s, ok := sqlValue(args[i]).(string); ok {
				return s, true
			}
		}
	}
	return "", false
}

// users are the rows of Users for the Id or Code equality among the constraints (all users
// without one), read once per statement.
func (e *Engine) users(ctx context.Context, st *Stmt, cons [][3]int, args []any) ([][]any, error) {
	params, key := map[string]any{}, ""
	if id, found := idEquality(cons, args, userID); found {
		if id <= 0 {
			return nil, nil // no user has such an id
		}
		params["ids"], key = []int64{id}, "id "+strconv.FormatInt(id, 10)
	} else if code, found := textEquality(cons, args, userCode); found {
		if code == "" {
			return nil, nil
		}
		params["codes"], key = []string{code}, "code "+code
	}
	return readOnce(st, userRead{usersUserView, key}, func() ([][]any, error) {
		var rows [][]any
		for offset := 0; ; offset += userAPIPage {
			params["offset"], params["size"] = offset, userAPIPage
			page, err := e.userAPIObjects(ctx, "users", params, "users", usersView)
			if err != nil {
				return nil, err
			}
			rows = append(rows, page...)
			if len(page) < userAPIPage {
				return rows, nil
			}
		}
	})
}

// userViewRows are the rows of a per-user view for one user, read once per statement.
func (e *Engine) userViewRows(ctx context.Context, st *Stmt, u *userView, code string) ([][]any, error) {
	return readOnce(st, userRead{u, code}, func() ([][]any, error) {
		rows, err := e.userAPIObjects(ctx, u.endpoint, map[string]any{"code": code}, u.property, u.info.table)
		for _, r := range rows {
			r[0] = code
		}
		return rows, err
	})
}

// userAPIObjects sends one GET to the User API and returns the objects of the reply's
// property as rows of t.
func (e *Engine) userAPIObjects(ctx context.Context, endpoint string, params map[string]any, property string, t *schema.Table) ([][]any, error) {
	var reply json.RawMessage
	if err := e.client.Do(ctx, kclient.Request{Method: "GET", Endpoint: endpoint, UserAPI: true, Params: params}, &reply); err != nil {
		return nil, err
	}
	var body map[string]json.RawMessage
	var objects []attributes
	if json.Unmarshal(reply, &body) != nil || json.Unmarshal(body[property], &objects) != nil {
		return nil, kerr.New(kerr.KindBadReply, "the User API sent %s.json in an unexpected shape: %s", endpoint, schema.ShortJSON(reply))
	}
	rows := make([][]any, len(objects))
	for i, o := range objects {
		row, err := o.typedRow(t)
		if err != nil {
			return nil, err
		}
		rows[i] = row
	}
	return rows, nil
}

// typedRow is the row of t for the object a: each column the attribute at its FieldCode (a
// dotted path into nested objects; nil for a column without one), in the column's type.
func (a attributes) typedRow(t *schema.Table) ([]any, error) {
	vals := make([]any, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.FieldCode == "" {
			continue
		}
		v := a.text(c.FieldCode)
		if s, ok := v.(string); ok {
			var err error
			if v, err = c.FromText(s); err != nil {
				return nil, err
			}
		}
		vals[i] = v
	}
	return vals, nil
}

// CheckUserAPI checks that the connection may read the User API (Schema=USER): one request
// for one user.
func (e *Engine) CheckUserAPI(ctx context.Context) error {
	_, err := e.userAPIObjects(ctx, "users", map[string]any{"size": 1}, "users", usersView)
	return err
}
