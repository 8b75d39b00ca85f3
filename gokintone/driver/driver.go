// Package driver ties the core together for the binding: connections, statements and
// simulators behind int64 handles.
package driver

import (
	"github.com/kintone-oss/cdata-kintone/gokintone/dberr"
	_ "github.com/mattn/go-sqlite3" // the SQL engine; compiled into the one shared object
)

// Version is the version of the Go core.
const Version = "0.1.0"

func notYet() error { return dberr.New(dberr.NotSupportedError, "", "not implemented yet") }

func Connect(connStr string) (int64, error)              { return 0, notYet() }
func ConnClose(h int64) error                            { return notYet() }
func ConnInfo(h int64) (string, error)                   { return "", notYet() }
func Execute(h int64, sql, params string) (int64, error) { return 0, notYet() }
func StmtDescription(s int64) (string, error)            { return "", notYet() }
func StmtFetch(s int64, n int) (string, error)           { return "", notYet() }
func StmtRowcount(s int64) (int64, error)                { return -1, notYet() }
func StmtClose(s int64) error                            { return notYet() }
func SimStart(fixture, options string) (int64, error)    { return 0, notYet() }
func SimInfo(h int64) (string, error)                    { return "", notYet() }
func SimRequests(h int64) (string, error)                { return "", notYet() }
func SimResetRequests(h int64) error                     { return notYet() }
func SimStop(h int64) error                              { return notYet() }
