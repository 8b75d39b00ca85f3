// Package kclient is the kintone REST API client of the connector: one place for URLs,
// authentication headers, the long-GET method override, error replies, retries and the request
// counter. Every error it returns is (or wraps) a *kerr.Error; kintone's error replies are
// reachable as *APIError with errors.As.
package kclient

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/version"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// DefaultUserAgent returns the User-Agent sent when Config.UserAgent is "": the connector and
// the version of the Go core.
func DefaultUserAgent() string { return "cdata-kintone/" + version.String() }

// DefaultLanguage is the Accept-Language sent when Config.Language is "", so that kintone's
// messages come in English.
const DefaultLanguage = "en"

// MaxTokensPerRequest is kintone's limit on API tokens in one request.
const MaxTokensPerRequest = 9

// Body size caps: a reply larger than these is an error rather than an unbounded read.
const (
	maxSuccessBody = 64 << 20
	maxErrorBody   = 1 << 20
)

// maxURLLength is the URL length above which a GET goes as POST with X-HTTP-Method-Override.
const maxURLLength = 4096

// maxQueryStringArray is how many elements of an array parameter kintone reads from a query
// string (fields[0] … fields[99]); longer arrays go in a JSON body.
const maxQueryStringArray = 100

// Config configures a Client. Only BaseURL and one authentication method are required.
type Config struct {
	BaseURL      *url.URL // scheme://host[:port], no path; plain http only for loopback hosts unless AllowHTTP
	GuestSpaceID int64    // 0 = none: paths /k/v1/...; else /k/guest/{id}/v1/...

	// Password authentication (X-Cybozu-Authorization), used when User != "". It takes
	// precedence over Tokens, which are then not sent.
	User, Password string
	// API-token authentication (X-Cybozu-API-Token): at most one token per app.
	Tokens []TokenPair
	// Related lists, per app, the apps its lookup and related-records fields read from; their
	// tokens travel with the app's own. FormFields adds what it finds; see WithRelatedApps.
	Related map[int64][]int64

	// OAuth authentication (Authorization: Bearer), used when non-nil and User is "". A
	// request refused with 401 is sent again once with the token Renew returns.
	OAuth TokenSource

	// The optional extra Basic authentication layer (Authorization: Basic ...).
	BasicAuthUser, BasicAuthPassword string

	Timeout   time.Duration // per HTTP request, reply body included; 0 = none
	UserAgent string        // "" = DefaultUserAgent()
	Language  string        // Accept-Language; "" = DefaultLanguage; "-" = send none

	// TLS configures server certificate trust and the client certificate; Proxy the HTTP
	// proxy; Firewall the firewall proxy (TUNNEL, SOCKS4, SOCKS5) that carries every TCP
	// connection, the one to the HTTP proxy included. They apply to the client's own Transport,
	// so they cannot be combined with HTTPClient. The zero values verify the server against the
	// system roots and use no proxy and no firewall.
	TLS      TLSOptions
	Proxy    ProxyOptions
	Firewall FirewallOptions

	// HTTPClient is used when non-nil (a shallow copy that never follows redirects, so that
	// credentials are not forwarded). Default: a new client with its own Transport.
	HTTPClient *http.Client
	Retry      RetryPolicy // zero value = DefaultRetryPolicy

	// Mask is applied to every error message (to hide secrets the caller knows about); nil =
	// identity. The client always hides its own credentials.
	Mask func(string) string

	// Observe, when non-nil, is told of every HTTP attempt (for logging). It is called on the
	// goroutine that sent the request, so it must be safe for concurrent use.
	Observe func(Exchange)

	// AllowHTTP permits plain http to hosts other than localhost / loopback addresses.
	AllowHTTP bool
}

// TokenSource supplies OAuth access tokens to a Client (Config.OAuth). Errors it returns
// should be *kerr.Error values; the client returns them as they are.
type TokenSource interface {
	// AccessToken returns the token to send, renewed first when it is known to have expired.
	AccessToken(ctx context.Context) (string, error)
	// Renew is called once per request when kintone refused the token refused with 401 (at
	// refusedAt by the server's Date header, zero when unknown): it returns the token to retry
	// with (a new one, or one another goroutine or process obtained meanwhile) or an error
	// saying why there is none.
	Renew(ctx context.Context, refused string, refusedAt time.Time) (string, error)
}

// TokenPair is an API token and the app it was generated for.
type TokenPair struct {
	AppID int64
	Token string
}

