package kclient

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
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

// RetryBudget bounds the retries of all the requests made with one context (WithRetryBudget),
// on top of each request's own RetryPolicy.
type RetryBudget struct {
	Retries int           // resends, in all
	Wait    time.Duration // time spent waiting between attempts, in all
}

// StatementRetryBudget is the budget the driver gives each statement and each connect:
// however many requests it sends, together they are resent at most 20 times and wait at most
// two minutes between attempts.
func StatementRetryBudget() RetryBudget {
	return RetryBudget{Retries: 20, Wait: 2 * time.Minute}
}

// budget is what is left of a context's RetryBudget.
type budget struct {
	mu          sync.Mutex
	left, given RetryBudget
}

type budgetKey struct{}

// WithRetryBudget returns a context whose requests share budget b: once their retries
// together have used it up, a request that fails transiently returns its error at once.
func WithRetryBudget(ctx context.Context, b RetryBudget) context.Context {
	return context.WithValue(ctx, budgetKey{}, &budget{left: b, given: b})
}

// takeRetry reports whether ctx's budget, if it has one, allows one more retry after waiting
// wait, and if so charges it.
func takeRetry(ctx context.Context, wait time.Duration) bool {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left.Retries <= 0 || wait > b.left.Wait {
		return false
	}
	b.left.Retries--
	b.left.Wait -= wait
	return true
}

// budgetSpent notes in the message of a retryable error that ctx's budget ended retrying.
func budgetSpent(ctx context.Context, err error, attempts int) error {
	e := kerr.As(err)
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if e == nil || b == nil {
		return err
	}
	return e.WithMessage(fmt.Sprintf("%s (gave up after %d attempts: the statement has used its retry budget of %d retries and %s of waiting)",
		e.Message, attempts, b.given.Retries, b.given.Wait), e.Err)
}

// isTooBusy reports whether err is kintone saying that the domain runs as many concurrent
// requests as it allows (429 GAIA_TO04, or a 429 without a code).
func isTooBusy(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests && ae.retryable()
}

// busyFor holds every request of the client for d from now (see holdWhileBusy): after kintone
// said the domain is at its concurrency limit (the X-ConcurrencyLimit-* headers), the client's
// other requests, such as a scan's concurrent page reads, do not add to the load meanwhile.
func (c *Client) busyFor(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := c.busyUntil.Load()
		if cur >= until || c.busyUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// holdWhileBusy waits until the hold busyFor set has passed, and reports false when ctx ended
// first.
func (c *Client) holdWhileBusy(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	d := time.Until(time.Unix(0, c.busyUntil.Load()))
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
