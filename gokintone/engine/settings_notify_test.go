package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestNotificationSettings(t *testing.T) {
	f := newFixture(t, 3)
	f.sim.ResetRequests()
	got := f.query(t, `SELECT AppId, EntityType, EntityCode, IncludeSubs, RecordAdded, RecordEdited, CommentAdded,
		StatusChanged, FileImported, NotifyToCommenter FROM GeneralNotifications WHERE AppId IN (2, 3) ORDER BY AppId, EntityType`)
	want := [][]any{
		{int64(2), "FIELD_ENTITY", "owner", int64(0), int64(0), int64(1), int64(1), int64(0), int64(0), int64(0)},
		{int64(3), "FIELD_ENTITY", "作成者", int64(0), int64(0), int64(1), int64(1), int64(1), int64(0), int64(1)},
		{int64(3), "GROUP", "managers", int64(0), int64(1), int64(0), int64(1), int64(0), int64(0), int64(1)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GeneralNotifications:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("app/notifications/general"); !reflect.DeepEqual(apps, []string{"2", "3"}) {
		t.Errorf("AppId IN (2, 3) read the notifications of apps %v", apps)
	}

	got = f.query(t, "SELECT [Index], FilterCond, Title, json_array_length(Targets) FROM PerRecordNotifications WHERE AppId = 3")
	if !reflect.DeepEqual(got, [][]any{{int64(0), `status in ("キャンセル")`, "キャンセルされた受注", int64(2)}}) {
		t.Errorf("PerRecordNotifications: %v", got)
	}
	got = f.query(t, "SELECT NotificationIndex, EntityType, EntityCode, IncludeSubs FROM PerRecordNotificationsTargets WHERE AppId = 3")
	want = [][]any{{int64(0), "ORGANIZATION", "sales", int64(1)}, {int64(0), "FIELD_ENTITY", "作成者", int64(0)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PerRecordNotificationsTargets:\n got %v\nwant %v", got, want)
	}

	got = f.query(t, `SELECT [Index], TimingCode, DaysLater, HoursLater, Time, FilterCond, Title, Timezone
		FROM ReminderNotifications WHERE AppId = 2`)
	want = [][]any{
		{int64(0), "close_date", "-3", nil, "10:00", `stage not in ("Won", "Lost")`, "Closing soon", "Asia/Tokyo"},
		{int64(1), "last_contact", "30", "0", nil, nil, "No contact for 30 days", "Asia/Tokyo"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReminderNotifications:\n got %v\nwant %v", got, want)
	}
	// A table and its detail view read their endpoint once per app.
	f.sim.ResetRequests()
	got = f.query(t, `SELECT r.Title, t.EntityCode FROM ReminderNotifications r JOIN ReminderNotificationsTargets t
		ON t.AppId = r.AppId AND t.NotificationIndex = r.[Index] WHERE r.AppId = 2 ORDER BY r.[Index]`)
	if !reflect.DeepEqual(got, [][]any{{"Closing soon", "owner"}, {"No contact for 30 days", "john.smith"}}) {
		t.Errorf("reminders with their targets: %v", got)
	}
	if apps := f.settingsRequests("app/notifications/reminder"); !reflect.DeepEqual(apps, []string{"2"}) {
		t.Errorf("the join read the reminders of apps %v", apps)
	}
	// An app without notifications has no rows.
	if got := f.query(t, "SELECT count(*) FROM GeneralNotifications WHERE AppId = 1"); got[0][0] != int64(0) {
		t.Errorf("GeneralNotifications of 顧客リスト: %v", got)
	}
}

func TestGraphAndActionSettings(t *testing.T) {
	f := newFixture(t, 3)
	got := f.query(t, `SELECT Id, Name, [Index], ChartType, ChartMode, json_extract(Groups, '$[0].per'),
		json_extract(Aggregations, '$[0].type'), FilterCond, json_extract(PeriodicReport, '$.period.every')
		FROM GraphSettings WHERE AppId = 3`)
	want := [][]any{
		{"3002", "月別売上", "0", "COLUMN", "STACKED", "MONTH", "SUM", `status not in ("キャンセル")`, "MONTH"},
		{"3001", "ステータス別件数", "1", "PIE", nil, nil, "COUNT", nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GraphSettings:\n got %v\nwant %v", got, want)
	}

	f.sim.ResetRequests()
	got = f.query(t, `SELECT a.Name, a.DestAppId, a.DestAppCode, a.FilterCond, m.SrcType, m.SrcField, m.DestField
		FROM ActionSettings a JOIN ActionSettingsMappings m ON m.AppId = a.AppId AND m.ActionId = a.Id
		WHERE a.AppId = 3`)
	want = [][]any{
		{"商談を作成", int64(2), "DEALS", `status in ("受付")`, "FIELD", "customer", "customer"},
		{"商談を作成", int64(2), "DEALS", `status in ("受付")`, "FIELD", "total", "amount"},
		{"商談を作成", int64(2), "DEALS", `status in ("受付")`, "RECORD_URL", nil, "notes"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ActionSettings with their mappings:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("app/actions"); !reflect.DeepEqual(apps, []string{"3"}) {
		t.Errorf("the join read the actions of apps %v", apps)
	}
	// The destination joins Apps.
	got = f.query(t, `SELECT e.ActionName, e.EntityType, e.EntityCode, d.Name FROM ActionSettingsEntities e
		JOIN ActionSettings a ON a.AppId = e.AppId AND a.Id = e.ActionId JOIN Apps d ON d.AppId = a.DestAppId WHERE e.AppId = 3`)
	want = [][]any{{"商談を作成", "ORGANIZATION", "sales", "Deals"}, {"商談を作成", "USER", "admin", "Deals"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ActionSettingsEntities:\n got %v\nwant %v", got, want)
	}
	if _, err := f.try("DELETE FROM ActionSettings WHERE AppId = 3"); kerr.KindOf(err) != kerr.KindNotSupported {
		t.Errorf("DELETE FROM ActionSettings: %v", err)
	}
}

// TestNotifySettingsCatalog: the tables are views in sys_tables with their keys, and an app
// named like one of them gets another name.
func TestNotifySettingsCatalog(t *testing.T) {
	f := newFixture(t, 3)
	names := []string{"ActionSettings", "ActionSettingsEntities", "ActionSettingsMappings", "GeneralNotifications", "GraphSettings",
		"PerRecordNotifications", "PerRecordNotificationsTargets", "ReminderNotifications", "ReminderNotificationsTargets"}
	got := f.query(t, `SELECT TableName, TableType FROM sys_tables WHERE TableName IN ('`+strings.Join(names, "', '")+`') ORDER BY TableName`)
	if len(got) != len(names) {
		t.Fatalf("sys_tables: %v", got)
	}
	for i, row := range got {
		if row[0] != names[i] || row[1] != "VIEW" {
			t.Errorf("sys_tables row %v, want %s VIEW", row, names[i])
		}
	}
	got = f.query(t, "SELECT ColumnName FROM sys_primarykeys WHERE TableName = 'ActionSettingsMappings' ORDER BY KeySeq")
	if !reflect.DeepEqual(got, [][]any{{"AppId"}, {"ActionId"}, {"DestField"}}) {
		t.Errorf("the key of ActionSettingsMappings: %v", got)
	}
	got = f.query(t, "SELECT ColumnName, DataTypeName, FieldCode FROM sys_tablecolumns WHERE TableName = 'ReminderNotifications' AND ColumnName IN ('AppId', 'DaysLater')")
	if !reflect.DeepEqual(got, [][]any{{"AppId", "INTEGER", "app"}, {"DaysLater", "VARCHAR", "timing.daysLater"}}) {
		t.Errorf("sys_tablecolumns of ReminderNotifications: %v", got)
	}
}

// TestNotifySettingsBadReply: a reply in another shape is a bad reply, naming the app.
func TestNotifySettingsBadReply(t *testing.T) {
	f := newFixture(t, 3)
	for path, table := range map[string]string{
		"/k/v1/app/notifications/perRecord.json": "PerRecordNotificationsTargets",
		"/k/v1/app/actions.json":                 "ActionSettingsMappings",
	} {
		f.sim.AddFault(kintonesim.FaultRule{Path: path, Status: 200, ContentType: "application/json",
			Body: `{"notifications":[{"targets":"none"}],"actions":{"a":{"mappings":{}}}}`})
		_, err := f.try("SELECT * FROM " + table + " WHERE AppId = 3")
		if kerr.KindOf(err) != kerr.KindBadReply || !strings.Contains(err.Error(), "app 3") {
			t.Errorf("%s from a bad reply: %v", table, err)
		}
	}
}
