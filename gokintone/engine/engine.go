// Package engine runs SQL over kintone apps: each app is an SQLite virtual table whose scans
// push what kintone can evaluate into kintone's query language and re-check every row in Go
// exactly as SQLite would.
package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// Options configure an Engine.
type Options struct {
	Schema   schema.Options
	Pagesize int     // records per request, 1..500
	MaxRows  int64   // -1: no limit on rows a statement returns
	AppIDs   []int64 // with API tokens: the apps that are tables; nil: every app the user sees
	Lang     string  // lang for form fields; "default" when empty
	// FilterCallsBeforeCache: how many pushed-filter scans one table may get in one statement
	// (an IN list, the inner side of a join) before it is fetched whole once and served from
	// memory for the rest of the statement.
	FilterCallsBeforeCache int
	// CacheRowLimit bounds the records one statement may hold in that cache.
	CacheRowLimit int
	// ScanParallelism is how many requests one full-table scan may have in flight at once
	// (id ranges read concurrently); 1 reads page after page.
	ScanParallelism int
	// InsertParallelism is how many requests of plain inserts of records one statement may
	// have in flight at once; 1 (or 0) sends them one after the other, in row order.
	InsertParallelism int
	// UseCursor reads scans through kintone's records cursor API instead of id-range paging,
	// except scans that one request answers (see cursorscan.go).
	UseCursor bool
	// ListedTables, when not empty, are the only tables the system tables and Tables list
	// (names, case-insensitive; an app listed brings its child tables). The others can still
	// be queried.
	ListedTables []string
	// ListedViews, likewise, are the only views listed.
	ListedViews []string
	// UserSchema (Schema=USER) makes the User API's views (users.go) the connection's tables
	// instead of the apps: app tables are refused, and the system tables list those views.
	UserSchema bool
	// ConnectionProps gives the rows of sys_connection_props (secrets already masked).
	ConnectionProps func() [][]any
	// Procedures gives the rows of sys_procedures and sys_procedureparameters.
	Procedures func() (procs, params [][]any)
	// CheckRevision sends, with every UPDATE and DELETE, the revision of the record its scan
	// read, so that a record changed by someone else in between is an error (GAIA_CO02)
	// instead of being overwritten.
	CheckRevision bool
	// OnScan, when non-nil, is told of every scan that sends requests to kintone: what it
	// sends and what it leaves to the driver (see Scan). It is called on the statement's
	// goroutine while SQLite runs the statement: it must be quick.
	OnScan func(Scan)
}

// Engine is one SQLite connection with the kintone module; it is not safe for concurrent use
// by itself: the driver serialises calls per connection.
type Engine struct {
	mu       sync.Mutex
	conn     *sqlite3.SQLiteConn
	client   *kclient.Client
	opts     Options
	internal bool // set while the engine itself runs DDL, so the authorizer lets it through

	catalog *catalog
	tables  map[string]*schema.Table // by key given to CREATE VIRTUAL TABLE
	upserts map[string]bool          // keys of the companion tables T#UPSERT (write.go)
	// declaredNames are the virtual tables declared, by the name SQL knows them by.
	declaredNames []declaredName
	current       *Stmt    // statement being stepped; owns the per-statement cache
	facts         sqlFacts // of the statement being prepared
	vtErr         error    // the rich error behind a virtual-table failure
	// tempFacts are the facts of the TEMP schema (see tempSchemaFacts); nil when they must be
	// read again: the authorizer clears them when a statement creates or drops a TEMP table,
	// view or trigger.
	tempFacts *sqlFacts
	warns     warnings // for the caller: see Warnings
	// definedViews are the views of UserDefinedViews (userviews.go), in the order defined.
	definedViews []tableInfo
	// deniedView is the view of UserDefinedViews the statement being prepared tried to drop.
	deniedView string
	// changesStmt is SELECT changes(), prepared on first use (an executemany asks once per
	// parameter row).
	changesStmt driver.Stmt
}

