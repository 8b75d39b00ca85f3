package kintonesim

import (
	"strconv"
	"time"
)

// projection is the set of top-level field codes a response includes; nil means all.
type projection map[string]bool

func (p projection) has(code string) bool { return p == nil || p[code] }

// appendRecord appends r in kintone's JSON shape: {"code":{"type":T,"value":V},...}.
func (s *store) appendRecord(b []byte, d *appDef, r *record, proj projection) []byte {
	b = append(b, '{')
	first := true
	field := func(code, typ string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, code)
		b = append(b, `:{"type":`...)
		b = appendString(b, typ)
		b = append(b, `,"value":`...)
	}
	if proj.has("$id") {
		field("$id", "__ID__")
		b = appendQuotedInt(b, r.id)
		b = append(b, '}')
	}
	if proj.has("$revision") {
		field("$revision", "__REVISION__")
		b = appendQuotedInt(b, r.rev)
		b = append(b, '}')
	}
	for _, f := range d.fields {
		if !proj.has(f.code) || !f.enabled || layoutOnlyTypes[f.typ] {
			continue
		}
		field(f.code, f.typ)
		switch f.typ {
		case "RECORD_NUMBER":
			b = appendString(b, d.recordNumber(r.id))
		case "CREATOR":
			b = s.dir.appendEntity(b, r.creator)
		case "MODIFIER":
			b = s.dir.appendEntity(b, r.modifier)
		case "CREATED_TIME":
			b = appendString(b, formatDatetime(r.created))
		case "UPDATED_TIME":
			b = appendString(b, formatDatetime(r.updated))
		default:
			b = s.appendValue(b, f, r.vals[f.idx])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendQuotedInt(b []byte, n int64) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, n, 10)
	return append(b, '"')
}

// entity renders a directory entry as kintone's {"code", "name"} object.
func (d *directory) entity(i int32) map[string]string {
	e := d.get(i)
	return map[string]string{"code": e.code, "name": e.name}
}

// appendEntity appends a directory entry as {"code":…,"name":…}.
func (d *directory) appendEntity(b []byte, i int32) []byte {
	e := d.get(i)
	b = append(b, `{"code":`...)
	b = appendString(b, e.code)
	b = append(b, `,"name":`...)
	b = appendString(b, e.name)
	return append(b, '}')
}

