package kintonesim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

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

// AuthOAuth is the request-log authentication kind of OAuth access tokens.
const AuthOAuth = "oauth"

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

type oauthState struct {
	mu      sync.Mutex
	clients map[string]*OAuthClient
	codes   map[string]*oauthCode
	access  map[string]*oauthAccess
	refresh map[string]*oauthGrant // by the grant's current refresh token
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

// initOAuth registers the fixture's OAuth clients.
func (s *Server) initOAuth(clients []OAuthClient) error {
	o := &s.oauth
	o.clients = map[string]*OAuthClient{}
	o.codes = map[string]*oauthCode{}
	o.access = map[string]*oauthAccess{}
	o.refresh = map[string]*oauthGrant{}
	for i := range clients {
		c := clients[i]
		if c.ClientID == "" || c.ClientSecret == "" {
			return fmt.Errorf("kintonesim: oauthClients[%d]: clientId and clientSecret are required", i)
		}
		if _, dup := o.clients[c.ClientID]; dup {
			return fmt.Errorf("kintonesim: OAuth client %q listed twice", c.ClientID)
		}
		if len(c.RedirectURIs) == 0 {
			return fmt.Errorf("kintonesim: OAuth client %q has no redirectUris", c.ClientID)
		}
		for _, r := range c.RedirectURIs {
			if u, err := url.Parse(r); err != nil || !u.IsAbs() || u.Fragment != "" {
				return fmt.Errorf("kintonesim: OAuth client %q: redirect URI %q is not an absolute URL without fragment", c.ClientID, r)
			}
		}
		for _, sc := range c.Scopes {
			if !slices.Contains(AllScopes, sc) {
				return fmt.Errorf("kintonesim: OAuth client %q: unknown scope %q", c.ClientID, sc)
			}
		}
		for _, u := range c.Users {
			if s.users[u] == nil {
				return fmt.Errorf("kintonesim: OAuth client %q: unknown user %q", c.ClientID, u)
			}
		}
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		c.Scopes = slices.Clone(c.Scopes)
		c.Users = slices.Clone(c.Users)
		o.clients[c.ClientID] = &c
	}
	return nil
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

// serveOAuth answers /oauth2/authorization and /oauth2/token; it returns the OAuth error code
// sent, if any, for the request log.
func (s *Server) serveOAuth(w *statusWriter, q *request) string {
	switch q.r.URL.Path {
	case "/oauth2/authorization":
		return s.oauthAuthorize(w, q)
	case "/oauth2/token":
		return s.oauthToken(w, q)
	}
	e := &apiError{status: 404, code: "CB_NF01", msg: msgNotFound}
	s.writeError(w, q.lang, e)
	return e.code
}

// ---- authorization endpoint ----

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kintone simulator: authorize {{.ClientID}}</title></head>
<body>
<h1>Authorize {{.ClientID}}</h1>
<p>The application <b>{{.ClientID}}</b> asks for: {{range .Scopes}}<code>{{.}}</code> {{end}}</p>
{{if .Error}}<p id="error" style="color:#c00">{{.Error}}</p>{{end}}
<form method="post" action="/oauth2/authorization">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="scope" value="{{.Scope}}">
<p><label>Login name <input type="text" name="username" value="{{.Username}}" autocomplete="username"></label></p>
<p><label>Password <input type="password" name="password" autocomplete="current-password"></label></p>
<p><button type="submit" name="action" value="approve">Allow</button>
<button type="submit" name="action" value="deny">Deny</button></p>
</form>
</body></html>
`))

var badRequestPage = template.Must(template.New("bad").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kintone simulator: invalid OAuth request</title></head>
<body><h1>Invalid OAuth request</h1><p id="error">{{.}}</p></body></html>
`))

func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	t.Execute(w, data)
}

// redirectTo sends the user agent back to the client's redirect URI with the given parameters.
func redirectTo(w http.ResponseWriter, redirect string, params url.Values) {
	u, _ := url.Parse(redirect) // checked when the client was registered
	v := u.Query()
	for k, vals := range params {
		v[k] = vals
	}
	u.RawQuery = v.Encode()
	w.Header().Set("Location", u.String())
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}

