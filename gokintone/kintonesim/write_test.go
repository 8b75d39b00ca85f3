package kintonesim_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func fixedClock() func() time.Time {
	return func() time.Time { return time.Date(2026, 1, 1, 3, 4, 5, 0, time.UTC) }
}

func TestAddRecord(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{Now: fixedClock()})
	body := map[string]any{"app": 2, "record": map[string]any{
		"deal_name":   map[string]any{"value": "New deal"},
		"customer":    map[string]any{"value": "株式会社東京精密"}, // replaced below by a real name
		"amount":      map[string]any{"value": "1.5e6"},
		"probability": map[string]any{"value": 40},
		"nosuch":      map[string]any{"value": "ignored"},
	}}
	// Use a customer that exists.
	c := get(t, s, "/k/v1/record.json?app=1&id=3").body["record"].(map[string]any)
	name := val(c, "会社名").(string)
	body["record"].(map[string]any)["customer"] = map[string]any{"value": name}
	r := call(t, s, "POST", "/k/v1/record.json", body, adminAuth)
	wantOK(t, r)
	if r.body["id"] != "121" || r.body["revision"] != "1" {
		t.Fatalf("POST: %s", r.raw)
	}
	rec := get(t, s, "/k/v1/record.json?app=2&id=121").body["record"].(map[string]any)
	if val(rec, "amount") != "1500000" || val(rec, "expected_revenue") != "600000" || val(rec, "stage") != "Lead" ||
		val(rec, "priority") != "Medium" || val(rec, "industry") != val(c, "業種") && val(c, "業種") != nil {
		t.Errorf("stored: amount %v revenue %v stage %v priority %v industry %v", val(rec, "amount"), val(rec, "expected_revenue"),
			val(rec, "stage"), val(rec, "priority"), val(rec, "industry"))
	}
	if val(rec, "Created_datetime") != "2026-01-01T03:04:00Z" || val(rec, "Created_by").(map[string]any)["code"] != "admin" {
		t.Errorf("system fields: %v %v", val(rec, "Created_datetime"), val(rec, "Created_by"))
	}
	// Validation.
	r = call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2, "record": map[string]any{
		"amount": map[string]any{"value": "abc"}, "stage": map[string]any{"value": "Nope"}}}, adminAuth)
	wantError(t, r, 400, "CB_VA01")
	errs := r.body["errors"].(map[string]any)
	for _, k := range []string{"record.deal_name.value", "record[amount].value", "record.stage.value"} {
		if errs[k] == nil {
			t.Errorf("no error for %s: %s", k, r.raw)
		}
	}
	// Lookup key not found.
	r = call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2, "record": map[string]any{
		"deal_name": map[string]any{"value": "x"}, "customer": map[string]any{"value": "No Such Company"}}}, adminAuth)
	wantError(t, r, 400, "GAIA_LO04")
	// Unique.
	r = call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 1, "record": map[string]any{
		"会社名": map[string]any{"value": name}}}, adminAuth)
	wantError(t, r, 400, "CB_VA01")
	// Lookups need the source app's token too.
	r = call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2, "record": map[string]any{
		"deal_name": map[string]any{"value": "x"}, "customer": map[string]any{"value": name}}}, tok("sim-deals-full"))
	wantError(t, r, 403, "GAIA_NO01")
	wantOK(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2, "record": map[string]any{
		"deal_name": map[string]any{"value": "x"}, "customer": map[string]any{"value": name}}}, tok("sim-deals-full,sim-customers-view")))
	// View-only tokens cannot add.
	wantError(t, call(t, s, "POST", "/k/v1/record.json", map[string]any{"app": 2, "record": map[string]any{}}, tok("sim-deals-view")), 403, "GAIA_NO01")
}

