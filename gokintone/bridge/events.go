package bridge

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/connstr"
	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Go never calls into Python (a Go thread calling Python would need the GIL from a thread
// Python does not know). What Python should hear about, it pulls: each reply of Execute,
// StmtWait and StmtFetch says how many events are waiting, and ConnDrain hands them over.

// maxLogRecords bounds the log records kept between two drains; later ones are counted and
// reported as one record.
const maxLogRecords = 10000

// The loggers of the records, children of Python's "cdata_kintone" logger by concern.
const (
	loggerConnection = "cdata_kintone.connection" // connections opened
	loggerHTTP       = "cdata_kintone.http"       // one record per HTTP attempt
	loggerPushdown   = "cdata_kintone.pushdown"   // what each scan sends to kintone
)

// verbosityData is the Verbosity from which log records may hold record data: the kintone
// query of a request and the values of a scan's conditions. Below it they name fields and
// operators only. No record ever holds headers or bodies, which carry credentials.
const verbosityData = 3

// logfileLevel is the lowest level of the records a connection's Logfile gets (the Python side
// writes them): INFO at Verbosity 1, DEBUG from 2 on (the HTTP and pushdown records).
func logfileLevel(verbosity int) int {
	if verbosity >= 2 {
		return levels["DEBUG"]
	}
	return levels["INFO"]
}

// logRecord is one record for Python's logging module.
type logRecord struct {
	Level   string  `json:"level"`  // a logging level name: DEBUG, INFO, WARNING, ERROR
	Logger  string  `json:"logger"` // a child of the "cdata_kintone" logger
	Message string  `json:"message"`
	Time    float64 `json:"time"` // seconds since the Unix epoch, like LogRecord.created
}

// Wanted says which events Python listens to; the others are not recorded at all.
type Wanted struct {
	// LogLevel is the lowest level recorded, as a Python logging level number (DEBUG = 10,
	// INFO = 20, WARNING = 30, ERROR = 40).
	LogLevel int `json:"log_level"`
}

// parseWanted reads the JSON of a Wanted.
func parseWanted(text string) (Wanted, error) {
	var w Wanted
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return w, kerr.New(kerr.KindMalformedCall, "bad event selection %q: %v", text, err)
	}
	return w, nil
}

// defaultWanted is what a connection records until Python says otherwise.
var defaultWanted = Wanted{LogLevel: levels["WARNING"]}

// levels are the Python logging level numbers of the level names records use.
var levels = map[string]int{"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}

// events is a connection's queue of log records Python has not pulled yet.
type events struct {
	verbosity int // the connection's Verbosity: whether records may hold record data
	fileLevel int // the level its Logfile gets (see logfileLevel); 0 without a Logfile

	mu      sync.Mutex
	wanted  Wanted
	logs    []logRecord
	dropped int
}

// newEvents is the queue of a connection with the logging settings given, recording what w
// selects and what its Logfile gets.
func newEvents(log connstr.LogSettings, w Wanted) *events {
	q := &events{verbosity: log.Verbosity}
	if log.File != "" {
		q.fileLevel = logfileLevel(log.Verbosity)
	}
	q.want(w)
	return q
}

// want selects the records made from now on: those Python's loggers want, and those the
// Logfile gets.
func (q *events) want(w Wanted) {
	if q.fileLevel > 0 {
		w.LogLevel = min(w.LogLevel, q.fileLevel)
	}
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

// observeHTTP is the kclient observer of a connection: one DEBUG record per HTTP attempt on
// the "cdata_kintone.http" logger, with the method, path, app, status, time, the records
// received or sent and the fields asked for; the kintone query, which holds the values of
// conditions, only from verbosityData on. Never headers or bodies.
func (q *events) observeHTTP(x kclient.Exchange) {
	if !q.wants("DEBUG") {
		return
	}
	var b strings.Builder
	b.WriteString(x.Method + " " + x.Path)
	if x.App > 0 {
		fmt.Fprintf(&b, " (app %d)", x.App)
	}
	ms := float64(x.Duration.Microseconds()) / 1000
	if x.Status != 0 {
		fmt.Fprintf(&b, " -> HTTP %d in %.1f ms", x.Status, ms)
	} else {
		fmt.Fprintf(&b, " failed after %.1f ms", ms)
	}
	if x.Err != "" {
		b.WriteString(": " + x.Err)
	} else if x.Records > 0 {
		fmt.Fprintf(&b, ", %d records", x.Records)
	}
	if len(x.Fields) > 0 {
		b.WriteString("; fields " + strings.Join(x.Fields, ", "))
	}
	if x.Query != "" && q.verbosity >= verbosityData {
		b.WriteString("; query " + x.Query)
	}
	q.log("DEBUG", loggerHTTP, "%s", b.String())
}

// scanned is the engine's OnScan hook: one DEBUG record per scan that sends requests, on the
// "cdata_kintone.pushdown" logger.
func (q *events) scanned(s engine.Scan) {
	if q.wants("DEBUG") {
		q.log("DEBUG", loggerPushdown, "%s", s.Summary(q.verbosity >= verbosityData))
	}
}

// pending is the number of events waiting, warnings included.
func (q *events) pending(warnings int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.logs) + warnings
	if q.dropped > 0 {
		n++
	}
	return n
}

// drain returns the waiting events as the JSON ConnDrain answers and forgets them.
func (q *events) drain(warnings []string) (string, error) {
	q.mu.Lock()
	logs, dropped := q.logs, q.dropped
	q.logs, q.dropped = nil, 0
	q.mu.Unlock()
	if dropped > 0 {
		logs = append(logs, logRecord{Level: "WARNING", Logger: "cdata_kintone",
			Message: fmt.Sprintf("%d log records were left out (at most %d are kept between two drains)", dropped, maxLogRecords),
			Time:    float64(time.Now().UnixNano()) / 1e9})
	}
	if warnings == nil {
		warnings = []string{}
	}
	if logs == nil {
		logs = []logRecord{}
	}
	b, err := json.Marshal(struct {
		Warnings []string    `json:"warnings"`
		Logs     []logRecord `json:"logs"`
	}{warnings, logs})
	return string(b), err
}
