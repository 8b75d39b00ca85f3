package kintonesim

import (
	"sync"
	"time"
)

// cursor is a records/cursor.json cursor: the matching record ids fixed at creation, read in
// pages of size; field values are those at each read.
type cursor struct {
	id      string
	appID   int64
	ids     []int64
	pos     int
	size    int
	proj    projection
	expires time.Time
}

// cursorStore holds the domain's cursors. It has its own lock: reading a page takes it, then
// the store's.
type cursorStore struct {
	mu    sync.Mutex
	m     map[string]*cursor
	limit int           // live cursors per domain (Options.CursorLimit)
	ttl   time.Duration // a cursor's idle lifetime (Options.CursorTTL)
}

func newCursorStore(limit int, ttl time.Duration) *cursorStore {
	if limit <= 0 {
		limit = 10
	}
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	return &cursorStore{m: map[string]*cursor{}, limit: limit, ttl: ttl}
}

// expire drops cursors past their lifetime. The caller holds cs.mu.
func (cs *cursorStore) expire(now time.Time) {
	for id, c := range cs.m {
		if !now.Before(c.expires) {
			delete(cs.m, id)
		}
	}
}

// find returns the live cursor id. The caller holds cs.mu.
func (cs *cursorStore) find(id string, now time.Time) (*cursor, *apiError) {
	cs.expire(now)
	c := cs.m[id]
	if c == nil {
		return nil, &apiError{status: 404, code: "GAIA_CN01", msg: msgCursorGone}
	}
	return c, nil
}

// add stores a new cursor with a fresh id, unless the domain has as many as it may.
func (cs *cursorStore) add(c *cursor, now time.Time) *apiError {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(now)
	if len(cs.m) >= cs.limit {
		return &apiError{status: 429, code: "GAIA_TM12", msg: msgTooManyCursors}
	}
	c.id = newUUID()
	c.expires = now.Add(cs.ttl)
	cs.m[c.id] = c
	return nil
}

// next returns the next page of record ids of cursor id and whether more follow. The cursor
// is deleted after its last page, and each read extends its life.
func (cs *cursorStore) next(id string, now time.Time) (c *cursor, page []int64, more bool, e *apiError) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c, e = cs.find(id, now); e != nil {
		return nil, nil, false, e
	}
	end := min(c.pos+c.size, len(c.ids))
	page = c.ids[c.pos:end]
	c.pos = end
	more = end < len(c.ids)
	if more {
		c.expires = now.Add(cs.ttl)
	} else {
		delete(cs.m, c.id)
	}
	return c, page, more, nil
}

// open is the number of live cursors.
func (cs *cursorStore) open(now time.Time) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(now)
	return len(cs.m)
}

// remove deletes cursor id.
func (cs *cursorStore) remove(id string, now time.Time) *apiError {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, e := cs.find(id, now)
	if e != nil {
		return e
	}
	delete(cs.m, c.id)
	return nil
}
