package kintonesim

// Space threads (space/thread.json, space/thread/comment.json). Every space of the simulator
// has one thread, its default thread, whose id is the space's id (space.json reports it as
// defaultThread, with useMultiThread false). A thread starts with an empty body and no
// comments; both live in memory with the server.

// threadKey names a thread: a guest space and a normal space may share an id.
type threadKey struct {
	guest bool
	id    int64
}

// spaceThread is what the store keeps of a thread.
type spaceThread struct {
	body     string
	comments commentThread
}

// thread returns the thread of space sp, made on first use. The caller holds s.mu for writing.
func (s *store) thread(sp *Space) *spaceThread {
	k := threadKey{sp.IsGuest, sp.ID}
	th := s.threads[k]
	if th == nil {
		th = &spaceThread{comments: commentThread{next: 1}}
		s.threads[k] = th
	}
	return th
}

// Thread is a space's thread as the server holds it, for tests: kintone has no API that reads
// a thread's body or comments.
type Thread struct {
	ID       int64
	Body     string
	Comments []ThreadComment
}

// ThreadComment is a comment of a space thread. Text starts with the names of the mentioned
// entities, as kintone shows it.
type ThreadComment struct {
	ID       int64
	Text     string
	Creator  string // the author's login name
	Mentions []EntityRef
	Files    []string // the names of the attached files
}

// Thread returns the thread id of the guest space id (guest) or of the normal space id, and
// false when there is no such space.
func (s *Server) Thread(guest bool, id int64) (Thread, bool) {
	st := s.st
	st.mu.RLock()
	defer st.mu.RUnlock()
	found := false
	for i := range st.spaces {
		found = found || st.spaces[i].ID == id && st.spaces[i].IsGuest == guest
	}
	if !found {
		return Thread{}, false
	}
	t := Thread{ID: id, Comments: []ThreadComment{}}
	th := st.threads[threadKey{guest, id}]
	if th == nil {
		return t, true
	}
	t.Body = th.body
	for _, c := range th.comments.list {
		tc := ThreadComment{ID: c.id, Text: c.text, Creator: st.dir.get(c.creator).code}
		for _, m := range c.mentions {
			tc.Mentions = append(tc.Mentions, EntityRef{Type: m.typ, Code: m.code})
		}
		for _, f := range c.files {
			tc.Files = append(tc.Files, f.name)
		}
		t.Comments = append(t.Comments, tc)
	}
	return t, true
}
