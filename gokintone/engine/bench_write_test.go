package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// BenchmarkExecuteManyInsert runs an executemany of 10,000 INSERTs of the benchmark's five
// Deals columns (benchmarks/read_bench.py), against an in-process simulator.
func BenchmarkExecuteManyInsert(b *testing.B) {
	f := newFixtureWith(b, sample.Fixture(sample.Options{OrderRecords: 10}), Options{MaxRows: -1, CheckRevision: true, InsertParallelism: 5})
	rows := make([][]any, 10000)
	stages := []string{"Lead", "Qualified", "Proposal", "Won", "Lost"}
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("Benchmark #%d", i), stages[i%len(stages)], int64(1000 * (i % 500)), int64(i % 101), fmt.Sprintf("2025-01-%02d", 1+i%28)}
	}
	const sql = "INSERT INTO Deals ([Deal name], Stage, Amount, Probability, [Close date]) VALUES (?, ?, ?, ?, ?)"
	if _, err := f.eng.ExecuteMany(context.Background(), sql, rows[:1]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.eng.ExecuteMany(context.Background(), sql, rows); err != nil {
			b.Fatal(err)
		}
	}
}
