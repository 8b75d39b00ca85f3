package engine

// The settings tables of kintone's access rights: AppPermissions from app/acl.json,
// FieldPermissions and FieldPermissionsEntities from field/acl.json, RecordPermissions and
// RecordPermissionsEntities from record/acl.json. kintone lists rights in priority order, the
// first that applies to a user winning: the Priority columns number them from 1, the highest.

import (
	"encoding/json"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The columns of AppPermissions, by index.
const (
	appRightApp = iota
	appRightPriority
	appRightEntityType
	appRightEntityCode
	appRightIncludeSubs
	appRightAppEditable
	appRightRecordViewable
	appRightRecordAddable
	appRightRecordEditable
	appRightRecordDeletable
	appRightRecordImportable
	appRightRecordExportable
)

// appPermissionsView is the AppPermissions view.
var appPermissionsView = &schema.Table{Name: "AppPermissions", Columns: []schema.Column{
	appRightApp:              propertyColumn("AppId", "app", schema.TypeInteger),
	appRightPriority:         propertyColumn("Priority", "", schema.TypeInteger),
	appRightEntityType:       propertyColumn("EntityType", "entity.type", schema.TypeVarchar),
	appRightEntityCode:       propertyColumn("EntityCode", "entity.code", schema.TypeVarchar),
	appRightIncludeSubs:      propertyColumn("IncludeSubs", "includeSubs", schema.TypeInteger),
	appRightAppEditable:      propertyColumn("AppEditable", "appEditable", schema.TypeInteger),
	appRightRecordViewable:   propertyColumn("RecordViewable", "recordViewable", schema.TypeInteger),
	appRightRecordAddable:    propertyColumn("RecordAddable", "recordAddable", schema.TypeInteger),
	appRightRecordEditable:   propertyColumn("RecordEditable", "recordEditable", schema.TypeInteger),
	appRightRecordDeletable:  propertyColumn("RecordDeletable", "recordDeletable", schema.TypeInteger),
	appRightRecordImportable: propertyColumn("RecordImportable", "recordImportable", schema.TypeInteger),
	appRightRecordExportable: propertyColumn("RecordExportable", "recordExportable", schema.TypeInteger),
}}

var appPermissionsTable = &settingsTable{
	endpoint: "app/acl",
	info: tableInfo{table: appPermissionsView, kind: "VIEW", keys: []int{appRightApp, appRightPriority},
		description: "The access rights of kintone apps (app/acl.json), one row per user, group, organization or the app's creator, in priority order (1 first). AppId = … (or an IN list) reads those apps only"},
	rows: rightRows(appPermissionsView, "app access rights", appRightPriority),
}

// The columns of FieldPermissions, by index.
const (
	fieldRightApp = iota
	fieldRightCode
	fieldRightEntities
)

// fieldPermissionsView is the FieldPermissions view.
var fieldPermissionsView = &schema.Table{Name: "FieldPermissions", Columns: []schema.Column{
	fieldRightApp:      propertyColumn("AppId", "app", schema.TypeInteger),
	fieldRightCode:     propertyColumn("FieldCode", "code", schema.TypeVarchar),
	fieldRightEntities: propertyColumn("Entities", "entities", schema.TypeVarchar),
}}

var fieldPermissionsTable = &settingsTable{
	endpoint: "field/acl",
	info: tableInfo{table: fieldPermissionsView, kind: "VIEW", keys: []int{fieldRightApp, fieldRightCode},
		description: "The fields of kintone apps with access rights (field/acl.json), one row per field, its rights as kintone's JSON (FieldPermissionsEntities has a row for each). AppId = … (or an IN list) reads those apps only"},
	rows: rightRows(fieldPermissionsView, "field access rights", noPriority),
}

// The columns of FieldPermissionsEntities, by index.
const (
	fieldEntityApp = iota
	fieldEntityField
	fieldEntityPriority
	fieldEntityType
	fieldEntityCode
	fieldEntityAccessibility
	fieldEntityIncludeSubs
)

// fieldPermissionsEntitiesView is the FieldPermissionsEntities view.
var fieldPermissionsEntitiesView = &schema.Table{Name: "FieldPermissionsEntities", Columns: []schema.Column{
	fieldEntityApp:           propertyColumn("AppId", "app", schema.TypeInteger),
	fieldEntityField:         propertyColumn("FieldCode", "", schema.TypeVarchar),
	fieldEntityPriority:      propertyColumn("EntityPriority", "", schema.TypeInteger),
	fieldEntityType:          propertyColumn("EntityType", "entity.type", schema.TypeVarchar),
	fieldEntityCode:          propertyColumn("EntityCode", "entity.code", schema.TypeVarchar),
	fieldEntityAccessibility: propertyColumn("Accessibility", "accessibility", schema.TypeVarchar),
	fieldEntityIncludeSubs:   propertyColumn("IncludeSubs", "includeSubs", schema.TypeInteger),
}}

var fieldPermissionsEntitiesTable = &settingsTable{
	endpoint: "field/acl",
	info: tableInfo{table: fieldPermissionsEntitiesView, kind: "VIEW", keys: []int{fieldEntityApp, fieldEntityField, fieldEntityPriority},
		description: "The access rights on the fields of kintone apps (field/acl.json), one row per field and user, group, organization or user field, in priority order within the field (1 first): READ, WRITE or NONE. AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		return rightEntityRows(fieldPermissionsEntitiesView, "field access rights", app, reply,
			func(row []any, right attributes, _, priority int64) {
				row[fieldEntityField], row[fieldEntityPriority] = right.text("code"), priority
			})
	},
}

