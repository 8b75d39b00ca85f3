package kclient

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestRecordsDecodeMatchesEncodingJSON: the one-pass decoder reads every page as encoding/json
// (with FieldValue.UnmarshalJSON) does.
func TestRecordsDecodeMatchesEncodingJSON(t *testing.T) {
	bodies := []string{
		`{"records":[],"totalCount":null}`,
		`{"records":[{"$id":{"type":"__ID__","value":"1"},"a":{"type":"SINGLE_LINE_TEXT","value":"x \" \u00e9 日本"}}],"totalCount":"12"}`,
		`{"records":[{"n":{"type":"NUMBER","value":5},"l":{"type":"CHECK_BOX","value":["a","b"]},"t":{"type":"SUBTABLE","value":[{"id":"3","value":{"q":{"type":"NUMBER","value":"1"}}}]}}],"totalCount":7}`,
		`{"records":[{"odd":"5","o2":[1],"o3":{"value":"no type"},"o4":{"type":5,"value":"x"},"o5":null,"o6":{"type":"T"}}]}`,
		`{"records":[null,{"a":{"type":"T","value":"v"}}]}`,
		`{"records":[{"k\"ey":{"type":"T","value":{"nested":[1,{"x":null}]}}}],"totalCount":""}`,
		`  {"totalCount":"3","records":[ {"a" : { "value" : "v" , "type" : "T" } } ] }  `,
	}
	for _, b := range bodies {
		var want, got recordsWire
		if err := json.Unmarshal([]byte(b), &want); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if err := got.decodeBody([]byte(b)); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(norm(got), norm(want)) {
			t.Errorf("%s:\n got %+v\nwant %+v", b, norm(got), norm(want))
		}
	}
	for _, bad := range []string{`{"records":{}}`, `[]`, `{"records":[5]}`, `{"records":[`, `{"records":[],"totalCount":"x"}`} {
		var w recordsWire
		if err := w.decodeBody([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// norm compacts raw values so that white space does not count.
func norm(w recordsWire) []map[string][3]string {
	var out []map[string][3]string
	for _, r := range w.Records {
		if r == nil {
			out = append(out, nil)
			continue
		}
		m := map[string][3]string{}
		for k, v := range r {
			var c []byte
			if v.Value != nil {
				var x any
				_ = json.Unmarshal(v.Value, &x)
				c, _ = json.Marshal(x)
			}
			m[k] = [3]string{v.Type, string(c), map[bool]string{true: "bad"}[v.Bad]}
		}
		out = append(out, m)
	}
	tc := "nil"
	if w.TotalCount.p != nil {
		tc = string(rune('0' + *w.TotalCount.p))
	}
	return append(out, map[string][3]string{"totalCount": {tc}})
}

// FuzzRecordsDecode: the one-pass decoder calls a body JSON exactly when json.Valid does, and
// reads a JSON object as encoding/json (with FieldValue.UnmarshalJSON) does: the same records,
// or an error both times; other JSON is not a reply. (Top-level keys that differ from "records" and "totalCount" only in
// case, which encoding/json would match, are not compared.)
func FuzzRecordsDecode(f *testing.F) {
	for _, b := range []string{
		`{"records":[{"$id":{"type":"__ID__","value":"1"},"a":{"type":"SINGLE_LINE_TEXT","value":"x \" \u00e9"}}],"totalCount":"12"}`,
		`{"records":[{"n":{"type":"NUMBER","value":5},"t":{"type":"SUBTABLE","value":[{"id":"3","value":{"q":{"type":"NUMBER","value":"1"}}}]}}]}`,
		`{"records":[{"o":{"Type":"T","value":"v","value":"w"},"p":{"type":1}, "q":[], "r":null}],"totalCount":null}`,
		`{"records":[null,5]}`, `{"records":{}}`, `[1,-0.5e+3,true,false,null]`, `{"records":[{"k\u0041":{"type":"\u0054","value":"\/"}}]}`,
		`{"records":[]} x`, `{"records":[1.]}`, `{"a":"\x01"}`,
	} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got recordsWire
		err := got.decodeBody(body)
		if !json.Valid(body) {
			if err != errSyntax {
				t.Fatalf("%q: not JSON, decoded with %v", body, err)
			}
			return
		}
		if err == errSyntax {
			t.Fatalf("%q: JSON, decoded as not JSON", body)
		}
		if trimmed := strings.TrimSpace(string(body)); trimmed[0] != '{' {
			if err == nil || !strings.Contains(err.Error(), "not a JSON object") {
				t.Fatalf("%q: not an object, decoded with %v", body, err)
			}
			return
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(body, &top) == nil {
			for k := range top {
				if k != "records" && k != "totalCount" && (strings.EqualFold(k, "records") || strings.EqualFold(k, "totalCount")) {
					return
				}
			}
		}
		var want recordsWire
		werr := json.Unmarshal(body, &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: error %v, encoding/json's %v", body, err, werr)
		}
		if err == nil && !reflect.DeepEqual(norm(got), norm(want)) {
			t.Fatalf("%q:\n got %+v\nwant %+v", body, norm(got), norm(want))
		}
	})
}
