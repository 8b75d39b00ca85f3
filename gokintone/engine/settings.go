package engine

// Tables of the driver's own read from kintone's per-app settings APIs (FormFields from
// app/form/fields.json, FormLayout and FormLayoutFields from app/form/layout.json, Views from
// app/views.json, Space and SpaceMembers from space.json and space/members.json, ProcessManagement and
// ProcessManagementActions from app/status.json, GeneralSettings from app/settings.json):
// read-only, one request per app. An
// equality on AppId (or an IN list: SQLite scans once per value) names the app; without one
// the scan reads every app the connection lists, as the query asks for all of them. Each
// column's FieldCode is the attribute of kintone's settings object it holds.

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// settingsTable is a table whose rows come from one settings API, one request per object
// (an app, or a space). Its first column is the object's id.
type settingsTable struct {
	info     tableInfo
	endpoint string // below /k/v1/, without .json
	// param is the parameter that names the object: "app" when empty.
	param string
	// lang tells that the API takes the lang parameter (the Lang option).
	lang bool
	// all lists the objects a scan without an equality on the first column reads; nil: the
	// apps the connection lists.
	all func(ctx context.Context, e *Engine) ([]int64, error)
	// rows are the rows of one object from the API's reply.
	rows func(id int64, reply []byte) ([][]any, error)
}

// settingsTables are the per-app settings tables.
var settingsTables = []*settingsTable{formFieldsTable, formLayoutTable, formLayoutFieldsTable, viewsTable,
	processTable, processActionsTable, generalSettingsTable, spaceTable, spaceMembersTable,
	generalNotificationsTable, perRecordNotificationsTable, perRecordTargetsTable, reminderNotificationsTable,
	reminderTargetsTable, graphSettingsTable, actionSettingsTable, actionEntitiesTable, actionMappingsTable,
	appPermissionsTable, fieldPermissionsTable, fieldPermissionsEntitiesTable, recordPermissionsTable,
	recordPermissionsEntitiesTable}

// settingsTableOf returns the settings table t is, or nil.
func settingsTableOf(t *schema.Table) *settingsTable {
	for _, s := range settingsTables {
		if s.info.table == t {
			return s
		}
	}
	return nil
}

// settingsRead is a read of one object (an app, a space) from a settings API, the key of its
// reply in a statement's reads (readOnce): a table and its detail view read from one endpoint
// share the reply.
type settingsRead struct {
	endpoint string
	id       int64
}

// settingsSource starts a scan of a settings table: the rows of the object an equality on
// its first column names, or of every object s.all lists (the cursor re-checks every
// constraint).
func (v *vtab) settingsSource(ctx context.Context, st *Stmt, s *settingsTable, cons [][3]int, args []any) (rowSource, error) {
	var apps []int64
	if id, found := idEquality(cons, args, 0); found {
		if id <= 0 {
			return &sliceSource{}, nil // no object has such an id
		}
		apps = []int64{id}
	} else {
		all := s.all
		if all == nil {
			all = listedApps
		}
		var err error
		if apps, err = all(ctx, v.e); err != nil {
			return nil, err
		}
	}
	var rows [][]any
	for _, app := range apps {
		appRows, err := v.e.appSettings(ctx, st, s, app)
		if err != nil {
			return nil, err
		}
		rows = append(rows, appRows...)
	}
	return &sliceSource{rows: valueRows(rows)}, nil
}

// listedApps are the ids of the apps the connection lists.
func listedApps(ctx context.Context, e *Engine) ([]int64, error) {
	if err := e.catalog.load(ctx); err != nil {
		return nil, err
	}
	ids := make([]int64, len(e.catalog.apps))
	for i, en := range e.catalog.apps {
		ids[i] = en.app.AppID
	}
	return ids, nil
}

// appSettings returns the rows of one object in a settings table, its settings read once per
// statement.
func (e *Engine) appSettings(ctx context.Context, st *Stmt, s *settingsTable, app int64) ([][]any, error) {
	reply, err := readOnce(st, settingsRead{s.endpoint, app}, func() (json.RawMessage, error) {
		return e.readSettings(ctx, s, app)
	})
	if err != nil {
		return nil, err
	}
	return s.rows(app, reply)
}

