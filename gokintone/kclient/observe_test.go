package kclient

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// exchanges collects what an observer is told.
type exchanges struct {
	mu  sync.Mutex
	all []Exchange
}

func (x *exchanges) observe(e Exchange) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.all = append(x.all, e)
}

// TestObserversSeeWhatEachRequestCarried: the client's observer and the context's both hear of
// every attempt, with the app, the kintone query, the fields and the records received or sent;
// an attempt outside the observed context reaches only the client's observer.
func TestObserversSeeWhatEachRequestCarried(t *testing.T) {
	var conn, stmt exchanges
	_, c := newWritesSim(t, 0, func(cfg *Config) { cfg.Observe = conn.observe })
	ctx := WithObserver(context.Background(), stmt.observe)

	if _, err := c.Records(ctx, 1, `title != "zz" order by $id asc limit 2`, []string{"$id", "title"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, 1, WriteRequest{Method: "POST", Endpoint: "records",
		Payload: map[string]any{"app": int64(1), "records": []map[string]any{{"title": map[string]any{"value": "x"}}, {"title": map[string]any{"value": "y"}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Bulk(ctx, 1, []WriteRequest{
		{Method: "DELETE", Endpoint: "records", Payload: map[string]any{"app": int64(1), "ids": []int64{1, 2, 3}}},
		{Method: "PUT", Endpoint: "record", Payload: map[string]any{"app": int64(1), "id": int64(4), "record": map[string]any{}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Records(ctx, 99, "", nil, false); err == nil {
		t.Fatal("app 99 exists")
	}
	if _, err := c.App(context.Background(), 1); err != nil { // not observed by the statement
		t.Fatal(err)
	}

	type seen struct {
		method, path string
		app          int64
		query        string
		fields       []string
		records      int
		status       int
	}
	var got []seen
	for _, e := range stmt.all {
		if e.Duration <= 0 {
			t.Errorf("%s %s: no duration", e.Method, e.Path)
		}
		got = append(got, seen{e.Method, e.Path, e.App, e.Query, e.Fields, e.Records, e.Status})
	}
	want := []seen{
		{"GET", "/k/v1/records.json", 1, `title != "zz" order by $id asc limit 2`, []string{"$id", "title"}, 2, 200},
		{"POST", "/k/v1/records.json", 1, "", nil, 2, 200},
		{"POST", "/k/v1/bulkRequest.json", 1, "", nil, 4, 200},
		{"GET", "/k/v1/records.json", 99, "", nil, 0, 404},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the statement's observer saw\n%+v\nwant\n%+v", got, want)
	}
	if len(conn.all) != len(want)+1 || conn.all[len(want)].Path != "/k/v1/app.json" {
		t.Errorf("the client's observer saw %d exchanges, want %d and then app.json: %+v", len(conn.all), len(want)+1, conn.all)
	}
	if e := stmt.all[3]; !strings.Contains(e.Err, "GAIA_AP01") {
		t.Errorf("the failed read's error: %q", e.Err)
	}
}
