package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// settingsRequests are the app parameters of the requests to endpoint since the last reset.
func (f *fixture) settingsRequests(endpoint string) []string {
	var apps []string
	for _, r := range f.sim.Requests() {
		if strings.HasSuffix(r.Path, "/"+endpoint+".json") {
			apps = append(apps, r.App)
		}
	}
	return apps
}

func TestFormFields(t *testing.T) {
	f := newFixture(t, 3)
	f.sim.ResetRequests()
	got := f.query(t, `SELECT Code, Label, Type, Required, DefaultValue, Options, Unit, UnitPosition
		FROM FormFields WHERE AppId = 2 AND Code IN ('stage', 'amount') ORDER BY Code`)
	want := [][]any{
		{"amount", "Amount", "NUMBER", int64(0), nil, nil, "¥", "BEFORE"},
		{"stage", "Stage", "DROP_DOWN", int64(1), "Lead", `["Lead","Qualified","Proposal","Won","Lost"]`, nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FormFields of Deals:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("app/form/fields"); !reflect.DeepEqual(apps, []string{"2"}) {
		t.Errorf("AppId = 2 read the fields of apps %v", apps)
	}
	// A table's fields follow it, with its code.
	got = f.query(t, "SELECT count(*) FROM FormFields WHERE AppId = 3 AND SubtableCode IS NOT NULL")
	if n, _ := got[0][0].(int64); n == 0 {
		t.Errorf("the fields of Orders' table are missing")
	}
	// Without AppId, every app listed is read, once each.
	f.sim.ResetRequests()
	f.query(t, "SELECT count(*) FROM FormFields")
	if apps := f.settingsRequests("app/form/fields"); len(apps) != 3 {
		t.Errorf("FormFields read the fields of apps %v", apps)
	}
	if _, err := f.try("UPDATE FormFields SET Label = 'x' WHERE AppId = 2"); kerr.KindOf(err) != kerr.KindNotSupported {
		t.Errorf("UPDATE FormFields: %v", err)
	}
}

func TestViews(t *testing.T) {
	f := newFixture(t, 3)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT AppId, Id, Name, Type, Sort FROM Views WHERE AppId IN (2, 3) ORDER BY AppId")
	want := [][]any{{int64(2), "2001", "All", "LIST", "Record_number desc"}, {int64(3), "3001", "All", "LIST", "レコード番号 desc"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Views:\n got %v\nwant %v", got, want)
	}
	if apps := f.settingsRequests("app/views"); !reflect.DeepEqual(apps, []string{"2", "3"}) {
		t.Errorf("AppId IN (2, 3) read the views of apps %v", apps)
	}
	got = f.query(t, "SELECT TableName, TableType FROM sys_tables WHERE TableName IN ('FormFields', 'Views') ORDER BY TableName")
	if !reflect.DeepEqual(got, [][]any{{"FormFields", "VIEW"}, {"Views", "VIEW"}}) {
		t.Errorf("sys_tables: %v", got)
	}
	got = f.query(t, "SELECT ColumnName FROM sys_primarykeys WHERE TableName = 'Views' ORDER BY KeySeq")
	if !reflect.DeepEqual(got, [][]any{{"AppId"}, {"Id"}}) {
		t.Errorf("the key of Views: %v", got)
	}
}

func TestProcessManagement(t *testing.T) {
	f := newFixture(t, 3)
	got := f.query(t, "SELECT AppId, Enable, json_extract(States, '$.対応中.assignee.type'), json_array_length(Actions) FROM ProcessManagement WHERE AppId IN (1, 2) ORDER BY AppId")
	if !reflect.DeepEqual(got[0], []any{int64(1), int64(1), "ANY", int64(3)}) {
		t.Errorf("ProcessManagement of 顧客リスト: %v", got)
	}
	got = f.query(t, "SELECT Name, [From], [To], Type FROM ProcessManagementActions WHERE AppId = 1")
	want := [][]any{{"対応開始", "未対応", "対応中", "PRIMARY"}, {"完了にする", "対応中", "完了", "PRIMARY"}, {"差し戻す", "対応中", "未対応", "SECONDARY"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ProcessManagementActions:\n got %v\nwant %v", got, want)
	}
}

func TestGeneralSettings(t *testing.T) {
	f := newFixture(t, 3)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT AppId, Name, Description, EnableComments, json_extract(NumberPrecision, '$.digits') FROM GeneralSettings WHERE AppId = 2")
	if !reflect.DeepEqual(got, [][]any{{int64(2), "Deals", "Sales pipeline (sample data)", int64(1), "16"}}) {
		t.Errorf("GeneralSettings of Deals: %v", got)
	}
	if apps := f.settingsRequests("app/settings"); !reflect.DeepEqual(apps, []string{"2"}) {
		t.Errorf("AppId = 2 read the settings of apps %v", apps)
	}
}

func TestFormLayout(t *testing.T) {
	fx := sample.Fixture(sample.Options{OrderRecords: 3})
	for i := range fx.Apps {
		if fx.Apps[i].ID == sample.DealsApp {
			fx.Apps[i].Layout = []any{
				map[string]any{"type": "ROW", "fields": []any{
					map[string]any{"type": "SINGLE_LINE_TEXT", "code": "deal_name", "size": map[string]any{"width": "300"}},
					map[string]any{"type": "LABEL", "label": "<b>Money</b>", "size": map[string]any{"width": "100"}},
				}},
				map[string]any{"type": "GROUP", "code": "details", "layout": []any{
					map[string]any{"type": "ROW", "fields": []any{map[string]any{"type": "NUMBER", "code": "amount"}}},
					map[string]any{"type": "ROW", "fields": []any{map[string]any{"type": "SPACER", "elementId": "gap"}}},
				}},
			}
		}
	}
	f := newFixtureFrom(t, fx)
	got := f.query(t, "SELECT [Index], Type, Code FROM FormLayout WHERE AppId = 2")
	if !reflect.DeepEqual(got, [][]any{{int64(0), "ROW", nil}, {int64(1), "GROUP", "details"}}) {
		t.Errorf("FormLayout: %v", got)
	}
	got = f.query(t, "SELECT LayoutIndex, Position, ContainerCode, Type, Code, Label, ElementId, json_extract(Size, '$.width') FROM FormLayoutFields WHERE AppId = 2")
	want := [][]any{
		{int64(0), int64(0), nil, "SINGLE_LINE_TEXT", "deal_name", nil, nil, "300"},
		{int64(0), int64(1), nil, "LABEL", nil, "<b>Money</b>", nil, "100"},
		{int64(1), int64(0), "details", "NUMBER", "amount", nil, nil, nil},
		{int64(1), int64(1), "details", "SPACER", nil, nil, "gap", nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FormLayoutFields:\n got %v\nwant %v", got, want)
	}
}

func TestSpaces(t *testing.T) {
	f := newFixture(t, 1)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT Id, Name, IsPrivate, json_array_length(AttachedApps) FROM Space")
	if !reflect.DeepEqual(got, [][]any{{int64(1), "営業部", int64(0), int64(2)}}) {
		t.Errorf("Space: %v", got)
	}
	// Without Id, the spaces of the apps listed: one request for space 1.
	if spaces := f.settingsRequests("space"); len(spaces) != 1 {
		t.Errorf("Space read %d spaces", len(spaces))
	}
	got = f.query(t, "SELECT EntityType, EntityCode, IsAdmin, IncludeSubs FROM SpaceMembers WHERE SpaceId = 1 ORDER BY EntityCode")
	want := [][]any{{"USER", "admin", int64(1), int64(0)}, {"ORGANIZATION", "sales", int64(0), int64(1)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SpaceMembers: %v", got)
	}
	if got := f.query(t, "SELECT count(*) FROM Space WHERE Id = -3"); got[0][0] != int64(0) {
		t.Errorf("Space WHERE Id = -3: %v", got)
	}
}