// readSettings reads the reply of a settings API about one object.
func (e *Engine) readSettings(ctx context.Context, s *settingsTable, app int64) (json.RawMessage, error) {
	req := kclient.Request{Method: "GET", Endpoint: s.endpoint}
	param := s.param
	if param == "" {
		param, req.App = "app", app // with its API token
	}
	req.Params = map[string]any{param: app}
	if s.lang && e.opts.Lang != "" {
		req.Params["lang"] = e.opts.Lang
	}
	var reply json.RawMessage
	err := e.client.Do(ctx, req, &reply)
	return reply, err
}

// attributes are a settings object's attributes as sent.
type attributes map[string]json.RawMessage

// text is an attribute as a column value: a string as it is, a boolean as 1 or 0, another
// value as its JSON text; nil when it is absent, null, "" or []. A dotted name ("entity.code")
// names an attribute of an object attribute, at any depth; nil when an object on the way is
// missing or not an object.
func (a attributes) text(name string) any {
	if outer, inner, nested := strings.Cut(name, "."); nested {
		var object attributes
		if json.Unmarshal(a[outer], &object) != nil {
			return nil
		}
		return object.text(inner)
	}
	raw := bytes.TrimSpace(a[name])
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil
		}
		return s
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return boolValue(b)
	}
	return string(raw)
}

// row is the row of table t (whose first column is AppId) for the settings object a of app:
// each column the attribute its FieldCode names (a dotted name: in nested objects).
func (a attributes) row(t *schema.Table, app int64) []any {
	vals := make([]any, len(t.Columns))
	vals[0] = app
	for i, c := range t.Columns[1:] {
		vals[i+1] = a.text(c.FieldCode)
	}
	return vals
}

// decodeAttributes reads the objects of a reply's property (an object of objects) in the
// order of their keys.
func decodeAttributes(reply []byte, property, what string, app int64) ([]attributes, error) {
	var body map[string]json.RawMessage
	var objects map[string]attributes
	if json.Unmarshal(reply, &body) != nil || json.Unmarshal(body[property], &objects) != nil {
		return nil, badSettings(what, app, reply)
	}
	keys := make([]string, 0, len(objects))
	for k := range objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]attributes, len(keys))
	for i, k := range keys {
		out[i] = objects[k]
	}
	return out, nil
}

// decodeIndexed reads the objects of a reply's property (an object of objects with an index
// attribute, as views, graphs and actions are sent) in the order of their index.
func decodeIndexed(reply []byte, property, what string, app int64) ([]attributes, error) {
	objects, err := decodeAttributes(reply, property, what, app)
	if err != nil {
		return nil, err
	}
	index := func(a attributes) int {
		n, _ := strconv.Atoi(toText(a.text("index")))
		return n
	}
	sort.SliceStable(objects, func(i, j int) bool { return index(objects[i]) < index(objects[j]) })
	return objects, nil
}

// decodeList reads the objects of a reply's property (an array of objects, as layouts, process
// actions, space members and rights are sent), in order; none when the property is absent.
func decodeList(reply []byte, property, what string, app int64) ([]attributes, error) {
	var whole attributes
	if json.Unmarshal(reply, &whole) != nil {
		return nil, badSettings(what, app, reply)
	}
	return whole.list(property, what, app, reply)
}

// list reads the objects of a's list attribute name: none when it is absent or null.
func (a attributes) list(name, what string, app int64, reply []byte) ([]attributes, error) {
	var out []attributes
	if raw := a[name]; raw != nil && json.Unmarshal(raw, &out) != nil {
		return nil, badSettings(what, app, reply)
	}
	return out, nil
}

// listRows reads a view (t) with one row per object of a reply's list property, each column
// the attribute its FieldCode names.
func listRows(t *schema.Table, property, what string) func(app int64, reply []byte) ([][]any, error) {
	return objectRows(t, decodeList, property, what)
}

