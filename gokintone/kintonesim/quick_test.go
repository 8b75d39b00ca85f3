package kintonesim

import (
	"testing"
	"time"
)

func TestQuickSample(t *testing.T) {
	t0 := time.Now()
	f := SampleFixture(SampleOptions{})
	t1 := time.Now()
	s, err := New(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gen %v new %v apps %d", t1.Sub(t0), time.Since(t1), len(s.apps))
}
