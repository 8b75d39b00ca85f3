package engine

// Writes to kintone tables. SQLite calls xUpdate (Insert, Update, Delete below) once per row
// while a statement runs; the rows are collected in the statement's batch and sent when the
// statement (or a whole executemany) has run, as bulkRequests of up to 20 requests of up to 100
// records: each bulkRequest is applied by kintone entirely or not at all. An executemany of
// inserts sends each full bulkRequest while its next rows run (sendAhead), one at a time. An UPDATE sends only
// the fields whose values changed, with the revision its scan read, so that a record changed
// by someone else in between is refused (GAIA_CO02) instead of overwritten.
//
// What cannot be written as SQL says is refused before anything is sent: RETURNING (SQLite
// would return the temporary row id), OR REPLACE / OR IGNORE / ON CONFLICT (SQLite hands a
// virtual table plain inserts), changing Id, a value for a field kintone computes or assigns,
// and a row the statement's scan did not read.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

type writeKind int

const (
	writeInsert writeKind = iota
	writeUpdate
	writeDelete
	writeUpsert // add or update, by id or by a unique field (companion.go)
)

// writeOp is one row written: a record to add, change or delete.
type writeOp struct {
	// comment is a comment of a record (comments.go), posted or deleted by a request of its
	// own; nil for a record.
	comment *commentOp

	t      *schema.Table
	kind   writeKind
	index  int            // the statement row, or the executemany parameter row, it comes from
	id     int64          // update, delete, upsert by Id: the record id
	key    map[string]any // upsert by a unique field: kintone's updateKey {field, value}
	rev    string         // update, delete: the revision the scan read; "" sends none
	record map[string]any // insert, update: field code → fieldValue
	child  *childOp       // a row of a child table (subtable_write.go); nil for a record
}

// fieldValue is a field's value in a write request, {"value": …}; a struct, which encodes
// faster than a map.
type fieldValue struct {
	Value any `json:"value"`
}

// writeBatch is what a statement (or an executemany) has written so far and not yet sent.
type writeBatch struct {
	ops     []writeOp
	tempIDs int64 // the last temporary row id handed to SQLite for an inserted row
}

// WriteFailure is the Details of the error of a write that did not complete: what was written,
// and where re-running must resume. Python sets its members as attributes of the exception.
type WriteFailure struct {
	// CommittedIDs are the ids of the records kintone confirmed, in row order: the new ids of
	// inserted records, the ids of updated and deleted ones.
	CommittedIDs []int64 `json:"committed_ids"`
	// FirstUncommittedIndex is the row where re-running must resume: the first row of the
	// request that failed (a statement row, or an executemany parameter row), or the first
	// row not sent when a later row's error stopped an executemany that had sent some.
	FirstUncommittedIndex int `json:"first_uncommitted_index"`
	// RowIndex and Field are the row and the column kintone named, when it named one.
	RowIndex *int   `json:"row_index"`
	Field    string `json:"field,omitempty"`
	// OutcomeUnknown is true when the failed request may or may not have been applied (the
	// connection broke after sending it); UnknownIDs are then the ids of the records it
	// changed or deleted (inserted records have no id known).
	OutcomeUnknown bool    `json:"outcome_unknown"`
	UnknownIDs     []int64 `json:"unknown_ids,omitempty"`
	// UnknownRows are, with OutcomeUnknown, the rows whose writes may or may not have been
	// applied: [first, end) of the statement or executemany rows.
	UnknownRows *[2]int `json:"unknown_rows,omitempty"`
	// LaterCommittedIDs are the ids of records added from rows after the failed request, by
	// requests sent beside it (InsertParallelism above 1), that could not be deleted again.
	// NoResume is then set: no single row to resume from exists, and first_uncommitted_index
	// is sent as null.
	LaterCommittedIDs []int64 `json:"later_committed_ids,omitempty"`
	NoResume          bool    `json:"-"`
}

// MarshalJSON writes the failure with first_uncommitted_index null when NoResume is set.
func (f WriteFailure) MarshalJSON() ([]byte, error) {
	type plain WriteFailure
	v := struct {
		plain
		First *int `json:"first_uncommitted_index"`
	}{plain: plain(f)}
	if !f.NoResume {
		v.First = &f.FirstUncommittedIndex
	}
	return json.Marshal(v)
}