// Client is a kintone REST client. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	prefix    string // "/k/v1" or "/k/guest/{id}/v1"
	http      *http.Client
	timeout   time.Duration
	userAgent string
	language  string
	retry     RetryPolicy
	mask      func(string) string

	passwordAuth string            // X-Cybozu-Authorization value, or ""
	oauth        TokenSource       // Bearer tokens, when passwordAuth is ""
	basicAuth    string            // Authorization value, or ""
	tokens       map[int64]string  // API token per app
	tokenApps    []int64           // apps with a token, ascending
	secrets      []string          // strings never to show in error text
	secretRepl   *strings.Replacer // replaces secrets with ****

	mu      sync.RWMutex
	related map[int64][]int64 // app → apps whose tokens travel with its requests

	maxSuccessBody, maxErrorBody int64 // body read caps (fields so that tests can lower them)

	proxy      *proxySetup // nil = no proxy
	clientCert bool        // a client certificate is configured

	requests atomic.Int64
	// bodyHint is the size of the last successful reply's body, which sizes the buffer of the
	// next one that does not announce its length (readBody).
	bodyHint atomic.Int64
	observe  func(Exchange)
	// busyUntil is when kintone last said the domain is at its limit of concurrent requests
	// (429 GAIA_TO04) plus the backoff chosen then, in Unix nanoseconds: no request of this
	// client starts before it (see holdWhileBusy).
	busyUntil atomic.Int64
}

// Exchange describes one HTTP attempt, for Config.Observe and WithObserver. It carries no
// headers and no bodies: those hold credentials and record data. Query holds record data
// (the values of conditions); whoever shows it decides whether it may.
type Exchange struct {
	Method   string
	Path     string        // such as "/k/v1/records.json"
	App      int64         // the app the request concerns; 0 when none (such as the apps listing)
	Query    string        // the kintone query sent (records and cursor reads), "" when none
	Fields   []string      // the fields asked for, nil when all or not a records read
	Records  int           // records received (a successful read) or sent (a write)
	Status   int           // the HTTP status, 0 when no reply arrived
	Duration time.Duration // from sending to the end of the reply body
	Err      string        // the failure (with secrets hidden), "" on success
}

// observerKey is the context key of WithObserver.
type observerKey struct{}

