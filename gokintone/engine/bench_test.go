package engine

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// benchQuery runs sql over the sample data with orders records, after one statement that
// declares the tables, and checks the row count with ok.
func benchQuery(b *testing.B, orders int, sql string, ok func(rows int) bool) {
	f := newFixture(&testing.T{}, orders)
	t := &testing.T{}
	f.query(t, `SELECT 1 FROM "受注明細 Orders", "受注明細 Orders_明細" LIMIT 1`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rows := f.query(t, sql); !ok(len(rows)) {
			b.Fatal(len(rows))
		}
	}
}

func is(n int) func(int) bool { return func(rows int) bool { return rows == n } }

func some(rows int) bool { return rows > 0 }

// BenchmarkFullScan reads the 12,000-record sample app through the in-process simulator.
func BenchmarkFullScan(b *testing.B) {
	benchQuery(b, 12000, `SELECT Id FROM "受注明細 Orders"`, is(12000))
}

// BenchmarkFullScanAll reads every column of the same 12,000 records.
func BenchmarkFullScanAll(b *testing.B) {
	benchQuery(b, 12000, `SELECT * FROM "受注明細 Orders"`, is(12000))
}

// BenchmarkSubtableScan reads the Id of every row of the 12,000 records' subtable.
func BenchmarkSubtableScan(b *testing.B) {
	benchQuery(b, 12000, `SELECT Id FROM "受注明細 Orders_明細"`, some)
}

// BenchmarkCachedJoin joins a table with itself: the inner side is held in the statement's
// cache and scanned once per outer row with a pushed condition re-checked in Go.
func BenchmarkCachedJoin(b *testing.B) {
	benchQuery(b, 300, `SELECT a.Id, b.Id FROM "受注明細 Orders" a, "受注明細 Orders" b WHERE b.顧客名 = a.顧客名 AND b.Id < a.Id + 5`, some)
}

// benchStaticPage serves one page of 499 records of the sample app as a fixed body (the
// simulator only writes bytes), so that the time is the driver's: request, JSON decoding,
// conversion and SQLite.
func benchStaticPage(b *testing.B, sql string) {
	f, _, recs := samplePage(b, 499)
	t := &testing.T{}
	body, err := json.Marshal(map[string]any{"records": recs, "totalCount": nil})
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

// samplePage is a fixture of the sample data with orders records, the Orders table and its
// first page of records as kintone sends them.
func samplePage(b *testing.B, orders int) (*fixture, *schema.Table, []kclient.Record) {
	f := newFixture(&testing.T{}, orders)
	ctx := context.Background()
	tab, err := f.eng.catalog.resolve(ctx, "受注明細 Orders")
	if err != nil {
		b.Fatal(err)
	}
	res, err := f.kc.Records(ctx, tab.AppID, "order by $id asc limit 500", nil, false)
	if err != nil {
		b.Fatal(err)
	}
	return f, tab, res.Records
}
