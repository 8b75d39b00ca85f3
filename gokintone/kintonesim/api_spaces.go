package kintonesim

import (
	"fmt"
	"slices"
	"strconv"
)

// spaceAPI answers space.json and space/members.json from the fixture's spaces.
type spaceAPI struct{ *store }

var msgSpaceToken = text{"Using this API token, you cannot run the specified API.", "このAPIトークンでは、指定したAPIを実行できません。"}

func errSpaceNotFound(id string) *apiError {
	return &apiError{status: 404, code: "GAIA_SP01", msg: text{
		fmt.Sprintf("The specified space (id: %s) is not found.", id),
		fmt.Sprintf("指定したスペース（id: %s）が見つかりません。", id)}}
}

// space resolves the id parameter to a space the caller may read. The caller holds a.mu.
func (a spaceAPI) space(q *request) (*Space, *apiError) {
	if q.kind == AuthToken {
		return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgSpaceToken}
	}
	id, idText, e := q.p.id("id")
	if e != nil {
		return nil, e
	}
	find := func(guest bool) *Space {
		for i := range a.spaces {
			if sp := &a.spaces[i]; sp.ID == id && sp.IsGuest == guest {
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
	if sp.IsPrivate && !a.isSpaceMember(sp, q.login) {
		return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
	}
	return sp, nil
}

func (a spaceAPI) isSpaceMember(sp *Space, login string) bool {
	u := a.users[login]
	for _, m := range sp.Members {
		switch m.Entity.Type {
		case "USER":
			if m.Entity.Code == login {
				return true
			}
		case "GROUP":
			if u != nil && slices.Contains(u.Groups, m.Entity.Code) {
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

// getSpace answers GET space.json.
func (a spaceAPI) getSpace(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	sp, e := a.space(q)
	if e != nil {
		return nil, e
	}
	creator := a.admin
	if sp.Creator != "" {
		if i, ok := a.dir.lookup(kindUser, sp.Creator); ok {
			creator = i
		}
	} else if len(a.userOrder) > 0 {
		creator, _ = a.dir.lookup(kindUser, a.userOrder[0])
	}
	who := a.dir.entity(creator)
	idText := strconv.FormatInt(sp.ID, 10)
	apps := []any{}
	for _, id := range a.appIDs {
		d := a.apps[id]
		in := d.meta.SpaceID == sp.ID && d.meta.GuestSpaceID == 0
		if sp.IsGuest {
			in = d.meta.GuestSpaceID == sp.ID
		}
		if !in {
			continue
		}
		a := a.appJSON(d)
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
func (a spaceAPI) getSpaceMembers(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	sp, e := a.space(q)
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
