// Package kintonesim is an in-memory kintone REST API server for tests, demos and users' CI.
//
// A Server answers kintone's record and app APIs (records.json, record.json, apps.json,
// app.json, app/form/fields.json, records/cursor.json, bulkRequest.json) under /k/v1/ and
// /k/guest/{id}/v1/, with kintone's authentication (password, API tokens, an optional Basic
// layer, OAuth 2.0 with its /oauth2/ endpoints), limits, error envelopes (English or Japanese)
// and concurrency headers. Queries are parsed and evaluated by package kquery, the same code the
// connector builds them with.
//
// Its content comes from a Fixture (see FIXTURE.md); package sample builds the sample dataset
// used by the demo. New returns an http.Handler for httptest; Start listens on loopback and
// StartTLS over HTTPS with client certificates. AddFault injects failures and Clock controls
// time for expiry tests.
//
// It also serves files (file.json), record comments, process management (statuses and
// assignees), app settings reads (layout, views, status), spaces, preview apps with deploys and
// the cybozu User API (/v1/users.json …); see routes_ext.go and FIXTURE.md.
package kintonesim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a Server. The zero value is kintone's behaviour without delays.
type Options struct {
	// Latency is slept before each request is answered (the request's cancellation ends it).
	Latency time.Duration
	// Location is the users' time zone for date functions; default the fixture's timeZone,
	// else Asia/Tokyo.
	Location *time.Location
	// Now is the clock (record timestamps, TODAY(), cursor and OAuth expiry); default
	// time.Now. A *Clock's Now method gives tests a clock they move by hand.
	Now func() time.Time
	// Legacy520 answers the errors that kintone sent with HTTP 520 before its 2024 status-code
	// update (Legacy520Codes, default GAIA_IA02 GAIA_DA03 GAIA_IL23 GAIA_LO04 GAIA_RE09) with
	// 520 again.
	Legacy520      bool
	Legacy520Codes []string
	// ConcurrencyLimit is the number of requests served at once before 429 GAIA_TO04;
	// default 100 (kintone's per-domain limit).
	ConcurrencyLimit int
	// MaxLoggedRequests bounds the request log (oldest dropped first); default 100000,
	// negative disables the log (counters are kept).
	MaxLoggedRequests int
	// CursorLimit is the number of live cursors per domain; default 10.
	CursorLimit int
	// CursorTTL is a cursor's idle lifetime; default 10 minutes.
	CursorTTL time.Duration
	// MaxFileSize caps one file.json upload in bytes; default 50 MB (kintone allows 1 GB, the
	// simulator keeps files in memory). MaxFileBytes caps all file content held at once;
	// default 512 MB. Over either → 400 CB_VA01 (see FIXTURE.md).
	MaxFileSize  int64
	MaxFileBytes int64
	// AccessTokenTTL is the lifetime of OAuth access tokens; default 1 hour (oauth.go).
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the lifetime of each OAuth refresh token; default 0: no expiry.
	RefreshTokenTTL time.Duration
	// FilterAbortThreshold is the number of records a like / not like keyword may be found in
	// before records.json stops the search (X-Cybozu-Warning); default 100000, negative never
	// (filterabort.go).
	FilterAbortThreshold int
}

// Server is a simulated kintone domain. It is safe for concurrent use.
type Server struct {
	opts      Options
	loc       *time.Location
	basic     *BasicAuth
	legacy520 []string

	mu     sync.RWMutex // guards everything below up to cursors
	apps   map[int64]*appDef
	appIDs []int64 // ascending
	dir    directory
	users  map[string]*User // by login name
	tokens map[string]tokenEntry
	files  map[string]fileRef
	fileNo int64
	ext    extState // files, comments, process management, preview apps (routes_ext.go)
	admin  int32    // "Administrator", the user API-token calls act as
	calcs  calcCache

	faults faults
	oauth  oauthState // OAuth clients, codes and tokens (oauth.go)

	cursorMu sync.Mutex
	cursors  map[string]*cursor

	inflight atomic.Int64

	logMu sync.Mutex
	log   []LoggedRequest
	stats Stats
}

type tokenEntry struct {
	app  *appDef
	perm *APIToken
}

