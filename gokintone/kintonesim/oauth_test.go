package kintonesim_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

const (
	cbURI   = "http://localhost:8765/callback"
	cbURI2  = "https://app.example.com/cb?tenant=7"
	oaUser  = "sato"
	oaPass  = "pw-sato"
	oaID    = "sim-client"
	oaSec   = "sim-secret"
	oaScope = "k:app_record:read k:app_settings:read"
)

// oauthFixture is a small domain with one app and two OAuth clients.
func oauthFixture() *kintonesim.Fixture {
	return &kintonesim.Fixture{
		Users: []kintonesim.User{{Code: "admin", Name: "Admin", Password: "pw-admin"}, {Code: oaUser, Name: "Sato", Password: oaPass},
			{Code: "suzuki", Name: "Suzuki", Password: "pw-suzuki"}},
		Apps: []kintonesim.App{{ID: 1, Name: "Tasks", Fields: map[string]kintonesim.FieldProperty{
			"title": {Type: "SINGLE_LINE_TEXT"}},
			APITokens: []kintonesim.APIToken{{Token: "tasks-view", View: true}},
			Records:   []kintonesim.RecordInput{{"title": {Value: "first"}}}}},
		OAuthClients: []kintonesim.OAuthClient{
			{ClientID: oaID, ClientSecret: oaSec, RedirectURIs: []string{cbURI, cbURI2}},
			{ClientID: "narrow", ClientSecret: "narrow-secret", RedirectURIs: []string{cbURI},
				Scopes: []string{kintonesim.ScopeRecordRead}, Users: []string{"suzuki"}},
		},
	}
}

