package engine

// The Comments table: the comments of kintone records as rows, a table of the driver's own.
// kintone lists the comments of one record at a time (record/comments.json, at most 10 per
// request), so a scan needs an equality on both AppId and RecordId; SQLite scans once per value
// of an IN list. Each record's comments are read once per statement, oldest first, and every
// comment keeps one row id for the statement.
//
// INSERT posts one comment per row and DELETE deletes one (record/comment.json): kintone has no
// bulk comment API and its bulkRequest does not take comments, so each row is a request of its
// own, sent in row order when the statement has run, with the partial-failure contract of the
// writes to apps (write.go). kintone cannot change a comment: UPDATE is refused.

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The columns of Comments, by index.
const (
	commentID = iota
	commentApp
	commentRecord
	commentText
	commentCreatorCode
	commentCreatorName
	commentCreatedAt
	commentMentions
)

// commentsTable is the Comments table; the engine knows it by identity. Each column's
// FieldCode is the property of kintone's comment object it holds.
var commentsTable = &schema.Table{Name: "Comments", Columns: []schema.Column{
	commentID:          propertyColumn("Id", "id", schema.TypeInteger),
	commentApp:         propertyColumn("AppId", "app", schema.TypeInteger),
	commentRecord:      propertyColumn("RecordId", "record", schema.TypeInteger),
	commentText:        propertyColumn("Text", "text", schema.TypeVarchar),
	commentCreatorCode: propertyColumn("CreatorCode", "creator.code", schema.TypeVarchar),
	commentCreatorName: propertyColumn("CreatorName", "creator.name", schema.TypeVarchar),
	commentCreatedAt:   propertyColumn("CreatedAt", "createdAt", schema.TypeDatetime),
	commentMentions:    propertyColumn("MentionsAggregate", "mentions", schema.TypeVarchar),
}}

// propertyColumn is a column of a table of the driver's own that holds one property of a
// kintone object.
func propertyColumn(name, property, decl string) schema.Column {
	return schema.Column{Name: name, FieldCode: property, FieldType: "SYSTEM", DeclType: decl}
}

// commentsDescription describes Comments in sys_tables.
const commentsDescription = "The comments of kintone records. SELECT needs AppId = … and RecordId = … (or IN lists); INSERT (AppId, RecordId, Text[, MentionsAggregate]) posts comments; DELETE … WHERE AppId = … AND RecordId = … AND Id = … deletes them"

// commentsTableInfo describes Comments in the system tables. A comment id is unique within
// its record only, so the key is the three of them.
var commentsTableInfo = tableInfo{table: commentsTable, description: commentsDescription, updatable: true,
	keys: []int{commentID, commentApp, commentRecord}}

// commentsPerRequest is kintone's largest limit of record/comments.json.
const commentsPerRequest = 10

// commentsCost steers SQLite to the plans that give a scan of Comments equalities on AppId and
// RecordId (from literals, parameters or the other side of a join): a scan without them
// fails, so it is priced out of every plan that has an alternative.
func commentsCost(res *sqlite3.IndexResult, csts []sqlite3.InfoConstraint) {
	var app, record bool
	for i, c := range csts {
		if res.Used[i] && (int(c.Op) == opEQ || int(c.Op) == opIS) {
			app = app || c.Column == commentApp
			record = record || c.Column == commentRecord
		}
	}
	if app && record {
		res.EstimatedCost, res.EstimatedRows = 100, 10
	} else {
		res.EstimatedCost, res.EstimatedRows = 1e12, 1e9
	}
}

// commentReads are the comments one statement has read, by record.
type commentReads struct {
	byRecord map[[2]int64][]*row // app id, record id → the record's comments, oldest first
	rows     int64               // the rows made so far: the last row id given
}