// indexedRows reads the rows of table t from a reply whose property is an object of objects
// with an index attribute (views, graphs, actions): one row per object, in kintone's order.
func indexedRows(t *schema.Table, property, what string) func(app int64, reply []byte) ([][]any, error) {
	return objectRows(t, decodeIndexed, property, what)
}

// objectRows reads a view (t) with one row per object decode finds in a reply's property.
func objectRows(t *schema.Table, decode func(reply []byte, property, what string, app int64) ([]attributes, error),
	property, what string) func(app int64, reply []byte) ([][]any, error) {
	return func(app int64, reply []byte) ([][]any, error) {
		objects, err := decode(reply, property, what, app)
		if err != nil {
			return nil, err
		}
		rows := make([][]any, len(objects))
		for i, o := range objects {
			rows[i] = o.row(t, app)
		}
		return rows, nil
	}
}

// The columns of FormFields, by index.
const (
	fieldApp = iota
	fieldCode
	fieldLabel
	fieldType
	fieldSubtable
	fieldNoLabel
	fieldRequired
	fieldUnique
	fieldMinValue
	fieldMaxValue
	fieldMinLength
	fieldMaxLength
	fieldDefaultValue
	fieldOptions
	fieldExpression
	fieldFormat
	fieldDigit
	fieldDisplayScale
	fieldUnit
	fieldUnitPosition
	fieldEnabled
)

// formFieldsView is the FormFields view.
var formFieldsView = &schema.Table{Name: "FormFields", Columns: []schema.Column{
	fieldApp:          propertyColumn("AppId", "app", schema.TypeInteger),
	fieldCode:         propertyColumn("Code", "code", schema.TypeVarchar),
	fieldLabel:        propertyColumn("Label", "label", schema.TypeVarchar),
	fieldType:         propertyColumn("Type", "type", schema.TypeVarchar),
	fieldSubtable:     propertyColumn("SubtableCode", "", schema.TypeVarchar),
	fieldNoLabel:      propertyColumn("NoLabel", "noLabel", schema.TypeInteger),
	fieldRequired:     propertyColumn("Required", "required", schema.TypeInteger),
	fieldUnique:       propertyColumn("Unique", "unique", schema.TypeInteger),
	fieldMinValue:     propertyColumn("MinValue", "minValue", schema.TypeVarchar),
	fieldMaxValue:     propertyColumn("MaxValue", "maxValue", schema.TypeVarchar),
	fieldMinLength:    propertyColumn("MinLength", "minLength", schema.TypeVarchar),
	fieldMaxLength:    propertyColumn("MaxLength", "maxLength", schema.TypeVarchar),
	fieldDefaultValue: propertyColumn("DefaultValue", "defaultValue", schema.TypeVarchar),
	fieldOptions:      propertyColumn("Options", "options", schema.TypeVarchar),
	fieldExpression:   propertyColumn("Expression", "expression", schema.TypeVarchar),
	fieldFormat:       propertyColumn("Format", "format", schema.TypeVarchar),
	fieldDigit:        propertyColumn("Digit", "digit", schema.TypeInteger),
	fieldDisplayScale: propertyColumn("DisplayScale", "displayScale", schema.TypeVarchar),
	fieldUnit:         propertyColumn("Unit", "unit", schema.TypeVarchar),
	fieldUnitPosition: propertyColumn("UnitPosition", "unitPosition", schema.TypeVarchar),
	fieldEnabled:      propertyColumn("Enabled", "enabled", schema.TypeInteger),
}}

var formFieldsTable = &settingsTable{
	endpoint: "app/form/fields", lang: true,
	info: tableInfo{table: formFieldsView, kind: "VIEW", keys: []int{fieldApp, fieldCode},
		description: "The fields of kintone apps (app/form/fields.json), fields of tables included, one row per field. AppId = … (or an IN list) reads those apps only"},
	rows: formFieldRows,
}