// Open creates an engine over client.
func Open(client *kclient.Client, opts Options) (*Engine, error) {
	if opts.Pagesize <= 0 || opts.Pagesize > 500 {
		opts.Pagesize = 500
	}
	if opts.Lang == "" {
		opts.Lang = "default"
	}
	if opts.Schema.SubtableSeparator == "" {
		opts.Schema.SubtableSeparator = "_"
	}
	if opts.FilterCallsBeforeCache <= 0 {
		opts.FilterCallsBeforeCache = 8
	}
	if opts.CacheRowLimit <= 0 {
		opts.CacheRowLimit = 1_000_000
	}
	if opts.ScanParallelism <= 0 {
		opts.ScanParallelism = 4
	}
	e := &Engine{client: client, opts: opts, tables: map[string]*schema.Table{}, upserts: map[string]bool{}}
	e.catalog = newCatalog(e)
	d := &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := c.CreateModule("kintone", &module{e: e}); err != nil {
			return err
		}
		c.RegisterAuthorizer(e.authorize)
		return nil
	}}
	dc, err := d.Open("file:kintone?mode=memory")
	if err != nil {
		return nil, kerr.Wrap(err, kerr.KindInternal, "cannot open the SQL engine: %v", err)
	}
	e.conn = dc.(*sqlite3.SQLiteConn)
	return e, nil
}

// Close releases the SQLite connection.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return nil
	}
	if e.changesStmt != nil {
		e.changesStmt.Close()
	}
	err := e.conn.Close()
	e.conn = nil
	return err
}

// Client is the kintone client the engine reads through.
func (e *Engine) Client() *kclient.Client { return e.client }

// authorize confines SQL to reads and DML on kintone tables plus TEMP objects.
func (e *Engine) authorize(op int, a1, a2, a3 string) int {
	if e.internal {
		return sqlite3.SQLITE_OK
	}
	switch op {
	case sqlite3.SQLITE_DROP_TEMP_VIEW:
		if e.definedView(a1) {
			e.deniedView = a1 // for the error: it comes from UserDefinedViews
			return sqlite3.SQLITE_DENY
		}
		e.tempFacts = nil
	case sqlite3.SQLITE_CREATE_TEMP_TABLE, sqlite3.SQLITE_CREATE_TEMP_VIEW, sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
		sqlite3.SQLITE_DROP_TEMP_TABLE, sqlite3.SQLITE_DROP_TEMP_TRIGGER:
		e.tempFacts = nil
	case sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH:
		return sqlite3.SQLITE_DENY
	case sqlite3.SQLITE_PRAGMA:
		switch strings.ToLower(a1) {
		case "table_info", "table_xinfo", "table_list", "function_list", "module_list",
			"collation_list", "compile_options":
			return sqlite3.SQLITE_OK
		}
		return sqlite3.SQLITE_DENY
	case sqlite3.SQLITE_CREATE_TABLE, sqlite3.SQLITE_CREATE_VIEW, sqlite3.SQLITE_CREATE_INDEX,
		sqlite3.SQLITE_CREATE_TRIGGER, sqlite3.SQLITE_CREATE_VTABLE, sqlite3.SQLITE_DROP_VTABLE,
		sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_DROP_VIEW, sqlite3.SQLITE_DROP_INDEX,
		sqlite3.SQLITE_DROP_TRIGGER, sqlite3.SQLITE_ALTER_TABLE:
		return sqlite3.SQLITE_DENY
	}
	return sqlite3.SQLITE_OK
}

// execInternal runs DDL of the engine's own past the authorizer.
func (e *Engine) execInternal(sql string) error {
	e.internal = true
	defer func() { e.internal = false }()
	_, err := e.conn.Exec(sql, nil)
	return err
}

// Column describes one result column.
type Column struct {
	Name     string `json:"name"`
	DeclType string `json:"decltype"`
	TypeCode string `json:"type_code"`
}