// commentSource starts a scan of Comments: the comments of the record the used equalities on
// AppId and RecordId name (the cursor re-checks every constraint on them).
func (v *vtab) commentSource(ctx context.Context, st *Stmt, cons [][3]int, args []any) (rowSource, bool, error) {
	if st != nil && st.facts.kind == stmtUpdate && st.facts.write != nil && strings.EqualFold(st.facts.write.target.name, v.t.Name) {
		return nil, false, commentUpdateRefused()
	}
	app, hasApp := idEquality(cons, args, commentApp)
	record, hasRecord := idEquality(cons, args, commentRecord)
	if !hasApp || !hasRecord {
		why := ""
		if st != nil && st.facts.nulText {
			why = "; this statement may compare text with a NUL character, which keeps every condition from the tables' scans: copy the comments into a TEMP table first"
		}
		return nil, false, kerr.New(kerr.KindSQL,
			"reading Comments needs both AppId = … and RecordId = … in the WHERE clause (or IN lists of them): kintone lists the comments of one record at a time, and has no list of all comments%s", why)
	}
	if app <= 0 || record <= 0 {
		return &sliceSource{}, false, nil // no comment has such an id
	}
	rows, err := v.e.recordComments(ctx, st, app, record)
	if err != nil {
		return nil, false, err
	}
	return &sliceSource{rows: rows}, false, nil
}

// idEquality finds an equality (= or IS) on column col among a scan's used constraints: found
// reports whether there is one, and id is the id its value stands for under SQLite's
// comparison with an INTEGER column, 0 when the value equals no id (NULL, a fraction, text
// that is no number).
func idEquality(cons [][3]int, args []any, col int) (id int64, found bool) {
	for i, con := range cons {
		if con[0] == col && (con[1] == opEQ || con[1] == opIS) {
			if id, ok := idValue(args[i]); ok {
				return id, true
			}
			return 0, true
		}
	}
	return 0, false
}

// idValue is the integer v stands for in an INTEGER column: an integer, a REAL without a
// fraction, or text that is one of them.
func idValue(v any) (int64, bool) {
	switch x := applyAffinity(sqlValue(v), schema.AffInteger).(type) {
	case int64:
		return x, true
	case float64:
		return integerAffinity(x)
	}
	return 0, false
}

// commentsReply is a reply of record/comments.json.
type commentsReply struct {
	Comments []commentWire `json:"comments"`
	Newer    bool          `json:"newer"`
}

// RecordCount is the number of comments received (kclient.RecordCounter).
func (r *commentsReply) RecordCount() int { return len(r.Comments) }

// recordComments returns the comments of one record, read once per statement.
func (e *Engine) recordComments(ctx context.Context, st *Stmt, app, record int64) ([]*row, error) {
	reads := &commentReads{}
	if st != nil {
		if st.comments == nil {
			st.comments = &commentReads{byRecord: map[[2]int64][]*row{}}
		}
		reads = st.comments
		if rows, ok := reads.byRecord[[2]int64{app, record}]; ok {
			return rows, nil
		}
	}
	var rows []*row
	for offset := 0; ; offset += commentsPerRequest {
		var reply commentsReply
		err := e.client.Do(ctx, kclient.Request{Method: "GET", Endpoint: "record/comments", App: app,
			Params: map[string]any{"app": app, "record": record, "order": "asc", "offset": offset, "limit": commentsPerRequest}}, &reply)
		if err != nil {
			return nil, err
		}
		for _, c := range reply.Comments {
			vals, err := c.values(app, record)
			if err != nil {
				return nil, err
			}
			reads.rows++
			rows = append(rows, &row{vals: vals, seq: reads.rows})
		}
		// In ascending order, newer says that comments follow the page.
		if !reply.Newer || len(reply.Comments) < commentsPerRequest {
			break
		}
	}
	if st != nil {
		reads.byRecord[[2]int64{app, record}] = rows
	}
	return rows, nil
}

