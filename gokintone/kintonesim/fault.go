package kintonesim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is an error the server answers instead of serving a request (see FailNext).
type Fault struct {
	Status  int    // HTTP status, e.g. 503 or 429
	Code    string // kintone error code, e.g. "GAIA_TO04"; empty sends Body as text/plain
	Message string // error message; a generic one when empty
	Body    string // plain-text body when Code is empty (e.g. a load balancer's 503 page)
}

// FaultRule injects a fault into the requests it matches (see AddFault). The zero values of
// Method, Path and App match everything.
type FaultRule struct {
	// Method matches the HTTP method as served (after X-HTTP-Method-Override), e.g. "GET".
	Method string
	// Path matches the URL path exactly ("/k/v1/records.json"), or every path that starts with
	// it when it ends in "*" ("/k/v1/records*", "/oauth2/*").
	Path string
	// App matches the request's app parameter ("id" for app.json), e.g. "2". Requests without
	// an app never match a rule that names one.
	App string
	// Nth is the first matching request to fault, counting from 1 (0 means 1): with Nth 3 the
	// first two matching requests are served normally.
	Nth int
	// Times is how many matching requests are faulted from the Nth on; 0 means 1 and a
	// negative value means every one.
	Times int

	// Delay is slept first (the request's cancellation ends it). With nothing else set the
	// request is then served normally: a slow server.
	Delay time.Duration
	// Reset closes the connection without sending a response; the request is not served.
	Reset bool
	// ResetAfterServe serves the request (authentication, the handler and its writes as
	// usual), discards the reply and then closes the connection: the client sees a connection
	// reset although the request took effect, the case where a write's outcome is unknown.
	ResetAfterServe bool
	// Status, when non-zero, is the response sent instead of serving the request: a kintone
	// error {code, id, message} when Code is set (Message, or a generic message), else Body as
	// is (ContentType, default text/plain; charset=utf-8), e.g. a proxy's HTML error page.
	Status      int
	Code        string
	Message     string
	Body        string
	ContentType string
	// Header is added to the response (e.g. {"Retry-After": "1"}).
	Header map[string]string
	// SlowBody writes the response body (the injected one, or the real one when Status is 0)
	// in ten pieces spread over this duration, flushing each: the headers arrive at once and
	// the body trickles in, for read-timeout tests.
	SlowBody time.Duration
}

// faults are the injected faults: the FailNext queue and the AddFault rules.
type faults struct {
	mu    sync.Mutex
	queue []Fault
	rules []*faultRule
}

type faultRule struct {
	FaultRule
	seen int // matching requests so far
}

// FailNext makes the next n requests (after the Basic layer and the concurrency check)
// answer with f instead of being served. Calls queue up in order.
func (s *Server) FailNext(n int, f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i := 0; i < n; i++ {
		s.faults.queue = append(s.faults.queue, f)
	}
}

// AddFault adds a fault rule. Rules are checked after the Basic layer, the concurrency check,
// the FailNext queue and the reading of the request's parameters, before authentication. Every
// rule counts the requests it matches on its own; when several are due at once, the one added
// first fires. A rule that has fired Times times stays in place and does nothing more.
func (s *Server) AddFault(r FaultRule) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &faultRule{FaultRule: r})
}

// ClearFaults removes every fault rule and empties the FailNext queue.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = nil
	s.faults.rules = nil
}

// next pops the next queued fault, if any.
func (fs *faults) next() (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.queue) == 0 {
		return Fault{}, false
	}
	f := fs.queue[0]
	fs.queue = fs.queue[1:]
	return f, true
}

func (r *faultRule) matches(method, path, app string) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, method) {
		return false
	}
	if p, ok := strings.CutSuffix(r.Path, "*"); ok {
		if !strings.HasPrefix(path, p) {
			return false
		}
	} else if r.Path != "" && r.Path != path {
		return false
	}
	return r.App == "" || r.App == app
}

// match counts the request against every rule and returns the rule that fires, if any.
func (fs *faults) match(method, path, app string) (FaultRule, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var fire *faultRule
	for _, r := range fs.rules {
		if !r.matches(method, path, app) {
			continue
		}
		r.seen++
		first := max(r.Nth, 1)
		times := r.Times
		if times == 0 {
			times = 1
		}
		if fire == nil && r.seen >= first && (times < 0 || r.seen < first+times) {
			fire = r
		}
	}
	if fire == nil {
		return FaultRule{}, false
	}
	return fire.FaultRule, true
}

