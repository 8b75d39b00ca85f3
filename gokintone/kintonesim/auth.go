package kintonesim

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Authentication kinds, as written in the request log.
const (
	AuthNone     = "none"
	AuthPassword = "password"
	AuthToken    = "token"
)

// authInfo is who is calling and with what.
type authInfo struct {
	kind   string
	user   int32 // directory index of the acting user
	login  string
	tokens map[int64]*APIToken // by app id (API-token calls only)
}

// permissions an API token may hold.
type perm int

const (
	permNone perm = iota // any token of the app will do
	permView
	permAdd
	permEdit
	permDelete
)

func (t *APIToken) allows(p perm) bool {
	switch p {
	case permView:
		return t.View
	case permAdd:
		return t.Add
	case permEdit:
		return t.Edit
	case permDelete:
		return t.Delete
	}
	return true
}

// authenticate checks the credentials of a request. Password authentication wins over API
// tokens when both are sent, as in kintone; it wins over an OAuth access token too, and an
// access token wins over API tokens (oauth.go).
func (s *Server) authenticate(q *request) *apiError {
	r := q.r
	if h := r.Header.Get("X-Cybozu-Authorization"); h == "" {
		if tok, ok := bearerToken(r); ok {
			return s.authenticateBearer(q, tok)
		}
	}
	if h := r.Header.Get("X-Cybozu-Authorization"); h != "" {
		failed := &apiError{status: 401, code: "CB_WA01", msg: msgPasswordAuth}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
		if err != nil {
			return failed
		}
		login, pass, ok := strings.Cut(string(raw), ":")
		s.mu.RLock()
		u := s.users[login]
		s.mu.RUnlock()
		if !ok || u == nil || u.Password == "" || u.Password != pass {
			return failed
		}
		s.mu.RLock()
		idx, _ := s.dir.lookup(kindUser, u.Code)
		s.mu.RUnlock()
		q.auth = authInfo{kind: AuthPassword, user: idx, login: u.Code}
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
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range list {
		e, ok := s.tokens[t]
		if !ok {
			return &apiError{status: 400, code: "GAIA_IA02", msg: msgTokenBad}
		}
		if _, dup := tokens[e.app.meta.ID]; dup {
			return &apiError{status: 400, code: "GAIA_DA03", msg: msgTokenDup}
		}
		tokens[e.app.meta.ID] = e.perm
	}
	q.auth = authInfo{kind: AuthToken, user: s.admin, login: "Administrator", tokens: tokens}
	q.entry.User = "Administrator"
	return nil
}

// app returns the app a request names, checking the URL's guest space and the caller's
// permission. The caller must hold s.mu.
func (s *Server) app(q *request, id int64, p perm) (*appDef, *apiError) {
	d := s.apps[id]
	if d == nil {
		return nil, errAppNotFound(strconv.FormatInt(id, 10))
	}
	if e := s.checkSpace(q, d); e != nil {
		return nil, e
	}
	if q.auth.kind == AuthToken {
		t := q.auth.tokens[id]
		if t == nil || !t.allows(p) {
			return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
		}
	}
	return d, nil
}

// checkSpace enforces that guest-space apps are reached through their guest path only.
func (s *Server) checkSpace(q *request, d *appDef) *apiError {
	if d.meta.GuestSpaceID != 0 && q.guest == 0 {
		return &apiError{status: 400, code: "GAIA_IL23", msg: msgGuestApp}
	}
	if d.meta.GuestSpaceID != q.guest {
		return &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
	}
	return nil
}

// appParam reads the app parameter (key "app", or "id" for app.json) and resolves it.
func (s *Server) appParam(q *request, key string, p perm) (*appDef, *apiError) {
	id, _, e := q.p.id(key)
	if e != nil {
		return nil, e
	}
	return s.app(q, id, p)
}