func formHeaders(extra ...string) map[string]string {
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

func basicHdr(u, p string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func authzURL(client, redirect, state, scope string) string {
	v := url.Values{"client_id": {client}, "redirect_uri": {redirect}, "state": {state},
		"response_type": {"code"}, "scope": {scope}}
	return "/oauth2/authorization?" + v.Encode()
}

// login submits the login form and returns the redirect's query.
func login(t *testing.T, s *kintonesim.Server, client, redirect, state, scope, user, pass, action string) (resp, url.Values) {
	t.Helper()
	v := url.Values{"client_id": {client}, "redirect_uri": {redirect}, "state": {state}, "response_type": {"code"},
		"scope": {scope}, "username": {user}, "password": {pass}, "action": {action}}
	r := call(t, s, "POST", "/oauth2/authorization", v.Encode(), formHeaders())
	if r.status != 302 {
		return r, nil
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return r, loc.Query()
}

func tokenReq(t *testing.T, s *kintonesim.Server, v url.Values, headers ...string) resp {
	t.Helper()
	return call(t, s, "POST", "/oauth2/token", v.Encode(), formHeaders(headers...))
}

// wantOAuthError checks an OAuth error answer exactly.
func wantOAuthError(t *testing.T, r resp, status int, code, desc string) {
	t.Helper()
	want := `{"error":"` + code + `","error_description":"` + desc + `"}` + "\n"
	if r.status != status || r.raw != want {
		t.Fatalf("got %d %q, want %d %q", r.status, r.raw, status, want)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
}

// authorize runs the whole code flow for sato and returns the tokens.
func authorize(t *testing.T, s *kintonesim.Server, scope string) kintonesim.OAuthTokens {
	t.Helper()
	_, got := login(t, s, oaID, cbURI, "st", scope, oaUser, oaPass, "approve")
	r := tokenReq(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")}, "redirect_uri": {cbURI}},
		"Authorization", basicHdr(oaID, oaSec))
	wantOK(t, r)
	return tokensOf(t, r)
}

func tokensOf(t *testing.T, r resp) kintonesim.OAuthTokens {
	t.Helper()
	var o kintonesim.OAuthTokens
	o.AccessToken, _ = r.body["access_token"].(string)
	o.RefreshToken, _ = r.body["refresh_token"].(string)
	o.TokenType, _ = r.body["token_type"].(string)
	o.Scope, _ = r.body["scope"].(string)
	if n, ok := r.body["expires_in"].(interface{ Int64() (int64, error) }); ok {
		o.ExpiresIn, _ = n.Int64()
	}
	if o.AccessToken == "" || o.RefreshToken == "" || len(r.body) != 5 {
		t.Fatalf("token answer %s", r.raw)
	}
	return o
}

func TestOAuthAuthorizationPage(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	r := call(t, s, "GET", authzURL(oaID, cbURI, "xyz", oaScope), nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("form: %d %v", r.status, r.header)
	}
	for _, want := range []string{`<form method="post" action="/oauth2/authorization">`,
		`name="client_id" value="sim-client"`, `name="redirect_uri" value="http://localhost:8765/callback"`,
		`name="state" value="xyz"`, `name="scope" value="k:app_record:read k:app_settings:read"`,
		`name="username"`, `name="password"`, `name="action" value="approve"`, `name="action" value="deny"`} {
		if !strings.Contains(r.raw, want) {
			t.Errorf("form lacks %s:\n%s", want, r.raw)
		}
	}
	// Unknown client, unregistered redirect: a 400 page, no redirect.
	for _, u := range []string{authzURL("nope", cbURI, "x", oaScope), authzURL(oaID, "http://evil.example/cb", "x", oaScope),
		authzURL(oaID, "", "x", oaScope), authzURL(oaID, cbURI+"/", "x", oaScope)} {
		r := call(t, s, "GET", u, nil, nil)
		if r.status != 400 || r.header.Get("Location") != "" || !strings.Contains(r.raw, "Invalid OAuth request") {
			t.Errorf("%s: %d %q", u, r.status, r.raw)
		}
	}
	// Errors the client should hear about go back to its redirect URI.
	loc := func(u string) string {
		r := call(t, s, "GET", u, nil, nil)
		if r.status != 302 {
			t.Fatalf("%s: %d %s", u, r.status, r.raw)
		}
		return r.header.Get("Location")
	}
	u := authzURL(oaID, cbURI, "xyz", oaScope)
	if got := loc(strings.Replace(u, "response_type=code", "response_type=token", 1)); got != cbURI+"?error=unsupported_response_type&error_description=response_type+must+be+code.&state=xyz" {
		t.Errorf("response_type: %s", got)
	}
	if got := loc(authzURL(oaID, cbURI, "xyz", "k:app_record:read k:bogus")); got != cbURI+"?error=invalid_scope&error_description=scope+must+list+one+or+more+scopes+this+client+may+use.&state=xyz" {
		t.Errorf("bad scope: %s", got)
	}
	if got := loc(authzURL("narrow", cbURI, "", kintonesim.ScopeRecordWrite)); !strings.Contains(got, "error=invalid_scope") || strings.Contains(got, "state=") {
		t.Errorf("scope beyond the client's: %s", got)
	}
	if got := loc(authzURL(oaID, cbURI, "xyz", "")); !strings.Contains(got, "error=invalid_scope") {
		t.Errorf("no scope: %s", got)
	}
}

func TestOAuthLogin(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	// Wrong password: the form again, with an error and the login name kept.
	r, _ := login(t, s, oaID, cbURI, "xyz", oaScope, oaUser, "wrong", "approve")
	if r.status != 401 || !strings.Contains(r.raw, "The login name or password is incorrect.") || !strings.Contains(r.raw, `name="username" value="sato"`) {
		t.Errorf("wrong password: %d %s", r.status, r.raw)
	}
	r, _ = login(t, s, oaID, cbURI, "xyz", oaScope, "nobody", oaPass, "approve")
	if r.status != 401 {
		t.Errorf("unknown user: %d", r.status)
	}
	r, _ = login(t, s, oaID, cbURI, "xyz", oaScope, oaUser, oaPass, "")
	if r.status != 400 {
		t.Errorf("no action: %d", r.status)
	}
	// Denied.
	r, got := login(t, s, oaID, cbURI, "xyz", oaScope, "", "", "deny")
	if r.header.Get("Location") != cbURI+"?error=access_denied&error_description=The+user+denied+the+request.&state=xyz" {
		t.Errorf("deny: %d %s", r.status, r.header.Get("Location"))
	}
	// A user the client is not granted to.
	_, got = login(t, s, "narrow", cbURI, "s1", kintonesim.ScopeRecordRead, oaUser, oaPass, "approve")
	if got.Get("error") != "access_denied" || got.Get("state") != "s1" {
		t.Errorf("user not allowed: %v", got)
	}
	// Approved: code and state, keeping the redirect URI's own query.
	r, got = login(t, s, oaID, cbURI2, "abc", oaScope, oaUser, oaPass, "approve")
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "https://app.example.com/cb?code=") || got.Get("state") != "abc" || got.Get("tenant") != "7" || len(got.Get("code")) < 40 {
		t.Errorf("approve: %s", loc)
	}
	if l := s.Requests(); l[len(l)-1].User != oaUser || l[len(l)-1].Status != 302 {
		t.Errorf("log %+v", l[len(l)-1])
	}
}

func TestOAuthTokenExchange(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	_, got := login(t, s, oaID, cbURI, "xyz", oaScope, oaUser, oaPass, "approve")
	code := got.Get("code")
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cbURI}}

	// Client authentication.
	wantOAuthError(t, tokenReq(t, s, exchange), 401, "invalid_client",
		"Client authentication is required (HTTP Basic or client_id and client_secret).")
	r := tokenReq(t, s, exchange, "Authorization", basicHdr(oaID, "wrong"))
	wantOAuthError(t, r, 401, "invalid_client", "Client authentication failed.")
	if r.header.Get("WWW-Authenticate") != `Basic realm="oauth2"` {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	wrongBody := url.Values{"client_id": {oaID}, "client_secret": {"wrong"}}
	for k, v := range exchange {
		wrongBody[k] = v
	}
	wantOAuthError(t, tokenReq(t, s, wrongBody), 401, "invalid_client", "Client authentication failed.")
	wantOAuthError(t, tokenReq(t, s, wrongBody, "Authorization", basicHdr(oaID, oaSec)), 400, "invalid_request",
		"The client credentials in the Authorization header and in the body differ.")
	// Request shape.
	wantOAuthError(t, call(t, s, "POST", "/oauth2/token", exchange.Encode(), map[string]string{"Authorization": basicHdr(oaID, oaSec)}),
		400, "invalid_request", "The body must be application/x-www-form-urlencoded.")
	wantOAuthError(t, call(t, s, "GET", "/oauth2/token?"+exchange.Encode(), nil, nil), 405, "invalid_request", "The token endpoint accepts POST only.")
	wantOAuthError(t, tokenReq(t, s, url.Values{"code": {code}}, "Authorization", basicHdr(oaID, oaSec)), 400, "invalid_request", "grant_type is required.")
	wantOAuthError(t, tokenReq(t, s, url.Values{"grant_type": {"password"}}, "Authorization", basicHdr(oaID, oaSec)), 400,
		"unsupported_grant_type", `grant_type \"password\" is not supported.`)
	wantOAuthError(t, tokenReq(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code}}, "Authorization", basicHdr(oaID, oaSec)),
		400, "invalid_request", "code and redirect_uri are required.")
	// The code is bound to its client and redirect URI; failed attempts do not use it up.
	wantOAuthError(t, tokenReq(t, s, exchange, "Authorization", basicHdr("narrow", "narrow-secret")), 400, "invalid_grant",
		"The authorization code is invalid or has expired.")
	other := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cbURI2}}
	wantOAuthError(t, tokenReq(t, s, other, "Authorization", basicHdr(oaID, oaSec)), 400, "invalid_grant",
		"redirect_uri does not match the authorization request.")
	bad := url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {cbURI}}
	wantOAuthError(t, tokenReq(t, s, bad, "Authorization", basicHdr(oaID, oaSec)), 400, "invalid_grant",
		"The authorization code is invalid or has expired.")

	// Credentials in the body work as well as Basic.
	body := url.Values{"client_id": {oaID}, "client_secret": {oaSec}}
	for k, v := range exchange {
		body[k] = v
	}
	r = tokenReq(t, s, body)
	wantOK(t, r)
	tk := tokensOf(t, r)
	if tk.TokenType != "Bearer" || tk.ExpiresIn != 3600 || tk.Scope != oaScope || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("tokens %+v %v", tk, r.header)
	}
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken)))

	// Single use: a replay fails and revokes what the code gave.
	wantOAuthError(t, tokenReq(t, s, exchange, "Authorization", basicHdr(oaID, oaSec)), 400, "invalid_grant",
		"The authorization code has already been used.")
	wantError(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken)), 401, "CB_OA01")
	wantOAuthError(t, tokenReq(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tk.RefreshToken}},
		"Authorization", basicHdr(oaID, oaSec)), 400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
	if st := s.Stats(); st.ByCode["invalid_grant"] != 5 {
		t.Errorf("stats %v", st.ByCode)
	}
}