func TestUpdateRecord(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{Now: fixedClock()})
	put := func(body map[string]any) resp { return call(t, s, "PUT", "/k/v1/record.json", body, adminAuth) }
	r := put(map[string]any{"app": 3, "id": 10, "revision": 1, "record": map[string]any{"memo": map[string]any{"value": "changed"}}})
	wantOK(t, r)
	if r.body["revision"] != "2" {
		t.Errorf("revision %v", r.body["revision"])
	}
	wantError(t, put(map[string]any{"app": 3, "id": 10, "revision": 1, "record": map[string]any{}}), 409, "GAIA_CO02")
	wantOK(t, put(map[string]any{"app": 3, "id": "10", "revision": "-1", "record": map[string]any{}}))
	rec := get(t, s, "/k/v1/record.json?app=3&id=10").body["record"].(map[string]any)
	if val(rec, "memo") != "changed" || val(rec, "$revision") != "3" || val(rec, "更新日時") != "2026-01-01T03:04:00Z" {
		t.Errorf("after PUT: %v %v %v", val(rec, "memo"), val(rec, "$revision"), val(rec, "更新日時"))
	}
	// Subtable: a kept row by id, a new row; totals recomputed.
	rows := val(rec, "items").([]any)
	if len(rows) == 0 {
		t.Skip("record 10 has no rows")
	}
	keep := rows[0].(map[string]any)
	r = put(map[string]any{"app": 3, "id": 10, "record": map[string]any{"items": map[string]any{"value": []any{
		map[string]any{"id": keep["id"], "value": map[string]any{"quantity": map[string]any{"value": "2"}}},
		map[string]any{"value": map[string]any{"product": map[string]any{"value": "Pen"}, "quantity": map[string]any{"value": "3"}, "unit_price": map[string]any{"value": "100"}}},
	}}}})
	wantOK(t, r)
	rec = get(t, s, "/k/v1/record.json?app=3&id=10").body["record"].(map[string]any)
	rows = val(rec, "items").([]any)
	first := rows[0].(map[string]any)
	cells := first["value"].(map[string]any)
	price := cells["unit_price"].(map[string]any)["value"].(string)
	if first["id"] != keep["id"] || len(rows) != 2 || cells["quantity"].(map[string]any)["value"] != "2" {
		t.Errorf("rows %v", rows)
	}
	var p int
	fmt.Sscan(price, &p)
	if want := fmt.Sprint(2*p + 300); val(rec, "total") != want {
		t.Errorf("total %v, want %s", val(rec, "total"), want)
	}
	// updateKey.
	wantOK(t, put(map[string]any{"app": 3, "updateKey": map[string]any{"field": "order_no", "value": "ORD-000005"},
		"record": map[string]any{"memo": map[string]any{"value": "by key"}}}))
	if rec := get(t, s, "/k/v1/record.json?app=3&id=5").body["record"].(map[string]any); val(rec, "memo") != "by key" {
		t.Errorf("updateKey memo %v", val(rec, "memo"))
	}
	wantError(t, put(map[string]any{"app": 3, "updateKey": map[string]any{"field": "memo", "value": "x"}, "record": map[string]any{}}), 400, "CB_VA01")
	wantError(t, put(map[string]any{"app": 3, "id": 99999, "record": map[string]any{}}), 404, "GAIA_RE01")
}

