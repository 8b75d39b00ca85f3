package kintonesim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The cybozu User API (/v1/users.json, /v1/groups.json, /v1/organizations.json,
// /v1/user/groups.json, /v1/user/organizations.json), read from the fixture's users,
// organizations, groups and titles. Ids are positions in the fixture's lists (1, 2, …).
// Only password authentication is accepted: kintone API tokens are app credentials and get
// 403 CB_NO02.

// Membership is a user's place in an organization, with an optional title code. In JSON a
// plain organization code is accepted too.
type Membership struct {
	Code  string `json:"code"`
	Title string `json:"title,omitempty"`
}

// UnmarshalJSON accepts {"code", "title"} or an organization code.
func (m *Membership) UnmarshalJSON(b []byte) error {
	var code string
	if json.Unmarshal(b, &code) == nil {
		*m = Membership{Code: code}
		return nil
	}
	type plain Membership
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = Membership(p)
	return nil
}

func (u *User) memberOf(org string) bool {
	for _, m := range u.Organizations {
		if m.Code == org {
			return true
		}
	}
	return false
}

// loadExt keeps what the endpoints of routes_ext.go need from the fixture and checks it.
func (s *Server) loadExt(f *Fixture) error {
	s.extInit()
	x := &s.ext
	x.lang = f.Lang
	x.orgs = append([]Entity(nil), f.Organizations...)
	x.groups = append([]Entity(nil), f.Groups...)
	x.titles = append([]Entity(nil), f.Titles...)
	x.spaces = append([]Space(nil), f.Spaces...)
	index := func(list []Entity) map[string]bool {
		m := map[string]bool{}
		for _, e := range list {
			m[e.Code] = true
		}
		return m
	}
	orgs, groups, titles := index(x.orgs), index(x.groups), index(x.titles)
	for _, u := range f.Users {
		x.userOrder = append(x.userOrder, u.Code)
		for _, g := range u.Groups {
			if !groups[g] {
				return fmt.Errorf("kintonesim: user %q: group %q is not in groups", u.Code, g)
			}
		}
		for _, m := range u.Organizations {
			if !orgs[m.Code] {
				return fmt.Errorf("kintonesim: user %q: organization %q is not in organizations", u.Code, m.Code)
			}
			if m.Title != "" && !titles[m.Title] {
				return fmt.Errorf("kintonesim: user %q: title %q is not in titles", u.Code, m.Title)
			}
		}
	}
	seen := map[[2]int64]bool{}
	for _, sp := range x.spaces {
		k := [2]int64{sp.ID, 0}
		if sp.IsGuest {
			k[1] = 1
		}
		if sp.ID < 1 || seen[k] {
			return fmt.Errorf("kintonesim: space id %d is not positive or listed twice", sp.ID)
		}
		seen[k] = true
	}
	return nil
}

var msgUserAPIAuth = text{"No privilege to proceed. The User API accepts password authentication only.",
	"権限がありません。User APIはパスワード認証のみ使用できます。"}

// userAPIOnly lets password-authenticated calls through to h.
func (s *Server) userAPIOnly(h handler) handler {
	return func(q *request) (any, *apiError) {
		if q.auth.kind != AuthPassword {
			return nil, &apiError{status: 403, code: "CB_NO02", msg: msgUserAPIAuth}
		}
		return h(q)
	}
}

var (
	msgIDsXorCodes = text{"Specify either ids or codes.", "idsとcodesのどちらか一方を指定してください。"}
	msgSize100     = text{"Enter a value between 1 and 100.", "1以上100以下の値を指定してください。"}
)

// listParams reads ids/codes/offset/size of the list endpoints.
func listParams(q *request) (ids map[int64]bool, codes map[string]bool, offset, size int64, e *apiError) {
	idList, hasIDs := q.p.strs("ids")
	codeList, hasCodes := q.p.strs("codes")
	if hasIDs && hasCodes {
		return nil, nil, 0, 0, errInvalid("ids", msgIDsXorCodes)
	}
	if len(idList) > 100 {
		return nil, nil, 0, 0, errInvalid("ids", msgMax100)
	}
	if len(codeList) > 100 {
		return nil, nil, 0, 0, errInvalid("codes", msgMax100)
	}
	if hasIDs {
		ids = map[int64]bool{}
		for i, t := range idList {
			n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
			if err != nil {
				return nil, nil, 0, 0, errInvalid(fmt.Sprintf("ids[%d]", i), msgInteger)
			}
			ids[n] = true
		}
	}
	if hasCodes {
		codes = map[string]bool{}
		for _, c := range codeList {
			codes[c] = true
		}
	}
	if offset, e = q.p.optInt("offset", 0); e != nil {
		return
	}
	if offset < 0 {
		return nil, nil, 0, 0, errInvalid("offset", msgNotNegative)
	}
	if size, e = q.p.optInt("size", 100); e != nil {
		return
	}
	if size < 1 || size > 100 {
		return nil, nil, 0, 0, errInvalid("size", msgSize100)
	}
	return ids, codes, offset, size, nil
}

// page filters n items by id (position+1) and code and applies offset and size.
func page(n int, code func(int) string, ids map[int64]bool, codes map[string]bool, offset, size int64, render func(int) any) []any {
	out := []any{}
	skipped := int64(0)
	for i := 0; i < n && int64(len(out)) < size; i++ {
		if ids != nil && !ids[int64(i+1)] || codes != nil && !codes[code(i)] {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		out = append(out, render(i))
	}
	return out
}

const userAPITime = "2025-01-01T00:00:00Z"

func (s *Server) orgID(code string) any {
	for i, o := range s.ext.orgs {
		if o.Code == code {
			return strconv.Itoa(i + 1)
		}
	}
	return nil
}

func (s *Server) userJSON(i int) map[string]any {
	u := s.users[s.ext.userOrder[i]]
	valid := u.Valid == nil || *u.Valid
	return map[string]any{
		"id": strconv.Itoa(i + 1), "code": u.Code, "ctime": userAPITime, "mtime": userAPITime, "valid": valid,
		"name": u.Name, "surName": u.SurName, "givenName": u.GivenName, "surNameReading": "", "givenNameReading": "",
		"localName": "", "localNameLocale": "", "timezone": s.loc.String(), "locale": "auto", "description": "",
		"phone": "", "mobilePhone": "", "extensionNumber": "", "email": u.Email, "callto": "", "url": "",
		"employeeNumber": "", "birthDate": nil, "joinDate": nil, "primaryOrganization": s.orgID(u.PrimaryOrganization),
		"sortOrder": nil, "customItemValues": []any{},
	}
}

func orgJSON(i int, o Entity) map[string]any {
	return map[string]any{"id": strconv.Itoa(i + 1), "code": o.Code, "name": o.Name, "localName": "",
		"localNameLocale": "", "parentCode": nil, "description": ""}
}

func groupJSON(i int, g Entity) map[string]any {
	return map[string]any{"id": strconv.Itoa(i + 1), "code": g.Code, "name": g.Name, "description": "", "type": "static"}
}

// getUsers answers GET /v1/users.json.
func (s *Server) getUsers(q *request) (any, *apiError) {
	ids, codes, offset, size, e := listParams(q)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return map[string]any{"users": page(len(s.ext.userOrder), func(i int) string { return s.ext.userOrder[i] },
		ids, codes, offset, size, func(i int) any { return s.userJSON(i) })}, nil
}

// getOrganizations answers GET /v1/organizations.json.
func (s *Server) getOrganizations(q *request) (any, *apiError) {
	ids, codes, offset, size, e := listParams(q)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := s.ext.orgs
	return map[string]any{"organizations": page(len(l), func(i int) string { return l[i].Code },
		ids, codes, offset, size, func(i int) any { return orgJSON(i, l[i]) })}, nil
}

// getGroups answers GET /v1/groups.json.
func (s *Server) getGroups(q *request) (any, *apiError) {
	ids, codes, offset, size, e := listParams(q)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := s.ext.groups
	return map[string]any{"groups": page(len(l), func(i int) string { return l[i].Code },
		ids, codes, offset, size, func(i int) any { return groupJSON(i, l[i]) })}, nil
}

// apiUser resolves the code parameter of the user/… endpoints. The caller holds s.mu.
func (s *Server) apiUser(q *request) (*User, *apiError) {
	code, ok := q.p.str("code")
	if !ok || code == "" {
		return nil, errInvalid("code", msgRequired)
	}
	u := s.users[code]
	if u == nil {
		return nil, errInvalid("code", msgNoEntity("user", code))
	}
	return u, nil
}

// getUserGroups answers GET /v1/user/groups.json.
func (s *Server) getUserGroups(q *request) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, e := s.apiUser(q)
	if e != nil {
		return nil, e
	}
	out := []any{}
	for i, g := range s.ext.groups {
		if containsStr(u.Groups, g.Code) {
			out = append(out, groupJSON(i, g))
		}
	}
	return map[string]any{"groups": out}, nil
}

// getUserOrganizations answers GET /v1/user/organizations.json.
func (s *Server) getUserOrganizations(q *request) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, e := s.apiUser(q)
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, m := range u.Organizations {
		var org, title any
		for i, o := range s.ext.orgs {
			if o.Code == m.Code {
				org = orgJSON(i, o)
			}
		}
		for i, t := range s.ext.titles {
			if t.Code == m.Title && m.Title != "" {
				title = map[string]any{"id": strconv.Itoa(i + 1), "code": t.Code, "name": t.Name, "description": ""}
			}
		}
		out = append(out, map[string]any{"organization": org, "title": title})
	}
	return map[string]any{"organizationTitles": out}, nil
}
