package connstr

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

const base = "Url=https://example.cybozu.com;"
const pw = base + "User=alice;Password=hunter2;"

type parseCase struct {
	name string
	in   string
	kind kerr.Kind         // "" when Parse must succeed
	msg  []string          // substrings the error message must contain
	hide []string          // substrings neither the error nor String() may contain
	get  map[string]string // expected Get values on success
	str  string            // expected String() on success, when not ""
}

var parseCases = []parseCase{
	// Lexing.
	{name: "minimal password", in: "Url=https://example.cybozu.com;User=alice;Password=hunter2",
		get: map[string]string{"Url": "https://example.cybozu.com", "User": "alice", "Password": "hunter2", "Timeout": "60", "Pagesize": "500"},
		str: "Url=https://example.cybozu.com;User=alice;Password=********", hide: []string{"hunter2"}},
	{name: "names case-insensitive", in: "url=https://example.cybozu.com;USER=alice;pAsSwOrD=hunter2",
		get: map[string]string{"User": "alice", "Password": "hunter2"}},
	{name: "blanks trimmed", in: "  Url = https://example.cybozu.com ;  User =  alice  ; Password = hunter2 ",
		get: map[string]string{"User": "alice", "Password": "hunter2"}},
	{name: "empty segments ignored", in: ";;Url=https://example.cybozu.com;;User=alice;Password=hunter2;;",
		get: map[string]string{"User": "alice"}},
	{name: "single quotes keep semicolon", in: base + "User=alice;Password='p;ss'",
		get: map[string]string{"Password": "p;ss"}, hide: []string{"p;ss"}},
	{name: "double quotes keep semicolon", in: base + `User=alice;Password="p;ss"`,
		get: map[string]string{"Password": "p;ss"}},
	{name: "doubled quote inside", in: base + "User='it''s me';Password=x",
		get: map[string]string{"User": "it's me"}},
	{name: "doubled double quote inside", in: base + `User="say ""hi""";Password=x`,
		get: map[string]string{"User": `say "hi"`}},
	{name: "other quote is literal inside", in: base + `User="it's";Password='a"b'`,
		get: map[string]string{"User": "it's", "Password": `a"b`}},
	{name: "quoted blanks kept", in: base + "User=' alice ';Password=x",
		get: map[string]string{"User": " alice "}},
	{name: "blanks around quoted value", in: base + "User=  'alice'  ;Password=x",
		get: map[string]string{"User": "alice"}},
	{name: "quote inside unquoted value is literal", in: base + "User=o'brien;Password=x",
		get: map[string]string{"User": "o'brien"}},
	{name: "equals inside value", in: base + "User=alice;Password=a=b=c",
		get: map[string]string{"Password": "a=b=c"}},
	{name: "empty value means unset", in: pw + "GuestSpaceId=;Timeout=",
		get: map[string]string{"GuestSpaceId": "", "Timeout": "60"}},
	{name: "empty quoted value means unset", in: pw + "SubtableSeparatorCharacter=''",
		get: map[string]string{"SubtableSeparatorCharacter": "_"}},
	{name: "unimplemented property with empty value is fine", in: pw + "CacheConnection=;CacheLocation=  ",
		get: map[string]string{"CacheConnection": ""}},
	{name: "repeated name", in: pw + "user=bob", kind: kerr.KindInvalidConfig,
		msg: []string{`"User" is given twice`, "segments 2 and 4"}},
	{name: "repeated name even when empty", in: pw + "Timeout=;TIMEOUT=5", kind: kerr.KindInvalidConfig,
		msg: []string{`"Timeout" is given twice`}},
	{name: "missing equals", in: base + "Password=x;User=alice;Verbose", kind: kerr.KindInvalidConfig,
		msg: []string{"segment 4", `no "="`, "Name=Value"}},
	{name: "missing equals after secret hints at quoting", in: base + "User=alice;Password=hun;ter2", kind: kerr.KindInvalidConfig,
		msg: []string{"segment 4", `no "="`, "right after the value of Password and is not shown",
			`the value of Password contains ";" (enclose the value in quotes, as in Password='a;b'`,
			`or the next property is written without "=" and a value (the string`, "Password=********;********"},
		hide: []string{"hun", "ter2", "did you mean"}},
	{name: "missing equals after secret names the nearest property", in: base + "User=alice;Password=hun;Verbosty", kind: kerr.KindInvalidConfig,
		msg:  []string{`no "="`, `contains ";"`, `written without "=" and a value (did you mean "Verbosity"?)`},
		hide: []string{"hun", "Verbosty"}},
	{name: "empty name after secret hints at quoting", in: base + "User=alice;Password=hun;=ter2", kind: kerr.KindInvalidConfig,
		msg:  []string{`no property name before "="`, "right after the value of Password", `Password='a;b'`},
		hide: []string{"hun", "ter2", "misspelt"}},
	{name: "unterminated quote after secret", in: base + "User=alice;Password=hun;zq9='2", kind: kerr.KindInvalidConfig,
		msg:  []string{"the property in segment 4", "never closed", "right after the value of Password", `Password='a;b'`},
		hide: []string{"hun", "zq9", "misspelt"}},
	{name: "text after quote after secret", in: base + "User=alice;Password=hun;zq9='2'3", kind: kerr.KindInvalidConfig,
		msg:  []string{"after the closing quote of the value of the property in segment 4", "right after the value of Password"},
		hide: []string{"hun", "zq9", "'2'3"}},
	{name: "missing equals after another secret", in: pw + "BasicAuthUser=gate;BasicAuthPassword=b4;xq7", kind: kerr.KindInvalidConfig,
		msg:  []string{"right after the value of BasicAuthPassword", `BasicAuthPassword='a;b'`},
		hide: []string{"b4", "xq7"}},
	{name: "empty name", in: base + "=alice", kind: kerr.KindInvalidConfig,
		msg: []string{"segment 2 (at character 32)", "no property name"}},
	{name: "unterminated quote", in: base + "User='alice;Password=x", kind: kerr.KindInvalidConfig,
		msg: []string{`value of "User"`, "never closed", "character 37", "'it''s'"}},
	{name: "unterminated quote in secret", in: base + "User=alice;Password=\"hunter2;Timeout=5", kind: kerr.KindInvalidConfig,
		msg: []string{`value of "Password"`, "never closed", "Password=********"}, hide: []string{"hunter2", "Timeout=5"}},
	{name: "text after closing quote", in: base + "User='ali'ce;Password=x", kind: kerr.KindInvalidConfig,
		msg: []string{"after the closing quote", `"User"`}},
	{name: "text after closing quote of secret", in: base + "User=alice;Password='hunt'er2", kind: kerr.KindInvalidConfig,
		msg: []string{"after the closing quote", `"Password"`}, hide: []string{"hunt", "er2"}},
	{name: "invalid utf-8", in: base + "User=\xff", kind: kerr.KindInvalidConfig, msg: []string{"UTF-8"}},

	// Unknown and unsupported properties.
	{name: "unknown with suggestion", in: base + "User=alice;Pasword=hunter2", kind: kerr.KindInvalidConfig,
		msg:  []string{`unknown connection property "Pasword"`, `did you mean "Password"?`, "sys_connection_props"},
		hide: []string{"hunter2"}},
	{name: "unknown transposition", in: base + "Uesr=alice;Password=x", kind: kerr.KindInvalidConfig,
		msg: []string{`did you mean "User"?`}},
	{name: "unknown alias", in: base + "Username=alice;Password=x", kind: kerr.KindInvalidConfig,
		msg: []string{`did you mean "User"?`}},
	{name: "unknown without suggestion", in: base + "Frobnicate=1", kind: kerr.KindInvalidConfig,
		msg: []string{`unknown connection property "Frobnicate"`, "sys_connection_props"}},
	{name: "unknown right after secret is not named", in: base + "User=alice;Password=hun;Qx7=2", kind: kerr.KindInvalidConfig,
		msg: []string{"unknown connection property in segment 4 (at character 56): it comes right after the value of Password",
			`the value of Password contains ";" (enclose the value in quotes, as in Password='a;b', doubling any quote inside it)`,
			"or the next property's name is misspelt (every property is listed by SELECT * FROM sys_connection_props"},
		hide: []string{"hun", "Qx7", "did you mean"}},
	{name: "misspelt property after secret names only the nearest property", in: base + "User=alice;Password=hun;Pagesiz=20", kind: kerr.KindInvalidConfig,
		msg:  []string{"right after the value of Password", `contains ";"`, `the next property's name is misspelt (did you mean "Pagesize"?)`},
		hide: []string{"hun", "Pagesiz=", "Pagesiz ", `"Pagesiz"`, "20"}},
	{name: "secret with a semicolon is never shown", in: base + "User=alice;Password=Tr0ub4dor;horse=staple;Timeout=5", kind: kerr.KindInvalidConfig,
		msg:  []string{"right after the value of Password", `Password='a;b'`},
		hide: []string{"Tr0ub4dor", "horse", "staple"}},
	{name: "unsupported property", in: pw + "CacheConnection=cache.db", kind: kerr.KindNotSupported,
		msg: []string{`connection property "CacheConnection" is recognised but not supported yet by this driver`}},
	{name: "malformed wins over unsupported", in: pw + "CacheConnection=p;Pagesize=0", kind: kerr.KindInvalidConfig,
		msg: []string{`"Pagesize"`}},
	{name: "unsupported wins over cross checks", in: "CacheConnection=p", kind: kerr.KindNotSupported,
		msg: []string{`"CacheConnection"`}},
	{name: "unsupported type still checked", in: pw + "CacheTolerance=http", kind: kerr.KindInvalidConfig,
		msg: []string{`"CacheTolerance" must be a whole number, 0 or more, not "http"`}},

	// Basic layer, certificates and proxies.
	{name: "basic layer", in: pw + "BasicAuthUser=gate;BasicAuthPassword=b4sic",
		get: map[string]string{"BasicAuthUser": "gate", "BasicAuthPassword": "b4sic"}},
	{name: "basic user without password", in: pw + "BasicAuthUser=gate", kind: kerr.KindInvalidConfig,
		msg: []string{"BasicAuthUser and BasicAuthPassword go together"}},
	{name: "basic password without user", in: pw + "BasicAuthPassword=b4sic", kind: kerr.KindInvalidConfig,
		msg: []string{"BasicAuthUser and BasicAuthPassword go together"}, hide: []string{"b4sic"}},
	{name: "client certificate", in: pw + "SSLClientCert=/etc/c.pfx;sslclientcerttype=pfxfile;SSLClientCertPassword=pfxpass;SSLClientCertSubject='CN=a,O=b'",
		get: map[string]string{"SSLClientCertType": "PFXFILE", "SSLClientCertSubject": "CN=a,O=b"}},
	{name: "certificate password without certificate", in: pw + "SSLClientCertPassword=pfxpass", kind: kerr.KindInvalidConfig,
		msg: []string{"SSLClientCertPassword is given but SSLClientCert is not"}, hide: []string{"pfxpass"}},
	{name: "certificate store not supported", in: pw + "SSLClientCert=MY;SSLClientCertType=USER", kind: kerr.KindNotSupported,
		msg: []string{"SSLClientCertType=USER is recognised but not supported yet", "SSLClientCertType=PFXFILE"}},
	{name: "JKS not supported", in: pw + "SSLClientCert=a.jks;SSLClientCertType=jksfile", kind: kerr.KindNotSupported,
		msg: []string{"SSLClientCertType=JKSFILE"}},
	{name: "server certificate", in: pw + "SSLServerCert=*", get: map[string]string{"SSLServerCert": "*"}},
	{name: "proxy", in: pw + "ProxyServer=Proxy.Local;ProxyPort=3128;ProxyUser=pu;ProxyPassword=pp;ProxyExceptions='a.example; *.b.example,10.0.0.0/8'",
		get: map[string]string{"ProxyServer": "proxy.local", "ProxyPort": "3128", "ProxyExceptions": "a.example;*.b.example;10.0.0.0/8",
			"ProxyAuthScheme": "BASIC", "ProxySSLType": "AUTO"}},
	{name: "proxy IPv6", in: pw + "ProxyServer=[::1]", get: map[string]string{"ProxyServer": "::1"}},
	{name: "proxy with scheme", in: pw + "ProxyServer=http://proxy.local:3128", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyServer must be the proxy's host name or IP address only"}},
	{name: "proxy with port", in: pw + "ProxyServer=proxy.local:3128", kind: kerr.KindInvalidConfig,
		msg: []string{"give it as ProxyPort"}},
	{name: "proxy port without server", in: pw + "ProxyPort=3128", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyPort is given but ProxyServer is not"}},
	{name: "proxy password without proxy", in: pw + "ProxyUser=pu;ProxyPassword=s3cr3tproxy", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyUser is given but no proxy is"}, hide: []string{"s3cr3tproxy"}},
	{name: "proxy user without password", in: pw + "ProxyServer=p;ProxyUser=pu", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyUser and ProxyPassword go together"}},
	{name: "proxy auto-detect and server", in: pw + "ProxyServer=p;ProxyAutoDetect=true", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyAutoDetect=true takes the proxy from the environment"}},
	{name: "proxy auth none with user", in: pw + "ProxyServer=p;ProxyAuthScheme=none;ProxyUser=pu;ProxyPassword=pp", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyAuthScheme=NONE sends no proxy credentials"}},
	{name: "proxy NTLM not supported", in: pw + "ProxyServer=p;ProxyAuthScheme=NTLM", kind: kerr.KindNotSupported,
		msg: []string{"ProxyAuthScheme=NTLM is recognised but not supported yet", "ProxyAuthScheme=BASIC or ProxyAuthScheme=NONE"}},
	{name: "proxy SSL ALWAYS not supported", in: pw + "ProxyServer=p;ProxySSLType=always", kind: kerr.KindNotSupported,
		msg: []string{"ProxySSLType=ALWAYS is recognised but not supported yet"}},
	{name: "proxy exceptions without proxy", in: pw + "ProxyExceptions=a", kind: kerr.KindInvalidConfig,
		msg: []string{"ProxyExceptions is given but no proxy is"}},

	// Firewall.
	{name: "firewall SOCKS5", in: pw + "FirewallType=socks5;FirewallServer=FW.Local;FirewallPort=1080;FirewallUser=fu;FirewallPassword=s3cr3tfw",
		get:  map[string]string{"FirewallType": "SOCKS5", "FirewallServer": "fw.local", "FirewallPort": "1080", "FirewallUser": "fu"},
		hide: []string{"s3cr3tfw"}},
	{name: "firewall with proxy", in: pw + "FirewallType=TUNNEL;FirewallServer=::1;FirewallPort=3128;ProxyServer=p;ProxyPort=8080",
		get: map[string]string{"FirewallType": "TUNNEL", "FirewallServer": "::1", "ProxyServer": "p"}},
	{name: "firewall SOCKS4 user id", in: pw + "FirewallType=SOCKS4;FirewallServer=fw;FirewallPort=1080;FirewallUser=me",
		get: map[string]string{"FirewallType": "SOCKS4", "FirewallUser": "me"}},
	{name: "firewall NONE explicit", in: pw + "FirewallType=none", get: map[string]string{"FirewallType": "NONE"}},
	{name: "firewall type without server and port", in: pw + "FirewallType=SOCKS5", kind: kerr.KindInvalidConfig,
		msg: []string{"FirewallType=SOCKS5 needs FirewallServer and FirewallPort", "missing: FirewallServer, FirewallPort"}},
	{name: "firewall type without port", in: pw + "FirewallType=TUNNEL;FirewallServer=fw", kind: kerr.KindInvalidConfig,
		msg: []string{"(missing: FirewallPort)"}},
	{name: "firewall server without type", in: pw + "FirewallServer=fw;FirewallPort=1080", kind: kerr.KindInvalidConfig,
		msg: []string{"FirewallServer is given but FirewallType is NONE", "FirewallType=TUNNEL, SOCKS4 or SOCKS5"}},
	{name: "firewall password without type does not echo", in: pw + "FirewallPassword=s3cr3tfw", kind: kerr.KindInvalidConfig,
		msg: []string{"FirewallPassword is given but FirewallType is NONE"}, hide: []string{"s3cr3tfw"}},
	{name: "firewall password without user", in: pw + "FirewallType=SOCKS5;FirewallServer=fw;FirewallPort=1;FirewallPassword=s3cr3tfw",
		kind: kerr.KindInvalidConfig, msg: []string{"FirewallPassword is given but FirewallUser is not"}, hide: []string{"s3cr3tfw"}},
	{name: "firewall SOCKS4 password", in: pw + "FirewallType=SOCKS4;FirewallServer=fw;FirewallPort=1;FirewallUser=u;FirewallPassword=s3cr3tfw",
		kind: kerr.KindInvalidConfig, msg: []string{"SOCKS4 has no password"}, hide: []string{"s3cr3tfw"}},
	{name: "firewall server with scheme", in: pw + "FirewallType=SOCKS5;FirewallServer=socks5://fw;FirewallPort=1080", kind: kerr.KindInvalidConfig,
		msg: []string{"FirewallServer must be the firewall's host name or IP address only, such as FirewallServer=firewall.example.com;FirewallPort=1080"}},
	{name: "firewall server with port", in: pw + "FirewallType=SOCKS5;FirewallServer=fw:1080;FirewallPort=1080", kind: kerr.KindInvalidConfig,
		msg: []string{"FirewallServer must not contain a port: give it as FirewallPort"}},
	{name: "firewall port range", in: pw + "FirewallPort=0", kind: kerr.KindInvalidConfig,
		msg: []string{`"FirewallPort" must be a whole number from 1 to 65535, not "0"`}},
	{name: "firewall type unknown", in: pw + "FirewallType=SOCKS6", kind: kerr.KindInvalidConfig, msg: []string{`"FirewallType"`, "SOCKS5"}},
	{name: "OAuth refresh needs client", in: base + "AuthScheme=oauth;InitiateOAuth=refresh;OAuthRefreshToken=tok3n", kind: kerr.KindInvalidConfig,
		msg: []string{"InitiateOAuth=REFRESH needs OAuthClientId"}, hide: []string{"tok3n"}},
	{name: "OAuth OFF with refresh token", in: base + "OAuthAccessToken=tok3n;OAuthRefreshToken=r3fresh", kind: kerr.KindInvalidConfig,
		msg: []string{"InitiateOAuth=OFF uses OAuthAccessToken as given"}, hide: []string{"tok3n", "r3fresh"}},
	{name: "OAuth with Basic layer", in: base + "OAuthAccessToken=tok3n;BasicAuthUser=lb;BasicAuthPassword=s3cret", kind: kerr.KindInvalidConfig,
		msg: []string{"cannot be combined with OAuth", "Authorization header"}, hide: []string{"tok3n", "s3cret"}},
	{name: "OAuth desktop needs loopback callback", in: base + "InitiateOAuth=GETANDREFRESH;OAuthClientId=c;OAuthClientSecret=s3cret;CallbackURL=https://app.example.com/cb",
		kind: kerr.KindInvalidConfig, msg: []string{"must be a plain http URL on localhost"}, hide: []string{"s3cret"}},

	{name: "User API with API token", in: base + "APIToken=t0ken;AppId=3;Schema=user", kind: kerr.KindInvalidConfig,
		msg:  []string{"Schema=USER reads the cybozu User API, which accepts password authentication only", "AuthScheme=APIToken"},
		hide: []string{"t0ken"}},
	{name: "User API with OAuth", in: base + "OAuthAccessToken=tok3n;Schema=USER", kind: kerr.KindInvalidConfig,
		msg: []string{"Schema=USER", "password authentication only", "AuthScheme=OAuth"}, hide: []string{"tok3n"}},
	{name: "User API with password", in: pw + "Schema=user", get: map[string]string{"Schema": "USER"}},

	// Types.
	{name: "bool case-insensitive", in: pw + "UseCodeForFieldName=TRUE;NumberMapToDouble=False",
		get: map[string]string{"UseCodeForFieldName": "true", "NumberMapToDouble": "false"}},
	{name: "bool refuses yes", in: pw + "UseCodeForFieldName=yes", kind: kerr.KindInvalidConfig,
		msg: []string{`"UseCodeForFieldName" must be true or false, not "yes"`}},
	{name: "bool refuses 1", in: pw + "NumberMapToDouble=1", kind: kerr.KindInvalidConfig,
		msg: []string{"true or false"}},
	{name: "int canonical", in: pw + "Timeout=+007;Pagesize= 100 ;MaxRows=-1",
		get: map[string]string{"Timeout": "7", "Pagesize": "100", "MaxRows": "-1"}},
	{name: "int not a number", in: pw + "Timeout=1m", kind: kerr.KindInvalidConfig,
		msg: []string{`"Timeout" must be a whole number, 0 or more, not "1m"`}},
	{name: "timeout zero", in: pw + "Timeout=0", get: map[string]string{"Timeout": "0"}},
	{name: "timeout negative", in: pw + "Timeout=-5", kind: kerr.KindInvalidConfig, msg: []string{`"Timeout"`, "0 or more"}},
	{name: "pagesize too big", in: pw + "Pagesize=501", kind: kerr.KindInvalidConfig,
		msg: []string{`"Pagesize" must be a whole number from 1 to 500, not "501"`}},
	{name: "pagesize zero", in: pw + "Pagesize=0", kind: kerr.KindInvalidConfig, msg: []string{"from 1 to 500"}},
	{name: "maxrows zero", in: pw + "MaxRows=0", kind: kerr.KindInvalidConfig, msg: []string{"-1 (no limit) or a positive number"}},
	{name: "maxrows below -1", in: pw + "MaxRows=-2", kind: kerr.KindInvalidConfig, msg: []string{"-1 (no limit) or a positive number"}},
	{name: "maxrows positive", in: pw + "MaxRows=10", get: map[string]string{"MaxRows": "10"}},
	{name: "int overflow", in: pw + "MaxRows=99999999999999999999", kind: kerr.KindInvalidConfig, msg: []string{`"MaxRows"`}},
	{name: "enum canonical case", in: base + "authscheme=password;User=a;Password=b",
		get: map[string]string{"AuthScheme": "Password"}},
	{name: "enum invalid", in: base + "AuthScheme=Token;APIToken=t;AppId=1", kind: kerr.KindInvalidConfig,
		msg: []string{`"AuthScheme" must be one of Password, APIToken, OAuth, not "Token"`}},
	{name: "separator", in: pw + "SubtableSeparatorCharacter=__", get: map[string]string{"SubtableSeparatorCharacter": "__"}},
	{name: "separator with blank kept when quoted", in: pw + "SubtableSeparatorCharacter=' '",
		get: map[string]string{"SubtableSeparatorCharacter": " "}, str: "Url=https://example.cybozu.com;User=alice;Password=********;SubtableSeparatorCharacter=' '"},
	{name: "separator control character", in: pw + "SubtableSeparatorCharacter='\t'", kind: kerr.KindInvalidConfig,
		msg: []string{"control characters"}},

	// Url.
	{name: "url required", in: "User=alice;Password=x", kind: kerr.KindInvalidConfig,
		msg: []string{"Url is required", "https://example.cybozu.com"}},
	{name: "url bare host", in: "Url=example.cybozu.com;User=a;Password=b", get: map[string]string{"Url": "https://example.cybozu.com"}},
	{name: "url trailing slash and path", in: "Url=https://Example.Cybozu.com/k/#/portal;User=a;Password=b",
		get: map[string]string{"Url": "https://example.cybozu.com"}},
	{name: "url kintone.com", in: "Url=https://example.kintone.com/;User=a;Password=b", get: map[string]string{"Url": "https://example.kintone.com"}},
	{name: "url cybozu.cn", in: "Url=example.cybozu.cn/k/;User=a;Password=b", get: map[string]string{"Url": "https://example.cybozu.cn"}},
	{name: "url secure access", in: "Url=https://example.s.cybozu.com;User=a;Password=b", get: map[string]string{"Url": "https://example.s.cybozu.com"}},
	{name: "url default port dropped", in: "Url=HTTPS://example.cybozu.com:443;User=a;Password=b", get: map[string]string{"Url": "https://example.cybozu.com"}},
	{name: "url other port kept", in: "Url=https://example.cybozu.com:8443/x;User=a;Password=b", get: map[string]string{"Url": "https://example.cybozu.com:8443"}},
	{name: "url http localhost", in: "Url=http://localhost:8080/;User=a;Password=b", get: map[string]string{"Url": "http://localhost:8080"}},
	{name: "url http 127.x", in: "Url=http://127.1.2.3:9;User=a;Password=b", get: map[string]string{"Url": "http://127.1.2.3:9"}},
	{name: "url http ::1", in: "Url=http://[::1]:9/;User=a;Password=b", get: map[string]string{"Url": "http://[::1]:9"}},
	{name: "url http ::1 no port", in: "Url=http://[::1];User=a;Password=b", get: map[string]string{"Url": "http://[::1]"}},
	{name: "url http elsewhere", in: "Url=http://example.cybozu.com;User=a;Password=b", kind: kerr.KindInvalidConfig,
		msg: []string{"plain http", "https://example.cybozu.com", "localhost"}},
	{name: "url http lookalike", in: "Url=http://localhost.example.com;User=a;Password=b", kind: kerr.KindInvalidConfig,
		msg: []string{"plain http"}},
	{name: "url ftp", in: "Url=ftp://example.cybozu.com;User=a;Password=b", kind: kerr.KindInvalidConfig,
		msg: []string{"must start with https://"}},
	{name: "url no host", in: "Url=https://;User=a;Password=b", kind: kerr.KindInvalidConfig, msg: []string{"no host name"}},
	{name: "url bad port", in: "Url=https://example.cybozu.com:99999;User=a;Password=b", kind: kerr.KindInvalidConfig,
		msg: []string{"invalid port"}},
	{name: "url with credentials", in: "Url=https://alice:hunter2@example.cybozu.com;User=a;Password=b", kind: kerr.KindInvalidConfig,
		msg: []string{"must not contain a user name or password"}, hide: []string{"hunter2"}},
	{name: "url guest path needs GuestSpaceId", in: "Url=https://example.cybozu.com/k/guest/12/#/space;User=a;Password=b",
		kind: kerr.KindInvalidConfig, msg: []string{"guest space 12", "GuestSpaceId=12"}},
	{name: "url guest path with GuestSpaceId", in: "Url=https://example.cybozu.com/k/guest/12/;GuestSpaceId=12;User=a;Password=b",
		get: map[string]string{"Url": "https://example.cybozu.com", "GuestSpaceId": "12"}},
	{name: "url guest path contradicts GuestSpaceId", in: "Url=https://example.cybozu.com/k/guest/12/;GuestSpaceId=13;User=a;Password=b",
		kind: kerr.KindInvalidConfig, msg: []string{"guest space 12 but GuestSpaceId is 13"}},
	{name: "guest space id must be positive", in: pw + "GuestSpaceId=0", kind: kerr.KindInvalidConfig,
		msg: []string{`"GuestSpaceId" must be a positive whole number, not "0"`}},

	// Authentication.
	{name: "no credentials", in: base, kind: kerr.KindInvalidConfig,
		msg: []string{"no credentials", "User and Password", "APIToken with AppId"}},
	{name: "password inferred", in: pw, get: map[string]string{"AuthScheme": ""}},
	{name: "user without password", in: base + "User=alice", kind: kerr.KindInvalidConfig,
		msg: []string{"password authentication", "needs Password"}},
	{name: "password without user", in: base + "Password=hunter2", kind: kerr.KindInvalidConfig,
		msg: []string{"needs User"}, hide: []string{"hunter2"}},
	{name: "explicit password without password", in: base + "AuthScheme=Password;User=alice", kind: kerr.KindInvalidConfig,
		msg: []string{"AuthScheme=Password needs Password"}},
	{name: "api token", in: base + "APIToken=tokA,tokB;AppId=12,13",
		get: map[string]string{"APIToken": "tokA,tokB", "AppId": "12,13"}, hide: []string{"tokA", "tokB"},
		str: "Url=https://example.cybozu.com;APIToken=********;AppId=12,13"},
	{name: "api token lists trimmed", in: base + "APIToken= tokA , tokB ;AppId= 012 ,13 ",
		get: map[string]string{"APIToken": "tokA,tokB", "AppId": "12,13"}},
	{name: "api token without AppId", in: base + "APIToken=tokA", kind: kerr.KindInvalidConfig,
		msg: []string{"needs AppId", "tables are exactly these apps"}, hide: []string{"tokA"}},
	{name: "explicit api token without token", in: base + "AuthScheme=APIToken;AppId=1", kind: kerr.KindInvalidConfig,
		msg: []string{"AuthScheme=APIToken needs APIToken"}},
	{name: "api token count mismatch", in: base + "APIToken=tokA,tokB;AppId=12", kind: kerr.KindInvalidConfig,
		msg: []string{"2 token(s) but AppId has 1", "pair by position"}, hide: []string{"tokA", "tokB"}},
	{name: "api token empty item", in: base + "APIToken=tokA,,tokB;AppId=1,2", kind: kerr.KindInvalidConfig,
		msg: []string{`"APIToken" has an empty item (number 2 of 3)`}, hide: []string{"tokA", "tokB"}},
	{name: "api token trailing comma", in: base + "APIToken=tokA,;AppId=1", kind: kerr.KindInvalidConfig,
		msg: []string{"empty item"}, hide: []string{"tokA"}},
	{name: "api token bad character", in: base + "APIToken='tok A';AppId=1", kind: kerr.KindInvalidConfig,
		msg: []string{"APIToken item 1", "cannot be sent in an HTTP header"}, hide: []string{"tok A"}},
	{name: "api token repeated", in: base + "APIToken=tokA,tokA;AppId=1,2", kind: kerr.KindInvalidConfig,
		msg: []string{"APIToken item 2 repeats item 1"}, hide: []string{"tokA"}},
	{name: "app id not a number", in: base + "APIToken=tokA;AppId=abc", kind: kerr.KindInvalidConfig,
		msg: []string{`AppId item 1 must be a positive app ID`, `not "abc"`}},
	{name: "app id zero", in: base + "APIToken=tokA;AppId=0", kind: kerr.KindInvalidConfig, msg: []string{"positive app ID"}},
	{name: "app id repeated", in: base + "APIToken=tokA,tokB;AppId=12,012", kind: kerr.KindInvalidConfig,
		msg: []string{"AppId 12 is listed twice"}},
	{name: "user and token ambiguous", in: pw + "APIToken=tokA;AppId=1", kind: kerr.KindInvalidConfig,
		msg:  []string{"both User/Password and APIToken are given", "AuthScheme=Password or AuthScheme=APIToken"},
		hide: []string{"tokA", "hunter2"}},
	{name: "explicit password with token", in: pw + "AuthScheme=Password;APIToken=tokA;AppId=1",
		get: map[string]string{"AuthScheme": "Password"}, hide: []string{"tokA", "hunter2"}},
	{name: "explicit token with user", in: pw + "AuthScheme=APIToken;APIToken=tokA;AppId=1",
		get: map[string]string{"AuthScheme": "APIToken"}},
	{name: "password with AppId", in: pw + "AppId=3", get: map[string]string{"AppId": "3"}},
	{name: "implemented schema options", in: pw + "UseCodeForFieldName=true;NumberMapToDouble=true;SubtableSeparatorCharacter=-;MaxRows=100;Pagesize=100;Timeout=0",
		str: "Url=https://example.cybozu.com;User=alice;Password=********;SubtableSeparatorCharacter=-;UseCodeForFieldName=true;NumberMapToDouble=true;Pagesize=100;MaxRows=100;Timeout=0"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.in)
			if tc.kind != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %s, want %s", tc.in, c.Format(), tc.kind)
				}
				e := kerr.As(err)
				if e == nil {
					t.Fatalf("error %T is not a *kerr.Error: %v", err, err)
				}
				if e.Kind != tc.kind {
					t.Errorf("kind = %s, want %s (%v)", e.Kind, tc.kind, err)
				}
				for _, m := range tc.msg {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("error %q does not contain %q", err, m)
					}
				}
				for _, h := range tc.hide {
					if strings.Contains(err.Error(), h) {
						t.Errorf("error %q shows the secret %q", err, h)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			for k, want := range tc.get {
				if got := c.get(k); got != want {
					t.Errorf("Get(%q) = %q, want %q", k, got, want)
				}
			}
			if tc.str != "" && c.String() != tc.str {
				t.Errorf("String() = %q, want %q", c.String(), tc.str)
			}
			for _, h := range tc.hide {
				if strings.Contains(c.String(), h) {
					t.Errorf("String() %q shows the secret %q", c.String(), h)
				}
			}
			checkRoundTrip(t, c)
		})
	}
}

func checkRoundTrip(t *testing.T, c *Config) {
	t.Helper()
	f := c.Format()
	c2, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(Format()) of %q: %v", f, err)
	}
	if c2.Format() != f {
		t.Fatalf("Format not a fixed point: %q then %q", f, c2.Format())
	}
	if !reflect.DeepEqual(c.values, c2.values) {
		t.Fatalf("values differ after round trip: %v vs %v", c.values, c2.values)
	}
	if c.String() != c2.String() || c.AuthScheme() != c2.AuthScheme() {
		t.Fatalf("round trip changed String or AuthScheme")
	}
}

func TestAuthScheme(t *testing.T) {
	for in, want := range map[string]string{
		pw:                          AuthPassword,
		base + "APIToken=t;AppId=1": AuthAPIToken,
		pw + "AuthScheme=apitoken;APIToken=t;AppId=1": AuthAPIToken,
	} {
		c, err := Parse(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := c.AuthScheme(); got != want {
			t.Errorf("AuthScheme(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenPairs(t *testing.T) {
	c, err := Parse(base + "APIToken=tokA, tokB ,tokC;AppId=12,7,300")
	if err != nil {
		t.Fatal(err)
	}
	want := []TokenPair{{12, "tokA"}, {7, "tokB"}, {300, "tokC"}}
	if got := c.TokenPairs(); !reflect.DeepEqual(got, want) {
		t.Errorf("TokenPairs = %v, want %v", got, want)
	}
	if got := c.TokensByApp(); !reflect.DeepEqual(got, map[int64]string{12: "tokA", 7: "tokB", 300: "tokC"}) {
		t.Errorf("TokensByApp = %v", got)
	}
	// With an explicit password scheme, the tokens are not used.
	c, err = Parse(pw + "AuthScheme=Password;APIToken=tokA;AppId=1")
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenPairs() != nil || c.TokensByApp() != nil {
		t.Errorf("tokens returned under password authentication")
	}
}

func TestAccessors(t *testing.T) {
	c, err := Parse(pw + "Timeout=30;UseCodeForFieldName=true;AppId=3,4")
	if err != nil {
		t.Fatal(err)
	}
	if c.integer("Timeout") != 30 || c.Timeout().Seconds() != 30 {
		t.Errorf("Timeout = %d / %v", c.integer("Timeout"), c.Timeout())
	}
	if c.integer("pagesize") != 500 || c.integer("MaxRows") != -1 {
		t.Errorf("defaults: Pagesize %d MaxRows %d", c.integer("pagesize"), c.integer("MaxRows"))
	}
	if !c.boolean("usecodeforfieldname") || c.boolean("NumberMapToDouble") || c.boolean("UseCursor") {
		t.Errorf("bools wrong")
	}
	if got := c.list("AppId"); !reflect.DeepEqual(got, []string{"3", "4"}) {
		t.Errorf("List(AppId) = %v", got)
	}
	if got := c.list("CheckForSubtablesIn"); !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("List default = %v", got)
	}
	if c.list("OAuthClientId") != nil {
		t.Errorf("List of unset property without default should be nil")
	}
	if !c.isSet("timeout") || c.isSet("GuestSpaceId") || c.isSet("NoSuchThing") {
		t.Errorf("IsSet wrong")
	}
	if c.get("NoSuchThing") != "" || c.get("Schema") != "REST" || c.get("InitiateOAuth") != "OFF" {
		t.Errorf("Get defaults wrong")
	}
	if got := c.Names(); !reflect.DeepEqual(got, []string{"Url", "User", "Password", "Timeout", "UseCodeForFieldName", "AppId"}) {
		t.Errorf("Names = %v", got)
	}
	u := c.BaseURL()
	if u.String() != "https://example.cybozu.com" || u.Host != "example.cybozu.com" {
		t.Errorf("BaseURL = %v", u)
	}
	u.Host = "evil.example.com"
	if c.BaseURL().Host != "example.cybozu.com" {
		t.Errorf("BaseURL is not a copy")
	}
	zero := New()
	if zero.Timeout().Seconds() != 60 || zero.BaseURL() != nil || zero.AuthScheme() != "" || zero.String() != "" {
		t.Errorf("empty Config accessors wrong")
	}
	c0, _ := Parse(pw + "Timeout=0")
	if c0.Timeout() != 0 {
		t.Errorf("Timeout=0 should mean no timeout")
	}
}

func TestSet(t *testing.T) {
	c := New()
	for _, kv := range [][2]string{{"url", "example.cybozu.com/k/"}, {"user", "alice"}, {"PASSWORD", " p;a'ss "}} {
		if err := c.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("Set(%q): %v", kv[0], err)
		}
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.get("Password") != " p;a'ss " || c.get("Url") != "https://example.cybozu.com" {
		t.Errorf("Set values: %q %q", c.get("Password"), c.get("Url"))
	}
	checkRoundTrip(t, c)
	if err := c.Set("Pagesize", "600"); kerr.KindOf(err) != kerr.KindInvalidConfig {
		t.Errorf("Set(Pagesize=600) = %v", err)
	}
	if err := c.Set("CacheConnection", "p"); kerr.KindOf(err) != kerr.KindNotSupported {
		t.Errorf("Set(CacheConnection) = %v", err)
	}
	if err := c.Set("Pasword", "x"); err == nil || !strings.Contains(err.Error(), `did you mean "Password"`) {
		t.Errorf("Set(Pasword) = %v", err)
	}
	if err := c.Set("APIToken", "a b"); err == nil || strings.Contains(err.Error(), "a b") {
		t.Errorf("Set(APIToken) = %v", err)
	}
	if err := c.Set("Password", ""); err != nil || c.isSet("Password") {
		t.Errorf("Set to empty should unset: %v", err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "needs Password") {
		t.Errorf("Validate after unsetting Password = %v", err)
	}
	if got := c.Names(); !reflect.DeepEqual(got, []string{"Url", "User"}) {
		t.Errorf("Names = %v", got)
	}
}

func TestMask(t *testing.T) {
	c, err := Parse("Url=https://example.cybozu.com;User=alice;Password=hunter2")
	if err != nil {
		t.Fatal(err)
	}
	header := base64.StdEncoding.EncodeToString([]byte("alice:hunter2"))
	text := "login failed for alice with hunter2; X-Cybozu-Authorization: " + header + "; pw=" + base64.StdEncoding.EncodeToString([]byte("hunter2"))
	got := c.Mask(text)
	for _, s := range []string{"hunter2", header, base64.StdEncoding.EncodeToString([]byte("hunter2"))} {
		if strings.Contains(got, s) {
			t.Errorf("Mask left %q in %q", s, got)
		}
	}
	if !strings.Contains(got, "alice") || !strings.Contains(got, "X-Cybozu-Authorization: ********") {
		t.Errorf("Mask(%q) = %q", text, got)
	}
	// The proxy's and the firewall's credentials travel as Basic Proxy-Authorization.
	c, err = Parse(pw + "ProxyServer=p;ProxyUser=pu;ProxyPassword=pxpass;FirewallType=TUNNEL;FirewallServer=fw;FirewallPort=3128;" +
		"FirewallUser=fu;FirewallPassword=fwpass")
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range []string{"pu:pxpass", "fu:fwpass"} {
		header := "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
		if got := c.Mask(header); got != "Proxy-Authorization: Basic ********" {
			t.Errorf("Mask(%q) = %q", header, got)
		}
	}

	c, err = Parse(base + "APIToken=tokAAAA,tokBBBB;AppId=1,2")
	if err != nil {
		t.Fatal(err)
	}
	got = c.Mask("X-Cybozu-API-Token: tokAAAA,tokBBBB / tokBBBB / tokAAAA, tokBBBB")
	if strings.Contains(got, "tokA") || strings.Contains(got, "tokB") {
		t.Errorf("Mask left a token: %q", got)
	}
	if New().Mask("abc") != "abc" {
		t.Errorf("Mask with no secrets changed the text")
	}
}

func TestMaskString(t *testing.T) {
	for in, want := range map[string]string{
		"Url=x;User=alice;Password=hunter2":     "Url=x;User=alice;Password=********",
		"Url=x;password='a;b';User=bob":         "Url=x;Password=********;User=bob",
		"Url=x;Password=hun;ter2;User=bob":      "Url=x;Password=********;********;User=bob",
		"Url=x;Password=hun;ter=2":              "Url=x;Password=********;********=********",
		"Url=x;Nope=value":                      "Url=x;Nope=********",
		"Url=x;User='bob;Password=hunter2":      "Url=x;User=********",
		"Url=x;Password=;User=bob":              "Url=x;Password=;User=bob",
		"SSLClientCert=/etc/cert.pem":           "SSLClientCert=/etc/cert.pem",
		"SSLClientCert='-----BEGIN CERT-----x'": "SSLClientCert=********",
		";;":                                    "",
		"Url=x;;User=bob;":                      "Url=x;User=bob",
	} {
		if got := MaskString(in); got != want {
			t.Errorf("MaskString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsSecretValue(t *testing.T) {
	secret := []string{"Password", "APIToken", "BasicAuthPassword", "OAuthClientSecret", "OAuthAccessToken",
		"OAuthRefreshToken", "OAuthVerifier", "SSLClientCertPassword", "ProxyPassword", "FirewallPassword"}
	for _, n := range secret {
		if !IsSecretValue(strings.ToLower(n), "x") {
			t.Errorf("%s should be secret", n)
		}
	}
	var got []string
	for _, p := range Properties() {
		if p.Secret {
			got = append(got, p.Name)
		}
	}
	if !sameSet(got, secret) {
		t.Errorf("secret properties = %v, want %v", got, secret)
	}
	for _, v := range []string{"/home/me/cert.pfx", "C:\\certs\\me.pfx", "MY", "*"} {
		if IsSecretValue("SSLClientCert", v) {
			t.Errorf("SSLClientCert %q should not be secret", v)
		}
	}
	for _, v := range []string{"-----BEGIN PRIVATE KEY-----\nMIIE...", strings.Repeat("QUJD", 30), "line1\nline2"} {
		if !IsSecretValue("SSLClientCert", v) {
			t.Errorf("SSLClientCert %q should be secret", v)
		}
	}
	if IsSecretValue("User", "alice") || IsSecretValue("NoSuch", "x") {
		t.Errorf("User or unknown should not be secret")
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// TestTable checks the property table against the reference product's list and the brief.
func TestTable(t *testing.T) {
	all := []string{"Url", "GuestSpaceId", "AuthScheme", "User", "Password", "APIToken", "AppId", "BasicAuthUser",
		"BasicAuthPassword", "SSLClientCert", "SSLClientCertType", "SSLClientCertSubject", "SSLClientCertPassword",
		"SSLServerCert", "OAuthClientId", "OAuthClientSecret", "CallbackURL", "Scope", "InitiateOAuth", "OAuthSettingsLocation",
		"OAuthAccessToken", "OAuthRefreshToken", "OAuthVerifier", "UseCursor", "Schema", "Pagesize", "MaxRows", "Timeout",
		"SubtableSeparatorCharacter", "UseCodeForFieldName", "CheckForSubtablesIn", "AllowSpecialCharacters",
		"NumberMapToDouble", "UseUnitForNumericField", "UseSimpleNames", "UserDefinedViews", "ProxyAutoDetect",
		"ProxyServer", "ProxyPort", "ProxyAuthScheme", "ProxyUser", "ProxyPassword", "ProxySSLType", "ProxyExceptions",
		"FirewallType", "FirewallServer", "FirewallPort", "FirewallUser", "FirewallPassword", "Logfile", "Verbosity",
		"MaxLogFileSize", "LogModules", "Other", "AutoCache", "CacheLocation", "CacheConnection", "CacheProvider", "CacheTolerance",
		"CacheMetadata", "Offline",
		"Tables", "Views", "BrowsableSchemas", "Location",
		"CheckRevision", "ScanParallelism", "InsertParallelism", "LocalFiles"} // the driver's own, not the reference's
	implemented := []string{"CheckRevision", "ScanParallelism", "InsertParallelism", "LocalFiles", "Url", "GuestSpaceId", "AuthScheme", "User", "Password", "APIToken", "AppId", "Timeout",
		"Pagesize", "MaxRows", "SubtableSeparatorCharacter", "UseCodeForFieldName", "NumberMapToDouble",
		"BasicAuthUser", "BasicAuthPassword", "SSLClientCert", "SSLClientCertType", "SSLClientCertSubject",
		"SSLClientCertPassword", "SSLServerCert", "ProxyAutoDetect", "ProxyServer", "ProxyPort", "ProxyAuthScheme",
		"ProxyUser", "ProxyPassword", "ProxySSLType", "ProxyExceptions", "OAuthClientId", "OAuthClientSecret", "CallbackURL",
		"Scope", "InitiateOAuth", "OAuthSettingsLocation", "OAuthAccessToken", "OAuthRefreshToken", "OAuthVerifier", "UseCursor",
		"Logfile", "Verbosity", "MaxLogFileSize", "LogModules",
		"Schema", "CheckForSubtablesIn", "AllowSpecialCharacters", "UseUnitForNumericField", "UseSimpleNames", "Other",
		"Tables", "Views", "BrowsableSchemas", "Location", "FirewallType", "FirewallServer", "FirewallPort", "FirewallUser", "FirewallPassword", "UserDefinedViews"}
	var names, impl []string
	types := map[string]bool{TypeString: true, TypeBool: true, TypeInt: true, TypeEnum: true, TypeList: true, TypePath: true}
	for _, p := range Properties() {
		names = append(names, p.Name)
		if p.Support.Accepted() {
			impl = append(impl, p.Name)
		}
		if !types[p.Type] || p.Category == "" || p.Description == "" {
			t.Errorf("%s: incomplete entry %+v", p.Name, p)
		}
		if (p.Type == TypeEnum) != (len(p.Enum) > 0) {
			t.Errorf("%s: Enum values and type disagree", p.Name)
		}
		if p.Default != "" {
			if _, err := p.normalize(p.Default); err != nil {
				t.Errorf("%s: default %q is not valid: %v", p.Name, p.Default, err)
			}
		}
		q, ok := Lookup(strings.ToUpper(p.Name))
		if !ok || q.Name != p.Name {
			t.Errorf("Lookup(%s) failed", p.Name)
		}
	}
	if !sameSet(names, all) {
		t.Errorf("properties = %v\nwant %v", names, all)
	}
	if !sameSet(impl, implemented) {
		t.Errorf("implemented = %v, want %v", impl, implemented)
	}
	if _, ok := Lookup("Nope"); ok {
		t.Errorf("Lookup(Nope) succeeded")
	}
	// Properties returns a copy.
	ps := Properties()
	ps[0].Name = "X"
	for i := range ps {
		if ps[i].Name == "AuthScheme" {
			ps[i].Enum[0] = "X"
		}
	}
	if p, _ := Lookup("AuthScheme"); p.Enum[0] != "Password" || Properties()[0].Name != "Url" {
		t.Errorf("Properties exposes the table")
	}
	for name, want := range map[string]string{"Timeout": "60", "Pagesize": "500", "MaxRows": "-1", "SubtableSeparatorCharacter": "_",
		"UseCodeForFieldName": "false", "NumberMapToDouble": "false", "UseCursor": "false", "InitiateOAuth": "OFF",
		"Schema": "REST", "CacheTolerance": "600", "MaxLogFileSize": "100MB", "Verbosity": "1", "SSLClientCertType": "PEMKEY_FILE",
		"AuthScheme": ""} {
		if p, _ := Lookup(name); p.Default != want {
			t.Errorf("default of %s = %q, want %q", name, p.Default, want)
		}
	}
	if p, _ := Lookup("OAuthSettingsLocation"); !strings.HasSuffix(p.Default, "OAuthSettings.txt") {
		t.Errorf("OAuthSettingsLocation default = %q", p.Default)
	}
}

func TestUnsupportedEveryProperty(t *testing.T) {
	// Every recognised but unimplemented property, given a valid value, is a KindNotSupported error
	// naming it; given an empty value, it is ignored.
	for _, p := range Properties() {
		if p.Support.Accepted() {
			continue
		}
		v := "x"
		switch p.Type {
		case TypeBool:
			v = "true"
		case TypeInt:
			v = "5"
		case TypeEnum:
			v = p.Enum[len(p.Enum)-1]
		}
		_, err := Parse(pw + p.Name + "=" + quote(v))
		if kerr.KindOf(err) != kerr.KindNotSupported || !strings.Contains(err.Error(), `"`+p.Name+`" is recognised but not supported yet`) {
			t.Errorf("%s: %v", p.Name, err)
		}
		if _, err := Parse(pw + p.Name + "="); err != nil {
			t.Errorf("%s with empty value: %v", p.Name, err)
		}
	}
}

func TestOAuthRules(t *testing.T) {
	c := &Config{values: map[string]string{"Url": "https://example.cybozu.com", PropOAuthAccessToken: "tok"}}
	if c.AuthScheme() != AuthOAuth {
		t.Errorf("OAuth not inferred")
	}
	if err := c.Validate(); err != nil {
		t.Errorf("OAuth Validate = %v", err)
	}
	c.values[PropUseCursor] = "false"
	if err := c.Validate(); err != nil {
		t.Errorf("UseCursor=false with OAuth = %v", err)
	}
	for _, r := range c.Rows() {
		if r.Name == PropUseCursor && r.Current != "false" {
			t.Errorf("UseCursor under OAuth shows %q", r.Current)
		}
	}
	c.values[PropUseCursor] = "true"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "UseCursor=true cannot be used with OAuth") {
		t.Errorf("UseCursor with OAuth = %v", err)
	}
	c.values[PropUser] = "alice"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "both User/Password and OAuth properties are given") {
		t.Errorf("User with OAuth = %v", err)
	}
	c.values[PropAPIToken] = "t"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "User/Password, APIToken and OAuth properties are all given") {
		t.Errorf("all three = %v", err)
	}
	c = &Config{values: map[string]string{"Url": "https://example.cybozu.com", PropInitiateOAuth: "OFF", PropUser: "a", PropPassword: "b"}}
	if c.AuthScheme() != AuthPassword {
		t.Errorf("InitiateOAuth=OFF should not select OAuth")
	}
}

func TestOAuthParse(t *testing.T) {
	c, err := Parse("Url=https://example.cybozu.com;OAuthClientId=cid;OAuthClientSecret=sec;InitiateOAuth=refresh;" +
		"OAuthVerifier=c0de;Scope='  k:app_record:read   k:app_settings:read ';CallbackURL=https://app.example.com/cb")
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthScheme() != AuthOAuth || c.get(PropInitiateOAuth) != "REFRESH" || c.get(PropScope) != "k:app_record:read k:app_settings:read" {
		t.Errorf("parsed %s", c)
	}
	if strings.Contains(c.String(), "c0de") || strings.Contains(c.String(), "sec;") {
		t.Errorf("secrets shown: %s", c)
	}
	if c, err = Parse("Url=https://example.cybozu.com;InitiateOAuth=GETANDREFRESH;OAuthClientId=cid;OAuthClientSecret=sec"); err != nil {
		t.Fatal(err)
	}
	if c.get(PropCallbackURL) != DefaultCallbackURL || c.get(PropScope) != DefaultScope {
		t.Errorf("defaults: %q %q", c.get(PropCallbackURL), c.get(PropScope))
	}
	if _, err := Parse("Url=https://example.cybozu.com;OAuthClientId=cid;OAuthVerifier=c0de"); err == nil ||
		!strings.Contains(err.Error(), "InitiateOAuth=OFF does not exchange OAuthVerifier") || strings.Contains(err.Error(), "c0de") {
		t.Errorf("verifier with OFF = %v", err)
	}
	if _, err := Parse("Url=https://example.cybozu.com;OAuthClientId=cid;Scope=' '"); err == nil || !strings.Contains(err.Error(), "Scope lists no scope") {
		t.Errorf("blank scope = %v", err)
	}
	if _, err := Parse("Url=https://example.cybozu.com;User=a;Password=b;OAuthAccessToken=tok3n;AuthScheme=Password"); err == nil ||
		strings.Contains(err.Error(), "tok3n") {
		t.Errorf("OAuth token with Password = %v", err)
	}
}

func TestRows(t *testing.T) {
	c, err := Parse(pw + "Timeout=10")
	if err != nil {
		t.Fatal(err)
	}
	rows := c.Rows()
	if len(rows) != len(Properties()) {
		t.Fatalf("%d rows", len(rows))
	}
	byName := map[string]PropRow{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	check := func(name, want string) {
		if got := byName[name].Current; got != want {
			t.Errorf("row %s current = %q, want %q", name, got, want)
		}
	}
	check("Password", "********")
	check("User", "alice")
	check("Timeout", "10")
	check("Pagesize", "500")
	check("AuthScheme", "Password")
	check("APIToken", "")
	if r := byName["FirewallServer"]; r.Support != Supported || r.Category != "Firewall" {
		t.Errorf("FirewallServer row %+v", r)
	}
	if r := byName["Offline"]; r.Support.Accepted() || r.Category != "Caching" {
		t.Errorf("Offline row %+v", r)
	}
	if !byName["Password"].Secret || byName["Timeout"].Default != "60" {
		t.Errorf("row metadata wrong")
	}
}

func TestMarkdownReference(t *testing.T) {
	md := MarkdownReference()
	for _, p := range Properties() {
		block := "\n#### " + p.Name + "\n\n- Category: " + p.Category + "\n- Type: " + p.Type + "\n- Default: "
		if !strings.Contains(md, block) {
			t.Errorf("no block for %s", p.Name)
		}
	}
	for _, s := range []string{"- Supported: not yet", "- Supported: yes", "- Secret: when given inline",
		"- Valid values: Password, APIToken, OAuth", "- Valid values: a whole number from 1 to 500",
		"- Default: `500`", "### Proxy"} {
		if !strings.Contains(md, s) {
			t.Errorf("reference lacks %q", s)
		}
	}
	if strings.Count(md, "\n#### ") != len(Properties()) {
		t.Errorf("wrong number of property blocks")
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"Pasword": "Password", "passwd": "Password", "apitoken ": "APIToken", "APITokens": "APIToken", "AppIds": "AppId",
		"PageSize": "Pagesize", "Auth Scheme": "AuthScheme", "TimeOut": "Timeout", "Subdomain": "Url",
		"xyz": "", "ReallyUnrelatedThing": "", "a": "",
	} {
		if got := suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHugeInput checks that pathological strings are handled quickly and that messages stay
// short: long values and names are cut, and the echoed string is bounded.
func TestHugeInput(t *testing.T) {
	for _, s := range []string{
		strings.Repeat(";", 1<<20),
		strings.Repeat("a", 1<<20),
		"Url=x;Password='" + strings.Repeat("''", 1<<19),
		strings.Repeat("Url=x;", 1<<17),
		"Url=x;User=a;Password=b;AppId=" + strings.Repeat("1,", 1<<17) + "1",
		"Url=x;User=a;Password=b;Pagesize=" + strings.Repeat("9", 1<<20),
		"Url=" + strings.Repeat("a", 1<<20) + ";User=a;Password=b",
		strings.Repeat("x", 1<<20) + "=1",
		"Url=x;" + strings.Repeat("é", 1<<18) + ";User=a",
	} {
		_, err := Parse(s)
		if err == nil {
			t.Fatalf("Parse of a %d-byte string succeeded", len(s))
		}
		if len(err.Error()) > 1000 {
			t.Errorf("message of %d bytes: %.200s", len(err.Error()), err)
		}
	}
}
