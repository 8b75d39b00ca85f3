// Package bridge is what the binding (pybind) calls: a registry of connections, statements and
// simulators behind int64 handles, and the wire codec of parameters and rows that
// pybind/README.md describes. It is the one place where errors are given their PEP 249 class.
package bridge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	_ "github.com/mattn/go-sqlite3" // the SQL engine; compiled into the one shared object

	"github.com/kintone-oss/cdata-kintone/gokintone/connstr"
	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/kclient"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/oauth"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// Version is the version of the Go core.
const Version = "0.1.0"

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
	mu     sync.Mutex
	stmts  map[int64]bool
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

// stmt is an executed statement.
type stmt struct {
	c *conn
	s result
}

// Connect parses the connection string, builds the client and checks the credentials by
// listing the apps (one request per 100 apps; with API tokens, one per AppId).
func Connect(connStr string) (int64, error) {
	cfg, err := connstr.Parse(connStr)
	if err != nil {
		return 0, err
	}
	kc := kclient.Config{
		BaseURL:           cfg.BaseURL(),
		GuestSpaceID:      cfg.Int("GuestSpaceId"),
		Timeout:           cfg.Timeout(),
		UserAgent:         "cdata-kintone/" + Version,
		Mask:              cfg.Mask,
		BasicAuthUser:     cfg.Get(connstr.PropBasicAuthUser),
		BasicAuthPassword: cfg.Get(connstr.PropBasicAuthPassword),
		TLS:               tlsOptions(cfg),
		Proxy:             proxyOptions(cfg),
	}
	var appIDs []int64
	var mgr *oauth.Manager
	switch cfg.AuthScheme() {
	case "Password":
		kc.User, kc.Password = cfg.Get("User"), cfg.Get("Password")
	case "APIToken":
		for _, p := range cfg.TokenPairs() {
			kc.Tokens = append(kc.Tokens, kclient.TokenPair{AppID: p.AppID, Token: p.Token})
			appIDs = append(appIDs, p.AppID)
		}
	case "OAuth":
		mgr = oauth.New(oauth.Config{
			BaseURL:      cfg.BaseURL(),
			ClientID:     cfg.Get(connstr.PropOAuthClientID),
			ClientSecret: cfg.Get(connstr.PropOAuthClientSecret),
			CallbackURL:  cfg.Get(connstr.PropCallbackURL),
			Scope:        cfg.Get(connstr.PropScope),
			Mode:         cfg.Get(connstr.PropInitiateOAuth),
			SettingsPath: oauth.ExpandPath(cfg.Get(connstr.PropOAuthSettingsLocation)),
			AccessToken:  cfg.Get(connstr.PropOAuthAccessToken),
			RefreshToken: cfg.Get(connstr.PropOAuthRefreshToken),
			Verifier:     cfg.Get(connstr.PropOAuthVerifier),
			Timeout:      cfg.Timeout(),
			Mask:         cfg.Mask,
		})
		kc.OAuth = mgr
	default:
		return 0, kerr.New(kerr.KindNotSupported, "AuthScheme=%s is not supported yet", cfg.AuthScheme())
	}
	client, err := kclient.New(kc)
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	if mgr != nil {
		mgr.SetHTTPClient(client.HTTPClient())
		if err := mgr.Start(ctx); err != nil {
			return 0, err
		}
	}
	opts := engine.Options{
		Schema: schema.Options{
			UseCodeForFieldName: cfg.Bool("UseCodeForFieldName"),
			NumberMapToDouble:   cfg.Bool("NumberMapToDouble"),
			SubtableSeparator:   cfg.Get("SubtableSeparatorCharacter"),
		},
		Pagesize: int(cfg.Int("Pagesize")),
		ConnectionProps: func() [][]any {
			var rows [][]any
			for _, r := range cfg.Rows() {
				rows = append(rows, []any{r.Name, r.Category, r.Type, nullIfEmpty(r.Default),
					nullIfEmpty(r.Current), r.Description, boolInt(r.Secret), boolInt(r.Implemented)})
			}
			return rows
		},
		MaxRows: cfg.Int("MaxRows"),
		AppIDs:  appIDs,
	}
	if opts.MaxRows <= 0 && !cfg.IsSet("MaxRows") {
		opts.MaxRows = -1
	}
	opts.Procedures = ProcedureRows
	eng, err := engine.Open(client, opts)
	if err != nil {
		return 0, err
	}
	// Check the credentials with one listing, except on an OAuth connection that has no token
	// yet (InitiateOAuth=OFF without OAuthAccessToken: only the OAuth procedures work on it).
	if mgr == nil || mgr.Authorized() {
		_, _, err := eng.Tables(ctx)
		if err != nil && mgr != nil && mgr.Mode() == oauth.ModeGetAndRefresh && oauth.IsGrantError(err) {
			// The stored authorization is gone: the desktop flow authorizes again.
			if _, aerr := mgr.Authorize(ctx, mgr.Callback(), mgr.Scope(), ""); aerr != nil {
				eng.Close()
				return 0, aerr
			}
			_, _, err = eng.Tables(ctx)
		}
		if err != nil {
			eng.Close()
			return 0, err
		}
	}
	return registry.add(&conn{cfg: cfg, client: client, eng: eng, oauth: mgr, stmts: map[int64]bool{}}), nil
}

