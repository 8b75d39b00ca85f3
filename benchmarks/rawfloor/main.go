// Command rawfloor is the network floor of benchmarks/read_bench.py: it downloads every record
// of one kintone app with the requests the driver's full-table scan makes, and does nothing with
// the bodies beyond finding the record ids that choose the next request. No JSON decoding, no
// rows: what is left is HTTP and the server, so a client can be compared with the least any
// client could spend on the same pages.
//
//	go run ./benchmarks/rawfloor -url http://127.0.0.1:PORT -user U -password P -app 3 [-parallel 4] [-fields '$id']
//
// The requests follow the driver's scan (gokintone/engine/scan.go, pager.partition): the first
// page "order by $id asc limit 500"; then, when it is full, the largest id
// ("order by $id desc limit 1", fields $id) and the rest as id ranges of four pages each (wider
// when the first page shows sparse ids), at most -parallel ranges at once, each read as
// "$id > lo and $id <= hi order by $id asc limit 500" pages until a short page or the range's
// last id. -fields sends kintone's fields parameter on the pages (the floor of a projection
// such as SELECT Id). It imports nothing of this module: it must stay a floor, not a copy.
//
// Prints one line of JSON: {"seconds": from the first request to the last body, "rows": records
// received, "requests": HTTP requests made}.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// pageSize is the records per request, kintone's maximum and the driver's default.
const pageSize = 500

// idKey starts the record id field in a records.json body. Inside a JSON string a quote is
// escaped, so these bytes occur only as the key of a record's "$id" field.
var idKey = []byte(`"$id":`)

// valueKey precedes the id's digits in that field's object.
var valueKey = []byte(`"value":"`)

// floor reads one app's records.
type floor struct {
	client   *http.Client
	endpoint string // .../k/v1/records.json
	auth     string // X-Cybozu-Authorization
	app      string
	fields   []string
	requests atomic.Int64
	rows     atomic.Int64
}

// page is what the floor keeps of one records.json reply.
type page struct {
	count         int   // records in it
	firstID, last int64 // ids of its first and last record (0 when empty)
}

func main() {
	var (
		base     = flag.String("url", "", "kintone base URL (http://127.0.0.1:PORT for the simulator)")
		user     = flag.String("user", "", "login name (password authentication)")
		password = flag.String("password", "", "password")
		app      = flag.Int64("app", 0, "app id")
		parallel = flag.Int("parallel", 4, "id ranges read at once (the driver's ScanParallelism)")
		fields   = flag.String("fields", "", "comma-separated field codes to ask for (default: all)")
	)
	flag.Parse()
	if *base == "" || *app <= 0 || *parallel < 1 {
		fmt.Fprintln(os.Stderr, "rawfloor: -url and -app are required, -parallel at least 1")
		os.Exit(2)
	}
	f := &floor{
		client: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: *parallel + 1,
			DisableCompression:  true,
		}},
		endpoint: strings.TrimRight(*base, "/") + "/k/v1/records.json",
		auth:     base64.StdEncoding.EncodeToString([]byte(*user + ":" + *password)),
		app:      strconv.FormatInt(*app, 10),
	}
	if *fields != "" {
		f.fields = strings.Split(*fields, ",")
	}
	started := time.Now()
	if err := f.scan(context.Background(), *parallel); err != nil {
		fmt.Fprintln(os.Stderr, "rawfloor:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{
		"seconds":  time.Since(started).Seconds(),
		"rows":     f.rows.Load(),
		"requests": f.requests.Load(),
	})
	fmt.Println(string(out))
}

// scan reads every record: the first page, then the rest as id ranges, parallel at a time.
func (f *floor) scan(ctx context.Context, parallel int) error {
	first, err := f.records(ctx, fmt.Sprintf("order by $id asc limit %d", pageSize))
	if err != nil || first.count < pageSize {
		return err
	}
	probe, err := f.get(ctx, "order by $id desc limit 1", []string{"$id"})
	if err != nil || probe.count == 0 {
		return err
	}
	span := int64(pageSize * 4)
	if seen := first.last - first.firstID + 1; seen > pageSize {
		span = max(span, 4*seen)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
		slots    = make(chan struct{}, parallel)
	)
	for lo := first.last; lo < probe.last && ctx.Err() == nil; lo += span {
		slots <- struct{}{}
		wg.Add(1)
		go func(lo, hi int64) {
			defer func() { <-slots; wg.Done() }()
			if err := f.readRange(ctx, lo, hi); err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		}(lo, min(lo+span, probe.last))
	}
	wg.Wait()
	return firstErr
}

// readRange reads the records with lo < $id <= hi, page after page.
func (f *floor) readRange(ctx context.Context, lo, hi int64) error {
	for {
		q := fmt.Sprintf("$id > %d and $id <= %d order by $id asc limit %d", lo, hi, pageSize)
		pg, err := f.records(ctx, q)
		if err != nil || pg.count < pageSize || pg.last >= hi {
			return err
		}
		lo = pg.last
	}
}

// records gets one page of records (the probe for the largest id is not one).
func (f *floor) records(ctx context.Context, query string) (page, error) {
	pg, err := f.get(ctx, query, f.fields)
	f.rows.Add(int64(pg.count))
	return pg, err
}

// get makes one records.json request and reads the ids its body holds.
func (f *floor) get(ctx context.Context, query string, fields []string) (page, error) {
	params := url.Values{"app": {f.app}, "query": {query}}
	for i, code := range fields {
		params.Set("fields["+strconv.Itoa(i)+"]", code)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.endpoint+"?"+params.Encode(), nil)
	if err != nil {
		return page{}, err
	}
	req.Header.Set("X-Cybozu-Authorization", f.auth)
	f.requests.Add(1)
	resp, err := f.client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return page{}, fmt.Errorf("HTTP %d for %q: %.300s", resp.StatusCode, query, body)
	}
	pg := page{count: bytes.Count(body, idKey)}
	if pg.count > 0 {
		if pg.firstID, err = idAt(body, bytes.Index(body, idKey)); err == nil {
			pg.last, err = idAt(body, bytes.LastIndex(body, idKey))
		}
	}
	return pg, err
}

// idAt reads the id of the "$id" field whose key starts at body[at:].
func idAt(body []byte, at int) (int64, error) {
	rest := body[at+len(idKey):]
	v := bytes.Index(rest, valueKey)
	if v < 0 {
		return 0, fmt.Errorf("a $id field without a value near %.80q", rest)
	}
	digits := rest[v+len(valueKey):]
	end := bytes.IndexByte(digits, '"')
	if end < 0 {
		return 0, fmt.Errorf("an unterminated $id near %.80q", rest)
	}
	return strconv.ParseInt(string(digits[:end]), 10, 64)
}
