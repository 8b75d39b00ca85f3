package connstr

import (
	"math"
	"strconv"
	"strings"
)

// Property describes one connection property. The table returned by Properties is the single
// source of truth for parsing, validation, the README reference and sys_connection_props.
type Property struct {
	Name        string   // canonical spelling; names are matched case-insensitively
	Category    string   // Authentication, Connection, OAuth, SSL, Schema, ...
	Type        string   // "string", "bool", "int", "enum", "list" (comma-separated) or "path"
	Default     string   // value in effect when the property is not given; "" when none
	Description string   // one or two sentences for users
	Enum        []string // valid values of an enum, in canonical case
	Secret      bool     // the value is masked wherever text is shown
	Support     Support  // whether setting it is refused, accepted without effect yet, or supported

	// Integer range, when ranged is set. The range is part of the documented valid values.
	ranged   bool
	min, max int64
	// Human-readable valid values, when the type alone does not say it.
	valid string
	// Enum values that are recognised but not supported yet (a subset of Enum).
	unsupported []string
	// Property-specific normalisation after the type check; returns the canonical value.
	check func(v string) (string, error)
}

// Support says what setting a property does.
type Support int

// The support levels. The zero value refuses: a property must be declared supported.
const (
	NotYet      Support = iota // recognised, and setting it is a NotSupported error
	Supported                  // implemented
	NoEffectYet                // accepted, with no effect yet (kept so that existing connection strings connect)
)

// Accepted reports whether the property may be set.
func (s Support) Accepted() bool { return s != NotYet }

// String is the support level as sys_connection_props and the README say it.
func (s Support) String() string {
	switch s {
	case Supported:
		return "yes"
	case NoEffectYet:
		return "accepted, no effect yet"
	}
	return "not yet"
}

// Property types.
const (
	TypeString = "string"
	TypeBool   = "bool"
	TypeInt    = "int"
	TypeEnum   = "enum"
	TypeList   = "list"
	TypePath   = "path"
)

// Canonical property names that the rest of the driver refers to.
const (
	PropURL                        = "Url"
	PropSchema                     = "Schema"
	PropUserDefinedViews           = "UserDefinedViews"
	PropGuestSpaceID               = "GuestSpaceId"
	PropAuthScheme                 = "AuthScheme"
	PropUser                       = "User"
	PropPassword                   = "Password"
	PropAPIToken                   = "APIToken"
	PropAppID                      = "AppId"
	PropTimeout                    = "Timeout"
	PropPagesize                   = "Pagesize"
	PropMaxRows                    = "MaxRows"
	PropCheckRevision              = "CheckRevision"
	PropScanParallelism            = "ScanParallelism"
	PropInsertParallelism          = "InsertParallelism"
	PropLocalFiles                 = "LocalFiles"
	PropSubtableSeparatorCharacter = "SubtableSeparatorCharacter"
	PropUseCodeForFieldName        = "UseCodeForFieldName"
	PropNumberMapToDouble          = "NumberMapToDouble"
	PropUseCursor                  = "UseCursor"
	PropInitiateOAuth              = "InitiateOAuth"
	PropSSLClientCert              = "SSLClientCert"
	PropSSLClientCertType          = "SSLClientCertType"
	PropBasicAuthUser              = "BasicAuthUser"
	PropBasicAuthPassword          = "BasicAuthPassword"
	PropSSLClientCertSubject       = "SSLClientCertSubject"
	PropSSLClientCertPassword      = "SSLClientCertPassword"
	PropSSLServerCert              = "SSLServerCert"
	PropProxyAutoDetect            = "ProxyAutoDetect"
	PropProxyServer                = "ProxyServer"
	PropProxyPort                  = "ProxyPort"
	PropProxyAuthScheme            = "ProxyAuthScheme"
	PropProxyUser                  = "ProxyUser"
	PropProxyPassword              = "ProxyPassword"
	PropProxySSLType               = "ProxySSLType"
	PropProxyExceptions            = "ProxyExceptions"
	PropFirewallType               = "FirewallType"
	PropFirewallServer             = "FirewallServer"
	PropFirewallPort               = "FirewallPort"
	PropFirewallUser               = "FirewallUser"
	PropFirewallPassword           = "FirewallPassword"
	PropOAuthClientID              = "OAuthClientId"
	PropOAuthClientSecret          = "OAuthClientSecret"
	PropOAuthAccessToken           = "OAuthAccessToken"
	PropOAuthRefreshToken          = "OAuthRefreshToken"
	PropOAuthVerifier              = "OAuthVerifier"
	PropCallbackURL                = "CallbackURL"
	PropScope                      = "Scope"
	PropOAuthSettingsLocation      = "OAuthSettingsLocation"
	PropLogfile                    = "Logfile"
	PropVerbosity                  = "Verbosity"
	PropMaxLogFileSize             = "MaxLogFileSize"
	PropLogModules                 = "LogModules"
	PropCheckForSubtablesIn        = "CheckForSubtablesIn"
	PropUseSimpleNames             = "UseSimpleNames"
	PropTables                     = "Tables"
	PropViews                      = "Views"
)

