package kquery

import (
	"fmt"
	"strings"
	"time"
)

// FieldDef describes one field of an app, as far as the query language cares.
type FieldDef struct {
	Code     string
	Type     string   // kintone field type: SINGLE_LINE_TEXT, NUMBER, CALC, "__ID__", ...
	Subtable string   // code of the SUBTABLE holding this field; "" at the top level
	Options  []string // option labels of CHECK_BOX, RADIO_BUTTON, DROP_DOWN, MULTI_SELECT; nil = unchecked
	Format   string   // CALC only: NUMBER, NUMBER_DIGIT, DATE, TIME, DATETIME, HOUR_MINUTE, DAY_HOUR_MINUTE
}

// Schema is an app's fields by code, subtable inner fields included. "$id" and "$revision" are
// implied when absent. A related-records field is queried as "rel.field": give it an entry
// under that name with the referenced field's type (and declare "rel" as REFERENCE_TABLE).
type Schema map[string]FieldDef

// Env is what a query's functions read: the clock and the calling user.
type Env struct {
	Now                 time.Time      // zero: time.Now() at Compile
	Location            *time.Location // the user's time zone for TODAY() and friends; nil: UTC
	LoginUser           string         // LOGINUSER(); API-token calls act as "Administrator"
	PrimaryOrganization string         // PRIMARY_ORGANIZATION()
}

// FieldValue is one record entry exactly as kintone's JSON has it, decoded by encoding/json
// into any: a string, nil, []any of strings, []any of {"code","name"} maps, a {"code","name"}
// map for CREATOR/MODIFIER, []any of file maps, or []any of subtable rows
// {"id", "value": {code: {"type", "value"}}}. Go-typed equivalents ([]string, []map[string]any,
// map[string]FieldValue rows) are accepted too.
//
// For a related-records field "rel.field" the simulator supplies Value as a list holding the
// field's value in each related record; it is matched like a subtable column.
type FieldValue struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Record is a record by field code, including "$id" and "$revision".
type Record map[string]FieldValue

// text returns a scalar value as text; nil is the empty string.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	case float64, float32, int, int64, int32, uint, uint64:
		return fmt.Sprint(x)
	case map[string]any: // CREATOR / MODIFIER
		return text(x["code"])
	case map[string]string:
		return x["code"]
	}
	return ""
}

// list returns the elements of an array value in any of its decoded forms.
func list(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	case []map[string]string:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	case []FieldValue:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	case []Record:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	}
	return nil
}

// codes returns the entity codes of a USER_SELECT-like array or a CREATOR-like map; plain
// strings are taken as codes.
func codes(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any, map[string]string:
		if c := text(x); c != "" {
			return []string{c}
		}
		return nil
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	}
	var out []string
	for _, e := range list(v) {
		if c := text(e); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// strs returns the values of a CHECK_BOX-like array.
func strs(v any) []string {
	if s, ok := v.(string); ok { // tolerate a scalar where an array was expected
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	for _, e := range list(v) {
		out = append(out, text(e))
	}
	return out
}

// fileNames returns the names of a FILE value, which is what like searches here (kintone also
// searches file contents, which the simulator does not index).
func fileNames(v any) []string {
	var out []string
	for _, e := range list(v) {
		switch m := e.(type) {
		case map[string]any:
			out = append(out, text(m["name"]))
		case map[string]string:
			out = append(out, m["name"])
		}
	}
	return out
}

// cell unwraps a {"type","value"} entry to its value.
func cell(v any) any {
	switch x := v.(type) {
	case FieldValue:
		return x.Value
	case *FieldValue:
		if x == nil {
			return nil
		}
		return x.Value
	case map[string]any:
		return x["value"]
	}
	return nil
}

// rows returns each subtable row's cells by field code.
func rows(v any) []func(code string) any {
	var out []func(string) any
	for _, r := range list(v) {
		var inner any
		switch x := r.(type) {
		case map[string]any:
			inner = x["value"]
		case Record:
			inner = x
		case FieldValue:
			inner = x.Value
		}
		switch m := inner.(type) {
		case map[string]any:
			out = append(out, func(c string) any { return cell(m[c]) })
		case map[string]FieldValue:
			out = append(out, func(c string) any { return m[c].Value })
		case Record:
			out = append(out, func(c string) any { return m[c].Value })
		default:
			out = append(out, func(string) any { return nil })
		}
	}
	return out
}

// isBlank reports whether s is empty or only whitespace; kintone's is empty treats
// whitespace-only text as empty.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
