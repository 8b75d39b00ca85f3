package connstr

import (
	"math"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// invalidConfig is the error for a value that cannot work.
func invalidConfig(format string, args ...any) error {
	return kerr.New(kerr.KindInvalidConfig, format, args...)
}

// not describes a rejected value for a message: `, not "x"`, or nothing for a secret.
func (p *Property) not(v string) string {
	if p.Secret || IsSecretValue(p.Name, v) {
		return ""
	}
	return ", not " + shortQuote(v)
}

// normalize checks a non-empty value against the property's type and returns its canonical form.
func (p *Property) normalize(v string) (string, error) {
	switch p.Type {
	case TypeBool:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			v = "true"
		case "false":
			v = "false"
		default:
			return "", invalidConfig("connection property %q must be true or false%s", p.Name, p.not(v))
		}
	case TypeInt:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || (p.ranged && (n < p.min || n > p.max)) {
			return "", invalidConfig("connection property %q must be %s%s", p.Name, p.ValidValues(), p.not(v))
		}
		v = strconv.FormatInt(n, 10)
	case TypeEnum:
		t := strings.TrimSpace(v)
		found := false
		for _, e := range p.Enum {
			if strings.EqualFold(e, t) {
				v, found = e, true
				break
			}
		}
		if !found {
			return "", invalidConfig("connection property %q must be one of %s%s", p.Name, strings.Join(p.Enum, ", "), p.not(v))
		}
	case TypeList:
		items := strings.Split(v, ",")
		for i := range items {
			items[i] = strings.TrimSpace(items[i])
			if items[i] == "" {
				return "", invalidConfig("connection property %q has an empty item (number %d of %d); separate the values with single commas",
					p.Name, i+1, len(items))
			}
		}
		v = strings.Join(items, ",")
	}
	if p.check != nil {
		return p.check(v)
	}
	return v, nil
}

// supports refuses properties and values that are recognised but not implemented yet.
func (p *Property) supports(v string) error {
	if !p.Support.Accepted() {
		return kerr.New(kerr.KindNotSupported,
			"connection property %q is recognised but not supported yet by this driver", p.Name)
	}
	if p.valueUnsupported(v) {
		var alternatives []string
		for _, e := range p.Enum {
			if !p.valueUnsupported(e) {
				alternatives = append(alternatives, p.Name+"="+e)
			}
		}
		return kerr.New(kerr.KindNotSupported,
			"%s=%s is recognised but not supported yet by this driver; use %s", p.Name, v, strings.Join(alternatives, " or "))
	}
	return nil
}

const urlExample = "such as Url=https://example.cybozu.com (or example.kintone.com, example.cybozu.cn, " +
	"and example.s.cybozu.com for client certificates)"

