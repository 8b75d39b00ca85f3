package kintonesim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// BenchmarkBulkInsert answers one bulkRequest adding 2,000 Deals records (20 × 100), the unit
// of an executemany of inserts and of the official client's addAllRecords.
func BenchmarkBulkInsert(b *testing.B) {
	s, err := kintonesim.New(sample.Fixture(sample.Options{}), kintonesim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]any, 20)
	for r := range reqs {
		recs := make([]any, 100)
		for i := range recs {
			n := r*100 + i
			recs[i] = map[string]any{
				"deal_name":   map[string]any{"value": fmt.Sprintf("Bench #%d", n)},
				"stage":       map[string]any{"value": "Lead"},
				"amount":      map[string]any{"value": fmt.Sprint(1000 * (n % 500))},
				"probability": map[string]any{"value": fmt.Sprint(n % 101)},
				"close_date":  map[string]any{"value": fmt.Sprintf("2025-01-%02d", 1+n%28)},
			}
		}
		reqs[r] = map[string]any{"method": "POST", "api": "/k/v1/records.json", "payload": map[string]any{"app": sample.DealsApp, "records": recs}}
	}
	body, _ := json.Marshal(map[string]any{"requests": reqs})
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/k/v1/bulkRequest.json", bytes.NewReader(body))
		req.Header.Set("X-Cybozu-Authorization", adminAuth["X-Cybozu-Authorization"])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
	}
}
