package connstr

import (
	"net/url"
	"strings"
	"time"
)

// Settings is what a valid connection string says, typed. The rest of the core reads these
// fields; no code outside this package reads a property by its name, so a misspelt name is a
// compile error rather than a silent "".
type Settings struct {
	URL          *url.URL      // scheme, host and port
	GuestSpaceID int64         // 0: not a guest space
	Timeout      time.Duration // per HTTP request; 0: none

	AuthScheme string      // the scheme in effect: AuthPassword, AuthAPIToken or AuthOAuth
	User       string      // password authentication
	Password   string      // password authentication
	Tokens     []TokenPair // API-token authentication, each token with its app
	BasicAuth  BasicAuth   // kintone's extra Basic layer; zero when not used
	OAuth      OAuthSettings
	SSL        SSLSettings
	Proxy      ProxySettings
	Firewall   FirewallSettings
	Schema     SchemaSettings

	Pagesize      int   // records per request
	MaxRows       int64 // rows a query returns at most; -1: no limit
	CheckRevision bool  // UPDATE and DELETE send the revision their scan read
	// ScanParallelism is how many page requests one full-table scan may have under way.
	ScanParallelism int
	// InsertParallelism is how many bulkRequests of inserts one statement may have under way.
	InsertParallelism int
	UseCursor         bool // scans read through kintone's records cursor API
	LocalFiles        LocalFiles
	Logging           LogSettings
}

// LocalFiles says which local files the UploadFile and DownloadFile procedures may read and
// write (the LocalFiles property).
type LocalFiles struct {
	None   bool   // no local file at all
	Folder string // only files inside this folder (as given: ~ is not expanded); "" = any
}

// LogSettings are the logging properties. The core makes the log records; the Python side
// writes them to the file.
type LogSettings struct {
	File        string   // Logfile as given ("" = none); ~ not expanded
	Verbosity   int      // 1 to 5
	MaxFileSize int64    // bytes at which the file is rotated
	Modules     []string // the loggers (children of cdata_kintone) written to the file; nil = all
}

// BasicAuth is the optional Basic authentication layer.
type BasicAuth struct{ User, Password string }

// OAuthSettings are the OAuth properties (meaningful when AuthScheme is AuthOAuth).
type OAuthSettings struct {
	ClientID, ClientSecret, CallbackURL, Scope string
	InitiateOAuth                              string // OFF, GETANDREFRESH or REFRESH
	SettingsLocation                           string // as given; ~ not expanded
	AccessToken, RefreshToken, Verifier        string
}

// SSLSettings are the TLS properties. The client certificate fields are set only when
// SSLClientCert is.
type SSLSettings struct {
	ServerCert                                                        string
	ClientCert, ClientCertType, ClientCertPassword, ClientCertSubject string
}

// ProxySettings are the proxy properties; Enabled is false when neither ProxyServer nor
// ProxyAutoDetect=true is given (the environment is then not read).
type ProxySettings struct {
	Enabled    bool
	AutoDetect bool
	Server     string
	Port       int // meaningful with Server
	AuthScheme string
	User       string
	Password   string
	SSLType    string
	Exceptions []string // hosts reached directly
}

// FirewallSettings are the firewall properties; Type is "" when FirewallType is NONE.
type FirewallSettings struct {
	Type           string // TUNNEL, SOCKS4 or SOCKS5
	Server         string
	Port           int
	User, Password string
}

// SchemaSettings shape how apps become tables.
type SchemaSettings struct {
	// UserAPI is Schema=USER: the tables are the User API's Users, UserGroups and
	// UserDepartments instead of the apps.
	UserAPI             bool
	UseCodeForFieldName bool
	NumberMapToDouble   bool
	SubtableSeparator   string
	UseSimpleNames      bool
	SubtablesIn         []string // apps with child tables, by name or id; "*": all
	Tables              []string // the only tables listed; nil: all
	Views               []string // the only views listed; nil: all
	// UserDefinedViews is the JSON file of the user's own views, as given (~ not expanded);
	// "" when none.
	UserDefinedViews string
}