// New builds a Server from a fixture. The fixture is not retained: later changes to it do not
// reach the server.
func New(f *Fixture, opts Options) (*Server, error) {
	if f == nil {
		f = &Fixture{}
	}
	s := &Server{
		opts:    opts,
		apps:    map[int64]*appDef{},
		users:   map[string]*User{},
		tokens:  map[string]tokenEntry{},
		files:   map[string]fileRef{},
		cursors: map[string]*cursor{},
		calcs:   calcCache{},
	}
	if s.opts.ConcurrencyLimit <= 0 {
		s.opts.ConcurrencyLimit = 100
	}
	if s.opts.MaxLoggedRequests == 0 {
		s.opts.MaxLoggedRequests = 100000
	}
	if s.opts.CursorLimit <= 0 {
		s.opts.CursorLimit = 10
	}
	if s.opts.CursorTTL <= 0 {
		s.opts.CursorTTL = 10 * time.Minute
	}
	s.legacy520 = opts.Legacy520Codes
	if s.legacy520 == nil {
		s.legacy520 = legacy520Default
	}
	s.loc = opts.Location
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
	if f.BasicAuth != nil {
		b := *f.BasicAuth
		s.basic = &b
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
	if err := s.initOAuth(f.OAuthClients); err != nil {
		return nil, err
	}
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
	}
	sort.Slice(s.appIDs, func(i, j int) bool { return s.appIDs[i] < s.appIDs[j] })
	// Records are loaded once every app exists, so that lookups can read their source apps.
	for _, a := range f.Apps {
		if err := s.loadRecords(s.apps[a.ID], a.Records, defaultCreator); err != nil {
			return nil, err
		}
	}
	if err := s.loadExt(f); err != nil { // userapi.go
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

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// Location returns the users' time zone the server evaluates date functions in.
func (s *Server) Location() *time.Location { return s.loc }

// request is one API call being served.
type request struct {
	r        *http.Request
	w        http.ResponseWriter // for handlers that add response headers
	method   string
	lang     string
	guest    int64
	preview  bool
	userAPI  bool // /v1/{resource}.json: the cybozu User API (userapi.go)
	resource string
	p        params
	auth     authInfo
	entry    *LoggedRequest
	// records is the number of records the call returned, for the counters.
	records int
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP answers one kintone REST API request.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	running := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	w := &statusWriter{ResponseWriter: rw}
	h := w.Header()
	h.Set("Date", s.now().UTC().Format(http.TimeFormat)) // the domain's clock, as a real server's Date is its own
	h.Set("X-ConcurrencyLimit-Limit", strconv.Itoa(s.opts.ConcurrencyLimit))
	h.Set("X-ConcurrencyLimit-Running", strconv.FormatInt(running, 10))

	q := &request{r: r, w: w, method: r.Method, lang: langOf(r)}
	q.entry = &LoggedRequest{Time: s.now().UTC(), Method: r.Method, Path: r.URL.Path, Auth: "none"}
	code := s.serve(w, q, running)
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	q.entry.Status = w.status
	q.entry.Code = code
	s.record(q)
}

// serve runs the request and returns the kintone error code sent, if any.
func (s *Server) serve(w *statusWriter, q *request, running int64) string {
	r := q.r
	if s.basic != nil {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.basic.User || p != s.basic.Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="kintone simulator"`)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintln(w, "401 Unauthorized")
			return ""
		}
	}
	if running > int64(s.opts.ConcurrencyLimit) {
		e := &apiError{status: 429, code: "GAIA_TO04", msg: msgConcurrency}
		s.writeError(w, q.lang, e)
		return e.code
	}
	if s.opts.Latency > 0 {
		if sleepCtx(r.Context(), s.opts.Latency) != nil {
			w.WriteHeader(499) // the client is gone; nobody reads this
			return ""
		}
	}
	if f, ok := s.nextFault(); ok {
		return s.sendFault(w, q, f, "") // fault.go
	}
	if q.method == http.MethodPost && r.Header.Get("X-HTTP-Method-Override") == "GET" {
		q.method = http.MethodGet
		q.entry.Method = "GET"
	}
	if strings.HasPrefix(r.URL.Path, "/oauth2/") { // oauth.go
		if code, done := s.applyFaultRules(w, q); done {
			return code
		}
		return s.serveOAuth(w, q)
	}
	if e := q.parsePath(r.URL.Path); e != nil {
		s.writeError(w, q.lang, e)
		return e.code
	}
	p, e := readParams(r)
	if e != nil {
		s.writeError(w, q.lang, e)
		return e.code
	}
	q.p = p
	q.entry.Params = p
	q.entry.App, _ = p.str("app")
	if q.resource == "app" {
		q.entry.App, _ = p.str("id")
	}
	q.entry.Query, _ = p.str("query")
	if code, done := s.applyFaultRules(w, q); done { // fault.go
		return code
	}
	h, e := s.route(q)
	if e != nil {
		s.writeError(w, q.lang, e)
		return e.code
	}
	if e := s.authenticate(q); e != nil {
		s.writeError(w, q.lang, e)
		return e.code
	}
	body, e := h(q)
	if e != nil {
		s.writeError(w, q.lang, e)
		return e.code
	}
	switch b := body.(type) {
	case rawJSON:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write(b)
	case streamBody: // file downloads (files.go)
		b.writeTo(w)
	default:
		writeJSON(w, http.StatusOK, body)
	}
	return ""
}

// rawJSON is a response body that is already encoded.
type rawJSON []byte

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// langOf picks the message language: Japanese when Accept-Language starts with ja.
func langOf(r *http.Request) string {
	al := strings.TrimSpace(strings.ToLower(r.Header.Get("Accept-Language")))
	if strings.HasPrefix(al, "ja") {
		return "ja"
	}
	return "en"
}

// parsePath reads /k/v1/[preview/]{resource}.json and /k/guest/{id}/v1/[preview/]{resource}.json.
func (q *request) parsePath(path string) *apiError {
	notFound := &apiError{status: 404, code: "CB_NF01", msg: msgNotFound}
	if res, ok := strings.CutPrefix(path, "/v1/"); ok {
		res, ok = strings.CutSuffix(res, ".json")
		if !ok || res == "" {
			return notFound
		}
		q.userAPI, q.resource = true, res
		return nil
	}
	rest, ok := strings.CutPrefix(path, "/k/")
	if !ok {
		return notFound
	}
	if g, ok := strings.CutPrefix(rest, "guest/"); ok {
		idText, after, ok := strings.Cut(g, "/")
		id, err := strconv.ParseInt(idText, 10, 64)
		if !ok || err != nil || id < 1 {
			return notFound
		}
		q.guest = id
		rest = after
	}
	rest, ok = strings.CutPrefix(rest, "v1/")
	if !ok {
		return notFound
	}
	if p, ok := strings.CutPrefix(rest, "preview/"); ok {
		q.preview = true
		rest = p
	}
	res, ok := strings.CutSuffix(rest, ".json")
	if !ok || res == "" {
		return notFound
	}
	q.resource = res
	return nil
}

type handler func(q *request) (any, *apiError)

// route picks the handler for the request's method and resource.
func (s *Server) route(q *request) (handler, *apiError) {
	if h, e, ok := s.routeExt(q); ok { // routes_ext.go
		return h, e
	}
	type key struct{ method, resource string }
	var h handler
	switch (key{q.method, q.resource}) {
	case key{"GET", "apps"}:
		h = s.getApps
	case key{"GET", "app"}:
		h = s.getApp
	case key{"GET", "app/form/fields"}:
		h = s.getFields
	case key{"GET", "records"}:
		h = s.getRecords
	case key{"GET", "record"}:
		h = s.getRecord
	case key{"POST", "record"}:
		h = s.postRecord
	case key{"PUT", "record"}:
		h = s.putRecord
	case key{"POST", "records"}:
		h = s.postRecords
	case key{"PUT", "records"}:
		h = s.putRecords
	case key{"DELETE", "records"}:
		h = s.deleteRecords
	case key{"POST", "bulkRequest"}:
		h = s.bulkRequest
	case key{"POST", "records/cursor"}:
		h = s.postCursor
	case key{"GET", "records/cursor"}:
		h = s.getCursor
	case key{"DELETE", "records/cursor"}:
		h = s.deleteCursor
	}
	if h == nil || (q.preview && q.resource != "app/form/fields") {
		return nil, &apiError{status: 404, code: "CB_NF01", msg: msgNotFound}
	}
	return h, nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
