package kintonesim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// App settings reads (app/form/layout.json, app/views.json, app/status.json, each also under
// /preview/) and spaces (space.json, space/members.json).

// Space is a space of the domain. A guest space and a normal space may share an id: guest
// spaces are reached through /k/guest/{id}/v1/ only.
type Space struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	IsGuest   bool          `json:"isGuest,omitempty"`
	IsPrivate bool          `json:"isPrivate,omitempty"` // only members may read it
	Body      string        `json:"body,omitempty"`      // the space's HTML body
	Creator   string        `json:"creator,omitempty"`   // user code; default the first user
	Members   []SpaceMember `json:"members,omitempty"`
}

// SpaceMember is a member of a space; in JSON a plain user code is accepted too.
type SpaceMember struct {
	Entity      EntityRef `json:"entity"` // USER, GROUP or ORGANIZATION
	IsAdmin     bool      `json:"isAdmin,omitempty"`
	IncludeSubs bool      `json:"includeSubs,omitempty"`
}

// UnmarshalJSON accepts {"entity": {...}, "isAdmin", "includeSubs"} or a user code.
func (m *SpaceMember) UnmarshalJSON(b []byte) error {
	var code string
	if json.Unmarshal(b, &code) == nil {
		*m = SpaceMember{Entity: EntityRef{Code: code, Type: "USER"}}
		return nil
	}
	type plain SpaceMember
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Entity.Type == "" {
		p.Entity.Type = "USER"
	}
	*m = SpaceMember(p)
	return nil
}

var msgLang = text{"Enter one of default, en, ja, zh, user.", "default, en, ja, zh, user のいずれかを指定してください。"}

func checkLangParam(q *request) *apiError {
	if l, ok := q.p.str("lang"); ok {
		switch l {
		case "default", "en", "ja", "zh", "user", "":
		default:
			return errInvalid("lang", msgLang)
		}
	}
	return nil
}

// liveRevision is the settings revision of a live app. The caller holds s.mu.
func (s *Server) liveRevision(id int64) int64 {
	if r, ok := s.ext.liveRev[id]; ok {
		return r
	}
	return 1
}

// settingsApp resolves the app of a settings read: the live app, or under /preview/ its
// preview form (which exists alone for apps made by preview/app.json and not yet deployed).
// It returns the app's definition and settings revision. The caller holds s.mu.
func (s *Server) settingsApp(q *request, key string) (*appDef, int64, *apiError) {
	id, idText, e := q.p.id(key)
	if e != nil {
		return nil, 0, e
	}
	d, rev := s.apps[id], s.liveRevision(id)
	if q.preview {
		if pv := s.ext.previews[id]; pv != nil {
			d, rev = pv.def, pv.rev
		}
	}
	if d == nil {
		return nil, 0, errAppNotFound(idText)
	}
	if e := s.checkSpace(q, d); e != nil {
		return nil, 0, e
	}
	if q.auth.kind == AuthToken && q.auth.tokens[id] == nil {
		return nil, 0, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	return d, rev, nil
}

// getStatusSettings answers GET app/status.json.
func (s *Server) getStatusSettings(q *request) (any, *apiError) {
	if e := checkLangParam(q); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, rev, e := s.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	return statusSettingsJSON(d.meta.ProcessManagement, rev), nil
}

// systemTypes are the fields kintone adds to every form.
var systemTypes = map[string]bool{
	"RECORD_NUMBER": true, "CREATOR": true, "CREATED_TIME": true, "MODIFIER": true, "UPDATED_TIME": true,
	"STATUS": true, "STATUS_ASSIGNEE": true, "CATEGORY": true,
}

// getLayout answers GET app/form/layout.json: the fixture's layout, or one generated from the
// form (one ROW per field in code order, a SUBTABLE entry per table, an empty GROUP per group).
func (s *Server) getLayout(q *request) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, rev, e := s.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	layout := d.meta.Layout
	if layout == nil {
		layout = generateLayout(d)
	}
	return map[string]any{"layout": layout, "revision": strconv.FormatInt(rev, 10)}, nil
}

