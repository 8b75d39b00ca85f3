package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

func TestDefineViews(t *testing.T) {
	f := newFixture(t, 3)
	err := f.eng.DefineViews(context.Background(), []UserView{
		{Name: "WonDeals", Query: `SELECT Id, "Deal name" AS Deal, Amount FROM Deals WHERE Stage = 'Won'`},
		{Name: "Big Won", Query: "SELECT Deal FROM WonDeals WHERE Amount >= 1000000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	won := f.query(t, "SELECT count(*) FROM Deals WHERE Stage = 'Won'")
	if got := f.query(t, "SELECT count(*) FROM WonDeals"); !reflect.DeepEqual(got, won) {
		t.Errorf("WonDeals has %v rows, want %v", got, won)
	}
	// The view's condition is sent to kintone, as the query's would be.
	f.sim.ResetRequests()
	f.query(t, `SELECT * FROM "Big Won"`)
	if qs := f.kintoneQueries("2"); len(qs) != 1 || !strings.HasPrefix(qs[0], `stage in ("Won") and amount >= `) {
		t.Errorf("the view's scans sent %q", qs)
	}
	got := f.query(t, "SELECT TableName, TableType FROM sys_tables WHERE TableName LIKE '%Won%'")
	if want := [][]any{{"WonDeals", "VIEW"}, {"Big Won", "VIEW"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sys_tables: got %v, want %v", got, want)
	}
	got = f.query(t, "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = 'WonDeals'")
	if want := [][]any{{"Id", "INTEGER"}, {"Deal", "VARCHAR"}, {"Amount", "DECIMAL"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sys_tablecolumns: got %v, want %v", got, want)
	}
	// A view of the file stays what the system tables list: it cannot be dropped. A TEMP view
	// of the user's own can.
	_, err = f.try(`DROP VIEW "Big Won"`)
	if k := kerr.As(err); k == nil || k.Kind != kerr.KindNotSupported || !strings.Contains(k.Message, `view "Big Won" comes from the UserDefinedViews file`) {
		t.Errorf("DROP VIEW of a defined view: %v", err)
	}
	if got := f.query(t, `SELECT count(*) FROM "Big Won"`); len(got) != 1 {
		t.Errorf("the view is gone: %v", got)
	}
	f.query(t, "CREATE TEMP VIEW mine AS SELECT 1")
	f.query(t, "DROP VIEW mine")
}

func TestDefineViewsErrors(t *testing.T) {
	cases := []struct {
		view UserView
		kind kerr.Kind
		text string
	}{
		{UserView{Name: "V", Query: "SELECT * FROM Nowhere"}, kerr.KindSQL, `view "V": no such table: Nowhere`},
		{UserView{Name: "V", Query: "SELECT Missing FROM Deals"}, kerr.KindSQL, `view "V": no such column: Missing`},
		{UserView{Name: "V", Query: "SELECT * FROM Deals WHERE"}, kerr.KindSQL, `view "V": incomplete input`},
		{UserView{Name: "V", Query: "SELEKT 1"}, kerr.KindInvalidConfig, `view "V": the query must be one SELECT statement`},
		{UserView{Name: "V", Query: "DELETE FROM Deals"}, kerr.KindInvalidConfig, `view "V": the query must be one SELECT statement`},
		{UserView{Name: "V", Query: "SELECT 1; SELECT 2"}, kerr.KindInvalidConfig, "one SELECT statement"},
		{UserView{Name: "Deals", Query: "SELECT 1"}, kerr.KindInvalidConfig, `view "Deals": the name is taken by a kintone app`},
		{UserView{Name: "apps", Query: "SELECT 1"}, kerr.KindInvalidConfig, "taken by a view of the driver's own"},
		{UserView{Name: "", Query: "SELECT 1"}, kerr.KindInvalidConfig, "a view needs a name"},
	}
	for _, c := range cases {
		f := newFixture(t, 1)
		f.query(t, "SELECT count(*) FROM sys_tables") // the apps are listed, as at connect
		err := f.eng.DefineViews(context.Background(), []UserView{c.view})
		if kerr.KindOf(err) != c.kind || err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%+v: got %v (%v), want %v containing %q", c.view, err, kerr.KindOf(err), c.kind, c.text)
		}
	}
}