// failNext is the middleware stage of the FailNext queue: it answers with the next queued
// fault, if any.
func (s *Server) failNext(w *statusWriter, q *request) (string, bool) {
	f, ok := s.faults.next()
	if !ok {
		return "", false
	}
	return s.sendFault(w, q, f, ""), true
}

// applyFaultRules is the middleware stage of the AddFault rules: it runs the rule that matches
// q, if any. done reports that the response has been sent (or the connection dropped); code is
// the kintone error code sent.
func (s *Server) applyFaultRules(w *statusWriter, q *request) (code string, done bool) {
	f, ok := s.faults.match(q.method, q.r.URL.Path, q.entry.App)
	if !ok {
		return "", false
	}
	q.entry.Fault = true
	if f.Delay > 0 {
		if sleepCtx(q.r.Context(), f.Delay) != nil {
			w.WriteHeader(499) // the client is gone; nobody reads this
			return "", true
		}
	}
	if f.Reset {
		q.entry.Status = 0
		s.resetConnection(w.ResponseWriter, q)
		return "", true // not reached
	}
	if f.ResetAfterServe {
		// The later stages answer into a writer that keeps nothing; ServeHTTP then drops the
		// connection the reply should have gone to.
		q.lostReply = w.ResponseWriter
		w.ResponseWriter = &discardWriter{header: http.Header{}}
		return "", false
	}
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	if f.SlowBody > 0 {
		w.ResponseWriter = &slowWriter{ResponseWriter: w.ResponseWriter, ctx: q.r.Context(), d: f.SlowBody}
	}
	if f.Status == 0 {
		return "", false
	}
	return s.sendFault(w, q, Fault{Status: f.Status, Code: f.Code, Message: f.Message, Body: f.Body}, f.ContentType), true
}

// sendFault answers with an injected fault and returns the kintone error code sent.
func (s *Server) sendFault(w http.ResponseWriter, q *request, f Fault, contentType string) string {
	if f.Code == "" {
		if contentType == "" {
			contentType = "text/plain; charset=utf-8"
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
		return ""
	}
	msg := text{f.Message, f.Message}
	if f.Message == "" {
		msg = text{"The request failed (injected by the simulator).", "リクエストが失敗しました（シミュレーターによる障害注入）。"}
	}
	e := &apiError{status: f.Status, code: f.Code, msg: msg}
	w.Header().Set("X-Cybozu-Error", e.code)
	writeJSON(w, e.status, e.body(q.lang))
	return e.code
}

// resetConnection drops the client's connection (w, the server's own writer) without a
// response. The request is logged first, with the status its entry holds, since ServeHTTP
// does not return normally.
func (s *Server) resetConnection(w http.ResponseWriter, q *request) {
	s.log.add(q)
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // RST rather than FIN: the client sees "connection reset"
		}
		conn.Close()
		panic(http.ErrAbortHandler) // unwinds ServeHTTP without logging the request twice
	}
	// Not hijackable (HTTP/2, TLS or a recorder): net/http aborts the stream or connection.
	panic(http.ErrAbortHandler)
}

// discardWriter is the writer of a request whose reply is lost (FaultRule.ResetAfterServe):
// it takes headers and body and keeps nothing.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// slowWriter writes each body chunk in ten pieces spread over d, flushing each.
type slowWriter struct {
	http.ResponseWriter
	ctx context.Context
	d   time.Duration
}

func (sw *slowWriter) Write(b []byte) (int, error) {
	const pieces = 10
	step := (len(b) + pieces - 1) / pieces
	if step == 0 {
		return 0, nil
	}
	rc := http.NewResponseController(sw.ResponseWriter)
	n := 0
	for n < len(b) {
		if err := sleepCtx(sw.ctx, sw.d/pieces); err != nil {
			return n, err
		}
		end := min(n+step, len(b))
		m, err := sw.ResponseWriter.Write(b[n:end])
		n += m
		if err != nil {
			return n, err
		}
		rc.Flush()
	}
	return n, nil
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (sw *slowWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }
