// Package bridge is what the binding (pybind) calls: a registry of connections, statements and
// simulators behind int64 handles, and the wire codec of parameters and rows that
// pybind/README.md describes. It is the one place where errors are given their PEP 249 class.
package bridge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQL engine; compiled into the one shared object

	"github.com/kintone-oss/cdata-kintone/gokintone/connstr"
	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/internal/version"
	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/oauth"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// Version returns the version of the Go core, which the wheel's build sets to the Python
// distribution's version (see gokintone/internal/version).
func Version() string { return version.String() }

// handles maps int64 handles to live objects. Handles are never reused.
type handles struct {
	mu   sync.Mutex
	next atomic.Int64
	objs map[int64]any
}

func (h *handles) add(v any) int64 {
	id := h.next.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.objs == nil {
		h.objs = map[int64]any{}
	}
	h.objs[id] = v
	return id
}

func (h *handles) get(id int64) any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.objs[id]
}

// swap replaces the object of id by v (nil: removes it) if it is still old, and reports
// whether it did.
func (h *handles) swap(id int64, old, v any) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cur, ok := h.objs[id]; !ok || cur != old {
		return false
	}
	if v == nil {
		delete(h.objs, id)
	} else {
		h.objs[id] = v
	}
	return true
}

func (h *handles) remove(id int64) any {
	h.mu.Lock()
	defer h.mu.Unlock()
	v := h.objs[id]
	delete(h.objs, id)
	return v
}

var registry handles

// conn is an open connection.
type conn struct {
	cfg    *connstr.Config
	client *kclient.Client
	eng    *engine.Engine
	oauth  *oauth.Manager // nil unless AuthScheme=OAuth
	files  connstr.LocalFiles
	events *events
	usage  *usage
	mu     sync.Mutex
	stmts  map[int64]*stmt
	closed bool
}

// result is what a statement reads from: an SQL statement of the engine, or the row of a
// stored procedure.
type result interface {
	Columns() []engine.Column
	Fetch(n int) ([][]any, bool, error)
	RowsAffected() int64
	Close() error
}

// connecting is a connection being opened (Connect answered before it was ready).
type connecting struct {
	open   *task[*conn]
	cancel context.CancelFunc
}

