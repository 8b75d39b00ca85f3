package kintonesim

import "sync"

// Fault is an error the server answers instead of serving a request (see FailNext).
type Fault struct {
	Status  int    // HTTP status, e.g. 503 or 429
	Code    string // kintone error code, e.g. "GAIA_TO04"; empty sends Body as text/plain
	Message string // error message; a generic one when empty
	Body    string // plain-text body when Code is empty (e.g. a load balancer's 503 page)
}

type faults struct {
	mu    sync.Mutex
	queue []Fault
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

// nextFault pops the next injected fault, if any.
func (s *Server) nextFault() (Fault, bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if len(s.faults.queue) == 0 {
		return Fault{}, false
	}
	f := s.faults.queue[0]
	s.faults.queue = s.faults.queue[1:]
	return f, true
}
