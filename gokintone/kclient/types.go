package kclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
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
}

// Entity is a user reference such as an app's creator. Code and Name are "" for inactive or
// deleted users.
type Entity struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// UnmarshalJSON decodes an app; kintone sends the numeric ids as strings.
func (a *App) UnmarshalJSON(data []byte) error {
	var w struct {
		AppID       jsonInt     `json:"appId"`
		Code        string      `json:"code"`
		Name        string      `json:"name"`
		Description string      `json:"description"`
		SpaceID     jsonIntNull `json:"spaceId"`
		ThreadID    jsonIntNull `json:"threadId"`
		CreatedAt   jsonTime    `json:"createdAt"`
		Creator     Entity      `json:"creator"`
		ModifiedAt  jsonTime    `json:"modifiedAt"`
		Modifier    Entity      `json:"modifier"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*a = App{
		AppID:       int64(w.AppID),
		Code:        w.Code,
		Name:        w.Name,
		Description: w.Description,
		SpaceID:     w.SpaceID.p,
		ThreadID:    w.ThreadID.p,
		CreatedAt:   time.Time(w.CreatedAt),
		Creator:     w.Creator,
		ModifiedAt:  time.Time(w.ModifiedAt),
		Modifier:    w.Modifier,
	}
	return nil
}

// FormFields is the reply of app/form/fields.json: the app's field properties by field code.
type FormFields struct {
	Properties map[string]FieldProperty `json:"properties"`
	Revision   string                   `json:"revision"`
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
}

// UnmarshalJSON decodes the known attributes and keeps the raw object in Raw.
func (p *FieldProperty) UnmarshalJSON(data []byte) error {
	type plain FieldProperty // no methods: avoids recursion
	var v plain
	if err := json.Unmarshal(data, &v); err != nil {
		return err
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