// Connect starts opening the connection a connection string describes, recording the events
// wanted (JSON of Wanted; "" for the default) from its first request, and waits at most waitMs
// for it (see ConnWait). Its requests share one retry budget, like a statement's.
func Connect(connStr, wanted string, waitMs int) (string, error) {
	w := defaultWanted
	if strings.TrimSpace(wanted) != "" {
		var err error
		if w, err = parseWanted(wanted); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithCancel(kclient.WithRetryBudget(context.Background(), kclient.StatementRetryBudget()))
	p := &connecting{cancel: cancel}
	p.open = start(func() (*conn, error) { return open(ctx, connStr, w) })
	return p.await(registry.add(p), waitMs)
}

// ConnWait waits at most waitMs for a connection Connect started.
func ConnWait(h int64, waitMs int) (string, error) {
	switch v := registry.get(h).(type) {
	case *connecting:
		return v.await(h, waitMs)
	case *conn:
		return readyConn(h), nil
	}
	return "", kerr.New(kerr.KindClosed, "the connection is closed")
}

func readyConn(h int64) string {
	return `{"conn":` + strconv.FormatInt(h, 10) + `,"ready":true}`
}

// await answers for a connection being opened: not ready yet, ready (the handle now names the
// open connection), or the error (the handle is gone).
func (p *connecting) await(h int64, waitMs int) (string, error) {
	if !p.open.wait(waitMs) {
		return `{"conn":` + strconv.FormatInt(h, 10) + `,"ready":false}`, nil
	}
	if p.open.err != nil {
		registry.swap(h, p, nil)
		return "", p.open.err
	}
	if registry.swap(h, p, p.open.val) {
		return readyConn(h), nil
	}
	if _, ok := registry.get(h).(*conn); ok {
		return readyConn(h), nil // another call made it ready
	}
	// ConnClose removed it while it was being opened (and closes what was opened).
	return "", kerr.New(kerr.KindClosed, "the connection is closed")
}

// open parses the connection string, builds the client and checks the credentials by listing
// the apps (one request per 100 apps; with API tokens, one per AppId).
func open(ctx context.Context, connStr string, w Wanted) (*conn, error) {
	began := time.Now()
	cfg, err := connstr.Parse(connStr)
	if err != nil {
		return nil, err
	}
	set := cfg.Settings()
	ev := newEvents(set.Logging, w)
	use := &usage{}
	kc := kclient.Config{
		BaseURL:           set.URL,
		GuestSpaceID:      set.GuestSpaceID,
		Timeout:           set.Timeout,
		Mask:              cfg.Mask,
		BasicAuthUser:     set.BasicAuth.User,
		BasicAuthPassword: set.BasicAuth.Password,
		TLS:               tlsOptions(set.SSL),
		Proxy:             proxyOptions(set.Proxy),
		Firewall: kclient.FirewallOptions{Type: set.Firewall.Type, Server: set.Firewall.Server, Port: set.Firewall.Port,
			User: set.Firewall.User, Password: set.Firewall.Password},
		Observe: func(x kclient.Exchange) { ev.observeHTTP(x); use.observe(x) },
	}
	var appIDs []int64
	var mgr *oauth.Manager
	switch set.AuthScheme {
	case connstr.AuthPassword:
		kc.User, kc.Password = set.User, set.Password
	case connstr.AuthAPIToken:
		for _, p := range set.Tokens {
			kc.Tokens = append(kc.Tokens, kclient.TokenPair{AppID: p.AppID, Token: p.Token})
			appIDs = append(appIDs, p.AppID)
		}
	case connstr.AuthOAuth:
		o := set.OAuth
		mgr = oauth.New(oauth.Config{
			BaseURL:      set.URL,
			ClientID:     o.ClientID,
			ClientSecret: o.ClientSecret,
			CallbackURL:  o.CallbackURL,
			Scope:        o.Scope,
			Mode:         o.InitiateOAuth,
			SettingsPath: oauth.ExpandPath(o.SettingsLocation),
			AccessToken:  o.AccessToken,
			RefreshToken: o.RefreshToken,
			Verifier:     o.Verifier,
			Timeout:      set.Timeout,
			Mask:         cfg.Mask,
		})
		kc.OAuth = mgr
	default:
		return nil, kerr.New(kerr.KindNotSupported, "AuthScheme=%s is not supported yet", set.AuthScheme)
	}
	client, err := kclient.New(kc)
	if err != nil {
		return nil, err
	}
	if mgr != nil {
		mgr.SetHTTPClient(client.HTTPClient())
		if err := mgr.Start(ctx); err != nil {
			return nil, cancelled(ctx, err, "connecting")
		}
	}
	opts := engine.Options{
		Schema: schema.Options{
			UseCodeForFieldName: set.Schema.UseCodeForFieldName,
			NumberMapToDouble:   set.Schema.NumberMapToDouble,
			SubtableSeparator:   set.Schema.SubtableSeparator,
			UseSimpleNames:      set.Schema.UseSimpleNames,
			SubtablesIn:         set.Schema.SubtablesIn,
		},
		ListedTables: set.Schema.Tables,
		ListedViews:  set.Schema.Views,
		UserSchema:   set.Schema.UserAPI,
		Pagesize:     set.Pagesize,
		ConnectionProps: func() [][]any {
			var rows [][]any
			for _, r := range cfg.Rows() {
				rows = append(rows, []any{r.Name, r.Category, r.Type, nullIfEmpty(r.Default),
					nullIfEmpty(r.Current), r.Description, boolInt(r.Secret), boolInt(r.Support == connstr.Supported), r.Support.String()})
			}
			return rows
		},
		MaxRows:           set.MaxRows,
		AppIDs:            appIDs,
		OnScan:            ev.scanned,
		CheckRevision:     set.CheckRevision,
		ScanParallelism:   set.ScanParallelism,
		InsertParallelism: set.InsertParallelism,
		UseCursor:         set.UseCursor,
	}
	opts.Procedures = ProcedureRows
	eng, err := engine.Open(client, opts)
	if err != nil {
		return nil, err
	}
	// Check the credentials with one listing (with Schema=USER, of one user), except on an
	// OAuth connection that has no token yet (InitiateOAuth=OFF without OAuthAccessToken: only
	// the OAuth procedures work on it).
	apps := -1
	if set.Schema.UserAPI {
		if err := eng.CheckUserAPI(ctx); err != nil {
			eng.Close()
			return nil, cancelled(ctx, err, "connecting")
		}
	} else if mgr == nil || mgr.Authorized() {
		listed, _, err := eng.Tables(ctx)
		if err != nil && mgr != nil && mgr.Mode() == oauth.ModeGetAndRefresh && oauth.IsGrantError(err) {
			// The stored authorization is gone: the desktop flow authorizes again.
			if _, aerr := mgr.Authorize(ctx, mgr.Callback(), mgr.Scope(), ""); aerr != nil {
				eng.Close()
				return nil, cancelled(ctx, aerr, "connecting")
			}
			listed, _, err = eng.Tables(ctx)
		}
		if err != nil {
			eng.Close()
			return nil, cancelled(ctx, err, "connecting")
		}
		apps = len(listed)
	}
	if file := set.Schema.UserDefinedViews; file != "" && (mgr == nil || mgr.Authorized()) {
		if err := defineUserViews(ctx, eng, file); err != nil {
			eng.Close()
			return nil, cancelled(ctx, err, "connecting")
		}
	}
	ev.log("INFO", loggerConnection, "%s", connectedMessage(set, apps, time.Since(began)))
	return &conn{cfg: cfg, client: client, eng: eng, oauth: mgr, files: set.LocalFiles, events: ev, usage: use, stmts: map[int64]*stmt{}}, nil
}

// connectedMessage is the log record of a connection opened: where, as whom (never a
// secret), how many apps it sees (-1: not listed yet, an OAuth connection without a token).
func connectedMessage(set connstr.Settings, apps int, took time.Duration) string {
	who := "with OAuth"
	switch set.AuthScheme {
	case connstr.AuthPassword:
		who = "as " + set.User
	case connstr.AuthAPIToken:
		ids := make([]string, len(set.Tokens))
		for i, t := range set.Tokens {
			ids[i] = strconv.FormatInt(t.AppID, 10)
		}
		who = "with API tokens of apps " + strings.Join(ids, ", ")
	}
	msg := fmt.Sprintf("connected to %s %s in %.0f ms", set.URL, who, float64(took.Microseconds())/1000)
	if set.GuestSpaceID > 0 {
		msg += fmt.Sprintf(" (guest space %d)", set.GuestSpaceID)
	}
	if apps >= 0 {
		msg += fmt.Sprintf("; %d apps", apps)
	}
	return msg
}

// cancelled is err, or the cancellation error when ctx was cancelled (the work failed because
// of it).
func cancelled(ctx context.Context, err error, what string) error {
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		return cancelledError(what)
	}
	return err
}