// oauthAuthorize answers GET /oauth2/authorization with the login form and POST with the
// form's submission.
func (s *Server) oauthAuthorize(w *statusWriter, q *request) string {
	r := q.r
	var v url.Values
	switch r.Method {
	case http.MethodGet:
		v = r.URL.Query()
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			writeHTML(w, 400, badRequestPage, "The form could not be read.")
			return "invalid_request"
		}
		v = r.PostForm
	default:
		w.Header().Set("Allow", "GET, POST")
		writeHTML(w, 405, badRequestPage, "Use GET (the login form) or POST (its submission).")
		return "invalid_request"
	}
	clientID, redirect, state := v.Get("client_id"), v.Get("redirect_uri"), v.Get("state")
	s.oauth.mu.Lock()
	c := s.oauth.clients[clientID]
	s.oauth.mu.Unlock()
	if c == nil {
		writeHTML(w, 400, badRequestPage, "Unknown client_id.")
		return "invalid_client"
	}
	if !slices.Contains(c.RedirectURIs, redirect) {
		writeHTML(w, 400, badRequestPage, "redirect_uri is missing or not registered for this client.")
		return "invalid_request"
	}
	fail := func(code, desc string) string {
		p := url.Values{"error": {code}, "error_description": {desc}}
		if state != "" {
			p.Set("state", state)
		}
		redirectTo(w, redirect, p)
		return code
	}
	if v.Get("response_type") != "code" {
		return fail("unsupported_response_type", "response_type must be code.")
	}
	scopes, ok := parseScopes(v.Get("scope"), c.allowedScopes())
	if !ok {
		return fail("invalid_scope", "scope must list one or more scopes this client may use.")
	}
	form := map[string]any{"ClientID": clientID, "RedirectURI": redirect, "State": state,
		"Scope": strings.Join(scopes, " "), "Scopes": scopes}
	if r.Method == http.MethodGet {
		writeHTML(w, 200, loginPage, form)
		return ""
	}
	switch v.Get("action") {
	case "deny":
		return fail("access_denied", "The user denied the request.")
	case "approve":
	default:
		writeHTML(w, 400, badRequestPage, "action must be approve or deny.")
		return "invalid_request"
	}
	login, pass := v.Get("username"), v.Get("password")
	s.mu.RLock()
	u := s.users[login]
	s.mu.RUnlock()
	if u == nil || u.Password == "" || u.Password != pass {
		form["Username"] = login
		form["Error"] = "The login name or password is incorrect."
		writeHTML(w, 401, loginPage, form)
		return "login_failed"
	}
	if !c.allowsUser(u.Code) {
		return fail("access_denied", "The user may not use this client.")
	}
	code := newSecret()
	s.oauth.mu.Lock()
	s.oauth.codes[code] = &oauthCode{client: clientID, redirect: redirect, user: u.Code, scopes: scopes,
		expires: s.now().Add(authCodeTTL)}
	s.oauth.mu.Unlock()
	q.entry.User = u.Code
	p := url.Values{"code": {code}}
	if state != "" {
		p.Set("state", state)
	}
	redirectTo(w, redirect, p)
	return ""
}

// ---- token endpoint ----

// oauthError sends an OAuth error response and returns its code.
func oauthError(w http.ResponseWriter, status int, code, desc string) string {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	return code
}

// clientCredentials reads the client's credentials from HTTP Basic (unless the domain's Basic
// layer owns the Authorization header) or from the body.
func (s *Server) clientCredentials(r *http.Request) (id, secret string, basic bool, bad string) {
	bodyID, bodySecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if s.basic == nil {
		if u, p, ok := r.BasicAuth(); ok {
			// RFC 6749 form-encodes them first; most clients do not, so take them as they
			// come unless only the decoded form names a client.
			if _, known := s.oauth.clients[u]; !known {
				if du, err := url.QueryUnescape(u); err == nil {
					if dp, err := url.QueryUnescape(p); err == nil {
						u, p = du, dp
					}
				}
			}
			if (bodyID != "" && bodyID != u) || (bodySecret != "" && bodySecret != p) {
				return "", "", true, "The client credentials in the Authorization header and in the body differ."
			}
			return u, p, true, ""
		}
	}
	return bodyID, bodySecret, false, ""
}

