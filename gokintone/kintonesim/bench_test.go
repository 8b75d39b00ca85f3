package kintonesim_test

import (
	"net/http/httptest"
	"os"
	"runtime"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// BenchmarkSampleDomain builds the default sample domain (about 14,300 records).
func BenchmarkSampleDomain(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := kintonesim.New(sample.Fixture(sample.Options{}), kintonesim.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeekPage answers one 500-record seek page over the 12,000 orders.
func BenchmarkSeekPage(b *testing.B) {
	s, err := kintonesim.New(sample.Fixture(sample.Options{}), kintonesim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchGet(b, s, "/k/v1/records.json?app=3&query="+q("$id > 6000 order by $id asc limit 500"))
	}
}

// BenchmarkFilteredPage answers a condition sorted on a field over the 12,000 orders.
func BenchmarkFilteredPage(b *testing.B) {
	s, err := kintonesim.New(sample.Fixture(sample.Options{}), kintonesim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchGet(b, s, "/k/v1/records.json?app=3&totalCount=true&query="+q(`status in ("出荷済") order by order_date desc limit 500`))
	}
}

func benchGet(b *testing.B, s *kintonesim.Server, url string) {
	req := httptest.NewRequest("GET", url, nil)
	req.Header.Set("X-Cybozu-Authorization", adminAuth["X-Cybozu-Authorization"])
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatal(rec.Body.String())
	}
}

// TestMillionRecords checks that one app with 1,000,000 records fits in memory. It takes
// minutes and a few GB: set KINTONESIM_BIG=1 to run it.
func TestMillionRecords(t *testing.T) {
	if os.Getenv("KINTONESIM_BIG") == "" {
		t.Skip("set KINTONESIM_BIG=1 to build a 1,000,000-record app")
	}
	s, err := kintonesim.New(sample.Fixture(sample.Options{OrderRecords: 1000000, StreamOrders: true}), kintonesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("heap in use with 1,000,000 orders: %d MB", m.HeapInuse>>20)
	if m.HeapInuse > 4<<30 {
		t.Errorf("heap %d MB exceeds 4 GB", m.HeapInuse>>20)
	}
	r := get(t, s, "/k/v1/records.json?app=3&fields[0]=$id&query="+q("$id > 999000 order by $id asc limit 500"))
	if len(records(t, r)) != 500 {
		t.Error("seek page over a million records")
	}
	runtime.KeepAlive(s)
}
