package connstr

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSettings(t *testing.T) {
	cases := []struct {
		conn  string
		check func(Settings) bool
	}{
		{"Url=https://x.cybozu.com/k/guest/7/;GuestSpaceId=7;User=u;Password=p;Timeout=5;MaxRows=10;Pagesize=100", func(s Settings) bool {
			return s.URL.String() == "https://x.cybozu.com" && s.GuestSpaceID == 7 && s.Timeout == 5*time.Second &&
				s.AuthScheme == AuthPassword && s.User == "u" && s.Password == "p" && s.MaxRows == 10 && s.Pagesize == 100 &&
				s.Tokens == nil && !s.Proxy.Enabled && s.SSL.ClientCert == "" && s.Firewall == FirewallSettings{}
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;FirewallType=socks5;FirewallServer=FW.local;FirewallPort=1080;FirewallUser=fu;FirewallPassword=fp", func(s Settings) bool {
			return s.Firewall == FirewallSettings{Type: "SOCKS5", Server: "fw.local", Port: 1080, User: "fu", Password: "fp"}
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;FirewallType=NONE", func(s Settings) bool {
			return s.Firewall == FirewallSettings{}
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p", func(s Settings) bool {
			return s.MaxRows == -1 && s.Pagesize == 500 && s.Timeout == 60*time.Second && s.GuestSpaceID == 0 &&
				reflect.DeepEqual(s.Schema, SchemaSettings{SubtableSeparator: "_", SubtablesIn: []string{"*"}}) &&
				s.LocalFiles == LocalFiles{} &&
				reflect.DeepEqual(s.Logging, LogSettings{Verbosity: 1, MaxFileSize: 100 << 20})
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;Schema=REST;UseSimpleNames=true;CheckForSubtablesIn='Deals, 7';Tables=Deals;Views=Apps", func(s Settings) bool {
			return s.Schema.UseSimpleNames && reflect.DeepEqual(s.Schema.SubtablesIn, []string{"Deals", "7"}) &&
				reflect.DeepEqual(s.Schema.Tables, []string{"Deals"}) && reflect.DeepEqual(s.Schema.Views, []string{"Apps"})
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;Schema=USER;UserDefinedViews=~/views.json", func(s Settings) bool {
			return s.Schema.UserAPI && s.Schema.UserDefinedViews == "~/views.json"
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;LocalFiles=none", func(s Settings) bool {
			return s.LocalFiles == LocalFiles{None: true}
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;LocalFiles=~/exports", func(s Settings) bool {
			return s.LocalFiles == LocalFiles{Folder: "~/exports"}
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;Logfile=~/k.log;Verbosity=3;MaxLogFileSize=512kb;LogModules='http; PUSHDOWN,http'", func(s Settings) bool {
			return reflect.DeepEqual(s.Logging, LogSettings{File: "~/k.log", Verbosity: 3, MaxFileSize: 512 << 10,
				Modules: []string{"http", "pushdown"}})
		}},
		{"Url=https://x.cybozu.com;APIToken=abc,def;AppId=3,4;UseCodeForFieldName=true;NumberMapToDouble=true", func(s Settings) bool {
			return s.AuthScheme == AuthAPIToken && reflect.DeepEqual(s.Tokens, []TokenPair{{3, "abc"}, {4, "def"}}) &&
				s.User == "" && s.Schema.UseCodeForFieldName && s.Schema.NumberMapToDouble
		}},
		{"Url=https://x.cybozu.com;User=u;Password=p;ProxyServer=px.local;ProxyPort=3128;ProxyExceptions='a.local;b.local';BasicAuthUser=b;BasicAuthPassword=c", func(s Settings) bool {
			return s.Proxy.Enabled && s.Proxy.Server == "px.local" && s.Proxy.Port == 3128 &&
				reflect.DeepEqual(s.Proxy.Exceptions, []string{"a.local", "b.local"}) && s.BasicAuth == BasicAuth{"b", "c"}
		}},
		{"Url=https://x.cybozu.com;OAuthClientId=id;OAuthClientSecret=sec;InitiateOAuth=OFF;OAuthAccessToken=tok", func(s Settings) bool {
			return s.AuthScheme == AuthOAuth && s.OAuth.ClientID == "id" && s.OAuth.ClientSecret == "sec" &&
				s.OAuth.InitiateOAuth == "OFF" && s.OAuth.AccessToken == "tok" && s.User == ""
		}},
	}
	for _, c := range cases {
		cfg, err := Parse(c.conn)
		if err != nil {
			t.Errorf("%s: %v", c.conn, err)
			continue
		}
		if s := cfg.Settings(); !c.check(s) {
			t.Errorf("%s: %+v", c.conn, s)
		}
	}
}

func TestLocalFilesValues(t *testing.T) {
	for _, bad := range []string{"exports", "./exports", "~user/x", "/tmp/a\x00b", "any-thing"} {
		if _, err := Parse("Url=https://x.cybozu.com;User=u;Password=p;LocalFiles='" + bad + "'"); err == nil ||
			!strings.Contains(err.Error(), "LocalFiles must be ANY, NONE or a folder given as an absolute path") {
			t.Errorf("LocalFiles=%q: %v", bad, err)
		}
	}
}

func TestLoggingValuesRefused(t *testing.T) {
	for value, want := range map[string]string{
		"MaxLogFileSize=10TB":          "MaxLogFileSize must be a size of at least 1KB",
		"MaxLogFileSize=1000":          "at least 1KB",
		"MaxLogFileSize=-5MB":          "not \"-5MB\"",
		"LogModules='HTTP;SSL'":        "unknown module \"SSL\"",
		"LogModules=';,'":              "names no module",
		"Verbosity=6":                  "Verbosity",
		"MaxLogFileSize=99999999999GB": "MaxLogFileSize",
	} {
		_, err := Parse("Url=https://x.cybozu.com;User=u;Password=p;" + value)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to say %q", value, err, want)
		}
	}
}

// TestPropConstantsNameProperties: every Prop* constant is the canonical name of a property,
// so that the names this package reads by cannot be misspelt.
func TestPropConstantsNameProperties(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "properties.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				if !strings.HasPrefix(id.Name, "Prop") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				name, _ := strconv.Unquote(lit.Value)
				if p := lookup(name); p == nil || p.Name != name {
					t.Errorf("%s = %q is not the canonical name of a property", id.Name, name)
				}
				n++
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d Prop constants found", n)
	}
}

func TestUseCursorIsExplicit(t *testing.T) {
	// Scans use cursors only when UseCursor=true is given: the default is id paging.
	for conn, want := range map[string]bool{"": false, ";UseCursor=false": false, ";UseCursor=true": true} {
		c, err := Parse("Url=https://x.cybozu.com;User=u;Password=p" + conn)
		if err != nil {
			t.Fatalf("%q: %v", conn, err)
		}
		if got := c.Settings().UseCursor; got != want {
			t.Errorf("%q: UseCursor = %v, want %v", conn, got, want)
		}
	}
}

func TestSupportLevels(t *testing.T) {
	if NotYet.Accepted() || !Supported.Accepted() || !NoEffectYet.Accepted() {
		t.Error("Accepted")
	}
}
