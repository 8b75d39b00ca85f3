package kintonesim_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

func q(s string) string { return url.QueryEscape(s) }

func TestAppsList(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	names := func(r resp) []string {
		wantOK(t, r)
		var out []string
		for _, a := range r.body["apps"].([]any) {
			out = append(out, a.(map[string]any)["appId"].(string))
		}
		return out
	}
	cases := []struct {
		url  string
		want []string
	}{
		{"/k/v1/apps.json", []string{"1", "2", "3"}},
		{"/k/v1/apps.json?ids[0]=1&ids[1]=3", []string{"1", "3"}},
		{"/k/v1/apps.json?ids%5B0%5D=2", []string{"2"}},
		{"/k/v1/apps.json?ids=1&ids=2", []string{"1", "2"}},
		{"/k/v1/apps.json?codes[0]=ORDERS", []string{"3"}},
		{"/k/v1/apps.json?codes[0]=orders", nil},
		{"/k/v1/apps.json?name=DEAL", []string{"2"}},
		{"/k/v1/apps.json?name=" + q("顧客"), []string{"1"}},
		{"/k/v1/apps.json?spaceIds[0]=1", []string{"1", "2"}},
		{"/k/v1/apps.json?limit=2", []string{"1", "2"}},
		{"/k/v1/apps.json?limit=2&offset=2", []string{"3"}},
		{"/k/guest/2/v1/apps.json", []string{"4"}},
	}
	for _, c := range cases {
		if got := names(get(t, s, c.url)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.url, got, c.want)
		}
	}
	// JSON body carrier.
	if got := names(call(t, s, "GET", "/k/v1/apps.json", map[string]any{"ids": []any{3, "1"}}, adminAuth)); !reflect.DeepEqual(got, []string{"1", "3"}) {
		t.Errorf("JSON body: %v", got)
	}
	wantError(t, get(t, s, "/k/v1/apps.json?limit=0"), 400, "CB_VA01")
	wantError(t, get(t, s, "/k/v1/apps.json?limit=101"), 400, "CB_VA01")
	wantError(t, get(t, s, "/k/v1/apps.json?offset=-1"), 400, "CB_VA01")
	// With API tokens only the tokens' apps are listed.
	r := call(t, s, "GET", "/k/v1/apps.json", nil, map[string]string{"X-Cybozu-API-Token": "sim-orders-view,sim-customers-full"})
	if got := names(r); !reflect.DeepEqual(got, []string{"1", "3"}) {
		t.Errorf("token apps: %v", got)
	}
	// App object shape.
	a := get(t, s, "/k/v1/apps.json?ids[0]=3").body["apps"].([]any)[0].(map[string]any)
	for _, k := range []string{"appId", "code", "name", "description", "spaceId", "threadId", "createdAt", "creator", "modifiedAt", "modifier"} {
		if _, ok := a[k]; !ok {
			t.Errorf("app object lacks %s: %v", k, a)
		}
	}
	if a["spaceId"] != nil || a["name"] != "受注明細 Orders" {
		t.Errorf("app 3: %v", a)
	}
}

func TestApp(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	r := get(t, s, "/k/v1/app.json?id=2")
	wantOK(t, r)
	if r.body["appId"] != "2" || r.body["code"] != "DEALS" || r.body["spaceId"] != "1" {
		t.Errorf("app.json: %s", r.raw)
	}
	if c := r.body["creator"].(map[string]any); c["code"] != "john.smith" || c["name"] != "John Smith" {
		t.Errorf("creator %v", c)
	}
	r = get(t, s, "/k/v1/app.json?id=99")
	wantError(t, r, 404, "GAIA_AP01")
	if !strings.Contains(r.body["message"].(string), "99") {
		t.Errorf("message %v", r.body["message"])
	}
	wantError(t, get(t, s, "/k/v1/app.json"), 400, "CB_VA01")
	wantError(t, get(t, s, "/k/v1/app.json?id=abc"), 400, "CB_VA01")
}

