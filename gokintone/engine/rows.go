package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// row is one row of a table as the engine holds it: the kintone fields as received, each
// converted into its SQL value when the statement first needs it (SQLite asks xColumn only
// for the columns a statement uses; the exact re-check reads only the constrained columns),
// then kept, so that no value is converted twice, also when a cached table is scanned many
// times. A malformed value of a column the statement does not use costs nothing and fails
// nothing.
type row struct {
	fields map[string]kclient.FieldValue // the record's fields, or the subtable row's
	rec    kclient.Record                // the record (of a subtable row: its parent); RecordId and messages
	id     json.RawMessage               // a subtable row's id as sent
	seq    int64                         // > 0: computed by the engine (system tables), the row id
	vals   []any                         // converted values; nil: not yet, sqlNull{}: NULL
}

// sqlNull marks a converted NULL in row.vals, where nil means "not converted yet".
type sqlNull struct{}

// valueRows wraps rows computed by the engine (system tables), whose values are final.
func valueRows(rows [][]any) []*row {
	out := make([]*row, len(rows))
	slab := make([]row, len(rows))
	for i, src := range rows { // copied: the caller's rows may be shared
		vals := make([]any, len(src))
		for j, v := range src {
			if v == nil {
				v = sqlNull{}
			}
			vals[j] = v
		}
		slab[i] = row{vals: vals, seq: int64(i + 1)}
		out[i] = &slab[i]
	}
	return out
}

// value returns the SQL value of column i of the row of table t, converting it on first use.
func (r *row) value(t *schema.Table, i int) (any, error) {
	switch v := r.vals[i].(type) {
	case nil:
	case sqlNull:
		return nil, nil
	default:
		return v, nil
	}
	if r.seq > 0 { // computed by the engine: a missing value is NULL
		r.vals[i] = sqlNull{}
		return nil, nil
	}
	col := &t.Columns[i]
	var raw json.RawMessage
	switch col.Role {
	case "rowid":
		raw = r.id
	default:
		fields := r.fields
		if col.Role == "parent" {
			fields = r.rec
		}
		fv, ok := fields[col.FieldCode]
		if !ok { // not sent (a field added since, or not asked for): NULL
			r.vals[i] = sqlNull{}
			return nil, nil
		}
		if fv.Bad {
			return nil, r.badValue(t, &schema.ValueError{Field: col.FieldCode, Type: col.FieldType,
				Value: schema.ShortJSON(fv.Value), Reason: `is not a field object {"type": …, "value": …}`})
		}
		raw = fv.Value
	}
	v, err := col.Value(raw)
	if err != nil {
		return nil, r.badValue(t, err)
	}
	if v == nil {
		r.vals[i] = sqlNull{}
	} else {
		r.vals[i] = v
	}
	return v, nil
}

// where names the row in messages: table, app, record id and, in a child table, the row id.
func (r *row) where(t *schema.Table) string {
	s := fmt.Sprintf("table %s (app %d), record %s", t.Name, t.AppID, idText(r.rec["$id"].Value))
	if t.Subtable != "" {
		s += fmt.Sprintf(", row %s of the table field %q", idText(r.id), t.Subtable)
	}
	return s
}

func (r *row) badValue(t *schema.Table, err error) error {
	var ve *schema.ValueError
	if errors.As(err, &ve) {
		return kerr.Wrap(err, kerr.KindBadValue, "kintone sent a value the driver cannot represent: %s: %v", r.where(t), err)
	}
	return kerr.Wrap(err, kerr.KindBadValue, "%s: %v", r.where(t), err)
}

