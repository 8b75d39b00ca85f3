package bridge

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
)

// Go never calls into Python (a Go thread calling Python would need the GIL from a thread
// Python does not know). What Python should hear about, it pulls: each reply of Execute,
// StmtWait and StmtFetch says how many events are waiting, and ConnDrain hands them over.

// maxLogRecords bounds the log records kept between two drains; later ones are counted and
// reported as one record.
const maxLogRecords = 10000

// logRecord is one record for Python's logging module.
type logRecord struct {
	Level   string  `json:"level"`  // a logging level name: DEBUG, INFO, WARNING, ERROR
	Logger  string  `json:"logger"` // a child of the "cdata_kintone" logger
	Message string  `json:"message"`
	Time    float64 `json:"time"` // seconds since the Unix epoch, like LogRecord.created
}

// progressEvent is a page of records a statement received from kintone.
type progressEvent struct {
	Table    string `json:"table"`
	Received int    `json:"received"` // records in this page
}

// Wanted says which events Python listens to; the others are not recorded at all.
type Wanted struct {
	// LogLevel is the lowest level recorded, as a Python logging level number (DEBUG = 10,
	// INFO = 20, WARNING = 30, ERROR = 40).
	LogLevel int `json:"log_level"`
	// Progress records a progress event per page of records received.
	Progress bool `json:"progress"`
}

// levels are the Python logging level numbers of the level names records use.
var levels = map[string]int{"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}

// events is a connection's queue of what Python has not pulled yet.
type events struct {
	mu       sync.Mutex
	wanted   Wanted
	logs     []logRecord
	progress []progressEvent
	dropped  int
}

func newEvents() *events { return &events{wanted: Wanted{LogLevel: levels["WARNING"]}} }

func (q *events) want(w Wanted) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wanted = w
}

// wants reports whether records of level are recorded (checked before formatting one).
func (q *events) wants(level string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return levels[level] >= q.wanted.LogLevel
}

func (q *events) log(level, logger, format string, args ...any) {
	if !q.wants(level) {
		return
	}
	r := logRecord{Level: level, Logger: logger, Message: fmt.Sprintf(format, args...),
		Time: float64(time.Now().UnixNano()) / 1e9}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.logs) >= maxLogRecords {
		q.dropped++
		return
	}
	q.logs = append(q.logs, r)
}

// page records a progress event, when Python listens to them. It is called from the engine's
// fetch goroutines.
func (q *events) page(table string, received int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.wanted.Progress {
		return
	}
	if len(q.progress) >= maxLogRecords {
		// Progress is cumulative for the listener: merge rather than drop.
		last := &q.progress[len(q.progress)-1]
		if last.Table == table {
			last.Received += received
			return
		}
		q.dropped++
		return
	}
	q.progress = append(q.progress, progressEvent{Table: table, Received: received})
}

// observeHTTP is the kclient observer of a connection: one DEBUG record per HTTP attempt on
// the "cdata_kintone.http" logger. The path and status only: never headers, bodies or queries,
// which hold credentials and record data.
func (q *events) observeHTTP(x kclient.Exchange) {
	if !q.wants("DEBUG") {
		return
	}
	ms := float64(x.Duration.Microseconds()) / 1000
	switch {
	case x.Err != "" && x.Status == 0:
		q.log("DEBUG", "cdata_kintone.http", "%s %s failed after %.1f ms: %s", x.Method, x.Path, ms, x.Err)
	case x.Err != "":
		q.log("DEBUG", "cdata_kintone.http", "%s %s -> HTTP %d in %.1f ms: %s", x.Method, x.Path, x.Status, ms, x.Err)
	default:
		q.log("DEBUG", "cdata_kintone.http", "%s %s -> HTTP %d in %.1f ms", x.Method, x.Path, x.Status, ms)
	}
}

// pending is the number of events waiting, warnings included.
func (q *events) pending(warnings int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.logs) + len(q.progress) + warnings
	if q.dropped > 0 {
		n++
	}
	return n
}

// drain returns the waiting events as the JSON ConnDrain answers and forgets them.
func (q *events) drain(warnings []string) (string, error) {
	q.mu.Lock()
	logs, progress, dropped := q.logs, q.progress, q.dropped
	q.logs, q.progress, q.dropped = nil, nil, 0
	q.mu.Unlock()
	if dropped > 0 {
		logs = append(logs, logRecord{Level: "WARNING", Logger: "cdata_kintone",
			Message: fmt.Sprintf("%d log records or progress events were left out (at most %d are kept between two drains)", dropped, maxLogRecords),
			Time:    float64(time.Now().UnixNano()) / 1e9})
	}
	if warnings == nil {
		warnings = []string{}
	}
	if logs == nil {
		logs = []logRecord{}
	}
	if progress == nil {
		progress = []progressEvent{}
	}
	b, err := json.Marshal(struct {
		Warnings []string        `json:"warnings"`
		Logs     []logRecord     `json:"logs"`
		Progress []progressEvent `json:"progress"`
	}{warnings, logs, progress})
	return string(b), err
}