// checkURL normalises the Url to scheme://host[:port], assuming https when no scheme is given.
func checkURL(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	// Never echo a Url that may carry credentials.
	shown := shortQuote(v)
	if strings.Contains(v, "@") {
		shown = "(a URL with user information)"
	}
	if !strings.Contains(v, "://") {
		if schemeLike.MatchString(v) {
			return "", invalidConfig("Url %s is not a valid URL: write the scheme with two slashes, %s", shown, urlExample)
		}
		v = "https://" + strings.TrimPrefix(v, "//")
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", invalidConfig("Url %s is not a valid URL; give the address of your kintone domain, %s", shown, urlExample)
	}
	if u.User != nil {
		return "", invalidConfig("Url must not contain a user name or password; give them as User and Password")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", invalidConfig("Url %s must start with https://, %s", shown, urlExample)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", invalidConfig("Url %s has no host name; give the address of your kintone domain, %s", shown, urlExample)
	}
	if len(host) > 253 {
		return "", invalidConfig("Url %s has a host name longer than 253 characters", shown)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", invalidConfig("Url %s has an invalid port; a port is a number from 1 to 65535", shown)
		}
		port = strconv.Itoa(n)
	} else if strings.HasSuffix(u.Host, ":") {
		return "", invalidConfig("Url %s has an empty port after \":\"", shown)
	}
	if scheme == "http" && !isLoopback(host) {
		return "", invalidConfig("Url %s uses plain http, but kintone is only reachable over https: write https://%s "+
			"(plain http is accepted only for localhost, 127.0.0.0/8 and ::1, where the simulator runs)", shown, u.Host)
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	return (&url.URL{Scheme: scheme, Host: hostport}).String(), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// schemeLike matches "https:/x" and "https:x", a scheme without its two slashes.
var schemeLike = regexp.MustCompile(`^(?i)https?:[^0-9]`)

var guestPath = regexp.MustCompile(`^/k/guest/(\d+)(?:/|$)`)

// urlGuestSpace returns the guest space that the path of a Url points into, or 0.
func urlGuestSpace(raw string) int64 {
	v := strings.TrimSpace(raw)
	if !strings.Contains(v, "://") {
		v = "https://" + strings.TrimPrefix(v, "//")
	}
	u, err := url.Parse(v)
	if err != nil {
		return 0
	}
	m := guestPath.FindStringSubmatch(u.Path)
	if m == nil {
		return 0
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// checkAPITokens refuses tokens that cannot travel in a header, and repeated tokens. Messages
// name tokens by position only.
func checkAPITokens(v string) (string, error) {
	tokens := strings.Split(v, ",")
	seen := map[string]int{}
	for i, t := range tokens {
		for j := 0; j < len(t); j++ {
			if t[j] <= ' ' || t[j] >= 0x7f {
				return "", invalidConfig("APIToken item %d contains a character that cannot be sent in an HTTP header; "+
					"API tokens are printable ASCII without blanks", i+1)
			}
		}
		if first, ok := seen[t]; ok {
			return "", invalidConfig("APIToken item %d repeats item %d; give each token once, in the order of AppId", i+1, first)
		}
		seen[t] = i + 1
	}
	return v, nil
}

// checkAppIDs requires positive, distinct app IDs and writes them canonically.
func checkAppIDs(v string) (string, error) {
	ids := strings.Split(v, ",")
	seen := map[int64]int{}
	for i, s := range ids {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return "", invalidConfig("AppId item %d must be a positive app ID (a whole number such as 12), not %s", i+1, shortQuote(s))
		}
		if first, ok := seen[n]; ok {
			return "", invalidConfig("AppId %d is listed twice (items %d and %d); list each app once", n, first, i+1)
		}
		seen[n] = i + 1
		ids[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(ids, ","), nil
}

func checkSeparator(v string) (string, error) {
	for _, r := range v {
		if unicode.IsControl(r) {
			return "", invalidConfig("SubtableSeparatorCharacter must not contain control characters")
		}
	}
	return v, nil
}

func checkProxyServer(v string) (string, error) {
	return checkHost("Proxy", "proxy.example.com", "3128", v)
}

func checkFirewallServer(v string) (string, error) {
	return checkHost("Firewall", "firewall.example.com", "1080", v)
}

// checkHost accepts a host name or an IP address (IPv6 with or without brackets) as the value of
// prefix+"Server", whose port, user and password are the properties prefix+"Port", "User" and
// "Password"; the example host and port show the right form in messages.
func checkHost(prefix, exampleHost, examplePort, v string) (string, error) {
	example := prefix + "Server=" + exampleHost + ";" + prefix + "Port=" + examplePort
	h := strings.TrimSpace(v)
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/@ \t") {
		return "", invalidConfig("%sServer must be the %s's host name or IP address only, such as %s "+
			"(no scheme, path or user name: give credentials as %sUser and %sPassword)",
			prefix, strings.ToLower(prefix), example, prefix, prefix)
	}
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		return ip.String(), nil
	}
	if _, _, err := net.SplitHostPort(h); err == nil {
		return "", invalidConfig("%sServer must not contain a port: give it as %sPort, such as %s", prefix, prefix, example)
	}
	if len(h) > 253 || strings.ContainsAny(h, "[]:;,") {
		return "", invalidConfig("%sServer %s is not a host name or IP address", prefix, shortQuote(h))
	}
	return strings.ToLower(h), nil
}

// checkProxyExceptions accepts patterns separated by semicolons (as the reference writes them)
// or commas, and writes them separated by semicolons.
func checkProxyExceptions(v string) (string, error) {
	items := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' })
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			if strings.ContainsAny(it, " \t@") {
				return "", invalidConfig("ProxyExceptions item %s is not a host pattern; separate hosts with semicolons or commas", shortQuote(it))
			}
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return "", invalidConfig("ProxyExceptions lists no host; separate hosts with semicolons or commas")
	}
	return strings.Join(out, ";"), nil
}

func checkMaxRows(v string) (string, error) {
	if v == "0" {
		return "", invalidConfig(`connection property "MaxRows" must be -1 (no limit) or a positive number, not "0"`)
	}
	return v, nil
}

// Validate checks how the properties fit together:
//   - Url is required;
//   - a Url whose path points into a guest space (/k/guest/N/...) needs GuestSpaceId=N;
//   - the authentication scheme must be decidable and complete (see AuthScheme): Password needs
//     User and Password; APIToken needs APIToken and AppId with as many app IDs as tokens (they
//     pair by position, and with tokens the tables are exactly these apps); OAuth never goes
//     with an explicit UseCursor=true nor with the Basic layer (both need the Authorization
//     header), InitiateOAuth=OFF takes neither OAuthRefreshToken nor OAuthVerifier, REFRESH and
//     GETANDREFRESH need OAuthClientId and OAuthClientSecret, and GETANDREFRESH a loopback
//     http CallbackURL with a port (the driver listens on it);
//   - BasicAuthUser and BasicAuthPassword come together, as do ProxyUser and ProxyPassword;
//   - SSLClientCertType, SSLClientCertPassword and SSLClientCertSubject need SSLClientCert;
//   - ProxyPort needs ProxyServer; ProxyUser, ProxyPassword and ProxyExceptions need a proxy
//     (ProxyServer or ProxyAutoDetect=true), which is never both; ProxyAuthScheme=NONE takes no
//     credentials;
//   - FirewallType other than NONE needs FirewallServer and FirewallPort, and the other Firewall
//     properties need such a FirewallType; FirewallPassword needs FirewallUser, and SOCKS4 takes
//     none.
//
// Parse calls it; call it yourself after Set.
func (c *Config) Validate() error {
	if !c.isSet(PropURL) {
		return invalidConfig("Url is required: give the address of your kintone domain, %s", urlExample)
	}
	if c.urlGuest != 0 && c.integer(PropGuestSpaceID) != c.urlGuest {
		if !c.isSet(PropGuestSpaceID) {
			return invalidConfig("Url points into guest space %d (/k/guest/%d/...); add GuestSpaceId=%d, since only the scheme, host and port of Url are used",
				c.urlGuest, c.urlGuest, c.urlGuest)
		}
		return invalidConfig("Url points into guest space %d but GuestSpaceId is %d; make them agree", c.urlGuest, c.integer(PropGuestSpaceID))
	}
	scheme, err := c.resolveAuth()
	if err != nil {
		return err
	}
	if c.get(PropSchema) == SchemaUser && scheme != AuthPassword {
		return invalidConfig("Schema=USER reads the cybozu User API, which accepts password authentication only "+
			"(neither kintone's app API tokens nor its OAuth tokens); connect with User and Password, or use Schema=REST "+
			"(the default) for the apps with AuthScheme=%s", scheme)
	}
	return c.validateTransport()
}

// validateTransport checks the Basic layer, certificate and proxy properties together.
func (c *Config) validateTransport() error {
	if c.isSet(PropBasicAuthUser) != c.isSet(PropBasicAuthPassword) {
		return invalidConfig("BasicAuthUser and BasicAuthPassword go together: give both for a domain with Basic authentication, or neither")
	}
	if !c.isSet(PropSSLClientCert) {
		for _, n := range []string{PropSSLClientCertType, PropSSLClientCertPassword, PropSSLClientCertSubject} {
			if c.isSet(n) {
				return invalidConfig("%s is given but SSLClientCert is not: give the client certificate as SSLClientCert", n)
			}
		}
	}
	proxy := c.isSet(PropProxyServer) || c.boolean(PropProxyAutoDetect)
	if c.isSet(PropProxyServer) && c.boolean(PropProxyAutoDetect) {
		return invalidConfig("ProxyAutoDetect=true takes the proxy from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); " +
			"remove ProxyServer, or set ProxyAutoDetect=false to use ProxyServer")
	}
	if c.isSet(PropProxyPort) && !c.isSet(PropProxyServer) {
		return invalidConfig("ProxyPort is given but ProxyServer is not: give the proxy's host as ProxyServer")
	}
	for _, n := range []string{PropProxyUser, PropProxyPassword, PropProxyExceptions} {
		if c.isSet(n) && !proxy {
			return invalidConfig("%s is given but no proxy is: set ProxyServer (and ProxyPort), or ProxyAutoDetect=true", n)
		}
	}
	if c.isSet(PropProxyUser) != c.isSet(PropProxyPassword) {
		return invalidConfig("ProxyUser and ProxyPassword go together: give both, or neither")
	}
	if c.isSet(PropProxyUser) && c.get(PropProxyAuthScheme) == "NONE" {
		return invalidConfig("ProxyAuthScheme=NONE sends no proxy credentials: remove ProxyUser and ProxyPassword, or use ProxyAuthScheme=BASIC")
	}
	return c.validateFirewall()
}

// validateFirewall checks the Firewall properties together.
func (c *Config) validateFirewall() error {
	typ := c.get(PropFirewallType)
	if typ == "NONE" {
		for _, n := range []string{PropFirewallServer, PropFirewallPort, PropFirewallUser, PropFirewallPassword} {
			if c.isSet(n) {
				return invalidConfig("%s is given but FirewallType is NONE: set FirewallType=TUNNEL, SOCKS4 or SOCKS5 to use the firewall", n)
			}
		}
		return nil
	}
	var missing []string
	for _, n := range []string{PropFirewallServer, PropFirewallPort} {
		if !c.isSet(n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return invalidConfig("FirewallType=%s needs FirewallServer and FirewallPort, the firewall's host and port, such as "+
			"FirewallServer=firewall.example.com;FirewallPort=1080 (missing: %s)", typ, strings.Join(missing, ", "))
	}
	if c.isSet(PropFirewallPassword) && !c.isSet(PropFirewallUser) {
		return invalidConfig("FirewallPassword is given but FirewallUser is not: give the user name as FirewallUser")
	}
	if typ == "SOCKS4" && c.isSet(PropFirewallPassword) {
		return invalidConfig("FirewallType=SOCKS4 has no password (FirewallUser is sent as its user id): remove FirewallPassword, or use FirewallType=SOCKS5")
	}
	return nil
}

// oauthGiven lists the OAuth properties that select OAuth authentication.
func (c *Config) oauthGiven() []string {
	var given []string
	for _, n := range []string{PropOAuthClientID, PropOAuthClientSecret, PropOAuthAccessToken, PropOAuthRefreshToken,
		PropOAuthVerifier, PropCallbackURL, PropScope, PropOAuthSettingsLocation} {
		if c.isSet(n) {
			given = append(given, n)
		}
	}
	if c.isSet(PropInitiateOAuth) && c.get(PropInitiateOAuth) != "OFF" {
		given = append(given, PropInitiateOAuth)
	}
	return given
}

// inferAuth returns the explicit AuthScheme, or the one the credentials imply, or "" when none or
// several are implied.
func (c *Config) inferAuth() (scheme string, implied []string) {
	if c.isSet(PropUser) || c.isSet(PropPassword) {
		implied = append(implied, AuthPassword)
	}
	if c.isSet(PropAPIToken) {
		implied = append(implied, AuthAPIToken)
	}
	if len(c.oauthGiven()) > 0 {
		implied = append(implied, AuthOAuth)
	}
	if s := c.values[PropAuthScheme]; s != "" {
		return s, implied
	}
	if len(implied) == 1 {
		return implied[0], implied
	}
	return "", implied
}

// AuthScheme returns the authentication scheme in effect: the AuthScheme property when given,
// otherwise Password when User or Password is given, APIToken when APIToken is given, OAuth when
// an OAuth property is given. It returns "" when that is undecided (never for a valid Config).
func (c *Config) AuthScheme() string {
	s, _ := c.inferAuth()
	return s
}

func (c *Config) resolveAuth() (string, error) {
	scheme, implied := c.inferAuth()
	explicit := c.isSet(PropAuthScheme)
	if scheme == "" {
		if len(implied) == 0 {
			return "", invalidConfig("no credentials given: add User and Password (AuthScheme=Password), " +
				"APIToken with AppId (AuthScheme=APIToken), or OAuth properties such as OAuthClientId, OAuthClientSecret " +
				"and InitiateOAuth (AuthScheme=OAuth)")
		}
		names := map[string]string{AuthPassword: "User/Password", AuthAPIToken: "APIToken", AuthOAuth: "OAuth properties"}
		var parts, choices []string
		for _, s := range implied {
			parts = append(parts, names[s])
			choices = append(choices, "AuthScheme="+s)
		}
		given := "both " + parts[0] + " and " + parts[1] + " are given"
		if len(parts) > 2 {
			given = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " are all given"
		}
		return "", invalidConfig("%s; set %s to choose", given, strings.Join(choices, " or "))
	}
	how := "AuthScheme=" + scheme
	if !explicit {
		how = map[string]string{
			AuthPassword: "password authentication (chosen because User or Password is given)",
			AuthAPIToken: "API token authentication (chosen because APIToken is given)",
			AuthOAuth:    "OAuth authentication",
		}[scheme]
	}
	switch scheme {
	case AuthPassword:
		if !c.isSet(PropUser) {
			return "", invalidConfig("%s needs User (the kintone login name) as well as Password", how)
		}
		if !c.isSet(PropPassword) {
			return "", invalidConfig("%s needs Password as well as User", how)
		}
	case AuthAPIToken:
		if !c.isSet(PropAPIToken) {
			return "", invalidConfig("%s needs APIToken: one or more app API tokens, comma-separated, paired with AppId", how)
		}
		tokens, apps := c.list(PropAPIToken), c.list(PropAppID)
		if len(apps) == 0 {
			return "", invalidConfig("%s needs AppId: list the apps the tokens belong to, in the same order "+
				"(as in APIToken=tokenOf12,tokenOf13;AppId=12,13); with API tokens, the tables are exactly these apps", how)
		}
		if len(tokens) != len(apps) {
			return "", invalidConfig("APIToken has %d token(s) but AppId has %d app ID(s); they pair by position "+
				"(the first token opens the first app), so give as many of each", len(tokens), len(apps))
		}
	case AuthOAuth:
		if err := c.validateOAuth(how); err != nil {
			return "", err
		}
	}
	if scheme != AuthOAuth {
		for _, n := range []string{PropOAuthAccessToken, PropOAuthRefreshToken, PropOAuthVerifier} {
			if c.isSet(n) {
				return "", invalidConfig("%s is an OAuth property but the connection uses AuthScheme=%s; remove it or use AuthScheme=OAuth", n, scheme)
			}
		}
	}
	return scheme, nil
}

// validateOAuth checks the OAuth properties together (see Validate).
func (c *Config) validateOAuth(how string) error {
	if c.isSet(PropUseCursor) && c.boolean(PropUseCursor) {
		return invalidConfig("UseCursor=true cannot be used with OAuth: kintone's cursor API does not accept OAuth tokens; remove UseCursor or set UseCursor=false")
	}
	if c.isSet(PropBasicAuthUser) || c.isSet(PropBasicAuthPassword) {
		return invalidConfig("BasicAuthUser/BasicAuthPassword cannot be combined with OAuth: both need the HTTP Authorization header " +
			"(Basic for the domain's extra layer, Bearer for the OAuth token) and a request can carry only one, as kintone " +
			"documents; use password or API-token authentication on a domain with Basic authentication, or ask the administrator " +
			"to turn the Basic layer off")
	}
	mode := c.get(PropInitiateOAuth)
	switch mode {
	case "OFF":
		if c.isSet(PropOAuthRefreshToken) {
			return invalidConfig("InitiateOAuth=OFF uses OAuthAccessToken as given and never refreshes it, so OAuthRefreshToken " +
				"would be ignored: set InitiateOAuth=REFRESH to refresh with it")
		}
		if c.isSet(PropOAuthVerifier) {
			return invalidConfig("InitiateOAuth=OFF does not exchange OAuthVerifier: set InitiateOAuth=REFRESH to exchange it for " +
				"tokens (kept in OAuthSettingsLocation), or call the GetOAuthAccessToken stored procedure")
		}
	case "REFRESH", "GETANDREFRESH":
		for _, n := range []string{PropOAuthClientID, PropOAuthClientSecret} {
			if !c.isSet(n) {
				return invalidConfig("%s with InitiateOAuth=%s needs %s: give the client ID and secret of the OAuth client "+
					"registered in cybozu.com administration", how, mode, n)
			}
		}
		if mode == "GETANDREFRESH" {
			if _, err := LoopbackCallback(c.get(PropCallbackURL)); err != nil {
				return err
			}
		}
	}
	return nil
}

// LoopbackCallback checks that a CallbackURL can be served by the driver itself (the desktop
// flow listens on it) and returns it parsed: plain http, a loopback host, an explicit port.
func LoopbackCallback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, invalidConfig("CallbackURL %s is not an absolute URL", shortQuote(raw))
	}
	if u.Scheme != "http" || !isLoopback(strings.ToLower(u.Hostname())) || u.Port() == "" || u.Port() == "0" {
		return nil, invalidConfig("InitiateOAuth=GETANDREFRESH receives the authorization code on CallbackURL itself, so CallbackURL "+
			"must be a plain http URL on localhost, 127.0.0.1 or [::1] with a fixed port (such as %s), registered with the "+
			"OAuth client; not %s. For a web application's callback use InitiateOAuth=REFRESH with OAuthVerifier or the "+
			"GetOAuthAccessToken stored procedure", DefaultCallbackURL, shortQuote(raw))
	}
	return u, nil
}

