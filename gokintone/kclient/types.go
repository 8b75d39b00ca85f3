package kclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// App is one app as returned by app.json and apps.json.
type App struct {
	AppID       int64
	Code        string
	Name        string
	Description string
	SpaceID     *int64 // nil when the app is not in a space
	ThreadID    *int64 // nil when the app is not in a space
	CreatedAt   time.Time
	Creator     Entity
	ModifiedAt  time.Time
	Modifier    Entity
	// Problems name the attributes kintone sent in a shape this version does not read (a
	// createdAt in another date format, a name that is not text, …); they are left at their
	// zero value. An entry without a usable appId has AppID 0.
	Problems []string
}

// Entity is a user reference such as an app's creator. Code and Name are "" for inactive or
// deleted users.
type Entity struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// UnmarshalJSON decodes an app; kintone sends the numeric ids as strings. It does not fail on
// an attribute in an unexpected shape: that attribute is left at its zero value and named in
// Problems, so that one odd entry does not fail a whole app list. Only text that is not JSON
// is an error.
func (a *App) UnmarshalJSON(data []byte) error {
	var w struct {
		AppID       json.RawMessage `json:"appId"`
		Code        json.RawMessage `json:"code"`
		Name        json.RawMessage `json:"name"`
		Description json.RawMessage `json:"description"`
		SpaceID     json.RawMessage `json:"spaceId"`
		ThreadID    json.RawMessage `json:"threadId"`
		CreatedAt   json.RawMessage `json:"createdAt"`
		Creator     json.RawMessage `json:"creator"`
		ModifiedAt  json.RawMessage `json:"modifiedAt"`
		Modifier    json.RawMessage `json:"modifier"`
	}
	*a = App{}
	if err := json.Unmarshal(data, &w); err != nil {
		if !json.Valid(data) {
			return err
		}
		a.Problems = append(a.Problems, "the entry is not an object: "+shortJSON(data))
		return nil
	}
	if string(bytes.TrimSpace(data)) == "null" {
		a.Problems = append(a.Problems, "the entry is null")
		return nil
	}
	attr := func(name string, raw json.RawMessage, dst any) {
		if raw == nil {
			return
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				a.Problems = append(a.Problems, fmt.Sprintf("%s has the value %s; ignored", name, shortJSON(raw)))
			} else {
				a.Problems = append(a.Problems, fmt.Sprintf("%s has the value %s (%v); ignored", name, shortJSON(raw), err))
			}
		}
	}
	var id jsonInt
	if w.AppID == nil {
		a.Problems = append(a.Problems, "appId is missing")
	} else if err := json.Unmarshal(w.AppID, &id); err != nil {
		a.Problems = append(a.Problems, fmt.Sprintf("appId has the value %s, which is not an integer", shortJSON(w.AppID)))
	} else {
		a.AppID = int64(id)
	}
	attr("code", w.Code, &a.Code)
	attr("name", w.Name, &a.Name)
	attr("description", w.Description, &a.Description)
	var space, thread jsonIntNull
	attr("spaceId", w.SpaceID, &space)
	attr("threadId", w.ThreadID, &thread)
	a.SpaceID, a.ThreadID = space.p, thread.p
	var created, modified jsonTime
	attr("createdAt", w.CreatedAt, &created)
	attr("modifiedAt", w.ModifiedAt, &modified)
	a.CreatedAt, a.ModifiedAt = time.Time(created), time.Time(modified)
	attr("creator", w.Creator, &a.Creator)
	attr("modifier", w.Modifier, &a.Modifier)
	return nil
}

