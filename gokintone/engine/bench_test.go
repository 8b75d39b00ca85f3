package engine

import "testing"

// BenchmarkFullScan reads the 12,000-record sample app through the in-process simulator.
func BenchmarkFullScan(b *testing.B) {
	f := newFixture(&testing.T{}, 12000)
	t := &testing.T{}
	f.query(t, `SELECT Id FROM "受注明細 Orders" LIMIT 1`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := f.query(t, `SELECT Id FROM "受注明細 Orders"`)
		if len(rows) != 12000 {
			b.Fatal(len(rows))
		}
	}
}
