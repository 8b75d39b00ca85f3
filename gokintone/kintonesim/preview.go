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

// Preview (pre-live) app settings: preview/app.json creates an app that exists only in
// preview until deployed; preview/app/form/fields.json adds, changes and deletes fields of the
// preview form; preview/app/deploy.json makes the preview live (or reverts it). Live reads
// (app.json, apps.json, fields.json, records) see a change only after its deploy.
//
// Revisions: a fixture app's settings revision is 1; preview/app.json answers revision 2;
// every preview change adds 1; a deploy makes the live revision the preview's.
//
// Deploys are applied at once; the first deploy.json GET for an app after its deploy answers
// PROCESSING and later ones SUCCESS, so that clients exercise their polling loop.

// previewApp is the preview state of an app that has pending changes or is not deployed yet.
type previewApp struct {
	meta    App     // Fields holds every top-level field of the preview form
	def     *appDef // built from meta, without records
	rev     int64
	live    bool // the app has been deployed (or came from the fixture)
	creator int32
	created time.Time
	// renamed maps a renamed top-level field's code to its live code, so that a deploy keeps
	// its values.
	renamed map[string]string
}

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

// appLang is the language of system-field codes for new apps: the fixture's.
func (s *Server) appLang() string {
	if s.ext.lang == "en" {
		return "en"
	}
	return "ja"
}

