package kintonesim

import (
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// oauthAPI answers the OAuth 2.0 endpoints: /oauth2/authorization (the login form and its
// submission) and /oauth2/token (authorization-code and refresh-token grants). They speak OAuth,
// not kintone's API: no kintone parameters or authentication, HTML pages, redirects and OAuth
// error objects; each returns the error code it sent, for the request log.
type oauthAPI struct {
	*store
	basicLayer bool // the domain's Basic layer owns the Authorization header
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

// authorize answers GET /oauth2/authorization with the login form and POST with the
// form's submission.
func (a oauthAPI) authorize(w *statusWriter, q *request) string {
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
	a.oauth.mu.Lock()
	c := a.oauth.clients[clientID]
	a.oauth.mu.Unlock()
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
	a.mu.RLock()
	u := a.users[login]
	a.mu.RUnlock()
	if !u.logsIn(pass) {
		form["Username"] = login
		form["Error"] = "The login name or password is incorrect."
		writeHTML(w, 401, loginPage, form)
		return "login_failed"
	}
	if !c.allowsUser(u.Code) {
		return fail("access_denied", "The user may not use this client.")
	}
	code := newSecret()
	a.oauth.mu.Lock()
	a.oauth.codes[code] = &oauthCode{client: clientID, redirect: redirect, user: u.Code, scopes: scopes,
		expires: a.now().Add(authCodeTTL)}
	a.oauth.mu.Unlock()
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
func (a oauthAPI) clientCredentials(r *http.Request) (id, secret string, basic bool, bad string) {
	bodyID, bodySecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if !a.basicLayer {
		if u, p, ok := r.BasicAuth(); ok {
			// RFC 6749 form-encodes them first; most clients do not, so take them as they
			// come unless only the decoded form names a client.
			if _, known := a.oauth.clients[u]; !known {
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

// token answers POST /oauth2/token.
func (a oauthAPI) token(w *statusWriter, q *request) string {
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
	a.oauth.mu.Lock()
	defer a.oauth.mu.Unlock()
	a.oauth.expire(a.now())
	id, secret, basic, bad := a.clientCredentials(r)
	if bad != "" {
		return oauthError(w, 400, "invalid_request", bad)
	}
	c := a.oauth.clients[id]
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
	now := a.now()
	switch gt := form.Get("grant_type"); gt {
	case "":
		return oauthError(w, 400, "invalid_request", "grant_type is required.")
	case "authorization_code":
		code, redirect := form.Get("code"), form.Get("redirect_uri")
		if code == "" || redirect == "" {
			return oauthError(w, 400, "invalid_request", "code and redirect_uri are required.")
		}
		ac := a.oauth.codes[code]
		switch {
		case ac == nil || !now.Before(ac.expires) || ac.client != id:
			return oauthError(w, 400, "invalid_grant", "The authorization code is invalid or has expired.")
		case ac.used:
			// A replayed code revokes what it was exchanged for (RFC 6749 §4.1.2).
			if ac.grant != nil {
				a.oauth.revokeGrant(ac.grant)
			}
			return oauthError(w, 400, "invalid_grant", "The authorization code has already been used.")
		case ac.redirect != redirect:
			return oauthError(w, 400, "invalid_grant", "redirect_uri does not match the authorization request.")
		}
		ac.used = true
		g := &oauthGrant{client: id, user: ac.user, scopes: ac.scopes}
		ac.grant = g
		q.entry.User = ac.user
		return writeTokens(w, a.oauth.issue(g, ac.scopes, now))
	case "refresh_token":
		rt := form.Get("refresh_token")
		if rt == "" {
			return oauthError(w, 400, "invalid_request", "refresh_token is required.")
		}
		g := a.oauth.refresh[rt]
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
		return writeTokens(w, a.oauth.issue(g, scopes, now))
	default:
		return oauthError(w, 400, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported.", gt))
	}
}

// writeTokens sends a token answer.
func writeTokens(w http.ResponseWriter, t OAuthTokens) string {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(t)
	return ""
}
