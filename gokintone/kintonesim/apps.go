package kintonesim

import (
	"strconv"
	"strings"
	"time"
)

var (
	msgMax100   = text{"Specify up to 100 values.", "100個以下で指定してください。"}
	msgLimit100 = text{"Enter a value between 1 and 100.", "1以上100以下の値を指定してください。"}
	msgOffsetRg = text{"Enter a value between 0 and 2147483647.", "0以上2147483647以下の値を指定してください。"}
)

// appJSON renders an app the way app.json and apps.json do.
func (s *Server) appJSON(d *appDef) map[string]any {
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

// getApps answers GET apps.json.
func (s *Server) getApps(q *request) (any, *apiError) {
	ids, hasIDs := q.p.strs("ids")
	codes, hasCodes := q.p.strs("codes")
	spaces, hasSpaces := q.p.strs("spaceIds")
	name, hasName := q.p.str("name")
	for key, l := range map[string][]string{"ids": ids, "codes": codes, "spaceIds": spaces} {
		if len(l) > 100 {
			return nil, errInvalid(key, msgMax100)
		}
	}
	idSet := map[int64]bool{}
	for _, t := range ids {
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return nil, errInvalid("ids", msgInteger)
		}
		idSet[n] = true
	}
	spaceSet := map[int64]bool{}
	for _, t := range spaces {
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return nil, errInvalid("spaceIds", msgInteger)
		}
		spaceSet[n] = true
	}
	codeSet := map[string]bool{}
	for _, c := range codes {
		codeSet[c] = true
	}
	limit, e := q.p.optInt("limit", 100)
	if e != nil {
		return nil, e
	}
	if limit < 1 || limit > 100 {
		return nil, errInvalid("limit", msgLimit100)
	}
	offset, e := q.p.optInt("offset", 0)
	if e != nil {
		return nil, e
	}
	if offset < 0 || offset > 2147483647 {
		return nil, errInvalid("offset", msgOffsetRg)
	}
	lname := strings.ToLower(name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []any{}
	skipped := int64(0)
	for _, id := range s.appIDs {
		d := s.apps[id]
		if d.meta.GuestSpaceID != q.guest {
			continue
		}
		if q.auth.kind == AuthToken && q.auth.tokens[id] == nil {
			continue
		}
		if hasIDs && !idSet[id] || hasCodes && !codeSet[d.meta.Code] {
			continue
		}
		space := d.meta.SpaceID
		if d.meta.GuestSpaceID != 0 {
			space = d.meta.GuestSpaceID
		}
		if hasSpaces && !spaceSet[space] {
			continue
		}
		if hasName && name != "" && !strings.Contains(strings.ToLower(d.meta.Name), lname) {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		if int64(len(out)) >= limit {
			break
		}
		out = append(out, s.appJSON(d))
	}
	return map[string]any{"apps": out}, nil
}

// getApp answers GET app.json.
func (s *Server) getApp(q *request) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, e := s.appParam(q, "id", permNone)
	if e != nil {
		return nil, e
	}
	return s.appJSON(d), nil
}

// getFields answers GET app/form/fields.json (and its preview form, which is the same here).
func (s *Server) getFields(q *request) (any, *apiError) {
	if l, ok := q.p.str("lang"); ok {
		switch l {
		case "default", "en", "ja", "zh", "user", "":
		default:
			return nil, errInvalid("lang", text{"Enter one of default, en, ja, zh, user.", "default, en, ja, zh, user のいずれかを指定してください。"})
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, e := s.appParam(q, "app", permNone)
	if e != nil {
		return nil, e
	}
	props := make(map[string]any, len(d.fields))
	for _, f := range d.fields {
		props[f.code] = propertyJSON(f.prop)
	}
	return map[string]any{"properties": props, "revision": strconv.FormatInt(s.liveRevision(d.meta.ID), 10)}, nil
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
