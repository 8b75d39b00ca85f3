package kintonesim_test

import (
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestClock(t *testing.T) {
	var c kintonesim.Clock
	if got := c.Now(); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("zero clock %v", got)
	}
	if got := c.Advance(90 * time.Second); !got.Equal(time.Date(2026, 1, 1, 0, 1, 30, 0, time.UTC)) || !c.Now().Equal(got) {
		t.Errorf("advance %v", got)
	}
	at := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	c.Set(at)
	if !c.Now().Equal(at) || !kintonesim.NewClock(at).Now().Equal(at) {
		t.Error("set")
	}
}

// TestClockExpiry moves a Clock past the cursor lifetime (404 GAIA_CN01) and past the
// access-token lifetime (401 CB_OA01).
func TestClockExpiry(t *testing.T) {
	clock := kintonesim.NewClock(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	s := newServer(t, oauthFixture(), kintonesim.Options{Now: clock.Now, CursorTTL: 10 * time.Minute, AccessTokenTTL: time.Hour})
	tk, err := s.IssueOAuthTokens(oaID, oaUser, kintonesim.ScopeRecordRead)
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 1, "size": 1}, pwTasks)
	wantOK(t, r)
	id := r.body["id"].(string)
	if r.body["totalCount"] != "1" {
		t.Fatalf("cursor %s", r.raw)
	}
	// Just before the TTL both still work.
	clock.Advance(10*time.Minute - time.Second)
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken)))
	r = call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 1}, pwTasks)
	wantOK(t, r)
	second := r.body["id"].(string)
	clock.Advance(time.Second)
	wantError(t, call(t, s, "GET", "/k/v1/records/cursor.json?id="+id, nil, pwTasks), 404, "GAIA_CN01")
	wantError(t, call(t, s, "DELETE", "/k/v1/records/cursor.json", map[string]any{"id": id}, pwTasks), 404, "GAIA_CN01")
	wantOK(t, call(t, s, "DELETE", "/k/v1/records/cursor.json", map[string]any{"id": second}, pwTasks))
	// An hour after issue the access token has expired.
	clock.Advance(50*time.Minute - time.Second)
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken)))
	clock.Advance(time.Second)
	r = call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken))
	wantError(t, r, 401, "CB_OA01")
	if r.body["message"] != "The OAuth access token is invalid, expired or revoked." {
		t.Errorf("message %s", r.raw)
	}
}
