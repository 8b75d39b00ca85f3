package kintonesim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// commentAPI answers record/comments.json GET and record/comment.json POST and DELETE.
type commentAPI struct{ *store }

var (
	msgCommentLimit = text{"Enter a value between 1 and 10.", "1以上10以下の値を指定してください。"}
	msgNotNegative  = text{"Enter 0 or a greater value.", "0以上の値を指定してください。"}
	msgCommentLen   = text{"Enter between 1 and 65535 characters.", "1文字以上65535文字以下で入力してください。"}
	msgMentions10   = text{"Specify up to 10 mentions.", "メンションは10件まで指定できます。"}
	msgNotAuthor    = text{"Only the user who posted the comment can delete it.", "コメントを削除できるのは、コメントを投稿したユーザーのみです。"}
)

func errCommentNotFound() *apiError {
	return &apiError{status: 400, code: "GAIA_RE02", msg: text{
		"The specified comment does not exist. The comment may have been deleted.",
		"指定したコメントが存在しません。削除された可能性があります。"}}
}

// commentRecord resolves the app and record parameters. The caller holds a.mu.
func (a commentAPI) commentRecord(q *request) (*appDef, int64, *apiError) {
	d, e := a.appParam(&q.caller, q.p, "app", permView)
	if e != nil {
		return nil, 0, e
	}
	id, idText, e := q.p.id("record")
	if e != nil {
		return nil, 0, e
	}
	if _, ok := d.find(id); !ok {
		return nil, 0, errRecordNotFound(idText)
	}
	return d, id, nil
}

// getComments answers GET record/comments.json.
func (a commentAPI) getComments(q *request) (any, *apiError) {
	order, ok := q.p.str("order")
	if !ok || order == "" {
		order = "desc"
	}
	if order != "asc" && order != "desc" {
		return nil, errInvalid("order", msgEnum)
	}
	offset, e := q.p.optInt("offset", 0)
	if e != nil {
		return nil, e
	}
	if offset < 0 {
		return nil, errInvalid("offset", msgNotNegative)
	}
	limit, e := q.p.optInt("limit", 10)
	if e != nil {
		return nil, e
	}
	if limit < 1 || limit > 10 {
		return nil, errInvalid("limit", msgCommentLimit)
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, id, e := a.commentRecord(q)
	if e != nil {
		return nil, e
	}
	var all []*comment
	if th := a.comments[commentKey{d.meta.ID, id}]; th != nil {
		all = th.list // ascending by id
	}
	n := int64(len(all))
	out := []any{}
	for k := offset; k < n && k < offset+limit; k++ {
		c := all[k]
		if order == "desc" {
			c = all[n-1-k]
		}
		out = append(out, a.commentJSON(c))
	}
	more, earlier := offset+limit < n, offset > 0 && n > 0
	older, newer := more, earlier
	if order == "asc" {
		older, newer = earlier, more
	}
	return map[string]any{"comments": out, "older": older, "newer": newer}, nil
}

func (a commentAPI) commentJSON(c *comment) map[string]any {
	mentions := make([]any, len(c.mentions))
	for i, m := range c.mentions {
		mentions[i] = map[string]any{"code": m.code, "type": m.typ}
	}
	return map[string]any{
		"id":        strconv.FormatInt(c.id, 10),
		"text":      c.text,
		"createdAt": c.created.UTC().Format("2006-01-02T15:04:05Z"),
		"creator":   a.dir.entity(c.creator),
		"mentions":  mentions,
	}
}

// postComment answers POST record/comment.json; mentioned names are put before the text.
func (a commentAPI) postComment(q *request) (any, *apiError) {
	in, ok := q.p["comment"].(map[string]any)
	if !ok {
		return nil, errInvalid("comment", msgRequired)
	}
	body, _ := scalarString(in["text"])
	if n := utf8.RuneCountInString(body); n == 0 || n > 65535 {
		return nil, errInvalid("comment.text", msgCommentLen)
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	d, id, e := a.commentRecord(q)
	if e != nil {
		return nil, e
	}
	mentions, body, e := a.mention(in, body)
	if e != nil {
		return nil, e
	}
	k := commentKey{d.meta.ID, id}
	th := a.comments[k]
	if th == nil {
		th = &commentThread{next: 1}
		a.comments[k] = th
	}
	c := th.add(&comment{text: body, created: now.Truncate(time.Second), creator: q.user, mentions: mentions})
	return map[string]any{"id": strconv.FormatInt(c.id, 10)}, nil
}

// deleteComment answers DELETE record/comment.json. Only the comment's author may delete it.
func (a commentAPI) deleteComment(q *request) (any, *apiError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d, id, e := a.commentRecord(q)
	if e != nil {
		return nil, e
	}
	cid, _, e := q.p.id("comment")
	if e != nil {
		return nil, e
	}
	th := a.comments[commentKey{d.meta.ID, id}]
	if th == nil {
		return nil, errCommentNotFound()
	}
	for i, c := range th.list {
		if c.id == cid {
			if c.creator != q.user {
				return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNotAuthor}
			}
			th.list = append(th.list[:i:i], th.list[i+1:]...)
			return map[string]any{}, nil
		}
	}
	return nil, errCommentNotFound()
}

// mention checks the mentions of a record or thread comment (at most 10 users, groups and
// organizations that exist) and puts their names before text, separated by spaces and followed
// by " \n", as kintone shows them. The caller holds s.mu.
func (s *store) mention(comment map[string]any, text string) ([]mention, string, *apiError) {
	items, ok := list(comment["mentions"])
	if !ok {
		return nil, "", errInvalid("comment.mentions", msgBadValue)
	}
	if len(items) > 10 {
		return nil, "", errInvalid("comment.mentions", msgMentions10)
	}
	var mentions []mention
	var names []string
	for i, it := range items {
		m, _ := it.(map[string]any)
		code, _ := scalarString(m["code"])
		typ, _ := scalarString(m["type"])
		key := fmt.Sprintf("comment.mentions[%d]", i)
		kind, kindName := byte(0), ""
		switch typ {
		case "USER":
			kind, kindName = kindUser, "user"
		case "GROUP":
			kind, kindName = kindGroup, "group"
		case "ORGANIZATION":
			kind, kindName = kindOrg, "organization"
		default:
			return nil, "", errInvalid(key+".type", msgEnum)
		}
		if code == "" {
			return nil, "", errInvalid(key+".code", msgRequired)
		}
		idx, ok := s.dir.lookup(kind, code)
		if !ok {
			return nil, "", errInvalid(key+".code", msgNoEntity(kindName, code))
		}
		name := s.dir.get(idx).name
		if name == "" {
			name = code
		}
		names = append(names, name)
		mentions = append(mentions, mention{code: code, typ: typ})
	}
	if len(names) > 0 {
		text = strings.Join(names, " ") + " \n" + text
	}
	return mentions, text, nil
}