func TestFormFields(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	for _, lang := range []string{"", "&lang=default", "&lang=en", "&lang=ja", "&lang=user"} {
		wantOK(t, get(t, s, "/k/v1/app/form/fields.json?app=1"+lang))
	}
	wantError(t, get(t, s, "/k/v1/app/form/fields.json?app=1&lang=xx"), 400, "CB_VA01")
	r := get(t, s, "/k/v1/app/form/fields.json?app=1")
	props := r.body["properties"].(map[string]any)
	if r.body["revision"] == nil {
		t.Error("no revision")
	}
	for code, typ := range map[string]string{
		"会社名": "SINGLE_LINE_TEXT", "業種": "DROP_DOWN", "従業員数": "NUMBER", "設立日": "DATE", "担当者": "USER_SELECT",
		"Webサイト": "LINK", "タグ": "CHECK_BOX", "備考": "MULTI_LINE_TEXT",
		"レコード番号": "RECORD_NUMBER", "作成者": "CREATOR", "作成日時": "CREATED_TIME", "更新者": "MODIFIER", "更新日時": "UPDATED_TIME",
		"ステータス": "STATUS",
	} {
		p, ok := props[code].(map[string]any)
		if !ok || p["type"] != typ || p["code"] != code {
			t.Errorf("%s: %v", code, props[code])
		}
	}
	name := props["会社名"].(map[string]any)
	if name["required"] != true || name["unique"] != true || name["label"] != "会社名" {
		t.Errorf("会社名: %v", name)
	}
	opts := props["業種"].(map[string]any)["options"].(map[string]any)
	if o := opts["製造業"].(map[string]any); o["label"] != "製造業" || o["index"] != "0" {
		t.Errorf("options: %v", opts)
	}
	// English system codes, lookups and subtables.
	props = get(t, s, "/k/v1/app/form/fields.json?app=2").body["properties"].(map[string]any)
	for _, code := range []string{"Record_number", "Created_by", "Created_datetime", "Updated_by", "Updated_datetime"} {
		if props[code] == nil {
			t.Errorf("no %s", code)
		}
	}
	lk := props["customer"].(map[string]any)["lookup"].(map[string]any)
	if lk["relatedKeyField"] != "会社名" || lk["relatedApp"].(map[string]any)["app"] != "1" {
		t.Errorf("lookup %v", lk)
	}
	if f := props["expected_revenue"].(map[string]any); f["format"] != "NUMBER" || f["expression"] != "amount * probability / 100" {
		t.Errorf("calc %v", f)
	}
	props = get(t, s, "/k/v1/app/form/fields.json?app=3").body["properties"].(map[string]any)
	items := props["items"].(map[string]any)
	if items["type"] != "SUBTABLE" || items["fields"].(map[string]any)["subtotal"].(map[string]any)["type"] != "CALC" {
		t.Errorf("items %v", items)
	}
	wantOK(t, get(t, s, "/k/v1/preview/app/form/fields.json?app=3"))
}

func TestRecordGet(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	r := get(t, s, "/k/v1/record.json?app=1&id=5")
	wantOK(t, r)
	rec := r.body["record"].(map[string]any)
	if val(rec, "$id") != "5" || val(rec, "$revision") != "1" || val(rec, "レコード番号") != "CUSTOMERS-5" {
		t.Errorf("record: %s", r.raw)
	}
	for code, f := range rec {
		if m := f.(map[string]any); m["type"] == nil {
			t.Errorf("%s has no type", code)
		}
	}
	wantError(t, get(t, s, "/k/v1/record.json?app=1&id=9999"), 404, "GAIA_RE01")
	wantError(t, get(t, s, "/k/v1/record.json?app=1"), 400, "CB_VA01")
	r = get(t, s, "/k/v1/record.json?id=1")
	wantError(t, r, 400, "CB_VA01")
	if r.body["errors"].(map[string]any)["app"] == nil {
		t.Errorf("errors: %s", r.raw)
	}
}

