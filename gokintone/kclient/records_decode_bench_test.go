package kclient

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// samplePageBody is a records.json reply of 500 records of the sample Orders app, as the
// simulator sends it.
func samplePageBody(b *testing.B) []byte {
	sim, err := kintonesim.New(sample.Fixture(sample.Options{OrderRecords: 500}), kintonesim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	q := url.Values{"app": {"3"}, "query": {"order by $id asc limit 500"}}
	req := httptest.NewRequest("GET", "/k/v1/records.json?"+q.Encode(), nil)
	req.Header.Set("X-Cybozu-Authorization", base64.StdEncoding.EncodeToString([]byte("admin:kintone-sim")))
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// BenchmarkDecodeRecordsPage decodes one page of 500 records with every field.
func BenchmarkDecodeRecordsPage(b *testing.B) {
	body := samplePageBody(b)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var w recordsWire
		if err := w.decodeBody(body); err != nil || len(w.Records) != 500 {
			b.Fatal(len(w.Records), err)
		}
	}
}
