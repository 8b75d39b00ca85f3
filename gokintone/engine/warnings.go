package engine

import (
	"fmt"
	"sync"
)

// maxWarnings bounds the warnings kept between two calls of Warnings; later ones are counted.
const maxWarnings = 200

// warnings collects what the engine went past without failing: metadata in a shape it did not
// expect (an app list entry, a field property) or a field type it does not know. The caller
// (the Python cursor, after each execute) drains them with Engine.Warnings.
type warnings struct {
	mu      sync.Mutex
	list    []string
	seen    map[string]bool // every warning is given once per connection
	dropped int
}

func (w *warnings) add(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[msg] {
		return
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[msg] = true
	if len(w.list) >= maxWarnings {
		w.dropped++
		return
	}
	w.list = append(w.list, msg)
}

// Warnings returns the warnings recorded since the last call, oldest first, and forgets them.
// They are also given to no one else: the caller reports them (the Python driver as
// KintoneWarning and to the "cdata_kintone" logger).
func (e *Engine) Warnings() []string {
	w := &e.warns
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	if w.dropped > 0 {
		out = append(out, fmt.Sprintf("%d more warnings were left out (at most %d are kept between two reads)", w.dropped, maxWarnings))
	}
	w.list, w.dropped = nil, 0
	return out
}

// WarningCount is the number of warnings Warnings would return.
func (e *Engine) WarningCount() int {
	w := &e.warns
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dropped > 0 {
		return len(w.list) + 1
	}
	return len(w.list)
}

// warn records a warning for the caller (see Warnings).
func (e *Engine) warn(format string, args ...any) { e.warns.add(format, args...) }