// writeTarget returns the statement's batch for a write to t, after the checks that hold for
// every row.
func (v *vtab) writeTarget(what string) (*Stmt, error) {
	st := v.e.current
	if st == nil {
		return nil, kerr.New(kerr.KindInternal, "a write to %s outside a statement", v.t.Name)
	}
	if v.t.System != "" {
		return nil, kerr.New(kerr.KindNotSupported, "%s is a system table: it cannot be written", v.t.Name)
	}
	if v.t == appsView || settingsTableOf(v.t) != nil || userViewOf(v.t) != nil {
		return nil, readOnlyRefused(v.t)
	}
	w := st.facts.write
	switch {
	case w == nil:
		return nil, kerr.New(kerr.KindNotSupported,
			"cannot %s %s: the driver does not recognise this statement's form well enough to write to kintone safely; use INSERT INTO t (…) VALUES (…) / SELECT …, UPDATE t SET … WHERE …, or DELETE FROM t WHERE …", what, v.t.Name)
	case !strings.EqualFold(w.target.name, v.name):
		return nil, kerr.New(kerr.KindNotSupported,
			"cannot %s %s from a trigger or another statement's table: write to kintone tables directly", what, v.t.Name)
	case w.returning != nil:
		return nil, kerr.New(kerr.KindNotSupported,
			"RETURNING is not supported on kintone tables (SQLite would return a temporary row id, not the record id kintone assigns); read cursor.inserted_ids after the INSERT")
	case w.conflict != "" && w.conflict != "abort":
		return nil, kerr.New(kerr.KindNotSupported,
			"INSERT OR %s / REPLACE is not supported on kintone tables (SQLite hands a virtual table plain inserts): use UPSERT INTO %s (key, …) VALUES (…) to add or update by Id or a unique field",
			strings.ToUpper(w.conflict), v.t.Name)
	case len(w.upserts) > 0:
		return nil, kerr.New(kerr.KindNotSupported,
			"ON CONFLICT is not supported on kintone tables: use UPSERT INTO %s (key, …) VALUES (…) to add or update by Id or a unique field", v.t.Name)
	}
	if st.batch == nil {
		st.batch = &writeBatch{}
	}
	return st, nil
}

// rowIndex is the index the next row of st is known by in errors.
func (s *Stmt) rowIndex() int {
	if s.paramRow >= 0 {
		return s.paramRow
	}
	return len(s.batch.ops)
}

// Insert collects an INSERT of one row. The columns the statement lists are given (all of them
// without a list); a NULL in Id, Revision or a column kintone fills in means "not given".
func (v *vtab) Insert(rowid any, vals []any) (int64, error) {
	if st := v.e.current; st != nil && st.fast != nil && st.fast.probe != nil {
		st.fast.probe.record(v, rowid, vals)
	}
	st, err := v.writeTarget("insert into")
	if err != nil {
		return 0, v.fail(err)
	}
	if v.t == commentsTable {
		return v.insertComment(st, rowid, vals)
	}
	if rowid != nil {
		return 0, v.fail(kerr.New(kerr.KindInvalidArgument, "%s: Id is assigned by kintone; leave it out of the INSERT", v.t.Name))
	}
	if v.t.Subtable != "" || v.upsert {
		add := v.childInsert
		if v.upsert {
			add = v.upsertInsert
		}
		if err := add(st, vals); err != nil {
			return 0, v.fail(err)
		}
		st.batch.tempIDs--
		return st.batch.tempIDs, nil
	}
	given := st.facts.write.columns
	record := map[string]any{}
	for i := range v.t.Columns {
		col := &v.t.Columns[i]
		if given != nil && !containsFold(given, col.Name) {
			continue
		}
		enc, skip, err := v.insertValue(st, col, vals[i])
		if err != nil {
			return 0, v.fail(err)
		}
		if !skip {
			record[col.FieldCode] = fieldValue{enc}
		}
	}
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: writeInsert, index: st.rowIndex(), record: record})
	st.batch.tempIDs--
	return st.batch.tempIDs, nil
}

