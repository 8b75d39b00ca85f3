package kintonesim

import (
	"fmt"
	"math/big"
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

// txn is one all-or-nothing write on the store, under its write lock.
type txn struct {
	s     *store
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

// writeOp is a write endpoint (record.json POST, records/status.json PUT, …): it runs in a
// transaction on behalf of c with the call's parameters p; bulkRequest.json runs several in one
// transaction.
type writeOp func(t *txn, c *caller, p params) (any, *apiError)

// inTxn runs one write under the write lock and rolls it back on error.
func (s *store) inTxn(c *caller, p params, op writeOp) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.begin()
	out, e := op(t, c, p)
	if e != nil {
		t.rollback()
	}
	return out, e
}

// begin starts a transaction. The caller holds s.mu for writing until it ends.
func (s *store) begin() *txn { return &txn{s: s, snaps: map[*appDef]snapshot{}} }

var (
	msgMaxAdd    = text{"A maximum of 100 records can be added at one time.", "一度に100件までのレコードを追加できます。"}
	msgMaxUpdate = text{"A maximum of 100 records can be updated at one time.", "一度に100件までのレコードを更新できます。"}
	msgMaxDelete = text{"Between 1 and 100 records can be deleted at one time.", "一度に1件から100件までのレコードを削除できます。"}
	// msgIDsMissing is the pair of messages kintone lists under ids when none is given, in the
	// order of each language: the range first in English, "required" first in Japanese.
	msgIDsMissing = [2]text{{msgMaxDelete.en, msgRequired.ja}, {msgRequired.en, msgMaxDelete.ja}}
)

// recordInput reads a record parameter ({"code": {"value": ...}}).
func recordInput(v any) (map[string]any, bool) {
	if v == nil {
		return map[string]any{}, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// newRecord builds a record from a POST payload; prefix is "record." or "records[i].".
func (t *txn) newRecord(c *caller, d *appDef, in map[string]any, prefix string, dc *decoder) *record {
	now := t.s.nowMinute()
	r := &record{rev: 1, created: now, updated: now, creator: c.user, modifier: c.user, vals: make([]any, len(d.stored))}
	for _, f := range d.stored {
		cell, ok := in[f.code]
		if !ok || processField(f) {
			r.vals[f.idx] = dc.defaultValue(f)
			continue
		}
		if f.typ == "CALC" || isFormula(f) { // computed by finish
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
			user, _ := entityCodeName(cellValue(cell))
			i, ok := t.s.dir.lookup(kindUser, user)
			if !ok {
				dc.fail(prefix+code+".value", msgNoEntity("user", user))
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
func (t *txn) mergeRecord(c *caller, d *appDef, old *record, in map[string]any, prefix string, dc *decoder) *record {
	r := &record{id: old.id, rev: old.rev, created: old.created, creator: old.creator,
		updated: t.s.nowMinute(), modifier: c.user, vals: slices.Clone(old.vals)}
	for _, f := range d.stored {
		cell, ok := in[f.code]
		if !ok || f.typ == "CALC" || isFormula(f) || processField(f) {
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
func (t *txn) finish(c *caller, d *appDef, r *record, prefix string, dc *decoder) *apiError {
	d.validate(r, prefix, dc)
	if dc.errs != nil {
		return dc.errs
	}
	if e := t.applyLookups(c, d, r); e != nil {
		return e
	}
	t.s.assignRowIDs(d, r)
	t.s.computeFormulas(d, r)
	if r.id == 0 { // a new record: the first status's assignees (process.go)
		t.s.initAssignees(d, r, c.user)
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

// validate checks r against the form's required, unique, length and range settings.
func (d *appDef) validate(r *record, prefix string, dc *decoder) {
	check := func(f *fieldDef, v any, key string) {
		suffix := ".value"
		switch f.typ {
		case "CHECK_BOX", "MULTI_SELECT", "FILE":
			suffix = ".values"
		case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
			suffix = ".values.value"
		}
		p := f.prop
		// Formulas are computed: kintone does not check required on them (BEHAVIOUR.md,
		// Validation).
		if p.Required && isEmptyValue(v) && f.typ != "CALC" && !isFormula(f) {
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
			x, ok := new(big.Rat).SetString(str)
			if !ok {
				break
			}
			if mx, ok := new(big.Rat).SetString(string(p.MaxValue)); ok && x.Cmp(mx) > 0 {
				dc.fail(key+suffix, msgMaxValue(string(p.MaxValue)))
			}
			if mn, ok := new(big.Rat).SetString(string(p.MinValue)); ok && x.Cmp(mn) < 0 {
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
func (t *txn) applyLookups(c *caller, d *appDef, r *record) *apiError {
	for _, f := range d.stored {
		l := f.prop.Lookup
		if l == nil {
			continue
		}
		key, _ := r.vals[f.idx].(string)
		srcID, _ := strconv.ParseInt(string(l.RelatedApp.App), 10, 64)
		src := t.s.apps[srcID]
		var found *record
		if key != "" {
			if src == nil {
				return errAppNotFound(string(l.RelatedApp.App))
			}
			if c.kind == AuthToken && c.tokens[srcID] == nil {
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
					fmt.Sprintf("A value %s in the field %s does not exist in the datasource app for lookup, or you do not have permission to view the app or the field.", key, f.code),
					fmt.Sprintf("フィールド「%s」の値「%s」が、ルックアップの参照先のフィールドにないか、またはアプリやフィールドの閲覧権限がありません。", f.code, key)}}
			}
		}
		for _, m := range l.FieldMappings {
			tf := d.byCode[m.Field]
			if tf == nil || tf.idx < 0 || tf.table != nil {
				continue
			}
			if found == nil {
				r.vals[tf.idx] = (&decoder{s: t.s}).value(tf, nil, errKey{})
				continue
			}
			sf := src.byCode[m.RelatedField]
			if sf == nil || sf.idx < 0 {
				continue
			}
			v := found.vals[sf.idx]
			if sf.typ != tf.typ {
				str, _ := v.(string)
				v = (&decoder{s: t.s}).value(tf, str, errKey{})
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

// addRecord is POST record.json.
func (t *txn) addRecord(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permAdd)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	in, ok := recordInput(p["record"])
	if !ok {
		return nil, errInvalid("record", msgBadValue)
	}
	dc := &decoder{s: t.s, app: d}
	r := t.newRecord(c, d, in, "record.", dc)
	if e := t.finish(c, d, r, "record.", dc); e != nil {
		return nil, e
	}
	t.touch(d)
	d.insert(r)
	return map[string]any{"id": strconv.FormatInt(r.id, 10), "revision": "1"}, nil
}

// addRecords is POST records.json.
func (t *txn) addRecords(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permAdd)
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
		dc := &decoder{s: t.s, app: d}
		r := t.newRecord(c, d, in, prefix, dc)
		if e := t.finish(c, d, r, prefix, dc); e != nil {
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
func (d *appDef) target(p map[string]any, prefix string) (int, *apiError) {
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
func (t *txn) updateOne(c *caller, d *appDef, p map[string]any, prefix, errPrefix string, upsert bool) (string, string, string, *apiError) {
	in, ok := recordInput(p["record"])
	if !ok {
		return "", "", "", errInvalid(errPrefix+"record", msgBadValue)
	}
	i, e := d.target(p, errPrefix)
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
		dc := &decoder{s: t.s, app: d}
		r := t.newRecord(c, d, in, prefix, dc)
		if e := t.finish(c, d, r, prefix, dc); e != nil {
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
	dc := &decoder{s: t.s, app: d}
	r := t.mergeRecord(c, d, old, in, prefix, dc)
	r.rev = old.rev + 1
	if e := t.finish(c, d, r, prefix, dc); e != nil {
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

// updateRecord is PUT record.json.
func (t *txn) updateRecord(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permEdit)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	_, rev, _, e := t.updateOne(c, d, p, "record.", "", false)
	if e != nil {
		return nil, e
	}
	return map[string]any{"revision": rev}, nil
}

// updateRecords is PUT records.json.
func (t *txn) updateRecords(c *caller, p params) (any, *apiError) {
	upsert, e := p.boolean("upsert")
	if e != nil {
		return nil, e
	}
	need := permEdit
	d, e := t.s.appParam(c, p, "app", need)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	if upsert && c.kind == AuthToken && !c.tokens[d.meta.ID].allows(permAdd) {
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
		id, rev, op, e := t.updateOne(c, d, m, prefix, prefix, upsert)
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

// deleteRecords is DELETE records.json.
func (t *txn) deleteRecords(c *caller, p params) (any, *apiError) {
	d, e := t.s.appParam(c, p, "app", permDelete)
	if e != nil {
		return nil, e
	}
	t.touch(d)
	idList, ok := p.strs("ids")
	if !ok || len(idList) == 0 {
		return nil, errInvalid("ids", msgIDsMissing[0]).add("ids", msgIDsMissing[1])
	}
	if len(idList) > 100 {
		return nil, errInvalid("ids", msgMaxDelete)
	}
	revs, _ := p.strs("revisions")
	del := map[int64]bool{}
	for i, idText := range idList {
		id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
		if err != nil {
			return nil, errInvalid(fmt.Sprintf("ids[%d]", i), msgInteger)
		}
		j, found := d.find(id)
		if !found {
			return nil, errRecordNotFound(idText)
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

// batchRecords returns the "records" array of a batch write: up to 100 items, else the error
// kintone gives (tooMany says what the limit is about). An empty array is a write of nothing,
// as kintone answers it.
func batchRecords(p params, tooMany text) ([]any, *apiError) {
	items, ok := p["records"].([]any)
	if !ok {
		return nil, errInvalid("records", msgRequired)
	}
	if len(items) > 100 {
		return nil, errInvalid("records", tooMany)
	}
	return items, nil
}