// appendValue appends a stored value as kintone's JSON value for f's type.
func (s *store) appendValue(b []byte, f *fieldDef, v any) []byte {
	switch x := v.(type) {
	case nil:
		switch f.typ {
		case "CHECK_BOX", "MULTI_SELECT", "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "FILE", "SUBTABLE":
			return append(b, '[', ']')
		case "RADIO_BUTTON", "DROP_DOWN", "DATE", "TIME":
			return append(b, "null"...)
		}
		return append(b, '"', '"')
	case string:
		return appendString(b, x)
	case []string:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, it)
		}
		return append(b, ']')
	case []int32:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = s.dir.appendEntity(b, it)
		}
		return append(b, ']')
	case []fileRef:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"contentType":`...)
			b = appendString(b, it.contentType)
			b = append(b, `,"fileKey":`...)
			b = appendString(b, it.fileKey)
			b = append(b, `,"name":`...)
			b = appendString(b, it.name)
			b = append(b, `,"size":`...)
			b = appendQuotedInt(b, it.size)
			b = append(b, '}')
		}
		return append(b, ']')
	case []row:
		b = append(b, '[')
		for i, rw := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendQuotedInt(b, rw.id)
			b = append(b, `,"value":{`...)
			for j, fi := range f.inner {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, fi.code)
				b = append(b, `:{"type":`...)
				b = appendString(b, fi.typ)
				b = append(b, `,"value":`...)
				b = s.appendValue(b, fi, rw.vals[fi.idx])
				b = append(b, '}')
			}
			b = append(b, "}}"...)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// appJSON renders an app the way app.json and apps.json do.
func (s *store) appJSON(d *appDef) map[string]any {
	creator := s.dir.get(d.creator)
	who := map[string]any{"code": creator.code, "name": creator.name}
	var space, thread any
	if d.meta.SpaceID != 0 {
		space = strconv.FormatInt(d.meta.SpaceID, 10)
		thread = strconv.FormatInt(d.meta.SpaceID, 10)
		if d.meta.ThreadID != 0 {
			thread = strconv.FormatInt(d.meta.ThreadID, 10)
		}
	} else if d.meta.GuestSpaceID != 0 {
		space = strconv.FormatInt(d.meta.GuestSpaceID, 10)
		thread = space
		if d.meta.ThreadID != 0 {
			thread = strconv.FormatInt(d.meta.ThreadID, 10)
		}
	}
	at := d.createdAt.Format(time.RFC3339Nano)
	return map[string]any{
		"appId":       strconv.FormatInt(d.meta.ID, 10),
		"code":        d.meta.Code,
		"name":        d.meta.Name,
		"description": d.meta.Description,
		"spaceId":     space,
		"threadId":    thread,
		"createdAt":   at,
		"creator":     who,
		"modifiedAt":  at,
		"modifier":    who,
	}
}

// formJSON renders app/form/fields.json: the properties of app d's fields, at settings revision
// rev.
func formJSON(d *appDef, rev int64) map[string]any {
	props := make(map[string]any, len(d.fields))
	for _, f := range d.fields {
		props[f.code] = propertyJSON(f.prop)
	}
	return map[string]any{"properties": props, "revision": strconv.FormatInt(rev, 10)}
}

// propertyJSON renders a field property with the keys kintone returns for its type.
func propertyJSON(p FieldProperty) map[string]any {
	m := map[string]any{"type": p.Type, "code": p.Code, "label": p.Label, "noLabel": p.NoLabel}
	def := func(v any, empty any) any {
		if v == nil {
			return empty
		}
		return v
	}
	str := func(n NumString) string { return string(n) }
	opts := func() map[string]any {
		o := map[string]any{}
		for l, op := range p.Options {
			idx := string(op.Index)
			if idx == "" {
				idx = "0"
			}
			o[l] = map[string]any{"label": op.Label, "index": idx}
		}
		return o
	}
	entities := func() []any {
		out := []any{}
		for _, e := range p.Entities {
			out = append(out, map[string]any{"code": e.Code, "type": e.Type})
		}
		return out
	}
	switch p.Type {
	case "SINGLE_LINE_TEXT":
		m["required"], m["unique"] = p.Required, p.Unique
		m["maxLength"], m["minLength"] = str(p.MaxLength), str(p.MinLength)
		m["defaultValue"] = def(p.DefaultValue, "")
		m["expression"], m["hideExpression"] = p.Expression, p.HideExpression
	case "NUMBER":
		m["required"], m["unique"] = p.Required, p.Unique
		m["maxValue"], m["minValue"] = str(p.MaxValue), str(p.MinValue)
		m["defaultValue"] = def(p.DefaultValue, "")
		m["digit"], m["displayScale"] = p.Digit, str(p.DisplayScale)
		m["unit"], m["unitPosition"] = p.Unit, def(nilIfEmpty(p.UnitPosition), "BEFORE")
	case "CALC":
		m["required"] = false
		m["expression"], m["format"] = p.Expression, def(nilIfEmpty(p.Format), "NUMBER")
		m["displayScale"], m["hideExpression"] = str(p.DisplayScale), p.HideExpression
		m["unit"], m["unitPosition"] = p.Unit, def(nilIfEmpty(p.UnitPosition), "BEFORE")
	case "MULTI_LINE_TEXT", "RICH_TEXT":
		m["required"], m["defaultValue"] = p.Required, def(p.DefaultValue, "")
	case "CHECK_BOX", "MULTI_SELECT":
		m["required"], m["options"], m["defaultValue"] = p.Required, opts(), def(p.DefaultValue, []any{})
		if p.Type == "CHECK_BOX" {
			m["align"] = def(nilIfEmpty(p.Align), "HORIZONTAL")
		}
	case "RADIO_BUTTON":
		m["required"], m["options"], m["defaultValue"] = p.Required, opts(), def(p.DefaultValue, "")
		m["align"] = def(nilIfEmpty(p.Align), "HORIZONTAL")
	case "DROP_DOWN":
		m["required"], m["options"], m["defaultValue"] = p.Required, opts(), def(p.DefaultValue, "")
	case "DATE", "DATETIME":
		m["required"], m["unique"] = p.Required, p.Unique
		m["defaultValue"], m["defaultNowValue"] = def(p.DefaultValue, ""), p.DefaultNowValue
	case "TIME":
		m["required"] = p.Required
		m["defaultValue"], m["defaultNowValue"] = def(p.DefaultValue, ""), p.DefaultNowValue
	case "LINK":
		m["required"], m["unique"] = p.Required, p.Unique
		m["maxLength"], m["minLength"] = str(p.MaxLength), str(p.MinLength)
		m["defaultValue"], m["protocol"] = def(p.DefaultValue, ""), def(nilIfEmpty(p.Protocol), "WEB")
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
		m["required"], m["entities"], m["defaultValue"] = p.Required, entities(), def(p.DefaultValue, []any{})
	case "FILE":
		m["required"], m["thumbnailSize"] = p.Required, def(nilIfEmpty(string(p.ThumbnailSize)), "150")
	case "SUBTABLE":
		inner := map[string]any{}
		for c, ip := range p.Fields {
			inner[c] = propertyJSON(ip)
		}
		m["fields"] = inner
		delete(m, "noLabel")
	case "STATUS", "STATUS_ASSIGNEE", "CATEGORY":
		enabled := false
		if p.Enabled != nil {
			enabled = *p.Enabled
		}
		m = map[string]any{"type": p.Type, "code": p.Code, "label": p.Label, "enabled": enabled}
	}
	if p.Lookup != nil {
		l := p.Lookup
		mappings := []any{}
		for _, fm := range l.FieldMappings {
			mappings = append(mappings, map[string]any{"field": fm.Field, "relatedField": fm.RelatedField})
		}
		picker := l.LookupPickerFields
		if picker == nil {
			picker = []string{}
		}
		m["lookup"] = map[string]any{
			"relatedApp":         map[string]any{"app": string(l.RelatedApp.App), "code": l.RelatedApp.Code},
			"relatedKeyField":    l.RelatedKeyField,
			"fieldMappings":      mappings,
			"lookupPickerFields": picker,
			"filterCond":         l.FilterCond,
			"sort":               l.Sort,
		}
	}
	for k, v := range p.Extra {
		m[k] = v
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