// Update collects the fields of one row that the statement changed.
func (v *vtab) Update(old any, vals []any) error {
	if v.t == commentsTable {
		return v.fail(commentUpdateRefused())
	}
	st, err := v.writeTarget("update")
	if err != nil {
		return v.fail(err)
	}
	r, id, err := v.readRow(st, old)
	if err != nil {
		return v.fail(err)
	}
	record := map[string]any{}
	for i := range v.t.Columns {
		col := &v.t.Columns[i]
		was, err := r.value(v.t, i)
		if err != nil {
			return v.fail(err)
		}
		if sameValue(was, vals[i]) {
			continue
		}
		if err := col.Writable(schema.OpUpdate); err != nil {
			return v.fail(rowError(v.t, st.rowIndex(), col, err))
		}
		enc, err := col.Encode(vals[i])
		if err != nil {
			return v.fail(rowError(v.t, st.rowIndex(), col, err))
		}
		record[col.FieldCode] = fieldValue{enc}
	}
	if len(record) == 0 {
		return nil // nothing changed: nothing to send
	}
	if v.t.Subtable != "" {
		v.childChange(st, r, writeUpdate, record)
		return nil
	}
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: writeUpdate, index: st.rowIndex(), id: id,
		rev: v.revision(r), record: record})
	return nil
}

// Delete collects the deletion of one record.
func (v *vtab) Delete(old any) error {
	st, err := v.writeTarget("delete from")
	if err != nil {
		return v.fail(err)
	}
	if v.t == commentsTable {
		return v.deleteComment(st, old)
	}
	r, id, err := v.readRow(st, old)
	if err != nil {
		return v.fail(err)
	}
	if v.t.Subtable != "" {
		v.childChange(st, r, writeDelete, nil)
		return nil
	}
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: writeDelete, index: st.rowIndex(), id: id, rev: v.revision(r)})
	return nil
}

// fail records err as the one SQLite's error text stands for (see Engine.sqlError).
func (v *vtab) fail(err error) error {
	v.e.vtErr = err
	return err
}

// readRow is the row the statement's scan read with row id old.
func (v *vtab) readRow(st *Stmt, old any) (*row, int64, error) {
	id, ok := old.(int64)
	r := st.read[v.t][id]
	if !ok || r == nil {
		return nil, 0, kerr.New(kerr.KindInternal,
			"%s: SQLite asked to change row %v, which this statement's scan did not read", v.t.Name, old)
	}
	return r, id, nil
}

// noteRead remembers a row a writing statement's scan handed to SQLite, for Update and Delete.
func (s *Stmt) noteRead(t *schema.Table, id int64, r *row) {
	if s.read == nil {
		s.read = map[*schema.Table]map[int64]*row{}
	}
	m := s.read[t]
	if m == nil {
		m = map[int64]*row{}
		s.read[t] = m
	}
	m[id] = r
}

// revision is the record revision the scan read, sent with an update or delete unless the
// check is turned off; "" sends none.
func (v *vtab) revision(r *row) string {
	if !v.e.opts.CheckRevision {
		return ""
	}
	return revisionOf(r.rec)
}

// sameValue reports whether an UPDATE left a column as the scan read it: the same storage
// class and the same value (a float by its bits, so that -0.0 and NaN compare as written).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	}
	return false
}

func containsFold(list []string, name string) bool {
	f := foldIdent(name)
	for _, s := range list {
		if s == f {
			return true
		}
	}
	return false
}

// insertValue is what a new record gets for col: skip when the value is not given (a NULL
// where kintone assigns, computes or fills in the value), else the value encoded; an error
// names the row when col may not be written or cannot hold val.
func (v *vtab) insertValue(st *Stmt, col *schema.Column, val any) (enc any, skip bool, err error) {
	if werr := col.Writable(schema.OpInsert); werr != nil || val == nil && kintoneFills(col) {
		if val == nil {
			return nil, true, nil
		}
		return nil, false, rowError(v.t, st.rowIndex(), col, werr)
	}
	enc, err = col.Encode(val)
	if err != nil {
		return nil, false, rowError(v.t, st.rowIndex(), col, err)
	}
	return enc, false, nil
}

// kintoneFills reports whether kintone fills the column in when a new record leaves it out
// (who created it and when): a NULL there means "not given".
func kintoneFills(col *schema.Column) bool {
	switch col.FieldType {
	case "CREATOR", "CREATED_TIME", "MODIFIER", "UPDATED_TIME":
		return true
	}
	return false
}