func generateLayout(d *appDef) []any {
	out := []any{}
	for _, f := range d.fields {
		switch {
		case systemTypes[f.typ]:
		case f.typ == "SUBTABLE":
			cols := []any{}
			for _, fi := range f.inner {
				cols = append(cols, layoutField(fi))
			}
			out = append(out, map[string]any{"type": "SUBTABLE", "code": f.code, "fields": cols})
		case f.typ == "GROUP":
			out = append(out, map[string]any{"type": "GROUP", "code": f.code, "layout": []any{}})
		default:
			out = append(out, map[string]any{"type": "ROW", "fields": []any{layoutField(f)}})
		}
	}
	return out
}

func layoutField(f *fieldDef) map[string]any {
	switch f.typ {
	case "REFERENCE_TABLE":
		return map[string]any{"type": f.typ, "code": f.code}
	case "LABEL":
		return map[string]any{"type": f.typ, "label": f.prop.Label, "size": map[string]any{"width": "200"}}
	case "SPACER":
		return map[string]any{"type": f.typ, "elementId": f.code, "size": map[string]any{"width": "100", "height": "30"}}
	case "HR":
		return map[string]any{"type": f.typ, "size": map[string]any{"width": "600"}}
	case "MULTI_LINE_TEXT", "RICH_TEXT":
		return map[string]any{"type": f.typ, "code": f.code, "size": map[string]any{"width": "400", "innerHeight": "125"}}
	}
	return map[string]any{"type": f.typ, "code": f.code, "size": map[string]any{"width": "200"}}
}

// getViews answers GET app/views.json: the fixture's views (missing name, id, index and type
// filled in), or one list view "All" of the form's fields sorted by record number descending.
func (s *Server) getViews(q *request) (any, *apiError) {
	if e := checkLangParam(q); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, rev, e := s.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	views := map[string]any{}
	if d.meta.Views == nil {
		fields := []string{}
		for _, f := range d.fields {
			if f.idx >= 0 && f.typ != "SUBTABLE" && !systemTypes[f.typ] {
				fields = append(fields, f.code)
			}
		}
		views["All"] = map[string]any{"type": "LIST", "id": strconv.FormatInt(d.meta.ID*1000+1, 10), "name": "All",
			"index": "0", "filterCond": "", "sort": d.sys.recordNumber + " desc", "fields": fields}
	} else {
		names := make([]string, 0, len(d.meta.Views))
		for n := range d.meta.Views {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			v := make(map[string]any, len(d.meta.Views[n])+4)
			for k, x := range d.meta.Views[n] {
				v[k] = x
			}
			fill := func(k string, x any) {
				if _, ok := v[k]; !ok {
					v[k] = x
				}
			}
			fill("name", n)
			fill("type", "LIST")
			fill("id", strconv.FormatInt(d.meta.ID*1000+int64(i)+1, 10))
			fill("index", strconv.Itoa(i))
			fill("filterCond", "")
			fill("sort", d.sys.recordNumber+" desc")
			if v["type"] == "LIST" {
				fill("fields", []any{})
			}
			views[n] = v
		}
	}
	return map[string]any{"views": views, "revision": strconv.FormatInt(rev, 10)}, nil
}

var msgSpaceToken = text{"Using this API token, you cannot run the specified API.", "このAPIトークンでは、指定したAPIを実行できません。"}

func errSpaceNotFound(id string) *apiError {
	return &apiError{status: 404, code: "GAIA_SP01", msg: text{
		fmt.Sprintf("The specified space (id: %s) is not found.", id),
		fmt.Sprintf("指定したスペース（id: %s）が見つかりません。", id)}}
}

