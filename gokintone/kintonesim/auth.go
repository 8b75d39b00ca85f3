package kintonesim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Authentication kinds, as written in the request log.
const (
	AuthNone     = "none"
	AuthPassword = "password"
	AuthToken    = "token"
	AuthOAuth    = "oauth" // an OAuth access token
)

var msgUserAPIAuth = text{"No privilege to proceed. The User API accepts password authentication only.",
	"権限がありません。User APIはパスワード認証のみ使用できます。"}

// authenticate is the authentication middleware: it checks the credentials of a kintone or
// User API call and records who calls in q.caller. Password authentication wins over API
// tokens when both are sent, as in kintone; it wins over an OAuth access token too, and an
// access token wins over API tokens. The User API takes password authentication only. OAuth's
// own endpoints do not take these credentials.
func (s *Server) authenticate(w *statusWriter, q *request) (string, bool) {
	if q.area == areaOAuth {
		return "", false
	}
	if e := s.credentials(q); e != nil {
		return s.fail(w, q, e)
	}
	if q.area == areaUser && q.kind != AuthPassword {
		return s.fail(w, q, &apiError{status: 403, code: "CB_NO02", msg: msgUserAPIAuth})
	}
	return "", false
}

// credentials checks the credentials a call sends.
func (s *Server) credentials(q *request) *apiError {
	r := q.r
	st := s.st
	if h := r.Header.Get("X-Cybozu-Authorization"); h == "" {
		if tok, ok := bearerToken(r); ok {
			return s.bearerCredentials(q, tok)
		}
	}
	if h := r.Header.Get("X-Cybozu-Authorization"); h != "" {
		failed := &apiError{status: 401, code: "CB_WA01", msg: msgPasswordAuth}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
		if err != nil {
			return failed
		}
		login, pass, ok := strings.Cut(string(raw), ":")
		st.mu.RLock()
		u := st.users[login]
		st.mu.RUnlock()
		if !ok || !u.logsIn(pass) {
			return failed
		}
		st.mu.RLock()
		idx, _ := st.dir.lookup(kindUser, u.Code)
		st.mu.RUnlock()
		q.kind, q.user, q.login = AuthPassword, idx, u.Code
		q.entry.Auth = AuthPassword
		q.entry.User = u.Code
		return nil
	}
	var list []string
	for _, h := range r.Header.Values("X-Cybozu-API-Token") {
		for _, t := range strings.Split(h, ",") {
			if t = strings.TrimSpace(t); t != "" {
				list = append(list, t)
			}
		}
	}
	if len(list) == 0 {
		return &apiError{status: 401, code: "CB_AU01", msg: msgPleaseLogin}
	}
	q.entry.Auth = AuthToken
	if len(list) > 9 {
		return errInvalid("X-Cybozu-API-Token", msgTooManyTokens)
	}
	tokens := map[int64]*APIToken{}
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, t := range list {
		e, ok := st.tokens[t]
		if !ok {
			return &apiError{status: 400, code: "GAIA_IA02", msg: msgTokenBad}
		}
		if _, dup := tokens[e.app.meta.ID]; dup {
			return &apiError{status: 400, code: "GAIA_DA03", msg: msgTokenDup}
		}
		tokens[e.app.meta.ID] = e.perm
	}
	q.kind, q.user, q.login, q.tokens = AuthToken, st.admin, "Administrator", tokens
	q.entry.User = "Administrator"
	return nil
}

// ---- OAuth access tokens ----

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
	if q.area != areaKintone {
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

// bearerCredentials checks an OAuth access token and the scope the API needs.
func (s *Server) bearerCredentials(q *request, token string) *apiError {
	q.entry.Auth = AuthOAuth
	st := s.st
	now := st.now()
	st.oauth.mu.Lock()
	a := st.oauth.access[token]
	var user string
	var scopes []string
	if a != nil && !a.grant.revoked && now.Before(a.expires) {
		user, scopes = a.grant.user, a.scopes
	}
	st.oauth.mu.Unlock()
	if user == "" {
		q.w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		return &apiError{status: 401, code: "CB_OA01", msg: msgOAuthToken}
	}
	st.mu.RLock()
	idx, _ := st.dir.lookup(kindUser, user)
	st.mu.RUnlock()
	q.kind, q.user, q.login = AuthOAuth, idx, user
	q.entry.User = user
	scope, refused := requiredScope(q)
	if refused != nil {
		return &apiError{status: 403, code: "CB_OA01", msg: *refused}
	}
	if !slices.Contains(scopes, scope) {
		q.w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope=%q`, scope))
		return &apiError{status: 403, code: "CB_OA01", msg: msgOAuthScope(scope)}
	}
	return nil
}
