package kclient

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how patiently idempotent requests are resent after a transient
// failure (see IsRetryable). The zero value is DefaultRetryPolicy().
type RetryPolicy struct {
	// MaxRetries is the number of resends after the first attempt: 0 = 3; negative = none.
	MaxRetries int
	// BaseDelay is the first backoff, doubled for each further retry, with jitter: 0 = 200 ms.
	BaseDelay time.Duration
	// MaxDelay caps one wait: 0 = 30 s. A Retry-After longer than MaxDelay ends retrying, and the
	// error is returned at once.
	MaxDelay time.Duration
}

// DefaultRetryPolicy returns the policy used for the zero RetryPolicy.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, BaseDelay: 200 * time.Millisecond, MaxDelay: 30 * time.Second}
}

func (p RetryPolicy) normalized() RetryPolicy {
	d := DefaultRetryPolicy()
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = d.MaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	return p
}

// wait returns how long to wait before retry number retry (0 for the first), given the
// server's Retry-After (0 when none), and whether to retry at all.
func (p RetryPolicy) wait(retry int, retryAfter time.Duration) (time.Duration, bool) {
	if retry >= p.MaxRetries {
		return 0, false
	}
	if retryAfter > p.MaxDelay {
		return 0, false
	}
	d := p.BaseDelay
	for i := 0; i < retry && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	// "Equal jitter": half fixed, half random, so that clients that failed together spread out.
	w := d/2 + rand.N(d/2+1)
	return max(w, retryAfter), true
}
