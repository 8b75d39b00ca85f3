// Package pybind is the surface gopy binds: flat functions over int64 handles and strings.
// See README.md for the contract. Every function returns (T, error) and recovers panics.
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
		*err = fmt.Errorf("%s", bridge.WirePanic(r, debug.Stack()))
		return
	}
	if *err != nil {
		*err = fmt.Errorf("%s", bridge.Wire(*err))
	}
}

// Version returns the version of the Go core.
func Version() (v string, err error) {
	defer guard(&err)
	return bridge.Version, nil
}

// Connect opens a connection described by a connection string and returns its handle.
func Connect(connStr string) (h int64, err error) {
	defer guard(&err)
	return bridge.Connect(connStr)
}

// ConnClose closes a connection and every statement open on it.
func ConnClose(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.ConnClose(h)
}

// ConnInfo returns facts about a connection as JSON.
func ConnInfo(h int64) (info string, err error) {
	defer guard(&err)
	return bridge.ConnInfo(h)
}

// ConnWarnings returns the connection's warnings since the last call as a JSON list of texts.
func ConnWarnings(h int64) (warnings string, err error) {
	defer guard(&err)
	return bridge.ConnWarnings(h)
}

// Execute prepares and runs one SQL statement with JSON-encoded parameters.
func Execute(h int64, sql string, params string) (s int64, err error) {
	defer guard(&err)
	return bridge.Execute(h, sql, params)
}

// StmtDescription returns the result columns of a statement as JSON (null when none).
func StmtDescription(s int64) (desc string, err error) {
	defer guard(&err)
	return bridge.StmtDescription(s)
}

// StmtFetch returns up to n rows of a statement as JSON.
func StmtFetch(s int64, n int) (rows string, err error) {
	defer guard(&err)
	return bridge.StmtFetch(s, n)
}

// StmtRowcount returns the number of rows changed by a DML statement, -1 when not known.
func StmtRowcount(s int64) (n int64, err error) {
	defer guard(&err)
	return bridge.StmtRowcount(s)
}

// StmtClose releases a statement.
func StmtClose(s int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.StmtClose(s)
}

// SimStart starts a kintone simulator on a free loopback port and returns its handle.
func SimStart(fixture string, options string) (h int64, err error) {
	defer guard(&err)
	return bridge.SimStart(fixture, options)
}

// SimInfo returns the simulator's URL, credentials and apps as JSON.
func SimInfo(h int64) (info string, err error) {
	defer guard(&err)
	return bridge.SimInfo(h)
}

// SimRequests returns the simulator's request log as JSON.
func SimRequests(h int64) (log string, err error) {
	defer guard(&err)
	return bridge.SimRequests(h)
}

// SimResetRequests clears the simulator's request log.
func SimResetRequests(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimResetRequests(h)
}

// SimStop stops a simulator.
func SimStop(h int64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimStop(h)
}

// SimAdvance moves a simulator's clock forward by seconds.
func SimAdvance(h int64, seconds float64) (ok bool, err error) {
	defer guard(&err)
	return true, bridge.SimAdvance(h, seconds)
}

// SimAddFault adds a fault rule (JSON) to a simulator.
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

// SimOAuth runs an OAuth test helper of a simulator (JSON request and answer).
func SimOAuth(h int64, request string) (answer string, err error) {
	defer guard(&err)
	return bridge.SimOAuth(h, request)
}

// SetEnv sets (or, with "", unsets) a CDATA_KINTONE_* environment variable for the core.
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