// rowError says which row and column of the statement a value problem belongs to. Nothing
// has been sent yet: nothing is committed, and re-running starts at the first row.
func rowError(t *schema.Table, index int, col *schema.Column, err error) error {
	e := kerr.As(err)
	if e == nil {
		return err
	}
	c := e.WithMessage(fmt.Sprintf("%s, row %d: %s", t.Name, index, e.Message), err)
	c.Details = WriteFailure{CommittedIDs: []int64{}, FirstUncommittedIndex: 0, RowIndex: &index, Field: col.Name}
	return c
}

// request is one write request of a flush: consecutive ops of one table and kind.
type request struct {
	ops []writeOp
	req kclient.WriteRequest
}

// requests groups the batch into write requests of at most 100 records.
func (b *writeBatch) requests() []request {
	var out []request
	for i := 0; i < len(b.ops); {
		j := i + 1
		for j < len(b.ops) && j-i < kclient.MaxRecordsPerRequest && b.ops[j].t == b.ops[i].t && b.ops[j].kind == b.ops[i].kind && b.ops[i].comment == nil {
			j++
		}
		out = append(out, request{ops: b.ops[i:j], req: writeRequest(b.ops[i:j])})
		i = j
	}
	return out
}

// writeRequest is the records.json request of ops (one table, one kind).
func writeRequest(ops []writeOp) kclient.WriteRequest {
	if ops[0].comment != nil {
		return commentRequest(ops[0])
	}
	app := ops[0].t.AppID
	switch ops[0].kind {
	case writeInsert:
		recs := make([]map[string]any, len(ops))
		for i, op := range ops {
			recs[i] = op.record
		}
		return kclient.WriteRequest{Method: "POST", Endpoint: "records", Payload: map[string]any{"app": app, "records": recs}}
	case writeUpdate:
		recs := make([]map[string]any, len(ops))
		for i, op := range ops {
			r := map[string]any{"id": op.id, "record": op.record}
			if op.rev != "" {
				r["revision"] = op.rev
			}
			recs[i] = r
		}
		return kclient.WriteRequest{Method: "PUT", Endpoint: "records", Payload: map[string]any{"app": app, "records": recs}}
	case writeUpsert:
		recs := make([]map[string]any, len(ops))
		for i, op := range ops {
			r := map[string]any{"record": op.record}
			if op.key != nil {
				r["updateKey"] = op.key
			} else {
				r["id"] = op.id
			}
			recs[i] = r
		}
		return kclient.WriteRequest{Method: "PUT", Endpoint: "records", Payload: map[string]any{"app": app, "upsert": true, "records": recs}}
	default:
		ids := make([]int64, len(ops))
		var revs []string
		for i, op := range ops {
			ids[i] = op.id
			if op.rev != "" {
				revs = append(revs, op.rev)
			}
		}
		p := map[string]any{"app": app, "ids": ids}
		if len(revs) == len(ops) {
			p["revisions"] = revs
		}
		return kclient.WriteRequest{Method: "DELETE", Endpoint: "records", Payload: p}
	}
}

// flush sends the statement's batch (after the bulkRequests sendAhead has in flight).
// Each bulkRequest holds up to 20 requests of one app; under OAuth (kintone does not document
// bulkRequest for OAuth tokens) every request goes on its own, which is not atomic across
// requests; so does every comment (bulkRequest takes no comment requests). The ids of inserted
// records and comments are kept in s.inserted, in row order. Plain inserts of records go up to
// InsertParallelism requests at a time (flights below); everything else one after the other.
func (e *Engine) flush(ctx context.Context, s *Stmt) error {
	if b := s.batch; e.opts.InsertParallelism > 1 && b != nil && len(b.ops) > 0 && plainInserts(b.ops) {
		s.batch = nil
		for _, group := range e.groups(b.requests()) {
			if err := e.land(s, e.opts.InsertParallelism-1); err != nil {
				return err
			}
			e.launch(s, group)
		}
		return e.land(s, 0)
	}
	if err := e.land(s, 0); err != nil {
		s.batch = nil
		return err
	}
	b := s.batch
	s.batch = nil
	if b == nil || len(b.ops) == 0 {
		return nil
	}
	ops, err := e.expandChildren(ctx, b.ops)
	if err != nil {
		// Nothing of this batch was sent (rows of child tables are never sent ahead).
		e := kerr.As(err)
		if e == nil {
			return err
		}
		out := e.WithMessage(e.Message, err)
		out.Details = WriteFailure{CommittedIDs: s.committedIDs()}
		return out
	}
	return e.sendOps(ctx, s, ops)
}

