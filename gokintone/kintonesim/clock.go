package kintonesim

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when told to, for expiry tests: give its Now method as
// Options.Now and call Advance to jump past a cursor's or an OAuth token's lifetime. It is safe
// for concurrent use. The zero Clock starts at 2026-01-01T00:00:00Z.
//
// Only what the simulated domain considers "now" follows the Clock (record timestamps, TODAY()
// and other date functions, cursor, authorization-code and token expiry, the request log);
// Options.Latency and injected delays still sleep in real time.
type Clock struct {
	mu  sync.Mutex
	t   time.Time
	set bool
}

// clockEpoch is where the zero Clock starts.
var clockEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// NewClock returns a Clock that reads t until it is advanced.
func NewClock(t time.Time) *Clock { return &Clock{t: t, set: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set {
		c.t, c.set = clockEpoch, true
	}
	return c.t
}

// Advance moves the clock forward by d (backward when d is negative) and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set {
		c.t, c.set = clockEpoch, true
	}
	c.t = c.t.Add(d)
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, c.set = t, true
}