// tlsOptions maps the SSL settings; unset ones stay zero (system roots, no client certificate).
func tlsOptions(s connstr.SSLSettings) kclient.TLSOptions {
	return kclient.TLSOptions{ServerCert: s.ServerCert, ClientCert: s.ClientCert, ClientCertType: s.ClientCertType,
		ClientCertPassword: s.ClientCertPassword, ClientCertSubject: s.ClientCertSubject}
}

// proxyOptions maps the proxy settings; disabled ones are the zero value (no proxy, and the
// environment is not read).
func proxyOptions(p connstr.ProxySettings) kclient.ProxyOptions {
	if !p.Enabled {
		return kclient.ProxyOptions{}
	}
	return kclient.ProxyOptions{AutoDetect: p.AutoDetect, Server: p.Server, Port: p.Port, AuthScheme: p.AuthScheme,
		User: p.User, Password: p.Password, SSLType: p.SSLType, Exceptions: p.Exceptions}
}

func getConn(h int64) (*conn, error) {
	switch c := registry.get(h).(type) {
	case *conn:
		return c, nil
	case *connecting:
		return nil, kerr.New(kerr.KindMalformedCall, "the connection is still being opened: wait for it with ConnWait")
	}
	return nil, kerr.New(kerr.KindClosed, "the connection is closed")
}