// perCall is the number of write requests one HTTP request carries: a bulkRequest's 20, or 1
// under OAuth.
func (e *Engine) perCall() int {
	if e.client.UsesOAuth() {
		return 1
	}
	return kclient.MaxBulkRequests
}

// groups splits requests into what each HTTP request carries: up to perCall requests of one
// app in a bulkRequest, a comment request on its own.
func (e *Engine) groups(reqs []request) [][]request {
	perCall := e.perCall()
	var out [][]request
	for i := 0; i < len(reqs); {
		bulk := perCall > 1 && reqs[i].ops[0].comment == nil // bulkRequest takes no comment requests
		j := i + 1
		for bulk && j < len(reqs) && j-i < perCall && reqs[j].ops[0].t.AppID == reqs[i].ops[0].t.AppID && reqs[j].ops[0].comment == nil {
			j++
		}
		out = append(out, reqs[i:j])
		i = j
	}
	return out
}

// sendOps sends ops in row order, one bulkRequest (or lone request) after the other, stopping
// at the first that fails; the ids kintone confirms are added to s.committed and s.inserted.
func (e *Engine) sendOps(ctx context.Context, s *Stmt, ops []writeOp) error {
	for _, group := range e.groups((&writeBatch{ops: ops}).requests()) {
		ids, added, err := e.sendGroup(ctx, group)
		if err != nil {
			return writeFailure(err, group, s.committedIDs())
		}
		s.committed = append(s.committed, ids...)
		s.inserted = append(s.inserted, added...)
	}
	return nil
}

// sendGroup sends one group of requests (a bulkRequest, or one request) and reads the ids
// kintone confirmed, in row order.
func (e *Engine) sendGroup(ctx context.Context, group []request) (ids, added []int64, err error) {
	replies, err := e.send(ctx, group, len(group) > 1 || e.perCall() > 1 && group[0].ops[0].comment == nil)
	if err != nil {
		return nil, nil, err
	}
	for k, r := range group {
		i, a, err := confirmedIDs(r, replies[k])
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, i...)
		added = append(added, a...)
	}
	return ids, added, nil
}

// sendAhead starts sending the first bulkRequest of an executemany's batch once the batch
// holds a full one, while the statement goes on with its next parameter rows, so that
// preparing rows and waiting for kintone overlap. It sends only plain inserts of records (the
// rows of a child table go with all the rows of their record, comments on their own) by an
// INSERT … VALUES that reads no table (the later rows of one that does must not see the
// records sent ahead, as they would not when the batch is sent at the end). By default one
// bulkRequest is in flight at a time, in row order: kintone gives the records ids in row
// order, and when a request fails no later row has been sent. With InsertParallelism above 1,
// up to that many are (see land for what a failure then does). An error of a request sent
// before is returned here.
func (e *Engine) sendAhead(s *Stmt) error {
	if w := s.facts.write; w == nil || w.source != insertValues || w.with || s.facts.selects > 0 {
		return nil
	}
	b := s.batch
	n := e.perCall() * kclient.MaxRecordsPerRequest
	if b == nil || len(b.ops) < n || !plainInserts(b.ops[:n]) {
		return nil
	}
	if err := e.land(s, max(e.opts.InsertParallelism, 1)-1); err != nil {
		return err
	}
	ops := b.ops[:n:n]
	b.ops = append([]writeOp(nil), b.ops[n:]...)
	s.sentAhead = true
	e.launch(s, e.groups((&writeBatch{ops: ops}).requests())[0])
	return nil
}

// plainInserts reports whether ops are inserts of records (not of child rows, comments or
// upserts) into one table.
func plainInserts(ops []writeOp) bool {
	for _, op := range ops {
		if op.kind != writeInsert || op.child != nil || op.comment != nil || op.t != ops[0].t {
			return false
		}
	}
	return true
}

// flight is a group of inserts sent while the statement goes on (sendAhead), or beside other
// groups (InsertParallelism); done is closed when its reply (or error) is in.
type flight struct {
	group      []request
	done       chan struct{}
	ids, added []int64
	err        error
}