// tlsOptions maps the SSL properties; unset ones stay zero (system roots, no client certificate).
func tlsOptions(cfg *connstr.Config) kclient.TLSOptions {
	o := kclient.TLSOptions{ServerCert: cfg.Get(connstr.PropSSLServerCert)}
	if cfg.IsSet(connstr.PropSSLClientCert) {
		o.ClientCert = cfg.Get(connstr.PropSSLClientCert)
		o.ClientCertType = cfg.Get(connstr.PropSSLClientCertType)
		o.ClientCertPassword = cfg.Get(connstr.PropSSLClientCertPassword)
		o.ClientCertSubject = cfg.Get(connstr.PropSSLClientCertSubject)
	}
	return o
}

// proxyOptions maps the Proxy properties; without ProxyServer or ProxyAutoDetect=true there is
// no proxy (the environment is not read).
func proxyOptions(cfg *connstr.Config) kclient.ProxyOptions {
	if !cfg.IsSet(connstr.PropProxyServer) && !cfg.Bool(connstr.PropProxyAutoDetect) {
		return kclient.ProxyOptions{}
	}
	o := kclient.ProxyOptions{
		AutoDetect: cfg.Bool(connstr.PropProxyAutoDetect),
		Server:     cfg.Get(connstr.PropProxyServer),
		AuthScheme: cfg.Get(connstr.PropProxyAuthScheme),
		User:       cfg.Get(connstr.PropProxyUser),
		Password:   cfg.Get(connstr.PropProxyPassword),
		SSLType:    cfg.Get(connstr.PropProxySSLType),
	}
	if o.Server != "" {
		o.Port = int(cfg.Int(connstr.PropProxyPort))
	}
	if v := cfg.Get(connstr.PropProxyExceptions); v != "" {
		o.Exceptions = strings.Split(v, ";")
	}
	return o
}

func getConn(h int64) (*conn, error) {
	c, ok := registry.get(h).(*conn)
	if !ok || c == nil {
		return nil, kerr.New(kerr.KindClosed, "the connection is closed")
	}
	return c, nil
}

// ConnClose closes a connection and every statement open on it.
func ConnClose(h int64) error {
	c, ok := registry.remove(h).(*conn)
	if !ok || c == nil {
		return nil
	}
	c.mu.Lock()
	ids := make([]int64, 0, len(c.stmts))
	for id := range c.stmts {
		ids = append(ids, id)
	}
	c.closed = true
	c.mu.Unlock()
	for _, id := range ids {
		_ = StmtClose(id)
	}
	return c.eng.Close()
}

// ConnInfo returns the masked connection string and the number of requests sent.
func ConnInfo(h int64) (string, error) {
	c, err := getConn(h)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{
		"connection_string": c.cfg.String(),
		"requests":          c.client.RequestCount(),
		"auth_scheme":       c.cfg.AuthScheme(),
	})
	return string(b), err
}

// ConnWarnings returns, as a JSON list of texts, the warnings the connection recorded since the
// last call: metadata kintone sent in a shape the driver went past (an app list entry, a field
// property, a field type it does not know). The Python cursor reports them after each execute.
func ConnWarnings(h int64) (string, error) {
	c, err := getConn(h)
	if err != nil {
		return "", err
	}
	w := c.eng.Warnings()
	for i := range w {
		w[i] = c.cfg.Mask(w[i])
	}
	if w == nil {
		w = []string{}
	}
	b, err := json.Marshal(w)
	return string(b), err
}

// Execute runs one statement with JSON-encoded parameters.
func Execute(h int64, sql, params string) (int64, error) {
	c, err := getConn(h)
	if err != nil {
		return 0, err
	}
	args, err := decodeParams(params)
	if err != nil {
		return 0, err
	}
	var s result
	if isExecute(sql) {
		s, err = c.execute(context.Background(), sql, args)
	} else {
		s, err = c.eng.Execute(context.Background(), sql, args)
	}
	if err != nil {
		return 0, maskErr(c, err, secretsInExecute(sql, args)...)
	}
	id := registry.add(&stmt{c: c, s: s})
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		s.Close()
		registry.remove(id)
		return 0, kerr.New(kerr.KindClosed, "the connection is closed")
	}
	c.stmts[id] = true
	c.mu.Unlock()
	return id, nil
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

