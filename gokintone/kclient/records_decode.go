package kclient

// Pages of records.json are the bulk of what the driver reads: they are decoded with gjson,
// straight from the reply's bytes, instead of through encoding/json's reflection. Each field
// value stays a slice of the reply (no copy); the engine converts only the fields a statement
// reads.

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tidwall/gjson"
)

// bodyDecoder is a reply type that reads the reply body itself.
type bodyDecoder interface {
	decodeBody(body []byte) error
}

// decodeBody reads a records.json reply: {"records": [{code: {"type", "value"}, …}, …],
// "totalCount": n | "n" | null}. A field in another shape is kept as Bad, as
// FieldValue.UnmarshalJSON does; a reply that is not such an object is an error.
func (w *recordsWire) decodeBody(body []byte) error {
	if !gjson.ValidBytes(body) {
		return errors.New("invalid JSON")
	}
	doc := gjson.ParseBytes(body)
	if !doc.IsObject() {
		return errors.New("the reply is not a JSON object")
	}
	recs := doc.Get("records")
	switch {
	case !recs.Exists() || recs.Type == gjson.Null:
		w.Records = nil
	case !recs.IsArray():
		return errors.New(`"records" is not a list`)
	default:
		w.Records = make([]Record, 0, 500)
		var err error
		recs.ForEach(func(_, rec gjson.Result) bool {
			if rec.Type == gjson.Null {
				w.Records = append(w.Records, nil) // the engine says which record is not an object
				return true
			}
			if !rec.IsObject() {
				err = fmt.Errorf("a record is not an object: %.80s", rec.Raw)
				return false
			}
			r := make(Record, 24)
			rec.ForEach(func(key, val gjson.Result) bool {
				r[key.String()] = fieldValueOf(body, val)
				return true
			})
			w.Records = append(w.Records, r)
			return true
		})
		if err != nil {
			return err
		}
	}
	tc := doc.Get("totalCount")
	if tc.Exists() {
		if err := w.TotalCount.UnmarshalJSON(rawOf(body, tc)); err != nil {
			return fmt.Errorf("totalCount: %w", err)
		}
	}
	return nil
}

// fieldValueOf reads one field: {"type": "T", "value": V}; anything else is Bad, with its JSON.
func fieldValueOf(body []byte, val gjson.Result) FieldValue {
	switch {
	case val.Type == gjson.Null:
		return FieldValue{}
	case !val.IsObject():
		return FieldValue{Value: rawOf(body, val), Bad: true}
	}
	t, v := val.Get("type"), val.Get("value")
	if t.Exists() && t.Type != gjson.String && t.Type != gjson.Null {
		return FieldValue{Value: rawOf(body, val), Bad: true}
	}
	fv := FieldValue{Type: t.Str}
	if v.Exists() {
		fv.Value = rawOf(body, v)
	}
	return fv
}

// rawOf is r's JSON as a slice of body when gjson knows where it is, else a copy.
func rawOf(body []byte, r gjson.Result) json.RawMessage {
	if r.Index > 0 && r.Index+len(r.Raw) <= len(body) {
		return json.RawMessage(body[r.Index : r.Index+len(r.Raw) : r.Index+len(r.Raw)])
	}
	return json.RawMessage(r.Raw)
}
