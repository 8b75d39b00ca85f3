package bridge

import (
	"context"
	"encoding/base64"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/engine"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/oauth"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// Stored procedures: `EXECUTE Name Param = 'value', Param2 = ?` (EXEC also works), parsed here
// before SQLite sees the text. Names are case-insensitive; values are string literals ('' for a
// quote inside), numbers, NULL (= not given) or ? parameters; values may also be given by
// position, in the declared order, before any named one (`EXECUTE Name 'a', ?`). The result
// (one row, or one per record a procedure changed) goes through the ordinary statement and
// fetch path. The OAuth procedures are here; those that call kintone's APIs are in
// procedures_kintone.go.

type procParam struct {
	Name        string
	Required    bool
	Secret      bool // masked in error text
	Bytes       bool // a bytes value is accepted and passed on in base64
	Description string
}

type procedure struct {
	Name        string
	Description string
	OAuth       bool // needs a connection with AuthScheme=OAuth
	Params      []procParam
	Outputs     []engine.Column
	run         func(ctx context.Context, c *conn, in map[string]string) ([][]any, error)
}

var tokenOutputs = []engine.Column{
	{Name: "OAuthAccessToken", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
	{Name: "OAuthRefreshToken", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
	{Name: "ExpiresIn", DeclType: schema.TypeInteger, TypeCode: schema.CodeNumber},
}

// procedures are the stored procedures, in the order sys_procedures lists them.
var procedures = slices.Concat(oauthProcedures, kintoneProcedures, guestProcedures)

var oauthProcedures = []*procedure{
	{
		Name:  "GetOAuthAuthorizationURL",
		OAuth: true,
		Description: "Returns the kintone authorization URL to send the user to (web flow); after approval kintone " +
			"redirects to CallbackURL with the code (pass it to GetOAuthAccessToken as Verifier).",
		Params: []procParam{
			{Name: "AuthMode", Description: "APP (default) or WEB; both return the URL."},
			{Name: "CallbackURL", Description: "The redirect URI registered with the client; default: the CallbackURL property."},
			{Name: "Scope", Description: "Blank-separated scopes; default: the Scope property."},
			{Name: "State", Description: "Opaque value returned with the redirect; check it there to prevent request forgery."},
		},
		Outputs: []engine.Column{{Name: "URL", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString}},
		run:     procAuthURL,
	},
	{
		Name:  "GetOAuthAccessToken",
		OAuth: true,
		Description: "Exchanges an authorization code (Verifier) for tokens; with AuthMode=APP and no Verifier it runs the " +
			"desktop flow (browser and loopback CallbackURL). The connection then uses the new tokens.",
		Params: []procParam{
			{Name: "AuthMode", Description: "APP (default: without Verifier, opens the browser) or WEB (Verifier required)."},
			{Name: "Verifier", Secret: true, Description: "The code parameter of the redirect to CallbackURL."},
			{Name: "CallbackURL", Description: "The redirect URI used to obtain the code; default: the CallbackURL property."},
			{Name: "Scope", Description: "Scopes to ask for in the desktop flow; default: the Scope property."},
			{Name: "State", Description: "State for the desktop flow's authorization request."},
		},
		Outputs: tokenOutputs,
		run:     procAccessToken,
	},
	{
		Name:        "RefreshOAuthAccessToken",
		OAuth:       true,
		Description: "Obtains new tokens with a refresh token. The connection then uses them.",
		Params: []procParam{
			{Name: "OAuthRefreshToken", Secret: true, Description: "The refresh token; default: the connection's current one."},
		},
		Outputs: tokenOutputs,
		run:     procRefresh,
	},
}

// secretParamNames are parameter names whose values are masked in any error text, including
// those of procedures this driver does not know.
var secretParamNames = map[string]bool{
	"verifier": true, "oauthaccesstoken": true, "oauthrefreshtoken": true, "oauthclientsecret": true,
	"clientsecret": true, "code": true, "password": true, "accesstoken": true, "refreshtoken": true, "token": true,
}

func lookupProcedure(name string) *procedure {
	for _, p := range procedures {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// ProcedureRows returns the rows of sys_procedures and sys_procedureparameters.
func ProcedureRows() (procs, params [][]any) {
	for _, p := range procedures {
		procs = append(procs, []any{"CData", "Kintone", p.Name, p.Description})
		for i, pp := range p.Params {
			desc := pp.Description
			if pp.Required {
				desc = "Required. " + desc
			}
			params = append(params, []any{"CData", "Kintone", p.Name, pp.Name, int64(i + 1), "VARCHAR", int64(1), int64(0), desc})
		}
		for i, o := range p.Outputs {
			params = append(params, []any{"CData", "Kintone", p.Name, o.Name, int64(len(p.Params) + i + 1), o.DeclType, int64(0), int64(1),
				"Output column."})
		}
	}
	return procs, params
}

// ---- parsing ----

type execArg struct {
	name  string // "" = positional
	value any    // string, nil, or paramRef
	at    int    // byte offset, for messages
}

type paramRef int // index of a ? parameter

type execToken struct {
	kind byte // 'i' identifier, 's' string, 'n' number, '?', '=', ',', ';', 0 end
	text string
	at   int
}

// isExecute reports whether sql starts with EXEC or EXECUTE.
func isExecute(sql string) bool {
	toks, err := lexExec(sql, true, false)
	return err == nil && len(toks) > 0 && toks[0].kind == 'i' &&
		(strings.EqualFold(toks[0].text, "EXECUTE") || strings.EqualFold(toks[0].text, "EXEC"))
}

// lexExec tokenises an EXECUTE statement. With firstOnly it stops after the first token. In
// lenient mode it never fails: bad characters are skipped and an unterminated literal runs to
// the end of the text (to find secrets in malformed statements).
func lexExec(sql string, firstOnly, lenient bool) ([]execToken, error) {
	var out []execToken
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 && lenient {
				return out, nil
			}
			if j < 0 {
				return nil, kerr.New(kerr.KindSQL, "unterminated /* comment in the EXECUTE statement")
			}
			i += j + 4
			continue
		}
		start := i
		switch {
		case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			for i < len(sql) && (sql[i] == '_' || sql[i] >= 'A' && sql[i] <= 'Z' || sql[i] >= 'a' && sql[i] <= 'z' || sql[i] >= '0' && sql[i] <= '9') {
				i++
			}
			out = append(out, execToken{kind: 'i', text: sql[start:i], at: start})
		case c == '[' || c == '"':
			closer := byte(']')
			if c == '"' {
				closer = '"'
			}
			j := strings.IndexByte(sql[i+1:], closer)
			if j < 0 && lenient {
				return out, nil
			}
			if j < 0 {
				return nil, kerr.New(kerr.KindSQL, "unterminated quoted name in the EXECUTE statement")
			}
			out = append(out, execToken{kind: 'i', text: sql[i+1 : i+1+j], at: start})
			i += j + 2
		case c == '\'':
			var b strings.Builder
			i++
			for {
				if i >= len(sql) && lenient {
					break
				}
				if i >= len(sql) {
					return nil, kerr.New(kerr.KindSQL, "unterminated string literal in the EXECUTE statement "+
						"(write a quote inside a value as '')")
				}
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(sql[i])
				i++
			}
			out = append(out, execToken{kind: 's', text: b.String(), at: start})
		case c >= '0' && c <= '9' || (c == '-' || c == '+' || c == '.') && i+1 < len(sql) && (sql[i+1] >= '0' && sql[i+1] <= '9' || sql[i+1] == '.'):
			i++
			for i < len(sql) && (sql[i] >= '0' && sql[i] <= '9' || sql[i] == '.' || sql[i] == 'e' || sql[i] == 'E' ||
				(sql[i] == '-' || sql[i] == '+') && (sql[i-1] == 'e' || sql[i-1] == 'E')) {
				i++
			}
			text := sql[start:i]
			if _, err := strconv.ParseFloat(text, 64); err != nil && !lenient {
				return nil, kerr.New(kerr.KindSQL, "malformed number at character %d of the EXECUTE statement", start+1)
			}
			out = append(out, execToken{kind: 'n', text: text, at: start})
		case c == '?' || c == '=' || c == ',' || c == ';':
			out = append(out, execToken{kind: c, text: string(c), at: start})
			i++
		case lenient:
			i++
			continue
		default:
			return nil, kerr.New(kerr.KindSQL, "unexpected character %q at character %d of the EXECUTE statement; "+
				"write EXECUTE Name Param = 'value', Param2 = ?", string(c), start+1)
		}
		if firstOnly {
			return out, nil
		}
	}
	return out, nil
}

// parseExecute parses `EXECUTE Name [arg [, arg]...] [;]`.
func parseExecute(sql string) (name string, args []execArg, nParams int, err error) {
	toks, err := lexExec(sql, false, false)
	if err != nil {
		return "", nil, 0, err
	}
	if len(toks) > 0 && toks[len(toks)-1].kind == ';' {
		toks = toks[:len(toks)-1]
	}
	syntax := func(format string, a ...any) error {
		return kerr.New(kerr.KindSQL, "EXECUTE statement: "+format+
			"; write EXECUTE Name Param = 'value', Param2 = ? (names are case-insensitive; quote text with ', doubling a quote inside)", a...)
	}
	if len(toks) < 2 || toks[1].kind != 'i' {
		return "", nil, 0, syntax("the procedure name is missing after %s", strings.ToUpper(toks[0].text))
	}
	name = toks[1].text
	rest := toks[2:]
	for len(rest) > 0 {
		var a execArg
		t := rest[0]
		if t.kind == 'i' && len(rest) > 1 && rest[1].kind == '=' {
			a.name, a.at = t.text, t.at
			rest = rest[2:]
			if len(rest) == 0 {
				return "", nil, 0, syntax("parameter %s has no value after =", a.name)
			}
			t = rest[0]
		} else if t.kind == 'i' && !strings.EqualFold(t.text, "NULL") {
			return "", nil, 0, syntax("expected Param = value at character %d", t.at+1)
		}
		a.at = t.at
		switch t.kind {
		case 's', 'n':
			a.value = t.text
		case '?':
			a.value = paramRef(nParams)
			nParams++
		case 'i': // NULL
			a.value = nil
		default:
			return "", nil, 0, syntax("expected a value at character %d", t.at+1)
		}
		args = append(args, a)
		rest = rest[1:]
		if len(rest) > 0 {
			if rest[0].kind != ',' {
				return "", nil, 0, syntax("expected a comma between parameters at character %d", rest[0].at+1)
			}
			rest = rest[1:]
			if len(rest) == 0 {
				return "", nil, 0, syntax("a parameter is missing after the last comma")
			}
		}
	}
	return name, args, nParams, nil
}

// bindExecute resolves the arguments of a call against the procedure's parameters.
func bindExecute(p *procedure, args []execArg, params []any) (map[string]string, error) {
	in := map[string]string{}
	given := map[string]bool{}
	named := false
	for i, a := range args {
		var pp *procParam
		if a.name == "" {
			if named {
				return nil, kerr.New(kerr.KindSQL, "%s: a value without a name follows a named parameter; give "+
					"positional values first, in the declared order (%s)", p.Name, paramList(p))
			}
			if i >= len(p.Params) {
				return nil, kerr.New(kerr.KindSQL, "%s takes at most %d parameter(s) (%s), but %d were given",
					p.Name, len(p.Params), paramList(p), len(args))
			}
			pp = &p.Params[i]
		} else {
			named = true
			for j := range p.Params {
				if strings.EqualFold(p.Params[j].Name, a.name) {
					pp = &p.Params[j]
				}
			}
			if pp == nil {
				msg := p.Name + " has no parameter " + strconv.Quote(a.name)
				if s := nearest(a.name, paramNames(p)); s != "" {
					msg += "; did you mean " + s + "?"
				}
				return nil, kerr.New(kerr.KindSQL, "%s (its parameters: %s)", msg, paramList(p))
			}
		}
		if given[pp.Name] {
			return nil, kerr.New(kerr.KindSQL, "%s: parameter %s is given twice", p.Name, pp.Name)
		}
		given[pp.Name] = true
		v := a.value
		if r, ok := v.(paramRef); ok {
			v = params[int(r)]
		}
		switch x := v.(type) {
		case nil:
			continue // NULL: not given
		case string:
			in[pp.Name] = x
		case []byte:
			if !pp.Bytes {
				return nil, kerr.New(kerr.KindInvalidArgument, "%s: parameter %s must be text, not bytes", p.Name, pp.Name)
			}
			in[pp.Name] = base64.StdEncoding.EncodeToString(x)
		case int64:
			in[pp.Name] = strconv.FormatInt(x, 10)
		case float64:
			in[pp.Name] = strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			in[pp.Name] = strconv.FormatBool(x)
		default:
			return nil, kerr.New(kerr.KindInvalidArgument, "%s: parameter %s must be text, not a %T", p.Name, pp.Name, v)
		}
	}
	return in, nil
}

func paramNames(p *procedure) []string {
	var n []string
	for _, pp := range p.Params {
		n = append(n, pp.Name)
	}
	return n
}

func paramList(p *procedure) string {
	if len(p.Params) == 0 {
		return "none"
	}
	return strings.Join(paramNames(p), ", ")
}

// nearest returns the candidate closest to name by edit distance, or "" when none is close.
func nearest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(name)/3)
	if bestD <= limit || (best != "" && (strings.Contains(strings.ToLower(best), strings.ToLower(name)) ||
		strings.Contains(strings.ToLower(name), strings.ToLower(best)))) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// secretsInExecute returns the values of secret-named parameters of an EXECUTE statement (from
// literals and bound parameters), to be masked in any error text. It is lenient: it finds what
// it can in malformed text too.
func secretsInExecute(sql string, params []any) []string {
	if !isExecute(sql) {
		return nil
	}
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && len(s) >= 3 {
			out = append(out, s)
		}
	}
	// Literals after "secretName =", whatever else is wrong with the text.
	toks, _ := lexExec(sql, false, true)
	nq := 0
	for i, t := range toks {
		if t.kind == '?' {
			nq++
		}
		if t.kind == 'i' && secretParamNames[strings.ToLower(t.text)] && i+2 < len(toks) && toks[i+1].kind == '=' {
			switch v := toks[i+2]; v.kind {
			case 's', 'n', 'i':
				out = append(out, v.text)
			case '?':
				if nq < len(params) {
					add(params[nq])
				}
			}
		}
	}
	// Positional values of known procedures.
	if name, args, _, err := parseExecute(sql); err == nil {
		if p := lookupProcedure(name); p != nil {
			for i, a := range args {
				if a.name != "" || i >= len(p.Params) || !p.Params[i].Secret {
					continue
				}
				if r, ok := a.value.(paramRef); ok && int(r) < len(params) {
					add(params[int(r)])
				} else {
					add(a.value)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// ---- running ----

// execute runs an EXECUTE statement on c.
func (c *conn) execute(ctx context.Context, sql string, params []any) (result, error) {
	name, args, n, err := parseExecute(sql)
	if err != nil {
		return nil, err
	}
	if n != len(params) {
		return nil, kerr.New(kerr.KindSQL, "the statement has %d parameter marker(s) but %d parameter(s) were given", n, len(params))
	}
	p := lookupProcedure(name)
	if p == nil {
		var names []string
		for _, q := range procedures {
			names = append(names, q.Name)
		}
		msg := "unknown stored procedure " + strconv.Quote(name)
		if s := nearest(name, names); s != "" {
			msg += "; did you mean " + s + "?"
		}
		return nil, kerr.New(kerr.KindSQL, "%s (this driver has: %s)", msg, strings.Join(names, ", "))
	}
	in, err := bindExecute(p, args, params)
	if err != nil {
		return nil, err
	}
	for _, pp := range p.Params {
		if _, given := in[pp.Name]; pp.Required && !given {
			return nil, kerr.New(kerr.KindInvalidArgument, "%s needs parameter %s (its parameters: %s)", p.Name, pp.Name, paramList(p))
		}
	}
	if p.OAuth && c.oauth == nil {
		return nil, kerr.New(kerr.KindInvalidArgument, "%s is an OAuth procedure: it needs a connection with AuthScheme=OAuth "+
			"(OAuthClientId and OAuthClientSecret; with InitiateOAuth=OFF and no OAuthAccessToken the connection opens without a token)", p.Name)
	}
	rows, err := p.run(ctx, c, in)
	if err != nil {
		return nil, err
	}
	return &staticResult{cols: p.Outputs, rows: rows}, nil
}

func authMode(p string, in map[string]string) (string, error) {
	m := strings.ToUpper(strings.TrimSpace(in["AuthMode"]))
	switch m {
	case "":
		return "APP", nil
	case "APP", "WEB":
		return m, nil
	}
	return "", kerr.New(kerr.KindInvalidArgument, "%s: AuthMode must be APP or WEB, not %s", p, strconv.Quote(in["AuthMode"]))
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

func procAuthURL(_ context.Context, c *conn, in map[string]string) ([][]any, error) {
	if _, err := authMode("GetOAuthAuthorizationURL", in); err != nil {
		return nil, err
	}
	u, err := c.oauth.AuthURL(orDefault(in["CallbackURL"], c.oauth.Callback()), orDefault(in["Scope"], c.oauth.Scope()), in["State"])
	if err != nil {
		return nil, err
	}
	return [][]any{{u}}, nil
}

func procAccessToken(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	mode, err := authMode("GetOAuthAccessToken", in)
	if err != nil {
		return nil, err
	}
	callback := orDefault(in["CallbackURL"], c.oauth.Callback())
	var t oauth.Token
	switch {
	case in["Verifier"] != "":
		t, err = c.oauth.ExchangeCode(ctx, in["Verifier"], callback)
	case mode == "WEB":
		return nil, kerr.New(kerr.KindInvalidArgument, "GetOAuthAccessToken with AuthMode=WEB needs Verifier: the code "+
			"parameter of kintone's redirect to CallbackURL after the user approved the URL of GetOAuthAuthorizationURL")
	default:
		t, err = c.oauth.Authorize(ctx, callback, orDefault(in["Scope"], c.oauth.Scope()), in["State"])
	}
	if err != nil {
		return nil, err
	}
	return tokenRow(t), nil
}

func procRefresh(ctx context.Context, c *conn, in map[string]string) ([][]any, error) {
	t, err := c.oauth.RefreshWith(ctx, in["OAuthRefreshToken"])
	if err != nil {
		return nil, err
	}
	return tokenRow(t), nil
}

func tokenRow(t oauth.Token) [][]any {
	var expires any
	if t.ExpiresIn > 0 {
		expires = t.ExpiresIn
	}
	var refresh any
	if t.RefreshToken != "" {
		refresh = t.RefreshToken
	}
	return [][]any{{t.AccessToken, refresh, expires}}
}

// staticResult is a result set computed in Go (a procedure's output).
type staticResult struct {
	cols []engine.Column
	rows [][]any
	pos  int
}

func (r *staticResult) Columns() []engine.Column { return r.cols }
func (r *staticResult) RowsAffected() int64      { return -1 }
func (r *staticResult) Close() error             { r.rows = nil; return nil }
func (r *staticResult) Fetch(n int) ([][]any, bool, error) {
	end := min(len(r.rows), r.pos+n)
	out := r.rows[r.pos:end]
	r.pos = end
	return out, r.pos >= len(r.rows), nil
}
