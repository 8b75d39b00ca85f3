package engine

import (
	"reflect"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

func TestAppPermissions(t *testing.T) {
	f := newFixture(t, 3)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT * FROM AppPermissions WHERE AppId = 2")
	want := [][]any{
		{int64(2), int64(1), "USER", "john.smith", int64(0), int64(1), int64(1), int64(1), int64(1), int64(1), int64(1), int64(1)},
		{int64(2), int64(2), "ORGANIZATION", "intl", int64(0), int64(0), int64(1), int64(1), int64(1), int64(0), int64(0), int64(0)},
		{int64(2), int64(3), "ORGANIZATION", "sales", int64(1), int64(0), int64(1), int64(1), int64(1), int64(1), int64(0), int64(1)},
		{int64(2), int64(4), "CREATOR", nil, int64(0), int64(1), int64(1), int64(1), int64(1), int64(1), int64(1), int64(1)},
		{int64(2), int64(5), "GROUP", "everyone", int64(0), int64(0), int64(1), int64(0), int64(0), int64(0), int64(0), int64(0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AppPermissions of Deals:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("app/acl"); !reflect.DeepEqual(apps, []string{"2"}) {
		t.Errorf("AppId = 2 read the rights of apps %v", apps)
	}
	// An app without rights of its own has a new app's: its creator may do everything,
	// everyone may use its records.
	got = f.query(t, "SELECT EntityType, EntityCode, AppEditable, RecordDeletable, RecordExportable FROM AppPermissions WHERE AppId = 3")
	if !reflect.DeepEqual(got, [][]any{{"CREATOR", nil, int64(1), int64(1), int64(1)}, {"GROUP", "everyone", int64(0), int64(1), int64(0)}}) {
		t.Errorf("AppPermissions of Orders: %v", got)
	}
	// Who may export customers: a question the view answers.
	got = f.query(t, "SELECT EntityType, EntityCode FROM AppPermissions WHERE AppId = 1 AND RecordExportable = 1 AND EntityType <> 'CREATOR' ORDER BY Priority")
	if !reflect.DeepEqual(got, [][]any{{"GROUP", "managers"}, {"ORGANIZATION", "sales"}}) {
		t.Errorf("exporters of 顧客リスト: %v", got)
	}
	// Without AppId, every app listed is read, once each.
	f.sim.ResetRequests()
	f.query(t, "SELECT count(*) FROM AppPermissions")
	if apps := f.settingsRequests("app/acl"); len(apps) != 3 {
		t.Errorf("AppPermissions read the rights of apps %v", apps)
	}
	if _, err := f.try("DELETE FROM AppPermissions WHERE AppId = 2"); kerr.KindOf(err) != kerr.KindNotSupported {
		t.Errorf("DELETE FROM AppPermissions: %v", err)
	}
}

func TestFieldPermissions(t *testing.T) {
	f := newFixture(t, 3)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT AppId, FieldCode, json_array_length(Entities), json_extract(Entities, '$[0].accessibility') FROM FieldPermissions WHERE AppId IN (1, 2, 3)")
	want := [][]any{
		{int64(1), "電話番号", int64(3), "WRITE"},
		{int64(1), "備考", int64(2), "WRITE"},
		{int64(2), "amount", int64(3), "WRITE"},
		{int64(2), "expected_revenue", int64(2), "READ"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FieldPermissions:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("field/acl"); !reflect.DeepEqual(apps, []string{"1", "2", "3"}) {
		t.Errorf("AppId IN (1, 2, 3) read the field rights of apps %v", apps)
	}
	got = f.query(t, "SELECT * FROM FieldPermissionsEntities WHERE AppId = 1")
	want = [][]any{
		{int64(1), "電話番号", int64(1), "ORGANIZATION", "sales", "WRITE", int64(1)},
		{int64(1), "電話番号", int64(2), "GROUP", "managers", "WRITE", int64(0)},
		{int64(1), "電話番号", int64(3), "GROUP", "everyone", "NONE", int64(0)},
		{int64(1), "備考", int64(1), "FIELD_ENTITY", "担当者", "WRITE", int64(0)},
		{int64(1), "備考", int64(2), "GROUP", "everyone", "READ", int64(0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FieldPermissionsEntities of 顧客リスト:\n got %v\nwant %v", got, want)
	}
	got = f.query(t, "SELECT ColumnName FROM sys_primarykeys WHERE TableName = 'FieldPermissionsEntities' ORDER BY KeySeq")
	if !reflect.DeepEqual(got, [][]any{{"AppId"}, {"FieldCode"}, {"EntityPriority"}}) {
		t.Errorf("the key of FieldPermissionsEntities: %v", got)
	}
}

func TestRecordPermissions(t *testing.T) {
	f := newFixture(t, 3)
	got := f.query(t, "SELECT AppId, Priority, FilterCond, json_array_length(Entities) FROM RecordPermissions ORDER BY AppId, Priority")
	want := [][]any{
		{int64(1), int64(1), `タグ in ("重要顧客")`, int64(3)},
		{int64(2), int64(1), `stage in ("Lost")`, int64(2)},
		{int64(2), int64(2), "amount >= 1000000", int64(3)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RecordPermissions:\n got %v\nwant %v", got, want)
	}
	f.sim.ResetRequests()
	got = f.query(t, "SELECT * FROM RecordPermissionsEntities WHERE AppId = 2 AND Priority = 2")
	want = [][]any{
		{int64(2), int64(2), "amount >= 1000000", int64(1), "FIELD_ENTITY", "owner", int64(1), int64(1), int64(0), int64(0)},
		{int64(2), int64(2), "amount >= 1000000", int64(2), "GROUP", "managers", int64(1), int64(1), int64(1), int64(0)},
		{int64(2), int64(2), "amount >= 1000000", int64(3), "GROUP", "everyone", int64(1), int64(0), int64(0), int64(0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RecordPermissionsEntities of Deals' second rule:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("record/acl"); !reflect.DeepEqual(apps, []string{"2"}) {
		t.Errorf("AppId = 2 read the record rights of apps %v", apps)
	}
	// A join of the rules with their entities: who may not view lost deals.
	got = f.query(t, `SELECT e.EntityCode FROM RecordPermissions r JOIN RecordPermissionsEntities e
		ON e.AppId = r.AppId AND e.Priority = r.Priority WHERE r.AppId = 2 AND r.FilterCond LIKE '%Lost%' AND e.Viewable = 0`)
	if !reflect.DeepEqual(got, [][]any{{"everyone"}}) {
		t.Errorf("who may not view lost deals: %v", got)
	}
	got = f.query(t, `SELECT TableName, TableType FROM sys_tables WHERE TableName LIKE '%Permissions%' ORDER BY TableName`)
	want = [][]any{{"AppPermissions", "VIEW"}, {"FieldPermissions", "VIEW"}, {"FieldPermissionsEntities", "VIEW"},
		{"RecordPermissions", "VIEW"}, {"RecordPermissionsEntities", "VIEW"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sys_tables: %v", got)
	}
}

func TestPermissionsBadReply(t *testing.T) {
	for _, c := range []struct {
		table *settingsTable
		reply string
	}{
		{appPermissionsTable, `{"rights": 3}`},
		{recordPermissionsTable, `{"rights": {}}`},
		{fieldPermissionsEntitiesTable, `{"rights": [{"code": "a", "entities": "x"}]}`},
		{recordPermissionsEntitiesTable, `[]`},
	} {
		if _, err := c.table.rows(2, []byte(c.reply)); kerr.KindOf(err) != kerr.KindBadReply {
			t.Errorf("%s of %s: %v", c.table.info.table.Name, c.reply, err)
		}
	}
}
