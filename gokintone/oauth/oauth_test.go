package oauth

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

const (
	testClient = "go-client"
	testSecret = "go-secret-value"
	testCB     = "http://localhost:1/cb"
)

func startSim(t *testing.T, clock *kintonesim.Clock, opts kintonesim.Options) *kintonesim.Running {
	t.Helper()
	f := sample.Fixture(sample.Options{OrderRecords: 5})
	f.OAuthClients = []kintonesim.OAuthClient{{ClientID: testClient, ClientSecret: testSecret, RedirectURIs: []string{testCB}}}
	opts.Now = clock.Now
	rn, err := kintonesim.Start(f, opts, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rn.Close() })
	return rn
}

func newManager(t *testing.T, rn *kintonesim.Running, clock *kintonesim.Clock, cfg Config) *Manager {
	t.Helper()
	u, _ := url.Parse(rn.URL())
	cfg.BaseURL = u
	if cfg.ClientID == "" {
		cfg.ClientID = testClient
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = testSecret
	}
	cfg.CallbackURL = testCB
	cfg.Now = clock.Now
	m := New(cfg)
	m.SetHTTPClient(&http.Client{})
	return m
}

func tokenCalls(rn *kintonesim.Running) int {
	n := 0
	for _, r := range rn.Server.Requests() {
		if r.Path == "/oauth2/token" {
			n++
		}
	}
	return n
}

// A token known to have expired (on the driver's clock) is refreshed before it is sent, and the
// new tokens are written to the settings file.
func TestKnownExpiryRefreshesBeforeSending(t *testing.T) {
	clock := kintonesim.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rn := startSim(t, clock, kintonesim.Options{})
	tok, err := rn.Server.IssueOAuthTokens(testClient, "admin")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sub", "settings.txt")
	m := newManager(t, rn, clock, Config{Mode: ModeRefresh, SettingsPath: path, RefreshToken: tok.RefreshToken})
	ctx := context.Background()
	if err := m.Start(ctx); err != nil { // no access token given: refreshes at once
		t.Fatal(err)
	}
	first := m.Current()
	if first.AccessToken == "" || first.Expiry.IsZero() || first.ServerExpiry.IsZero() {
		t.Fatalf("token %+v", first)
	}
	if got, _ := m.AccessToken(ctx); got != first.AccessToken {
		t.Fatalf("fresh token was replaced")
	}
	clock.Advance(time.Hour)
	got, err := m.AccessToken(ctx)
	if err != nil || got == first.AccessToken {
		t.Fatalf("expired token not refreshed: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("settings file: %v %v", st, err)
	}
	d, err := readStore(path)
	if err != nil {
		t.Fatal(err)
	}
	e := d.Entries[entryKey(rn.URL(), testClient)]
	if e == nil || e.AccessToken != got {
		t.Fatalf("stored %+v", e)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), got) || strings.Contains(string(raw), e.RefreshToken) {
		t.Fatalf("token in clear in the settings file")
	}
}