// ConnClose closes a connection and every statement open on it, or stops opening one. It
// does not wait for work still running: that is cancelled and released when it stops.
func ConnClose(h int64) error {
	switch v := registry.remove(h).(type) {
	case *connecting:
		v.cancel()
		start(func() (struct{}, error) { // a task nobody waits for: it holds a panic, if any
			if v.open.wait(-1); v.open.err == nil {
				v.open.val.close()
			}
			return struct{}{}, nil
		})
	case *conn:
		v.close()
	}
	return nil
}

func (c *conn) close() {
	c.mu.Lock()
	stmts := c.stmts
	c.stmts = nil
	c.closed = true
	c.mu.Unlock()
	for id, s := range stmts {
		registry.remove(id)
		s.release()
	}
	c.eng.Close()
}

// ConnCancel cancels every statement running on a connection (as StmtCancel does).
func ConnCancel(h int64) error {
	switch v := registry.get(h).(type) {
	case *connecting:
		v.cancel()
	case *conn:
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, s := range v.stmts {
			s.cancel()
		}
	}
	return nil
}

// ConnInfo returns the masked connection string, the number of requests sent (in all and per
// app) and the logging settings.
func ConnInfo(h int64) (string, error) {
	c, err := getConn(h)
	if err != nil {
		return "", err
	}
	log := c.cfg.Settings().Logging
	logging := map[string]any{"file": log.File, "verbosity": log.Verbosity, "max_file_size": log.MaxFileSize,
		"modules": log.Modules, "level": logfileLevel(log.Verbosity)}
	b, err := json.Marshal(map[string]any{
		"connection_string": c.cfg.String(),
		"requests":          c.client.RequestCount(),
		"requests_by_app":   c.usage.counts(),
		"auth_scheme":       c.cfg.AuthScheme(),
		"logging":           logging,
	})
	return string(b), err
}

// ConnDrain sets which events the connection records from now on (wanted: JSON of Wanted; ""
// keeps the current choice) and returns, and forgets, those waiting.
func ConnDrain(h int64, wanted string) (string, error) {
	c, err := getConn(h)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(wanted) != "" {
		w, err := parseWanted(wanted)
		if err != nil {
			return "", err
		}
		c.events.want(w)
	}
	w := c.eng.Warnings()
	for i := range w {
		w[i] = c.cfg.Mask(w[i])
	}
	return c.events.drain(w)
}

// pendingEvents is the number of events ConnDrain would return.
func (c *conn) pendingEvents() int { return c.events.pending(c.eng.WarningCount()) }

// stmt is a statement: being executed, then read.
type stmt struct {
	c      *conn
	ctx    context.Context    // the context of the execution and of every fetch
	cancel context.CancelFunc // cancels ctx

	mu       sync.Mutex
	exec     *task[result]  // the execution; its value is the result
	fetch    *task[fetched] // the batch being read (asked for, or read ahead), nil when none
	released bool           // release has run: nothing more is read

	meter meter // the requests sent since the last reply
}

// countResult is the result of a statement without a result set that changed n rows (-1: not
// known).
type countResult int64

func (n countResult) Columns() []engine.Column         { return nil }
func (n countResult) Fetch(int) ([][]any, bool, error) { return nil, true, nil }
func (n countResult) RowsAffected() int64              { return int64(n) }
func (n countResult) Close() error                     { return nil }

// fetched is a batch of rows read, already encoded for the reply (rowwire.go).
type fetched struct {
	rows    int    // how many
	columns string // `"columns":[…],"shapes":[…]`
	done    bool   // no rows remain
}

// readBatch reads up to n rows of r and encodes them, in a buffer sized for about size bytes
// (the previous batch's; 0: unknown).
func readBatch(r result, n, size int) (fetched, error) {
	rows, done, err := r.Fetch(n)
	if err != nil {
		return fetched{}, err
	}
	var b strings.Builder
	b.Grow(size + size/8)
	if err := encodeColumns(&b, rows, len(r.Columns())); err != nil {
		return fetched{}, err
	}
	return fetched{rows: len(rows), columns: b.String(), done: done}, nil
}