func getStmt(h int64) (*stmt, error) {
	s, ok := registry.get(h).(*stmt)
	if !ok || s == nil {
		return nil, kerr.New(kerr.KindClosed, "the statement is closed")
	}
	return s, nil
}

// StmtDescription returns the result columns as JSON, null without a result set.
func StmtDescription(h int64) (string, error) {
	s, err := getStmt(h)
	if err != nil {
		return "", err
	}
	cols := s.s.Columns()
	if cols == nil {
		return "null", nil
	}
	b, err := json.Marshal(cols)
	return string(b), err
}

// StmtFetch returns up to n rows as JSON.
func StmtFetch(h int64, n int) (string, error) {
	s, err := getStmt(h)
	if err != nil {
		return "", err
	}
	if n <= 0 {
		n = 1
	}
	rows, done, err := s.s.Fetch(n)
	if err != nil {
		return "", maskErr(s.c, err)
	}
	var b strings.Builder
	b.WriteString(`{"rows":[`)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeRow(&b, r); err != nil {
			return "", err
		}
	}
	b.WriteString(`],"done":`)
	b.WriteString(strconv.FormatBool(done))
	b.WriteString("}")
	return b.String(), nil
}

// StmtRowcount returns the rows changed by DML, -1 when not known.
func StmtRowcount(h int64) (int64, error) {
	s, err := getStmt(h)
	if err != nil {
		return -1, err
	}
	return s.s.RowsAffected(), nil
}

// StmtClose releases a statement.
func StmtClose(h int64) error {
	s, ok := registry.remove(h).(*stmt)
	if !ok || s == nil {
		return nil
	}
	s.c.mu.Lock()
	delete(s.c.stmts, h)
	s.c.mu.Unlock()
	return s.s.Close()
}

// encodeRow writes one row as a JSON array keeping SQLite's storage classes exactly.
func encodeRow(b *strings.Builder, row []any) error {
	b.WriteByte('[')
	for i, v := range row {
		if i > 0 {
			b.WriteByte(',')
		}
		switch x := v.(type) {
		case nil:
			b.WriteString("null")
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		case float64:
			b.WriteString(encodeFloat(x))
		case bool:
			if x {
				b.WriteString("1")
			} else {
				b.WriteString("0")
			}
		case string:
			if err := writeJSONString(b, x); err != nil {
				return err
			}
		case []byte:
			b.WriteString(`{"b64":"`)
			b.WriteString(base64.StdEncoding.EncodeToString(x))
			b.WriteString(`"}`)
		default:
			return kerr.New(kerr.KindInternal, "cannot encode a value of type %T", v)
		}
	}
	b.WriteByte(']')
	return nil
}

func encodeFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

func writeJSONString(b *strings.Builder, s string) error {
	if !utf8.ValidString(s) {
		return kerr.New(kerr.KindBadValue, "a text value is not valid UTF-8; CAST it to BLOB to read its bytes")
	}
	enc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	b.Write(enc)
	return nil
}

// decodeParams reads the JSON parameter list of the contract.
func decodeParams(params string) ([]any, error) {
	if params == "" {
		return nil, nil
	}
	var raw [][2]json.RawMessage
	if err := json.Unmarshal([]byte(params), &raw); err != nil {
		return nil, kerr.New(kerr.KindMalformedCall, "malformed parameter list: %v", err)
	}
	out := make([]any, len(raw))
	for i, p := range raw {
		var tag string
		if err := json.Unmarshal(p[0], &tag); err != nil {
			return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: malformed tag", i+1)
		}
		var text string
		if tag != "null" {
			if err := json.Unmarshal(p[1], &text); err != nil {
				return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: malformed value", i+1)
			}
		}
		switch tag {
		case "null":
			out[i] = nil
		case "int":
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, kerr.New(kerr.KindBadValue, "parameter %d: integer %s does not fit in 64 bits", i+1, text)
			}
			out[i] = n
		case "float":
			switch text {
			case "nan":
				out[i] = math.NaN()
			case "inf":
				out[i] = math.Inf(1)
			case "-inf":
				out[i] = math.Inf(-1)
			default:
				f, err := strconv.ParseFloat(text, 64)
				if err != nil {
					return nil, kerr.New(kerr.KindBadValue, "parameter %d: bad float %q", i+1, text)
				}
				out[i] = f
			}
		case "text":
			out[i] = text
		case "blob":
			bs, err := base64.StdEncoding.DecodeString(text)
			if err != nil {
				return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: bad blob encoding", i+1)
			}
			if bs == nil {
				bs = []byte{}
			}
			out[i] = bs
		default:
			return nil, kerr.New(kerr.KindMalformedCall, "parameter %d: unknown tag %q", i+1, tag)
		}
	}
	return out, nil
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
