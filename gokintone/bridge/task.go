package bridge

import (
	"runtime/debug"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Work that may take long (connecting, executing, fetching) runs on a goroutine of its own and
// is awaited in bounded slices: a native function waits at most waitMs milliseconds and, when
// the work is still running, answers "not ready" so that Python regains control between calls
// (Python runs its signal handlers, and so raises KeyboardInterrupt, only then) and asks again.
// The work itself is stopped by cancelling its context, which any thread may do.

// task is one piece of work on its own goroutine.
type task[T any] struct {
	done chan struct{} // closed when val and err are set
	val  T
	err  error
}

// start runs f on a new goroutine. A panic in f becomes the task's error (a panic that escaped
// a goroutine would abort the Python process).
func start[T any](f func() (T, error)) *task[T] {
	t := &task[T]{done: make(chan struct{})}
	go func() {
		defer close(t.done)
		defer func() {
			if r := recover(); r != nil {
				t.err = kerr.Panicked(r, debug.Stack())
			}
		}()
		t.val, t.err = f()
	}()
	return t
}

// wait reports whether t has finished, waiting at most waitMs milliseconds for it (a negative
// waitMs waits until it does).
func (t *task[T]) wait(waitMs int) bool {
	select {
	case <-t.done:
		return true
	default:
	}
	switch {
	case waitMs < 0:
		<-t.done
		return true
	case waitMs == 0:
		return false
	}
	timer := time.NewTimer(time.Duration(waitMs) * time.Millisecond)
	defer timer.Stop()
	select {
	case <-t.done:
		return true
	case <-timer.C:
		return false
	}
}

// finished reports whether t has finished, without waiting.
func (t *task[T]) finished() bool { return t.wait(0) }

// cancelledError is the error of work stopped by a cancel call.
func cancelledError(what string) error {
	return kerr.New(kerr.KindCancelled, "%s was cancelled", what)
}