func TestOAuthCodeExpiry(t *testing.T) {
	clock := kintonesim.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s := newServer(t, oauthFixture(), kintonesim.Options{Now: clock.Now})
	_, got := login(t, s, oaID, cbURI, "x", oaScope, oaUser, oaPass, "approve")
	clock.Advance(10 * time.Minute)
	wantOAuthError(t, tokenReq(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")}, "redirect_uri": {cbURI}},
		"Authorization", basicHdr(oaID, oaSec)), 400, "invalid_grant", "The authorization code is invalid or has expired.")
	_, got = login(t, s, oaID, cbURI, "x", oaScope, oaUser, oaPass, "approve")
	clock.Advance(10*time.Minute - time.Second)
	wantOK(t, tokenReq(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {got.Get("code")}, "redirect_uri": {cbURI}},
		"Authorization", basicHdr(oaID, oaSec)))
}

func TestOAuthRefresh(t *testing.T) {
	clock := kintonesim.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s := newServer(t, oauthFixture(), kintonesim.Options{Now: clock.Now, AccessTokenTTL: 90 * time.Second, RefreshTokenTTL: 24 * time.Hour})
	tk := authorize(t, s, oaScope)
	if tk.ExpiresIn != 90 {
		t.Errorf("expires_in %d", tk.ExpiresIn)
	}
	refresh := func(rt string, extra ...string) resp {
		v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return tokenReq(t, s, v, "Authorization", basicHdr(oaID, oaSec))
	}
	r := refresh(tk.RefreshToken)
	wantOK(t, r)
	tk2 := tokensOf(t, r)
	if tk2.AccessToken == tk.AccessToken || tk2.RefreshToken == tk.RefreshToken || tk2.Scope != oaScope {
		t.Errorf("rotation: %+v -> %+v", tk, tk2)
	}
	// The old refresh token is spent; the old access token lives on until it expires.
	wantOAuthError(t, refresh(tk.RefreshToken), 400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken)))
	// Another client cannot use it; scope can only narrow.
	r = tokenReq(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tk2.RefreshToken}}, "Authorization", basicHdr("narrow", "narrow-secret"))
	wantOAuthError(t, r, 400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
	wantOAuthError(t, refresh(tk2.RefreshToken, "scope", kintonesim.ScopeRecordWrite), 400, "invalid_scope", "scope may only narrow the scopes of the grant.")
	wantOAuthError(t, refresh("", "scope", kintonesim.ScopeRecordWrite), 400, "invalid_request", "refresh_token is required.")
	r = refresh(tk2.RefreshToken, "scope", kintonesim.ScopeRecordRead)
	wantOK(t, r)
	tk3 := tokensOf(t, r)
	if tk3.Scope != kintonesim.ScopeRecordRead {
		t.Errorf("narrowed scope %q", tk3.Scope)
	}
	wantError(t, call(t, s, "GET", "/k/v1/app.json?id=1", nil, bearer(tk3.AccessToken)), 403, "CB_OA01")
	// The grant keeps its scopes for the next refresh.
	r = refresh(tk3.RefreshToken)
	wantOK(t, r)
	tk4 := tokensOf(t, r)
	if tk4.Scope != oaScope {
		t.Errorf("scope after narrowing %q", tk4.Scope)
	}
	// Access tokens expire after AccessTokenTTL (401), refresh tokens after RefreshTokenTTL.
	clock.Advance(90 * time.Second)
	r = call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk4.AccessToken))
	wantError(t, r, 401, "CB_OA01")
	if r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	r = refresh(tk4.RefreshToken)
	wantOK(t, r)
	tk5 := tokensOf(t, r)
	wantOK(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk5.AccessToken)))
	clock.Advance(24 * time.Hour)
	wantOAuthError(t, refresh(tk5.RefreshToken), 400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
}

