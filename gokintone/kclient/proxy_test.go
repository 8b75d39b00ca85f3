package kclient

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/testtls"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

func proxyPort(t *testing.T, p *testtls.Proxy) int {
	t.Helper()
	_, port, _ := net.SplitHostPort(p.Addr())
	n := 0
	for _, r := range port {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestProxyTunnelAndForward(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	srv := startTLS(t, ca.Server(t, "127.0.0.1"))
	plain := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, appJSON) })
	px := testtls.StartProxy(t, proxyUser, proxyPass)
	wantAuth := "Basic " + b64(proxyUser+":"+proxyPass)
	viaProxy := func(o ProxyOptions) func(*Config) {
		return func(c *Config) {
			c.TLS.ServerCert = ca.CertPEM()
			o.Server, o.Port = "127.0.0.1", proxyPort(t, px)
			c.Proxy = o
		}
	}

	// https goes through a CONNECT tunnel, with the credentials on the CONNECT.
	for _, typ := range []string{"", "AUTO", "TUNNEL"} {
		before := len(px.Connects())
		if err := callApp(t, srv.URL, viaProxy(ProxyOptions{User: proxyUser, Password: proxyPass, SSLType: typ})); err != nil {
			t.Fatalf("tunnel %q: %v", typ, err)
		}
		if got := px.Connects(); len(got) != before+1 || got[before] != srv.Listener.Addr().String() {
			t.Errorf("tunnel %q: CONNECTs %v", typ, got)
		}
	}
	if auth := px.Auth(); len(auth) == 0 || auth[len(auth)-1] != wantAuth {
		t.Errorf("Proxy-Authorization %q, want %q", auth, wantAuth)
	}
	// Plain http (the loopback simulator) is forwarded, credentials included.
	if err := callApp(t, plain.URL, viaProxy(ProxyOptions{User: proxyUser, Password: proxyPass})); err != nil {
		t.Fatalf("forward: %v", err)
	}
	if got := px.Forwards(); len(got) != 1 || !strings.HasPrefix(got[0], plain.URL+"/k/v1/app.json") {
		t.Errorf("forwards %v", got)
	}
	if auth := px.Auth(); auth[len(auth)-1] != wantAuth {
		t.Errorf("forward Proxy-Authorization %q", auth[len(auth)-1])
	}
	// Exceptions are reached directly.
	before := len(px.Auth())
	_, srvPort, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, ex := range [][]string{{"127.0.0.1"}, {"127.0.0.0/8"}, {"*"}, {"example.com", "127.0.0.1:" + srvPort}} {
		if err := callApp(t, srv.URL, viaProxy(ProxyOptions{User: proxyUser, Password: proxyPass, Exceptions: ex})); err != nil {
			t.Errorf("exceptions %v: %v", ex, err)
		}
	}
	if len(px.Auth()) != before {
		t.Errorf("exceptions went through the proxy")
	}

	// Errors never show the proxy password.
	err := callApp(t, srv.URL, viaProxy(ProxyOptions{User: proxyUser, Password: "wrong-" + proxyPass}))
	expectKind(t, "wrong proxy password", err, kerr.KindNetwork, "refused the credentials", "ProxyUser")
	err = callApp(t, plain.URL, viaProxy(ProxyOptions{User: proxyUser, Password: "wrong-" + proxyPass}))
	expectKind(t, "wrong proxy password, forwarded", err, kerr.KindHTTPError, "407")
	err = callApp(t, srv.URL, viaProxy(ProxyOptions{AuthScheme: "NONE"}))
	expectKind(t, "no proxy credentials", err, kerr.KindNetwork, "refused the credentials")
	err = callApp(t, srv.URL, func(c *Config) {
		c.Proxy = ProxyOptions{Server: "127.0.0.1", Port: unusedPort(t), User: proxyUser, Password: proxyPass}
	})
	expectKind(t, "proxy down", err, kerr.KindNetwork, "cannot connect to the proxy 127.0.0.1:")

	// Configuration errors.
	for what, o := range map[string]ProxyOptions{
		"TUNNEL with http": {Server: "127.0.0.1", Port: 1, SSLType: "TUNNEL"},
		"NONE with user":   {Server: "p", AuthScheme: "NONE", User: "u", Password: proxyPass},
		"both":             {Server: "p", AutoDetect: true},
		"bad exception":    {Server: "p", Exceptions: []string{"a b"}},
		"no proxy":         {User: "u", Password: proxyPass},
	} {
		expectKind(t, what, callApp(t, plain.URL, func(c *Config) { c.Proxy = o }), kerr.KindInvalidConfig)
	}
	for what, o := range map[string]ProxyOptions{
		"NTLM":   {Server: "p", AuthScheme: "NTLM"},
		"ALWAYS": {Server: "p", SSLType: "ALWAYS"},
	} {
		expectKind(t, what, callApp(t, plain.URL, func(c *Config) { c.Proxy = o }), kerr.KindNotSupported, what)
	}
}

func unusedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestProxyAutoDetect(t *testing.T) {
	// The environment's proxy never applies to loopback hosts, so the server is reached by a
	// made-up name that only the proxy resolves.
	const host = "kintone.example.test"
	ca := testtls.NewCA(t, "Server CA")
	srv := startTLS(t, ca.Server(t, host))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	px := testtls.StartProxy(t, proxyUser, proxyPass)
	px.Redirect[host+":"+port] = srv.Listener.Addr().String()
	env := map[string]string{"https_proxy": "http://" + proxyUser + ":" + proxyPass + "@" + px.Addr()}
	getenv := func(k string) string { return env[k] }
	auto := func(c *Config) {
		c.TLS.ServerCert = ca.CertPEM()
		c.Proxy = ProxyOptions{AutoDetect: true, Getenv: getenv}
	}
	if err := callApp(t, "https://"+host+":"+port, auto); err != nil {
		t.Fatal(err)
	}
	if got := px.Connects(); len(got) != 1 || got[0] != host+":"+port {
		t.Errorf("CONNECTs %v", got)
	}
	// Wrong credentials in the environment are not shown either.
	env["https_proxy"] = "http://" + proxyUser + ":env-" + proxyPass + "@" + px.Addr()
	err := callApp(t, "https://"+host+":"+port, auto)
	expectKind(t, "env credentials", err, kerr.KindNetwork, "refused the credentials")
	if strings.Contains(err.Error(), "env-"+proxyPass) {
		t.Errorf("env password shown: %v", err)
	}
	// Without AutoDetect the environment is ignored (and the made-up host does not resolve).
	env["HTTPS_PROXY"] = env["https_proxy"]
	u, _ := url.Parse("https://" + host)
	c, err := New(Config{BaseURL: u, User: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if c.proxy != nil || c.http.Transport.(*http.Transport).Proxy != nil {
		t.Errorf("a proxy is configured without AutoDetect")
	}
}

func TestProxyFor(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "proxy.corp:3128", "http_proxy": "http://p2:8080", "NO_PROXY": "internal.example, .svc.local,10.0.0.0/8"}
	ps, _, err := newProxySetup(ProxyOptions{AutoDetect: true, Getenv: func(k string) string { return env[k] },
		Exceptions: []string{"*.kintone.example", "direct.example:8443"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]string{
		"https://a.cybozu.com/k":         "proxy.corp:3128",
		"http://a.cybozu.com/k":          "p2:8080",
		"https://internal.example/":      "",
		"https://x.internal.example/":    "",
		"https://svc.local/":             "proxy.corp:3128",
		"https://a.svc.local/":           "",
		"https://10.1.2.3/":              "",
		"https://11.1.2.3/":              "proxy.corp:3128",
		"https://localhost:8443/":        "",
		"https://127.0.0.1/":             "",
		"https://[::1]:9/":               "",
		"https://a.kintone.example/":     "",
		"https://kintone.example/":       "proxy.corp:3128",
		"https://direct.example:8443/":   "",
		"https://direct.example/":        "proxy.corp:3128",
		"https://A.KINTONE.EXAMPLE:443/": "",
	} {
		u, _ := url.Parse(raw)
		got, err := ps.proxyFor(&http.Request{URL: u})
		host := ""
		if got != nil {
			host = got.Host
		}
		if err != nil || host != want {
			t.Errorf("%s: proxy %q (%v), want %q", raw, host, err, want)
		}
	}
	// An explicit proxy applies to loopback too, except for exceptions.
	ps, _, _ = newProxySetup(ProxyOptions{Server: "::1", Port: 3128, Exceptions: []string{"localhost"}}, nil)
	u, _ := url.Parse("https://127.0.0.1/")
	if got, _ := ps.proxyFor(&http.Request{URL: u}); got == nil || got.Host != "[::1]:3128" {
		t.Errorf("explicit proxy for loopback: %v", got)
	}
	u, _ = url.Parse("http://localhost:80/")
	if got, _ := ps.proxyFor(&http.Request{URL: u}); got != nil {
		t.Errorf("exception: %v", got)
	}
}
