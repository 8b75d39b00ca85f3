package kintonesim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Writes run in a transaction: every app a call touches is snapshotted first (records are
// replaced, never changed in place), and any error rolls all of them back. This is what makes
// records.json POST/PUT/DELETE and bulkRequest.json all-or-nothing.
//
// Unique checks scan the app (no index): fine for test-sized apps, slow for huge ones.

type snapshot struct {
	records           []*record
	nextID, nextRowID int64
}

type txn struct {
	snaps map[*appDef]snapshot
}

func (t *txn) touch(d *appDef) {
	if _, ok := t.snaps[d]; !ok {
		t.snaps[d] = snapshot{records: slices.Clone(d.records), nextID: d.nextID, nextRowID: d.nextRowID}
	}
}

func (t *txn) rollback() {
	for d, sn := range t.snaps {
		d.records, d.nextID, d.nextRowID = sn.records, sn.nextID, sn.nextRowID
	}
}

type writeOp func(t *txn, q *request, p params) (any, *apiError)

// inTxn runs one write under the write lock and rolls it back on error.
func (s *Server) inTxn(q *request, op writeOp) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &txn{snaps: map[*appDef]snapshot{}}
	out, e := op(t, q, q.p)
	if e != nil {
		t.rollback()
	}
	return out, e
}

func (s *Server) postRecord(q *request) (any, *apiError)    { return s.inTxn(q, s.opAddRecord) }
func (s *Server) putRecord(q *request) (any, *apiError)     { return s.inTxn(q, s.opUpdateRecord) }
func (s *Server) postRecords(q *request) (any, *apiError)   { return s.inTxn(q, s.opAddRecords) }
func (s *Server) putRecords(q *request) (any, *apiError)    { return s.inTxn(q, s.opUpdateRecords) }
func (s *Server) deleteRecords(q *request) (any, *apiError) { return s.inTxn(q, s.opDeleteRecords) }

var (
	msgMaxAdd    = text{"A maximum of 100 records can be added at one time.", "一度に追加できるレコードは100件までです。"}
	msgMaxUpdate = text{"A maximum of 100 records can be updated at one time.", "一度に更新できるレコードは100件までです。"}
	msgMaxDelete = text{"Between 1 and 100 records can be deleted at one time.", "一度に削除できるレコードは1件から100件までです。"}
)

