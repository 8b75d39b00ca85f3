package kintonesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// previewAPI answers the preview-settings endpoints: preview/app.json, the preview form's
// fields (preview/app/form/fields.json) and preview/app/deploy.json (preview.go describes the
// preview state).
type previewAPI struct{ *store }

var (
	msgAppName    = text{"Enter between 1 and 64 characters.", "1文字以上64文字以下で入力してください。"}
	msgCodeUsed   = text{"The field code is already used.", "フィールドコードが重複しています。"}
	msgTypeChange = text{"The field type cannot be changed.", "フィールドタイプは変更できません。"}
	msgSystemDel  = text{"This field cannot be deleted.", "このフィールドは削除できません。"}
	msgMaxApps    = text{"Specify between 1 and 300 apps.", "アプリは1件以上300件以下で指定してください。"}
	msgBadForm    = func(err error) text {
		m := strings.TrimPrefix(err.Error(), "kintonesim: ")
		return text{m, m}
	}
)

func errFieldNotFound(code string) *apiError {
	return &apiError{status: 400, code: "GAIA_FC01", msg: text{
		fmt.Sprintf("The specified field (code: %s) not found.", code),
		fmt.Sprintf("指定されたフィールド（code: %s）が見つかりません。", code)}}
}

// previewTarget finds app id for a preview-settings request: its preview form if it has one
// (pv), else the live app (d), after the space and API-token checks. The caller holds a.mu.
func (a previewAPI) previewTarget(q *request, id int64, idText string) (*previewApp, *appDef, *apiError) {
	pv := a.previews[id]
	d := a.apps[id]
	if pv != nil {
		d = pv.def
	}
	if d == nil {
		return nil, nil, errAppNotFound(idText)
	}
	if e := checkSpace(&q.caller, d); e != nil {
		return nil, nil, e
	}
	if q.kind == AuthToken && q.tokens[id] == nil {
		return nil, nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	return pv, d, nil
}

// previewOf returns the preview state of an app the caller may change, making one from the
// live app when there is none. The caller holds a.mu for writing.
func (a previewAPI) previewOf(q *request, key string) (*previewApp, *apiError) {
	id, idText, e := q.p.id(key)
	if e != nil {
		return nil, e
	}
	pv, d, e := a.previewTarget(q, id, idText)
	if e != nil {
		return nil, e
	}
	if pv != nil {
		return pv, nil
	}
	meta := d.meta
	meta.Fields = make(map[string]FieldProperty, len(d.fields))
	for _, f := range d.fields {
		meta.Fields[f.code] = f.prop
	}
	def, err := buildApp(meta, a.appLang())
	if err != nil {
		return nil, errInvalid("app", msgBadForm(err))
	}
	return &previewApp{meta: meta, def: def, rev: a.liveRevision(id), live: true}, nil
}

// checkSettingsRevision compares the revision parameter (-1 or absent: no check).
func checkSettingsRevision(p params, rev int64) *apiError {
	t, ok := scalarString(p["revision"])
	if p["revision"] == nil || !ok || t == "" || t == "-1" {
		return nil
	}
	if t != strconv.FormatInt(rev, 10) {
		return &apiError{status: 409, code: "GAIA_CO02", msg: msgRevision}
	}
	return nil
}

// commit stores a changed preview form after checking it builds.
func (a previewAPI) commit(pv *previewApp, meta App) (any, *apiError) {
	meta.Layout = nil // a changed form gets a generated layout
	def, err := buildApp(meta, a.appLang())
	if err != nil {
		return nil, errInvalid("properties", msgBadForm(err))
	}
	pv.meta, pv.def = meta, def
	pv.rev++
	a.previews[meta.ID] = pv
	return map[string]any{"revision": strconv.FormatInt(pv.rev, 10)}, nil
}

// postPreviewApp answers POST preview/app.json.
func (a previewAPI) postPreviewApp(q *request) (any, *apiError) {
	if q.kind == AuthToken {
		return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	name, _ := q.p.str("name")
	if n := utf8.RuneCountInString(name); n == 0 || n > 64 {
		return nil, errInvalid("name", msgAppName)
	}
	space, e := q.p.optInt("space", 0)
	if e != nil {
		return nil, e
	}
	thread, e := q.p.optInt("thread", 0)
	if e != nil {
		return nil, e
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	id := int64(1)
	for a := range a.apps {
		id = max(id, a+1)
	}
	for a := range a.previews {
		id = max(id, a+1)
	}
	meta := App{ID: id, Name: name, Lang: a.appLang(), Fields: map[string]FieldProperty{},
		CreatedAt: now.UTC().Format(time.RFC3339)}
	if q.guest != 0 {
		meta.GuestSpaceID = q.guest
	} else {
		meta.SpaceID = space
	}
	if space != 0 || q.guest != 0 {
		meta.ThreadID = thread
	}
	def, err := buildApp(meta, a.appLang())
	if err != nil {
		return nil, errInvalid("name", msgBadForm(err))
	}
	a.previews[id] = &previewApp{meta: meta, def: def, rev: 2, creator: q.user, created: now}
	return map[string]any{"app": strconv.FormatInt(id, 10), "revision": "2"}, nil
}

// knownPropertyKeys are the JSON keys of FieldProperty; others go to Extra.
var knownPropertyKeys = map[string]bool{
	"type": true, "code": true, "label": true, "noLabel": true, "required": true, "unique": true,
	"maxLength": true, "minLength": true, "maxValue": true, "minValue": true, "defaultValue": true,
	"defaultNowValue": true, "options": true, "align": true, "expression": true, "hideExpression": true,
	"digit": true, "displayScale": true, "unit": true, "unitPosition": true, "format": true, "protocol": true,
	"thumbnailSize": true, "entities": true, "fields": true, "lookup": true, "enabled": true, "extra": true,
}

// decodeProperty reads a field property sent to fields.json.
func decodeProperty(m map[string]any) (FieldProperty, error) {
	known := map[string]any{}
	var extra map[string]any
	for k, v := range m {
		switch {
		case k == "extra":
			if x, ok := v.(map[string]any); ok {
				extra = x
			}
		case knownPropertyKeys[k]:
			known[k] = v
		default:
			if extra == nil {
				extra = map[string]any{}
			}
			extra[k] = v
		}
	}
	raw, err := json.Marshal(known)
	if err != nil {
		return FieldProperty{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var p FieldProperty
	if err := dec.Decode(&p); err != nil {
		return FieldProperty{}, err
	}
	p.Extra = extra
	return p, nil
}

// propertyMap turns a property back into a map for merging.
func propertyMap(p FieldProperty) map[string]any {
	raw, _ := json.Marshal(p)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	dec.Decode(&m)
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func cloneFields(m map[string]FieldProperty) map[string]FieldProperty {
	out := make(map[string]FieldProperty, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// fieldUsed reports whether code names a field or a table column of the form.
func fieldUsed(fields map[string]FieldProperty, code string) bool {
	if _, ok := fields[code]; ok {
		return true
	}
	for _, p := range fields {
		if _, ok := p.Fields[code]; ok {
			return true
		}
	}
	return false
}

// checkFormats refuses a CALC format kintone does not know, as kintone does when the field is
// saved: CB_VA01 on properties[code].format (a table's column: properties[table].fields[code]).
func checkFormats(code string, p FieldProperty) *apiError {
	if p.Type == "CALC" && !calcFormats[p.Format] {
		return errInvalid("properties["+code+"].format", msgEnum)
	}
	cols := make([]string, 0, len(p.Fields))
	for c := range p.Fields {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		if ip := p.Fields[c]; ip.Type == "CALC" && !calcFormats[ip.Format] {
			return errInvalid("properties["+code+"].fields["+c+"].format", msgEnum)
		}
	}
	return nil
}

// editPreviewFields starts a change of the preview form (a.mu held): the properties sent, the
// preview app after the revision check, and a copy of its settings to change.
func (a previewAPI) editPreviewFields(q *request) (map[string]any, *previewApp, App, *apiError) {
	in, ok := q.p["properties"].(map[string]any)
	if !ok || len(in) == 0 {
		return nil, nil, App{}, errInvalid("properties", msgRequired)
	}
	pv, e := a.previewOf(q, "app")
	if e != nil {
		return nil, nil, App{}, e
	}
	if e := checkSettingsRevision(q.p, pv.rev); e != nil {
		return nil, nil, App{}, e
	}
	meta := pv.meta
	meta.Fields = cloneFields(pv.meta.Fields)
	return in, pv, meta, nil
}

// postPreviewFields answers POST preview/app/form/fields.json: adds fields.
func (a previewAPI) postPreviewFields(q *request) (any, *apiError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	in, pv, meta, e := a.editPreviewFields(q)
	if e != nil {
		return nil, e
	}
	for _, code := range sortedKeys(in) {
		m, _ := in[code].(map[string]any)
		key := "properties." + code
		if m == nil {
			return nil, errInvalid(key, msgBadValue)
		}
		p, err := decodeProperty(m)
		if err != nil {
			return nil, errInvalid(key, msgBadValue)
		}
		if p.Code == "" {
			p.Code = code
		}
		if p.Code != code {
			return nil, errInvalid(key+".code", msgBadValue)
		}
		if p.Type == "" {
			return nil, errInvalid(key+".type", msgRequired)
		}
		if fieldUsed(meta.Fields, code) {
			return nil, errInvalid(key+".code", msgCodeUsed)
		}
		if e := checkFormats(code, p); e != nil {
			return nil, e
		}
		meta.Fields[code] = p
	}
	return a.commit(pv, meta)
}

// putPreviewFields answers PUT preview/app/form/fields.json: changes fields (the properties
// sent replace those of the field; a new "code" renames it; SUBTABLE columns are merged by
// code).
func (a previewAPI) putPreviewFields(q *request) (any, *apiError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	in, pv, meta, e := a.editPreviewFields(q)
	if e != nil {
		return nil, e
	}
	renames := map[string]string{} // new code → previous code
	for _, code := range sortedKeys(in) {
		m, _ := in[code].(map[string]any)
		key := "properties." + code
		if m == nil {
			return nil, errInvalid(key, msgBadValue)
		}
		old, ok := meta.Fields[code]
		if !ok {
			return nil, errFieldNotFound(code)
		}
		merged := propertyMap(old)
		for k, v := range m {
			if k == "fields" && old.Type == "SUBTABLE" {
				cols, _ := v.(map[string]any)
				inner, _ := merged["fields"].(map[string]any)
				if inner == nil {
					inner = map[string]any{}
				}
				for c, cv := range cols {
					cm, _ := cv.(map[string]any)
					base, _ := inner[c].(map[string]any)
					if base == nil {
						base = map[string]any{}
					}
					for ck, cx := range cm {
						base[ck] = cx
					}
					inner[c] = base
				}
				merged["fields"] = inner
				continue
			}
			merged[k] = v
		}
		p, err := decodeProperty(merged)
		if err != nil {
			return nil, errInvalid(key, msgBadValue)
		}
		if p.Type != old.Type {
			return nil, errInvalid(key+".type", msgTypeChange)
		}
		if e := checkFormats(code, p); e != nil {
			return nil, e
		}
		if p.Code == "" {
			p.Code = code
		}
		if p.Code != code {
			if fieldUsed(meta.Fields, p.Code) {
				return nil, errInvalid(key+".code", msgCodeUsed)
			}
			delete(meta.Fields, code)
			renames[p.Code] = code
		}
		meta.Fields[p.Code] = p
	}
	out, e := a.commit(pv, meta)
	if e == nil && len(renames) > 0 {
		next := map[string]string{}
		for k, v := range pv.renamed {
			next[k] = v
		}
		for nc, pc := range renames {
			live := pc
			if l, ok := next[pc]; ok {
				live = l
				delete(next, pc)
			}
			next[nc] = live
		}
		pv.renamed = next
	}
	return out, e
}

// deletePreviewFields answers DELETE preview/app/form/fields.json.
func (a previewAPI) deletePreviewFields(q *request) (any, *apiError) {
	codes, ok := q.p.strs("fields")
	if !ok || len(codes) == 0 {
		return nil, errInvalid("fields", msgRequired)
	}
	if len(codes) > 100 {
		return nil, errInvalid("fields", msgMax100)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	pv, e := a.previewOf(q, "app")
	if e != nil {
		return nil, e
	}
	if e := checkSettingsRevision(q.p, pv.rev); e != nil {
		return nil, e
	}
	meta := pv.meta
	meta.Fields = cloneFields(pv.meta.Fields)
	for i, code := range codes {
		if p, ok := meta.Fields[code]; ok {
			if systemTypes[p.Type] {
				return nil, errInvalid(fmt.Sprintf("fields[%d]", i), msgSystemDel)
			}
			delete(meta.Fields, code)
			continue
		}
		found := false
		for tc, tp := range meta.Fields {
			if _, ok := tp.Fields[code]; ok {
				tp.Fields = cloneFields(tp.Fields)
				delete(tp.Fields, code)
				meta.Fields[tc] = tp
				found = true
			}
		}
		if !found {
			return nil, errFieldNotFound(code)
		}
	}
	return a.commit(pv, meta)
}

// deployTarget is one app of a deploy.json call.
type deployTarget struct {
	id int64
	pv *previewApp // nil: no pending change
}

// deployApps reads the apps parameter of deploy.json and resolves each app. The caller holds
// a.mu.
func (a previewAPI) deployApps(q *request, withRevision bool) ([]deployTarget, *apiError) {
	items, ok := q.p["apps"].([]any)
	if !ok || len(items) == 0 || len(items) > 300 {
		return nil, errInvalid("apps", msgMaxApps)
	}
	var out []deployTarget
	for i, it := range items {
		var idv any = it
		m, isObj := it.(map[string]any)
		if isObj {
			idv = m["app"]
		}
		sub := params{"app": idv}
		key := fmt.Sprintf("apps[%d].app", i)
		if !isObj && withRevision {
			return nil, errInvalid(fmt.Sprintf("apps[%d]", i), msgBadValue)
		}
		idText, _ := scalarString(idv)
		id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
		if idv == nil || idText == "" {
			return nil, errInvalid(key, msgRequired)
		}
		if err != nil || id < 1 {
			return nil, errInvalid(key, msgInteger)
		}
		pv, _, e := a.previewTarget(q, id, idText)
		if e != nil {
			return nil, e
		}
		if withRevision {
			rev := a.liveRevision(id)
			if pv != nil {
				rev = pv.rev
			}
			sub["revision"] = m["revision"]
			if e := checkSettingsRevision(sub, rev); e != nil {
				return nil, e
			}
		}
		out = append(out, deployTarget{id: id, pv: pv})
	}
	return out, nil
}

// postDeploy answers POST preview/app/deploy.json.
func (a previewAPI) postDeploy(q *request) (any, *apiError) {
	revert, e := q.p.boolean("revert")
	if e != nil {
		return nil, e
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	targets, e := a.deployApps(q, true)
	if e != nil {
		return nil, e
	}
	// kintone checks formulas when it deploys: a refused one stops the whole deploy.
	for _, t := range targets {
		if t.pv != nil && !revert && len(t.pv.def.badFormulas) > 0 {
			return nil, t.pv.def.badFormulas[0].apiError()
		}
	}
	for _, t := range targets {
		switch {
		case t.pv == nil:
		case revert:
			if t.pv.live {
				delete(a.previews, t.id)
			}
		default:
			a.deploy(t.pv)
		}
		a.deploys[t.id] = 1
	}
	return map[string]any{}, nil
}

// getDeploy answers GET preview/app/deploy.json.
func (a previewAPI) getDeploy(q *request) (any, *apiError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	targets, e := a.deployApps(q, false)
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, t := range targets {
		status := "SUCCESS"
		if a.deploys[t.id] > 0 {
			status = "PROCESSING"
			a.deploys[t.id]--
		}
		out = append(out, map[string]any{"app": strconv.FormatInt(t.id, 10), "status": status})
	}
	return map[string]any{"apps": out}, nil
}
