package kintonesim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// OAuth 2.0 as the store keeps it: registered clients, authorization codes, and grants with
// their access and refresh tokens. The /oauth2/ endpoints are api_oauth.go; access tokens are
// checked by authenticate (auth.go).

// The OAuth scopes of kintone.
const (
	ScopeRecordRead    = "k:app_record:read"
	ScopeRecordWrite   = "k:app_record:write"
	ScopeSettingsRead  = "k:app_settings:read"
	ScopeSettingsWrite = "k:app_settings:write"
	ScopeFileRead      = "k:file:read"
	ScopeFileWrite     = "k:file:write"
)

// AllScopes lists kintone's OAuth scopes.
var AllScopes = []string{ScopeRecordRead, ScopeRecordWrite, ScopeSettingsRead, ScopeSettingsWrite, ScopeFileRead, ScopeFileWrite}

// authCodeTTL is the lifetime of an authorization code.
const authCodeTTL = 10 * time.Minute

// OAuthClient is an OAuth client registered in the domain (fixture key "oauthClients").
type OAuthClient struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	// RedirectURIs are the registered redirect URIs; redirect_uri must equal one of them exactly.
	RedirectURIs []string `json:"redirectUris"`
	// Scopes the client may be granted; empty means all of kintone's scopes.
	Scopes []string `json:"scopes,omitempty"`
	// Users who may authorize the client (user codes); empty means every user with a password.
	Users []string `json:"users,omitempty"`
}

// OAuthTokens is a token endpoint answer.
type OAuthTokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// oauthStore holds the domain's OAuth clients, authorization codes and grants with their
// tokens. It has its own lock.
type oauthStore struct {
	mu         sync.Mutex
	clients    map[string]*OAuthClient
	codes      map[string]*oauthCode
	access     map[string]*oauthAccess
	refresh    map[string]*oauthGrant // by the grant's current refresh token
	accessTTL  time.Duration          // an access token's lifetime (Options.AccessTokenTTL)
	refreshTTL time.Duration          // a refresh token's lifetime (Options.RefreshTokenTTL); 0: none
}

// oauthGrant is one authorization of a client by a user: the refresh token and the access
// tokens issued from it.
type oauthGrant struct {
	client         string
	user           string
	scopes         []string
	refreshToken   string
	refreshExpires time.Time // zero: never
	revoked        bool
}

type oauthAccess struct {
	grant   *oauthGrant
	scopes  []string
	expires time.Time
}

type oauthCode struct {
	client, redirect, user string
	scopes                 []string
	expires                time.Time
	used                   bool
	grant                  *oauthGrant // issued from this code
}