func TestRecordsBatch(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	many := make([]any, 101)
	for i := range many {
		many[i] = map[string]any{"title": map[string]any{"value": "t"}}
	}
	wantError(t, call(t, s, "POST", "/k/guest/2/v1/records.json", map[string]any{"app": 4, "records": many}, adminAuth), 400, "CB_VA01")
	r := call(t, s, "POST", "/k/guest/2/v1/records.json", map[string]any{"app": 4, "records": many[:3]}, adminAuth)
	wantOK(t, r)
	if !reflect.DeepEqual(r.body["ids"], []any{"6", "7", "8"}) || !reflect.DeepEqual(r.body["revisions"], []any{"1", "1", "1"}) {
		t.Errorf("POST records: %s", r.raw)
	}
	// All or nothing: the second record fails, the first is not added.
	r = call(t, s, "POST", "/k/guest/2/v1/records.json", map[string]any{"app": 4, "records": []any{
		map[string]any{"title": map[string]any{"value": "ok"}}, map[string]any{"title": map[string]any{"value": ""}}}}, adminAuth)
	wantError(t, r, 400, "CB_VA01")
	if r.body["errors"].(map[string]any)["records[1].title.value"] == nil {
		t.Errorf("error key: %s", r.raw)
	}
	if n := len(records(t, get(t, s, "/k/guest/2/v1/records.json?app=4"))); n != 8 {
		t.Errorf("%d records after a failed batch", n)
	}
	// PUT with upsert.
	r = call(t, s, "PUT", "/k/v1/records.json", map[string]any{"app": 3, "upsert": true, "records": []any{
		map[string]any{"updateKey": map[string]any{"field": "order_no", "value": "ORD-000001"}, "record": map[string]any{"memo": map[string]any{"value": "u"}}},
		map[string]any{"updateKey": map[string]any{"field": "order_no", "value": "NEW-1"}, "record": map[string]any{"memo": map[string]any{"value": "i"}}},
	}}, adminAuth)
	wantOK(t, r)
	res := r.body["records"].([]any)
	if res[0].(map[string]any)["operation"] != "UPDATE" || res[1].(map[string]any)["operation"] != "INSERT" || res[1].(map[string]any)["id"] != "251" {
		t.Errorf("upsert: %s", r.raw)
	}
	wantError(t, call(t, s, "PUT", "/k/v1/records.json", map[string]any{"app": 3, "records": []any{
		map[string]any{"id": 1, "record": map[string]any{}}, map[string]any{"id": 1, "record": map[string]any{}}}}, adminAuth), 400, "GAIA_RE09")
	// DELETE from the query string and from a body, revisions checked.
	wantOK(t, call(t, s, "DELETE", "/k/v1/records.json?app=3&ids[0]=1&ids[1]=2", nil, adminAuth))
	wantError(t, get(t, s, "/k/v1/record.json?app=3&id=1"), 404, "GAIA_RE01")
	wantError(t, call(t, s, "DELETE", "/k/v1/records.json", map[string]any{"app": 3, "ids": []any{3, 4}, "revisions": []any{1, 5}}, adminAuth), 409, "GAIA_CO02")
	wantOK(t, get(t, s, "/k/v1/record.json?app=3&id=3"))
	wantError(t, call(t, s, "DELETE", "/k/v1/records.json", map[string]any{"app": 3, "ids": []any{3, 1}}, adminAuth), 404, "GAIA_RE01")
	wantOK(t, get(t, s, "/k/v1/record.json?app=3&id=3"))
	wantError(t, call(t, s, "DELETE", "/k/v1/records.json", map[string]any{"app": 3, "ids": []any{}}, adminAuth), 400, "CB_VA01")
	wantError(t, call(t, s, "DELETE", "/k/v1/records.json?app=3&ids[0]=3", nil, tok("sim-orders-view")), 403, "GAIA_NO01")
}

func TestBulkRequest(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	ok := map[string]any{"requests": []any{
		map[string]any{"method": "POST", "api": "/k/v1/record.json", "payload": map[string]any{"app": 2, "record": map[string]any{"deal_name": map[string]any{"value": "b1"}}}},
		map[string]any{"method": "PUT", "api": "/k/v1/record.json", "payload": map[string]any{"app": 2, "id": 121, "revision": 1, "record": map[string]any{"deal_name": map[string]any{"value": "b2"}}}},
		map[string]any{"method": "DELETE", "api": "/k/v1/records.json", "payload": map[string]any{"app": 3, "ids": []any{7}}},
		map[string]any{"method": "POST", "api": "/k/guest/2/v1/records.json", "payload": map[string]any{"app": 4, "records": []any{map[string]any{"title": map[string]any{"value": "g"}}}}},
	}}
	r := call(t, s, "POST", "/k/v1/bulkRequest.json", ok, adminAuth)
	wantOK(t, r)
	want := []any{map[string]any{"id": "121", "revision": "1"}, map[string]any{"revision": "2"}, map[string]any{},
		map[string]any{"ids": []any{"6"}, "revisions": []any{"1"}}}
	if !reflect.DeepEqual(r.body["results"], want) {
		t.Errorf("results %s", r.raw)
	}
	// A failure rolls everything back and reports its index.
	bad := map[string]any{"requests": []any{
		map[string]any{"method": "POST", "api": "/k/v1/record.json", "payload": map[string]any{"app": 2, "record": map[string]any{"deal_name": map[string]any{"value": "b3"}}}},
		map[string]any{"method": "DELETE", "api": "/k/v1/records.json", "payload": map[string]any{"app": 3, "ids": []any{8}}},
		map[string]any{"method": "PUT", "api": "/k/v1/record.json", "payload": map[string]any{"app": 2, "id": 121, "revision": 1, "record": map[string]any{}}},
	}}
	r = call(t, s, "POST", "/k/v1/bulkRequest.json", bad, adminAuth)
	if r.status != 409 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	res := r.body["results"].([]any)
	if len(res) != 3 || len(res[0].(map[string]any)) != 0 || len(res[1].(map[string]any)) != 0 || res[2].(map[string]any)["code"] != "GAIA_CO02" {
		t.Errorf("error results %s", r.raw)
	}
	wantOK(t, get(t, s, "/k/v1/record.json?app=3&id=8"))
	wantError(t, get(t, s, "/k/v1/record.json?app=2&id=122"), 404, "GAIA_RE01")
	// Limits.
	reqs := make([]any, 21)
	for i := range reqs {
		reqs[i] = ok["requests"].([]any)[0]
	}
	wantError(t, call(t, s, "POST", "/k/v1/bulkRequest.json", map[string]any{"requests": reqs}, adminAuth), 400, "CB_VA01")
}