// Execute starts running one SQL statement, or a stored procedure call (EXECUTE Name …), with
// parameters (a JSON list, see pybind/README.md) and waits at most waitMs for it (see StmtWait).
func Execute(h int64, sql, params string, waitMs int) (string, error) {
	c, err := getConn(h)
	if err != nil {
		return "", err
	}
	args, err := decodeParams(params)
	if err != nil {
		return "", err
	}
	return c.startStmt(waitMs, func(ctx context.Context) (result, error) { return c.run(ctx, sql, args) })
}

// ExecuteMany starts running one statement once per parameter row (rows: see
// decodeParamRows), in order, stopping at the first error; the rows changed are summed. A
// statement that returns rows is refused: executemany is for statements that change data.
func ExecuteMany(h int64, sql, rows string, waitMs int) (string, error) {
	c, err := getConn(h)
	if err != nil {
		return "", err
	}
	all, err := decodeParamRows(rows)
	if err != nil {
		return "", err
	}
	if !isExecute(sql) {
		// One engine statement for every row: the writes of all rows go in one batch.
		return c.startStmt(waitMs, func(ctx context.Context) (result, error) {
			s, err := c.eng.ExecuteMany(ctx, sql, all)
			if err != nil {
				return nil, maskErr(c, cancelled(ctx, err, "the statement"))
			}
			return s, nil
		})
	}
	return c.startStmt(waitMs, func(ctx context.Context) (result, error) {
		total := int64(0)
		for _, args := range all {
			r, err := c.run(ctx, sql, args)
			if err != nil {
				return nil, err
			}
			cols, n := r.Columns(), r.RowsAffected()
			r.Close()
			if cols != nil {
				return nil, kerr.New(kerr.KindInvalidArgument, "executemany() can only execute statements that return no rows")
			}
			switch {
			case n < 0:
				total = -1 // unknown from here on
			case total >= 0:
				total += n
			}
		}
		return countResult(total), nil
	})
}

// run executes one statement (parsed by the engine, or a procedure call) and masks secrets in
// its error.
func (c *conn) run(ctx context.Context, sql string, args []any) (result, error) {
	var r result
	var err error
	if target, explain := engine.ExplainTarget(sql); explain {
		r, err = c.explain(ctx, target, args)
	} else if isExecute(sql) {
		r, err = c.execute(ctx, sql, args)
	} else {
		r, err = c.eng.Execute(ctx, sql, args)
	}
	if err != nil {
		return nil, maskErr(c, cancelled(ctx, err, "the statement"), secretsInExecute(sql, args)...)
	}
	return r, nil
}

// explain answers EXPLAIN KINTONE for the query sql.
func (c *conn) explain(ctx context.Context, sql string, args []any) (result, error) {
	rows, err := c.eng.Explain(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	return &staticResult{cols: engine.ExplainColumns, rows: rows}, nil
}

// startStmt registers a statement, starts its execution and waits at most waitMs for it. Its
// requests are told to its meter, and share one retry budget (kclient.StatementRetryBudget).
func (c *conn) startStmt(waitMs int, run func(context.Context) (result, error)) (string, error) {
	ctx, cancel := context.WithCancel(kclient.WithRetryBudget(context.Background(), kclient.StatementRetryBudget()))
	s := &stmt{c: c, cancel: cancel}
	s.ctx = kclient.WithObserver(ctx, s.meter.observe)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cancel()
		return "", kerr.New(kerr.KindClosed, "the connection is closed")
	}
	s.exec = start(func() (result, error) { return run(s.ctx) })
	id := registry.add(s)
	c.stmts[id] = s
	c.mu.Unlock()
	return s.await(id, waitMs)
}

// StmtWait waits at most waitMs for the execution Execute or ExecuteMany started.
func StmtWait(h int64, waitMs int) (string, error) {
	s, err := getStmt(h)
	if err != nil {
		return "", err
	}
	return s.await(h, waitMs)
}