// checkCallbackURL accepts an absolute http(s) URL without a fragment.
func checkCallbackURL(v string) (string, error) {
	t := strings.TrimSpace(v)
	u, err := url.Parse(t)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" || u.User != nil {
		return "", invalidConfig("CallbackURL must be an absolute http or https URL without a fragment, such as %s, not %s",
			DefaultCallbackURL, shortQuote(t))
	}
	return t, nil
}

// checkScope normalises blanks and refuses characters that RFC 6749 does not allow in scopes.
func checkScope(v string) (string, error) {
	items := strings.Fields(v)
	if len(items) == 0 {
		return "", invalidConfig("Scope lists no scope; separate kintone scopes such as k:app_record:read with blanks")
	}
	for _, it := range items {
		for _, r := range it {
			if r <= ' ' || r == '"' || r == '\\' || r >= 0x7f {
				return "", invalidConfig("Scope item %s contains a character that a scope cannot hold; separate scopes with blanks", shortQuote(it))
			}
		}
	}
	return strings.Join(items, " "), nil
}

// checkLocalFiles accepts ANY, NONE (in any case) or a folder: an absolute path, or one
// starting with ~/ (the home folder).
func checkLocalFiles(v string) (string, error) {
	t := strings.TrimSpace(v)
	if u := strings.ToUpper(t); u == "ANY" || u == "NONE" {
		return u, nil
	}
	if strings.IndexByte(t, 0) >= 0 || !(filepath.IsAbs(t) || t == "~" || strings.HasPrefix(t, "~/")) {
		return "", invalidConfig("LocalFiles must be ANY, NONE or a folder given as an absolute path (or starting with ~/), not %s",
			shortQuote(t))
	}
	return t, nil
}

