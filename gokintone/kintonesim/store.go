package kintonesim

import (
	"crypto/rand"
	"fmt"
	"sort"
	"sync"
	"time"
)

// store is the simulated domain's data: apps with their forms and records, users,
// organizations and groups, API tokens, spaces and their threads, files, record comments,
// preview forms, cursors and OAuth grants. It knows nothing of HTTP: the handlers (api_*.go) read and change it under
// its locks, on behalf of a caller (access.go).
type store struct {
	now                  func() time.Time // the domain's clock
	loc                  *time.Location   // the users' time zone
	filterAbortThreshold int              // see Options.FilterAbortThreshold

	mu     sync.RWMutex // guards everything below up to cursors
	apps   map[int64]*appDef
	appIDs []int64 // ascending
	dir    directory
	users  map[string]*User // by login name
	tokens map[string]tokenEntry
	admin  int32   // "Administrator", the user API-token calls act as
	calc   calcEnv // computes formulas (calc_eval.go)

	files    fileStore                     // attachments and uploads (files.go)
	comments map[commentKey]*commentThread // record comments (comments.go)
	threads  map[threadKey]*spaceThread    // space threads' bodies and comments (threads.go)
	previews map[int64]*previewApp         // preview forms of apps (preview.go)
	liveRev  map[int64]int64               // app settings revision of live apps (absent: 1)
	deploys  map[int64]int                 // app → pending PROCESSING answers of deploy.json GET
	// guests are the guest users by login name, spaceGuests the guests of each guest space
	// (api_guests.go); nil until the first is added.
	guests      map[string]*guestUser
	spaceGuests map[int64][]string

	// warnings say what of the fixture the simulator does not follow (Server.Warnings).
	warnings []string

	// From the fixture, for the User API and spaces.
	lang                 string
	userOrder            []string // user codes in fixture order (User API ids)
	orgs, groups, titles []Entity
	spaces               []Space

	cursors *cursorStore // records/cursor.json cursors, with their own lock (cursor.go)
	oauth   *oauthStore  // OAuth clients, codes and tokens, with their own lock (oauth.go)
}

type tokenEntry struct {
	app  *appDef
	perm *APIToken
}

// newStore builds the domain a fixture describes. The fixture is not retained.
func newStore(f *Fixture, opts Options) (*store, error) {
	s := &store{
		now:                  opts.Now,
		loc:                  opts.Location,
		filterAbortThreshold: opts.FilterAbortThreshold,
		apps:                 map[int64]*appDef{},
		users:                map[string]*User{},
		tokens:               map[string]tokenEntry{},
		files:                newFileStore(opts.MaxFileSize, opts.MaxFileBytes),
		comments:             map[commentKey]*commentThread{},
		threads:              map[threadKey]*spaceThread{},
		previews:             map[int64]*previewApp{},
		liveRev:              map[int64]int64{},
		deploys:              map[int64]int{},
		cursors:              newCursorStore(opts.CursorLimit, opts.CursorTTL),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		tz := f.TimeZone
		if tz == "" {
			tz = "Asia/Tokyo"
		}
		loc, err := loadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("kintonesim: timeZone %q: %w", tz, err)
		}
		s.loc = loc
	}
	for _, o := range f.Organizations {
		s.dir.intern(kindOrg, o.Code, o.Name)
	}
	for _, g := range f.Groups {
		s.dir.intern(kindGroup, g.Code, g.Name)
	}
	for i := range f.Users {
		u := f.Users[i]
		if u.Code == "" {
			return nil, fmt.Errorf("kintonesim: user %d has no code", i)
		}
		if _, dup := s.users[u.Code]; dup {
			return nil, fmt.Errorf("kintonesim: user %q listed twice", u.Code)
		}
		s.users[u.Code] = &u
		s.dir.intern(kindUser, u.Code, u.Name)
	}
	s.admin = s.dir.intern(kindUser, "Administrator", "Administrator")
	oauth, err := newOAuthStore(f.OAuthClients, s.users, opts)
	if err != nil {
		return nil, err
	}
	s.oauth = oauth
	defaultCreator := s.admin
	if len(f.Users) > 0 {
		defaultCreator, _ = s.dir.lookup(kindUser, f.Users[0].Code)
	}
	for _, a := range f.Apps {
		if _, dup := s.apps[a.ID]; dup {
			return nil, fmt.Errorf("kintonesim: app id %d listed twice", a.ID)
		}
		d, err := buildApp(a, f.Lang)
		if err != nil {
			return nil, err
		}
		if err := checkRights(d); err != nil { // rights.go
			return nil, err
		}
		d.creator = defaultCreator
		if a.Creator != "" {
			d.creator = s.dir.intern(kindUser, a.Creator, "")
		}
		for _, t := range d.tokens {
			if t.Token == "" {
				return nil, fmt.Errorf("kintonesim: app %d: empty API token", a.ID)
			}
			if _, dup := s.tokens[t.Token]; dup {
				return nil, fmt.Errorf("kintonesim: API token %q listed twice", t.Token)
			}
			s.tokens[t.Token] = tokenEntry{app: d, perm: t}
		}
		s.apps[a.ID] = d
		s.appIDs = append(s.appIDs, a.ID)
		s.warnings = append(s.warnings, d.warnings()...)
	}
	sort.Slice(s.appIDs, func(i, j int) bool { return s.appIDs[i] < s.appIDs[j] })
	// Records are loaded once every app exists, so that lookups can read their source apps.
	for _, a := range f.Apps {
		if err := s.loadRecords(s.apps[a.ID], a.records(), defaultCreator); err != nil {
			return nil, err
		}
	}
	if err := s.loadDomain(f); err != nil {
		return nil, err
	}
	return s, nil
}

