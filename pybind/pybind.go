// Package pybind is the surface gopy binds: flat functions over int64 handles and strings.
//
// This file is the one declaration of the native surface. Each function's doc comment is its
// contract; README.md's function table and the Python side's typed view of the module
// (python/cdata_kintone/_surface.py) are generated from it, and surface_test.go fails when they
// differ (`go test ./pybind -run TestSurface -update` writes them). Every function returns
// (T, error) (a function returning only error leaks a C string per call in gopy v0.4.10) and
// starts with `defer guard(&err)`, which turns a panic into an error.
//
// Calls that may take long (Connect, Execute, ExecuteMany, StmtFetch) wait at most waitMs
// milliseconds and answer "ready": false when the work goes on, so that Python regains control
// between calls (to see Ctrl-C) and calls ConnWait, StmtWait or StmtFetch again; a negative
// waitMs waits until the work is done.
package pybind

import (
	"fmt"
	"runtime/debug"

	"github.com/kintone-oss/cdata-kintone/gokintone/bridge"
)

// guard turns a panic into an InternalError and any error into the wire form the Python
// layer parses.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s", bridge.Wire(bridge.PanicError(r, debug.Stack())))
		return
	}
	if *err != nil {
		*err = fmt.Errorf("%s", bridge.Wire(*err))
	}
}

// Version returns the version of the Go core.
func Version() (v string, err error) {
	defer guard(&err)
	return bridge.Version(), nil
}

// Connect starts opening a connection described by a connection string (parse, validate,
// check the credentials with one request; with OAuth, possibly the browser authorization) and
// waits at most waitMs for it. wanted selects the events recorded from the first request on,
// as ConnDrain's does ("" = the default). Returns JSON `{"conn": handle, "ready": bool}`; the
// handle can be used once ready (see ConnWait).
func Connect(connStr string, wanted string, waitMs int) (reply string, err error) {
	defer guard(&err)
	return bridge.Connect(connStr, wanted, waitMs)
}

// ConnWait waits at most waitMs for a connection Connect started. Returns JSON
// `{"conn": handle, "ready": bool}`, or the error that stopped the opening (the handle is then
// gone).
func ConnWait(h int64, waitMs int) (reply string, err error) {
	defer guard(&err)
	return bridge.ConnWait(h, waitMs)
}

// ConnClose closes a connection and every statement open on it (or stops opening it). Work
// still running is cancelled and released when it stops; ConnClose does not wait for it.
func ConnClose(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.ConnClose(h)
}

// ConnCancel cancels every statement running on a connection, from any thread (see
// StmtCancel), or the opening of a connection Connect started.
func ConnCancel(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.ConnCancel(h)
}

// ConnInfo returns JSON `{"connection_string": masked, "requests": HTTP requests so far,
// "requests_by_app": {"app id": requests, ...} ("0": those that concern no one app),
// "auth_scheme": name, "logging": {"file", "verbosity", "max_file_size", "modules", "level"}}`
// (the Logfile, Verbosity, MaxLogFileSize in bytes, LogModules as logger names or null for
// all, and the lowest level the Logfile gets: with a Logfile the core records from that level
// on, whatever Connect and ConnDrain asked).
func ConnInfo(h int64) (info string, err error) {
	defer guard(&err)
	return bridge.ConnInfo(h)
}

// ConnDrain sets which events the connection records from now on (wanted: JSON
// `{"log_level": Python level number}`, "" = keep the current choice; the default records
// WARNING and above) and returns, and forgets, those waiting: JSON `{"warnings": [text],
// "logs": [{"level", "logger", "message", "time"}]}`. Warnings are metadata kintone sent in a
// shape the driver went past (Python raises them as KintoneWarning); logs go to Python's
// logging module, what they hold set by the connection's Verbosity. Replies of Execute,
// StmtWait and StmtFetch carry "events": how many are waiting, so Python drains only when
// there are some.
func ConnDrain(h int64, wanted string) (events string, err error) {
	defer guard(&err)
	return bridge.ConnDrain(h, wanted)
}

// Execute starts one SQL statement, a stored procedure call `EXECUTE Name Param = value, ...`,
// or `EXPLAIN KINTONE query` (what the query would send to kintone, without sending it), with
// params (a JSON list, see Value encoding) and waits at most waitMs for it. Returns JSON
// `{"stmt": handle, "ready": bool, "events": n}`, and once ready also `"description"` (null
// for a statement without a result set, which is then already released; else a list of
// `{"name", "decltype", "type_code"}`), `"rowcount"` (rows changed by DML, -1 when not known)
// and, after INSERTs into kintone tables, `"inserted_ids"` (the new record ids, in row order).
// A reply (of StmtWait and StmtFetch too) carries `"requests"` when the statement sent HTTP
// requests since its last reply: a list of `{"method", "path", "app", "query", "fields",
// "records", "status", "ms"}` (and `"error"` for a failed attempt). An error of the execution
// releases the statement; a failed write's error carries details (see Errors in README.md).
func Execute(h int64, sql string, params string, waitMs int) (reply string, err error) {
	defer guard(&err)
	return bridge.Execute(h, sql, params, waitMs)
}