// launch sends group in the background as the statement's last flight.
func (e *Engine) launch(s *Stmt, group []request) {
	f := &flight{group: group, done: make(chan struct{})}
	s.flights = append(s.flights, f)
	go func() {
		defer close(f.done)
		defer recovered(func(err error) { f.err = err })
		f.ids, f.added, f.err = e.sendGroup(s.ctx, group)
	}()
}

// land takes the statement's flights that have come back, in row order, into s.committed and
// s.inserted, first waiting until at most keep of them are in the air (land(s, 0) waits for
// all). When one has failed, nothing more is sent: land waits for every flight and returns
// the failure (undoFlights).
func (e *Engine) land(s *Stmt, keep int) error {
	for len(s.flights) > 0 {
		for _, f := range s.flights {
			select {
			case <-f.done:
				if f.err != nil {
					return e.undoFlights(s)
				}
			default:
			}
		}
		f := s.flights[0]
		if len(s.flights) > keep {
			<-f.done
		} else {
			select {
			case <-f.done:
			default:
				return nil
			}
		}
		if f.err != nil {
			return e.undoFlights(s)
		}
		s.committed = append(s.committed, f.ids...)
		s.inserted = append(s.inserted, f.added...)
		s.flights = s.flights[1:]
	}
	return nil
}

// undoFlights ends the flights of a statement one of which failed. It waits for all; the
// records of the flights before the first failure are committed, in row order; those that
// later flights (sent beside it with InsertParallelism) added are deleted again, so that, as
// with one flight at a time, the rows written are exactly those before the failed request.
// What could not be deleted, and rows whose requests may or may not have been applied, are
// reported in the error.
func (e *Engine) undoFlights(s *Stmt) error {
	flights := s.flights
	s.flights = nil
	for _, f := range flights {
		<-f.done
	}
	first := 0
	for flights[first].err == nil {
		s.committed = append(s.committed, flights[first].ids...)
		s.inserted = append(s.inserted, flights[first].added...)
		first++
	}
	failed := flights[first]
	var added []int64
	var addedRows [][2]int
	unknownFrom, unknownTo := -1, -1
	for _, f := range flights[first+1:] {
		switch {
		case f.err == nil:
			added = append(added, f.added...)
			addedRows = append(addedRows, [2]int{f.group[0].ops[0].index, lastIndex(f.group) + 1})
		case kclient.MaybeApplied(f.err):
			if unknownFrom < 0 {
				unknownFrom = f.group[0].ops[0].index
			}
			unknownTo = lastIndex(f.group) + 1
		}
	}
	err := writeFailure(failed.err, failed.group, s.committedIDs())
	if len(added) == 0 && unknownFrom < 0 {
		return err
	}
	out := kerr.As(err)
	fd, _ := out.Details.(WriteFailure)
	msg := out.Message
	if len(added) > 0 {
		stranded := e.deleteAdded(s.ctx, failed.group[0].ops[0].t, added)
		if len(stranded) == 0 {
			msg += fmt.Sprintf("; the %d records that later requests, sent beside it (InsertParallelism), had added (rows %s) were deleted again", len(added), rowRanges(addedRows))
		} else {
			fd.LaterCommittedIDs = stranded
			fd.NoResume = true
			msg += fmt.Sprintf("; later requests, sent beside it (InsertParallelism), had added records (rows %s), and %d of them could not be deleted again, or their deletion was not confirmed (later_committed_ids): re-running from one row would add them twice", rowRanges(addedRows), len(stranded))
		}
	}
	if unknownFrom >= 0 {
		if !fd.OutcomeUnknown {
			fd.OutcomeUnknown = true
			fd.UnknownRows = &[2]int{unknownFrom, unknownTo}
		} else {
			fd.UnknownRows[1] = unknownTo
		}
		msg += fmt.Sprintf("; it is not known whether kintone applied the requests of rows %d to %d, sent beside it (InsertParallelism; the connection broke after sending): check before re-running", unknownFrom, unknownTo-1)
	}
	res := out.WithMessage(msg, failed.err)
	res.Details = fd
	return res
}

