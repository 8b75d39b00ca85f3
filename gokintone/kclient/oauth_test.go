package kclient

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// stubTokens is a TokenSource handing out "t1", then "t2" after a renewal.
type stubTokens struct {
	renewals atomic.Int32
	fail     error
	refused  []string
	at       []time.Time
}

func (s *stubTokens) AccessToken(context.Context) (string, error) {
	if s.renewals.Load() == 0 {
		return "t1", nil
	}
	return "t2", nil
}

func (s *stubTokens) Renew(_ context.Context, refused string, at time.Time) (string, error) {
	s.refused, s.at = append(s.refused, refused), append(s.at, at)
	if s.fail != nil {
		return "", s.fail
	}
	s.renewals.Add(1)
	return "t2", nil
}

func TestBearerRenewedOnceOn401(t *testing.T) {
	var seen []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Cybozu-Authorization"))
		if r.Header.Get("Authorization") != "Bearer t2" {
			w.Header().Set("Date", "Thu, 01 Jan 2026 02:00:00 GMT")
			writeJSON(w, 401, `{"code":"CB_OA01","id":"x","message":"The OAuth access token is invalid, expired or revoked."}`)
			return
		}
		writeJSON(w, 200, `{"apps":[]}`)
	})
	ts := &stubTokens{}
	c := newClient(t, srv, func(cfg *Config) { cfg.User, cfg.Password, cfg.OAuth = "", "", ts })
	if !c.UsesOAuth() || c.UsesTokens() {
		t.Fatal("not an OAuth client")
	}
	if _, err := c.Apps(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "Bearer t1|" || seen[1] != "Bearer t2|" {
		t.Errorf("requests %q", seen)
	}
	if len(ts.refused) != 1 || ts.refused[0] != "t1" || !ts.at[0].Equal(time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("renew calls %q %v", ts.refused, ts.at)
	}
}

func TestBearerRefusedTwiceOrRenewalFails(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, `{"code":"CB_OA01","id":"x","message":"refused"}`)
	})
	ts := &stubTokens{}
	c := newClient(t, srv, func(cfg *Config) { cfg.User, cfg.Password, cfg.OAuth = "", "", ts })
	_, err := c.Apps(context.Background(), nil)
	if kerr.KindOf(err) != kerr.KindOAuthTokenInvalid || len(ts.refused) != 1 {
		t.Errorf("refused twice: %v, renewals %d", err, len(ts.refused))
	}
	want := &kerr.Error{Kind: kerr.KindOAuthTokenRevoked, Code: "invalid_grant", Message: "nope"}
	ts2 := &stubTokens{fail: want}
	c = newClient(t, srv, func(cfg *Config) { cfg.User, cfg.Password, cfg.OAuth = "", "", ts2 })
	if _, err := c.Apps(context.Background(), nil); kerr.KindOf(err) != kerr.KindOAuthTokenRevoked {
		t.Errorf("renewal failure: %v", err)
	}
	// OAuth and the Basic layer both need Authorization.
	if _, err := New(Config{BaseURL: c.base, OAuth: ts, BasicAuthUser: "u", BasicAuthPassword: "p"}); err == nil {
		t.Errorf("OAuth with Basic accepted")
	}
}