func TestOAuthBearerScopes(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	rd := authorize(t, s, kintonesim.ScopeRecordRead)
	all := authorize(t, s, strings.Join(kintonesim.AllScopes, " "))
	rec := map[string]any{"app": 1, "record": map[string]any{"title": map[string]any{"value": "by oauth"}}}

	r := call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(rd.AccessToken))
	wantOK(t, r)
	if l := s.Requests(); l[len(l)-1].Auth != kintonesim.AuthOAuth || l[len(l)-1].User != oaUser {
		t.Errorf("log %+v", l[len(l)-1])
	}
	wantOK(t, call(t, s, "GET", "/k/v1/record.json?app=1&id=1", nil, bearer(rd.AccessToken)))
	// Missing scope: 403 CB_OA01, naming the scope.
	r = call(t, s, "POST", "/k/v1/record.json", rec, bearer(rd.AccessToken))
	wantError(t, r, 403, "CB_OA01")
	if r.body["message"] != "The OAuth access token does not have the scope k:app_record:write that this API requires." ||
		r.header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope", scope="k:app_record:write"` {
		t.Errorf("scope error %s %v", r.raw, r.header)
	}
	for _, u := range []string{"/k/v1/app.json?id=1", "/k/v1/apps.json", "/k/v1/app/form/fields.json?app=1", "/k/v1/preview/app/form/fields.json?app=1"} {
		wantError(t, call(t, s, "GET", u, nil, bearer(rd.AccessToken)), 403, "CB_OA01")
		wantOK(t, call(t, s, "GET", u, nil, bearer(all.AccessToken)))
	}
	// A write acts as the authorizing user.
	r = call(t, s, "POST", "/k/v1/record.json", rec, bearer(all.AccessToken))
	wantOK(t, r)
	r = call(t, s, "GET", "/k/v1/record.json?app=1&id="+r.body["id"].(string), nil, bearer(all.AccessToken))
	if c := val(r.body["record"].(map[string]any), "作成者").(map[string]any); c["code"] != oaUser {
		t.Errorf("creator %v", c)
	}
	// Cursor API and bulkRequest refuse OAuth whatever the scopes.
	r = call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 1}, bearer(all.AccessToken))
	wantError(t, r, 403, "CB_OA01")
	if !strings.HasPrefix(r.body["message"].(string), "The cursor API (records/cursor.json) cannot be used with OAuth access tokens.") {
		t.Errorf("cursor message %s", r.raw)
	}
	wantError(t, call(t, s, "GET", "/k/v1/records/cursor.json?id=x", nil, bearer(all.AccessToken)), 403, "CB_OA01")
	r = call(t, s, "POST", "/k/v1/bulkRequest.json", map[string]any{"requests": []any{map[string]any{"method": "POST", "api": "/k/v1/record.json", "payload": rec}}}, bearer(all.AccessToken))
	wantError(t, r, 403, "CB_OA01")
	if !strings.HasPrefix(r.body["message"].(string), "bulkRequest.json cannot be used with OAuth access tokens.") {
		t.Errorf("bulk message %s", r.raw)
	}
	// Unknown tokens.
	wantError(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer("nope")), 401, "CB_OA01")
	wantError(t, call(t, s, "GET", "/k/v1/records.json?app=1", nil, map[string]string{"Authorization": "Bearer "}), 401, "CB_OA01")
	r = call(t, s, "GET", "/k/v1/records.json?app=1", nil, map[string]string{"Authorization": "Bearer nope", "Accept-Language": "ja"})
	if r.body["message"] != "OAuthのアクセストークンが無効か、有効期限切れか、失効しています。" {
		t.Errorf("ja %s", r.raw)
	}
}

