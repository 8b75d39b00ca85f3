package kintonesim

import (
	"maps"
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
}

func (s *Server) record(q *request) {
	e := q.entry
	e.Records = q.records
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.stats.Requests++
	if e.Status >= 400 {
		s.stats.Errors++
	}
	s.stats.RecordsReturned += int64(q.records)
	if s.stats.ByEndpoint == nil {
		s.stats.ByEndpoint = map[string]int64{}
		s.stats.ByCode = map[string]int64{}
	}
	s.stats.ByEndpoint[e.Method+" "+e.Path]++
	if e.Code != "" {
		s.stats.ByCode[e.Code]++
	}
	if max := s.opts.MaxLoggedRequests; max > 0 {
		if len(s.log) >= max {
			n := copy(s.log, s.log[len(s.log)-max+1:])
			s.log = s.log[:n]
		}
		s.log = append(s.log, *e)
	}
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []LoggedRequest {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]LoggedRequest, len(s.log))
	copy(out, s.log)
	return out
}

// ResetRequests empties the request log and the counters.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = nil
	s.stats = Stats{}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	st := s.stats
	st.ByEndpoint = maps.Clone(st.ByEndpoint)
	st.ByCode = maps.Clone(st.ByCode)
	if st.ByEndpoint == nil {
		st.ByEndpoint = map[string]int64{}
		st.ByCode = map[string]int64{}
	}
	return st
}

// InFlight returns the number of requests being served right now.
func (s *Server) InFlight() int { return int(s.inflight.Load()) }