// Stmt is one executed statement whose rows are read in batches.
type Stmt struct {
	e        *Engine
	st       driver.Stmt
	rows     *sqlite3.SQLiteRows
	cols     []Column
	decl     []string // go-sqlite3's lower-cased declared types
	pending  []driver.Value
	done     bool
	affected int64
	returned int64
	ctx      context.Context
	cancel   context.CancelFunc
	cache    map[*schema.Table]*tableCache
	filters  map[*schema.Table]int
	comments *commentReads // the record comments read (comments.go)
	// reads are what the statement has read of the settings APIs (replies) and the User API
	// (rows), by what was read (settingsRead, userRead): see readOnce.
	reads   map[any]any
	facts   sqlFacts
	explain *explained // set while EXPLAIN KINTONE runs the statement: scans send nothing

	// Writes (write.go): the rows collected and not yet sent, the rows the scans of a writing
	// statement handed to SQLite, the ids of the records inserted, and the executemany
	// parameter row being run (-1 for a single statement).
	batch    *writeBatch
	read     map[*schema.Table]map[int64]*row
	inserted []int64
	paramRow int
	// An executemany sends full bulkRequests while it runs (write.go's sendAhead): those in
	// flight, in row order, whether any was sent, and the ids kintone confirmed, in row order.
	flights   []*flight
	sentAhead bool
	// fast is the direct path of an executemany of plain inserts (fastinsert.go); nil when
	// its rows run through SQLite.
	fast      *fastInsert
	committed []int64

	// used is what the statement may read of each table (projection.go), worked out once.
	used      columnUse
	usedKnown bool

	// A plain read (plainread.go): the scan of a statement of that shape and how many times
	// it was filtered, and, once the first row is read, how the others are.
	plainCursor  *cursor
	plainFilters int
	plain        *plainRead
}

// readOnce returns what was read under key (a comparable description of the read: a
// settingsRead, a userRead) in statement st, reading it the first time, so that an IN list on
// another column, a join, or a table joined with its detail view asks kintone once. Without a
// statement (nil) every call reads.
func readOnce[T any](st *Stmt, key any, read func() (T, error)) (T, error) {
	if st != nil {
		if v, ok := st.reads[key]; ok {
			return v.(T), nil
		}
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	if st != nil {
		if st.reads == nil {
			st.reads = map[any]any{}
		}
		st.reads[key] = v
	}
	return v, nil
}

// declaredName is a virtual table declared under a name.
type declaredName struct {
	name string
	t    *schema.Table
}

var noSuchTable = regexp.MustCompile(`no such table: (?:(main|temp)\.)?(.+)$`)

// Execute prepares and runs one statement. Rows of a query are then read with Fetch; the first
// row is read here so that errors from kintone surface at execute time.
func (e *Engine) Execute(ctx context.Context, sql string, args []any) (*Stmt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return nil, kerr.New(kerr.KindClosed, "the connection is closed")
	}
	s, err := e.begin(ctx, sql, [][]any{args})
	if err != nil {
		return nil, err
	}
	named, err := s.bind(args)
	if err != nil {
		s.closeLocked()
		return nil, err
	}
	// go-sqlite3 may step the statement inside QueryContext already (v1.14.53 does, for
	// statements without result columns and for the first row): the virtual tables must see
	// this statement as current from here on, for its context, cache and facts.
	e.current = s
	r, err := s.st.(driver.StmtQueryContext).QueryContext(context.Background(), named)
	e.current = nil
	if err != nil {
		s.closeLocked()
		return nil, e.sqlError(err)
	}
	s.rows = r.(*sqlite3.SQLiteRows)
	names := s.rows.Columns()
	s.decl = keepDateText(s.rows.DeclTypes())
	if err := s.step(); err != nil {
		s.closeLocked()
		return nil, err
	}
	if len(names) == 0 {
		// DML or DDL: it has run to completion in step; its writes to kintone go now. Only DML
		// has a row count; SQLite's changes() would repeat the previous DML's count after DDL.
		if s.facts.isDML() {
			s.affected = e.changes()
		}
		if err := e.flush(s.ctx, s); err != nil {
			s.closeLocked()
			return nil, err
		}
		s.done = true
		return s, nil
	}
	s.cols = make([]Column, len(names))
	for i, n := range names {
		decl := strings.ToUpper(s.decl[i])
		s.cols[i] = Column{Name: n, DeclType: schema.PublicType(decl), TypeCode: typeCode(decl, s.pending, i)}
	}
	if !s.done {
		s.plain = s.plainRead()
	}
	return s, nil
}

