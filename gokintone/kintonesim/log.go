package kintonesim

import (
	"maps"
	"sync"
	"time"
)

// LoggedRequest is one request as the server saw it.
type LoggedRequest struct {
	Time   time.Time      `json:"time"`
	Method string         `json:"method"` // after X-HTTP-Method-Override
	Path   string         `json:"path"`
	App    string         `json:"app,omitempty"`   // the app parameter (id for app.json)
	Query  string         `json:"query,omitempty"` // the query parameter
	Params map[string]any `json:"params,omitempty"`
	Status int            `json:"status"`
	Code   string         `json:"code,omitempty"` // kintone error code sent, if any
	Auth   string         `json:"auth"`           // "password", "token", "oauth" or "none"
	User   string         `json:"user,omitempty"` // acting user ("Administrator" for tokens)
	// Records is the number of records returned (records.json GET, record.json GET, cursors).
	Records int `json:"records,omitempty"`
	// Fault is set when a FaultRule fired on the request (a Reset request is logged with
	// status 0).
	Fault bool `json:"fault,omitempty"`
}

// Stats are counters since the server started or ResetRequests was last called.
type Stats struct {
	Requests        int64            `json:"requests"`
	Errors          int64            `json:"errors"` // responses with status >= 400
	RecordsReturned int64            `json:"recordsReturned"`
	ByEndpoint      map[string]int64 `json:"byEndpoint"` // "GET /k/v1/records.json" → count
	ByCode          map[string]int64 `json:"byCode"`     // error code → count
	// OpenCursors is not a counter: the records cursors open now (created, neither read to
	// the end, deleted nor expired).
	OpenCursors int `json:"openCursors"`
}

// requestLog is the request log and its counters.
type requestLog struct {
	mu      sync.Mutex
	max     int // Options.MaxLoggedRequests; negative: counters only
	entries []LoggedRequest
	stats   Stats
}

func newRequestLog(max int) requestLog {
	if max == 0 {
		max = 100000
	}
	return requestLog{max: max}
}

// add logs a request that has been answered.
func (l *requestLog) add(q *request) {
	e := q.entry
	e.Records = q.records
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Requests++
	if e.Status >= 400 {
		l.stats.Errors++
	}
	l.stats.RecordsReturned += int64(q.records)
	if l.stats.ByEndpoint == nil {
		l.stats.ByEndpoint = map[string]int64{}
		l.stats.ByCode = map[string]int64{}
	}
	l.stats.ByEndpoint[e.Method+" "+e.Path]++
	if e.Code != "" {
		l.stats.ByCode[e.Code]++
	}
	if l.max > 0 {
		if len(l.entries) >= l.max {
			n := copy(l.entries, l.entries[len(l.entries)-l.max+1:])
			l.entries = l.entries[:n]
		}
		l.entries = append(l.entries, *e)
	}
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []LoggedRequest {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]LoggedRequest, len(s.log.entries))
	copy(out, s.log.entries)
	return out
}

// ResetRequests empties the request log and the counters.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
	s.log.stats = Stats{}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	st := s.log.stats
	st.ByEndpoint = maps.Clone(st.ByEndpoint)
	st.ByCode = maps.Clone(st.ByCode)
	if st.ByEndpoint == nil {
		st.ByEndpoint = map[string]int64{}
		st.ByCode = map[string]int64{}
	}
	st.OpenCursors = s.st.cursors.open(s.st.now())
	return st
}

// InFlight returns the number of requests being served right now.
func (s *Server) InFlight() int { return int(s.inflight.Load()) }
