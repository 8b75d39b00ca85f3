package kintonesim

import "strconv"

// caller is who makes an API call and through which URL: the authenticated user with the
// credentials used (set by authenticate, auth.go), and the guest space of a /k/guest/{id}/v1/
// path. The store checks permissions against it.
type caller struct {
	kind   string              // AuthPassword, AuthToken or AuthOAuth
	user   int32               // directory index of the acting user
	login  string              // the acting user's code
	tokens map[int64]*APIToken // by app id (API-token calls only)
	guest  int64               // the guest space of the path; 0 outside guest spaces
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

// app returns the app a call names, checking the URL's guest space and the caller's
// permission. The caller holds s.mu.
func (s *store) app(c *caller, id int64, p perm) (*appDef, *apiError) {
	d := s.apps[id]
	if d == nil {
		return nil, errAppNotFound(strconv.FormatInt(id, 10))
	}
	if e := checkSpace(c, d); e != nil {
		return nil, e
	}
	if c.kind == AuthToken {
		t := c.tokens[id]
		if t == nil || !t.allows(p) {
			return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
		}
	}
	return d, nil
}

// appParam reads an app parameter (key "app", or "id" for app.json) and resolves it.
func (s *store) appParam(c *caller, p params, key string, want perm) (*appDef, *apiError) {
	id, _, e := p.id(key)
	if e != nil {
		return nil, e
	}
	return s.app(c, id, want)
}

// checkSpace enforces that guest-space apps are reached through their guest path only.
func checkSpace(c *caller, d *appDef) *apiError {
	if d.meta.GuestSpaceID != 0 && c.guest == 0 {
		return &apiError{status: 400, code: "GAIA_IL23", msg: msgGuestApp}
	}
	if d.meta.GuestSpaceID != c.guest {
		return &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
	}
	return nil
}