// WithObserver returns a context under which every HTTP attempt is also told to observe (on
// the goroutine that sent it, so it must be safe for concurrent use), besides the client's
// Config.Observe: the driver counts the requests of one statement this way.
func WithObserver(ctx context.Context, observe func(Exchange)) context.Context {
	return context.WithValue(ctx, observerKey{}, observe)
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	c := &Client{
		timeout:   cfg.Timeout,
		userAgent: cfg.UserAgent,
		language:  cfg.Language,
		retry:     cfg.Retry.normalized(),
		mask:      cfg.Mask,
		observe:   cfg.Observe,
		tokens:    map[int64]string{},
		related:   map[int64][]int64{},

		maxSuccessBody: maxSuccessBody,
		maxErrorBody:   maxErrorBody,
	}
	// Secrets first, so that any error below is redacted too.
	c.addSecrets(cfg.Password, cfg.BasicAuthPassword, cfg.TLS.ClientCertPassword, cfg.Proxy.Password, cfg.Firewall.Password)
	if strings.HasSuffix(strings.ToUpper(cfg.TLS.ClientCertType), "_BLOB") || strings.Contains(cfg.TLS.ClientCert, "-----BEGIN") {
		c.addSecrets(strings.TrimSpace(cfg.TLS.ClientCert))
	}
	if cfg.Proxy.User != "" || cfg.Proxy.Password != "" {
		c.addSecrets(base64.StdEncoding.EncodeToString([]byte(cfg.Proxy.User + ":" + cfg.Proxy.Password)))
	}
	if cfg.Firewall.Password != "" {
		c.addSecrets(base64.StdEncoding.EncodeToString([]byte(cfg.Firewall.User + ":" + cfg.Firewall.Password)))
	}
	for _, t := range cfg.Tokens {
		c.addSecrets(t.Token)
	}
	if cfg.User != "" {
		c.passwordAuth = base64.StdEncoding.EncodeToString([]byte(cfg.User + ":" + cfg.Password))
		c.addSecrets(c.passwordAuth)
	}
	if cfg.BasicAuthUser != "" || cfg.BasicAuthPassword != "" {
		cred := base64.StdEncoding.EncodeToString([]byte(cfg.BasicAuthUser + ":" + cfg.BasicAuthPassword))
		c.basicAuth = "Basic " + cred
		c.addSecrets(cred)
	}

	if err := c.setBase(cfg); err != nil {
		return nil, err
	}
	if cfg.GuestSpaceID < 0 {
		return nil, c.configError("GuestSpaceId must be a positive number, not %d", cfg.GuestSpaceID)
	}
	if cfg.GuestSpaceID > 0 {
		c.prefix = "/k/guest/" + strconv.FormatInt(cfg.GuestSpaceID, 10) + "/v1"
	} else {
		c.prefix = "/k/v1"
	}

	for i, t := range cfg.Tokens {
		if t.AppID <= 0 {
			return nil, c.configError("API token #%d has no app id (AppId): tokens pair with app ids by position", i+1)
		}
		if t.Token == "" || !validToken(t.Token) {
			return nil, c.configError("API token #%d (app %d) is empty or contains characters other than letters and digits", i+1, t.AppID)
		}
		if _, dup := c.tokens[t.AppID]; dup {
			return nil, c.configError("two API tokens are given for app %d: kintone refuses two tokens of one app in a request", t.AppID)
		}
		c.tokens[t.AppID] = t.Token
		c.tokenApps = append(c.tokenApps, t.AppID)
	}
	sort.Slice(c.tokenApps, func(i, j int) bool { return c.tokenApps[i] < c.tokenApps[j] })
	if cfg.User == "" && cfg.Password != "" {
		return nil, c.configError("Password given without User")
	}
	if c.passwordAuth == "" {
		c.oauth = cfg.OAuth
	}
	if c.passwordAuth == "" && len(c.tokens) == 0 && c.oauth == nil {
		return nil, c.configError("no credentials: give User and Password, API tokens, or an OAuth token source")
	}
	if c.oauth != nil && c.basicAuth != "" {
		return nil, c.configError("OAuth cannot be combined with the Basic authentication layer: both need the Authorization header")
	}
	for app, rel := range cfg.Related {
		c.related[app] = mergeIDs(nil, rel, app)
	}

	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent()
	}
	if c.language == "" {
		c.language = DefaultLanguage
	}
	if !validHeaderValue(c.userAgent) {
		return nil, c.configError("UserAgent contains control characters")
	}
	if !validHeaderValue(c.language) {
		return nil, c.configError("Language contains control characters")
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		if !cfg.TLS.isZero() || !cfg.Proxy.isZero() || cfg.Firewall != (FirewallOptions{}) {
			return nil, c.configError("TLS, proxy and firewall options apply to the client's own transport; they cannot be combined with HTTPClient")
		}
		hc = *cfg.HTTPClient
	} else {
		t, err := c.newTransport(cfg)
		if err != nil {
			return nil, err
		}
		hc.Transport = t
	}
	// kintone's API does not redirect; a redirect (to a login page, another host) would forward
	// the X-Cybozu-* credential headers, so the 3xx reply is returned as an error instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	return c, nil
}

// newTransport returns a Transport of the client's own with cfg's TLS, proxy and firewall
// settings. No proxy is used unless cfg.Proxy says so (not even the environment's, unless
// AutoDetect).
func (c *Client) newTransport(cfg Config) (http.RoundTripper, error) {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{ForceAttemptHTTP2: true}
	}
	t.Proxy = nil
	ps, secrets, err := newProxySetup(cfg.Proxy, c.base)
	c.addSecrets(secrets...)
	if err != nil {
		if e := kerr.As(err); e != nil {
			e.Message = c.redact(e.Message)
		}
		return nil, err
	}
	if ps != nil {
		c.proxy = ps
		t.Proxy = ps.proxyFor
	}
	fw, err := newFirewall(cfg.Firewall)
	if err != nil {
		return nil, err
	}
	if fw != nil {
		t.DialContext = fw.DialContext
	}
	tc, err := cfg.TLS.tlsConfig()
	if err != nil {
		if e := kerr.As(err); e != nil {
			e.Message = c.redact(e.Message)
		}
		return nil, err
	}
	if tc != nil {
		t.TLSClientConfig = tc
		c.clientCert = cfg.TLS.ClientCert != ""
	}
	return t, nil
}