// oauthToken answers POST /oauth2/token.
func (s *Server) oauthToken(w *statusWriter, q *request) string {
	r := q.r
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return oauthError(w, 405, "invalid_request", "The token endpoint accepts POST only.")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return oauthError(w, 400, "invalid_request", "The body must be application/x-www-form-urlencoded.")
	}
	if err := r.ParseForm(); err != nil {
		return oauthError(w, 400, "invalid_request", "The body could not be read.")
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauthExpire()
	id, secret, basic, bad := s.clientCredentials(r)
	if bad != "" {
		return oauthError(w, 400, "invalid_request", bad)
	}
	c := s.oauth.clients[id]
	if id == "" || c == nil || c.ClientSecret != secret {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="oauth2"`)
		}
		if id == "" {
			return oauthError(w, 401, "invalid_client", "Client authentication is required (HTTP Basic or client_id and client_secret).")
		}
		return oauthError(w, 401, "invalid_client", "Client authentication failed.")
	}
	form := r.PostForm
	now := s.now()
	switch gt := form.Get("grant_type"); gt {
	case "":
		return oauthError(w, 400, "invalid_request", "grant_type is required.")
	case "authorization_code":
		code, redirect := form.Get("code"), form.Get("redirect_uri")
		if code == "" || redirect == "" {
			return oauthError(w, 400, "invalid_request", "code and redirect_uri are required.")
		}
		ac := s.oauth.codes[code]
		switch {
		case ac == nil || !now.Before(ac.expires) || ac.client != id:
			return oauthError(w, 400, "invalid_grant", "The authorization code is invalid or has expired.")
		case ac.used:
			// A replayed code revokes what it was exchanged for (RFC 6749 §4.1.2).
			if ac.grant != nil {
				s.revokeGrant(ac.grant)
			}
			return oauthError(w, 400, "invalid_grant", "The authorization code has already been used.")
		case ac.redirect != redirect:
			return oauthError(w, 400, "invalid_grant", "redirect_uri does not match the authorization request.")
		}
		ac.used = true
		g := &oauthGrant{client: id, user: ac.user, scopes: ac.scopes}
		ac.grant = g
		q.entry.User = ac.user
		return s.writeTokens(w, s.issue(g, ac.scopes, now))
	case "refresh_token":
		rt := form.Get("refresh_token")
		if rt == "" {
			return oauthError(w, 400, "invalid_request", "refresh_token is required.")
		}
		g := s.oauth.refresh[rt]
		if g == nil || g.revoked || g.client != id || (!g.refreshExpires.IsZero() && !now.Before(g.refreshExpires)) {
			return oauthError(w, 400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
		}
		scopes := g.scopes
		if sc := form.Get("scope"); sc != "" {
			var ok bool
			if scopes, ok = parseScopes(sc, g.scopes); !ok {
				return oauthError(w, 400, "invalid_scope", "scope may only narrow the scopes of the grant.")
			}
		}
		q.entry.User = g.user
		return s.writeTokens(w, s.issue(g, scopes, now))
	default:
		return oauthError(w, 400, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported.", gt))
	}
}

// issue gives grant g a new access token and a new refresh token (the previous refresh token
// stops working). The caller holds oauth.mu.
func (s *Server) issue(g *oauthGrant, scopes []string, now time.Time) OAuthTokens {
	ttl := s.opts.AccessTokenTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	at := newSecret()
	s.oauth.access[at] = &oauthAccess{grant: g, scopes: scopes, expires: now.Add(ttl)}
	if g.refreshToken != "" {
		delete(s.oauth.refresh, g.refreshToken)
	}
	g.refreshToken = newSecret()
	g.refreshExpires = time.Time{}
	if s.opts.RefreshTokenTTL > 0 {
		g.refreshExpires = now.Add(s.opts.RefreshTokenTTL)
	}
	s.oauth.refresh[g.refreshToken] = g
	return OAuthTokens{AccessToken: at, TokenType: "Bearer", ExpiresIn: int64((ttl + time.Second - 1) / time.Second),
		RefreshToken: g.refreshToken, Scope: strings.Join(scopes, " ")}
}

func (s *Server) writeTokens(w http.ResponseWriter, t OAuthTokens) string {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(t)
	return ""
}

// revokeGrant ends a grant: its refresh token and every access token issued from it. The
// caller holds oauth.mu.
func (s *Server) revokeGrant(g *oauthGrant) {
	g.revoked = true
	delete(s.oauth.refresh, g.refreshToken)
	for k, a := range s.oauth.access {
		if a.grant == g {
			delete(s.oauth.access, k)
		}
	}
}

// oauthExpire forgets expired codes and tokens. The caller holds oauth.mu.
func (s *Server) oauthExpire() {
	now := s.now()
	for k, c := range s.oauth.codes {
		if !now.Before(c.expires) {
			delete(s.oauth.codes, k)
		}
	}
	for k, a := range s.oauth.access {
		if !now.Before(a.expires) {
			delete(s.oauth.access, k)
		}
	}
}

// ---- test helpers ----

// IssueOAuthTokens authorizes clientID for the user (code) with the given scopes (all the
// client may use when none are given), as if the user had approved the login form and the
// client had exchanged the code, and returns the token answer.
func (s *Server) IssueOAuthTokens(clientID, user string, scopes ...string) (OAuthTokens, error) {
	s.mu.RLock()
	u := s.users[user]
	s.mu.RUnlock()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	c := s.oauth.clients[clientID]
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
	return s.issue(g, sc, s.now()), nil
}

// RevokeOAuthToken revokes an access token or a refresh token. Revoking a refresh token ends
// its whole grant (the access tokens issued from it stop working too); revoking an access
// token ends that token only. It reports whether the token was known.
func (s *Server) RevokeOAuthToken(token string) bool {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	if g := s.oauth.refresh[token]; g != nil {
		s.revokeGrant(g)
		return true
	}
	if _, ok := s.oauth.access[token]; ok {
		delete(s.oauth.access, token)
		return true
	}
	return false
}

// RevokeOAuthGrants revokes every grant of a client ("" for any) to a user ("" for any), with
// their refresh and access tokens, and returns how many grants were revoked.
func (s *Server) RevokeOAuthGrants(clientID, user string) int {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	grants := map[*oauthGrant]bool{}
	for _, g := range s.oauth.refresh {
		grants[g] = true
	}
	for _, a := range s.oauth.access {
		grants[a.grant] = true
	}
	n := 0
	for g := range grants {
		if !g.revoked && (clientID == "" || g.client == clientID) && (user == "" || g.user == user) {
			s.revokeGrant(g)
			n++
		}
	}
	return n
}

// ---- resource access with access tokens ----

var (
	msgOAuthToken = text{
		"The OAuth access token is invalid, expired or revoked.",
		"OAuthのアクセストークンが無効か、有効期限切れか、失効しています。"}
	msgOAuthCursor = text{
		"The cursor API (records/cursor.json) cannot be used with OAuth access tokens. Use password or API token authentication, or read with records.json.",
		"カーソルAPI（records/cursor.json）はOAuthのアクセストークンでは利用できません。パスワード認証かAPIトークン認証を使うか、records.jsonで取得してください。"}
	msgOAuthBulk = text{
		"bulkRequest.json cannot be used with OAuth access tokens. Use password or API token authentication.",
		"bulkRequest.jsonはOAuthのアクセストークンでは利用できません。パスワード認証かAPIトークン認証を使ってください。"}
	msgOAuthAPI = text{
		"This API cannot be used with OAuth access tokens.",
		"このAPIはOAuthのアクセストークンでは利用できません。"}
)

func msgOAuthScope(scope string) text {
	return text{
		fmt.Sprintf("The OAuth access token does not have the scope %s that this API requires.", scope),
		fmt.Sprintf("OAuthのアクセストークンに、このAPIに必要なスコープ %s がありません。", scope)}
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// requiredScope returns the scope a kintone API needs under OAuth, or the reason it cannot be
// used with OAuth at all.
func requiredScope(q *request) (string, *text) {
	if !strings.HasPrefix(q.r.URL.Path, "/k/") {
		return "", &msgOAuthAPI
	}
	read := q.method == http.MethodGet
	pick := func(r, w string) (string, *text) {
		if read {
			return r, nil
		}
		return w, nil
	}
	res := q.resource
	switch {
	case res == "records/cursor":
		return "", &msgOAuthCursor
	case res == "bulkRequest":
		return "", &msgOAuthBulk
	case q.preview, res == "app", res == "apps", strings.HasPrefix(res, "app/"):
		return pick(ScopeSettingsRead, ScopeSettingsWrite)
	case res == "file":
		return pick(ScopeFileRead, ScopeFileWrite)
	case res == "record", res == "records", strings.HasPrefix(res, "record/"), strings.HasPrefix(res, "records/"):
		return pick(ScopeRecordRead, ScopeRecordWrite)
	}
	return "", &msgOAuthAPI
}

// authenticateBearer checks an OAuth access token and the scope the API needs.
func (s *Server) authenticateBearer(q *request, token string) *apiError {
	q.entry.Auth = AuthOAuth
	now := s.now()
	s.oauth.mu.Lock()
	a := s.oauth.access[token]
	var user string
	var scopes []string
	if a != nil && !a.grant.revoked && now.Before(a.expires) {
		user, scopes = a.grant.user, a.scopes
	}
	s.oauth.mu.Unlock()
	if user == "" {
		if q.w != nil {
			q.w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
		return &apiError{status: 401, code: "CB_OA01", msg: msgOAuthToken}
	}
	s.mu.RLock()
	idx, _ := s.dir.lookup(kindUser, user)
	s.mu.RUnlock()
	q.auth = authInfo{kind: AuthOAuth, user: idx, login: user}
	q.entry.User = user
	scope, refused := requiredScope(q)
	if refused != nil {
		return &apiError{status: 403, code: "CB_OA01", msg: *refused}
	}
	if !slices.Contains(scopes, scope) {
		if q.w != nil {
			q.w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope=%q`, scope))
		}
		return &apiError{status: 403, code: "CB_OA01", msg: msgOAuthScope(scope)}
	}
	return nil
}