// shortJSON shortens JSON text for messages.
func shortJSON(raw []byte) string {
	const max = 80
	raw = bytes.TrimSpace(raw)
	if len(raw) <= max {
		return string(raw)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return string(raw[:cut]) + "…"
}

// FormFields is the reply of app/form/fields.json: the app's field properties by field code.
type FormFields struct {
	Properties map[string]FieldProperty `json:"properties"`
	Revision   string                   `json:"revision"`
	// Problems name the properties kintone sent in a shape this version does not read: a
	// property that is not an object is left out of Properties; see FieldProperty.Problems
	// for attributes.
	Problems []string `json:"-"`
}

// UnmarshalJSON decodes the reply; a property that is not an object is left out and named
// in Problems instead of failing the whole reply.
func (f *FormFields) UnmarshalJSON(data []byte) error {
	var w struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Revision   json.RawMessage            `json:"revision"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*f = FormFields{}
	if w.Properties != nil {
		f.Properties = make(map[string]FieldProperty, len(w.Properties))
	}
	for code, raw := range w.Properties {
		var p FieldProperty
		if err := json.Unmarshal(raw, &p); err != nil {
			f.Problems = append(f.Problems, fmt.Sprintf("field %q: the property is not an object: %s; the field is left out", code, shortJSON(raw)))
			continue
		}
		f.Properties[code] = p
	}
	if w.Revision != nil && json.Unmarshal(w.Revision, &f.Revision) != nil {
		f.Problems = append(f.Problems, "revision has the value "+shortJSON(w.Revision)+"; ignored")
	}
	return nil
}

// FieldProperty is the setting of one form field. The commonly needed attributes are decoded;
// Raw keeps the whole JSON object for anything else.
type FieldProperty struct {
	Type     string `json:"type"`
	Code     string `json:"code"`
	Label    string `json:"label"`
	NoLabel  bool   `json:"noLabel"`
	Required bool   `json:"required"`
	Unique   bool   `json:"unique"`

	Options map[string]Option `json:"options"` // RADIO_BUTTON, DROP_DOWN, CHECK_BOX, MULTI_SELECT
	Align   string            `json:"align"`   // RADIO_BUTTON, CHECK_BOX

	Format         string `json:"format"`     // CALC: NUMBER, NUMBER_DIGIT, DATETIME, DATE, TIME, HOUR_MINUTE, DAY_HOUR_MINUTE
	Expression     string `json:"expression"` // CALC, auto-calculated SINGLE_LINE_TEXT
	HideExpression bool   `json:"hideExpression"`
	Digit          bool   `json:"digit"` // NUMBER, CALC: thousands separators
	DisplayScale   string `json:"displayScale"`
	Unit           string `json:"unit"`
	UnitPosition   string `json:"unitPosition"`
	MinValue       string `json:"minValue"`
	MaxValue       string `json:"maxValue"`
	MinLength      string `json:"minLength"`
	MaxLength      string `json:"maxLength"`
	Protocol       string `json:"protocol"`      // LINK: WEB, CALL, MAIL
	ThumbnailSize  string `json:"thumbnailSize"` // FILE

	DefaultValue    json.RawMessage `json:"defaultValue"` // string, array or object depending on the type
	DefaultNowValue bool            `json:"defaultNowValue"`

	Fields         map[string]FieldProperty `json:"fields"` // SUBTABLE: the table's columns
	Lookup         *Lookup                  `json:"lookup"` // lookup key fields
	ReferenceTable json.RawMessage          `json:"referenceTable"`
	Enabled        *bool                    `json:"enabled"` // CATEGORY, STATUS, STATUS_ASSIGNEE

	Raw json.RawMessage `json:"-"` // the whole property object as received
	// Problems name the attributes sent in a shape this version does not read (options that
	// are not an object, enabled that is not a boolean, …); they are left at their zero value.
	Problems []string `json:"-"`
}

// UnmarshalJSON decodes the known attributes and keeps the raw object in Raw. An attribute in
// an unexpected shape is left at its zero value and named in Problems; only a property that is
// not an object is an error.
func (p *FieldProperty) UnmarshalJSON(data []byte) error {
	type plain FieldProperty // no methods: avoids recursion
	var v plain
	if err := json.Unmarshal(data, &v); err != nil {
		var attrs map[string]json.RawMessage
		if json.Unmarshal(data, &attrs) != nil || attrs == nil {
			return err
		}
		// Attribute by attribute, so that one odd attribute costs only itself.
		v = plain{}
		rv := reflect.ValueOf(&v).Elem()
		rt := rv.Type()
		for i := 0; i < rt.NumField(); i++ {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			raw, ok := attrs[name]
			if name == "" || name == "-" || !ok {
				continue
			}
			if err := json.Unmarshal(raw, rv.Field(i).Addr().Interface()); err != nil {
				rv.Field(i).Set(reflect.Zero(rt.Field(i).Type))
				v.Problems = append(v.Problems, fmt.Sprintf("%s has the value %s; ignored", name, shortJSON(raw)))
			}
		}
	}
	*p = FieldProperty(v)
	p.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// MarshalJSON writes Raw when present, so that a decoded property round-trips losslessly.
func (p FieldProperty) MarshalJSON() ([]byte, error) {
	if len(p.Raw) > 0 {
		return p.Raw, nil
	}
	type plain FieldProperty
	return json.Marshal(plain(p))
}

// Option is one choice of a selection field.
type Option struct {
	Label string `json:"label"`
	Index string `json:"index"`
}

// Lookup is the lookup setting of a lookup key field.
type Lookup struct {
	RelatedApp         RelatedApp     `json:"relatedApp"`
	RelatedKeyField    string         `json:"relatedKeyField"`
	FieldMappings      []FieldMapping `json:"fieldMappings"`
	LookupPickerFields []string       `json:"lookupPickerFields"`
	FilterCond         string         `json:"filterCond"`
	Sort               string         `json:"sort"`
}

// RelatedApp names the app a lookup or related-records field reads from.
type RelatedApp struct {
	App  string `json:"app"`
	Code string `json:"code"`
}

// FieldMapping is one field a lookup copies.
type FieldMapping struct {
	Field        string `json:"field"`
	RelatedField string `json:"relatedField"`
}

// relatedAppIDs returns the ids of the apps the lookup and related-records fields of props
// read from (also inside tables).
func relatedAppIDs(props map[string]FieldProperty) []int64 {
	var ids []int64
	var walk func(map[string]FieldProperty)
	walk = func(m map[string]FieldProperty) {
		for _, p := range m {
			if p.Lookup != nil {
				if id, err := strconv.ParseInt(p.Lookup.RelatedApp.App, 10, 64); err == nil && id > 0 {
					ids = append(ids, id)
				}
			}
			if len(p.ReferenceTable) > 0 {
				var rt struct {
					RelatedApp RelatedApp `json:"relatedApp"`
				}
				if json.Unmarshal(p.ReferenceTable, &rt) == nil {
					if id, err := strconv.ParseInt(rt.RelatedApp.App, 10, 64); err == nil && id > 0 {
						ids = append(ids, id)
					}
				}
			}
			walk(p.Fields)
		}
	}
	walk(props)
	return ids
}

// Record is one record of records.json: field values by field code.
type Record map[string]FieldValue

// FieldValue is one field of a record. Value is kept as raw JSON because its shape depends on
// Type (string, array of strings, array of entities, table rows...).
type FieldValue struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
	// Bad reports a field that is not an object {"type", "value"} with a text type; Value then
	// holds the field's whole JSON. The rest of the record is still read, and the reader
	// decides what using the field means.
	Bad bool `json:"-"`
}

// UnmarshalJSON decodes {"type": …, "value": …}. A field in another shape does not fail the
// record (nor the page): it is kept in Bad. null is a field without a value.
func (f *FieldValue) UnmarshalJSON(data []byte) error {
	if fv, ok := plainFieldValue(data); ok {
		*f = fv
		return nil
	}
	var w struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	data = bytes.TrimSpace(data)
	switch {
	case string(data) == "null":
		*f = FieldValue{}
	case len(data) == 0 || data[0] != '{' || json.Unmarshal(data, &w) != nil:
		*f = FieldValue{Value: append(json.RawMessage(nil), data...), Bad: true}
	default:
		*f = FieldValue{Type: w.Type, Value: w.Value}
	}
	return nil
}

// plainFieldValue reads the common shape {"type":"T","value":V} (keys spelled exactly, no
// escapes in keys or type) without reflection; ok is false for anything else, which
// UnmarshalJSON then reads with encoding/json. data is valid JSON (the decoder checked it).
func plainFieldValue(data []byte) (FieldValue, bool) {
	var fv FieldValue
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return fv, false
	}
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		return fv, true
	}
	haveType, haveValue := false, false
	for {
		key, j, ok := plainJSONString(data, i)
		if !ok {
			return fv, false
		}
		j = skipWS(data, j)
		if j >= len(data) || data[j] != ':' {
			return fv, false
		}
		j = skipWS(data, j+1)
		end, ok := skipJSONValue(data, j)
		if !ok {
			return fv, false
		}
		switch string(key) {
		case "type":
			t, _, ok := plainJSONString(data, j)
			if !ok || haveType {
				return fv, false
			}
			fv.Type, haveType = string(t), true
		case "value":
			if haveValue {
				return fv, false
			}
			fv.Value, haveValue = append(json.RawMessage(nil), data[j:end]...), true
		default:
			if strings.EqualFold(string(key), "type") || strings.EqualFold(string(key), "value") {
				return fv, false // encoding/json would match it: let it decide
			}
		}
		i = skipWS(data, end)
		if i >= len(data) {
			return fv, false
		}
		if data[i] == '}' {
			return fv, skipWS(data, i+1) == len(data)
		}
		if data[i] != ',' {
			return fv, false
		}
		i = skipWS(data, i+1)
	}
}

// plainJSONString returns the body of the JSON string at data[i] and the index after it; ok is
// false unless it has no escapes.
func plainJSONString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '"':
			return data[i+1 : j], j + 1, true
		case '\\':
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// skipJSONValue returns the index after the JSON value starting at data[i].
func skipJSONValue(data []byte, i int) (int, bool) {
	depth := 0
	for i < len(data) {
		switch c := data[i]; c {
		case '"':
			i++
			for i < len(data) && data[i] != '"' {
				if data[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(data) {
				return 0, false
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		default:
			if depth == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				return i, true
			}
			i++
		}
		if depth == 0 && i > 0 && (data[i-1] == '"' || data[i-1] == '}' || data[i-1] == ']') {
			return i, true
		}
	}
	if depth == 0 {
		return i, true
	}
	return 0, false
}

func skipWS(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// RecordsPage is one reply of records.json.
type RecordsPage struct {
	Records    []Record
	TotalCount *int64 // nil unless totalCount was requested
}

type recordsWire struct {
	Records    []Record    `json:"records"`
	TotalCount jsonIntNull `json:"totalCount"`
}

func (w *recordsWire) RecordCount() int { return len(w.Records) }

// UnmarshalJSON decodes a page; kintone sends totalCount as a string or null.
func (p *RecordsPage) UnmarshalJSON(data []byte) error {
	var w recordsWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	if w.Records == nil {
		return fmt.Errorf("reply has no \"records\" array")
	}
	*p = RecordsPage{Records: w.Records, TotalCount: w.TotalCount.p}
	return nil
}

// jsonInt decodes an integer that kintone may send as a JSON string ("12") or number (12).
type jsonInt int64

func (n *jsonInt) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		data = []byte(s)
	}
	v, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %.40q", data)
	}
	*n = jsonInt(v)
	return nil
}

// jsonIntNull is a jsonInt that may be null or "" (decoded as a nil pointer).
type jsonIntNull struct{ p *int64 }

func (n *jsonIntNull) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" || string(data) == `""` {
		n.p = nil
		return nil
	}
	var v jsonInt
	if err := v.UnmarshalJSON(data); err != nil {
		return err
	}
	i := int64(v)
	n.p = &i
	return nil
}

// jsonTime decodes an RFC 3339 time that may be null or "" (the zero time).
type jsonTime time.Time

func (t *jsonTime) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*t = jsonTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	if s == "" {
		*t = jsonTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("not an RFC 3339 time: %.40q", s)
	}
	*t = jsonTime(v)
	return nil
}