// await answers for an execution: not ready yet; ready, with the result's description and row
// count (a statement without a result set is released at once); or the error (released too).
// Either answer carries the requests sent since the last one.
func (s *stmt) await(h int64, waitMs int) (string, error) {
	var b strings.Builder
	if !s.exec.wait(waitMs) {
		fmt.Fprintf(&b, `{"stmt":%d,"ready":false`, h)
		if err := s.meter.writeTo(&b); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `,"events":%d}`, s.c.pendingEvents())
		return b.String(), nil
	}
	if s.exec.err != nil {
		closeStmt(h)
		return "", s.exec.err
	}
	r := s.exec.val
	fmt.Fprintf(&b, `{"stmt":%d,"ready":true,"description":`, h)
	if cols := r.Columns(); cols == nil {
		closeStmt(h)
		b.WriteString("null")
	} else {
		desc, err := json.Marshal(cols)
		if err != nil {
			return "", err
		}
		b.Write(desc)
	}
	fmt.Fprintf(&b, `,"rowcount":%d`, r.RowsAffected())
	if w, ok := r.(interface{ InsertedIDs() []int64 }); ok && len(w.InsertedIDs()) > 0 {
		ids, err := json.Marshal(w.InsertedIDs())
		if err != nil {
			return "", err
		}
		b.WriteString(`,"inserted_ids":`)
		b.Write(ids)
	}
	if err := s.meter.writeTo(&b); err != nil {
		return "", err
	}
	fmt.Fprintf(&b, `,"events":%d}`, s.c.pendingEvents())
	return b.String(), nil
}

// StmtFetch reads up to n rows, waiting at most waitMs for them; when they are not there yet
// it answers {"ready": false} and the same fetch goes on (ask again). Once a batch of a query
// of kintone tables is handed over, the next one is read and encoded while Python converts
// this one, with the same n (a call with another n first gets that batch).
func StmtFetch(h int64, n int, waitMs int) (string, error) {
	s, err := getStmt(h)
	if err != nil {
		return "", err
	}
	if !s.exec.finished() {
		return "", kerr.New(kerr.KindMalformedCall, "the statement is still executing: wait for it with StmtWait")
	}
	if s.exec.err != nil {
		return "", kerr.New(kerr.KindMalformedCall, "the statement failed")
	}
	if n <= 0 {
		n = 1
	}
	s.mu.Lock()
	f := s.fetch
	if f == nil {
		f = s.readAhead(n, 0)
		s.fetch = f
	}
	s.mu.Unlock()
	var b strings.Builder
	if !f.wait(waitMs) {
		b.WriteString(`{"rows":0,"columns":[],"shapes":[],"done":false,"ready":false`)
		if err := s.meter.writeTo(&b); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `,"events":%d}`, s.c.pendingEvents())
		return b.String(), nil
	}
	s.mu.Lock()
	s.fetch = nil
	if f.err == nil && !f.val.done && !s.released && s.readsAhead() {
		s.fetch = s.readAhead(n, len(f.val.columns))
	}
	s.mu.Unlock()
	if f.err != nil {
		err := maskErr(s.c, cancelled(s.ctx, f.err, "the statement")) // before closing cancels s.ctx
		closeStmt(h)
		return "", err
	}
	if f.val.done {
		closeStmt(h)
	}
	fmt.Fprintf(&b, `{"rows":%d,`, f.val.rows)
	b.WriteString(f.val.columns)
	fmt.Fprintf(&b, `,"done":%t,"ready":true`, f.val.done)
	if err := s.meter.writeTo(&b); err != nil {
		return "", err
	}
	fmt.Fprintf(&b, `,"events":%d}`, s.c.pendingEvents())
	return b.String(), nil
}

// readsAhead reports whether the statement's next batch may be read before it is asked for
// (engine.Stmt.ReadAhead).
func (s *stmt) readsAhead() bool {
	r, ok := s.exec.val.(interface{ ReadAhead() bool })
	return ok && r.ReadAhead()
}

// readAhead starts reading the next batch of up to n rows, about size bytes encoded (the
// caller holds s.mu).
func (s *stmt) readAhead(n, size int) *task[fetched] {
	r := s.exec.val
	return start(func() (fetched, error) { return readBatch(r, n, size) })
}