// formFieldRows are the rows of FormFields for one app: its fields, then each table's fields
// after the table.
func formFieldRows(app int64, reply []byte) ([][]any, error) {
	fields, err := decodeAttributes(reply, "properties", "fields", app)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	var add func(f attributes, subtable any) error
	add = func(f attributes, subtable any) error {
		vals := f.row(formFieldsView, app)
		vals[fieldSubtable] = subtable
		vals[fieldOptions] = optionLabels(f["options"])
		rows = append(rows, vals)
		if inner := f["fields"]; inner != nil {
			children, err := decodeAttributes([]byte(`{"fields":`+string(inner)+`}`), "fields", "fields", app)
			if err != nil {
				return err
			}
			for _, child := range children {
				if err := add(child, vals[fieldCode]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, f := range fields {
		if err := add(f, nil); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// optionLabels is the Options value of a selection field: its labels as a JSON array in the
// order of their index; nil for a field without options.
func optionLabels(raw json.RawMessage) any {
	var options map[string]struct {
		Label string `json:"label"`
		Index string `json:"index"`
	}
	if json.Unmarshal(raw, &options) != nil || len(options) == 0 {
		return nil
	}
	labels := make([]string, 0, len(options))
	for label := range options {
		labels = append(labels, label)
	}
	index := func(label string) int {
		n, _ := strconv.Atoi(options[label].Index)
		return n
	}
	sort.SliceStable(labels, func(i, j int) bool {
		if a, b := index(labels[i]), index(labels[j]); a != b {
			return a < b
		}
		return labels[i] < labels[j]
	})
	text, _ := json.Marshal(labels) // strings only: cannot fail
	return string(text)
}

// The columns of FormLayout, by index.
const (
	layoutApp = iota
	layoutIndex
	layoutType
	layoutCode
	layoutFields
	layoutGroupLayout
)

// formLayoutView is the FormLayout view: the form's top-level items (ROW, SUBTABLE, GROUP).
var formLayoutView = &schema.Table{Name: "FormLayout", Columns: []schema.Column{
	layoutApp:         propertyColumn("AppId", "app", schema.TypeInteger),
	layoutIndex:       propertyColumn("Index", "", schema.TypeInteger),
	layoutType:        propertyColumn("Type", "type", schema.TypeVarchar),
	layoutCode:        propertyColumn("Code", "code", schema.TypeVarchar),
	layoutFields:      propertyColumn("Fields", "fields", schema.TypeVarchar),
	layoutGroupLayout: propertyColumn("Layout", "layout", schema.TypeVarchar),
}}

var formLayoutTable = &settingsTable{
	endpoint: "app/form/layout",
	info: tableInfo{table: formLayoutView, kind: "VIEW", keys: []int{layoutApp, layoutIndex},
		description: "The form layouts of kintone apps (app/form/layout.json), one row per top-level item (ROW, SUBTABLE, GROUP) in form order, its fields as kintone's JSON. AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		items, err := decodeList(reply, "layout", "form layout", app)
		if err != nil {
			return nil, err
		}
		rows := make([][]any, len(items))
		for i, item := range items {
			rows[i] = item.row(formLayoutView, app)
			rows[i][layoutIndex] = int64(i)
		}
		return rows, nil
	},
}

// The columns of FormLayoutFields, by index.
const (
	layoutFieldApp = iota
	layoutFieldRow
	layoutFieldPosition
	layoutFieldContainer
	layoutFieldType
	layoutFieldCode
	layoutFieldLabel
	layoutFieldElementID
	layoutFieldSize
)

// formLayoutFieldsView is the FormLayoutFields view: the elements of the form's items.
var formLayoutFieldsView = &schema.Table{Name: "FormLayoutFields", Columns: []schema.Column{
	layoutFieldApp:       propertyColumn("AppId", "app", schema.TypeInteger),
	layoutFieldRow:       propertyColumn("LayoutIndex", "", schema.TypeInteger),
	layoutFieldPosition:  propertyColumn("Position", "", schema.TypeInteger),
	layoutFieldContainer: propertyColumn("ContainerCode", "", schema.TypeVarchar),
	layoutFieldType:      propertyColumn("Type", "type", schema.TypeVarchar),
	layoutFieldCode:      propertyColumn("Code", "code", schema.TypeVarchar),
	layoutFieldLabel:     propertyColumn("Label", "label", schema.TypeVarchar),
	layoutFieldElementID: propertyColumn("ElementId", "elementId", schema.TypeVarchar),
	layoutFieldSize:      propertyColumn("Size", "size", schema.TypeVarchar),
}}

var formLayoutFieldsTable = &settingsTable{
	endpoint: "app/form/layout",
	info: tableInfo{table: formLayoutFieldsView, kind: "VIEW", keys: []int{layoutFieldApp, layoutFieldRow, layoutFieldPosition},
		description: "The elements of kintone apps' form layouts (app/form/layout.json), one row per field, label, spacer or line, with the index of the FormLayout item it is in (a group's rows included) and its position there. AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		items, err := decodeList(reply, "layout", "form layout", app)
		if err != nil {
			return nil, err
		}
		var rows [][]any
		for i, item := range items {
			position := int64(0)
			var add func(item attributes, container any) error
			add = func(item attributes, container any) error {
				var fields []attributes
				if raw := item["fields"]; raw != nil && json.Unmarshal(raw, &fields) != nil {
					return badSettings("form layout", app, reply)
				}
				for _, f := range fields {
					vals := f.row(formLayoutFieldsView, app)
					vals[layoutFieldRow], vals[layoutFieldPosition], vals[layoutFieldContainer] = int64(i), position, container
					position++
					rows = append(rows, vals)
				}
				var group []attributes
				if raw := item["layout"]; raw != nil && json.Unmarshal(raw, &group) != nil {
					return badSettings("form layout", app, reply)
				}
				for _, inner := range group {
					if err := add(inner, item.text("code")); err != nil {
						return err
					}
				}
				return nil
			}
			if err := add(item, item.text("code")); err != nil {
				return nil, err
			}
		}
		return rows, nil
	},
}

// The columns of Views, by index.
const (
	viewApp = iota
	viewID
	viewName
	viewType
	viewBuiltinType
	viewIndex
	viewFilterCond
	viewSort
	viewFields
	viewDate
	viewTitle
	viewHTML
	viewPager
	viewDevice
)

// viewsView is the Views view.
var viewsView = &schema.Table{Name: "Views", Columns: []schema.Column{
	viewApp:         propertyColumn("AppId", "app", schema.TypeInteger),
	viewID:          propertyColumn("Id", "id", schema.TypeVarchar),
	viewName:        propertyColumn("Name", "name", schema.TypeVarchar),
	viewType:        propertyColumn("Type", "type", schema.TypeVarchar),
	viewBuiltinType: propertyColumn("BuiltinType", "builtinType", schema.TypeVarchar),
	viewIndex:       propertyColumn("Index", "index", schema.TypeVarchar),
	viewFilterCond:  propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	viewSort:        propertyColumn("Sort", "sort", schema.TypeVarchar),
	viewFields:      propertyColumn("Fields", "fields", schema.TypeVarchar),
	viewDate:        propertyColumn("Date", "date", schema.TypeVarchar),
	viewTitle:       propertyColumn("Title", "title", schema.TypeVarchar),
	viewHTML:        propertyColumn("Html", "html", schema.TypeVarchar),
	viewPager:       propertyColumn("Pager", "pager", schema.TypeInteger),
	viewDevice:      propertyColumn("Device", "device", schema.TypeVarchar),
}}

var viewsTable = &settingsTable{
	endpoint: "app/views", lang: true,
	info: tableInfo{table: viewsView, kind: "VIEW", keys: []int{viewApp, viewID},
		description: "The record views of kintone apps (app/views.json), one row per view. AppId = … (or an IN list) reads those apps only"},
	rows: indexedRows(viewsView, "views", "views"),
}

// The columns of ProcessManagement, by index.
const (
	processApp = iota
	processEnable
	processStates
	processActions
	processRevision
)

// processView is the ProcessManagement view.
var processView = &schema.Table{Name: "ProcessManagement", Columns: []schema.Column{
	processApp:      propertyColumn("AppId", "app", schema.TypeInteger),
	processEnable:   propertyColumn("Enable", "enable", schema.TypeInteger),
	processStates:   propertyColumn("States", "states", schema.TypeVarchar),
	processActions:  propertyColumn("Actions", "actions", schema.TypeVarchar),
	processRevision: propertyColumn("Revision", "revision", schema.TypeVarchar),
}}

var processTable = &settingsTable{
	endpoint: "app/status", lang: true,
	info: tableInfo{table: processView, kind: "VIEW", keys: []int{processApp},
		description: "The process management settings of kintone apps (app/status.json), one row per app: whether it is on, and the states and actions as kintone's JSON. AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		return oneObjectRow(processView, "process management settings", app, reply)
	},
}

// The columns of ProcessManagementActions, by index.
const (
	actionApp = iota
	actionName
	actionFrom
	actionTo
	actionFilterCond
	actionType
)

// processActionsView is the ProcessManagementActions view.
var processActionsView = &schema.Table{Name: "ProcessManagementActions", Columns: []schema.Column{
	actionApp:        propertyColumn("AppId", "app", schema.TypeInteger),
	actionName:       propertyColumn("Name", "name", schema.TypeVarchar),
	actionFrom:       propertyColumn("From", "from", schema.TypeVarchar),
	actionTo:         propertyColumn("To", "to", schema.TypeVarchar),
	actionFilterCond: propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	actionType:       propertyColumn("Type", "type", schema.TypeVarchar),
}}

var processActionsTable = &settingsTable{
	endpoint: "app/status", lang: true,
	info: tableInfo{table: processActionsView, kind: "VIEW", keys: []int{actionApp, actionName},
		description: "The actions of kintone apps' process management (app/status.json), one row per action in kintone's order. AppId = … (or an IN list) reads those apps only"},
	rows: listRows(processActionsView, "actions", "process management settings"),
}

// generalSettingsView is the GeneralSettings view: one row per app, each column the
// attribute of app/settings.json its FieldCode names (objects as kintone's JSON).
var generalSettingsView = &schema.Table{Name: "GeneralSettings", Columns: []schema.Column{
	propertyColumn("AppId", "app", schema.TypeInteger),
	propertyColumn("Name", "name", schema.TypeVarchar),
	propertyColumn("Description", "description", schema.TypeVarchar),
	propertyColumn("Icon", "icon", schema.TypeVarchar),
	propertyColumn("Theme", "theme", schema.TypeVarchar),
	propertyColumn("TitleField", "titleField", schema.TypeVarchar),
	propertyColumn("EnableThumbnails", "enableThumbnails", schema.TypeInteger),
	propertyColumn("EnableBulkDeletion", "enableBulkDeletion", schema.TypeInteger),
	propertyColumn("EnableComments", "enableComments", schema.TypeInteger),
	propertyColumn("EnableDuplicateRecord", "enableDuplicateRecord", schema.TypeInteger),
	propertyColumn("EnableInlineRecordEditing", "enableInlineRecordEditing", schema.TypeInteger),
	propertyColumn("NumberPrecision", "numberPrecision", schema.TypeVarchar),
	propertyColumn("FirstMonthOfFiscalYear", "firstMonthOfFiscalYear", schema.TypeVarchar),
	propertyColumn("Revision", "revision", schema.TypeVarchar),
}}

var generalSettingsTable = &settingsTable{
	endpoint: "app/settings", lang: true,
	info: tableInfo{table: generalSettingsView, kind: "VIEW", keys: []int{0},
		description: "The general settings of kintone apps (app/settings.json), one row per app. AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		return oneObjectRow(generalSettingsView, "general settings", app, reply)
	},
}

// spaceView is the Space view: one row per space, each column the attribute of space.json its
// FieldCode names (objects and lists as kintone's JSON).
var spaceView = &schema.Table{Name: "Space", Columns: []schema.Column{
	propertyColumn("Id", "id", schema.TypeInteger),
	propertyColumn("Name", "name", schema.TypeVarchar),
	propertyColumn("DefaultThread", "defaultThread", schema.TypeVarchar),
	propertyColumn("IsPrivate", "isPrivate", schema.TypeInteger),
	propertyColumn("IsGuest", "isGuest", schema.TypeInteger),
	propertyColumn("UseMultiThread", "useMultiThread", schema.TypeInteger),
	propertyColumn("FixedMember", "fixedMember", schema.TypeInteger),
	propertyColumn("MemberCount", "memberCount", schema.TypeVarchar),
	propertyColumn("Body", "body", schema.TypeVarchar),
	propertyColumn("Creator", "creator", schema.TypeVarchar),
	propertyColumn("Modifier", "modifier", schema.TypeVarchar),
	propertyColumn("AttachedApps", "attachedApps", schema.TypeVarchar),
	propertyColumn("Permissions", "permissions", schema.TypeVarchar),
}}

var spaceTable = &settingsTable{
	endpoint: "space", param: "id", all: appSpaces,
	info: tableInfo{table: spaceView, kind: "VIEW", keys: []int{0},
		description: "kintone spaces (space.json), one row per space. Id = … (or an IN list) reads those spaces; without it, the spaces of the apps listed (kintone has no list of spaces)"},
	rows: func(id int64, reply []byte) ([][]any, error) {
		return oneObjectRow(spaceView, "space", id, reply)
	},
}

// The columns of SpaceMembers, by index.
const (
	memberSpace = iota
	memberType
	memberCode
	memberIsAdmin
	memberIsImplicit
	memberIncludeSubs
)

// spaceMembersView is the SpaceMembers view.
var spaceMembersView = &schema.Table{Name: "SpaceMembers", Columns: []schema.Column{
	memberSpace:       propertyColumn("SpaceId", "id", schema.TypeInteger),
	memberType:        propertyColumn("EntityType", "entity.type", schema.TypeVarchar),
	memberCode:        propertyColumn("EntityCode", "entity.code", schema.TypeVarchar),
	memberIsAdmin:     propertyColumn("IsAdmin", "isAdmin", schema.TypeInteger),
	memberIsImplicit:  propertyColumn("IsImplicit", "isImplicit", schema.TypeInteger),
	memberIncludeSubs: propertyColumn("IncludeSubs", "includeSubs", schema.TypeInteger),
}}

var spaceMembersTable = &settingsTable{
	endpoint: "space/members", param: "id", all: appSpaces,
	info: tableInfo{table: spaceMembersView, kind: "VIEW", keys: []int{memberSpace, memberType, memberCode},
		description: "The members of kintone spaces (space/members.json), one row per user, group or department. SpaceId = … (or an IN list) reads those spaces; without it, the spaces of the apps listed"},
	rows: listRows(spaceMembersView, "members", "members"),
}

// appSpaces are the spaces of the apps the connection lists, in the order of their ids.
func appSpaces(ctx context.Context, e *Engine) ([]int64, error) {
	if err := e.catalog.load(ctx); err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, en := range e.catalog.apps {
		if id := en.app.SpaceID; id != nil && !seen[*id] {
			seen[*id] = true
			ids = append(ids, *id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// oneObjectRow is the one row of table t for a reply that is one settings object.
func oneObjectRow(t *schema.Table, what string, app int64, reply []byte) ([][]any, error) {
	var settings attributes
	if json.Unmarshal(reply, &settings) != nil {
		return nil, badSettings(what, app, reply)
	}
	return [][]any{settings.row(t, app)}, nil
}

// badSettings is the error of a settings reply in an unexpected shape.
func badSettings(what string, app int64, reply []byte) error {
	return kerr.New(kerr.KindBadReply, "kintone sent the %s of app %d in an unexpected shape: %s", what, app, schema.ShortJSON(reply))
}

// toText is a column value that is text, or "".
func toText(v any) string {
	s, _ := v.(string)
	return s
}
