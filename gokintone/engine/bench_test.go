package engine

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

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

// BenchmarkFullScanAll reads every column of the same 12,000 records.
func BenchmarkFullScanAll(b *testing.B) {
	f := newFixture(&testing.T{}, 12000)
	t := &testing.T{}
	f.query(t, `SELECT Id FROM "受注明細 Orders" LIMIT 1`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := f.query(t, `SELECT * FROM "受注明細 Orders"`)
		if len(rows) != 12000 {
			b.Fatal(len(rows))
		}
	}
}

// BenchmarkSubtableScan reads the Id of every row of the 12,000 records' subtable.
func BenchmarkSubtableScan(b *testing.B) {
	f := newFixture(&testing.T{}, 12000)
	t := &testing.T{}
	f.query(t, `SELECT Id FROM "受注明細 Orders_明細" LIMIT 1`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := f.query(t, `SELECT Id FROM "受注明細 Orders_明細"`)
		if len(rows) == 0 {
			b.Fatal(len(rows))
		}
	}
}

// BenchmarkCachedJoin joins a table with itself: the inner side is held in the statement's
// cache and scanned once per outer row with a pushed condition re-checked in Go.
func BenchmarkCachedJoin(b *testing.B) {
	f := newFixture(&testing.T{}, 300)
	t := &testing.T{}
	f.query(t, `SELECT Id FROM "受注明細 Orders" LIMIT 1`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := f.query(t, `SELECT a.Id, b.Id FROM "受注明細 Orders" a, "受注明細 Orders" b WHERE b.顧客名 = a.顧客名 AND b.Id < a.Id + 5`)
		if len(rows) == 0 {
			b.Fatal(len(rows))
		}
	}
}

// benchStaticPage serves one page of 499 records of the sample app as a fixed body (the
// simulator only writes bytes), so that the time is the driver's: request, JSON decoding,
// conversion and SQLite.
func benchStaticPage(b *testing.B, sql string) {
	f := newFixture(&testing.T{}, 499)
	t := &testing.T{}
	ctx := context.Background()
	tab, err := f.eng.catalog.resolve(ctx, "受注明細 Orders")
	if err != nil {
		b.Fatal(err)
	}
	res, err := f.kc.Records(ctx, tab.AppID, "order by $id asc limit 500", nil, false)
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"records": res.Records, "totalCount": nil})
	if err != nil {
		b.Fatal(err)
	}
	f.sim.AddFault(kintonesim.FaultRule{Path: "/k/v1/records.json", Times: -1, Status: 200, Body: string(body), ContentType: "application/json"})
	f.query(t, sql)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rows := f.query(t, sql); len(rows) != 499 {
			b.Fatal(len(rows))
		}
	}
}

func BenchmarkStaticPageID(b *testing.B)  { benchStaticPage(b, `SELECT Id FROM "受注明細 Orders"`) }
func BenchmarkStaticPageAll(b *testing.B) { benchStaticPage(b, `SELECT * FROM "受注明細 Orders"`) }
