package kintonesim

import (
	"fmt"
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// Access rights: an app's rights as app/acl.json, field/acl.json and record/acl.json describe
// them, in priority order (the first entry wins). The simulator serves them as settings; it
// does not apply them to what a user may read or change.

// Rights are an app's access rights in the shape of kintone's rights lists.
type Rights struct {
	// App are the app's rights; absent, those kintone gives a new app (defaultAppRights).
	App []AppRight `json:"app,omitempty"`
	// Fields are the rights on fields; none by default.
	Fields []FieldRight `json:"fields,omitempty"`
	// Records are the rights on the records matching a condition; none by default.
	Records []RecordRight `json:"records,omitempty"`
}

// AppRight is what an entity may do in the app. Entity is a USER, GROUP or ORGANIZATION, or
// CREATOR (the app's creator, without a code).
type AppRight struct {
	Entity           EntityRef `json:"entity"`
	IncludeSubs      bool      `json:"includeSubs,omitempty"` // for an ORGANIZATION: its sub-organizations too
	AppEditable      bool      `json:"appEditable,omitempty"`
	RecordViewable   bool      `json:"recordViewable,omitempty"`
	RecordAddable    bool      `json:"recordAddable,omitempty"`
	RecordEditable   bool      `json:"recordEditable,omitempty"`
	RecordDeletable  bool      `json:"recordDeletable,omitempty"`
	RecordImportable bool      `json:"recordImportable,omitempty"`
	RecordExportable bool      `json:"recordExportable,omitempty"`
}

// FieldRight is who may read or write one field (Code, of the form or of a table).
type FieldRight struct {
	Code     string             `json:"code"`
	Entities []FieldRightEntity `json:"entities"`
}

// FieldRightEntity is an entity's access to a field: READ, WRITE or NONE. Entity is a USER,
// GROUP or ORGANIZATION, or FIELD_ENTITY (the users a field of the record names).
type FieldRightEntity struct {
	Accessibility string    `json:"accessibility"`
	Entity        EntityRef `json:"entity"`
	IncludeSubs   bool      `json:"includeSubs,omitempty"`
}

// RecordRight is who may view, edit or delete the records matching FilterCond (a records query
// condition; "" for every record).
type RecordRight struct {
	FilterCond string              `json:"filterCond,omitempty"`
	Entities   []RecordRightEntity `json:"entities"`
}

// RecordRightEntity is what an entity (as in FieldRightEntity) may do with the records.
type RecordRightEntity struct {
	Entity      EntityRef `json:"entity"`
	Viewable    bool      `json:"viewable,omitempty"`
	Editable    bool      `json:"editable,omitempty"`
	Deletable   bool      `json:"deletable,omitempty"`
	IncludeSubs bool      `json:"includeSubs,omitempty"`
}

// everyone is the code of kintone's built-in group of all users.
const everyone = "everyone"

// defaultAppRights are the rights kintone gives a new app: its creator may do everything;
// everyone may view, add, edit and delete records.
var defaultAppRights = []AppRight{
	{Entity: EntityRef{Type: "CREATOR"}, AppEditable: true, RecordViewable: true, RecordAddable: true,
		RecordEditable: true, RecordDeletable: true, RecordImportable: true, RecordExportable: true},
	{Entity: EntityRef{Type: "GROUP", Code: everyone}, RecordViewable: true, RecordAddable: true,
		RecordEditable: true, RecordDeletable: true},
}

// checkRights validates the rights a fixture gives an app against its form: the entity types
// each list takes, the fields named, the accessibilities and the record conditions. A form
// changed later through the preview API may delete fields the rights name: the replies leave
// those rights out, as kintone drops them.
func checkRights(d *appDef) error {
	r := d.meta.Rights
	if r == nil {
		return nil
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("kintonesim: app %d: rights: "+format, append([]any{d.meta.ID}, args...)...)
	}
	for i, ar := range r.App {
		if err := d.checkEntity(ar.Entity, ar.IncludeSubs, "CREATOR"); err != nil {
			return bad("app[%d]: %v", i, err)
		}
	}
	for i, fr := range r.Fields {
		f := d.byCode[fr.Code]
		if f == nil || !f.enabled || systemTypes[f.typ] || layoutOnlyTypes[f.typ] || f.typ == "SUBTABLE" {
			return bad("fields[%d]: %q is not a field whose values rights can restrict", i, fr.Code)
		}
		for j, e := range fr.Entities {
			switch e.Accessibility {
			case "READ", "WRITE", "NONE":
			default:
				return bad("fields[%d].entities[%d]: accessibility %q is not READ, WRITE or NONE", i, j, e.Accessibility)
			}
			if err := d.checkEntity(e.Entity, e.IncludeSubs, "FIELD_ENTITY"); err != nil {
				return bad("fields[%d].entities[%d]: %v", i, j, err)
			}
		}
	}
	for i, rr := range r.Records {
		if rr.FilterCond != "" {
			parsed, err := kquery.Parse(rr.FilterCond)
			if err == nil {
				_, err = kquery.Compile(parsed, d.schema, kquery.Env{})
			}
			if err != nil {
				return bad("records[%d]: filterCond %q: %v", i, rr.FilterCond, err)
			}
		}
		for j, e := range rr.Entities {
			if err := d.checkEntity(e.Entity, e.IncludeSubs, "FIELD_ENTITY"); err != nil {
				return bad("records[%d].entities[%d]: %v", i, j, err)
			}
		}
	}
	return nil
}

// entityFieldTypes are the fields a FIELD_ENTITY may name: those that hold users,
// organizations or groups.
var entityFieldTypes = map[string]bool{
	"USER_SELECT": true, "ORGANIZATION_SELECT": true, "GROUP_SELECT": true, "CREATOR": true, "MODIFIER": true,
	"STATUS_ASSIGNEE": true,
}

// checkEntity validates the entity of a right: a USER, GROUP or ORGANIZATION with a code, or
// the one other type the list takes (other: CREATOR without a code, or FIELD_ENTITY naming a
// field of the app that holds users, organizations or groups). Only an ORGANIZATION, or a
// FIELD_ENTITY, includes sub-organizations.
func (d *appDef) checkEntity(e EntityRef, includeSubs bool, other string) error {
	switch {
	case e.Type == "USER" || e.Type == "GROUP" || e.Type == "ORGANIZATION":
		if e.Code == "" {
			return fmt.Errorf("a %s entity needs a code", e.Type)
		}
	case e.Type != other:
		return fmt.Errorf("entity type %q is not USER, GROUP, ORGANIZATION or %s", e.Type, other)
	case other == "CREATOR":
		if e.Code != "" {
			return fmt.Errorf("a CREATOR entity has no code")
		}
	default: // FIELD_ENTITY
		if f := d.byCode[e.Code]; f == nil || !entityFieldTypes[f.typ] {
			return fmt.Errorf("FIELD_ENTITY %q is not a field of users, organizations or groups", e.Code)
		}
	}
	if includeSubs && e.Type != "ORGANIZATION" && e.Type != "FIELD_ENTITY" {
		return fmt.Errorf("includeSubs applies to organizations only, not to %s %q", e.Type, e.Code)
	}
	return nil
}

// entityJSON renders an entity of a rights list; a CREATOR's code is null.
func entityJSON(e EntityRef) map[string]any {
	var code any = e.Code
	if e.Type == "CREATOR" {
		code = nil
	}
	return map[string]any{"type": e.Type, "code": code}
}

// appRightsJSON is app/acl.json's reply for the app.
func appRightsJSON(d *appDef, rev int64) any {
	list := defaultAppRights
	if d.meta.Rights != nil && d.meta.Rights.App != nil {
		list = d.meta.Rights.App
	}
	rights := make([]any, len(list))
	for i, r := range list {
		rights[i] = map[string]any{
			"entity": entityJSON(r.Entity), "includeSubs": r.IncludeSubs, "appEditable": r.AppEditable,
			"recordViewable": r.RecordViewable, "recordAddable": r.RecordAddable, "recordEditable": r.RecordEditable,
			"recordDeletable": r.RecordDeletable, "recordImportable": r.RecordImportable,
			"recordExportable": r.RecordExportable,
		}
	}
	return map[string]any{"rights": rights, "revision": strconv.FormatInt(rev, 10)}
}

// fieldRightsJSON is field/acl.json's reply for the app.
func fieldRightsJSON(d *appDef, rev int64) any {
	rights := []any{}
	if d.meta.Rights != nil {
		for _, r := range d.meta.Rights.Fields {
			if d.byCode[r.Code] == nil {
				continue // a field the form no longer has
			}
			entities := []any{}
			for _, e := range r.Entities {
				if d.hasEntity(e.Entity) {
					entities = append(entities, map[string]any{"accessibility": e.Accessibility,
						"entity": entityJSON(e.Entity), "includeSubs": e.IncludeSubs})
				}
			}
			rights = append(rights, map[string]any{"code": r.Code, "entities": entities})
		}
	}
	return map[string]any{"rights": rights, "revision": strconv.FormatInt(rev, 10)}
}

// recordRightsJSON is record/acl.json's reply for the app.
func recordRightsJSON(d *appDef, rev int64) any {
	rights := []any{}
	if d.meta.Rights != nil {
		for _, r := range d.meta.Rights.Records {
			entities := []any{}
			for _, e := range r.Entities {
				if d.hasEntity(e.Entity) {
					entities = append(entities, map[string]any{"entity": entityJSON(e.Entity), "viewable": e.Viewable,
						"editable": e.Editable, "deletable": e.Deletable, "includeSubs": e.IncludeSubs})
				}
			}
			rights = append(rights, map[string]any{"filterCond": r.FilterCond, "entities": entities})
		}
	}
	return map[string]any{"rights": rights, "revision": strconv.FormatInt(rev, 10)}
}

// hasEntity reports whether an entity of a rights list still exists: false for a FIELD_ENTITY
// whose field the form no longer has.
func (d *appDef) hasEntity(e EntityRef) bool {
	return e.Type != "FIELD_ENTITY" || d.byCode[e.Code] != nil
}

// getAppRights answers GET app/acl.json.
func (a appAPI) getAppRights(q *request) (any, *apiError) { return a.readAppSettings(q, appRightsJSON) }

// getFieldRights answers GET field/acl.json.
func (a appAPI) getFieldRights(q *request) (any, *apiError) {
	return a.readAppSettings(q, fieldRightsJSON)
}

// getRecordRights answers GET record/acl.json, which takes a lang parameter.
func (a appAPI) getRecordRights(q *request) (any, *apiError) {
	return a.readSettings(q, recordRightsJSON)
}