// loadLocation loads an IANA zone, with a fixed-offset fallback for Asia/Tokyo on systems
// without zone data.
func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil && name == "Asia/Tokyo" {
		return time.FixedZone("Asia/Tokyo", 9*3600), nil
	}
	return loc, err
}

// loadDomain keeps the fixture's organizations, groups, titles, spaces and user order (the User
// API and space.json read them) and checks the users' memberships.
func (s *store) loadDomain(f *Fixture) error {
	s.lang = f.Lang
	s.orgs = append([]Entity(nil), f.Organizations...)
	s.groups = append([]Entity(nil), f.Groups...)
	s.titles = append([]Entity(nil), f.Titles...)
	s.spaces = append([]Space(nil), f.Spaces...)
	index := func(list []Entity) map[string]bool {
		m := map[string]bool{}
		for _, e := range list {
			m[e.Code] = true
		}
		return m
	}
	orgs, groups, titles := index(s.orgs), index(s.groups), index(s.titles)
	for _, u := range f.Users {
		s.userOrder = append(s.userOrder, u.Code)
		for _, g := range u.Groups {
			if !groups[g] {
				return fmt.Errorf("kintonesim: user %q: group %q is not in groups", u.Code, g)
			}
		}
		for _, m := range u.Organizations {
			if !orgs[m.Code] {
				return fmt.Errorf("kintonesim: user %q: organization %q is not in organizations", u.Code, m.Code)
			}
			if m.Title != "" && !titles[m.Title] {
				return fmt.Errorf("kintonesim: user %q: title %q is not in titles", u.Code, m.Title)
			}
		}
	}
	seen := map[[2]int64]bool{}
	for _, sp := range s.spaces {
		k := [2]int64{sp.ID, 0}
		if sp.IsGuest {
			k[1] = 1
		}
		if sp.ID < 1 || seen[k] {
			return fmt.Errorf("kintonesim: space id %d is not positive or listed twice", sp.ID)
		}
		seen[k] = true
	}
	return nil
}

// nowMinute is the current time in Unix seconds, truncated to the minute as record timestamps
// are.
func (s *store) nowMinute() int64 {
	sec := s.now().Unix()
	return sec - sec%60
}

// liveRevision is the settings revision of a live app. The caller holds s.mu.
func (s *store) liveRevision(id int64) int64 {
	if r, ok := s.liveRev[id]; ok {
		return r
	}
	return 1
}

// appLang is the language of system-field codes for new apps: the fixture's.
func (s *store) appLang() string {
	if s.lang == "en" {
		return "en"
	}
	return "ja"
}

// newUUID returns a random (version 4) UUID, the shape of kintone's cursor ids and upload keys.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
