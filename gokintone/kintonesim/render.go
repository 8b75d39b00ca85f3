package kintonesim

import (
	"strconv"
)

// projection is the set of top-level field codes a response includes; nil means all.
type projection map[string]bool

func (p projection) has(code string) bool { return p == nil || p[code] }

// appendRecord appends r in kintone's JSON shape: {"code":{"type":T,"value":V},...}.
func (s *Server) appendRecord(b []byte, d *appDef, r *record, proj projection) []byte {
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
			b = s.appendEntity(b, r.creator)
		case "MODIFIER":
			b = s.appendEntity(b, r.modifier)
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

func (s *Server) appendEntity(b []byte, i int32) []byte {
	e := s.dir.get(i)
	b = append(b, `{"code":`...)
	b = appendString(b, e.code)
	b = append(b, `,"name":`...)
	b = appendString(b, e.name)
	return append(b, '}')
}

// appendValue appends a stored value as kintone's JSON value for f's type.
func (s *Server) appendValue(b []byte, f *fieldDef, v any) []byte {
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
			b = s.appendEntity(b, it)
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