// TestValueShapes checks every field type's JSON shape (§4 of the API notes).
func TestValueShapes(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	check := func(app int, code string, test func(v any) bool) {
		t.Helper()
		recs := records(t, get(t, s, fmt.Sprintf("/k/v1/records.json?app=%d&query=%s", app, q("limit 500"))))
		seen := false
		for _, r := range recs {
			f := r[code].(map[string]any)
			if !test(f["value"]) {
				t.Fatalf("app %d %s: bad value %#v", app, code, f["value"])
			}
			seen = true
		}
		if !seen {
			t.Fatalf("no records")
		}
	}
	isString := func(v any) bool { _, ok := v.(string); return ok }
	isNullableString := func(v any) bool { return v == nil || isString(v) }
	isStrings := func(v any) bool {
		l, ok := v.([]any)
		for _, x := range l {
			if !isString(x) {
				return false
			}
		}
		return ok
	}
	isEntities := func(v any) bool {
		l, ok := v.([]any)
		for _, x := range l {
			m, _ := x.(map[string]any)
			if !isString(m["code"]) || !isString(m["name"]) {
				return false
			}
		}
		return ok
	}
	check(1, "会社名", isString)
	check(1, "従業員数", isString)
	check(1, "業種", isNullableString)
	check(1, "設立日", isNullableString)
	check(1, "タグ", isStrings)
	check(1, "担当者", isEntities)
	check(1, "作成者", func(v any) bool { m, ok := v.(map[string]any); return ok && isString(m["code"]) })
	check(1, "作成日時", func(v any) bool { s, _ := v.(string); return len(s) == 20 && strings.HasSuffix(s, ":00Z") })
	check(2, "call_time", func(v any) bool { s, ok := v.(string); return v == nil || ok && len(s) == 5 })
	check(2, "channels", isStrings)
	check(2, "expected_revenue", isString)
	check(3, "region", isEntities)
	check(3, "team", isEntities)
	check(3, "attachments", func(v any) bool {
		l, ok := v.([]any)
		for _, x := range l {
			m := x.(map[string]any)
			if !isString(m["fileKey"]) || !isString(m["name"]) || !isString(m["contentType"]) || !isString(m["size"]) {
				return false
			}
		}
		return ok
	})
	check(3, "items", func(v any) bool {
		l, ok := v.([]any)
		for _, x := range l {
			row := x.(map[string]any)
			cells, _ := row["value"].(map[string]any)
			if !isString(row["id"]) || cells["quantity"].(map[string]any)["type"] != "NUMBER" {
				return false
			}
		}
		return ok
	})
	// CALC values are computed.
	recs := records(t, get(t, s, "/k/v1/records.json?app=2&query="+q(`amount != "" and probability = 60 limit 1`)))
	a, _ := strconv.Atoi(val(recs[0], "amount").(string))
	if want := strconv.Itoa(a * 60 / 100); val(recs[0], "expected_revenue") != want {
		t.Errorf("expected_revenue %v, want %s", val(recs[0], "expected_revenue"), want)
	}
}

func TestParamCarriers(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	want := []string{"3", "2"}
	check := func(name string, r resp) {
		t.Helper()
		recs := records(t, r)
		if got := ids(t, recs); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ids %v", name, got)
		}
		for _, rec := range recs {
			if len(rec) != 2 || rec["会社名"] == nil {
				t.Errorf("%s: projection %v", name, rec)
			}
		}
		if r.body["totalCount"] != "2" {
			t.Errorf("%s: totalCount %v", name, r.body["totalCount"])
		}
	}
	query := "$id in (2, 3)"
	check("brackets", get(t, s, "/k/v1/records.json?app=1&query="+q(query)+"&fields[0]=$id&fields[1]="+q("会社名")+"&totalCount=true"))
	check("escaped brackets", get(t, s, "/k/v1/records.json?app=1&query="+q(query)+"&"+q("fields[0]")+"=$id&"+q("fields[1]")+"="+q("会社名")+"&totalCount=true"))
	check("repeated", get(t, s, "/k/v1/records.json?app=1&query="+q(query)+"&fields=$id&fields="+q("会社名")+"&totalCount=true"))
	body := map[string]any{"app": 1, "query": query, "fields": []string{"$id", "会社名"}, "totalCount": true}
	check("JSON body GET", call(t, s, "GET", "/k/v1/records.json", body, adminAuth))
	h := map[string]string{"X-HTTP-Method-Override": "GET", "X-Cybozu-Authorization": adminAuth["X-Cybozu-Authorization"]}
	check("method override", call(t, s, "POST", "/k/v1/records.json", body, h))
	body["app"], body["totalCount"] = "1", "true"
	check("numbers as strings", call(t, s, "GET", "/k/v1/records.json", body, adminAuth))
	wantError(t, call(t, s, "GET", "/k/v1/records.json", "{not json", adminAuth), 400, "CB_IJ01")
	wantError(t, get(t, s, "/k/v1/records.json?app=1&totalCount=maybe"), 400, "CB_VA01")
}

