package kintonesim

import "time"

// Record comments (record/comments.json, record/comment.json) as the store keeps them: a thread
// per record, with ids counting from 1 in each.

// commentKey names a record: app id and record id.
type commentKey struct{ app, record int64 }

type commentThread struct {
	next int64 // the id the next comment gets (ids are per record, from 1)
	list []*comment
}

type comment struct {
	id       int64
	text     string
	created  time.Time
	creator  int32
	mentions []mention
}

type mention struct{ code, typ string }