// previewTarget finds app id for a preview-settings request: its preview form if it has one
// (pv), else the live app (d), after the space and API-token checks. The caller holds s.mu.
func (s *Server) previewTarget(q *request, id int64, idText string) (*previewApp, *appDef, *apiError) {
	pv := s.ext.previews[id]
	d := s.apps[id]
	if pv != nil {
		d = pv.def
	}
	if d == nil {
		return nil, nil, errAppNotFound(idText)
	}
	if e := s.checkSpace(q, d); e != nil {
		return nil, nil, e
	}
	if q.auth.kind == AuthToken && q.auth.tokens[id] == nil {
		return nil, nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	return pv, d, nil
}

// previewOf returns the preview state of an app the caller may change, making one from the
// live app when there is none. The caller holds s.mu for writing.
func (s *Server) previewOf(q *request, key string) (*previewApp, *apiError) {
	id, idText, e := q.p.id(key)
	if e != nil {
		return nil, e
	}
	s.extInit()
	pv, d, e := s.previewTarget(q, id, idText)
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
	def, err := buildApp(meta, s.appLang())
	if err != nil {
		return nil, errInvalid("app", msgBadForm(err))
	}
	return &previewApp{meta: meta, def: def, rev: s.liveRevision(id), live: true}, nil
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
func (s *Server) commit(pv *previewApp, meta App) (any, *apiError) {
	meta.Layout = nil // a changed form gets a generated layout
	def, err := buildApp(meta, s.appLang())
	if err != nil {
		return nil, errInvalid("properties", msgBadForm(err))
	}
	pv.meta, pv.def = meta, def
	pv.rev++
	s.ext.previews[meta.ID] = pv
	return map[string]any{"revision": strconv.FormatInt(pv.rev, 10)}, nil
}

// postPreviewApp answers POST preview/app.json.
func (s *Server) postPreviewApp(q *request) (any, *apiError) {
	if q.auth.kind == AuthToken {
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
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extInit()
	id := int64(1)
	for a := range s.apps {
		id = max(id, a+1)
	}
	for a := range s.ext.previews {
		id = max(id, a+1)
	}
	meta := App{ID: id, Name: name, Lang: s.appLang(), Fields: map[string]FieldProperty{},
		CreatedAt: now.UTC().Format(time.RFC3339)}
	if q.guest != 0 {
		meta.GuestSpaceID = q.guest
	} else {
		meta.SpaceID = space
	}
	if space != 0 || q.guest != 0 {
		meta.ThreadID = thread
	}
	def, err := buildApp(meta, s.appLang())
	if err != nil {
		return nil, errInvalid("name", msgBadForm(err))
	}
	s.ext.previews[id] = &previewApp{meta: meta, def: def, rev: 2, creator: q.auth.user, created: now}
	return map[string]any{"app": strconv.FormatInt(id, 10), "revision": "2"}, nil
}

// getPreviewFields answers GET preview/app/form/fields.json.
func (s *Server) getPreviewFields(q *request) (any, *apiError) {
	if e := checkLangParam(q); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, rev, e := s.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	props := make(map[string]any, len(d.fields))
	for _, f := range d.fields {
		props[f.code] = propertyJSON(f.prop)
	}
	return map[string]any{"properties": props, "revision": strconv.FormatInt(rev, 10)}, nil
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

// editPreviewFields starts a change of the preview form (s.mu held): the properties sent, the
// preview app after the revision check, and a copy of its settings to change.
func (s *Server) editPreviewFields(q *request) (map[string]any, *previewApp, App, *apiError) {
	in, ok := q.p["properties"].(map[string]any)
	if !ok || len(in) == 0 {
		return nil, nil, App{}, errInvalid("properties", msgRequired)
	}
	pv, e := s.previewOf(q, "app")
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
func (s *Server) postPreviewFields(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, pv, meta, e := s.editPreviewFields(q)
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
		meta.Fields[code] = p
	}
	return s.commit(pv, meta)
}

// putPreviewFields answers PUT preview/app/form/fields.json: changes fields (the properties
// sent replace those of the field; a new "code" renames it; SUBTABLE columns are merged by
// code).
func (s *Server) putPreviewFields(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, pv, meta, e := s.editPreviewFields(q)
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
	out, e := s.commit(pv, meta)
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
func (s *Server) deletePreviewFields(q *request) (any, *apiError) {
	codes, ok := q.p.strs("fields")
	if !ok || len(codes) == 0 {
		return nil, errInvalid("fields", msgRequired)
	}
	if len(codes) > 100 {
		return nil, errInvalid("fields", msgMax100)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pv, e := s.previewOf(q, "app")
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
	return s.commit(pv, meta)
}

// deployTarget is one app of a deploy.json call.
type deployTarget struct {
	id int64
	pv *previewApp // nil: no pending change
}

// deployApps reads the apps parameter of deploy.json and resolves each app. The caller holds
// s.mu.
func (s *Server) deployApps(q *request, withRevision bool) ([]deployTarget, *apiError) {
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
		pv, _, e := s.previewTarget(q, id, idText)
		if e != nil {
			return nil, e
		}
		if withRevision {
			rev := s.liveRevision(id)
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
func (s *Server) postDeploy(q *request) (any, *apiError) {
	revert, e := q.p.boolean("revert")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extInit()
	targets, e := s.deployApps(q, true)
	if e != nil {
		return nil, e
	}
	for _, t := range targets {
		switch {
		case t.pv == nil:
		case revert:
			if t.pv.live {
				delete(s.ext.previews, t.id)
			}
		default:
			s.deploy(t.pv)
		}
		s.ext.deploys[t.id] = 1
	}
	return map[string]any{}, nil
}

// deploy makes a preview form live, carrying the records over: values of fields whose code
// and type are unchanged are kept, others start empty. The caller holds s.mu for writing.
func (s *Server) deploy(pv *previewApp) {
	id := pv.meta.ID
	old := s.apps[id]
	nd := pv.def
	if old != nil {
		nd.creator, nd.createdAt = old.creator, old.createdAt
		nd.nextID, nd.nextRowID = old.nextID, old.nextRowID
		nd.tokens = old.tokens
		for _, t := range old.tokens {
			s.tokens[t.Token] = tokenEntry{app: nd, perm: t}
		}
		nd.records = make([]*record, len(old.records))
		for i, r := range old.records {
			nd.records[i] = s.migrate(old, nd, r, pv.renamed)
		}
	} else {
		nd.creator, nd.createdAt = pv.creator, pv.created.UTC()
		s.appIDs = append(s.appIDs, id)
		sort.Slice(s.appIDs, func(i, j int) bool { return s.appIDs[i] < s.appIDs[j] })
	}
	s.apps[id] = nd
	s.ext.liveRev[id] = pv.rev
	delete(s.ext.previews, id)
}

// migrate converts a record of app old to the form of app nd.
func (s *Server) migrate(old, nd *appDef, r *record, renamed map[string]string) *record {
	dc := &decoder{s: s, app: nd}
	empty := func(f *fieldDef) any {
		switch f.typ {
		case "STATUS":
			return nd.initialStatus()
		case "STATUS_ASSIGNEE":
			return []int32(nil)
		}
		return dc.value(f, nil, errKey{})
	}
	same := func(of, nf *fieldDef) bool { return of != nil && of.typ == nf.typ && of.idx >= 0 }
	movedAway := map[string]bool{} // live codes now used by a renamed field
	for _, live := range renamed {
		movedAway[live] = true
	}
	c := *r
	c.vals = make([]any, len(nd.stored))
	for _, nf := range nd.stored {
		of := old.byCode[nf.code]
		if live, ok := renamed[nf.code]; ok {
			of = old.byCode[live]
		} else if movedAway[nf.code] {
			of = nil
		}
		if !same(of, nf) || of.table != nil {
			c.vals[nf.idx] = empty(nf)
			continue
		}
		if nf.typ != "SUBTABLE" {
			c.vals[nf.idx] = r.vals[of.idx]
			continue
		}
		rows, _ := r.vals[of.idx].([]row)
		var out []row
		for _, rw := range rows {
			nr := row{id: rw.id, vals: make([]any, len(nf.inner))}
			for _, ni := range nf.inner {
				oi := old.byCode[ni.code]
				if same(oi, ni) && oi.table == of {
					nr.vals[ni.idx] = rw.vals[oi.idx]
				} else {
					nr.vals[ni.idx] = empty(ni)
				}
			}
			out = append(out, nr)
		}
		c.vals[nf.idx] = out
	}
	s.computeCalcs(nd, &c)
	return &c
}

// getDeploy answers GET preview/app/deploy.json.
func (s *Server) getDeploy(q *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extInit()
	targets, e := s.deployApps(q, false)
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, t := range targets {
		status := "SUCCESS"
		if s.ext.deploys[t.id] > 0 {
			status = "PROCESSING"
			s.ext.deploys[t.id]--
		}
		out = append(out, map[string]any{"app": strconv.FormatInt(t.id, 10), "status": status})
	}
	return map[string]any{"apps": out}, nil
}