// Settings returns the typed settings of a valid Config (one from Parse, or Validate after Set).
func (c *Config) Settings() Settings {
	s := Settings{
		URL:               c.BaseURL(),
		GuestSpaceID:      c.integer(PropGuestSpaceID),
		Timeout:           c.Timeout(),
		AuthScheme:        c.AuthScheme(),
		BasicAuth:         BasicAuth{User: c.get(PropBasicAuthUser), Password: c.get(PropBasicAuthPassword)},
		Pagesize:          int(c.integer(PropPagesize)),
		MaxRows:           c.integer(PropMaxRows),
		CheckRevision:     c.boolean(PropCheckRevision),
		ScanParallelism:   int(c.integer(PropScanParallelism)),
		InsertParallelism: int(c.integer(PropInsertParallelism)),
		UseCursor:         c.boolean(PropUseCursor),
		Schema: SchemaSettings{
			UserAPI:             c.get(PropSchema) == SchemaUser,
			UseCodeForFieldName: c.boolean(PropUseCodeForFieldName),
			NumberMapToDouble:   c.boolean(PropNumberMapToDouble),
			SubtableSeparator:   c.get(PropSubtableSeparatorCharacter),
			UseSimpleNames:      c.boolean(PropUseSimpleNames),
			SubtablesIn:         c.list(PropCheckForSubtablesIn),
			Tables:              c.list(PropTables),
			Views:               c.list(PropViews),
			UserDefinedViews:    c.get(PropUserDefinedViews),
		},
		SSL: SSLSettings{ServerCert: c.get(PropSSLServerCert)},
		Logging: LogSettings{
			File:      c.get(PropLogfile),
			Verbosity: int(c.integer(PropVerbosity)),
		},
	}
	s.Logging.MaxFileSize, _ = parseLogFileSize(c.get(PropMaxLogFileSize)) // validated by Parse
	if v := c.get(PropLogModules); v != "" {                               // canonical: names separated by ";"
		for _, m := range strings.Split(v, ";") {
			s.Logging.Modules = append(s.Logging.Modules, logModules[strings.ToUpper(m)])
		}
	}
	switch v := c.get(PropLocalFiles); v {
	case "ANY":
	case "NONE":
		s.LocalFiles.None = true
	default:
		s.LocalFiles.Folder = v
	}
	if s.MaxRows <= 0 && !c.isSet(PropMaxRows) {
		s.MaxRows = -1
	}
	switch s.AuthScheme {
	case AuthPassword:
		s.User, s.Password = c.get(PropUser), c.get(PropPassword)
	case AuthAPIToken:
		s.Tokens = c.TokenPairs()
	case AuthOAuth:
		s.OAuth = OAuthSettings{
			ClientID:         c.get(PropOAuthClientID),
			ClientSecret:     c.get(PropOAuthClientSecret),
			CallbackURL:      c.get(PropCallbackURL),
			Scope:            c.get(PropScope),
			InitiateOAuth:    c.get(PropInitiateOAuth),
			SettingsLocation: c.get(PropOAuthSettingsLocation),
			AccessToken:      c.get(PropOAuthAccessToken),
			RefreshToken:     c.get(PropOAuthRefreshToken),
			Verifier:         c.get(PropOAuthVerifier),
		}
	}
	if c.isSet(PropSSLClientCert) {
		s.SSL.ClientCert = c.get(PropSSLClientCert)
		s.SSL.ClientCertType = c.get(PropSSLClientCertType)
		s.SSL.ClientCertPassword = c.get(PropSSLClientCertPassword)
		s.SSL.ClientCertSubject = c.get(PropSSLClientCertSubject)
	}
	if c.isSet(PropProxyServer) || c.boolean(PropProxyAutoDetect) {
		s.Proxy = ProxySettings{
			Enabled:    true,
			AutoDetect: c.boolean(PropProxyAutoDetect),
			Server:     c.get(PropProxyServer),
			AuthScheme: c.get(PropProxyAuthScheme),
			User:       c.get(PropProxyUser),
			Password:   c.get(PropProxyPassword),
			SSLType:    c.get(PropProxySSLType),
		}
		if v := c.get(PropProxyExceptions); v != "" {
			s.Proxy.Exceptions = strings.Split(v, ";")
		}
		if s.Proxy.Server != "" {
			s.Proxy.Port = int(c.integer(PropProxyPort))
		}
	}
	if t := c.get(PropFirewallType); t != "NONE" {
		s.Firewall = FirewallSettings{Type: t, Server: c.get(PropFirewallServer), Port: int(c.integer(PropFirewallPort)),
			User: c.get(PropFirewallUser), Password: c.get(PropFirewallPassword)}
	}
	return s
}
