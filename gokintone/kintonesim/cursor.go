package kintonesim

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"time"
)

// cursor is a records/cursor.json cursor: the matching record ids fixed at creation, read in
// pages of size; field values are those at each read.
type cursor struct {
	id      string
	app     *appDef
	appID   int64
	guest   int64
	ids     []int64
	pos     int
	size    int
	proj    projection
	expires time.Time
	token   bool // created with API tokens
}

var msgCursorSize = text{"Enter a value between 1 and 500.", "1以上500以下の値を指定してください。"}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// expire drops cursors past their lifetime. The caller holds cursorMu.
func (s *Server) expire(now time.Time) {
	for id, c := range s.cursors {
		if !now.Before(c.expires) {
			delete(s.cursors, id)
		}
	}
}

// postCursor answers POST records/cursor.json.
func (s *Server) postCursor(q *request) (any, *apiError) {
	size, e := q.p.optInt("size", 100)
	if e != nil {
		return nil, e
	}
	if size < 1 || size > 500 {
		return nil, errInvalid("size", msgCursorSize)
	}
	text, _ := q.p.str("query")
	s.mu.RLock()
	d, e := s.appParam(q, "app", permView)
	if e != nil {
		s.mu.RUnlock()
		return nil, e
	}
	sel, e := s.compileQuery(q, d, text)
	if e == nil && (sel.query.Limit != nil || sel.query.Offset != nil) {
		e = errInvalid("query", textPair("limit and offset cannot be used with a cursor.", "カーソルではlimitとoffsetを使用できません。"))
	}
	if e != nil {
		s.mu.RUnlock()
		return nil, e
	}
	recs, _ := s.run(d, sel, false, false)
	s.mu.RUnlock()
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.id
	}
	now := s.now()
	s.cursorMu.Lock()
	defer s.cursorMu.Unlock()
	s.expire(now)
	if len(s.cursors) >= s.opts.CursorLimit {
		return nil, &apiError{status: 429, code: "GAIA_TM12", msg: msgTooManyCursors}
	}
	c := &cursor{id: newUUID(), app: d, appID: d.meta.ID, guest: q.guest, ids: ids, size: int(size),
		proj: projectionOf(q.p), expires: now.Add(s.opts.CursorTTL), token: q.auth.kind == AuthToken}
	s.cursors[c.id] = c
	return map[string]any{"id": c.id, "totalCount": strconv.Itoa(len(ids))}, nil
}

func textPair(en, ja string) text { return text{en, ja} }

func (s *Server) findCursor(q *request) (*cursor, *apiError) {
	id, ok := q.p.str("id")
	if !ok || id == "" {
		return nil, errInvalid("id", msgRequired)
	}
	s.expire(s.now())
	c := s.cursors[id]
	if c == nil {
		return nil, &apiError{status: 404, code: "GAIA_CN01", msg: msgCursorGone}
	}
	return c, nil
}

// getCursor answers GET records/cursor.json: the next page; the cursor is deleted after the
// last one, and each read extends its life.
func (s *Server) getCursor(q *request) (any, *apiError) {
	s.cursorMu.Lock()
	c, e := s.findCursor(q)
	if e != nil {
		s.cursorMu.Unlock()
		return nil, e
	}
	end := min(c.pos+c.size, len(c.ids))
	page := c.ids[c.pos:end]
	c.pos = end
	next := end < len(c.ids)
	if next {
		c.expires = s.now().Add(s.opts.CursorTTL)
	} else {
		delete(s.cursors, c.id)
	}
	s.cursorMu.Unlock()

	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.apps[c.appID]
	b := append([]byte(nil), `{"records":[`...)
	n := 0
	for _, id := range page {
		i, ok := d.find(id)
		if !ok {
			continue // deleted since the cursor was made
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = s.appendRecord(b, d, d.records[i], c.proj)
		n++
	}
	q.records = n
	b = append(b, `],"next":`...)
	b = strconv.AppendBool(b, next)
	b = append(b, "}\n"...)
	return rawJSON(b), nil
}

// deleteCursor answers DELETE records/cursor.json.
func (s *Server) deleteCursor(q *request) (any, *apiError) {
	s.cursorMu.Lock()
	defer s.cursorMu.Unlock()
	c, e := s.findCursor(q)
	if e != nil {
		return nil, e
	}
	delete(s.cursors, c.id)
	return map[string]any{}, nil
}