// deleteAdded deletes records the statement added, in requests of 100 (a bulkRequest of up to
// 20, or one request under OAuth), each only if still at its first revision (nobody changed it
// since); it returns the ids it could not delete, or whose deletion kintone did not confirm.
// It runs even when the statement is being cancelled.
func (e *Engine) deleteAdded(ctx context.Context, t *schema.Table, ids []int64) (stranded []int64) {
	ctx = context.WithoutCancel(ctx)
	var reqs []kclient.WriteRequest
	var chunks [][]int64
	for i := 0; i < len(ids); i += kclient.MaxRecordsPerRequest {
		chunk := ids[i:min(i+kclient.MaxRecordsPerRequest, len(ids))]
		revs := make([]string, len(chunk))
		for k := range revs {
			revs[k] = "1"
		}
		reqs = append(reqs, kclient.WriteRequest{Method: "DELETE", Endpoint: "records",
			Payload: map[string]any{"app": t.AppID, "ids": chunk, "revisions": revs}})
		chunks = append(chunks, chunk)
	}
	per := e.perCall()
	for i := 0; i < len(reqs); i += per {
		j := min(i+per, len(reqs))
		var err error
		if per > 1 {
			_, err = e.client.Bulk(ctx, t.AppID, reqs[i:j])
		} else {
			_, err = e.client.Write(ctx, t.AppID, reqs[i])
		}
		if err != nil {
			for _, c := range chunks[i:j] {
				stranded = append(stranded, c...)
			}
		}
	}
	return stranded
}

