package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// appsRequests are the parameters of the apps.json requests since the last reset.
func (f *fixture) appsRequests() []map[string]any {
	var out []map[string]any
	for _, r := range f.sim.Requests() {
		if strings.HasSuffix(r.Path, "/apps.json") {
			out = append(out, r.Params)
		}
	}
	return out
}

func TestAppsView(t *testing.T) {
	f := newFixture(t, 3)
	got := f.query(t, "SELECT AppId, Code, Name, SpaceId, ThreadId, CreatorCode, CreatedAt FROM Apps WHERE Code = 'DEALS'")
	if len(got) != 1 || !reflect.DeepEqual(got[0][:6], []any{int64(2), "DEALS", "Deals", int64(1), int64(1), "john.smith"}) {
		t.Fatalf("Apps WHERE Code = 'DEALS': %v", got)
	}
	if created, _ := got[0][6].(string); !strings.HasPrefix(created, "2024-06-01") {
		t.Errorf("CreatedAt = %v", got[0][6])
	}
	// The equalities are sent to kintone: one request per value of an IN list.
	f.sim.ResetRequests()
	got = f.query(t, "SELECT Name FROM Apps WHERE AppId IN (1, 3) ORDER BY AppId")
	if !reflect.DeepEqual(got, [][]any{{"顧客リスト"}, {"受注明細 Orders"}}) {
		t.Errorf("AppId IN (1, 3): %v", got)
	}
	reqs := f.appsRequests()
	if len(reqs) != 2 || reqs[0]["ids"] == nil {
		t.Errorf("AppId IN (1, 3) sent %v", reqs)
	}
	f.sim.ResetRequests()
	got = f.query(t, "SELECT count(*) FROM Apps WHERE SpaceId = 1 AND Name LIKE 'deal%'")
	if !reflect.DeepEqual(got, [][]any{{int64(1)}}) {
		t.Errorf("SpaceId = 1 AND Name LIKE: %v", got)
	}
	if reqs := f.appsRequests(); len(reqs) != 1 || reqs[0]["spaceIds"] == nil {
		t.Errorf("SpaceId = 1 sent %v", reqs)
	}
	// No app has a negative id: nothing is asked.
	f.sim.ResetRequests()
	if got := f.query(t, "SELECT * FROM Apps WHERE AppId = -1"); len(got) != 0 || len(f.appsRequests()) != 0 {
		t.Errorf("AppId = -1: %v, %d requests", got, len(f.appsRequests()))
	}
	// Every app the user sees, without a condition.
	if got := f.query(t, "SELECT count(*) FROM Apps"); got[0][0] != int64(3) {
		t.Errorf("Apps: %v apps", got[0][0])
	}
	if got := f.query(t, "SELECT TableType, IsUpdateable FROM sys_tables WHERE TableName = 'Apps'"); !reflect.DeepEqual(got, [][]any{{"VIEW", int64(0)}}) {
		t.Errorf("sys_tables: %v", got)
	}
	if _, err := f.try("DELETE FROM Apps WHERE AppId = 2"); kerr.KindOf(err) != kerr.KindNotSupported {
		t.Errorf("DELETE FROM Apps: %v", err)
	}
}

// TestLikeMatchesSQLite checks the Go LIKE against SQLite's own.
func TestLikeMatchesSQLite(t *testing.T) {
	f := newFixture(t, 1)
	texts := []any{"Deals", "deals", "顧客リスト", "受注明細 Orders", "", "a%b", "a_b", "ab", "DEAL", int64(12), 1.5, []byte("Blob")}
	patterns := []any{"deal%", "%S", "%", "_", "__", "%リスト", "顧客_スト", "a%b", "a_b", "a\\%b", "%%a%", "1_", "1.%", "%o%", "", "blob", int64(12)}
	for _, s := range texts {
		for _, p := range patterns {
			got := f.query(t, "SELECT ? LIKE ?", s, p)
			want := got[0][0] == int64(1)
			if likeMatch(likeText(p), likeText(s)) != want {
				t.Errorf("%v LIKE %v: SQLite says %v", s, p, want)
			}
		}
	}
}

func TestAppsNameLike(t *testing.T) {
	f := newFixture(t, 1)
	f.sim.ResetRequests()
	got := f.query(t, "SELECT Name FROM Apps WHERE Name LIKE '%_EAL%'")
	if !reflect.DeepEqual(got, [][]any{{"Deals"}}) {
		t.Errorf("Name LIKE '%%_EAL%%': %v", got)
	}
	if reqs := f.appsRequests(); len(reqs) != 1 || reqs[0]["name"] != "EAL" {
		t.Errorf("Name LIKE sent %v", reqs)
	}
	// A pattern kintone cannot narrow, and NOT LIKE, are evaluated here on every app.
	if got := f.query(t, "SELECT count(*) FROM Apps WHERE Name NOT LIKE 'd%'"); got[0][0] != int64(2) {
		t.Errorf("NOT LIKE: %v", got)
	}
	if got := f.query(t, "SELECT count(*) FROM Apps WHERE Name LIKE '%'"); got[0][0] != int64(3) {
		t.Errorf("LIKE '%%': %v", got)
	}
}
