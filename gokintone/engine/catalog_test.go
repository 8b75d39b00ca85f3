package engine

import (
	"context"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// TestCatalogWriteFacts: what fields.json says about the fields kintone fills itself reaches
// the columns, so that writes to them can be refused.
func TestCatalogWriteFacts(t *testing.T) {
	fx := sample.Fixture(sample.Options{})
	for i := range fx.Apps {
		if fx.Apps[i].ID == sample.DealsApp {
			fx.Apps[i].Fields["deal_label"] = kintonesim.FieldProperty{Type: "SINGLE_LINE_TEXT", Label: "Deal label", Expression: "deal_name"}
		}
	}
	f := newFixtureFrom(t, fx)
	deals, err := f.eng.catalog.resolve(context.Background(), "Deals")
	if err != nil || deals == nil {
		t.Fatalf("Deals: %v, %v", deals, err)
	}
	if c := deals.Column("Industry"); c == nil || c.CopiedBy != "Customer" {
		t.Errorf("Industry, filled by the lookup Customer: %+v", c)
	}
	if c := deals.Column("Customer"); c == nil || c.CopiedBy != "" || c.AutoCalc {
		t.Errorf("Customer, the lookup: %+v", c)
	}
	if c := deals.Column("Deal label"); c == nil || !c.AutoCalc {
		t.Errorf("Deal label, auto-calculated: %+v", c)
	}
}
