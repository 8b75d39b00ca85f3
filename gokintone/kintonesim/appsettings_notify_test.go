package kintonesim_test

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

// notifyFixture declares notifications, graphs and actions the way a fixture author would:
// numbers as numbers, most attributes left out.
const notifyFixture = `{"users": [{"code": "u", "name": "U", "password": "p"}], "timeZone": "Europe/Paris", "apps": [
 {"id": 5, "name": "Orders", "code": "ORD", "lang": "en",
  "fields": {"due": {"type": "DATE"}, "n": {"type": "NUMBER"}, "done": {"type": "CHECK_BOX", "options": ["yes"]}},
  "apiTokens": [{"token": "t5", "view": true}],
  "notifications": {
   "general": [{"entity": {"type": "USER", "code": "u"}, "recordAdded": true}],
   "notifyToCommenter": true,
   "perRecord": [{"filterCond": "n > 10", "targets": [{"entity": {"type": "FIELD_ENTITY", "code": "Created_by"}}]}],
   "reminder": [{"timing": {"code": "due", "daysLater": -1, "time": "08:30"}, "title": "Due",
                 "targets": [{"entity": {"type": "GROUP", "code": "g"}, "includeSubs": true}]},
                {"timing": {"code": "Created_datetime", "daysLater": 2}}]},
  "reports": {"Totals": {"chartType": "COLUMN", "groups": [{"code": "due", "per": "MONTH"}],
                         "aggregations": [{"type": "SUM", "code": "n"}]},
              "Count": {"chartType": "PIE", "id": 99}},
  "actions": {"Copy": {"destApp": {"code": "TGT"}, "mappings": [{"srcType": "FIELD", "srcField": "n", "destField": "m"}],
                       "entities": [{"type": "USER", "code": "u"}]}}},
 {"id": 6, "name": "Target", "code": "TGT", "fields": {"m": {"type": "NUMBER"}}}]}`

func TestNotificationSettings(t *testing.T) {
	f, err := kintonesim.ParseFixture([]byte(notifyFixture))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, f, kintonesim.Options{})
	u := map[string]string{"X-Cybozu-Authorization": pw("u", "p")}
	wantBody(t, call(t, s, "GET", "/k/v1/app/notifications/general.json?app=5", nil, u), `{"notifications":[
		{"entity":{"type":"USER","code":"u"},"includeSubs":false,"recordAdded":true,"recordEdited":false,
		 "commentAdded":false,"statusChanged":false,"fileImported":false}],"notifyToCommenter":true,"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/app/notifications/perRecord.json?app=5&lang=en", nil, u), `{"notifications":[
		{"filterCond":"n > 10","title":"","targets":[{"entity":{"type":"FIELD_ENTITY","code":"Created_by"},"includeSubs":false}]}],
		"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/app/notifications/reminder.json?app=5", nil, u), `{"notifications":[
		{"timing":{"code":"due","daysLater":"-1","time":"08:30"},"filterCond":"","title":"Due",
		 "targets":[{"entity":{"type":"GROUP","code":"g"},"includeSubs":true}]},
		{"timing":{"code":"Created_datetime","daysLater":"2","hoursLater":"0"},"filterCond":"","title":"","targets":[]}],
		"timezone":"Europe/Paris","revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/app/reports.json?app=5", nil, u), `{"reports":{
		"Count":{"chartType":"PIE","id":"99","name":"Count","index":"0","groups":[],"aggregations":[{"type":"COUNT"}],
		 "filterCond":"","sorts":[],"periodicReport":null},
		"Totals":{"chartType":"COLUMN","chartMode":"NORMAL","id":"5002","name":"Totals","index":"1",
		 "groups":[{"code":"due","per":"MONTH"}],"aggregations":[{"type":"SUM","code":"n"}],"filterCond":"","sorts":[],
		 "periodicReport":null}},"revision":"1"}`)
	wantBody(t, call(t, s, "GET", "/k/v1/app/actions.json?app=5", nil, u), `{"actions":{"Copy":{"name":"Copy","id":"5001",
		"index":"0","destApp":{"app":"6","code":"TGT"},"mappings":[{"srcType":"FIELD","srcField":"n","destField":"m"}],
		"entities":[{"type":"USER","code":"u"}],"filterCond":""}},"revision":"1"}`)

	// An app without settings: kintone's empty settings.
	for path, want := range map[string]string{
		"app/notifications/general.json":   `{"notifications":[],"notifyToCommenter":false,"revision":"1"}`,
		"app/notifications/perRecord.json": `{"notifications":[],"revision":"1"}`,
		"app/notifications/reminder.json":  `{"notifications":[],"timezone":"Europe/Paris","revision":"1"}`,
		"app/reports.json":                 `{"reports":{},"revision":"1"}`,
		"app/actions.json":                 `{"actions":{},"revision":"1"}`,
	} {
		wantBody(t, call(t, s, "GET", "/k/v1/"+path+"?app=6", nil, u), want)
		wantBody(t, call(t, s, "GET", "/k/v1/preview/"+path+"?app=6", nil, u), want)
		// Errors as the other settings reads: the app is needed, must exist and be the token's.
		wantErr(t, call(t, s, "GET", "/k/v1/"+path, nil, u), 400, "CB_VA01", "", "app")
		wantErr(t, call(t, s, "GET", "/k/v1/"+path+"?app=42", nil, u), 404, "GAIA_AP01", "")
		wantErr(t, call(t, s, "GET", "/k/v1/"+path+"?app=6", nil, map[string]string{"X-Cybozu-API-Token": "t5"}), 403, "GAIA_NO01", "")
		wantOK(t, call(t, s, "GET", "/k/v1/"+path+"?app=5", nil, map[string]string{"X-Cybozu-API-Token": "t5"}))
	}
	// lang is checked where kintone takes it; general.json has none.
	for _, path := range []string{"app/notifications/perRecord.json", "app/notifications/reminder.json", "app/reports.json", "app/actions.json"} {
		wantErr(t, call(t, s, "GET", "/k/v1/"+path+"?app=5&lang=xx", nil, u), 400, "CB_VA01", "", "lang")
	}
}

func TestNotificationSettingsOfTheSample(t *testing.T) {
	s := newServer(t, nil, kintonesim.Options{})
	r := get(t, s, "/k/v1/app/actions.json?app=3")
	wantOK(t, r)
	if !strings.Contains(r.raw, `"destApp":{"app":"2","code":"DEALS"}`) {
		t.Errorf("the action of Orders: %s", r.raw)
	}
	r = get(t, s, "/k/v1/app/notifications/reminder.json?app=3")
	if !strings.Contains(r.raw, `"timing":{"code":"order_date","daysLater":"7","time":"09:00"}`) || r.body["timezone"] != "Asia/Tokyo" {
		t.Errorf("the reminder of Orders: %s", r.raw)
	}
	// The guest app's settings through its guest space, and not without it.
	wantBody(t, get(t, s, "/k/guest/2/v1/app/reports.json?app=4"), `{"reports":{},"revision":"1"}`)
	wantErr(t, get(t, s, "/k/v1/app/reports.json?app=4"), 400, "GAIA_IL23", "")
}