// The columns of RecordPermissions, by index.
const (
	recordRightApp = iota
	recordRightPriority
	recordRightFilterCond
	recordRightEntities
)

// recordPermissionsView is the RecordPermissions view.
var recordPermissionsView = &schema.Table{Name: "RecordPermissions", Columns: []schema.Column{
	recordRightApp:        propertyColumn("AppId", "app", schema.TypeInteger),
	recordRightPriority:   propertyColumn("Priority", "", schema.TypeInteger),
	recordRightFilterCond: propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	recordRightEntities:   propertyColumn("Entities", "entities", schema.TypeVarchar),
}}

var recordPermissionsTable = &settingsTable{
	endpoint: "record/acl", lang: true,
	info: tableInfo{table: recordPermissionsView, kind: "VIEW", keys: []int{recordRightApp, recordRightPriority},
		description: "The record access rules of kintone apps (record/acl.json), one row per condition in priority order (1 first; FilterCond NULL: every record), its rights as kintone's JSON (RecordPermissionsEntities has a row for each). AppId = … (or an IN list) reads those apps only"},
	rows: rightRows(recordPermissionsView, "record access rights", recordRightPriority),
}

// The columns of RecordPermissionsEntities, by index.
const (
	recordEntityApp = iota
	recordEntityRule
	recordEntityFilterCond
	recordEntityPriority
	recordEntityType
	recordEntityCode
	recordEntityViewable
	recordEntityEditable
	recordEntityDeletable
	recordEntityIncludeSubs
)

// recordPermissionsEntitiesView is the RecordPermissionsEntities view.
var recordPermissionsEntitiesView = &schema.Table{Name: "RecordPermissionsEntities", Columns: []schema.Column{
	recordEntityApp:         propertyColumn("AppId", "app", schema.TypeInteger),
	recordEntityRule:        propertyColumn("Priority", "", schema.TypeInteger),
	recordEntityFilterCond:  propertyColumn("FilterCond", "", schema.TypeVarchar),
	recordEntityPriority:    propertyColumn("EntityPriority", "", schema.TypeInteger),
	recordEntityType:        propertyColumn("EntityType", "entity.type", schema.TypeVarchar),
	recordEntityCode:        propertyColumn("EntityCode", "entity.code", schema.TypeVarchar),
	recordEntityViewable:    propertyColumn("Viewable", "viewable", schema.TypeInteger),
	recordEntityEditable:    propertyColumn("Editable", "editable", schema.TypeInteger),
	recordEntityDeletable:   propertyColumn("Deletable", "deletable", schema.TypeInteger),
	recordEntityIncludeSubs: propertyColumn("IncludeSubs", "includeSubs", schema.TypeInteger),
}}

var recordPermissionsEntitiesTable = &settingsTable{
	endpoint: "record/acl", lang: true,
	info: tableInfo{table: recordPermissionsEntitiesView, kind: "VIEW", keys: []int{recordEntityApp, recordEntityRule, recordEntityPriority},
		description: "The record access rights of kintone apps (record/acl.json), one row per condition and user, group, organization or user field: the condition's Priority and FilterCond as in RecordPermissions, the entity's priority within it (1 first). AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		return rightEntityRows(recordPermissionsEntitiesView, "record access rights", app, reply,
			func(row []any, right attributes, rule, priority int64) {
				row[recordEntityRule], row[recordEntityFilterCond], row[recordEntityPriority] = rule, right.text("filterCond"), priority
			})
	},
}

// noPriority tells rightRows that a view has no priority column.
const noPriority = -1

// rightRows reads a view of rights (t): one row per right, each column the attribute its
// FieldCode names, and the right's priority in its list (from 1) in column priority unless it
// is noPriority.
func rightRows(t *schema.Table, what string, priority int) func(app int64, reply []byte) ([][]any, error) {
	return func(app int64, reply []byte) ([][]any, error) {
		rights, err := decodeList(reply, "rights", what, app)
		if err != nil {
			return nil, err
		}
		rows := make([][]any, len(rights))
		for i, right := range rights {
			rows[i] = right.row(t, app)
			if priority != noPriority {
				rows[i][priority] = int64(i + 1)
			}
		}
		return rows, nil
	}
}

// rightEntityRows are the rows of a detail view of rights (t): one per entity of each right,
// each column the entity's attribute its FieldCode names; set fills in the columns that come
// from the right, given the right's priority in its list and the entity's within the right
// (both from 1).
func rightEntityRows(t *schema.Table, what string, app int64, reply []byte,
	set func(row []any, right attributes, rightPriority, entityPriority int64)) ([][]any, error) {
	rights, err := decodeList(reply, "rights", what, app)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for i, right := range rights {
		var entities []attributes
		if raw := right["entities"]; raw != nil && json.Unmarshal(raw, &entities) != nil {
			return nil, badSettings(what, app, reply)
		}
		for j, entity := range entities {
			row := entity.row(t, app)
			set(row, right, int64(i+1), int64(j+1))
			rows = append(rows, row)
		}
	}
	return rows, nil
}
