package kintonesim

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
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

// Server is a simulated kintone domain: the HTTP layer over a store (store.go). It is safe
// for concurrent use.
type Server struct {
	opts      Options
	basic     *BasicAuth // the fixture's HTTP Basic layer, if any
	legacy520 []string   // the codes Options.Legacy520 answers with 520
	st        *store
	routes    routeTable // routes.go
	stages    []stage    // the middleware, in order (see New)
	faults    faults     // fault.go
	log       requestLog // log.go
	inflight  atomic.Int64
}

// New builds a Server from a fixture. The fixture is not retained: later changes to it do not
// reach the server.
func New(f *Fixture, opts Options) (*Server, error) {
	if f == nil {
		f = &Fixture{}
	}
	if opts.ConcurrencyLimit <= 0 {
		opts.ConcurrencyLimit = 100
	}
	st, err := newStore(f, opts)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, st: st, legacy520: opts.Legacy520Codes, log: newRequestLog(opts.MaxLoggedRequests)}
	if s.legacy520 == nil {
		s.legacy520 = legacy520Default
	}
	if f.BasicAuth != nil {
		b := *f.BasicAuth
		s.basic = &b
	}
	s.routes = newRouteTable(s.routeList())
	// The middleware, in the order it runs (middleware.go). Each stage may answer the request,
	// which ends it; the last one runs the route's handler.
	s.stages = []stage{
		s.basicLayer,       // the fixture's HTTP Basic layer: 401 text/plain
		s.limitConcurrency, // over Options.ConcurrencyLimit requests at once: 429 GAIA_TO04
		s.delay,            // Options.Latency
		s.failNext,         // the FailNext queue
		overrideMethod,     // POST with X-HTTP-Method-Override: GET is served as GET
		s.locate,           // the API, guest space and route of the path: 404 CB_NF01 outside them
		s.readParams,       // the query string and JSON body (not for OAuth)
		s.applyFaultRules,  // the AddFault rules (fault.go)
		s.requireRoute,     // no route for the method and path: 404 CB_NF01
		s.authenticate,     // the credentials (not for OAuth; auth.go)
		s.serveRoute,       // the route's handler
	}
	return s, nil
}

// Warnings lists what the fixture holds that kintone would refuse and the simulator loaded
// anyway: formulas it does not compute (their fields keep the fixture's values) and unknown
// CALC formats. FIXTURE.md (Formulas) describes them.
func (s *Server) Warnings() []string { return append([]string(nil), s.st.warnings...) }

// Location returns the users' time zone the server evaluates date functions in.
func (s *Server) Location() *time.Location { return s.st.loc }

// request is one request being served: the HTTP request and what the middleware learns about
// it on the way to its handler.
type request struct {
	caller // who calls (set by authenticate) and the guest space of the path (set by locate)

	r       *http.Request
	w       http.ResponseWriter // for handlers that add response headers
	running int64               // requests being served when this one arrived, itself included
	method  string              // after X-HTTP-Method-Override
	lang    string              // the language of error messages: "en", "ja" or "zh"

	// Set by locate.
	area     area
	preview  bool   // /k/v1/preview/…
	resource string // the path between the API root and ".json": "records", "app/form/fields"
	route    *route // nil when no route has the method and path

	p     params // set by readParams
	entry *LoggedRequest
	// lostReply is the server's writer when a ResetAfterServe fault rule fired: the request is
	// answered into a discarding writer and this connection is then dropped.
	lostReply http.ResponseWriter
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

// ServeHTTP answers one kintone REST API request: it runs the request through the middleware
// stages (New lists them) until one answers it, and logs it.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	running := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	w := &statusWriter{ResponseWriter: rw}
	h := w.Header()
	h.Set("Date", s.st.now().UTC().Format(http.TimeFormat)) // the domain's clock, as a real server's Date is its own
	h.Set("X-ConcurrencyLimit-Limit", strconv.Itoa(s.opts.ConcurrencyLimit))
	h.Set("X-ConcurrencyLimit-Running", strconv.FormatInt(running, 10))

	q := &request{r: r, w: w, running: running, method: r.Method, lang: langOf(r)}
	q.entry = &LoggedRequest{Time: s.st.now().UTC(), Method: r.Method, Path: r.URL.Path, Auth: AuthNone}
	code := ""
	for _, stage := range s.stages {
		var done bool
		if code, done = stage(w, q); done {
			break
		}
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	q.entry.Status = w.status
	q.entry.Code = code
	if q.lostReply != nil {
		s.resetConnection(q.lostReply, q) // logs the request with the status of the lost reply
	}
	s.log.add(q)
}

// reply sends a handler's answer: its error, or its body (already encoded JSON, a file, or a
// value to encode as JSON). It returns the kintone error code sent, if any.
func (s *Server) reply(w http.ResponseWriter, q *request, body any, e *apiError) string {
	if e != nil {
		s.writeError(w, q.lang, e)
		return e.code
	}
	switch b := body.(type) {
	case rawJSON:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write(b)
	case streamBody: // file downloads (api_files.go)
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

// writeError sends e as a kintone error response.
func (s *Server) writeError(w http.ResponseWriter, lang string, e *apiError) {
	w.Header().Set("X-Cybozu-Error", e.code)
	if e.bulk != nil {
		writeJSON(w, e.status, e.bulk)
		return
	}
	writeJSON(w, s.statusFor(e), e.body(lang))
}

// statusFor applies the Legacy520 option.
func (s *Server) statusFor(e *apiError) int {
	if s.opts.Legacy520 && e.status >= 400 && e.status < 500 {
		for _, c := range s.legacy520 {
			if c == e.code {
				return 520
			}
		}
	}
	return e.status
}

// langOf picks the language of error messages from Accept-Language: the preferred one of
// Japanese, English and Chinese (any region), by q-value and then order. Without one of them
// (no header, or "*") messages are English: kintone answers a user whose language follows the
// browser in the domain's default language, which a simulated domain has as English
// (BEHAVIOUR.md, Languages).
func langOf(r *http.Request) string {
	lang, best := "en", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary != "ja" && primary != "en" && primary != "zh" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		if q > best && q > 0 {
			lang, best = primary, q
		}
	}
	return lang
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
