package bridge

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
)

// What statements cost. kintone counts requests per app per day, so every HTTP attempt a
// statement makes is told to the statement, whose replies hand them to Python (the cursor's
// kintone_requests), and the connection counts its attempts per app (ConnInfo).

// requestRecord is one HTTP attempt as a statement's replies carry it. It holds the kintone
// query (the statement's own conditions) but never headers or bodies.
type requestRecord struct {
	Method  string   `json:"method"`
	Path    string   `json:"path"`
	App     int64    `json:"app"` // 0 when the request concerns no one app
	Query   string   `json:"query"`
	Fields  []string `json:"fields"`
	Records int      `json:"records"` // received or sent
	Status  int      `json:"status"`  // 0 when no reply arrived
	Ms      float64  `json:"ms"`
	Error   string   `json:"error,omitempty"`
}

// meter collects the requests of one statement until its next reply. The requests in flight
// while Python is not asking are bounded by the engine's read-ahead (a few pages per scan).
type meter struct {
	mu      sync.Mutex
	pending []requestRecord
}

// observe is the statement's kclient observer (see kclient.WithObserver).
func (m *meter) observe(x kclient.Exchange) {
	r := requestRecord{Method: x.Method, Path: x.Path, App: x.App, Query: x.Query, Fields: x.Fields,
		Records: x.Records, Status: x.Status, Ms: float64(x.Duration.Microseconds()) / 1000, Error: x.Err}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = append(m.pending, r)
}

// writeTo appends `,"requests":[...]` to a reply when requests were made since the last one,
// and forgets them.
func (m *meter) writeTo(b *strings.Builder) error {
	m.mu.Lock()
	reqs := m.pending
	m.pending = nil
	m.mu.Unlock()
	if len(reqs) == 0 {
		return nil
	}
	enc, err := json.Marshal(reqs)
	if err != nil {
		return err
	}
	b.WriteString(`,"requests":`)
	b.Write(enc)
	return nil
}

// usage counts a connection's HTTP attempts per app since it was opened.
type usage struct {
	mu    sync.Mutex
	byApp map[int64]int64
}

func (u *usage) observe(x kclient.Exchange) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.byApp == nil {
		u.byApp = map[int64]int64{}
	}
	u.byApp[x.App]++
}

// counts are the attempts per app id, as text for JSON ("0": those that concern no one app).
func (u *usage) counts() map[string]int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]int64, len(u.byApp))
	for app, n := range u.byApp {
		out[strconv.FormatInt(app, 10)] = n
	}
	return out
}