// rowid is the SQLite row id of the row: kintone's record id ($id) in an app's table, the
// subtable row's id in a child table.
//
// An id that is not a decimal integer is kept exactly as text in the Id column (never turned
// into 0 or another number), but it cannot be a row id: xRowid must answer an integer, and
// SQLite compares row ids, e.g. to drop the rows an OR of conditions finds twice, so a made-up
// number could merge two rows or split one. A statement that needs the row id of such a row
// therefore fails, naming it; every other statement reads it unchanged.
func (r *row) rowid(t *schema.Table) (int64, error) {
	if r.seq > 0 {
		return r.seq, nil
	}
	v, err := r.value(t, 0)
	if err != nil {
		return 0, err
	}
	if id, ok := v.(int64); ok {
		return id, nil
	}
	var raw json.RawMessage
	if t.Subtable != "" {
		raw = r.id
	} else {
		raw = r.rec["$id"].Value
	}
	if raw == nil {
		raw = json.RawMessage("(none)")
	}
	return 0, kerr.New(kerr.KindBadValue,
		"kintone sent an id the driver cannot use as a row id: %s: field %q has the value %s, which is not an integer; SQLite needs the row id for this statement (for example an OR of conditions on the table); select the rows without it, e.g. with UNION",
		r.where(t), t.Columns[0].FieldCode, schema.ShortJSON(raw))
}

// idText is a record or row id for messages: its text, or its JSON when it is not text.
func idText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "(no id)"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strconv.Quote(s)
	}
	return schema.ShortJSON(raw)
}

// subtableRow is one row of a SUBTABLE value.
type subtableRow struct {
	ID    json.RawMessage               `json:"id"`
	Value map[string]kclient.FieldValue `json:"value"`
}

// recordRows turns kintone records into rows of t: one per record, or one per subtable row.
// Field values are converted later, when used (see row). The rows share one allocation per
// page, and are never reused: a cached table keeps them.
func recordRows(t *schema.Table, recs []kclient.Record) ([]row, error) {
	nc := len(t.Columns)
	var rows []row
	for _, r := range recs {
		if r == nil { // null in the records array
			return nil, kerr.New(kerr.KindBadValue,
				"kintone sent a value the driver cannot represent: table %s (app %d): a record that is not an object", t.Name, t.AppID)
		}
	}
	if t.Subtable == "" {
		rows = make([]row, len(recs))
		for i, r := range recs {
			rows[i] = row{fields: r, rec: r}
		}
	} else {
		for _, r := range recs {
			fv := r[t.Subtable]
			if fv.Bad {
				return nil, badSubtable(t, r, fv.Value, `is not a field object {"type": …, "value": …}`)
			}
			raw := fv.Value
			if len(raw) == 0 || string(raw) == "null" {
				continue
			}
			// The rows themselves are needed to scan the table at all: a value that is not
			// a list of rows fails the scan (naming it), whatever columns are used.
			var subRows []*subtableRow
			if err := json.Unmarshal(raw, &subRows); err != nil {
				return nil, badSubtable(t, r, raw, "is not a list of rows {\"id\", \"value\"}")
			}
			for _, sr := range subRows {
				if sr == nil || sr.Value == nil {
					return nil, badSubtable(t, r, raw, "holds a row without \"value\"")
				}
				rows = append(rows, row{fields: sr.Value, rec: r, id: sr.ID})
			}
		}
	}
	vals := make([]any, len(rows)*nc)
	for i := range rows {
		rows[i].vals = vals[i*nc : (i+1)*nc : (i+1)*nc]
	}
	return rows, nil
}

func badSubtable(t *schema.Table, rec kclient.Record, raw json.RawMessage, what string) error {
	return kerr.New(kerr.KindBadValue,
		"kintone sent a value the driver cannot represent: table %s (app %d), record %s: the table field %q has the value %s, which %s",
		t.Name, t.AppID, idText(rec["$id"].Value), t.Subtable, schema.ShortJSON(raw), what)
}

// badRecordID is the error for a record whose $id the pager cannot page past.
func badRecordID(t *schema.Table, rec kclient.Record) error {
	raw := rec["$id"].Value
	if raw == nil {
		raw = json.RawMessage("(none)")
	}
	return kerr.New(kerr.KindBadReply,
		"kintone returned a record without a valid $id in table %s (app %d): %s; the driver reads records in $id order and cannot page past it",
		t.Name, t.AppID, schema.ShortJSON(raw))
}