func getStmt(h int64) (*stmt, error) {
	s, ok := registry.get(h).(*stmt)
	if !ok || s == nil {
		return nil, kerr.New(kerr.KindClosed, "the statement is closed")
	}
	return s, nil
}

// StmtCancel cancels a statement from any thread: its execution or fetch stops with an
// OperationalError (kind "cancelled") at the next point where it waits for kintone or SQLite
// checks, and the statement cannot be read further.
func StmtCancel(h int64) error {
	if s, ok := registry.get(h).(*stmt); ok {
		s.cancel()
	}
	return nil
}

// StmtClose releases a statement; one that is still running is cancelled and released when it
// stops.
func StmtClose(h int64) error {
	closeStmt(h)
	return nil
}

func closeStmt(h int64) {
	s, ok := registry.remove(h).(*stmt)
	if !ok {
		return
	}
	s.c.mu.Lock()
	delete(s.c.stmts, h)
	s.c.mu.Unlock()
	s.release()
}

// aheadStopMs is how long closing a statement waits for a cancelled read-ahead to stop.
const aheadStopMs = 2000

// release frees what the statement holds, now if nothing runs (or only a batch read ahead,
// which is cancelled and waited for), else when the work stops.
func (s *stmt) release() {
	s.mu.Lock()
	f := s.fetch
	s.released = true // no batch is read ahead from now on
	s.mu.Unlock()
	s.cancel()
	// A batch read ahead is the driver's own work, not the caller's: once cancelled it stops
	// at its next wait, so the statement is closed now (its kintone cursor deleted, say), as
	// it would be had nothing been read ahead, unless that takes longer than aheadStopMs.
	if s.exec.finished() && (f == nil || f.wait(aheadStopMs)) {
		if s.exec.err == nil {
			s.exec.val.Close()
		}
		return
	}
	start(func() (struct{}, error) { // a task nobody waits for: it holds a panic, if any
		s.exec.wait(-1)
		if f != nil {
			f.wait(-1)
		}
		if s.exec.err == nil {
			s.exec.val.Close()
		}
		return struct{}{}, nil
	})
}

// maskErr hides the connection's secrets, and the given ones (the values of secret parameters
// of an EXECUTE statement), in an error that may quote SQL or server text.
func maskErr(c *conn, err error, extra ...string) error {
	msg := err.Error()
	masked := c.cfg.Mask(msg)
	for _, s := range extra {
		if s != "" {
			masked = strings.ReplaceAll(masked, s, "********")
		}
	}
	if masked == msg {
		return err
	}
	e := kerr.As(err)
	if e == nil {
		return errors.New(masked)
	}
	return e.WithMessage(strings.TrimSuffix(masked, " ["+e.Code+"]"), nil)
}

// decodeParams reads the JSON parameter list of the contract.
func decodeParams(params string) ([]any, error) {
	if params == "" {
		return nil, nil
	}
	var raw []taggedParam
	if err := json.Unmarshal([]byte(params), &raw); err != nil {
		return nil, kerr.New(kerr.KindMalformedCall, "malformed parameter list: %v", err)
	}
	return paramValues(raw)
}

