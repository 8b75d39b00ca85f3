package kintonesim

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Guest users: guests.json adds and deletes them, space/guests.json sets the guests of a guest
// space. kintone lets its system administrators call these; the simulator has no such role
// and lets every user who logs in with a password (API tokens → 403 GAIA_NO01, OAuth → 403
// CB_NO02, as the APIs take password and session authentication only). Guests are users of
// the directory (they may be named where users are) but not of the User API, and cannot log
// in to the REST API (kintone refuses guests there).

// guestUser is a guest user: the attributes of its profile the simulator keeps.
type guestUser struct {
	code, name, timezone, locale string
}

// maxGuests is the most guests one guests.json request adds or deletes.
const maxGuests = 100

// guestLimits are the most characters of a guest's attributes.
var guestLimits = []struct {
	name string
	max  int
}{{"name", 128}, {"surNameReading", 64}, {"givenNameReading", 64}, {"company", 100}, {"division", 100},
	{"phone", 100}, {"callto", 256}}

var (
	msgGuestExists   = text{"A user or guest user with this login name already exists.", "このログイン名のユーザーまたはゲストユーザーは既に存在します。"}
	msgGuestEmail    = text{"Enter an email address.", "メールアドレスを入力してください。"}
	msgGuestLocale   = text{"Enter auto, en, zh or ja.", "auto、en、zh、ja のいずれかを指定してください。"}
	msgNotGuestSpace = text{"The space is not a guest space.", "ゲストスペースではありません。"}
)

// passwordCaller refuses a caller that does not log in with a password.
func passwordCaller(q *request) *apiError {
	switch q.kind {
	case AuthPassword:
		return nil
	case AuthToken:
		return &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
	}
	return &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
}

// guestList reads the guests parameter: an array of 1 to maxGuests items.
func guestList(q *request) ([]any, *apiError) {
	items, ok := q.p["guests"].([]any)
	if !ok || len(items) == 0 {
		return nil, errInvalid("guests", msgRequired)
	}
	if len(items) > maxGuests {
		return nil, errInvalid("guests", msgMax100)
	}
	return items, nil
}

// postGuests answers POST guests.json: {guests: [{code, password, timezone, name, locale?,
// image?, surNameReading?, givenNameReading?, company?, division?, phone?, callto?}]} → {}.
// Every guest is checked before any is added.
func (a spaceAPI) postGuests(q *request) (any, *apiError) {
	if e := passwordCaller(q); e != nil {
		return nil, e
	}
	items, e := guestList(q)
	if e != nil {
		return nil, e
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	added := make([]guestUser, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		key := func(name string) string { return fmt.Sprintf("guests[%d].%s", i, name) }
		g, _ := it.(map[string]any)
		attr := func(name string) string {
			s, _ := scalarString(g[name])
			return s
		}
		for _, name := range []string{"code", "password", "timezone", "name"} {
			if attr(name) == "" {
				return nil, errInvalid(key(name), msgRequired)
			}
		}
		for _, limit := range guestLimits {
			if utf8.RuneCountInString(attr(limit.name)) > limit.max {
				return nil, errInvalid(key(limit.name), msgMaxLength(limit.max))
			}
		}
		code := attr("code")
		if !strings.Contains(code, "@") {
			return nil, errInvalid(key("code"), msgGuestEmail)
		}
		if a.users[code] != nil || a.guests[code] != nil || seen[code] {
			return nil, errInvalid(key("code"), msgGuestExists)
		}
		seen[code] = true
		locale := attr("locale")
		if locale == "" {
			locale = "auto"
		}
		if !slices.Contains([]string{"auto", "en", "zh", "ja"}, locale) {
			return nil, errInvalid(key("locale"), msgGuestLocale)
		}
		added[i] = guestUser{code: code, name: attr("name"), timezone: attr("timezone"), locale: locale}
	}
	if a.guests == nil {
		a.guests = map[string]*guestUser{}
	}
	for i := range added {
		g := &added[i]
		a.guests[g.code] = g
		a.dir.intern(kindUser, g.code, g.name)
	}
	return map[string]any{}, nil
}

// guestCodes reads the guests parameter as login names of existing guests.
func (a spaceAPI) guestCodes(q *request) ([]string, *apiError) {
	items, e := guestList(q)
	if e != nil {
		return nil, e
	}
	codes := make([]string, len(items))
	for i, it := range items {
		code, _ := scalarString(it)
		if a.guests[code] == nil {
			return nil, errInvalid(fmt.Sprintf("guests[%d]", i), msgNoEntity("guest user", code))
		}
		codes[i] = code
	}
	return codes, nil
}

// deleteGuests answers DELETE guests.json: {guests: [login names]} → {}. The guests leave
// every guest space too.
func (a spaceAPI) deleteGuests(q *request) (any, *apiError) {
	if e := passwordCaller(q); e != nil {
		return nil, e
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	codes, e := a.guestCodes(q)
	if e != nil {
		return nil, e
	}
	for _, code := range codes {
		delete(a.guests, code)
		for space, members := range a.spaceGuests {
			a.spaceGuests[space] = slices.DeleteFunc(members, func(m string) bool { return m == code })
		}
	}
	return map[string]any{}, nil
}

// putSpaceGuests answers PUT space/guests.json under the guest space's path: {id, guests:
// [login names]} → {}. The list replaces the space's guests; the space's administrators and
// its creator may set it.
func (a spaceAPI) putSpaceGuests(q *request) (any, *apiError) {
	if e := passwordCaller(q); e != nil {
		return nil, e
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	sp, e := a.space(q)
	if e != nil {
		return nil, e
	}
	if !sp.IsGuest {
		return nil, errInvalid("id", msgNotGuestSpace)
	}
	if !a.administers(q, sp) {
		return nil, &apiError{status: 403, code: "CB_NO02", msg: msgNoPrivilege}
	}
	codes, e := a.guestCodes(q)
	if e != nil {
		return nil, e
	}
	if a.spaceGuests == nil {
		a.spaceGuests = map[int64][]string{}
	}
	a.spaceGuests[sp.ID] = codes
	return map[string]any{}, nil
}

// SpaceGuests returns the login names of the guests of guest space id, as set by
// space/guests.json (kintone has no API that lists them).
func (s *Server) SpaceGuests(id int64) []string {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	return slices.Clone(s.st.spaceGuests[id])
}
