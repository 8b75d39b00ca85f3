package kintonesim

import (
	"sort"
	"time"
)

// Preview (pre-live) app settings: preview/app.json creates an app that exists only in
// preview until deployed; preview/app/form/fields.json adds, changes and deletes fields of the
// preview form; preview/app/deploy.json makes the preview live (or reverts it). Live reads
// (app.json, apps.json, fields.json, records) see a change only after its deploy.
//
// Revisions: a fixture app's settings revision is 1; preview/app.json answers revision 2;
// every preview change adds 1; a deploy makes the live revision the preview's.
//
// Deploys are applied at once; the first deploy.json GET for an app after its deploy answers
// PROCESSING and later ones SUCCESS, so that clients exercise their polling loop.

// previewApp is the preview state of an app that has pending changes or is not deployed yet.
type previewApp struct {
	meta    App     // Fields holds every top-level field of the preview form
	def     *appDef // built from meta, without records
	rev     int64
	live    bool // the app has been deployed (or came from the fixture)
	creator int32
	created time.Time
	// renamed maps a renamed top-level field's code to its live code, so that a deploy keeps
	// its values.
	renamed map[string]string
}

// deploy makes a preview form live, carrying the records over: values of fields whose code
// and type are unchanged are kept, others start empty. The caller holds s.mu for writing.
func (s *store) deploy(pv *previewApp) {
	id := pv.meta.ID
	old := s.apps[id]
	nd := pv.def
	if old != nil {
		nd.creator, nd.createdAt = old.creator, old.createdAt
		nd.nextID, nd.nextRowID = old.nextID, old.nextRowID
		nd.tokens = old.tokens
		for _, t := range old.tokens {
			s.tokens[t.Token] = tokenEntry{app: nd, perm: t}
		}
		nd.records = make([]*record, len(old.records))
		for i, r := range old.records {
			nd.records[i] = s.migrate(old, nd, r, pv.renamed)
		}
	} else {
		nd.creator, nd.createdAt = pv.creator, pv.created.UTC()
		s.appIDs = append(s.appIDs, id)
		sort.Slice(s.appIDs, func(i, j int) bool { return s.appIDs[i] < s.appIDs[j] })
	}
	s.apps[id] = nd
	s.liveRev[id] = pv.rev
	delete(s.previews, id)
}

// migrate converts a record of app old to the form of app nd.
func (s *store) migrate(old, nd *appDef, r *record, renamed map[string]string) *record {
	dc := &decoder{s: s, app: nd}
	empty := func(f *fieldDef) any {
		switch f.typ {
		case "STATUS":
			return nd.initialStatus()
		case "STATUS_ASSIGNEE":
			return []int32(nil)
		}
		return dc.value(f, nil, errKey{})
	}
	same := func(of, nf *fieldDef) bool { return of != nil && of.typ == nf.typ && of.idx >= 0 }
	movedAway := map[string]bool{} // live codes now used by a renamed field
	for _, live := range renamed {
		movedAway[live] = true
	}
	c := *r
	c.vals = make([]any, len(nd.stored))
	for _, nf := range nd.stored {
		of := old.byCode[nf.code]
		if live, ok := renamed[nf.code]; ok {
			of = old.byCode[live]
		} else if movedAway[nf.code] {
			of = nil
		}
		if !same(of, nf) || of.table != nil {
			c.vals[nf.idx] = empty(nf)
			continue
		}
		if nf.typ != "SUBTABLE" {
			c.vals[nf.idx] = r.vals[of.idx]
			continue
		}
		rows, _ := r.vals[of.idx].([]row)
		var out []row
		for _, rw := range rows {
			nr := row{id: rw.id, vals: make([]any, len(nf.inner))}
			for _, ni := range nf.inner {
				oi := old.byCode[ni.code]
				if same(oi, ni) && oi.table == of {
					nr.vals[ni.idx] = rw.vals[oi.idx]
				} else {
					nr.vals[ni.idx] = empty(ni)
				}
			}
			out = append(out, nr)
		}
		c.vals[nf.idx] = out
	}
	s.computeFormulas(nd, &c)
	return &c
}