// recordInput reads a record parameter ({"code": {"value": ...}}).
func recordInput(v any) (map[string]any, bool) {
	if v == nil {
		return map[string]any{}, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

func (s *Server) nowMinute() int64 {
	sec := s.now().Unix()
	return sec - sec%60
}

// newRecord builds a record from a POST payload; prefix is "record." or "records[i].".
func (s *Server) newRecord(q *request, d *appDef, in map[string]any, prefix string, dc *decoder) *record {
	now := s.nowMinute()
	r := &record{rev: 1, created: now, updated: now, creator: q.auth.user, modifier: q.auth.user, vals: make([]any, len(d.stored))}
	for _, f := range d.stored {
		cell, ok := in[f.code]
		if !ok || processField(f) {
			r.vals[f.idx] = dc.defaultValue(f)
			continue
		}
		if f.typ == "CALC" {
			r.vals[f.idx] = ""
			continue
		}
		r.vals[f.idx] = dc.value(f, cellValue(cell), errKey{base: prefix + f.code})
		if f.typ == "SUBTABLE" { // row ids sent on POST are ignored
			rows, _ := r.vals[f.idx].([]row)
			for i := range rows {
				rows[i].id = 0
			}
		}
	}
	// System fields may be set on creation.
	for code, cell := range in {
		f := d.byCode[code]
		if f == nil {
			continue
		}
		switch f.typ {
		case "CREATOR", "MODIFIER":
			c, _ := entityCodeName(cellValue(cell))
			i, ok := s.dir.lookup(kindUser, c)
			if !ok {
				dc.fail(prefix+code+".value", msgNoEntity("user", c))
				continue
			}
			if f.typ == "CREATOR" {
				r.creator = i
			} else {
				r.modifier = i
			}
		case "CREATED_TIME", "UPDATED_TIME":
			t, _ := scalarString(cellValue(cell))
			tm, ok := parseDatetime(t)
			if !ok {
				dc.fail(prefix+code+".value", msgBadDatetime)
				continue
			}
			if f.typ == "CREATED_TIME" {
				r.created = tm.Unix()
			} else {
				r.updated = tm.Unix()
			}
		}
	}
	return r
}

// mergeRecord applies a PUT payload to a copy of old.
func (s *Server) mergeRecord(q *request, d *appDef, old *record, in map[string]any, prefix string, dc *decoder) *record {
	r := &record{id: old.id, rev: old.rev, created: old.created, creator: old.creator,
		updated: s.nowMinute(), modifier: q.auth.user, vals: slices.Clone(old.vals)}
	for _, f := range d.stored {
		cell, ok := in[f.code]
		if !ok || f.typ == "CALC" || processField(f) {
			continue
		}
		v := dc.value(f, cellValue(cell), errKey{base: prefix + f.code})
		if f.typ == "SUBTABLE" {
			oldRows, _ := old.vals[f.idx].([]row)
			newRows, _ := v.([]row)
			items, _ := list(cellValue(cell))
			for i := range newRows {
				known := false
				for _, or := range oldRows {
					if newRows[i].id != 0 && or.id == newRows[i].id {
						known = true
						// Cells not sent keep their values.
						m, _ := items[i].(map[string]any)
						cells, _ := m["value"].(map[string]any)
						for _, fi := range f.inner {
							if _, sent := cells[fi.code]; !sent {
								newRows[i].vals[fi.idx] = or.vals[fi.idx]
							}
						}
					}
				}
				if !known {
					newRows[i].id = 0
				}
			}
			v = newRows
		}
		r.vals[f.idx] = v
	}
	return r
}

// finish validates r, applies lookups and formulas, and assigns row ids.
func (s *Server) finish(q *request, d *appDef, r *record, prefix string, dc *decoder) *apiError {
	s.validate(d, r, prefix, dc)
	if dc.errs != nil {
		return dc.errs
	}
	if e := s.applyLookups(q, d, r); e != nil {
		return e
	}
	s.assignRowIDs(d, r)
	s.computeCalcs(d, r)
	if r.id == 0 { // a new record: the first status's assignees (process.go)
		s.initAssignees(d, r, q.auth.user)
	}
	return nil
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []int32:
		return len(x) == 0
	case []fileRef:
		return len(x) == 0
	case []row:
		return len(x) == 0
	}
	return false
}

// validate checks required, unique, length and range settings.
func (s *Server) validate(d *appDef, r *record, prefix string, dc *decoder) {
	check := func(f *fieldDef, v any, key string) {
		suffix := ".value"
		switch f.typ {
		case "CHECK_BOX", "MULTI_SELECT", "FILE":
			suffix = ".values"
		case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
			suffix = ".values.value"
		}
		p := f.prop
		if p.Required && isEmptyValue(v) {
			dc.fail(key+suffix, msgRequiredValue)
			return
		}
		str, _ := v.(string)
		if str == "" {
			return
		}
		switch f.typ {
		case "SINGLE_LINE_TEXT", "LINK":
			n := utf8.RuneCountInString(str)
			if mx, err := strconv.Atoi(string(p.MaxLength)); err == nil && n > mx {
				dc.fail(key+suffix, msgMaxLength(mx))
			}
			if mn, err := strconv.Atoi(string(p.MinLength)); err == nil && n < mn {
				dc.fail(key+suffix, msgMinLength(mn))
			}
		case "NUMBER":
			x, _ := parseNum(str)
			if mx, ok := parseNum(string(p.MaxValue)); ok && p.MaxValue != "" && x.rat().Cmp(mx.rat()) > 0 {
				dc.fail(key+suffix, msgMaxValue(string(p.MaxValue)))
			}
			if mn, ok := parseNum(string(p.MinValue)); ok && p.MinValue != "" && x.rat().Cmp(mn.rat()) < 0 {
				dc.fail(key+suffix, msgMinValue(string(p.MinValue)))
			}
		}
		if p.Unique && f.table == nil {
			for _, o := range d.records {
				if o.id != r.id && o.vals[f.idx] == v {
					dc.fail(key+suffix, msgUnique)
					break
				}
			}
		}
	}
	for _, f := range d.stored {
		v := r.vals[f.idx]
		check(f, v, prefix+f.code)
		if f.typ == "SUBTABLE" {
			rows, _ := v.([]row)
			for i, rw := range rows {
				for _, fi := range f.inner {
					check(fi, rw.vals[fi.idx], fmt.Sprintf("%s%s.value[%d].value.%s", prefix, f.code, i, fi.code))
				}
			}
		}
	}
}

// applyLookups copies the mapped fields of each lookup's source record.
func (s *Server) applyLookups(q *request, d *appDef, r *record) *apiError {
	for _, f := range d.stored {
		l := f.prop.Lookup
		if l == nil {
			continue
		}
		key, _ := r.vals[f.idx].(string)
		srcID, _ := strconv.ParseInt(string(l.RelatedApp.App), 10, 64)
		src := s.apps[srcID]
		var found *record
		if key != "" {
			if src == nil {
				return errAppNotFound(string(l.RelatedApp.App))
			}
			if q.auth.kind == AuthToken && q.auth.tokens[srcID] == nil {
				return &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
			}
			kf := src.byCode[l.RelatedKeyField]
			for _, o := range src.records {
				if kf != nil && kf.idx >= 0 && o.vals[kf.idx] == key || kf != nil && kf.typ == "RECORD_NUMBER" && src.recordNumber(o.id) == key {
					found = o
					break
				}
			}
			if found == nil {
				return &apiError{status: 400, code: "GAIA_LO04", msg: text{
					fmt.Sprintf("Failed to get a value for the field \"%s\": the lookup source record (%s) is not found.", f.code, key),
					fmt.Sprintf("フィールド「%s」の値「%s」が、ルックアップの参照先のフィールドにないか、またはアプリやフィールドの閲覧権限がありません。", f.code, key)}}
			}
		}
		for _, m := range l.FieldMappings {
			tf := d.byCode[m.Field]
			if tf == nil || tf.idx < 0 || tf.table != nil {
				continue
			}
			if found == nil {
				r.vals[tf.idx] = (&decoder{s: s}).value(tf, nil, errKey{})
				continue
			}
			sf := src.byCode[m.RelatedField]
			if sf == nil || sf.idx < 0 {
				continue
			}
			v := found.vals[sf.idx]
			if sf.typ != tf.typ {
				str, _ := v.(string)
				v = (&decoder{s: s}).value(tf, str, errKey{})
			}
			r.vals[tf.idx] = v
		}
	}
	return nil
}

// insert adds r with the app's next id.
func (d *appDef) insert(r *record) {
	r.id = d.nextID
	d.nextID++
	d.records = append(d.records, r)
}

func (s *Server) opAddRecord(t *txn, q *request, p params) (any, *apiError) {
	d, e := s.appParam(q, "app", permAdd)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	in, ok := recordInput(p["record"])
	if !ok {
		return nil, errInvalid("record", msgBadValue)
	}
	dc := &decoder{s: s, app: d}
	r := s.newRecord(q, d, in, "record.", dc)
	if e := s.finish(q, d, r, "record.", dc); e != nil {
		return nil, e
	}
	t.touch(d)
	d.insert(r)
	return map[string]any{"id": strconv.FormatInt(r.id, 10), "revision": "1"}, nil
}

func (s *Server) opAddRecords(t *txn, q *request, p params) (any, *apiError) {
	d, e := s.appParam(q, "app", permAdd)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	items, e := batchRecords(p, msgMaxAdd)
	if e != nil {
		return nil, e
	}
	ids, revs := []string{}, []string{}
	for i, it := range items {
		in, ok := recordInput(it)
		prefix := fmt.Sprintf("records[%d].", i)
		if !ok {
			return nil, errInvalid(prefix[:len(prefix)-1], msgBadValue)
		}
		dc := &decoder{s: s, app: d}
		r := s.newRecord(q, d, in, prefix, dc)
		if e := s.finish(q, d, r, prefix, dc); e != nil {
			return nil, e
		}
		d.insert(r) // later records see earlier ones for unique checks
		ids = append(ids, strconv.FormatInt(r.id, 10))
		revs = append(revs, "1")
	}
	return map[string]any{"ids": ids, "revisions": revs}, nil
}

// target finds the record an update names by id or updateKey; -1 when an updateKey matches
// nothing.
func (s *Server) target(d *appDef, p map[string]any, prefix string) (int, *apiError) {
	idText, hasID := scalarString(p["id"])
	uk, hasKey := p["updateKey"].(map[string]any)
	if p["id"] == nil {
		hasID = false
	}
	switch {
	case hasID && hasKey:
		return 0, errInvalid(prefix+"id", text{"Specify either id or updateKey.", "idとupdateKeyのどちらか一方を指定してください。"})
	case hasID:
		id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
		if err != nil || id < 1 {
			return 0, errInvalid(prefix+"id", msgInteger)
		}
		i, ok := d.find(id)
		if !ok {
			return -1, errRecordNotFound(idText)
		}
		return i, nil
	case hasKey:
		code, _ := scalarString(uk["field"])
		f := d.byCode[code]
		if f == nil || f.table != nil || !f.prop.Unique || (f.typ != "SINGLE_LINE_TEXT" && f.typ != "NUMBER") {
			return 0, errInvalid(prefix+"updateKey.field", text{
				"The field must be a unique SINGLE_LINE_TEXT or NUMBER field.",
				"重複禁止の文字列（1行）または数値フィールドを指定してください。"})
		}
		v, _ := scalarString(uk["value"])
		if f.typ == "NUMBER" {
			v, _ = normalizeNumber(v)
		}
		if v == "" {
			return 0, errInvalid(prefix+"updateKey.value", msgRequired)
		}
		for i, r := range d.records {
			if r.vals[f.idx] == v {
				return i, nil
			}
		}
		return -1, nil
	}
	return 0, errInvalid(prefix+"id", msgRequired)
}

// checkRevision compares an expected revision (-1 or absent: no check).
func checkRevision(v any, r *record) *apiError {
	t, ok := scalarString(v)
	if v == nil || !ok || t == "" || t == "-1" {
		return nil
	}
	if t != strconv.FormatInt(r.rev, 10) {
		return &apiError{status: 409, code: "GAIA_CO02", msg: msgRevision}
	}
	return nil
}

// updateOne updates (or, with upsert, inserts) one record and returns its id, revision and
// the operation done.
func (s *Server) updateOne(t *txn, q *request, d *appDef, p map[string]any, prefix, errPrefix string, upsert bool) (string, string, string, *apiError) {
	in, ok := recordInput(p["record"])
	if !ok {
		return "", "", "", errInvalid(errPrefix+"record", msgBadValue)
	}
	i, e := s.target(d, p, errPrefix)
	if i < 0 {
		if !upsert {
			if e != nil {
				return "", "", "", e
			}
			return "", "", "", &apiError{status: 400, code: "GAIA_RE20", msg: text{
				"The record to update was not found with the specified updateKey.",
				"updateKeyに指定した値に該当するレコードが見つかりません。"}}
		}
		// Upsert inserts, with the updateKey's value set.
		if uk, ok := p["updateKey"].(map[string]any); ok {
			code, _ := scalarString(uk["field"])
			in = cloneMap(in)
			in[code] = map[string]any{"value": uk["value"]}
		}
		dc := &decoder{s: s, app: d}
		r := s.newRecord(q, d, in, prefix, dc)
		if e := s.finish(q, d, r, prefix, dc); e != nil {
			return "", "", "", e
		}
		t.touch(d)
		d.insert(r)
		return strconv.FormatInt(r.id, 10), "1", "INSERT", nil
	}
	if e != nil {
		return "", "", "", e
	}
	old := d.records[i]
	if e := checkRevision(p["revision"], old); e != nil {
		return "", "", "", e
	}
	dc := &decoder{s: s, app: d}
	r := s.mergeRecord(q, d, old, in, prefix, dc)
	r.rev = old.rev + 1
	if e := s.finish(q, d, r, prefix, dc); e != nil {
		return "", "", "", e
	}
	t.touch(d)
	d.records[i] = r
	return strconv.FormatInt(r.id, 10), strconv.FormatInt(r.rev, 10), "UPDATE", nil
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) opUpdateRecord(t *txn, q *request, p params) (any, *apiError) {
	d, e := s.appParam(q, "app", permEdit)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	_, rev, _, e := s.updateOne(t, q, d, p, "record.", "", false)
	if e != nil {
		return nil, e
	}
	return map[string]any{"revision": rev}, nil
}

func (s *Server) opUpdateRecords(t *txn, q *request, p params) (any, *apiError) {
	upsert, e := p.boolean("upsert")
	if e != nil {
		return nil, e
	}
	need := permEdit
	d, e := s.appParam(q, "app", need)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	if upsert && q.auth.kind == AuthToken && !q.auth.tokens[d.meta.ID].allows(permAdd) {
		return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	items, e := batchRecords(p, msgMaxUpdate)
	if e != nil {
		return nil, e
	}
	seen := map[string]bool{}
	out := []any{}
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, errInvalid(fmt.Sprintf("records[%d]", i), msgBadValue)
		}
		if idText, ok := scalarString(m["id"]); ok && m["id"] != nil {
			if seen[idText] {
				return nil, &apiError{status: 400, code: "GAIA_RE09", msg: text{
					fmt.Sprintf("The record (id: %s) is specified more than once.", idText),
					fmt.Sprintf("レコード（id: %s）の指定が重複しています。", idText)}}
			}
			seen[idText] = true
		}
		prefix := fmt.Sprintf("records[%d].", i)
		id, rev, op, e := s.updateOne(t, q, d, m, prefix+"record.", prefix, upsert)
		if e != nil {
			return nil, e
		}
		res := map[string]any{"id": id, "revision": rev}
		if upsert {
			res["operation"] = op
		}
		out = append(out, res)
	}
	return map[string]any{"records": out}, nil
}