func TestOAuthPrecedence(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	tk := authorize(t, s, kintonesim.ScopeRecordRead)
	u := "/k/v1/records.json?app=1"
	// Password wins over a bad or a good bearer token.
	h := map[string]string{"X-Cybozu-Authorization": pw("admin", "pw-admin"), "Authorization": "Bearer nope"}
	wantOK(t, call(t, s, "GET", u, nil, h))
	h["Authorization"] = "Bearer " + tk.AccessToken
	wantOK(t, call(t, s, "GET", u, nil, h))
	if l := s.Requests(); l[len(l)-1].Auth != kintonesim.AuthPassword || l[len(l)-1].User != "admin" {
		t.Errorf("log %+v", l[len(l)-1])
	}
	// A bearer token wins over API tokens.
	h = map[string]string{"X-Cybozu-API-Token": "tasks-view", "Authorization": "Bearer nope"}
	wantError(t, call(t, s, "GET", u, nil, h), 401, "CB_OA01")
	h["Authorization"] = "Bearer " + tk.AccessToken
	wantOK(t, call(t, s, "GET", u, nil, h))
	if l := s.Requests(); l[len(l)-1].Auth != kintonesim.AuthOAuth {
		t.Errorf("log %+v", l[len(l)-1])
	}
	// Basic that is not the domain's layer is ignored.
	wantError(t, call(t, s, "GET", u, nil, map[string]string{"Authorization": basicHdr("a", "b")}), 401, "CB_AU01")
}

