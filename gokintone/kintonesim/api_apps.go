package kintonesim

import (
	"sort"
	"strconv"
	"strings"
)

// appAPI answers the reads of apps and their settings: apps.json, app.json and, live and
// under /preview/, app/form/fields.json, app/form/layout.json, app/views.json,
// app/status.json, app/settings.json and the access rights (rights.go).
type appAPI struct{ *store }

var (
	msgMax100   = text{"Specify up to 100 values.", "100個以下で指定してください。"}
	msgLimit100 = text{"Enter a value between 1 and 100.", "1以上100以下の値を指定してください。"}
	msgOffsetRg = text{"Enter a value between 0 and 2147483647.", "0以上2147483647以下の値を指定してください。"}
)

// getApps answers GET apps.json.
func (a appAPI) getApps(q *request) (any, *apiError) {
	ids, hasIDs := q.p.strs("ids")
	codes, hasCodes := q.p.strs("codes")
	spaces, hasSpaces := q.p.strs("spaceIds")
	name, hasName := q.p.str("name")
	for key, l := range map[string][]string{"ids": ids, "codes": codes, "spaceIds": spaces} {
		if len(l) > 100 {
			return nil, errInvalid(key, msgMax100)
		}
	}
	idSet, e := intSet("ids", ids)
	if e != nil {
		return nil, e
	}
	spaceSet, e := intSet("spaceIds", spaces)
	if e != nil {
		return nil, e
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
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := []any{}
	skipped := int64(0)
	for _, id := range a.appIDs {
		d := a.apps[id]
		if d.meta.GuestSpaceID != q.guest {
			continue
		}
		if q.kind == AuthToken && q.tokens[id] == nil {
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
		out = append(out, a.appJSON(d))
	}
	return map[string]any{"apps": out}, nil
}

// getApp answers GET app.json.
func (a appAPI) getApp(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, e := a.appParam(&q.caller, q.p, "id", permNone)
	if e != nil {
		return nil, e
	}
	return a.appJSON(d), nil
}

// getFields answers GET app/form/fields.json: the live form.
func (a appAPI) getFields(q *request) (any, *apiError) {
	if e := checkLangParam(q); e != nil {
		return nil, e
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, e := a.appParam(&q.caller, q.p, "app", permNone)
	if e != nil {
		return nil, e
	}
	return formJSON(d, a.liveRevision(d.meta.ID)), nil
}

// getPreviewFields answers GET preview/app/form/fields.json.
func (a appAPI) getPreviewFields(q *request) (any, *apiError) {
	return a.readSettings(q, func(d *appDef, rev int64) any { return formJSON(d, rev) })
}

// readSettings answers a GET of settings that take a lang parameter (see readAppSettings).
func (a appAPI) readSettings(q *request, answer func(d *appDef, rev int64) any) (any, *apiError) {
	if e := checkLangParam(q); e != nil {
		return nil, e
	}
	return a.readAppSettings(q, answer)
}

// readAppSettings answers a GET of settings: answer's reply for the app (live or preview) and
// its settings revision, under the read lock.
func (a appAPI) readAppSettings(q *request, answer func(d *appDef, rev int64) any) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, rev, e := a.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	return answer(d, rev), nil
}

var msgLang = text{"Enter one of default, en, ja, zh, user.", "default, en, ja, zh, user のいずれかを指定してください。"}

// checkLangParam checks the lang parameter of the form and settings reads.
func checkLangParam(q *request) *apiError {
	if l, ok := q.p.str("lang"); ok {
		switch l {
		case "default", "en", "ja", "zh", "user", "":
		default:
			return errInvalid("lang", msgLang)
		}
	}
	return nil
}

// settingsApp resolves the app of a settings read: the live app, or under /preview/ its
// preview form (which exists alone for apps made by preview/app.json and not yet deployed).
// It returns the app's definition and settings revision. The caller holds a.mu.
func (a appAPI) settingsApp(q *request, key string) (*appDef, int64, *apiError) {
	id, idText, e := q.p.id(key)
	if e != nil {
		return nil, 0, e
	}
	d, rev := a.apps[id], a.liveRevision(id)
	if q.preview {
		if pv := a.previews[id]; pv != nil {
			d, rev = pv.def, pv.rev
		}
	}
	if d == nil {
		return nil, 0, errAppNotFound(idText)
	}
	if e := checkSpace(&q.caller, d); e != nil {
		return nil, 0, e
	}
	if q.kind == AuthToken && q.tokens[id] == nil {
		return nil, 0, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	return d, rev, nil
}

// getStatusSettings answers GET app/status.json.
func (a appAPI) getStatusSettings(q *request) (any, *apiError) {
	return a.readSettings(q, func(d *appDef, rev int64) any { return statusSettingsJSON(d.meta.ProcessManagement, rev) })
}

// getGeneralSettings answers GET app/settings.json: the app's name, description and number
// precision; the attributes the fixture does not describe have the values of a new app.
func (a appAPI) getGeneralSettings(q *request) (any, *apiError) {
	return a.readSettings(q, generalSettingsJSON)
}

// generalSettingsJSON is app/settings.json's reply for the app.
func generalSettingsJSON(d *appDef, rev int64) any {
	p := precisionOf(d.meta.NumberPrecision)
	return map[string]any{
		"name": d.meta.Name, "description": d.meta.Description,
		"icon": map[string]any{"type": "PRESET", "key": "APP72"}, "theme": "WHITE",
		"titleField":       map[string]any{"selectionMode": "AUTO", "code": ""},
		"enableThumbnails": true, "enableBulkDeletion": false, "enableComments": true,
		"enableDuplicateRecord": true, "enableInlineRecordEditing": true,
		"numberPrecision": map[string]any{"digits": strconv.Itoa(p.digits), "decimalPlaces": strconv.Itoa(p.places),
			"roundingMode": p.mode},
		"firstMonthOfFiscalYear": "4",
		"revision":               strconv.FormatInt(rev, 10),
	}
}

// systemTypes are the fields kintone adds to every form.
var systemTypes = map[string]bool{
	"RECORD_NUMBER": true, "CREATOR": true, "CREATED_TIME": true, "MODIFIER": true, "UPDATED_TIME": true,
	"STATUS": true, "STATUS_ASSIGNEE": true, "CATEGORY": true,
}

// getLayout answers GET app/form/layout.json: the fixture's layout, or one generated from the
// form (one ROW per field in code order, a SUBTABLE entry per table, an empty GROUP per group).
func (a appAPI) getLayout(q *request) (any, *apiError) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, rev, e := a.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	layout := d.meta.Layout
	if layout == nil {
		layout = generateLayout(d)
	}
	return map[string]any{"layout": layout, "revision": strconv.FormatInt(rev, 10)}, nil
}

func generateLayout(d *appDef) []any {
	out := []any{}
	for _, f := range d.fields {
		switch {
		case systemTypes[f.typ]:
		case f.typ == "SUBTABLE":
			cols := []any{}
			for _, fi := range f.inner {
				cols = append(cols, layoutField(fi))
			}
			out = append(out, map[string]any{"type": "SUBTABLE", "code": f.code, "fields": cols})
		case f.typ == "GROUP":
			out = append(out, map[string]any{"type": "GROUP", "code": f.code, "layout": []any{}})
		default:
			out = append(out, map[string]any{"type": "ROW", "fields": []any{layoutField(f)}})
		}
	}
	return out
}

func layoutField(f *fieldDef) map[string]any {
	switch f.typ {
	case "REFERENCE_TABLE":
		return map[string]any{"type": f.typ, "code": f.code}
	case "LABEL":
		return map[string]any{"type": f.typ, "label": f.prop.Label, "size": map[string]any{"width": "200"}}
	case "SPACER":
		return map[string]any{"type": f.typ, "elementId": f.code, "size": map[string]any{"width": "100", "height": "30"}}
	case "HR":
		return map[string]any{"type": f.typ, "size": map[string]any{"width": "600"}}
	case "MULTI_LINE_TEXT", "RICH_TEXT":
		return map[string]any{"type": f.typ, "code": f.code, "size": map[string]any{"width": "400", "innerHeight": "125"}}
	}
	return map[string]any{"type": f.typ, "code": f.code, "size": map[string]any{"width": "200"}}
}

// getViews answers GET app/views.json: the fixture's views (missing name, id, index and type
// filled in), or one list view "All" of the form's fields sorted by record number descending.
func (a appAPI) getViews(q *request) (any, *apiError) {
	if e := checkLangParam(q); e != nil {
		return nil, e
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, rev, e := a.settingsApp(q, "app")
	if e != nil {
		return nil, e
	}
	views := map[string]any{}
	if d.meta.Views == nil {
		fields := []string{}
		for _, f := range d.fields {
			if f.idx >= 0 && f.typ != "SUBTABLE" && !systemTypes[f.typ] {
				fields = append(fields, f.code)
			}
		}
		views["All"] = map[string]any{"type": "LIST", "id": strconv.FormatInt(d.meta.ID*1000+1, 10), "name": "All",
			"index": "0", "filterCond": "", "sort": d.sys.recordNumber + " desc", "fields": fields}
	} else {
		names := make([]string, 0, len(d.meta.Views))
		for n := range d.meta.Views {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			v := make(map[string]any, len(d.meta.Views[n])+4)
			for k, x := range d.meta.Views[n] {
				v[k] = x
			}
			fill := func(k string, x any) {
				if _, ok := v[k]; !ok {
					v[k] = x
				}
			}
			fill("name", n)
			fill("type", "LIST")
			fill("id", strconv.FormatInt(d.meta.ID*1000+int64(i)+1, 10))
			fill("index", strconv.Itoa(i))
			fill("filterCond", "")
			fill("sort", d.sys.recordNumber+" desc")
			if v["type"] == "LIST" {
				fill("fields", []any{})
			}
			views[n] = v
		}
	}
	return map[string]any{"views": views, "revision": strconv.FormatInt(rev, 10)}, nil
}

// intSet parses the integers of list parameter key into a set.
func intSet(key string, list []string) (map[int64]bool, *apiError) {
	set := map[int64]bool{}
	for _, t := range list {
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return nil, errInvalid(key, msgInteger)
		}
		set[n] = true
	}
	return set, nil
}