// space resolves the id parameter to a space the caller may read. The caller holds s.mu.
func (s *Server) space(q *request) (*Space, *apiError) {
	if q.auth.kind == AuthToken {
		return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgSpaceToken}
	}
	id, idText, e := q.p.id("id")
	if e != nil {
		return nil, e
	}
	find := func(guest bool) *Space {
		for i := range s.ext.spaces {
			if sp := &s.ext.spaces[i]; sp.ID == id && sp.IsGuest == guest {
				return sp
			}
		}
		return nil
	}
	var sp *Space
	if q.guest != 0 {
		if id != q.guest {
			return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
		}
		if sp = find(true); sp == nil {
			return nil, errSpaceNotFound(idText)
		}
	} else if sp = find(false); sp == nil {
		if find(true) != nil {
			return nil, &apiError{status: 400, code: "GAIA_IL23", msg: msgGuestApp}
		}
		return nil, errSpaceNotFound(idText)
	}
	if sp.IsPrivate && !s.isSpaceMember(sp, q.auth.login) {
		return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
	}
	return sp, nil
}

func (s *Server) isSpaceMember(sp *Space, login string) bool {
	u := s.users[login]
	for _, m := range sp.Members {
		switch m.Entity.Type {
		case "USER":
			if m.Entity.Code == login {
				return true
			}
		case "GROUP":
			if u != nil && containsStr(u.Groups, m.Entity.Code) {
				return true
			}
		case "ORGANIZATION":
			if u != nil && (u.PrimaryOrganization == m.Entity.Code || u.memberOf(m.Entity.Code)) {
				return true
			}
		}
	}
	return false
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// getSpace answers GET space.json.
func (s *Server) getSpace(q *request) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sp, e := s.space(q)
	if e != nil {
		return nil, e
	}
	creator := s.admin
	if sp.Creator != "" {
		if i, ok := s.dir.lookup(kindUser, sp.Creator); ok {
			creator = i
		}
	} else if len(s.ext.userOrder) > 0 {
		creator, _ = s.dir.lookup(kindUser, s.ext.userOrder[0])
	}
	who := s.entityMap(creator)
	idText := strconv.FormatInt(sp.ID, 10)
	apps := []any{}
	for _, id := range s.appIDs {
		d := s.apps[id]
		in := d.meta.SpaceID == sp.ID && d.meta.GuestSpaceID == 0
		if sp.IsGuest {
			in = d.meta.GuestSpaceID == sp.ID
		}
		if !in {
			continue
		}
		a := s.appJSON(d)
		apps = append(apps, map[string]any{"threadId": a["threadId"], "appId": a["appId"], "code": a["code"],
			"name": a["name"], "description": a["description"], "createdAt": a["createdAt"], "creator": a["creator"],
			"modifiedAt": a["modifiedAt"], "modifier": a["modifier"]})
	}
	return map[string]any{
		"id": idText, "name": sp.Name, "defaultThread": idText, "isPrivate": sp.IsPrivate,
		"creator": who, "modifier": who, "memberCount": strconv.Itoa(len(sp.Members)),
		"coverType": "PRESET", "coverKey": "GREEN", "coverUrl": "", "body": sp.Body,
		"useMultiThread": false, "isGuest": sp.IsGuest, "attachedApps": apps, "fixedMember": false,
		"showAnnouncement": true, "showThreadList": true, "showAppList": true, "showMemberList": true,
		"showRelatedLinkList": true, "permissions": map[string]any{"createApp": "EVERYONE"},
	}, nil
}

// getSpaceMembers answers GET space/members.json.
func (s *Server) getSpaceMembers(q *request) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sp, e := s.space(q)
	if e != nil {
		return nil, e
	}
	members := []any{}
	for _, m := range sp.Members {
		members = append(members, map[string]any{
			"entity":      map[string]any{"type": m.Entity.Type, "code": m.Entity.Code},
			"isAdmin":     m.IsAdmin,
			"isImplicit":  false,
			"includeSubs": m.IncludeSubs,
		})
	}
	return map[string]any{"members": members}, nil
}
