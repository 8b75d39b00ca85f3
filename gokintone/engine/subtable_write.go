package engine

// Writes to child tables (the rows of a SUBTABLE field). kintone has no API for one row: a
// record update replaces the whole table, deleting the rows it does not list. So the rows a
// statement adds, changes and deletes are gathered per parent record, and each record is sent
// once with its whole table: the rows it did not touch with their ids and their values as read
// (whether kintone keeps the omitted fields of a row is not settled, so full rows are sent),
// changed rows with their changes, new rows without an id. The record's revision as read goes
// with it, so a table someone else changed meanwhile is refused rather than overwritten.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// childOp is a write to one row of a child table.
type childOp struct {
	parent int64          // the record the row belongs to
	rowID  string         // update, delete: the row's id; "" for a new row
	rec    kclient.Record // the parent record as the scan read it; nil for an insert
	fields map[string]any // insert, update: inner field code → fieldValue
}

// tableRow is one row of a SUBTABLE value as kintone sends it.
type tableRow struct {
	ID    json.RawMessage            `json:"id"`
	Value map[string]json.RawMessage `json:"value"`
}

// childInsert collects a new row of a child table: its RecordId names the record.
func (v *vtab) childInsert(st *Stmt, vals []any) error {
	fields := map[string]any{}
	var parent int64
	given := st.facts.write.columns
	for i := range v.t.Columns {
		col := &v.t.Columns[i]
		if given != nil && !containsFold(given, col.Name) {
			continue
		}
		val := vals[i]
		switch col.Role {
		case "rowid":
			if val != nil {
				return rowError(v.t, st.rowIndex(), col, kerr.New(kerr.KindInvalidArgument,
					"column %q: a row's Id is assigned by kintone; leave it out of the INSERT", col.Name))
			}
			continue
		case "parent":
			enc, err := col.Encode(val)
			if err != nil {
				return rowError(v.t, st.rowIndex(), col, err)
			}
			parent, _ = enc.(int64)
			continue
		}
		enc, skip, err := v.insertValue(st, col, val)
		if err != nil {
			return err
		}
		if !skip {
			fields[col.FieldCode] = fieldValue{enc}
		}
	}
	if parent <= 0 {
		return rowError(v.t, st.rowIndex(), &v.t.Columns[1], kerr.New(kerr.KindInvalidArgument,
			"a new row of %s needs the id of its record in column %q", v.t.Name, v.t.Columns[1].Name))
	}
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: writeInsert, index: st.rowIndex(),
		child: &childOp{parent: parent, fields: fields}})
	return nil
}

// childChange collects a change to (fields non-nil) or the deletion of (fields nil) a row the
// statement's scan read.
func (v *vtab) childChange(st *Stmt, r *row, kind writeKind, fields map[string]any) {
	parent, _ := strconv.ParseInt(strings.Trim(string(r.rec["$id"].Value), `"`), 10, 64)
	st.batch.ops = append(st.batch.ops, writeOp{t: v.t, kind: kind, index: st.rowIndex(),
		child: &childOp{parent: parent, rowID: strings.Trim(string(r.id), `"`), rec: r.rec, fields: fields}})
}

// parentKey names a parent record of a child table.
type parentKey struct {
	t  *schema.Table
	id int64
}