func (c *Client) setBase(cfg Config) error {
	u := cfg.BaseURL
	if u == nil || u.Host == "" {
		return c.configError("no kintone URL: give scheme://host, for example https://example.cybozu.com")
	}
	if u.User != nil {
		return c.configError("the kintone URL must not contain credentials: use User/Password or BasicAuthUser/BasicAuthPassword")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return c.configError("the kintone URL must start with https://, not %q", u.Scheme+"://")
	}
	if scheme == "http" && !cfg.AllowHTTP && !isLoopback(u.Hostname()) {
		return c.configError("the kintone URL must use https:// (plain http is only allowed for localhost): %s", u.Host)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return c.configError("the kintone URL must be scheme://host[:port] without a path, query or fragment, like https://example.cybozu.com")
	}
	c.base = &url.URL{Scheme: scheme, Host: u.Host}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validToken accepts what kintone generates (letters and digits) and little else, so that a
// token cannot break the comma-separated header.
func validToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func validHeaderValue(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (c *Client) configError(format string, args ...any) error {
	e := kerr.New(kerr.KindInvalidConfig, format, args...)
	e.Message = c.redact(e.Message)
	return e
}

// addSecrets registers strings that must never appear in error text.
func (c *Client) addSecrets(ss ...string) {
	for _, s := range ss {
		if len(s) >= 3 { // shorter strings would mangle ordinary text and hide little
			c.secrets = append(c.secrets, s)
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(c.secrets, func(i, j int) bool { return len(c.secrets[i]) > len(c.secrets[j]) })
	pairs := make([]string, 0, 2*len(c.secrets))
	for _, s := range c.secrets {
		pairs = append(pairs, s, "****")
	}
	c.secretRepl = strings.NewReplacer(pairs...)
}

// redact hides the client's credentials and applies Config.Mask.
func (c *Client) redact(s string) string {
	if c.secretRepl != nil && len(c.secrets) > 0 {
		s = c.secretRepl.Replace(s)
	}
	if c.mask != nil {
		s = c.mask(s)
	}
	return s
}

// RequestCount returns the number of HTTP requests this client has sent, retries included.
func (c *Client) RequestCount() int64 { return c.requests.Load() }

// WithRelatedApps records that app's lookup and related-records fields read from the apps in
// related, so that with API-token authentication their tokens travel with app's requests. It
// adds to what is known already (Config.Related, earlier calls, FormFields).
func (c *Client) WithRelatedApps(app int64, related []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.related[app] = mergeIDs(c.related[app], related, app)
}

// RelatedApps returns the apps whose tokens travel with app's requests.
func (c *Client) RelatedApps(app int64) []int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]int64(nil), c.related[app]...)
}

// mergeIDs returns the sorted union of a and b without self and without duplicates.
func mergeIDs(a, b []int64, self int64) []int64 {
	seen := map[int64]bool{self: true}
	var out []int64
	for _, s := range [][]int64{a, b} {
		for _, id := range s {
			if id > 0 && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// UsesTokens reports whether requests authenticate with API tokens (not a password).
func (c *Client) UsesTokens() bool { return c.passwordAuth == "" && c.oauth == nil }

// UsesOAuth reports whether requests authenticate with OAuth Bearer tokens.
func (c *Client) UsesOAuth() bool { return c.passwordAuth == "" && c.oauth != nil }

// HTTPClient returns the client's HTTP client (its transport carries the TLS and proxy
// settings; it never follows redirects), for requests to other endpoints of the same domain
// such as the OAuth token endpoint.
func (c *Client) HTTPClient() *http.Client { return c.http }

// tokensForApp returns the X-Cybozu-API-Token value for a request about app: its own token
// followed by those of its related apps that have one.
func (c *Client) tokensForApp(app int64) (string, error) {
	own, ok := c.tokens[app]
	if !ok {
		return "", kerr.New(kerr.KindNoCredentials,
			"no API token is configured for app %d: add its token to APIToken and its id to AppId", app)
	}
	toks := []string{own}
	for _, r := range c.RelatedApps(app) {
		if t, ok := c.tokens[r]; ok {
			toks = append(toks, t)
		}
	}
	if len(toks) > MaxTokensPerRequest {
		return "", kerr.New(kerr.KindLimit,
			"app %d needs %d API tokens (its own and those of the apps its lookup and related-records fields read from), but kintone accepts at most %d in one request",
			app, len(toks), MaxTokensPerRequest)
	}
	return strings.Join(toks, ","), nil
}

// tokensForApps returns the X-Cybozu-API-Token value carrying the tokens of apps (those that
// have one).
func (c *Client) tokensForApps(apps []int64) (string, error) {
	var toks []string
	for _, a := range apps {
		if t, ok := c.tokens[a]; ok {
			toks = append(toks, t)
		}
	}
	if len(toks) > MaxTokensPerRequest {
		return "", kerr.New(kerr.KindInternal, "%d API tokens in one request; kintone accepts at most %d", len(toks), MaxTokensPerRequest)
	}
	return strings.Join(toks, ","), nil
}
