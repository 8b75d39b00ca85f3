package kintonesim

import "time"

// Comments as the store keeps them: record comments (record/comments.json, record/comment.json)
// in a thread per record, and the comments of space threads (space/thread/comment.json,
// threads.go); ids count from 1 in each thread.

// commentKey names a record: app id and record id.
type commentKey struct{ app, record int64 }

type commentThread struct {
	next int64 // the id the next comment gets (ids are per record, from 1)
	list []*comment
}

// add appends c to the thread under the next id and returns it.
func (th *commentThread) add(c *comment) *comment {
	c.id = th.next
	th.next++
	th.list = append(th.list, c)
	return c
}

type comment struct {
	id       int64
	text     string
	created  time.Time
	creator  int32
	mentions []mention
	files    []fileRef // the attachments of a space thread's comment (record comments have none)
}

type mention struct{ code, typ string }