// decodeParamRows reads executemany's parameter rows: a JSON list of parameter lists (as
// decodeParams), or, from rows of one length, {"n": rows, "columns": [column, ...]}, a column
// being ["text", values joined by NUL, nulls], ["int" | "float", values joined by ",",
// nulls] (nulls: the rows whose value is NULL, their place empty) or ["tagged", [[tag,
// value], ...]] (python/cdata_kintone/_convert.py writes them).
func decodeParamRows(rows string) ([][]any, error) {
	if !strings.HasPrefix(rows, "{") {
		var raw [][]taggedParam
		if err := json.Unmarshal([]byte(rows), &raw); err != nil {
			return nil, kerr.New(kerr.KindMalformedCall, "bad parameter rows: %v", err)
		}
		all := make([][]any, len(raw))
		for i, r := range raw {
			var err error
			if all[i], err = paramValues(r); err != nil {
				return nil, err
			}
		}
		return all, nil
	}
	var doc struct {
		N       int                 `json:"n"`
		Columns [][]json.RawMessage `json:"columns"`
	}
	if err := json.Unmarshal([]byte(rows), &doc); err != nil || doc.N < 0 || doc.N > len(rows) || len(doc.Columns) == 0 {
		// (Every row takes at least a byte of the text: a larger count is not the rows'.)
		return nil, kerr.New(kerr.KindMalformedCall, "bad parameter columns (%d rows, %d columns): %v", doc.N, len(doc.Columns), err)
	}
	bad := func(col int, what string) error {
		return kerr.New(kerr.KindMalformedCall, "bad parameter column %d: %s", col+1, what)
	}
	cells := make([]any, doc.N*len(doc.Columns))
	width := len(doc.Columns)
	for c, col := range doc.Columns {
		var kind string
		if len(col) < 2 || json.Unmarshal(col[0], &kind) != nil {
			return nil, bad(c, "no kind")
		}
		if kind == "tagged" {
			var raw []taggedParam
			if json.Unmarshal(col[1], &raw) != nil || len(raw) != doc.N {
				return nil, bad(c, "bad tagged values")
			}
			for i, p := range raw {
				v, err := paramValue(p, c+1)
				if err != nil {
					return nil, err
				}
				cells[i*width+c] = v
			}
			continue
		}
		var data string
		var nulls []int
		if len(col) != 3 || json.Unmarshal(col[1], &data) != nil || json.Unmarshal(col[2], &nulls) != nil {
			return nil, bad(c, "bad values")
		}
		sep := ","
		if kind == "text" {
			sep = "\x00"
		}
		parts := strings.Split(data, sep)
		if len(parts) != doc.N {
			return nil, bad(c, fmt.Sprintf("%d values for %d rows", len(parts), doc.N))
		}
		isNull := make([]bool, doc.N)
		for _, i := range nulls {
			if i < 0 || i >= doc.N {
				return nil, bad(c, "bad null row")
			}
			isNull[i] = true
		}
		for i, text := range parts {
			if isNull[i] {
				continue // cells start NULL
			}
			if kind == "text" {
				cells[i*width+c] = text
				continue
			}
			if kind != "int" && kind != "float" {
				return nil, bad(c, fmt.Sprintf("unknown kind %q", kind))
			}
			v, err := typedValue(kind, text, c+1)
			if err != nil {
				return nil, err
			}
			cells[i*width+c] = v
		}
	}
	all := make([][]any, doc.N)
	for i := range all {
		all[i] = cells[i*width : (i+1)*width : (i+1)*width]
	}
	return all, nil
}

// taggedParam is one parameter of the contract: its tag and its value as text (nil: JSON
// null, for the tag "null").
type taggedParam [2]*string

// paramValues are the values of a decoded parameter list.
func paramValues(raw []taggedParam) ([]any, error) {
	out := make([]any, len(raw))
	for i, p := range raw {
		v, err := paramValue(p, i+1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// paramValue is the value of parameter number n (counting from 1).
func paramValue(p taggedParam, n int) (any, error) {
	if p[0] == nil {
		return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: malformed tag", n)
	}
	tag := *p[0]
	if tag == "null" {
		return nil, nil
	}
	if p[1] == nil {
		return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: malformed value", n)
	}
	return typedValue(tag, *p[1], n)
}

// typedValue is the value of parameter number n of tag (not "null") written as text.
func typedValue(tag, text string, n int) (any, error) {
	switch tag {
	case "int":
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, kerr.New(kerr.KindBadValue, "parameter %d: integer %s does not fit in 64 bits", n, text)
		}
		return v, nil
	case "float":
		switch text {
		case "nan":
			return math.NaN(), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, kerr.New(kerr.KindBadValue, "parameter %d: bad float %q", n, text)
		}
		return f, nil
	case "text":
		return text, nil
	case "blob":
		bs, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: bad blob encoding", n)
		}
		if bs == nil {
			bs = []byte{}
		}
		return bs, nil
	}
	return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: unknown tag %q", n, tag)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