func TestCursor(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newServer(t, nil, kintonesim.Options{Now: func() time.Time { return now }})
	r := call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 3, "fields": []string{"$id"}, "query": "order by $id asc", "size": 100}, adminAuth)
	wantOK(t, r)
	id := r.body["id"].(string)
	if r.body["totalCount"] != "250" || len(id) != 36 {
		t.Fatalf("create: %s", r.raw)
	}
	var got []string
	for {
		r = call(t, s, "GET", "/k/v1/records/cursor.json?id="+id, nil, adminAuth)
		got = append(got, ids(t, records(t, r))...)
		if r.body["next"] == false {
			break
		}
	}
	if len(got) != 250 || got[0] != "1" || got[249] != "250" {
		t.Errorf("read %d ids", len(got))
	}
	wantError(t, call(t, s, "GET", "/k/v1/records/cursor.json?id="+id, nil, adminAuth), 404, "GAIA_CN01")
	wantError(t, call(t, s, "DELETE", "/k/v1/records/cursor.json", map[string]any{"id": id}, adminAuth), 404, "GAIA_CN01")
	wantError(t, call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 3, "query": "limit 5"}, adminAuth), 400, "CB_VA01")
	wantError(t, call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 3, "size": 501}, adminAuth), 400, "CB_VA01")
	// Ten per domain.
	var open []string
	for i := 0; i < 10; i++ {
		r := call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 3, "size": 10}, adminAuth)
		wantOK(t, r)
		open = append(open, r.body["id"].(string))
	}
	if n := s.Stats().OpenCursors; n != 10 {
		t.Errorf("Stats().OpenCursors = %d, want 10", n)
	}
	wantError(t, call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 1}, adminAuth), 429, "GAIA_TM12")
	wantOK(t, call(t, s, "DELETE", "/k/v1/records/cursor.json", map[string]any{"id": open[0]}, adminAuth))
	wantOK(t, call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 1}, adminAuth))
	// Sliding 10-minute expiry.
	now = now.Add(9 * time.Minute)
	wantOK(t, call(t, s, "GET", "/k/v1/records/cursor.json?id="+open[1], nil, adminAuth))
	now = now.Add(9 * time.Minute)
	wantOK(t, call(t, s, "GET", "/k/v1/records/cursor.json?id="+open[1], nil, adminAuth))
	wantError(t, call(t, s, "GET", "/k/v1/records/cursor.json?id="+open[2], nil, adminAuth), 404, "GAIA_CN01")
	r = call(t, s, "POST", "/k/v1/records/cursor.json", map[string]any{"app": 1}, map[string]string{"X-Cybozu-API-Token": "sim-customers-view"})
	wantOK(t, r)
	if !strings.Contains(r.raw, "totalCount") {
		t.Errorf("token cursor %s", r.raw)
	}
	if n := s.Stats().OpenCursors; n != 2 { // open[1], read again in time, and the token's
		t.Errorf("Stats().OpenCursors = %d after the others expired, want 2", n)
	}
}