// logFileSizeUnits are the units MaxLogFileSize accepts, in bytes.
var logFileSizeUnits = map[string]int64{"": 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}

// checkLogFileSize accepts a whole number of bytes with an optional unit (KB, MB, GB), of at
// least 1KB, and writes it as given with the unit upper-cased.
func checkLogFileSize(v string) (string, error) {
	if _, err := parseLogFileSize(v); err != nil {
		return "", err
	}
	return strings.ToUpper(strings.ReplaceAll(v, " ", "")), nil
}

// parseLogFileSize is the number of bytes a MaxLogFileSize value says.
func parseLogFileSize(v string) (int64, error) {
	s := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v), " ", ""))
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	unit, known := logFileSizeUnits[s[i:]]
	if err != nil || !known || n > math.MaxInt64/unit || n*unit < 1<<10 {
		return 0, invalidConfig("MaxLogFileSize must be a size of at least 1KB such as 500KB, 10MB or 1GB, not %s", shortQuote(v))
	}
	return n * unit, nil
}

// logModules are the kinds of log records LogModules selects, by upper-cased name: the child
// of the cdata_kintone logger each stands for.
var logModules = map[string]string{"CONNECTION": "connection", "HTTP": "http", "PUSHDOWN": "pushdown"}

// checkLogModules accepts module names separated by semicolons or commas, in any case, and
// writes them in their documented spelling, in the order given, without repeats.
func checkLogModules(v string) (string, error) {
	var out []string
	seen := map[string]bool{}
	for _, it := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		name := strings.ToUpper(strings.TrimSpace(it))
		if name == "" {
			continue
		}
		if _, ok := logModules[name]; !ok {
			return "", invalidConfig("LogModules: unknown module %s; the modules are Connection, HTTP and Pushdown", shortQuote(strings.TrimSpace(it)))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, canonicalLogModule(name))
		}
	}
	if len(out) == 0 {
		return "", invalidConfig("LogModules names no module; the modules are Connection, HTTP and Pushdown")
	}
	return strings.Join(out, ";"), nil
}

// canonicalLogModule is the documented spelling of an upper-cased module name.
func canonicalLogModule(upper string) string {
	if upper == "HTTP" {
		return upper
	}
	return upper[:1] + strings.ToLower(upper[1:])
}
