package engine

import (
	"strings"
	"testing"
)

func TestRewriteUpsert(t *testing.T) {
	cases := map[string]string{
		"UPSERT INTO Deals (Id) VALUES (1)":                 `INSERT INTO "Deals#UPSERT" (Id) VALUES (1)`,
		"  /* c */ upsert into [受注明細 Orders](a) VALUES (1)": `  /* c */ INSERT INTO "受注明細 Orders#UPSERT"(a) VALUES (1)`,
		`UPSERT INTO "a""b" (x) VALUES (1)`:                 `INSERT INTO "a""b#UPSERT" (x) VALUES (1)`,
		"-- x\nUpsert Into `t` (k) SELECT 1":                "-- x\nINSERT INTO \"t#UPSERT\" (k) SELECT 1",
		"UPSERTS INTO t VALUES (1)":                         "UPSERTS INTO t VALUES (1)",
		"SELECT 'UPSERT INTO t'":                            "SELECT 'UPSERT INTO t'",
		"UPSERT t":                                          "UPSERT t",
	}
	for in, want := range cases {
		if got := rewriteUpsert(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	for name, want := range map[string][2]string{
		"Deals#UPSERT": {"Deals", companionUpsert}, "deals#temp": {"deals", companionTemp},
		"Deals": {"Deals", ""}, "#TEMP": {"#TEMP", ""},
	} {
		if b, s := companionOf(name); b != want[0] || s != want[1] {
			t.Errorf("%s: %s %s", name, b, s)
		}
	}
}

func TestCompanionsOfAppTablesOnly(t *testing.T) {
	f := writeFixture(t)
	for _, name := range []string{"[Comments#TEMP]", "[Comments#UPSERT]", "[sys_tables#TEMP]", "[受注明細 Orders_明細#UPSERT]"} {
		if _, err := f.try("SELECT * FROM " + name); err == nil || !strings.Contains(err.Error(), "app tables only") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestMainSchemaName: main.T is a clear error, before and after T was declared.
func TestMainSchemaName(t *testing.T) {
	f := writeFixture(t)
	for i := 0; i < 2; i++ {
		if _, err := f.try("SELECT * FROM main.Deals"); err == nil || !strings.Contains(err.Error(), "not in the main schema") {
			t.Errorf("%d: %v", i, err)
		}
		f.query(t, "SELECT COUNT(*) FROM Deals")
	}
	if rows := f.query(t, "SELECT COUNT(*) FROM temp.Deals"); rows[0][0].(int64) <= 0 {
		t.Errorf("temp.Deals: %v", rows)
	}
}