// OAuth defaults.
const (
	// DefaultCallbackURL is where the desktop flow (InitiateOAuth=GETANDREFRESH) listens for the
	// authorization code unless CallbackURL says otherwise.
	DefaultCallbackURL = "http://localhost:33333"
	// DefaultScope is every kintone scope the driver can use.
	DefaultScope = "k:app_record:read k:app_record:write k:app_settings:read k:app_settings:write k:file:read k:file:write"
)

// Authentication schemes, as AuthScheme returns them.
const (
	AuthPassword = "Password"
	AuthAPIToken = "APIToken"
	AuthOAuth    = "OAuth"
)

// The values of Schema: what the connection's tables are.
const (
	SchemaREST = "REST" // kintone's apps (and the driver's views of their settings)
	SchemaUser = "USER" // the cybozu User API's users, groups and departments
)

// properties is the table, in documentation order. Keep descriptions short and in our own words.
var properties = []Property{
	// Connection
	{Name: PropURL, Category: "Connection", Type: TypeString, Support: Supported, check: checkURL,
		valid: "an http(s) URL or a bare host name, such as https://example.cybozu.com",
		Description: "Address of the kintone domain, such as https://example.cybozu.com (also example.kintone.com, " +
			"example.cybozu.cn, or example.s.cybozu.com for client certificates). Only the scheme, host and port are kept; " +
			"a value without a scheme is taken as https, and plain http is accepted only for loopback hosts."},
	{Name: PropGuestSpaceID, Category: "Connection", Type: TypeInt, Support: Supported,
		ranged: true, min: 1, max: math.MaxInt64,
		Description: "ID of the guest space whose apps are used. Requests then go to /k/guest/{id}/v1/ instead of /k/v1/."},

	// Authentication
	{Name: PropAuthScheme, Category: "Authentication", Type: TypeEnum, Support: Supported,
		Enum: []string{AuthPassword, AuthAPIToken, AuthOAuth},
		Description: "How the driver signs in. When omitted it is inferred: Password when User or Password is given, " +
			"APIToken when APIToken is given, OAuth when an OAuth property is given; giving several is an error."},
	{Name: PropUser, Category: "Authentication", Type: TypeString, Support: Supported,
		Description: "Login name for password authentication."},
	{Name: PropPassword, Category: "Authentication", Type: TypeString, Support: Supported, Secret: true,
		Description: "Password of User, sent in the X-Cybozu-Authorization header."},
	{Name: PropAPIToken, Category: "Authentication", Type: TypeList, Support: Supported, Secret: true, check: checkAPITokens,
		Description: "One or more app API tokens, comma-separated. They pair with AppId by position: " +
			"the first token belongs to the first app, and so on."},
	{Name: PropAppID, Category: "Authentication", Type: TypeList, Support: Supported, check: checkAppIDs,
		valid: "positive app IDs, comma-separated, no repeats",
		Description: "App IDs, comma-separated. Required with API tokens, where these apps are exactly the tables " +
			"the connection shows, each opened by the token in the same position."},
	{Name: PropBasicAuthUser, Category: "Authentication", Type: TypeString, Support: Supported,
		Description: "User name for the extra HTTP Basic authentication layer that some kintone domains require " +
			"(sent as Authorization: Basic, in addition to the password or API tokens). Give it with BasicAuthPassword."},
	{Name: PropBasicAuthPassword, Category: "Authentication", Type: TypeString, Secret: true, Support: Supported,
		Description: "Password for the extra HTTP Basic authentication layer. Give it with BasicAuthUser."},

	// SSL
	{Name: PropSSLClientCert, Category: "SSL", Type: TypeString, Support: Supported,
		Description: "Client certificate with its private key, for Secure Access domains (example.s.cybozu.com): a file path " +
			"(PEMKEY_FILE, PFXFILE; a leading ~/ is the home directory) or the content itself (PEMKEY_BLOB: PEM text; " +
			"PFXBLOB: the .pfx/.p12 file in base64). Masked when given inline."},
	{Name: PropSSLClientCertType, Category: "SSL", Type: TypeEnum, Default: "PEMKEY_FILE", Support: Supported,
		Enum: []string{"USER", "MACHINE", "PFXFILE", "PFXBLOB", "JKSFILE", "JKSBLOB", "PEMKEY_FILE", "PEMKEY_BLOB",
			"PUBLIC_KEY_FILE", "PUBLIC_KEY_BLOB", "SSHPUBLIC_KEY_FILE", "SSHPUBLIC_KEY_BLOB", "P7BFILE", "PPKFILE",
			"XMLFILE", "XMLBLOB"},
		unsupported: []string{"USER", "MACHINE", "JKSFILE", "JKSBLOB", "PUBLIC_KEY_FILE", "PUBLIC_KEY_BLOB",
			"SSHPUBLIC_KEY_FILE", "SSHPUBLIC_KEY_BLOB", "P7BFILE", "PPKFILE", "XMLFILE", "XMLBLOB"},
		Description: "What SSLClientCert holds. PEMKEY_FILE and PEMKEY_BLOB: PEM with the certificate(s) and the private key " +
			"(PKCS#8, PKCS#1 or SEC 1; encrypted as OpenSSL writes it, PBES2 with AES, or legacy Proc-Type PEM encryption). " +
			"PFXFILE and PFXBLOB: PKCS#12 with one private key, legacy (3DES, RC2) or current (AES) encryption. " +
			"Certificate stores and the other formats are not supported: convert them to PKCS#12 " +
			"(keytool -importkeystore -deststoretype PKCS12 for JKS)."},
	{Name: PropSSLClientCertSubject, Category: "SSL", Type: TypeString, Default: "*", Support: Supported,
		Description: "Selects the client certificate inside SSLClientCert by subject: comma-separated Name=Value parts such as " +
			"CN=alice,O=Example (CN, O, OU, L, S, C, E, STREET, SERIALNUMBER, POSTALCODE, DC, UID or a dotted OID), each of " +
			"which must be in the certificate's subject; values are compared ignoring case and may contain * as a wildcard; " +
			"quote a value containing a comma with double quotes. * takes the first certificate that has its private key."},
	{Name: PropSSLClientCertPassword, Category: "SSL", Type: TypeString, Secret: true, Support: Supported,
		Description: "Password of the PKCS#12 file or of the encrypted private key in SSLClientCert."},
	{Name: PropSSLServerCert, Category: "SSL", Type: TypeString, Support: Supported,
		Description: "Server certificate to trust instead of the system's trusted roots: PEM text (certificates or a public " +
			"key), the path of a PEM or DER file, or a SHA-256 or SHA-1 fingerprint in hex. Only what is given is trusted: " +
			"the server's certificate must be a given one (or have a given key or fingerprint), or chain to a given " +
			"certificate with the host name checked. * accepts ANY certificate: the connection stays encrypted but the " +
			"server is not verified, so anyone on the network path can read and change the traffic; use it only for tests."},

	// OAuth
	{Name: PropOAuthClientID, Category: "OAuth", Type: TypeString, Support: Supported,
		Description: "Client ID of the OAuth client registered in cybozu.com administration (Users & System Administration, " +
			"OAuth). Needed to obtain or refresh tokens (InitiateOAuth=GETANDREFRESH or REFRESH, and the OAuth stored procedures)."},
	{Name: PropOAuthClientSecret, Category: "OAuth", Type: TypeString, Secret: true, Support: Supported,
		Description: "Client secret of that OAuth client. It is sent to the token endpoint in an HTTP Basic " +
			"Authorization header, never in a URL."},
	{Name: PropCallbackURL, Category: "OAuth", Type: TypeString, Default: DefaultCallbackURL, Support: Supported, check: checkCallbackURL,
		valid: "an absolute http(s) URL",
		Description: "Redirect URI registered with the OAuth client; kintone sends the authorization code there, and it " +
			"must match the registered one exactly. With InitiateOAuth=GETANDREFRESH the driver listens on it to receive " +
			"the code, so it must then be a plain http URL on localhost, 127.0.0.1 or [::1] with an explicit port."},
	{Name: PropScope, Category: "OAuth", Type: TypeString, Default: DefaultScope, Support: Supported, check: checkScope,
		valid: "kintone OAuth scopes separated by blanks",
		Description: "OAuth scopes requested when authorizing, separated by blanks. The default asks for everything the driver " +
			"can use; reading tables needs at least k:app_record:read and k:app_settings:read."},
	{Name: PropInitiateOAuth, Category: "OAuth", Type: TypeEnum, Default: "OFF", Support: Supported,
		Enum: []string{"OFF", "GETANDREFRESH", "REFRESH"},
		Description: "OFF uses OAuthAccessToken as given and never refreshes it (without a token the connection opens but only " +
			"the OAuth stored procedures work). GETANDREFRESH uses the tokens in OAuthSettingsLocation, refreshing them when " +
			"they expire, and otherwise opens the browser to authorize (the desktop flow). REFRESH never opens a browser: " +
			"it starts from OAuthAccessToken/OAuthRefreshToken, from OAuthVerifier (exchanged once), or from the settings " +
			"file, and refreshes as needed."},
	{Name: PropOAuthSettingsLocation, Category: "OAuth", Type: TypePath, Default: "~/.config/cdata_kintone/OAuthSettings.txt", Support: Supported,
		Description: "File in which InitiateOAuth=GETANDREFRESH and REFRESH keep the tokens between connections (a leading ~/ is " +
			"the home directory). It is rewritten at every refresh, created with owner-only permissions (0600), and its " +
			"content is encrypted with a key built into the driver, which only hides the tokens from casual reading: " +
			"the file permissions are the real protection. One file can hold the tokens of several domains and clients."},
	{Name: PropOAuthAccessToken, Category: "OAuth", Type: TypeString, Secret: true, Support: Supported,
		Description: "OAuth access token, sent as Authorization: Bearer. Required with InitiateOAuth=OFF (except to call the " +
			"OAuth stored procedures); with REFRESH it is the starting point, refreshed when it expires."},
	{Name: PropOAuthRefreshToken, Category: "OAuth", Type: TypeString, Secret: true, Support: Supported,
		Description: "OAuth refresh token, used with InitiateOAuth=REFRESH or GETANDREFRESH to obtain a new access token when " +
			"the current one expires. kintone may rotate it: the driver keeps the newest in OAuthSettingsLocation."},
	{Name: PropOAuthVerifier, Category: "OAuth", Type: TypeString, Secret: true, Support: Supported,
		Description: "Authorization code (the code parameter of the redirect to CallbackURL) obtained in a browser elsewhere, " +
			"for example through GetOAuthAuthorizationURL. With InitiateOAuth=REFRESH it is exchanged for tokens once, and " +
			"the tokens are stored in OAuthSettingsLocation; later connections with the same string use the stored tokens."},

	// Schema
	{Name: PropSchema, Category: "Schema", Type: TypeEnum, Default: SchemaREST, Enum: []string{SchemaREST, SchemaUser}, Support: Supported,
		Description: "REST shows kintone's apps as tables. USER shows the cybozu.com User API instead, as the views Users, " +
			"UserGroups and UserDepartments (password authentication only); the apps are not tables then."},
	{Name: PropSubtableSeparatorCharacter, Category: "Schema", Type: TypeString, Default: "_", Support: Supported,
		check: checkSeparator, valid: "any text without control characters",
		Description: "Text between the app name and the subtable name in the names of child tables, as in Deals_Items."},
	{Name: PropUseCodeForFieldName, Category: "Schema", Type: TypeBool, Default: "false", Support: Supported,
		Description: "Name columns after field codes instead of field labels."},
	{Name: PropNumberMapToDouble, Category: "Schema", Type: TypeBool, Default: "false", Support: Supported,
		Description: "Return NUMBER fields to Python as float instead of Decimal."},
	{Name: PropCheckForSubtablesIn, Category: "Schema", Type: TypeList, Default: "*", Support: Supported,
		Description: "Apps, comma-separated, whose SUBTABLE fields are shown as child tables, each by its table name or " +
			"app id; * means every app. The other apps have no child tables (their SUBTABLE fields are not columns either)."},
	{Name: "AllowSpecialCharacters", Category: "Schema", Type: TypeBool, Default: "false", Support: NoEffectYet,
		Description: "Whether names may keep special characters. In this driver names always keep them (quote such names " +
			"with [...] or \"...\"), whatever the value; UseSimpleNames gives names without them."},
	{Name: "UseUnitForNumericField", Category: "Schema", Type: TypeBool, Default: "false", Support: NoEffectYet,
		Description: "In the reference product, NUMBER fields with a unit (such as a currency sign) are presented as text " +
			"with the unit. Here numbers always stay numbers, whatever the value."},
	{Name: PropUseSimpleNames, Category: "Schema", Type: TypeBool, Default: "false", Support: Supported,
		Description: "Reduce the names of apps, fields and subtables to ASCII letters, digits and underscores (any other " +
			"character becomes _, and a leading digit gets a _ in front), so that SQL and pandas take them without quoting. " +
			"Names that then clash are told apart as usual (the app id, the field code)."},
	{Name: PropTables, Category: "Schema", Type: TypeList, Support: Supported,
		Description: "Table names, comma-separated: only these tables are listed (sys_tables, sys_tablecolumns, the key " +
			"tables, SQLAlchemy's reflection), and only their apps' fields are read to list them; an app brings its child " +
			"tables. Other tables can still be queried by name. Views are listed by Views."},
	{Name: PropViews, Category: "Schema", Type: TypeList, Support: Supported,
		Description: "View names, comma-separated (such as Apps): only these views are listed, as Tables does for tables. " +
			"Other views can still be queried by name."},
	{Name: "BrowsableSchemas", Category: "Schema", Type: TypeList, Support: NoEffectYet,
		Description: "Schemas, comma-separated, to list. This driver has the one schema Kintone (sys_schemas), so the value " +
			"changes nothing."},
	{Name: "Location", Category: "Schema", Type: TypePath, Support: NoEffectYet,
		Description: "In the reference product, a folder of schema files. Here every schema is read from kintone when it " +
			"is first used, so no folder is read and the value changes nothing."},
	{Name: PropUserDefinedViews, Category: "Schema", Type: TypePath, Support: Supported,
		Description: "A JSON file of views of your own, each a named SQL query over the connection's tables: " +
			`{"ViewName": {"query": "SELECT …"}, …}. Each is a view by that name (listed in sys_tables and ` +
			"sys_tablecolumns); the file is read when the connection opens, and a missing file, invalid JSON or a query that " +
			"fails is an error naming the file and the view."},

	// Miscellaneous (reading)
	{Name: PropUseCursor, Category: "Miscellaneous", Type: TypeBool, Default: "false", Support: Supported,
		Description: "When true, scans read through kintone's records cursor API: a cursor is created for the scan's " +
			"query, read page by page, and deleted when the scan stops early, fails or is closed. The default here is " +
			"false, unlike the reference product's true: paging by record id is faster (id ranges are read side by " +
			"side), costs no more requests and is not limited to the ten cursors a kintone domain may have open at " +
			"once. Either way a scan reads every record that stays unchanged during it exactly once and no record " +
			"twice; a cursor fixes the set of records when the scan starts, while id paging may also read records " +
			"added meanwhile. A scan that one request answers (a LIMIT within one page, an Id lookup) is one request " +
			"either way; when the domain's ten cursors are all in use, a scan reads by record id and a warning says so. " +
			"kintone's cursor API does not accept OAuth tokens: UseCursor=true with OAuth is an error."},
	{Name: PropPagesize, Category: "Miscellaneous", Type: TypeInt, Default: "500", Support: Supported,
		ranged: true, min: 1, max: 500,
		Description: "Records fetched per request."},
	{Name: PropMaxRows, Category: "Miscellaneous", Type: TypeInt, Default: "-1", Support: Supported,
		ranged: true, min: -1, max: math.MaxInt64, check: checkMaxRows, valid: "-1 (no limit) or a positive number",
		Description: "Largest number of rows a query returns; -1 means no limit."},
	{Name: PropScanParallelism, Category: "Miscellaneous", Type: TypeInt, Default: "8", Support: Supported,
		ranged: true, min: 1, max: 32,
		Description: "A property of this driver (not of the reference product). How many page requests one full-table scan " +
			"may have under way at once (id ranges read side by side; kintone allows 100 concurrent requests per domain, " +
			"shared by every client of it). 1 reads page after page."},
	{Name: PropInsertParallelism, Category: "Miscellaneous", Type: TypeInt, Default: "1", Support: Supported,
		ranged: true, min: 1, max: 16,
		Description: "A property of this driver (not of the reference product). How many bulkRequests (2,000 records each) " +
			"of inserted records one statement or executemany may have under way at once. 1 sends them one after the " +
			"other, so that kintone numbers the new records in row order. Above 1, the records of one bulkRequest are " +
			"still numbered in row order, but bulkRequests may be numbered out of order; when one fails, the records that " +
			"bulkRequests sent beside it added are deleted again, so the rows written are still exactly those before the " +
			"failed request (if they cannot be deleted, the error lists them in later_committed_ids)."},
	{Name: PropCheckRevision, Category: "Miscellaneous", Type: TypeBool, Default: "true", Support: Supported,
		Description: "A property of this driver (not of the reference product). When true, UPDATE and DELETE send the revision " +
			"of each record as their scan read it, so that a record someone else changed in between is refused " +
			"(kintone's error GAIA_CO02) instead of overwritten; false writes whatever the revision."},
	{Name: PropTimeout, Category: "Miscellaneous", Type: TypeInt, Default: "60", Support: Supported,
		ranged: true, min: 0, max: math.MaxInt32,
		Description: "Seconds to wait for each HTTP request to kintone; 0 waits without limit."},
	{Name: PropLocalFiles, Category: "Miscellaneous", Type: TypeString, Default: "ANY", Support: Supported, check: checkLocalFiles,
		valid: "ANY, NONE, or a folder as an absolute path (or one starting with ~/)",
		Description: "A property of this driver (not of the reference product). Which local files SQL may reach through the " +
			"UploadFile (FullPath) and DownloadFile (DownloadLocation) procedures, which matters where users type SQL into a " +
			"tool that runs it with this process's rights: ANY, any file the process may read or write; NONE, no local file " +
			"(FileData still uploads and returns content); or a folder, to which the paths are confined (symbolic links " +
			"resolved, so none leads out of it)."},
	{Name: "Other", Category: "Miscellaneous", Type: TypeString, Support: NoEffectYet,
		Description: "Hidden or experimental options written as Name=Value pairs separated by semicolons (quote the whole " +
			"value). This driver has none, so the value changes nothing."},

	// Proxy
	{Name: PropProxyAutoDetect, Category: "Proxy", Type: TypeBool, Default: "false", Support: Supported,
		Description: "Take the proxy from the environment, as curl and Go programs do: HTTPS_PROXY (or https_proxy) for " +
			"https, HTTP_PROXY for http, NO_PROXY for hosts reached directly; loopback hosts are never proxied. When false " +
			"(the default) the environment is ignored and only ProxyServer is used. Cannot be combined with ProxyServer."},
	{Name: PropProxyServer, Category: "Proxy", Type: TypeString, Support: Supported, check: checkProxyServer,
		valid: "a host name or IP address, without scheme or port",
		Description: "Host name or IP address of an HTTP proxy to go through (https requests go through a CONNECT tunnel, " +
			"so the proxy never sees them unencrypted)."},
	{Name: PropProxyPort, Category: "Proxy", Type: TypeInt, Default: "80", ranged: true, min: 1, max: 65535, Support: Supported,
		Description: "TCP port of ProxyServer."},
	{Name: PropProxyAuthScheme, Category: "Proxy", Type: TypeEnum, Default: "BASIC", Support: Supported,
		Enum:        []string{"BASIC", "DIGEST", "NONE", "NEGOTIATE", "NTLM", "PROPRIETARY"},
		unsupported: []string{"DIGEST", "NEGOTIATE", "NTLM", "PROPRIETARY"},
		Description: "How to authenticate to the proxy: BASIC sends ProxyUser and ProxyPassword in a Proxy-Authorization " +
			"header (when ProxyUser is given); NONE sends no credentials."},
	{Name: PropProxyUser, Category: "Proxy", Type: TypeString, Support: Supported,
		Description: "User name for the proxy. Give it with ProxyPassword."},
	{Name: PropProxyPassword, Category: "Proxy", Type: TypeString, Secret: true, Support: Supported,
		Description: "Password for the proxy."},
	{Name: PropProxySSLType, Category: "Proxy", Type: TypeEnum, Default: "AUTO", Support: Supported,
		Enum:        []string{"AUTO", "ALWAYS", "NEVER", "TUNNEL"},
		unsupported: []string{"ALWAYS", "NEVER"},
		Description: "How requests use the proxy: AUTO tunnels https requests with CONNECT and forwards plain http ones " +
			"(only the local simulator is plain http); TUNNEL only tunnels, and refuses a plain http Url."},
	{Name: PropProxyExceptions, Category: "Proxy", Type: TypeString, Support: Supported, check: checkProxyExceptions,
		valid: "host patterns separated by semicolons (quote the whole value) or commas",
		Description: "Hosts reached directly instead of through the proxy, separated by semicolons as in " +
			"ProxyExceptions='intra.example.com;*.corp.example;10.0.0.0/8' (quote the value, since ; also separates " +
			"properties) or by commas. Each is a host name (exact), *.domain or .domain (any subdomain), * (every host), " +
			"an IP address or a CIDR range, optionally with :port."},

	// Firewall
	{Name: PropFirewallType, Category: "Firewall", Type: TypeEnum, Default: "NONE", Support: Supported,
		Enum: []string{"NONE", "TUNNEL", "SOCKS4", "SOCKS5"},
		Description: "A firewall proxy through which every connection is made: TUNNEL, an HTTP proxy's CONNECT method " +
			"(FirewallUser and FirewallPassword sent as Basic Proxy-Authorization); SOCKS4 (SOCKS4a for host names, which " +
			"the firewall resolves; FirewallUser is the user id, there is no password); SOCKS5 (host names resolved by " +
			"the firewall; user name and password authentication when FirewallUser is given). NONE, the default, uses " +
			"none. TLS still runs end to end, so the firewall never sees requests unencrypted. With an HTTP proxy " +
			"(ProxyServer or ProxyAutoDetect) too, the connection to the proxy goes through the firewall, and hosts in " +
			"ProxyExceptions skip the proxy but not the firewall, which carries every connection, loopback ones included."},
	{Name: PropFirewallServer, Category: "Firewall", Type: TypeString, Support: Supported, check: checkFirewallServer,
		valid:       "a host name or IP address, without scheme or port",
		Description: "Host name or IP address of the firewall proxy; required with FirewallType."},
	{Name: PropFirewallPort, Category: "Firewall", Type: TypeInt, ranged: true, min: 1, max: 65535, Support: Supported,
		Description: "TCP port of FirewallServer; required with FirewallType (there is no default: SOCKS commonly " +
			"listens on 1080, HTTP proxies on 3128 or 8080)."},
	{Name: PropFirewallUser, Category: "Firewall", Type: TypeString, Support: Supported,
		Description: "User name for the firewall proxy (the user id with SOCKS4)."},
	{Name: PropFirewallPassword, Category: "Firewall", Type: TypeString, Secret: true, Support: Supported,
		Description: "Password for the firewall proxy, with FirewallUser (TUNNEL and SOCKS5; SOCKS4 has none)."},

	// Logging
	{Name: PropLogfile, Category: "Logging", Type: TypePath, Support: Supported,
		Description: "File to which the connection appends its log records (those of the cdata_kintone loggers, at the " +
			"level Verbosity sets), created readable by its owner only; ~ is expanded. The records also go to Python's " +
			"logging module as usual."},
	{Name: PropVerbosity, Category: "Logging", Type: TypeInt, Default: "1", ranged: true, min: 1, max: 5, Support: Supported,
		Description: "How much is logged. 1: the Logfile gets the connections opened and closed and the records of " +
			"level WARNING and above; no record holds record data. 2: the Logfile also gets every HTTP request (method, path, app, status, time, records) and every " +
			"pushdown decision (columns and operators). 3: those records also hold the kintone query and the values of " +
			"the conditions, which are record data. 4 and 5 log what 3 does: headers and bodies are never logged, since " +
			"they carry credentials. For Python's logging the level of each logger decides which records are made; " +
			"Verbosity decides what they may hold."},
	{Name: PropMaxLogFileSize, Category: "Logging", Type: TypeString, Default: "100MB", Support: Supported, check: checkLogFileSize,
		valid: "a size such as 500KB, 10MB or 1GB (KB = 1,024 bytes; at least 1KB)",
		Description: "Size at which the Logfile is rotated: it is renamed to Logfile.1 (older ones to .2 up to .4, the " +
			"oldest dropped) and a new file is started."},
	{Name: PropLogModules, Category: "Logging", Type: TypeString, Support: Supported, check: checkLogModules,
		valid: "Connection, HTTP, Pushdown, separated by semicolons (quote the whole value) or commas",
		Description: "The kinds of records written to the Logfile (all when not given): Connection (connections " +
			"opened and closed), HTTP (requests to kintone), Pushdown (which conditions, orders and limits each scan " +
			"sends to kintone); records of level WARNING and above are written whatever their kind. Python's logging is not filtered: its loggers " +
			"are cdata_kintone.connection, cdata_kintone.http and cdata_kintone.pushdown."},

	// Caching
	{Name: "AutoCache", Category: "Caching", Type: TypeBool, Default: "false",
		Description: "Keep a local copy of the tables that queries read."},
	{Name: "CacheLocation", Category: "Caching", Type: TypePath, Default: "~/.cache/cdata_kintone",
		Description: "Directory of the local cache database."},
	{Name: "CacheConnection", Category: "Caching", Type: TypeString,
		Description: "Connection string of an external cache database."},
	{Name: "CacheProvider", Category: "Caching", Type: TypeString,
		Description: "Name of the database driver used for an external cache."},
	{Name: "CacheTolerance", Category: "Caching", Type: TypeInt, Default: "600", ranged: true, min: 0, max: math.MaxInt32,
		Description: "Seconds for which cached data is used before it is refreshed."},
	{Name: "CacheMetadata", Category: "Caching", Type: TypeBool, Default: "false",
		Description: "Keep table and column definitions in the cache so that they are not read from kintone each time."},
	{Name: "Offline", Category: "Caching", Type: TypeBool, Default: "false",
		Description: "Answer queries from the cache only, without contacting kintone."},
}