// expandChildren turns the child-row ops of a batch into one update per parent record,
// placed where the first of its rows was. Records the statement did not read (new rows only)
// are read first, 100 per request.
func (e *Engine) expandChildren(ctx context.Context, ops []writeOp) ([]writeOp, error) {
	groups := map[parentKey][]writeOp{}
	recs := map[parentKey]kclient.Record{}
	at := map[parentKey]int{} // where each record's update goes in out
	var out []writeOp
	var unread []parentKey
	for _, op := range ops {
		if op.child == nil {
			out = append(out, op)
			continue
		}
		k := parentKey{op.t, op.child.parent}
		if _, seen := at[k]; !seen {
			at[k] = len(out)
			out = append(out, writeOp{t: op.t, kind: writeUpdate, index: op.index, id: k.id})
		}
		groups[k] = append(groups[k], op)
		if op.child.rec != nil {
			recs[k] = op.child.rec
		}
	}
	if len(at) == 0 {
		return ops, nil
	}
	for k := range at {
		if recs[k] == nil {
			unread = append(unread, k)
		}
	}
	if err := e.readParents(ctx, unread, recs); err != nil {
		return nil, err
	}
	for k, i := range at {
		rec := recs[k]
		if rec == nil {
			return nil, kerr.New(kerr.KindInvalidArgument,
				"%s: record %d does not exist (or this connection may not read it): rows of its table cannot be written", k.t.Name, k.id)
		}
		value, err := tableValue(k.t, rec, groups[k])
		if err != nil {
			return nil, err
		}
		out[i].record = map[string]any{k.t.Subtable: fieldValue{value}}
		if e.opts.CheckRevision {
			out[i].rev = revisionOf(rec)
		}
	}
	return out, nil
}

// readParents reads the records keys name (of one child table's app), 100 per request, into
// recs.
func (e *Engine) readParents(ctx context.Context, keys []parentKey, recs map[parentKey]kclient.Record) error {
	for len(keys) > 0 {
		n := min(len(keys), kclient.MaxRecordsPerRequest)
		t := keys[0].t
		vals := make([]kquery.Value, n)
		for i, k := range keys[:n] {
			vals[i] = kquery.Int(k.id)
		}
		q := kquery.Query{Where: kquery.C("$id", kquery.In, vals...), Limit: kquery.Int64(int64(n))}
		page, err := e.client.Records(ctx, t.AppID, q.String(), []string{"$id", "$revision", t.Subtable}, false)
		if err != nil {
			return err
		}
		for _, rec := range page.Records {
			id, err := strconv.ParseInt(strings.Trim(string(rec["$id"].Value), `"`), 10, 64)
			if err == nil {
				recs[parentKey{t, id}] = rec
			}
		}
		keys = keys[n:]
	}
	return nil
}

// tableValue is the whole SUBTABLE value to send for a record: its rows as read, with the
// group's changes, deletions and new rows applied in order.
func tableValue(t *schema.Table, rec kclient.Record, group []writeOp) ([]map[string]any, error) {
	var rows []tableRow
	if raw := rec[t.Subtable].Value; len(raw) > 0 {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, kerr.New(kerr.KindBadReply, "%s: the table of record %s is not a list of rows: %s", t.Name,
				strings.Trim(string(rec["$id"].Value), `"`), schema.ShortJSON(raw))
		}
	}
	readOnly := map[string]bool{}
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Role == "" && c.Writable(schema.OpUpdate) != nil {
			readOnly[c.FieldCode] = true
		}
	}
	out := make([]map[string]any, 0, len(rows))
	byID := map[string]int{}
	for _, r := range rows {
		value := map[string]any{}
		for code, raw := range r.Value {
			if readOnly[code] {
				continue // computed or copied by kintone
			}
			var f struct {
				Value json.RawMessage `json:"value"`
			}
			if json.Unmarshal(raw, &f) == nil && f.Value != nil {
				value[code] = fieldValue{f.Value}
			}
		}
		id := strings.Trim(string(r.ID), `"`)
		byID[id] = len(out)
		out = append(out, map[string]any{"id": id, "value": value})
	}
	deleted := map[int]bool{}
	for _, op := range group {
		c := op.child
		switch op.kind {
		case writeInsert:
			out = append(out, map[string]any{"value": c.fields})
		case writeUpdate, writeDelete:
			i, ok := byID[c.rowID]
			if !ok || deleted[i] {
				return nil, kerr.New(kerr.KindInvalidArgument, "%s: row %s of record %d is gone", t.Name, c.rowID, c.parent)
			}
			if op.kind == writeDelete {
				deleted[i] = true
				continue
			}
			value := out[i]["value"].(map[string]any)
			for code, v := range c.fields {
				value[code] = v
			}
		}
	}
	kept := out[:0]
	for i, r := range out {
		if !deleted[i] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// revisionOf is a record's revision as read.
func revisionOf(rec kclient.Record) string {
	raw := rec["$revision"].Value
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
