package kintonesim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// userAPI answers the cybozu User API (/v1/users.json, /v1/groups.json, /v1/organizations.json,
// /v1/user/groups.json, /v1/user/organizations.json) from the fixture's users, organizations,
// groups and titles. Ids are positions in the fixture's lists (1, 2, …). Only password
// authentication is accepted (authenticate, auth.go, refuses the others).
type userAPI struct{ *store }

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

func (a userAPI) orgID(code string) any {
	for i, o := range a.orgs {
		if o.Code == code {
			return strconv.Itoa(i + 1)
		}
	}
	return nil
}

func (a userAPI) userJSON(i int) map[string]any {
	u := a.users[a.userOrder[i]]
	valid := u.Valid == nil || *u.Valid
	return map[string]any{
		"id": strconv.Itoa(i + 1), "code": u.Code, "ctime": userAPITime, "mtime": userAPITime, "valid": valid,
		"name": u.Name, "surName": u.SurName, "givenName": u.GivenName, "surNameReading": "", "givenNameReading": "",
		"localName": "", "localNameLocale": "", "timezone": a.loc.String(), "locale": "auto", "description": "",
		"phone": "", "mobilePhone": "", "extensionNumber": "", "email": u.Email, "callto": "", "url": "",
		"employeeNumber": "", "birthDate": nil, "joinDate": nil, "primaryOrganization": a.orgID(u.PrimaryOrganization),
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
func (a userAPI) getUsers(q *request) (any, *apiError) {
	ids, codes, offset, size, e := listParams(q)
	if e != nil {
		return nil, e
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return map[string]any{"users": page(len(a.userOrder), func(i int) string { return a.userOrder[i] },
		ids, codes, offset, size, func(i int) any { return a.userJSON(i) })}, nil
}

// getOrganizations answers GET /v1/organizations.json.
func (a userAPI) getOrganizations(q *request) (any, *apiError) {
	ids, codes, offset, size, e := listParams(q)
	if e != nil {
		return nil, e
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	l := a.orgs
	return map[string]any{"organizations": page(len(l), func(i int) string { return l[i].Code },
		ids, codes, offset, size, func(i int) any { return orgJSON(i, l[i]) })}, nil
}

// getGroups answers GET /v1/groups.json.
func (a userAPI) getGroups(q *request) (any, *apiError) {
	ids, codes, offset, size, e := listParams(q)
	if e != nil {
		return nil, e
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	l := a.groups
	return map[string]any{"groups": page(len(l), func(i int) string { return l[i].Code },
		ids, codes, offset, size, func(i int) any { return groupJSON(i, l[i]) })}, nil
}

// apiUser resolves the code parameter of the user/… endpoints. The caller holds a.mu.
func (a userAPI) apiUser(q *request) (*User, *apiError) {
	code, ok := q.p.str("code")
	if !ok || code == "" {
		return nil, errInvalid("code", msgRequired)
	}
	u := a.users[code]
	if u == nil {
		return nil, errInvalid("code", msgNoEntity("user", code))
	}
	return u, nil
}

// getUserGroups answers GET /v1/user/groups.json.
func (a userAPI) getUserGroups(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u, e := a.apiUser(q)
	if e != nil {
		return nil, e
	}
	out := []any{}
	for i, g := range a.groups {
		if slices.Contains(u.Groups, g.Code) {
			out = append(out, groupJSON(i, g))
		}
	}
	return map[string]any{"groups": out}, nil
}

// getUserOrganizations answers GET /v1/user/organizations.json.
func (a userAPI) getUserOrganizations(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u, e := a.apiUser(q)
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, m := range u.Organizations {
		var org, title any
		for i, o := range a.orgs {
			if o.Code == m.Code {
				org = orgJSON(i, o)
			}
		}
		for i, t := range a.titles {
			if t.Code == m.Title && m.Title != "" {
				title = map[string]any{"id": strconv.Itoa(i + 1), "code": t.Code, "name": t.Name, "description": ""}
			}
		}
		out = append(out, map[string]any{"organization": org, "title": title})
	}
	return map[string]any{"organizationTitles": out}, nil
}