func TestRecordsQuery(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	// Default order $id desc, default limit 100.
	recs := records(t, get(t, s, "/k/v1/records.json?app=3"))
	if len(recs) != 100 || val(recs[0], "$id") != "250" || val(recs[99], "$id") != "151" {
		t.Errorf("default page: %d records, first %v last %v", len(recs), val(recs[0], "$id"), val(recs[len(recs)-1], "$id"))
	}
	if r := get(t, s, "/k/v1/records.json?app=3"); r.body["totalCount"] != nil {
		t.Errorf("totalCount %v without totalCount=true", r.body["totalCount"])
	}
	if got := len(records(t, get(t, s, "/k/v1/records.json?app=3&query="+q("limit 500")))); got != 250 {
		t.Errorf("limit 500: %d", got)
	}
	wantError(t, get(t, s, "/k/v1/records.json?app=3&query="+q("limit 501")), 400, "GAIA_QU01")
	wantError(t, get(t, s, "/k/v1/records.json?app=3&query="+q("offset 10001")), 400, "GAIA_QU02")
	if got := len(records(t, get(t, s, "/k/v1/records.json?app=3&query="+q("limit 10 offset 10000")))); got != 0 {
		t.Errorf("offset 10000: %d", got)
	}
	recs = records(t, get(t, s, "/k/v1/records.json?app=3&query="+q("order by $id asc limit 3 offset 2")))
	if got := ids(t, recs); !reflect.DeepEqual(got, []string{"3", "4", "5"}) {
		t.Errorf("asc page %v", got)
	}
	// A condition and a sort on a field.
	r := get(t, s, "/k/v1/records.json?app=2&totalCount=true&query="+q(`stage in ("Won") and amount >= 1000000 order by amount desc, $id asc limit 5`))
	recs = records(t, r)
	prev := 1 << 62
	for _, rec := range recs {
		if val(rec, "stage") != "Won" {
			t.Errorf("stage %v", val(rec, "stage"))
		}
		a, _ := strconv.Atoi(val(rec, "amount").(string))
		if a < 1000000 || a > prev {
			t.Errorf("amount order: %d after %d", a, prev)
		}
		prev = a
	}
	total, _ := strconv.Atoi(r.body["totalCount"].(string))
	if total < len(recs) || total == 0 {
		t.Errorf("totalCount %d", total)
	}
	// Subtable condition.
	recs = records(t, get(t, s, "/k/v1/records.json?app=3&query="+q(`product in ("Webカメラ") limit 500`)))
	for _, rec := range recs {
		found := false
		for _, row := range val(rec, "items").([]any) {
			if row.(map[string]any)["value"].(map[string]any)["product"].(map[string]any)["value"] == "Webカメラ" {
				found = true
			}
		}
		if !found {
			t.Fatalf("record %v has no Webカメラ row", val(rec, "$id"))
		}
	}
	// kquery's errors are sent as kintone's.
	wantError(t, get(t, s, "/k/v1/records.json?app=3&query="+q(`nosuch = "x"`)), 400, "GAIA_IQ11")
	wantError(t, get(t, s, "/k/v1/records.json?app=3&query="+q(`status = "受付"`)), 400, "GAIA_IQ03")
	r = get(t, s, "/k/v1/records.json?app=3&query="+q(`order_no = 'x'`))
	wantError(t, r, 400, "CB_VA01")
	if r.body["errors"].(map[string]any)["query"] == nil {
		t.Errorf("syntax error without errors.query: %s", r.raw)
	}
	// Projection: unknown codes are ignored, $id and $revision can be named.
	recs = records(t, get(t, s, "/k/v1/records.json?app=3&fields[0]=$revision&fields[1]=items&fields[2]=nosuch&query="+q("limit 1")))
	if len(recs[0]) != 2 || recs[0]["items"] == nil || recs[0]["$revision"] == nil {
		t.Errorf("projection: %v", recs[0])
	}
}

// TestSeekPaging pages through the full 12,000-record orders app the way the JS client does.
func TestSeekPaging(t *testing.T) {
	s := newServer(t, sample.Fixture(sample.Options{}), kintonesim.Options{})
	last, n, pages := 0, 0, 0
	for {
		r := get(t, s, "/k/v1/records.json?app=3&fields[0]=$id&query="+q(fmt.Sprintf("$id > %d order by $id asc limit 500", last)))
		recs := records(t, r)
		pages++
		for _, rec := range recs {
			id, _ := strconv.Atoi(val(rec, "$id").(string))
			if id != last+1 {
				t.Fatalf("id %d after %d", id, last)
			}
			last = id
			n++
		}
		if len(recs) < 500 {
			break
		}
	}
	if n != 12000 || pages != 25 {
		t.Errorf("%d records in %d pages", n, pages)
	}
	// With a condition, parenthesised as the connector does.
	r := get(t, s, "/k/v1/records.json?app=3&totalCount=true&fields[0]=$id&query="+q(`(status in ("受付")) and $id > 11000 order by $id asc limit 500`))
	recs := records(t, r)
	if len(recs) == 0 || val(recs[0], "$id").(string) <= "11000" {
		t.Errorf("conditional seek: %d records", len(recs))
	}
}