// rowRanges writes [first, end) row ranges, in order, as "a to b, c to d", joining ranges
// that touch.
func rowRanges(rs [][2]int) string {
	var parts []string
	for i := 0; i < len(rs); {
		j := i
		for j+1 < len(rs) && rs[j+1][0] == rs[j][1] {
			j++
		}
		parts = append(parts, fmt.Sprintf("%d to %d", rs[i][0], rs[j][1]-1))
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// committedIDs are the ids kintone confirmed so far, never nil.
func (s *Stmt) committedIDs() []int64 {
	if s.committed == nil {
		return []int64{}
	}
	return s.committed
}

// writtenBefore gives an error that stopped an executemany after some of its rows were sent
// ahead the facts of what was written: the records kintone confirmed, and the first parameter
// row not sent, where re-running must resume. The row and column of a value error stay.
func writtenBefore(err error, s *Stmt, firstUnsent int) error {
	e := kerr.As(err)
	if e == nil {
		e = kerr.Wrap(err, kerr.KindInternal, "%s", err.Error())
	}
	f, _ := e.Details.(WriteFailure)
	f.CommittedIDs, f.FirstUncommittedIndex = s.committedIDs(), firstUnsent
	out := e.WithMessage(fmt.Sprintf("%s (%d rows were written before it (committed_ids); re-run from row %d (first_uncommitted_index))",
		e.Message, len(f.CommittedIDs), firstUnsent), err)
	out.Details = f
	return out
}

// send sends a group of requests: as one bulkRequest, or the one request on its own.
func (e *Engine) send(ctx context.Context, group []request, bulk bool) ([]json.RawMessage, error) {
	app := group[0].ops[0].t.AppID
	if c := group[0].ops[0].comment; c != nil {
		app = c.app
	}
	if !bulk {
		reply, err := e.client.Write(ctx, app, group[0].req)
		return []json.RawMessage{reply}, err
	}
	reqs := make([]kclient.WriteRequest, len(group))
	for i, r := range group {
		reqs[i] = r.req
	}
	return e.client.Bulk(ctx, app, reqs)
}

// confirmedIDs reads the record (or comment) ids kintone confirmed in the reply to r, and
// those of the records it added.
func confirmedIDs(r request, reply json.RawMessage) (ids, added []int64, err error) {
	if r.ops[0].comment != nil && r.ops[0].kind == writeInsert {
		ids, err := postedCommentID(reply)
		return ids, ids, err
	}
	parse := func(s string) (int64, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, kerr.New(kerr.KindBadReply, "kintone answered a record id %q that is not an integer", s)
		}
		return n, nil
	}
	switch r.ops[0].kind {
	case writeInsert:
		var v struct {
			IDs []string `json:"ids"`
		}
		if err := json.Unmarshal(reply, &v); err != nil || len(v.IDs) != len(r.ops) {
			return nil, nil, kerr.New(kerr.KindBadReply, "kintone's reply to adding %d records has %d ids: %s", len(r.ops), len(v.IDs), schema.ShortJSON(reply))
		}
		for _, s := range v.IDs {
			n, err := parse(s)
			if err != nil {
				return nil, nil, err
			}
			ids = append(ids, n)
		}
		return ids, ids, nil
	case writeUpsert:
		var v struct {
			Records []struct {
				ID        string `json:"id"`
				Operation string `json:"operation"`
			} `json:"records"`
		}
		if err := json.Unmarshal(reply, &v); err != nil || len(v.Records) != len(r.ops) {
			return nil, nil, kerr.New(kerr.KindBadReply, "kintone's reply to upserting %d records has %d records: %s", len(r.ops), len(v.Records), schema.ShortJSON(reply))
		}
		for _, rec := range v.Records {
			n, err := parse(rec.ID)
			if err != nil {
				return nil, nil, err
			}
			ids = append(ids, n)
			if rec.Operation == "INSERT" {
				added = append(added, n)
			}
		}
		return ids, added, nil
	default:
		ids := make([]int64, len(r.ops))
		for i, op := range r.ops {
			ids[i] = op.id
		}
		return ids, nil, nil
	}
}

// fieldKey reads the record index and field code of kintone's validation error keys, such as
// "records[3].price.value", "records[3][price].value" or "record.price.value" (one record:
// index 0).
var fieldKey = regexp.MustCompile(`^(?:records\[(\d+)\]|record|ids\[(\d+)\])(?:\.([^.\[\]]+)|\[([^\]]+)\])?`)

// writeFailure is the error of a failed group of requests, with the partial-failure facts.
func writeFailure(err error, group []request, committed []int64) error {
	f := WriteFailure{CommittedIDs: committed, FirstUncommittedIndex: group[0].ops[0].index}
	if f.CommittedIDs == nil {
		f.CommittedIDs = []int64{}
	}
	failed := group
	var ae *kclient.APIError
	if errors.As(err, &ae) {
		if ae.BulkIndex >= 0 && ae.BulkIndex < len(group) {
			failed = group[ae.BulkIndex : ae.BulkIndex+1]
		} else if len(group) == 1 {
			failed = group[:1]
		}
		if len(failed) == 1 {
			for key := range ae.Errors {
				m := fieldKey.FindStringSubmatch(key)
				if m == nil {
					continue
				}
				n := 0
				if m[1] != "" {
					n, _ = strconv.Atoi(m[1])
				} else if m[2] != "" {
					n, _ = strconv.Atoi(m[2])
				}
				if n < len(failed[0].ops) {
					op := failed[0].ops[n]
					idx := op.index
					if f.RowIndex == nil || idx < *f.RowIndex {
						f.RowIndex = &idx
						f.Field = columnOf(op.t, m[3]+m[4])
					}
				}
			}
		}
		if op := failed[0].ops[0]; len(failed) == 1 && op.comment != nil {
			idx := op.index
			f.RowIndex, f.Field = &idx, commentField(ae.Errors)
		}
	}
	if kclient.MaybeApplied(err) {
		f.OutcomeUnknown = true
		f.UnknownRows = &[2]int{group[0].ops[0].index, lastIndex(group) + 1}
		for _, r := range group {
			for _, op := range r.ops {
				if op.kind == writeUpdate || op.kind == writeDelete || op.kind == writeUpsert && op.key == nil {
					f.UnknownIDs = append(f.UnknownIDs, op.id)
				}
			}
		}
	}
	first, last := group[0].ops[0].index, lastIndex(group)
	what := fmt.Sprintf("writing rows %d to %d of the statement to kintone failed", first, last)
	switch {
	case f.OutcomeUnknown:
		what += " and it is not known whether kintone applied them (the connection broke after sending): check before re-running"
	case len(group) > 1:
		what += "; kintone applied none of them (one bulkRequest)"
	}
	what += fmt.Sprintf("; %d rows were written before them (committed_ids); re-run from row %d (first_uncommitted_index)",
		len(committed), f.FirstUncommittedIndex)
	e := kerr.As(err)
	if e == nil {
		e = kerr.Wrap(err, kerr.KindNetwork, "%s", err.Error())
	}
	out := e.WithMessage(e.Message+" ("+what+")", err)
	out.Details = f
	return out
}

func lastIndex(group []request) int {
	r := group[len(group)-1]
	return r.ops[len(r.ops)-1].index
}

// columnOf is the SQL name of the column of field code, or the code when no column has it.
func columnOf(t *schema.Table, code string) string {
	for _, c := range t.Columns {
		if c.FieldCode == code {
			return c.Name
		}
	}
	return code
}