func (s *Server) opDeleteRecords(t *txn, q *request, p params) (any, *apiError) {
	d, e := s.appParam(q, "app", permDelete)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	idList, ok := p.strs("ids")
	if !ok || len(idList) == 0 {
		return nil, errInvalid("ids", msgMaxDelete).add("ids", msgRequired)
	}
	if len(idList) > 100 {
		return nil, errInvalid("ids", msgMaxDelete)
	}
	revs, _ := p.strs("revisions")
	del := map[int64]bool{}
	for i, t := range idList {
		id, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return nil, errInvalid(fmt.Sprintf("ids[%d]", i), msgInteger)
		}
		j, found := d.find(id)
		if !found {
			return nil, errRecordNotFound(t)
		}
		if i < len(revs) {
			if e := checkRevision(revs[i], d.records[j]); e != nil {
				return nil, e
			}
		}
		del[id] = true
	}
	t.touch(d)
	kept := make([]*record, 0, len(d.records))
	for _, r := range d.records {
		if !del[r.id] {
			kept = append(kept, r)
		}
	}
	d.records = kept
	return map[string]any{}, nil
}

// batchRecords returns the "records" array of a batch write: 1 to 100 items, else the error
// kintone gives (tooMany says what the limit is about).
func batchRecords(p params, tooMany text) ([]any, *apiError) {
	items, ok := p["records"].([]any)
	if !ok || len(items) == 0 {
		return nil, errInvalid("records", msgRequired)
	}
	if len(items) > 100 {
		return nil, errInvalid("records", tooMany)
	}
	return items, nil
}
