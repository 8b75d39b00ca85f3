// Package oauth obtains, keeps and refreshes kintone OAuth 2.0 tokens for the driver: the
// authorization-code grant against <Url>/oauth2/authorization and <Url>/oauth2/token (through
// golang.org/x/oauth2, client credentials in an HTTP Basic header), the desktop flow with a
// loopback listener and the browser (browser.go), and the settings file shared safely between
// processes (store.go).
//
// A Manager is the kclient.TokenSource of an OAuth connection: AccessToken renews a token known
// to have expired, and Renew is called when kintone refuses one with 401. Every error is a
// *kerr.Error, of an OAuth kind when OAuth failed, and no error text ever contains a token, a
// code or the client secret.
package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// InitiateOAuth modes.
const (
	ModeOff           = "OFF"
	ModeRefresh       = "REFRESH"
	ModeGetAndRefresh = "GETANDREFRESH"
)

// expiryMargin renews a token this long before its known expiry.
const expiryMargin = 60 * time.Second

// Config configures a Manager.
type Config struct {
	BaseURL      *url.URL // the kintone domain: its /oauth2/authorization and /oauth2/token are used
	ClientID     string
	ClientSecret string
	CallbackURL  string // the redirect URI
	Scope        string // blank-separated scopes
	Mode         string // ModeOff, ModeRefresh or ModeGetAndRefresh
	SettingsPath string // the settings file (expanded); used with REFRESH and GETANDREFRESH

	// The connection's starting material (any may be "").
	AccessToken, RefreshToken, Verifier string

	Timeout     time.Duration // per token request; 0 = none
	AuthTimeout time.Duration // the desktop flow's wait for the redirect; 0 = DefaultAuthTimeout
	Now         func() time.Time
	Stderr      io.Writer           // where the desktop flow prints the URL; nil = os.Stderr
	Mask        func(string) string // hides connection secrets in error text; nil = identity
}