// Renew classifies a refused refresh by the server's clock.
func TestRenewDiagnosis(t *testing.T) {
	clock := kintonesim.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rn := startSim(t, clock, kintonesim.Options{RefreshTokenTTL: 2 * time.Hour})
	ctx := context.Background()
	tok, _ := rn.Server.IssueOAuthTokens(testClient, "admin")

	m := newManager(t, rn, clock, Config{Mode: ModeRefresh, RefreshToken: tok.RefreshToken})
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cur := m.Current()
	rn.Server.RevokeOAuthGrants(testClient, "admin")
	_, err := m.Renew(ctx, cur.AccessToken, clock.Now()) // refused before its expiry
	if kerr.KindOf(err) != kerr.KindOAuthTokenRevoked || kerr.As(err).Code != "invalid_grant" {
		t.Errorf("revoked: %v (%s)", err, kerr.KindOf(err))
	}

	tok, _ = rn.Server.IssueOAuthTokens(testClient, "admin")
	m = newManager(t, rn, clock, Config{Mode: ModeRefresh, RefreshToken: tok.RefreshToken})
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cur = m.Current()
	clock.Advance(3 * time.Hour)
	_, err = m.Renew(ctx, cur.AccessToken, clock.Now())
	if kerr.KindOf(err) != kerr.KindOAuthRefreshExpired {
		t.Errorf("expired: %v (%s)", err, kerr.KindOf(err))
	}

	// Unknown expiry (a token given as is): plain invalid_grant.
	m = newManager(t, rn, clock, Config{Mode: ModeRefresh, AccessToken: "given", RefreshToken: "unknown-refresh"})
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = m.Renew(ctx, "given", time.Time{})
	if kerr.KindOf(err) != kerr.KindOAuthInvalidGrant || strings.Contains(err.Error(), "unknown-refresh") {
		t.Errorf("unknown: %v", err)
	}

	// OFF never refreshes.
	m = newManager(t, rn, clock, Config{Mode: ModeOff, AccessToken: "given"})
	_ = m.Start(ctx)
	if _, err := m.Renew(ctx, "given", time.Time{}); kerr.KindOf(err) != kerr.KindOAuthTokenInvalid {
		t.Errorf("OFF: %v", err)
	}
	// Not authorized.
	m = newManager(t, rn, clock, Config{Mode: ModeOff})
	_ = m.Start(ctx)
	if _, err := m.AccessToken(ctx); kerr.KindOf(err) != kerr.KindOAuthNotAuthorized {
		t.Errorf("no token: %v", err)
	}
	// Wrong secret.
	tok, _ = rn.Server.IssueOAuthTokens(testClient, "admin")
	m = newManager(t, rn, clock, Config{Mode: ModeRefresh, RefreshToken: tok.RefreshToken, ClientSecret: "nope-secret"})
	if err := m.Start(ctx); kerr.KindOf(err) != kerr.KindOAuthInvalidClient || strings.Contains(err.Error(), "nope-secret") {
		t.Errorf("wrong secret: %v", err)
	}
}

// Goroutines of two managers (as two processes would) refreshing through one settings file
// refresh once.
func TestSharedSettingsFileRefreshesOnce(t *testing.T) {
	clock := kintonesim.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rn := startSim(t, clock, kintonesim.Options{})
	ctx := context.Background()
	tok, _ := rn.Server.IssueOAuthTokens(testClient, "admin")
	path := filepath.Join(t.TempDir(), "s.txt")
	cfg := Config{Mode: ModeRefresh, SettingsPath: path, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	var ms []*Manager
	for i := 0; i < 4; i++ {
		m := newManager(t, rn, clock, cfg)
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	before := tokenCalls(rn)
	clock.Advance(2 * time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, len(ms))
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = m.Renew(ctx, tok.AccessToken, clock.Now())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := tokenCalls(rn) - before; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	for _, m := range ms[1:] {
		if m.Current().AccessToken != ms[0].Current().AccessToken {
			t.Errorf("managers disagree on the token")
		}
	}
}

func TestStoreRejectsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.txt")
	os.WriteFile(p, []byte("not ours"), 0o600)
	if _, err := readStore(p); err == nil || !strings.Contains(err.Error(), "not an OAuth settings file") {
		t.Errorf("foreign file: %v", err)
	}
	os.WriteFile(p, []byte(fileHeader+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"), 0o600)
	if _, err := readStore(p); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("tampered file: %v", err)
	}
	d, err := readStore(filepath.Join(dir, "missing.txt"))
	if err != nil || len(d.Entries) != 0 {
		t.Errorf("missing file: %v", err)
	}
}

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string]string{
		`firefox --new-window %s`:          "firefox|--new-window|%s",
		`"/path with/python" 'a b' c"d e"`: "/path with/python|a b|cd e",
		`x "a\"b"`:                         `x|a"b`,
	} {
		got, err := splitCommand(in)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("splitCommand(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := splitCommand(`"open`); err == nil {
		t.Errorf("unclosed quote accepted")
	}
	t.Setenv(BrowserEnv, `mybrowser --flag`)
	argv, err := browserCommand("http://x/?a=1")
	if err != nil || strings.Join(argv, "|") != "mybrowser|--flag|http://x/?a=1" {
		t.Errorf("browserCommand = %q, %v", argv, err)
	}
	t.Setenv(BrowserEnv, "none")
	if argv, err := browserCommand("u"); argv != nil || err != nil {
		t.Errorf("none = %q, %v", argv, err)
	}
}