// commentWire is one comment as record/comments.json sends it.
type commentWire struct {
	ID        json.RawMessage `json:"id"` // "3"; a number is accepted too
	Text      string          `json:"text"`
	CreatedAt string          `json:"createdAt"`
	Creator   struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"creator"`
	Mentions []mention `json:"mentions"`
}

// mention is an addressee of a comment, as kintone reads and writes it.
type mention struct {
	Code string `json:"code"`
	Type string `json:"type"` // USER, GROUP or ORGANIZATION
}

// values are the row of Comments for c, a comment of record in app; empty values are NULL.
func (c *commentWire) values(app, record int64) ([]any, error) {
	var idText string
	if json.Unmarshal(c.ID, &idText) != nil {
		idText = string(c.ID)
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, kerr.New(kerr.KindBadReply, "kintone sent a comment of record %d (app %d) whose id %s is not an integer", record, app, schema.ShortJSON(c.ID))
	}
	created, err := commentsTable.Columns[commentCreatedAt].FromText(c.CreatedAt)
	if err != nil {
		return nil, err
	}
	vals := []any{
		commentID: id, commentApp: app, commentRecord: record,
		commentText: c.Text, commentCreatorCode: c.Creator.Code, commentCreatorName: c.Creator.Name,
		commentCreatedAt: created, commentMentions: nil,
	}
	if len(c.Mentions) > 0 {
		vals[commentMentions] = mentionsJSON(c.Mentions)
	}
	for i, v := range vals {
		if v == nil || v == "" {
			vals[i] = sqlNull{}
		}
	}
	return vals, nil
}

// mentionsJSON is the text of MentionsAggregate: a JSON array [{"code": …, "type": …}].
func mentionsJSON(ms []mention) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(ms) // strings only: cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// commentUpdateRefused is the error of an UPDATE of Comments.
func commentUpdateRefused() error {
	return kerr.New(kerr.KindNotSupported,
		"kintone cannot change a comment: Comments takes INSERT and DELETE only (delete the comment and insert a new one)")
}

// commentOp is a comment a statement posts or deletes: a request of its own.
type commentOp struct {
	app, record int64
	text        string    // insert
	mentions    []mention // insert
}

// insertComment collects the comment one row of INSERT INTO Comments posts: AppId, RecordId and
// Text are needed, MentionsAggregate may be given; kintone sets the other columns.
func (v *vtab) insertComment(st *Stmt, rowid any, vals []any) (int64, error) {
	index := st.rowIndex()
	fail := func(col int, err error) (int64, error) {
		return 0, v.fail(rowError(v.t, index, &v.t.Columns[col], err))
	}
	if rowid != nil {
		return fail(commentID, kerr.New(kerr.KindInvalidArgument, "kintone assigns the ids of comments; leave Id out of the INSERT"))
	}
	for _, col := range []int{commentID, commentCreatorCode, commentCreatorName, commentCreatedAt} {
		if vals[col] != nil {
			return fail(col, kerr.New(kerr.KindInvalidArgument, "kintone sets %s when it posts a comment; leave it out of the INSERT", v.t.Columns[col].Name))
		}
	}
	op := &commentOp{}
	var ok bool
	if op.app, ok = idValue(vals[commentApp]); !ok || op.app <= 0 {
		return fail(commentApp, kerr.New(kerr.KindBadValue, "AppId must be the id of an app, not %s", schema.ShowValue(vals[commentApp])))
	}
	if op.record, ok = idValue(vals[commentRecord]); !ok || op.record <= 0 {
		return fail(commentRecord, kerr.New(kerr.KindBadValue, "RecordId must be the id of a record, not %s", schema.ShowValue(vals[commentRecord])))
	}
	switch x := vals[commentText].(type) {
	case string:
		op.text = x
	case int64:
		op.text = strconv.FormatInt(x, 10)
	}
	if n := utf8.RuneCountInString(op.text); n == 0 || n > 65535 || !utf8.ValidString(op.text) {
		return fail(commentText, kerr.New(kerr.KindBadValue, "Text must be the comment's text, 1 to 65,535 characters, not %s", schema.ShowValue(vals[commentText])))
	}
	if m := vals[commentMentions]; m != nil {
		ms, err := parseMentions(m)
		if err != nil {
			return fail(commentMentions, err)
		}
		op.mentions = ms
	}
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: writeInsert, index: index, comment: op})
	st.batch.tempIDs--
	return st.batch.tempIDs, nil
}

// parseMentions reads MentionsAggregate as a write gives it: a JSON array of {"code", "type"}
// objects, the form the column is read in.
func parseMentions(v any) ([]mention, error) {
	s, _ := v.(string)
	var ms []mention
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	bad := func(why string) ([]mention, error) {
		return nil, kerr.New(kerr.KindBadValue,
			`MentionsAggregate must be a JSON array such as '[{"code":"sato","type":"USER"}]' (type USER, GROUP or ORGANIZATION), at most 10 of them; %s is not: %s`,
			schema.ShowValue(v), why)
	}
	if err := dec.Decode(&ms); err != nil || dec.More() || !strings.HasPrefix(strings.TrimSpace(s), "[") {
		return bad("it is not such an array")
	}
	if len(ms) > 10 {
		return bad("it names more than 10")
	}
	for _, m := range ms {
		switch {
		case m.Code == "":
			return bad("an entry has no code")
		case m.Type != "USER" && m.Type != "GROUP" && m.Type != "ORGANIZATION":
			return bad("an entry has the type " + strconv.Quote(m.Type))
		}
	}
	return ms, nil
}

// deleteComment collects the deletion of the comment the statement's scan read as row old.
func (v *vtab) deleteComment(st *Stmt, old any) error {
	r, _, err := v.readRow(st, old)
	if err != nil {
		return v.fail(err)
	}
	id, _ := r.vals[commentID].(int64)
	app, _ := r.vals[commentApp].(int64)
	record, _ := r.vals[commentRecord].(int64)
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: writeDelete, index: st.rowIndex(), id: id,
		comment: &commentOp{app: app, record: record}})
	return nil
}

// commentRequest is the record/comment.json request of op, a comment posted or deleted.
func commentRequest(op writeOp) kclient.WriteRequest {
	c := op.comment
	if op.kind == writeInsert {
		comment := map[string]any{"text": c.text}
		if len(c.mentions) > 0 {
			comment["mentions"] = c.mentions
		}
		return kclient.WriteRequest{Method: "POST", Endpoint: "record/comment",
			Payload: map[string]any{"app": c.app, "record": c.record, "comment": comment}}
	}
	return kclient.WriteRequest{Method: "DELETE", Endpoint: "record/comment",
		Payload: map[string]any{"app": c.app, "record": c.record, "comment": op.id}}
}

// postedCommentID reads the id of a posted comment from kintone's reply, {"id": "3"}.
func postedCommentID(reply json.RawMessage) ([]int64, error) {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	var s string
	if json.Unmarshal(reply, &v) == nil && json.Unmarshal(v.ID, &s) != nil {
		s = string(v.ID)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, kerr.New(kerr.KindBadReply, "kintone's reply to posting a comment has no comment id: %s", schema.ShortJSON(reply))
	}
	return []int64{id}, nil
}

// commentErrorColumns are the columns of kintone's validation error keys about a comment
// request.
var commentErrorColumns = map[string]int{
	"app": commentApp, "record": commentRecord, "comment": commentID,
	"comment.text": commentText, "comment.mentions": commentMentions,
}

// commentField is the column kintone's validation errors about a comment request name
// ("comment.text", "comment.mentions[0].code", …); "" when they name none.
func commentField(errs map[string]kclient.FieldErrors) string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for { // "comment.mentions[0].code" is about comment.mentions
			if col, ok := commentErrorColumns[k]; ok {
				return commentsTable.Columns[col].Name
			}
			i := strings.LastIndexAny(k, ".[")
			if i < 0 {
				break
			}
			k = k[:i]
		}
	}
	return ""
}
