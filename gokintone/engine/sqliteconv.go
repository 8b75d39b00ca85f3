package engine

import (
	"database/sql/driver"
	"fmt"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// SQLite's text-to-REAL parser and its REAL-to-text printer do not give the correctly rounded
// results Go's strconv gives, and the exact re-check of pushed constraints must reproduce
// them. Rather than re-implement SQLite's arithmetic, a private in-memory SQLite connection
// (no tables, no virtual-table module, never seen by users) evaluates the two conversions:
// a pure function of its argument, shared by every engine in the process and used only
// when compare.go cannot be sure of the result by itself.

type sqliteConverter struct {
	mu     sync.Mutex
	toReal driver.Stmt // SELECT CAST(?1 AS REAL): the parser numeric affinity uses
	toText driver.Stmt // SELECT CAST(?1 AS TEXT): the printer TEXT affinity uses
	err    error
}

var converter = sync.OnceValue(func() *sqliteConverter {
	c := &sqliteConverter{}
	conn, err := (&sqlite3.SQLiteDriver{}).Open(":memory:")
	if err != nil {
		c.err = err
		return c
	}
	if c.toReal, err = conn.Prepare("SELECT CAST(?1 AS REAL)"); err != nil {
		c.err = err
		return c
	}
	if c.toText, err = conn.Prepare("SELECT CAST(?1 AS TEXT)"); err != nil {
		c.err = err
	}
	return c
})

func (c *sqliteConverter) eval(st driver.Stmt, arg driver.Value) (driver.Value, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	rows, err := st.Query([]driver.Value{arg}) //nolint:staticcheck // the go-sqlite3 driver API
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]driver.Value, 1)
	if err := rows.Next(out); err != nil {
		return nil, err
	}
	return out[0], nil
}

// sqliteReal is the REAL SQLite reads from number-shaped text t (see numberShape).
func sqliteReal(t string) float64 {
	v, err := converter().eval(converter().toReal, t)
	if f, ok := v.(float64); ok && err == nil {
		return f
	}
	// The in-memory connection cannot fail short of the process running out of memory.
	panic(fmt.Sprintf("engine: SQLite could not convert %q to REAL: %v", t, err))
}

// sqliteText is the text SQLite makes of the REAL f.
func sqliteText(f float64) string {
	v, err := converter().eval(converter().toText, f)
	if s, ok := v.(string); ok && err == nil {
		return s
	}
	panic(fmt.Sprintf("engine: SQLite could not convert %v to TEXT: %v", f, err))
}