// newOAuthStore registers the fixture's OAuth clients; users are the domain's.
func newOAuthStore(clients []OAuthClient, users map[string]*User, opts Options) (*oauthStore, error) {
	o := &oauthStore{clients: map[string]*OAuthClient{}, codes: map[string]*oauthCode{},
		access: map[string]*oauthAccess{}, refresh: map[string]*oauthGrant{},
		accessTTL: opts.AccessTokenTTL, refreshTTL: opts.RefreshTokenTTL}
	if o.accessTTL <= 0 {
		o.accessTTL = time.Hour
	}
	for i := range clients {
		c := clients[i]
		if c.ClientID == "" || c.ClientSecret == "" {
			return nil, fmt.Errorf("kintonesim: oauthClients[%d]: clientId and clientSecret are required", i)
		}
		if _, dup := o.clients[c.ClientID]; dup {
			return nil, fmt.Errorf("kintonesim: OAuth client %q listed twice", c.ClientID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("kintonesim: OAuth client %q has no redirectUris", c.ClientID)
		}
		for _, r := range c.RedirectURIs {
			if u, err := url.Parse(r); err != nil || !u.IsAbs() || u.Fragment != "" {
				return nil, fmt.Errorf("kintonesim: OAuth client %q: redirect URI %q is not an absolute URL without fragment", c.ClientID, r)
			}
		}
		for _, sc := range c.Scopes {
			if !slices.Contains(AllScopes, sc) {
				return nil, fmt.Errorf("kintonesim: OAuth client %q: unknown scope %q", c.ClientID, sc)
			}
		}
		for _, u := range c.Users {
			if users[u] == nil {
				return nil, fmt.Errorf("kintonesim: OAuth client %q: unknown user %q", c.ClientID, u)
			}
		}
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		c.Scopes = slices.Clone(c.Scopes)
		c.Users = slices.Clone(c.Users)
		o.clients[c.ClientID] = &c
	}
	return o, nil
}

func (c *OAuthClient) allowedScopes() []string {
	if len(c.Scopes) == 0 {
		return AllScopes
	}
	return c.Scopes
}

func (c *OAuthClient) allowsUser(code string) bool {
	return len(c.Users) == 0 || slices.Contains(c.Users, code)
}

// parseScopes reads a space-separated scope list, keeping the first occurrence of each; every
// scope must be among allowed. An empty list is refused.
func parseScopes(text string, allowed []string) ([]string, bool) {
	var out []string
	for _, sc := range strings.Fields(text) {
		if !slices.Contains(allowed, sc) {
			return nil, false
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, len(out) > 0
}

func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// issue gives grant g a new access token and a new refresh token (the previous refresh token
// stops working). The caller holds o.mu.
func (o *oauthStore) issue(g *oauthGrant, scopes []string, now time.Time) OAuthTokens {
	ttl := o.accessTTL
	at := newSecret()
	o.access[at] = &oauthAccess{grant: g, scopes: scopes, expires: now.Add(ttl)}
	if g.refreshToken != "" {
		delete(o.refresh, g.refreshToken)
	}
	g.refreshToken = newSecret()
	g.refreshExpires = time.Time{}
	if o.refreshTTL > 0 {
		g.refreshExpires = now.Add(o.refreshTTL)
	}
	o.refresh[g.refreshToken] = g
	return OAuthTokens{AccessToken: at, TokenType: "Bearer", ExpiresIn: int64((ttl + time.Second - 1) / time.Second),
		RefreshToken: g.refreshToken, Scope: strings.Join(scopes, " ")}
}

// revokeGrant ends a grant: its refresh token and every access token issued from it. The
// caller holds o.mu.
func (o *oauthStore) revokeGrant(g *oauthGrant) {
	g.revoked = true
	delete(o.refresh, g.refreshToken)
	for k, a := range o.access {
		if a.grant == g {
			delete(o.access, k)
		}
	}
}

// expire forgets expired codes and tokens. The caller holds o.mu.
func (o *oauthStore) expire(now time.Time) {
	for k, c := range o.codes {
		if !now.Before(c.expires) {
			delete(o.codes, k)
		}
	}
	for k, a := range o.access {
		if !now.Before(a.expires) {
			delete(o.access, k)
		}
	}
}

// ---- test helpers ----

// IssueOAuthTokens authorizes clientID for the user (code) with the given scopes (all the
// client may use when none are given), as if the user had approved the login form and the
// client had exchanged the code, and returns the token answer.
func (s *Server) IssueOAuthTokens(clientID, user string, scopes ...string) (OAuthTokens, error) {
	st := s.st
	st.mu.RLock()
	u := st.users[user]
	st.mu.RUnlock()
	o := st.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.clients[clientID]
	if c == nil {
		return OAuthTokens{}, fmt.Errorf("kintonesim: unknown OAuth client %q", clientID)
	}
	if u == nil {
		return OAuthTokens{}, fmt.Errorf("kintonesim: unknown user %q", user)
	}
	if len(scopes) == 0 {
		scopes = c.allowedScopes()
	}
	sc, ok := parseScopes(strings.Join(scopes, " "), c.allowedScopes())
	if !ok {
		return OAuthTokens{}, fmt.Errorf("kintonesim: client %q may not use scopes %q", clientID, scopes)
	}
	g := &oauthGrant{client: clientID, user: u.Code, scopes: sc}
	return o.issue(g, sc, st.now()), nil
}

// RevokeOAuthToken revokes an access token or a refresh token. Revoking a refresh token ends
// its whole grant (the access tokens issued from it stop working too); revoking an access
// token ends that token only. It reports whether the token was known.
func (s *Server) RevokeOAuthToken(token string) bool {
	o := s.st.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	if g := o.refresh[token]; g != nil {
		o.revokeGrant(g)
		return true
	}
	if _, ok := o.access[token]; ok {
		delete(o.access, token)
		return true
	}
	return false
}

// RevokeOAuthGrants revokes every grant of a client ("" for any) to a user ("" for any), with
// their refresh and access tokens, and returns how many grants were revoked.
func (s *Server) RevokeOAuthGrants(clientID, user string) int {
	o := s.st.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	grants := map[*oauthGrant]bool{}
	for _, g := range o.refresh {
		grants[g] = true
	}
	for _, a := range o.access {
		grants[a.grant] = true
	}
	n := 0
	for g := range grants {
		if !g.revoked && (clientID == "" || g.client == clientID) && (user == "" || g.user == user) {
			o.revokeGrant(g)
			n++
		}
	}
	return n
}