// ExecuteMany starts one statement once per parameter row (rows: a JSON list of parameter
// lists) in order, stopping at the first error, and waits at most waitMs. The writes of all
// rows to kintone are sent together at the end, as bulkRequests. The reply is Execute's, with
// the rows changed summed (-1 if any count is unknown). A statement that returns rows is
// refused (ProgrammingError).
func ExecuteMany(h int64, sql string, rows string, waitMs int) (reply string, err error) {
	defer guard(&err)
	return bridge.ExecuteMany(h, sql, rows, waitMs)
}

// StmtWait waits at most waitMs for the execution Execute or ExecuteMany started; the reply is
// Execute's.
func StmtWait(s int64, waitMs int) (reply string, err error) {
	defer guard(&err)
	return bridge.StmtWait(s, waitMs)
}

// StmtFetch reads up to n rows, waiting at most waitMs. Returns JSON `{"rows": count,
// "columns": [[values of column 1], ...], "shapes": [shape of column 1, ...], "done": bool,
// "ready": bool, "events": n}`: the batch column by column, with what every non-NULL value of
// each column is (see Value encoding); when not ready, there are no columns and the same fetch
// goes on (call again). Once done the statement is released. While Python converts a batch of
// a query of kintone tables the next one is read, with this call's n, and handed over by the
// next call.
func StmtFetch(s int64, n int, waitMs int) (rows string, err error) {
	defer guard(&err)
	return bridge.StmtFetch(s, n, waitMs)
}

// StmtCancel cancels a statement from any thread: its execution or fetch stops with an
// OperationalError of kind "cancelled" as soon as it next waits for kintone.
func StmtCancel(s int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.StmtCancel(s)
}

// StmtClose releases a statement (a running one is cancelled first).
func StmtClose(s int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.StmtClose(s)
}

// SimStart starts the kintone simulator on a free loopback port and returns its handle. Both
// arguments are JSON, "" for defaults: the fixture (or "@path" of a JSON file) and the options.
func SimStart(fixture string, options string) (h int64, err error) {
	defer guard(&err)
	return bridge.SimStart(fixture, options)
}

// SimInfo returns JSON `{"url", "user", "password", "apps": [...], ...}` of a simulator.
func SimInfo(h int64) (info string, err error) {
	defer guard(&err)
	return bridge.SimInfo(h)
}

// SimRequests returns a simulator's request log as JSON, oldest first.
func SimRequests(h int64) (log string, err error) {
	defer guard(&err)
	return bridge.SimRequests(h)
}

// SimCollectGarbage runs a full collection of the process's Go heap (the simulator's and the
// connections': one Go runtime); benchmarks call it between measured runs.
func SimCollectGarbage(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimCollectGarbage(h)
}

// SimResetRequests clears a simulator's request log.
func SimResetRequests(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimResetRequests(h)
}

// SimStop stops a simulator and deletes the test certificates, private keys included, that it
// generated for TLS.
func SimStop(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimStop(h)
}

// SimAdvance moves the clock of a simulator started with the "clock" option forward by
// seconds.
func SimAdvance(h int64, seconds float64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimAdvance(h, seconds)
}

// SimAddFault adds a fault rule (JSON, see the simulator's fault documentation) to a
// simulator.
func SimAddFault(h int64, rule string) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimAddFault(h, rule)
}

// SimClearFaults removes a simulator's fault rules.
func SimClearFaults(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimClearFaults(h)
}

// SimStats returns a simulator's counters as JSON.
func SimStats(h int64) (stats string, err error) {
	defer guard(&err)
	return bridge.SimStats(h)
}

// SimOAuth runs an OAuth test helper of a simulator (JSON request and answer):
// `{"op": "issue", "clientId", "user", "scopes"}` returns the token answer; `{"op": "revoke",
// "token"}` returns `{"known"}`; `{"op": "revokeGrants", "clientId", "user"}` returns
// `{"revoked"}`.
func SimOAuth(h int64, request string) (answer string, err error) {
	defer guard(&err)
	return bridge.SimOAuth(h, request)
}

// SetEnv sets ("" unsets) a CDATA_KINTONE_* environment variable for the core, which does not
// see later changes to Python's os.environ; connect() forwards CDATA_KINTONE_BROWSER this way.
func SetEnv(name string, value string) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SetEnv(name, value)
}

// ErrorKinds returns, as JSON, every way an error reaches Python (each kind, each kintone code)
// with the class, code and kind sent and a sample wire text, to test exceptions.py against.
func ErrorKinds() (kinds string, err error) {
	defer guard(&err)
	return bridge.ErrorKinds()
}