// byName maps lower-cased names to indices into properties.
var byName = func() map[string]int {
	m := make(map[string]int, len(properties))
	for i, p := range properties {
		m[strings.ToLower(p.Name)] = i
	}
	return m
}()

// Properties returns every connection property, in documentation order. The result is a copy.
func Properties() []Property {
	out := make([]Property, len(properties))
	for i, p := range properties {
		out[i] = p.clone()
	}
	return out
}

// Lookup finds a property by name, case-insensitively.
func Lookup(name string) (Property, bool) {
	p := lookup(name)
	if p == nil {
		return Property{}, false
	}
	return p.clone(), true
}

func lookup(name string) *Property {
	if i, ok := byName[strings.ToLower(strings.TrimSpace(name))]; ok {
		return &properties[i]
	}
	return nil
}

func (p Property) clone() Property {
	p.Enum = append([]string(nil), p.Enum...)
	p.unsupported = append([]string(nil), p.unsupported...)
	return p
}

// ValidValues describes the values the property accepts, for documentation.
func (p Property) ValidValues() string {
	switch {
	case p.valid != "":
		return p.valid
	case p.Type == TypeBool:
		return "true, false"
	case p.Type == TypeEnum:
		parts := make([]string, len(p.Enum))
		for i, e := range p.Enum {
			parts[i] = e
			if p.valueUnsupported(e) {
				parts[i] += " (not supported yet)"
			}
		}
		return strings.Join(parts, ", ")
	case p.Type == TypeInt && p.ranged:
		return describeRange(p.min, p.max)
	case p.Type == TypeInt:
		return "a whole number"
	case p.Type == TypeList:
		return "values separated by commas"
	case p.Type == TypePath:
		return "a file path"
	}
	return "any text"
}

