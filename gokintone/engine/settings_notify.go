package engine

// The settings tables of kintone apps' notifications, graphs and actions, with their detail
// views: GeneralNotifications (app/notifications/general.json), PerRecordNotifications and
// PerRecordNotificationsTargets (app/notifications/perRecord.json), ReminderNotifications and
// ReminderNotificationsTargets (app/notifications/reminder.json), GraphSettings
// (app/reports.json), ActionSettings, ActionSettingsEntities and ActionSettingsMappings
// (app/actions.json). They are settingsTables (settings.go): read-only, one request per app
// and statement, shared by a table and its detail views.

import (
	"encoding/json"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// The columns of GeneralNotifications, by index.
const (
	generalApp = iota
	generalEntityType
	generalEntityCode
	generalIncludeSubs
	generalRecordAdded
	generalRecordEdited
	generalCommentAdded
	generalStatusChanged
	generalFileImported
	generalToCommenter
)

// generalNotificationsView is the GeneralNotifications view.
var generalNotificationsView = &schema.Table{Name: "GeneralNotifications", Columns: []schema.Column{
	generalApp:           propertyColumn("AppId", "app", schema.TypeInteger),
	generalEntityType:    propertyColumn("EntityType", "entity.type", schema.TypeVarchar),
	generalEntityCode:    propertyColumn("EntityCode", "entity.code", schema.TypeVarchar),
	generalIncludeSubs:   propertyColumn("IncludeSubs", "includeSubs", schema.TypeInteger),
	generalRecordAdded:   propertyColumn("RecordAdded", "recordAdded", schema.TypeInteger),
	generalRecordEdited:  propertyColumn("RecordEdited", "recordEdited", schema.TypeInteger),
	generalCommentAdded:  propertyColumn("CommentAdded", "commentAdded", schema.TypeInteger),
	generalStatusChanged: propertyColumn("StatusChanged", "statusChanged", schema.TypeInteger),
	generalFileImported:  propertyColumn("FileImported", "fileImported", schema.TypeInteger),
	generalToCommenter:   propertyColumn("NotifyToCommenter", "notifyToCommenter", schema.TypeInteger),
}}

var generalNotificationsTable = &settingsTable{
	endpoint: "app/notifications/general",
	info: tableInfo{table: generalNotificationsView, kind: "VIEW", keys: []int{generalApp, generalEntityType, generalEntityCode},
		description: "The general notifications of kintone apps (app/notifications/general.json), one row per user, group, organization or field (FIELD_ENTITY) notified, with the events it hears of and the app's NotifyToCommenter. AppId = … (or an IN list) reads those apps only"},
	rows: notificationRows(generalNotificationsView, "general notifications", func(vals []any, _ int, whole attributes) {
		vals[generalToCommenter] = whole.text("notifyToCommenter")
	}),
}

// The columns of PerRecordNotifications, by index.
const (
	perRecordApp = iota
	perRecordIndex
	perRecordFilterCond
	perRecordTitle
	perRecordTargets
)

// perRecordNotificationsView is the PerRecordNotifications view.
var perRecordNotificationsView = &schema.Table{Name: "PerRecordNotifications", Columns: []schema.Column{
	perRecordApp:        propertyColumn("AppId", "app", schema.TypeInteger),
	perRecordIndex:      propertyColumn("Index", "", schema.TypeInteger),
	perRecordFilterCond: propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	perRecordTitle:      propertyColumn("Title", "title", schema.TypeVarchar),
	perRecordTargets:    propertyColumn("Targets", "targets", schema.TypeVarchar),
}}

var perRecordNotificationsTable = &settingsTable{
	endpoint: "app/notifications/perRecord", lang: true,
	info: tableInfo{table: perRecordNotificationsView, kind: "VIEW", keys: []int{perRecordApp, perRecordIndex},
		description: "The per-record notifications of kintone apps (app/notifications/perRecord.json), one row per notification in kintone's order (Index from 0): its condition, title and targets as kintone's JSON. AppId = … (or an IN list) reads those apps only"},
	rows: notificationRows(perRecordNotificationsView, "per-record notifications", func(vals []any, i int, _ attributes) {
		vals[perRecordIndex] = int64(i)
	}),
}

// The columns of ReminderNotifications, by index.
const (
	reminderApp = iota
	reminderIndex
	reminderCode
	reminderDaysLater
	reminderHoursLater
	reminderTime
	reminderFilterCond
	reminderTitle
	reminderTargets
	reminderTimezone
)

// reminderNotificationsView is the ReminderNotifications view.
var reminderNotificationsView = &schema.Table{Name: "ReminderNotifications", Columns: []schema.Column{
	reminderApp:        propertyColumn("AppId", "app", schema.TypeInteger),
	reminderIndex:      propertyColumn("Index", "", schema.TypeInteger),
	reminderCode:       propertyColumn("TimingCode", "timing.code", schema.TypeVarchar),
	reminderDaysLater:  propertyColumn("DaysLater", "timing.daysLater", schema.TypeVarchar),
	reminderHoursLater: propertyColumn("HoursLater", "timing.hoursLater", schema.TypeVarchar),
	reminderTime:       propertyColumn("Time", "timing.time", schema.TypeVarchar),
	reminderFilterCond: propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	reminderTitle:      propertyColumn("Title", "title", schema.TypeVarchar),
	reminderTargets:    propertyColumn("Targets", "targets", schema.TypeVarchar),
	reminderTimezone:   propertyColumn("Timezone", "timezone", schema.TypeVarchar),
}}

var reminderNotificationsTable = &settingsTable{
	endpoint: "app/notifications/reminder", lang: true,
	info: tableInfo{table: reminderNotificationsView, kind: "VIEW", keys: []int{reminderApp, reminderIndex},
		description: "The reminders of kintone apps (app/notifications/reminder.json), one row per reminder in kintone's order (Index from 0): the date or datetime field it counts from, the days and hours later or the time, its condition, title, targets as kintone's JSON and the app's Timezone. AppId = … (or an IN list) reads those apps only"},
	rows: notificationRows(reminderNotificationsView, "reminders", func(vals []any, i int, whole attributes) {
		vals[reminderIndex], vals[reminderTimezone] = int64(i), whole.text("timezone")
	}),
}

// The columns of PerRecordNotificationsTargets and ReminderNotificationsTargets, by index.
const (
	targetApp = iota
	targetNotification
	targetEntityType
	targetEntityCode
	targetIncludeSubs
)

// notificationTargetsView is a view of the targets of per-record notifications or reminders.
func notificationTargetsView(name string) *schema.Table {
	return &schema.Table{Name: name, Columns: []schema.Column{
		targetApp:          propertyColumn("AppId", "app", schema.TypeInteger),
		targetNotification: propertyColumn("NotificationIndex", "", schema.TypeInteger),
		targetEntityType:   propertyColumn("EntityType", "entity.type", schema.TypeVarchar),
		targetEntityCode:   propertyColumn("EntityCode", "entity.code", schema.TypeVarchar),
		targetIncludeSubs:  propertyColumn("IncludeSubs", "includeSubs", schema.TypeInteger),
	}}
}

// notificationTargetsTable is the detail view of the targets of the notifications at
// endpoint: one row per target, with the Index of its notification.
func notificationTargetsTable(name, endpoint, what, description string) *settingsTable {
	view := notificationTargetsView(name)
	return &settingsTable{
		endpoint: endpoint, lang: true,
		info: tableInfo{table: view, kind: "VIEW", keys: []int{targetApp, targetNotification, targetEntityType, targetEntityCode},
			description: description},
		rows: func(app int64, reply []byte) ([][]any, error) {
			list, _, err := decodeNotifications(reply, what, app)
			if err != nil {
				return nil, err
			}
			var rows [][]any
			for i, n := range list {
				targets, err := n.list("targets", what, app, reply)
				if err != nil {
					return nil, err
				}
				for _, t := range targets {
					vals := t.row(view, app)
					vals[targetNotification] = int64(i)
					rows = append(rows, vals)
				}
			}
			return rows, nil
		},
	}
}

var perRecordTargetsTable = notificationTargetsTable("PerRecordNotificationsTargets", "app/notifications/perRecord", "per-record notifications",
	"The targets of kintone apps' per-record notifications (app/notifications/perRecord.json), one row per user, group, organization or field (FIELD_ENTITY) with the Index of its notification in PerRecordNotifications. AppId = … (or an IN list) reads those apps only")

var reminderTargetsTable = notificationTargetsTable("ReminderNotificationsTargets", "app/notifications/reminder", "reminders",
	"The targets of kintone apps' reminders (app/notifications/reminder.json), one row per user, group, organization or field (FIELD_ENTITY) with the Index of its reminder in ReminderNotifications. AppId = … (or an IN list) reads those apps only")

// notificationRows reads the rows of table t from a notifications reply, one per
// notification; complete sets the columns that are not the notification's attributes, from
// its position i and the reply's attributes.
func notificationRows(t *schema.Table, what string, complete func(vals []any, i int, whole attributes)) func(app int64, reply []byte) ([][]any, error) {
	return func(app int64, reply []byte) ([][]any, error) {
		list, whole, err := decodeNotifications(reply, what, app)
		if err != nil {
			return nil, err
		}
		rows := make([][]any, len(list))
		for i, n := range list {
			rows[i] = n.row(t, app)
			complete(rows[i], i, whole)
		}
		return rows, nil
	}
}

// decodeNotifications reads a notifications reply: its list of notifications, and the reply's
// attributes (notifyToCommenter, timezone, revision).
func decodeNotifications(reply []byte, what string, app int64) ([]attributes, attributes, error) {
	var whole attributes
	if json.Unmarshal(reply, &whole) != nil {
		return nil, nil, badSettings(what, app, reply)
	}
	list, err := whole.list("notifications", what, app, reply)
	return list, whole, err
}

// The columns of GraphSettings, by index.
const (
	graphApp = iota
	graphID
	graphName
	graphIndex
	graphChartType
	graphChartMode
	graphGroups
	graphAggregations
	graphFilterCond
	graphSorts
	graphPeriodicReport
)

// graphSettingsView is the GraphSettings view.
var graphSettingsView = &schema.Table{Name: "GraphSettings", Columns: []schema.Column{
	graphApp:            propertyColumn("AppId", "app", schema.TypeInteger),
	graphID:             propertyColumn("Id", "id", schema.TypeVarchar),
	graphName:           propertyColumn("Name", "name", schema.TypeVarchar),
	graphIndex:          propertyColumn("Index", "index", schema.TypeVarchar),
	graphChartType:      propertyColumn("ChartType", "chartType", schema.TypeVarchar),
	graphChartMode:      propertyColumn("ChartMode", "chartMode", schema.TypeVarchar),
	graphGroups:         propertyColumn("Groups", "groups", schema.TypeVarchar),
	graphAggregations:   propertyColumn("Aggregations", "aggregations", schema.TypeVarchar),
	graphFilterCond:     propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	graphSorts:          propertyColumn("Sorts", "sorts", schema.TypeVarchar),
	graphPeriodicReport: propertyColumn("PeriodicReport", "periodicReport", schema.TypeVarchar),
}}

var graphSettingsTable = &settingsTable{
	endpoint: "app/reports", lang: true,
	info: tableInfo{table: graphSettingsView, kind: "VIEW", keys: []int{graphApp, graphID},
		description: "The graphs of kintone apps (app/reports.json), one row per graph in kintone's order (index): its chart, and its groups, aggregations, sorts and periodic report as kintone's JSON. AppId = … (or an IN list) reads those apps only"},
	rows: indexedRows(graphSettingsView, "reports", "graphs"),
}

// The columns of ActionSettings, by index.
const (
	actionSettingApp = iota
	actionSettingID
	actionSettingName
	actionSettingIndex
	actionSettingDestApp
	actionSettingDestCode
	actionSettingFilterCond
	actionSettingMappings
	actionSettingEntities
)

// actionSettingsView is the ActionSettings view.
var actionSettingsView = &schema.Table{Name: "ActionSettings", Columns: []schema.Column{
	actionSettingApp:        propertyColumn("AppId", "app", schema.TypeInteger),
	actionSettingID:         propertyColumn("Id", "id", schema.TypeVarchar),
	actionSettingName:       propertyColumn("Name", "name", schema.TypeVarchar),
	actionSettingIndex:      propertyColumn("Index", "index", schema.TypeVarchar),
	actionSettingDestApp:    propertyColumn("DestAppId", "destApp.app", schema.TypeInteger),
	actionSettingDestCode:   propertyColumn("DestAppCode", "destApp.code", schema.TypeVarchar),
	actionSettingFilterCond: propertyColumn("FilterCond", "filterCond", schema.TypeVarchar),
	actionSettingMappings:   propertyColumn("Mappings", "mappings", schema.TypeVarchar),
	actionSettingEntities:   propertyColumn("Entities", "entities", schema.TypeVarchar),
}}

var actionSettingsTable = &settingsTable{
	endpoint: "app/actions", lang: true,
	info: tableInfo{table: actionSettingsView, kind: "VIEW", keys: []int{actionSettingApp, actionSettingID},
		description: "The actions of kintone apps (app/actions.json), one row per action in kintone's order (index): the app it creates a record in, its condition, and its mappings and entities as kintone's JSON. AppId = … (or an IN list) reads those apps only"},
	rows: func(app int64, reply []byte) ([][]any, error) {
		rows, err := indexedRows(actionSettingsView, "actions", "actions")(app, reply)
		for _, vals := range rows {
			if id, ok := idValue(vals[actionSettingDestApp]); ok {
				vals[actionSettingDestApp] = id // kintone sends the app id as text
			}
		}
		return rows, err
	},
}

// The first columns of ActionSettingsEntities and ActionSettingsMappings, by index: the
// action's; the columns of its entity or mapping follow.
const (
	actionItemApp = iota
	actionItemID
	actionItemName
	actionItemFirst // the entity's or mapping's first column
)

// The columns of ActionSettingsEntities after the action's, by index.
const (
	actionEntityType = actionItemFirst + iota
	actionEntityCode
)

// The columns of ActionSettingsMappings after the action's, by index.
const (
	actionMappingSrcType = actionItemFirst + iota
	actionMappingSrcField
	actionMappingDestField
)

// actionItemsTable is a detail view of app/actions.json: one row per object in each action's
// list attribute (entities, mappings), after the action's id and name.
func actionItemsTable(view *schema.Table, list string, keys []int, description string) *settingsTable {
	return &settingsTable{
		endpoint: "app/actions", lang: true,
		info: tableInfo{table: view, kind: "VIEW", keys: keys, description: description},
		rows: func(app int64, reply []byte) ([][]any, error) {
			actions, err := decodeIndexed(reply, "actions", "actions", app)
			if err != nil {
				return nil, err
			}
			var rows [][]any
			for _, a := range actions {
				items, err := a.list(list, "actions", app, reply)
				if err != nil {
					return nil, err
				}
				for _, item := range items {
					vals := item.row(view, app)
					vals[actionItemID], vals[actionItemName] = a.text("id"), a.text("name")
					rows = append(rows, vals)
				}
			}
			return rows, nil
		},
	}
}

// actionItemColumns are the columns of a detail view of actions: the action's, then more.
func actionItemColumns(more ...schema.Column) []schema.Column {
	return append([]schema.Column{
		actionItemApp:  propertyColumn("AppId", "app", schema.TypeInteger),
		actionItemID:   propertyColumn("ActionId", "", schema.TypeVarchar),
		actionItemName: propertyColumn("ActionName", "", schema.TypeVarchar),
	}, more...)
}

// actionEntitiesView is the ActionSettingsEntities view.
var actionEntitiesView = &schema.Table{Name: "ActionSettingsEntities", Columns: actionItemColumns(
	propertyColumn("EntityType", "type", schema.TypeVarchar), // actionEntityType
	propertyColumn("EntityCode", "code", schema.TypeVarchar), // actionEntityCode
)}

var actionEntitiesTable = actionItemsTable(actionEntitiesView, "entities", []int{actionItemApp, actionItemID, actionEntityType, actionEntityCode},
	"The users, groups and organizations that may use kintone apps' actions (app/actions.json), one row per entity with its action's id and name. AppId = … (or an IN list) reads those apps only")

// actionMappingsView is the ActionSettingsMappings view.
var actionMappingsView = &schema.Table{Name: "ActionSettingsMappings", Columns: actionItemColumns(
	propertyColumn("SrcType", "srcType", schema.TypeVarchar),     // actionMappingSrcType
	propertyColumn("SrcField", "srcField", schema.TypeVarchar),   // actionMappingSrcField
	propertyColumn("DestField", "destField", schema.TypeVarchar), // actionMappingDestField
)}

var actionMappingsTable = actionItemsTable(actionMappingsView, "mappings", []int{actionItemApp, actionItemID, actionMappingDestField},
	"The field mappings of kintone apps' actions (app/actions.json), one row per destination field with its action's id and name: the source field (SrcType FIELD) or the record's URL (RECORD_URL). AppId = … (or an IN list) reads those apps only")
