package kintonesim

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
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
	return a.spaceParam(q, "id")
}

// spaceParam resolves the space id in parameter key to a space the caller may read: the guest
// space of a guest path, else a normal space. The caller holds a.mu.
func (a spaceAPI) spaceParam(q *request, key string) (*Space, *apiError) {
	id, idText, e := q.p.id(key)
	if e != nil {
		return nil, e
	}
	return a.spaceByID(q, id, errSpaceNotFound(idText))
}

// spaceByID finds the space id the caller may read, or answers notFound when there is none.
// The caller holds a.mu.
func (a spaceAPI) spaceByID(q *request, id int64, notFound *apiError) (*Space, *apiError) {
	if q.kind == AuthToken {
		return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgSpaceToken}
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
			return nil, notFound
		}
	} else if sp = find(false); sp == nil {
		if find(true) != nil {
			return nil, &apiError{status: 400, code: "GAIA_IL23", msg: msgGuestApp}
		}
		return nil, notFound
	}
	if sp.IsPrivate && !a.isSpaceMember(sp, q.login, false) {
		return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
	}
	return sp, nil
}

// isSpaceMember reports whether the user login is a member of sp (an administrator of it when
// admin is set), directly or through a group or organization.
func (a spaceAPI) isSpaceMember(sp *Space, login string, admin bool) bool {
	u := a.users[login]
	for _, m := range sp.Members {
		if admin && !m.IsAdmin {
			continue
		}
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

// administers reports whether the caller may change sp's settings: its administrators and
// its creator may. The caller holds a.mu.
func (a spaceAPI) administers(q *request, sp *Space) bool {
	return a.isSpaceMember(sp, q.login, true) || q.user == a.spaceCreator(sp)
}

// spaceCreator is the directory index of the user who created sp: the fixture's creator,
// else the first user.
func (a spaceAPI) spaceCreator(sp *Space) int32 {
	creator := a.admin
	if sp.Creator != "" {
		if i, ok := a.dir.lookup(kindUser, sp.Creator); ok {
			creator = i
		}
	} else if len(a.userOrder) > 0 {
		creator, _ = a.dir.lookup(kindUser, a.userOrder[0])
	}
	return creator
}

// getSpace answers GET space.json.
func (a spaceAPI) getSpace(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	sp, e := a.space(q)
	if e != nil {
		return nil, e
	}
	who := a.dir.entity(a.spaceCreator(sp))
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

var (
	msgThreadFiles  = text{"Specify up to 5 files.", "添付ファイルは5件まで指定できます。"}
	msgThreadEmpty  = text{"Specify the text or files of the comment.", "コメントの本文または添付ファイルを指定してください。"}
	msgThreadName   = text{"Enter between 1 and 128 characters.", "1文字以上128文字以下で入力してください。"}
	msgThreadBody   = text{"Enter up to 65535 characters.", "65535文字以下で入力してください。"}
	msgSingleThread = text{"The thread of a single-thread space has no name.", "シングルスレッドのスペースのスレッドには名前がありません。"}
	msgThreadAdmin  = text{"Only the space administrators or the creator of the thread can update it.",
		"スレッドを更新できるのは、スペース管理者またはスレッドの作成者のみです。"}
)

// errThreadNotFound is the simulator's answer for a thread id that no space has (kintone's
// code for this case is not confirmed).
func errThreadNotFound(id string) *apiError {
	return &apiError{status: 404, code: "GAIA_TH01", msg: text{
		fmt.Sprintf("The specified thread (id: %s) is not found.", id),
		fmt.Sprintf("指定したスレッド（id: %s）が見つかりません。", id)}}
}

// postThreadComment answers POST space/thread/comment.json {space, thread, comment: {text?,
// mentions?, files?}}: text (≤ 65535 characters) or files (≤ 5 upload keys) is required.
func (a spaceAPI) postThreadComment(q *request) (any, *apiError) {
	in, ok := q.p["comment"].(map[string]any)
	if !ok {
		return nil, errInvalid("comment", msgRequired)
	}
	body, _ := scalarString(in["text"])
	if utf8.RuneCountInString(body) > 65535 {
		return nil, errInvalid("comment.text", msgCommentLen)
	}
	files, ok := list(in["files"])
	if !ok {
		return nil, errInvalid("comment.files", msgBadValue)
	}
	if len(files) > 5 {
		return nil, errInvalid("comment.files", msgThreadFiles)
	}
	if body == "" && len(files) == 0 {
		return nil, errInvalid("comment.text", msgThreadEmpty)
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	sp, e := a.spaceParam(q, "space")
	if e != nil {
		return nil, e
	}
	threadID, threadText, e := q.p.id("thread")
	if e != nil {
		return nil, e
	}
	if threadID != sp.ID {
		return nil, errThreadNotFound(threadText)
	}
	mentions, body, e := a.mention(in, body)
	if e != nil {
		return nil, e
	}
	keys := make([]string, len(files))
	a.files.expire(now)
	for i, f := range files {
		m, _ := f.(map[string]any)
		keys[i], _ = scalarString(m["fileKey"])
		if u := a.files.uploads[keys[i]]; u == nil {
			return nil, errInvalid(fmt.Sprintf("comment.files[%d].fileKey", i), msgNoFileKey(keys[i]))
		}
	}
	c := &comment{text: body, created: now.Truncate(time.Second), creator: q.user, mentions: mentions}
	for _, k := range keys {
		ref, _ := a.files.attach(k, nil, now) // checked above, under the same lock
		c.files = append(c.files, ref)
	}
	c = a.thread(sp).comments.add(c)
	return map[string]any{"id": strconv.FormatInt(c.id, 10)}, nil
}

// putThread answers PUT space/thread.json {id, name?, body?}: the space's administrators and
// the thread's creator (the space's) may change the body; the thread of a single-thread space
// has no name to change.
func (a spaceAPI) putThread(q *request) (any, *apiError) {
	_, hasName := q.p["name"]
	_, hasBody := q.p["body"]
	body, _ := scalarString(q.p["body"])
	if hasName {
		name, _ := scalarString(q.p["name"])
		if n := utf8.RuneCountInString(name); n < 1 || n > 128 {
			return nil, errInvalid("name", msgThreadName)
		}
		return nil, errInvalid("name", msgSingleThread)
	}
	if utf8.RuneCountInString(body) > 65535 {
		return nil, errInvalid("body", msgThreadBody)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id, idText, e := q.p.id("id")
	if e != nil {
		return nil, e
	}
	sp, e := a.spaceByID(q, id, errThreadNotFound(idText))
	if e != nil {
		return nil, e
	}
	if !a.administers(q, sp) {
		return nil, &apiError{status: 403, code: "CB_NO02", msg: msgThreadAdmin}
	}
	if hasBody {
		a.thread(sp).body = body
	}
	return map[string]any{}, nil
}