func TestJapaneseMessages(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	h := map[string]string{"Accept-Language": "ja,en;q=0.8"}
	r := call(t, s, "GET", "/k/v1/records.json?app=1", nil, h)
	wantError(t, r, 401, "CB_AU01")
	if r.body["message"] != "ログインしてください。" {
		t.Errorf("ja message %v", r.body["message"])
	}
	h["X-Cybozu-Authorization"] = adminAuth["X-Cybozu-Authorization"]
	r = call(t, s, "GET", "/k/v1/records.json?app=1&query="+q("limit 501"), nil, h)
	wantError(t, r, 400, "GAIA_QU01")
	if r.body["message"] != "limit には 500 以下の値を指定してください。" {
		t.Errorf("ja message %v", r.body["message"])
	}
	r = call(t, s, "GET", "/k/v1/records.json?app=1", nil, map[string]string{"Accept-Language": "en-US"})
	if r.body["message"] != "Please login." {
		t.Errorf("en message %v", r.body["message"])
	}
	r = call(t, s, "GET", "/k/v1/record.json?app=1&id=1", nil, map[string]string{"Accept-Language": "ja", "X-Cybozu-Authorization": pw("admin", "x")})
	if !strings.Contains(r.body["message"].(string), "パスワード") {
		t.Errorf("ja message %v", r.body["message"])
	}
}

func TestUnknownRoute(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	wantError(t, get(t, s, "/k/v1/nosuch.json"), 404, "CB_NF01")
	wantError(t, get(t, s, "/v1/records.json"), 404, "CB_NF01")
	wantError(t, call(t, s, "PATCH", "/k/v1/records.json?app=1", nil, adminAuth), 404, "CB_NF01")
}

func TestSampleDeterministic(t *testing.T) {
	a, _ := json.Marshal(sample.Fixture(small()))
	b, _ := json.Marshal(sample.Fixture(small()))
	if string(a) != string(b) {
		t.Fatal("two sample fixtures differ")
	}
	c, _ := json.Marshal(sample.Fixture(sample.Options{CustomerRecords: 40, DealRecords: 120, OrderRecords: 250, Seed: 7}))
	if string(a) == string(c) {
		t.Fatal("the seed changes nothing")
	}
	// The JSON form reads back into the same domain.
	f, err := kintonesim.ParseFixture(a)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := newServer(t, f, kintonesim.Options{}), newServer(t, sample.Fixture(small()), kintonesim.Options{})
	for _, u := range []string{"/k/v1/records.json?app=3&query=" + q("limit 500"), "/k/v1/records.json?app=1&query=" + q("limit 500"),
		"/k/v1/app/form/fields.json?app=3", "/k/v1/records.json?app=2&query=" + q("limit 500")} {
		r1, r2 := get(t, s1, u), get(t, s2, u)
		if !reflect.DeepEqual(r1.body, r2.body) {
			t.Errorf("%s differs after a JSON round trip", u)
		}
	}
	// Orders streamed into the store are the same orders, at every iteration of the source.
	streamed := small()
	streamed.StreamOrders = true
	fs := sample.Fixture(streamed)
	if fs.Apps[2].Records != nil || fs.Apps[2].RecordSource == nil {
		t.Fatal("streamed orders are in the fixture's Records")
	}
	s3, s4 := newServer(t, fs, kintonesim.Options{}), newServer(t, fs, kintonesim.Options{})
	for _, u := range []string{"/k/v1/records.json?app=3&query=" + q("limit 500"), "/k/v1/records.json?app=2&query=" + q("limit 500")} {
		r1, r3, r4 := get(t, s1, u), get(t, s3, u), get(t, s4, u)
		if !reflect.DeepEqual(r1.body, r3.body) || !reflect.DeepEqual(r1.body, r4.body) {
			t.Errorf("%s differs with the orders streamed", u)
		}
	}
	// Sample contents the demo relies on.
	f = sample.Fixture(sample.Options{})
	if n := len(f.Apps[2].Records); n != 12000 {
		t.Errorf("orders: %d", n)
	}
	if len(f.Apps[0].Records) != 300 || len(f.Apps[1].Records) != 2000 || f.Apps[3].GuestSpaceID != 2 {
		t.Errorf("sample sizes")
	}
}