// begin analyses and prepares sql for the parameter rows given (the facts of their values
// count) and returns the statement, not yet run.
func (e *Engine) begin(ctx context.Context, sql string, rows [][]any) (*Stmt, error) {
	if e.conn == nil {
		return nil, kerr.New(kerr.KindClosed, "the connection is closed")
	}
	sql = rewriteUpsert(sql)
	facts := analyzeSQL(sql)
	if facts.empty {
		// (SQLite prepares such text as no statement at all, which go-sqlite3 cannot run.)
		return nil, kerr.New(kerr.KindSQL, "the SQL text holds no statement")
	}
	if facts.trailing {
		return nil, kerr.New(kerr.KindSQL, "only one SQL statement can be executed at a time; split the text at ';'")
	}
	if e.tempFacts == nil {
		tf := e.tempSchemaFacts()
		e.tempFacts = &tf
	}
	facts.merge(*e.tempFacts)
	for _, args := range rows {
		for _, a := range args {
			if s, ok := a.(string); ok && strings.IndexByte(s, 0) >= 0 {
				facts.nulText = true
			}
		}
	}
	e.facts = facts
	st, err := e.prepare(ctx, sql)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &Stmt{e: e, st: st, ctx: sctx, cancel: cancel, affected: -1, paramRow: -1,
		cache: map[*schema.Table]*tableCache{}, filters: map[*schema.Table]int{}}
	s.facts = facts
	return s, nil
}