func TestOAuthBasicLayerConflict(t *testing.T) {
	f := oauthFixture()
	f.BasicAuth = &kintonesim.BasicAuth{User: "lb", Password: "secret"}
	s := newServer(t, f, kintonesim.Options{})
	tk, err := s.IssueOAuthTokens(oaID, oaUser, kintonesim.ScopeRecordRead)
	if err != nil {
		t.Fatal(err)
	}
	// The Basic layer wants the Authorization header, so a bearer token cannot pass it.
	r := call(t, s, "GET", "/k/v1/records.json?app=1", nil, bearer(tk.AccessToken))
	if r.status != 401 || r.raw != "401 Unauthorized\n" || r.header.Get("WWW-Authenticate") != `Basic realm="kintone simulator"` {
		t.Errorf("bearer behind Basic: %d %q", r.status, r.raw)
	}
	// The token endpoint sits behind the layer too: client credentials then go in the body.
	v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tk.RefreshToken}}
	r = tokenReq(t, s, v, "Authorization", basicHdr(oaID, oaSec))
	if r.status != 401 || r.raw != "401 Unauthorized\n" {
		t.Errorf("client Basic behind layer: %d %q", r.status, r.raw)
	}
	v.Set("client_id", oaID)
	v.Set("client_secret", oaSec)
	wantOK(t, tokenReq(t, s, v, "Authorization", basicHdr("lb", "secret")))
}

