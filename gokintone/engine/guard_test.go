package engine

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// TestPanicInFetchGoroutine: a panic on one of the goroutines a scan starts (the page fetched
// ahead, the id ranges read concurrently) fails the statement with an internal error, which
// Python receives as an exception, instead of aborting the process; the engine then runs the
// next statement as usual. The fetch hook, which runs on those goroutines, panics from its
// second call on (the first page is fetched on the caller's goroutine).
func TestPanicInFetchGoroutine(t *testing.T) {
	var calls atomic.Int64
	fetchHook = func() {
		if calls.Add(1) > 1 {
			panic("injected in a fetch goroutine")
		}
	}
	t.Cleanup(func() { fetchHook = nil })
	f := newFixtureWith(t, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1})
	for _, tc := range []struct{ name, sql string }{
		{"id ranges", "SELECT Id FROM Deals"},                                      // partitioned full scan
		{"page ahead", "SELECT Id FROM Deals WHERE Id > 0 ORDER BY Id LIMIT 1800"}, // pushed LIMIT: prefetch
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			_, err := f.try(tc.sql)
			if kerr.KindOf(err) != kerr.KindInternal || !strings.Contains(err.Error(), "injected in a fetch goroutine") {
				t.Fatalf("err = %v, want the panic as an internal error", err)
			}
			calls.Store(-1_000_000) // no more panics
			if rows := f.query(t, tc.sql); len(rows) < 1800 {
				t.Errorf("after the panic: %d rows", len(rows))
			}
		})
	}
}

// TestFailParts: the ranges of a partitioned scan that a panicking starter never started end
// with its error first, then closed, so the consumer is not left waiting.
func TestFailParts(t *testing.T) {
	parts := []chan page{make(chan page, 4), make(chan page, 4)}
	failParts(parts, kerr.New(kerr.KindInternal, "boom"))
	p := &pager{parts: parts}
	if err := p.fillFromParts(); kerr.KindOf(err) != kerr.KindInternal {
		t.Fatalf("err = %v", err)
	}
	if _, ok := <-parts[1]; ok {
		t.Errorf("the second range is still open")
	}
}