// bind checks the number of parameters and names them for go-sqlite3.
func (s *Stmt) bind(args []any) ([]driver.NamedValue, error) {
	if n := s.st.NumInput(); n != len(args) {
		return nil, kerr.New(kerr.KindSQL, "the statement has %d parameter marker(s) but %d parameter(s) were given", n, len(args))
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return named, nil
}

// ExecuteMany runs one statement once per parameter row, in order, stopping at the first
// error. The writes of every row are collected into one batch, so that 10,000 inserted rows
// are 5 requests: each full bulkRequest of inserted records is sent while the next rows run
// (one at a time, in row order, unless InsertParallelism allows more), the rest when the last
// row has run (see write.go). The rows of INSERT INTO t (…) VALUES (?, …) after the first go
// to the table directly, without SQLite's VM (fastinsert.go). A statement that returns rows
// is refused. RowsAffected is the sum over the rows.
func (e *Engine) ExecuteMany(ctx context.Context, sql string, rows [][]any) (*Stmt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.begin(ctx, sql, rows)
	if err != nil {
		return nil, err
	}
	abort := func(err error) (*Stmt, error) {
		s.batch = nil
		s.closeLocked()
		return nil, err
	}
	row := 0 // the parameter row being run
	// fail ends the statement with the error of a parameter row. When rows were sent ahead,
	// a failed write of earlier rows is the error to report, else the error says what was
	// written.
	fail := func(err error) (*Stmt, error) {
		if sendErr := e.land(s, 0); sendErr != nil {
			return abort(sendErr)
		}
		if s.sentAhead {
			first := row
			if s.batch != nil && len(s.batch.ops) > 0 {
				first = s.batch.ops[0].index
			}
			err = writtenBefore(err, s, first)
		}
		return abort(err)
	}
	total := int64(0)
	s.fast = s.fastInsertShape(rewriteUpsert(sql))
	for i, args := range rows {
		row = i
		if f := s.fast; f != nil && f.v != nil && len(args) == len(f.pos) {
			s.paramRow = i
			if ok, err := f.insert(s, args); ok {
				if err != nil {
					return fail(e.sqlError(err))
				}
				total++
				if err := e.sendAhead(s); err != nil {
					return abort(err)
				}
				continue
			}
		}
		named, err := s.bind(args)
		if err != nil {
			return fail(kerr.As(err).WithMessage(fmt.Sprintf("parameter row %d: %s", i, kerr.As(err).Message), err))
		}
		s.paramRow = i
		e.current = s
		r, err := s.st.(driver.StmtQueryContext).QueryContext(context.Background(), named)
		if err == nil {
			rows := r.(*sqlite3.SQLiteRows)
			if len(rows.Columns()) > 0 {
				rows.Close()
				e.current = nil
				return fail(kerr.New(kerr.KindInvalidArgument, "executemany() can only execute statements that return no rows"))
			}
			err = rows.Next(nil)
			if err == io.EOF {
				err = nil
			}
			rows.Close()
		}
		e.current = nil
		if err != nil {
			return fail(e.sqlError(err))
		}
		if s.facts.isDML() {
			total += e.changes()
		}
		if f := s.fast; f != nil && f.probe != nil && !f.confirm(s, args) {
			s.fast = nil
		}
		if err := e.sendAhead(s); err != nil {
			return abort(err)
		}
	}
	if err := e.flush(s.ctx, s); err != nil {
		return abort(err)
	}
	s.affected = total
	if !s.facts.isDML() {
		s.affected = -1 // DDL has no row count
	}
	s.done = true
	s.closeLocked()
	return s, nil
}

// isDML reports whether a statement without result columns changes rows (SQLite's changes()
// would repeat the previous DML's count after DDL).
func (f *sqlFacts) isDML() bool {
	switch f.firstWord {
	case "insert", "update", "delete", "replace", "with":
		return true
	}
	return false
}

// InsertedIDs are the ids kintone gave the records the statement inserted, in row order.
func (s *Stmt) InsertedIDs() []int64 { return s.inserted }

// tempSchemaFacts are the facts of the TEMP tables, views and triggers a statement may use
// without naming what they contain: a view's comparisons and CASTs, a column declared with a
// COLLATE. The kintone tables themselves are left out (they declare neither).
func (e *Engine) tempSchemaFacts() sqlFacts {
	var f sqlFacts
	rows, err := e.conn.Query("SELECT sql FROM sqlite_temp_master WHERE sql IS NOT NULL AND type IN ('table', 'view', 'trigger') AND sql NOT LIKE 'CREATE VIRTUAL TABLE %'", nil)
	if err != nil {
		// Unknown: assume the worst, which only turns pushdown off.
		return sqlFacts{hasIN: true, hasCollate: true, mixedAffinity: true}
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	for rows.Next(v) == nil {
		if s, ok := v[0].(string); ok {
			f.merge(analyzeSQL(s))
		}
	}
	return f
}

// changes is SQLite's changes(): the rows the last INSERT, UPDATE or DELETE changed; -1 when
// it cannot be read.
func (e *Engine) changes() int64 {
	if e.changesStmt == nil {
		st, err := e.conn.Prepare("SELECT changes()")
		if err != nil {
			return -1
		}
		e.changesStmt = st
	}
	rows, err := e.changesStmt.(driver.StmtQueryContext).QueryContext(context.Background(), nil)
	if err != nil {
		return -1
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if rows.Next(v) != nil {
		return -1
	}
	n, _ := v[0].(int64)
	return n
}

// prepare prepares sql, declaring kintone tables as SQLite reports them missing.
func (e *Engine) prepare(ctx context.Context, sql string) (driver.Stmt, error) {
	e.deniedView = ""
	declared := map[string]bool{}
	for {
		st, err := e.conn.Prepare(sql)
		if err == nil {
			return st, nil
		}
		m := noSuchTable.FindStringSubmatch(err.Error())
		if m == nil || declared[strings.ToLower(m[2])] {
			return nil, e.sqlError(err)
		}
		name := m[2]
		if strings.EqualFold(m[1], "main") {
			return nil, kerr.New(kerr.KindSQL,
				"no such table: main.%s (kintone tables are not in the main schema: write %s, or temp.%s)", name, name, name)
		}
		declared[strings.ToLower(name)] = true
		base, companion := companionOf(name)
		t, rerr := e.catalog.resolve(ctx, base)
		if rerr != nil {
			return nil, rerr
		}
		if t == nil {
			return nil, kerr.New(kerr.KindSQL,
				"no such table: %s (kintone apps are tables named after the app; SELECT * FROM sys_tables lists them)", name)
		}
		if err := e.declareCompanion(name, t, companion); err != nil {
			return nil, err
		}
	}
}

// declare creates the virtual table name for t in the temp schema.
func (e *Engine) declare(name string, t *schema.Table) error {
	key := e.nextKey()
	e.tables[key] = t
	if err := e.declareKey(name, key); err != nil {
		return err
	}
	e.declaredNames = append(e.declaredNames, declaredName{name, t})
	return nil
}

// nextKey is a new key for a virtual table's declaration.
func (e *Engine) nextKey() string { return strconv.Itoa(len(e.tables) + 1) }

func (e *Engine) declareKey(name, key string) error {
	err := e.execInternal("CREATE VIRTUAL TABLE temp." + schema.QuoteIdent(name) + " USING kintone(" + key + ")")
	if err != nil {
		return kerr.Wrap(err, kerr.KindInternal, "cannot declare table %s: %v", name, err)
	}
	return nil
}

// sqlError classifies an error from SQLite or from the virtual table.
func (e *Engine) sqlError(err error) error {
	if kerr.As(err) != nil {
		return err
	}
	msg := err.Error()
	// Errors raised inside the virtual table come back as text; find the original.
	if v := e.vtErr; v != nil {
		e.vtErr = nil
		// SQLite's copy of the message ends at a NUL (a value quoted in it may hold one).
		text, _, _ := strings.Cut(v.Error(), "\x00")
		if strings.Contains(msg, text) {
			return v
		}
	}
	if strings.HasPrefix(msg, "virtual ") && strings.Contains(msg, "does not support changing the rowid") {
		return kerr.Wrap(err, kerr.KindInvalidArgument, "Id (the row id) is assigned by kintone and cannot be changed; "+
			"to move data to a new record, INSERT it and DELETE the old one")
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrConstraint:
			return kerr.Wrap(err, kerr.KindConstraint, "%s", msg)
		case sqlite3.ErrAuth:
			if name := e.deniedView; name != "" {
				e.deniedView = ""
				return kerr.Wrap(err, kerr.KindNotSupported, "%s: view %q comes from the UserDefinedViews file and cannot be dropped; remove it from the file and connect again", msg, name)
			}
			return kerr.Wrap(err, kerr.KindNotSupported, "%s: this driver reads kintone tables and reads and writes TEMP tables only (no ATTACH, schema changes or PRAGMAs that change behaviour)", msg)
		case sqlite3.ErrInterrupt:
			return kerr.Wrap(err, kerr.KindInterrupted, "%s", msg)
		case sqlite3.ErrTooBig, sqlite3.ErrRange, sqlite3.ErrMismatch:
			return kerr.Wrap(err, kerr.KindBadValue, "%s", msg)
		}
	}
	return kerr.Wrap(err, kerr.KindSQL, "%s", msg)
}

// step reads the next row into s.pending, or marks the statement done.
func (s *Stmt) step() error {
	s.e.current = s
	s.e.facts = s.facts
	defer func() { s.e.current = nil }()
	dest := make([]driver.Value, len(s.rows.Columns()))
	err := s.rows.Next(dest)
	if err == io.EOF {
		s.pending = nil
		s.done = true
		return nil
	}
	if err != nil {
		return s.e.sqlError(err)
	}
	s.pending = dest
	return nil
}

// next reads the next row into s.pending, from the scan of a plain read or by stepping SQLite.
func (s *Stmt) next() error {
	if s.plain != nil {
		return s.plain.next(s)
	}
	return s.step()
}

// ReadAhead reports whether the statement's rows may be read before they are asked for: it is
// a query that reads tables of kintone apps only, which nothing else on the connection can
// change or drop meanwhile (a query of a TEMP table holds it until its rows are read or it is
// closed, and that stays so).
func (s *Stmt) ReadAhead() bool {
	if s.facts.kind != stmtSelect || len(s.facts.tables) == 0 {
		return false
	}
	for name := range s.facts.tables {
		if _, kintone := s.e.columnsByFoldedName(name); !kintone {
			return false
		}
	}
	return true
}

// keepDateText returns a copy of the declared types and stops go-sqlite3 from converting the
// values of columns declared exactly DATE, DATETIME or TIMESTAMP (TEMP tables a user creates):
// it turns their text into time.Time, and text it cannot parse into the zero time (year 1),
// integers into Unix times, which would change values silently. DeclTypes hands out the slice
// SQLiteRows.Next consults, so renaming the types there turns the conversion off for this
// statement; TestTempDateColumnsKeepValues fails should a go-sqlite3 upgrade change that.
func keepDateText(decl []string) []string {
	out := append([]string(nil), decl...)
	for i, d := range decl {
		switch d {
		case "date", "datetime", "timestamp":
			decl[i] = d + " (kept as stored)"
		}
	}
	return out
}

// Columns describes the result columns; nil for a statement without a result set.
func (s *Stmt) Columns() []Column { return s.cols }

// RowsAffected is the number of rows changed by DML, -1 when not known.
func (s *Stmt) RowsAffected() int64 { return s.affected }

// Fetch returns up to n rows; done is true when no rows remain.
func (s *Stmt) Fetch(n int) (rows [][]any, done bool, err error) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if s.e.conn == nil {
		return nil, true, kerr.New(kerr.KindClosed, "the connection is closed")
	}
	for len(rows) < n && !s.done {
		if s.e.opts.MaxRows >= 0 && s.returned >= s.e.opts.MaxRows {
			s.done = true
			break
		}
		row := make([]any, len(s.pending))
		for i, v := range s.pending {
			row[i] = v
		}
		rows = append(rows, row)
		s.returned++
		if err := s.next(); err != nil {
			return rows, false, err
		}
	}
	if s.done {
		s.closeLocked()
	}
	return rows, s.done, nil
}

// Close releases the statement.
func (s *Stmt) Close() error {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.closeLocked()
	return nil
}

func (s *Stmt) closeLocked() {
	s.cancel()
	if s.rows != nil {
		s.rows.Close()
		s.rows = nil
	}
	if s.st != nil {
		s.st.Close()
		s.st = nil
	}
	s.cache = nil
	s.done = true
}

// typeCode is the PEP 249 type code of a result column declared decl (upper case): the type
// table's for the driver's own columns; for other declared types (TEMP tables) the one their
// name or affinity implies; for a column without one (an expression) the first row's value's.
func typeCode(decl string, first []driver.Value, i int) string {
	if t, ok := schema.SQLTypeOf(decl); ok {
		return t.TypeCode
	}
	switch decl {
	case "DATE", "TIME", "DATETIME", "TIMESTAMP":
		return schema.CodeDatetime
	case "":
		if first != nil {
			switch first[i].(type) {
			case int64, float64:
				return schema.CodeNumber
			case []byte:
				return schema.CodeBinary
			}
		}
		return schema.CodeString
	}
	switch schema.AffinityOf(decl) {
	case schema.AffInteger, schema.AffReal, schema.AffNumeric:
		return schema.CodeNumber
	case schema.AffBlob:
		return schema.CodeBinary
	}
	return schema.CodeString
}