// Token is a set of OAuth tokens with what is known of their expiry.
type Token struct {
	AccessToken  string    `json:"accessToken"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	ExpiresIn    int64     `json:"expiresIn,omitempty"`   // seconds, as the token endpoint said
	Expiry       time.Time `json:"expiry,omitzero"`       // on this machine's clock; zero = unknown
	ServerExpiry time.Time `json:"serverExpiry,omitzero"` // on the server's clock (its Date header); zero = unknown
	Scope        string    `json:"scope,omitempty"`
}

// Manager holds a connection's tokens. It is safe for concurrent use.
type Manager struct {
	cfg Config

	mu  sync.Mutex
	tok Token
	hc  *http.Client

	dmu      sync.Mutex
	lastDate time.Time // Date header of the last token-endpoint reply
}

// New returns a Manager; call SetHTTPClient before any request and Start to obtain the first
// token.
func New(cfg Config) *Manager {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Mask == nil {
		cfg.Mask = func(s string) string { return s }
	}
	return &Manager{cfg: cfg}
}

// SetHTTPClient sets the client for the token endpoint (the kintone client's, so that TLS and
// proxy settings apply).
func (m *Manager) SetHTTPClient(base *http.Client) {
	hc := *base
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = dateRecorder{rt: rt, m: m}
	if m.cfg.Timeout > 0 {
		hc.Timeout = m.cfg.Timeout
	}
	m.mu.Lock()
	m.hc = &hc
	m.mu.Unlock()
}

// dateRecorder notes the server's Date of token-endpoint replies (to compare expiry times on the
// server's clock when kintone refuses a token).
type dateRecorder struct {
	rt http.RoundTripper
	m  *Manager
}

func (d dateRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.rt.RoundTrip(r)
	if err == nil {
		if t, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			d.m.dmu.Lock()
			d.m.lastDate = t
			d.m.dmu.Unlock()
		}
	}
	return resp, err
}

func (m *Manager) oauth2Config(callback, scope string) *oauth2.Config {
	base := strings.TrimSuffix(m.cfg.BaseURL.String(), "/")
	return &oauth2.Config{
		ClientID:     m.cfg.ClientID,
		ClientSecret: m.cfg.ClientSecret,
		RedirectURL:  callback,
		Scopes:       strings.Fields(scope),
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/oauth2/authorization",
			TokenURL:  base + "/oauth2/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

func (m *Manager) authCodeURL(callback, scope, state string) string {
	return m.oauth2Config(callback, scope).AuthCodeURL(state)
}

// Mode returns the InitiateOAuth mode.
func (m *Manager) Mode() string { return m.cfg.Mode }

// Callback and Scope return the connection's defaults for the stored procedures.
func (m *Manager) Callback() string { return m.cfg.CallbackURL }
func (m *Manager) Scope() string    { return m.cfg.Scope }

// Current returns the tokens in use.
func (m *Manager) Current() Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tok
}

// Authorized reports whether there is an access token.
func (m *Manager) Authorized() bool { return m.Current().AccessToken != "" }

func (m *Manager) persistent() bool { return m.cfg.Mode != ModeOff && m.cfg.SettingsPath != "" }

func (m *Manager) needClient(what string) error {
	var missing []string
	if m.cfg.ClientID == "" {
		missing = append(missing, "OAuthClientId")
	}
	if m.cfg.ClientSecret == "" {
		missing = append(missing, "OAuthClientSecret")
	}
	if len(missing) > 0 {
		return kerr.New(kerr.KindInvalidConfig, "%s needs %s in the connection string (the OAuth client registered in "+
			"cybozu.com administration)", what, strings.Join(missing, " and "))
	}
	return nil
}

// seed is a digest of the token material given in the connection string, so that the same
// string connecting again uses the stored (possibly rotated) tokens instead of exchanging a
// used code or refreshing with a rotated token, while new material replaces them.
func (m *Manager) seed() string {
	if m.cfg.AccessToken == "" && m.cfg.RefreshToken == "" && m.cfg.Verifier == "" {
		return ""
	}
	h := sha256.Sum256([]byte("v1\x00" + m.cfg.AccessToken + "\x00" + m.cfg.RefreshToken + "\x00" + m.cfg.Verifier))
	return hex.EncodeToString(h[:])
}

func (m *Manager) key() string { return entryKey(m.cfg.BaseURL.String(), m.cfg.ClientID) }

// Start obtains the connection's first token, per InitiateOAuth:
//   - OFF: OAuthAccessToken as given (none: the connection is not authorized yet);
//   - REFRESH and GETANDREFRESH: new material in the connection string (OAuthVerifier is
//     exchanged; OAuthAccessToken/OAuthRefreshToken are taken, refreshing when there is no
//     access token), else the settings file's tokens (refreshed when known to be expired);
//     GETANDREFRESH then falls back to the desktop flow, REFRESH to an error.
func (m *Manager) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg.Mode == ModeOff {
		m.tok = Token{AccessToken: m.cfg.AccessToken}
		return nil
	}
	seed := m.seed()
	var stored *entry
	if m.cfg.SettingsPath != "" {
		d, err := readStore(m.cfg.SettingsPath)
		if err != nil {
			return err
		}
		stored = d.Entries[m.key()]
	}
	if seed != "" && (stored == nil || stored.Seed != seed) {
		switch {
		case m.cfg.Verifier != "":
			t, err := m.exchange(ctx, m.cfg.Verifier, m.cfg.CallbackURL, "OAuthVerifier")
			if err != nil {
				return err
			}
			m.tok = t
		case m.cfg.AccessToken != "":
			m.tok = Token{AccessToken: m.cfg.AccessToken, RefreshToken: m.cfg.RefreshToken}
		default:
			t, err := m.refreshWith(ctx, m.cfg.RefreshToken, Token{}, time.Time{})
			if err != nil {
				return err
			}
			m.tok = t
		}
		return m.persistLocked(seed)
	}
	if stored != nil && stored.AccessToken != "" {
		m.tok = stored.Token
		if m.knownExpired(m.tok) && m.tok.RefreshToken != "" {
			err := m.refreshLocked(ctx, m.tok.AccessToken, time.Time{})
			if err == nil || m.cfg.Mode != ModeGetAndRefresh || !IsGrantError(err) {
				return err
			}
			// GETANDREFRESH: the stored grant is gone; authorize again below.
		} else {
			return nil
		}
	}
	if m.cfg.Mode == ModeRefresh {
		return kerr.New(kerr.KindOAuthNotAuthorized, "InitiateOAuth=REFRESH has no OAuth tokens to start from: give "+
			"OAuthAccessToken (with OAuthRefreshToken), OAuthVerifier (the code of an authorization done elsewhere, for "+
			"example through GetOAuthAuthorizationURL), or copy the OAuthSettingsLocation file of a machine where "+
			"InitiateOAuth=GETANDREFRESH ran to %s", m.cfg.SettingsPath)
	}
	return m.authorizeLocked(ctx, m.cfg.CallbackURL, m.cfg.Scope, "")
}

// Authorize runs the desktop flow (browser and loopback listener) and adopts the tokens.
func (m *Manager) Authorize(ctx context.Context, callback, scope, state string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.authorizeLocked(ctx, callback, scope, state); err != nil {
		return Token{}, err
	}
	return m.tok, nil
}

func (m *Manager) authorizeLocked(ctx context.Context, callback, scope, state string) error {
	if err := m.needClient("the OAuth authorization"); err != nil {
		return err
	}
	code, err := m.interactive(ctx, callback, scope, state)
	if err != nil {
		return err
	}
	t, err := m.exchange(ctx, code, callback, "the authorization code")
	if err != nil {
		return err
	}
	m.tok = t
	return m.persistLocked(m.seed())
}

// AuthURL returns the authorization URL for the web flow (GetOAuthAuthorizationURL).
func (m *Manager) AuthURL(callback, scope, state string) (string, error) {
	if m.cfg.ClientID == "" {
		return "", kerr.New(kerr.KindInvalidConfig, "GetOAuthAuthorizationURL needs OAuthClientId in the connection string")
	}
	return m.authCodeURL(callback, scope, state), nil
}

// ExchangeCode exchanges an authorization code (GetOAuthAccessToken, web mode) and adopts the
// tokens, storing them in the settings file with REFRESH and GETANDREFRESH.
func (m *Manager) ExchangeCode(ctx context.Context, code, callback string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.exchange(ctx, code, callback, "Verifier")
	if err != nil {
		return Token{}, err
	}
	m.tok = t
	return t, m.persistLocked(m.seed())
}

// RefreshWith refreshes with a given refresh token (RefreshOAuthAccessToken; "" = the current
// one) and adopts the result.
func (m *Manager) RefreshWith(ctx context.Context, refreshToken string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if refreshToken == "" || refreshToken == m.tok.RefreshToken {
		if m.tok.RefreshToken == "" {
			return Token{}, kerr.New(kerr.KindInvalidArgument,
				"RefreshOAuthAccessToken needs OAuthRefreshToken: the connection has no refresh token")
		}
		if err := m.refreshLocked(ctx, m.tok.AccessToken, time.Time{}); err != nil {
			return Token{}, err
		}
		return m.tok, nil
	}
	t, err := m.refreshWith(ctx, refreshToken, Token{}, time.Time{})
	if err != nil {
		return Token{}, err
	}
	m.tok = t
	return t, m.persistLocked(m.seed())
}

// AccessToken implements kclient.TokenSource.
func (m *Manager) AccessToken(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok.AccessToken == "" {
		return "", notAuthorized()
	}
	if m.cfg.Mode != ModeOff && m.knownExpired(m.tok) && m.tok.RefreshToken != "" {
		if err := m.refreshLocked(ctx, m.tok.AccessToken, time.Time{}); err != nil {
			return "", err
		}
	}
	return m.tok.AccessToken, nil
}

// Renew implements kclient.TokenSource: kintone refused the token refused (with 401, at
// refusedAt on the server's clock).
func (m *Manager) Renew(ctx context.Context, refused string, refusedAt time.Time) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok.AccessToken != "" && m.tok.AccessToken != refused {
		return m.tok.AccessToken, nil // renewed meanwhile by another request
	}
	if m.cfg.Mode == ModeOff || m.tok.RefreshToken == "" {
		why := "InitiateOAuth=OFF never refreshes it: give a new OAuthAccessToken, or connect with InitiateOAuth=REFRESH and OAuthRefreshToken"
		if m.cfg.Mode != ModeOff {
			why = "there is no refresh token to renew it with: give OAuthRefreshToken, or authorize again"
		}
		return "", codedError(kerr.KindOAuthTokenInvalid, "CB_OA01",
			"kintone refused the OAuth access token (it has expired or was revoked); %s", why)
	}
	if err := m.refreshLocked(ctx, refused, refusedAt); err != nil {
		return "", err
	}
	return m.tok.AccessToken, nil
}

func notAuthorized() error {
	return kerr.New(kerr.KindOAuthNotAuthorized, "the connection has no OAuth access token yet, so it cannot read kintone: "+
		"authorize it with the stored procedures GetOAuthAuthorizationURL and GetOAuthAccessToken (the connection then uses "+
		"the new token), or connect with OAuthAccessToken, InitiateOAuth=REFRESH with OAuthVerifier or OAuthRefreshToken, "+
		"or InitiateOAuth=GETANDREFRESH")
}

func (m *Manager) knownExpired(t Token) bool {
	return !t.Expiry.IsZero() && !m.cfg.Now().Before(t.Expiry.Add(-expiryMargin))
}

// refreshLocked renews the current tokens. With a settings file it holds the file's lock, reads
// the file again and adopts a token another process obtained meanwhile instead of refreshing
// (refresh tokens rotate: refreshing twice with one would fail).
func (m *Manager) refreshLocked(ctx context.Context, refused string, refusedAt time.Time) error {
	if err := m.needClient("refreshing the OAuth token"); err != nil {
		return err
	}
	if !m.persistent() {
		t, err := m.refreshWith(ctx, m.tok.RefreshToken, m.tok, refusedAt)
		if err != nil {
			return err
		}
		m.tok = t
		return nil
	}
	path := m.cfg.SettingsPath
	return withFileLock(path, func() error {
		d, err := readStore(path)
		if err != nil {
			return err
		}
		old := m.tok
		if e := d.Entries[m.key()]; e != nil && e.AccessToken != "" && e.AccessToken != refused && e.AccessToken != old.AccessToken && !m.knownExpired(e.Token) {
			m.tok = e.Token // another process refreshed
			return nil
		} else if e != nil && e.RefreshToken != "" {
			old.RefreshToken = e.RefreshToken // the newest: every refresh is written here
		}
		t, err := m.refreshWith(ctx, old.RefreshToken, old, refusedAt)
		if err != nil {
			return err
		}
		m.tok = t
		seed := ""
		if e := d.Entries[m.key()]; e != nil {
			seed = e.Seed
		}
		m.storeEntry(d, seed)
		return writeStore(path, d)
	})
}

// persistLocked stores the current tokens (with REFRESH and GETANDREFRESH).
func (m *Manager) persistLocked(seed string) error {
	if !m.persistent() {
		return nil
	}
	path := m.cfg.SettingsPath
	return withFileLock(path, func() error {
		d, err := readStore(path)
		if err != nil {
			return err
		}
		m.storeEntry(d, seed)
		return writeStore(path, d)
	})
}

func (m *Manager) storeEntry(d *fileData, seed string) {
	d.Version = 1
	d.Entries[m.key()] = &entry{URL: m.cfg.BaseURL.String(), ClientID: m.cfg.ClientID, Seed: seed,
		Updated: m.cfg.Now().UTC(), Token: m.tok}
}

func (m *Manager) client() (*http.Client, error) {
	if m.hc == nil {
		return nil, kerr.New(kerr.KindInternal, "the OAuth manager has no HTTP client")
	}
	return m.hc, nil
}

// exchange trades an authorization code for tokens.
func (m *Manager) exchange(ctx context.Context, code, callback, what string) (Token, error) {
	if err := m.needClient("exchanging " + what); err != nil {
		return Token{}, err
	}
	hc, err := m.client()
	if err != nil {
		return Token{}, err
	}
	start := m.cfg.Now()
	t, err := m.oauth2Config(callback, "").Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), code)
	if err != nil {
		return Token{}, m.tokenError(err, "exchanging "+what+" for tokens", kerr.KindOAuthInvalidGrant,
			"the authorization code is invalid, expired, already used, or was issued for another client or CallbackURL; authorize again")
	}
	return m.fromOAuth2(t, Token{}, start), nil
}

// refreshWith asks for new tokens with refreshToken. prev is the token being replaced (for the
// error's diagnosis) and refusedAt when kintone refused it (zero: not refused, or unknown).
func (m *Manager) refreshWith(ctx context.Context, refreshToken string, prev Token, refusedAt time.Time) (Token, error) {
	hc, err := m.client()
	if err != nil {
		return Token{}, err
	}
	start := m.cfg.Now()
	src := m.oauth2Config(m.cfg.CallbackURL, "").TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc),
		&oauth2.Token{RefreshToken: refreshToken})
	t, err := src.Token()
	if err != nil {
		kind, advice := m.diagnose(prev, refusedAt)
		return Token{}, m.tokenError(err, "refreshing the OAuth access token", kind, advice)
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return m.fromOAuth2(t, prev, start), nil
}

// diagnose tells why a refresh token was refused from what is known about the access token it
// was to replace. kintone answers invalid_grant alike for expired, rotated and revoked refresh
// tokens, so the driver compares times on the server's clock: an access token refused before
// its own expiry was revoked (and with it, the grant); one refused after it had expired means
// the refresh token has expired too.
func (m *Manager) diagnose(prev Token, refusedAt time.Time) (kind kerr.Kind, advice string) {
	const again = "; authorize again (InitiateOAuth=GETANDREFRESH, or GetOAuthAuthorizationURL and GetOAuthAccessToken)"
	switch {
	case !prev.ServerExpiry.IsZero() && !refusedAt.IsZero() && refusedAt.Before(prev.ServerExpiry):
		return kerr.KindOAuthTokenRevoked, "kintone refused the access token before its expiry and refused the refresh token: " +
			"the authorization was revoked (by the user, an administrator, or because the client was changed)" + again
	case !prev.ServerExpiry.IsZero() && !refusedAt.IsZero(),
		!prev.Expiry.IsZero() && !m.cfg.Now().Before(prev.Expiry.Add(-expiryMargin)):
		return kerr.KindOAuthRefreshExpired, "the access token had expired and kintone refused the refresh token: it has " +
			"expired (or was revoked or rotated away while unused)" + again
	}
	return kerr.KindOAuthInvalidGrant, "the refresh token is invalid, expired, revoked or was already used (kintone rotates " +
		"refresh tokens: only the newest one works)" + again
}

func (m *Manager) fromOAuth2(t *oauth2.Token, prev Token, start time.Time) Token {
	out := Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, ExpiresIn: t.ExpiresIn}
	if s, ok := t.Extra("scope").(string); ok {
		out.Scope = s
	}
	if t.ExpiresIn > 0 {
		d := time.Duration(t.ExpiresIn) * time.Second
		out.Expiry = start.Add(d)
		m.dmu.Lock()
		if !m.lastDate.IsZero() {
			out.ServerExpiry = m.lastDate.Add(d)
		}
		m.dmu.Unlock()
	}
	return out
}

// IsGrantError reports whether err says the grant (code or refresh token) is no longer valid.
func IsGrantError(err error) bool {
	switch kerr.KindOf(err) {
	case kerr.KindOAuthInvalidGrant, kerr.KindOAuthTokenRevoked, kerr.KindOAuthRefreshExpired:
		return true
	}
	return false
}

// tokenError turns a token-endpoint failure into a *kerr.Error. invalid_grant gets grantKind
// and grantAdvice; the OAuth error string becomes the error's code.
func (m *Manager) tokenError(err error, doing string, grantKind kerr.Kind, grantAdvice string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		desc := strings.TrimSpace(re.ErrorDescription)
		switch re.ErrorCode {
		case "":
			status := 0
			if re.Response != nil {
				status = re.Response.StatusCode
			}
			return kerr.New(kerr.KindOAuthError, "%s: the token endpoint %s answered HTTP %d without an OAuth error "+
				"(is Url the kintone domain?)", doing, m.tokenURL(), status)
		case "invalid_client":
			return codedError(kerr.KindOAuthInvalidClient, "invalid_client", "%s: kintone refused the OAuth client credentials "+
				"(invalid_client%s): check OAuthClientId and OAuthClientSecret against the client registered in cybozu.com "+
				"administration", doing, m.describe(desc))
		case "invalid_grant":
			return codedError(grantKind, "invalid_grant", "%s: %s (invalid_grant%s)", doing, grantAdvice, m.describe(desc))
		}
		return codedError(kerr.KindOAuthError, sanitizeCode(re.ErrorCode), "%s: kintone answered %s%s", doing,
			m.cfg.Mask(re.ErrorCode), m.describe(desc))
	}
	if kerr.As(err) != nil {
		return err
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		msg = ue.Err.Error()
	}
	kind := kerr.KindNetwork
	if strings.Contains(msg, "certificate") {
		kind = kerr.KindTLSUntrustedServer
	}
	return kerr.Wrap(err, kind, "%s: cannot reach the token endpoint %s: %s", doing, m.tokenURL(), m.cfg.Mask(msg))
}

func (m *Manager) describe(desc string) string {
	if desc == "" {
		return ""
	}
	return ": " + m.cfg.Mask(desc)
}

func (m *Manager) tokenURL() string {
	return strings.TrimSuffix(m.cfg.BaseURL.String(), "/") + "/oauth2/token"
}

// oauthFailure is the error for an error redirect from the authorization endpoint.
func oauthFailure(code, desc, doing string) error {
	kind := kerr.KindOAuthError
	if code == "access_denied" {
		kind = kerr.KindOAuthAccessDenied
	}
	msg := doing + ": kintone answered " + code
	if desc != "" {
		msg += ": " + desc
	}
	return codedError(kind, sanitizeCode(code), "%s", msg)
}

// codedError is an error of kind whose code is the OAuth error string (or kintone's code).
func codedError(kind kerr.Kind, code, format string, args ...any) error {
	e := kerr.New(kind, format, args...)
	e.Code = code
	return e
}

// sanitizeCode keeps an OAuth error string usable as an error code ([A-Za-z0-9_]).
func sanitizeCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