func TestOAuthRevoke(t *testing.T) {
	s := newServer(t, oauthFixture(), kintonesim.Options{})
	a := authorize(t, s, kintonesim.ScopeRecordRead)
	b := authorize(t, s, kintonesim.ScopeRecordRead)
	c, err := s.IssueOAuthTokens("narrow", "suzuki")
	if err != nil || c.Scope != kintonesim.ScopeRecordRead {
		t.Fatal(c, err)
	}
	u := "/k/v1/records.json?app=1"
	if !s.RevokeOAuthToken(a.AccessToken) || s.RevokeOAuthToken(a.AccessToken) {
		t.Error("revoke access token")
	}
	wantError(t, call(t, s, "GET", u, nil, bearer(a.AccessToken)), 401, "CB_OA01")
	// Its refresh token still works; revoking a refresh token ends its access tokens too.
	r := tokenReq(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken}}, "Authorization", basicHdr(oaID, oaSec))
	a2 := tokensOf(t, r)
	if !s.RevokeOAuthToken(a2.RefreshToken) {
		t.Error("revoke refresh token")
	}
	wantError(t, call(t, s, "GET", u, nil, bearer(a2.AccessToken)), 401, "CB_OA01")
	wantOK(t, call(t, s, "GET", u, nil, bearer(b.AccessToken)))
	if n := s.RevokeOAuthGrants(oaID, ""); n != 1 {
		t.Errorf("revoked %d grants", n)
	}
	wantError(t, call(t, s, "GET", u, nil, bearer(b.AccessToken)), 401, "CB_OA01")
	wantOK(t, call(t, s, "GET", u, nil, bearer(c.AccessToken)))
	if n := s.RevokeOAuthGrants("", "suzuki"); n != 1 {
		t.Errorf("revoked %d grants", n)
	}
	wantError(t, call(t, s, "GET", u, nil, bearer(c.AccessToken)), 401, "CB_OA01")

	if _, err := s.IssueOAuthTokens("narrow", "suzuki", kintonesim.ScopeRecordWrite); err == nil {
		t.Error("scope beyond the client's")
	}
	if _, err := s.IssueOAuthTokens("nope", "suzuki"); err == nil {
		t.Error("unknown client")
	}
	if _, err := s.IssueOAuthTokens(oaID, "nobody"); err == nil {
		t.Error("unknown user")
	}
}

func TestOAuthFixtureErrors(t *testing.T) {
	for name, c := range map[string]kintonesim.OAuthClient{
		"no secret":    {ClientID: "a", RedirectURIs: []string{cbURI}},
		"no redirect":  {ClientID: "a", ClientSecret: "b"},
		"relative":     {ClientID: "a", ClientSecret: "b", RedirectURIs: []string{"/cb"}},
		"bad scope":    {ClientID: "a", ClientSecret: "b", RedirectURIs: []string{cbURI}, Scopes: []string{"k:nope"}},
		"unknown user": {ClientID: "a", ClientSecret: "b", RedirectURIs: []string{cbURI}, Users: []string{"ghost"}},
	} {
		f := oauthFixture()
		f.OAuthClients = []kintonesim.OAuthClient{c}
		if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	f := oauthFixture()
	f.OAuthClients = append(f.OAuthClients, f.OAuthClients[0])
	if _, err := kintonesim.New(f, kintonesim.Options{}); err == nil {
		t.Error("duplicate client: no error")
	}
	fx, err := kintonesim.ParseFixture([]byte(`{"users":[{"code":"u","password":"p"}],"apps":[],
		"oauthClients":[{"clientId":"c","clientSecret":"s","redirectUris":["http://localhost/cb"],"scopes":["k:file:read"],"users":["u"]}]}`))
	if err != nil || len(fx.OAuthClients) != 1 || fx.OAuthClients[0].Scopes[0] != kintonesim.ScopeFileRead {
		t.Fatal(fx, err)
	}
	if _, err := kintonesim.New(fx, kintonesim.Options{}); err != nil {
		t.Fatal(err)
	}
}
