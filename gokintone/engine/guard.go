package engine

import (
	"context"
	"runtime/debug"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// recovered is deferred first in every goroutine the engine starts (the page fetches of
// scan.go, write.go's bulkRequest sent ahead): it turns a panic into an internal error and hands it to deliver, which passes it
// to whoever waits for the goroutine's result, so that the statement fails with an internal
// error instead of the process aborting (a panic no goroutine recovers ends the whole
// program, Python included). It must be the deferred function itself: recover works only
// there.
//
// Go's fatal errors (running out of memory, a concurrent map write, a stack overflow) are not
// panics and end the process whatever is deferred.
func recovered(deliver func(error)) {
	if r := recover(); r != nil {
		deliver(kerr.Panicked(r, debug.Stack()))
	}
}

// sendPage hands pg to the consumer of out, unless the scan is cancelled first.
func sendPage(ctx context.Context, out chan page, pg page) {
	select {
	case out <- pg:
	case <-ctx.Done():
	}
}

// failParts ends the id ranges of a partitioned scan that were never started: the first
// carries err (its channel is empty, as nothing was started to fill it), and every one is
// closed, so the consumer reads the error where it reaches them and is never left waiting.
func failParts(parts []chan page, err error) {
	if len(parts) > 0 {
		parts[0] <- page{err: err}
	}
	for _, ch := range parts {
		close(ch)
	}
}