func describeRange(min, max int64) string {
	switch {
	case max == math.MaxInt64 && min == 1:
		return "a positive whole number"
	case max == math.MaxInt64 || max == math.MaxInt32:
		return "a whole number, " + strconv.FormatInt(min, 10) + " or more"
	}
	return "a whole number from " + strconv.FormatInt(min, 10) + " to " + strconv.FormatInt(max, 10)
}

func (p *Property) valueUnsupported(v string) bool {
	for _, u := range p.unsupported {
		if strings.EqualFold(u, v) {
			return true
		}
	}
	return false
}

// IsSecretValue reports whether value, given for the named property, must be masked. It is true
// for the secret properties, and for SSLClientCert when the value is the certificate itself
// (PEM or base64 content) rather than a file path or store name. Unknown names are not secret.
func IsSecretValue(name, value string) bool {
	p := lookup(name)
	if p == nil {
		return false
	}
	if p.Secret {
		return true
	}
	return p.Name == PropSSLClientCert && looksInline(value)
}

// looksInline guesses whether a certificate value is content rather than a path or store name.
func looksInline(v string) bool {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "-----BEGIN") || strings.ContainsAny(v, "\r\n") {
		return true
	}
	if len(v) < 64 {
		return false
	}
	// Long runs of base64 with no file-name punctuation: content, not a path.
	for _, r := range v {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/', r == '=':
		default:
			return false
		}
	}
	return true
}
