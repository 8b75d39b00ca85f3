package kclient

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/testtls"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

const (
	firewallUser = "fw-user"
	firewallPass = "fw-S3cret-pass"
)

// socksServer is a loopback SOCKS server for the tests (SOCKS4 and 4a, or SOCKS5 with optional
// username/password authentication). It records what each client asked for and relays the
// connection to the destination.
type socksServer struct {
	version        byte   // 4 or 5
	user, password string // required when user != "" (SOCKS4: the user id)
	refuse         byte   // a reply code to refuse every connection with; 0 connects
	ln             net.Listener

	mu       sync.Mutex
	requests []socksRequest
}

// socksRequest is one connection request a socksServer received.
type socksRequest struct {
	target string // host:port as asked for
	byName bool   // the host came as a name (SOCKS4a, SOCKS5 address type 3)
	user   string // SOCKS4 user id, or SOCKS5 user name
}

func startSOCKS(t *testing.T, s *socksServer) *socksServer {
	t.Helper()
	s.ln = serveLoopback(t, s.serve)
	return s
}

// serveLoopback listens on a loopback port until the test ends, handing each connection to
// serve on a goroutine of its own.
func serveLoopback(t *testing.T, serve func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(conn)
		}
	}()
	return ln
}

func (s *socksServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *socksServer) seen() []socksRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]socksRequest(nil), s.requests...)
}

func (s *socksServer) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	var req socksRequest
	var ok bool
	if s.version == 4 {
		req, ok = s.socks4(r, conn)
	} else {
		req, ok = s.socks5(r, conn)
	}
	if !ok {
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	code := s.refuse
	var dst net.Conn
	if code == 0 {
		var err error
		if dst, err = net.Dial("tcp", req.target); err != nil {
			code = map[byte]byte{4: 91, 5: 5}[s.version]
		}
	}
	if s.version == 4 {
		if code == 0 {
			code = 90
		}
		conn.Write([]byte{0, code, 0, 0, 0, 0, 0, 0})
	} else {
		conn.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
	}
	if dst == nil {
		return
	}
	defer dst.Close()
	_ = conn.SetDeadline(time.Time{})
	go io.Copy(dst, r)
	io.Copy(conn, dst)
}

func (s *socksServer) socks4(r *bufio.Reader, conn net.Conn) (socksRequest, bool) {
	var head [8]byte
	if _, err := io.ReadFull(r, head[:]); err != nil || head[0] != 4 || head[1] != 1 {
		return socksRequest{}, false
	}
	port := strconv.Itoa(int(binary.BigEndian.Uint16(head[2:4])))
	user, err := r.ReadString(0)
	if err != nil {
		return socksRequest{}, false
	}
	req := socksRequest{user: strings.TrimSuffix(user, "\x00"), target: net.JoinHostPort(net.IP(head[4:8]).String(), port)}
	if head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] != 0 { // SOCKS4a
		host, err := r.ReadString(0)
		if err != nil {
			return socksRequest{}, false
		}
		req.target, req.byName = net.JoinHostPort(strings.TrimSuffix(host, "\x00"), port), true
	}
	if s.user != "" && req.user != s.user {
		conn.Write([]byte{0, 93, 0, 0, 0, 0, 0, 0})
		return socksRequest{}, false
	}
	return req, true
}

func (s *socksServer) socks5(r *bufio.Reader, conn net.Conn) (socksRequest, bool) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil || head[0] != 5 {
		return socksRequest{}, false
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return socksRequest{}, false
	}
	want := byte(socks5NoAuth)
	if s.user != "" {
		want = socks5UserPassword
	}
	if !strings.ContainsRune(string(methods), rune(want)) {
		conn.Write([]byte{5, socks5NoAcceptable})
		return socksRequest{}, false
	}
	conn.Write([]byte{5, want})
	var req socksRequest
	if want == socks5UserPassword {
		readField := func() string {
			var n [1]byte
			io.ReadFull(r, n[:])
			b := make([]byte, n[0])
			io.ReadFull(r, b)
			return string(b)
		}
		var ver [1]byte
		io.ReadFull(r, ver[:])
		user, password := readField(), readField()
		if ver[0] != 1 || user != s.user || password != s.password {
			conn.Write([]byte{1, 1})
			return socksRequest{}, false
		}
		conn.Write([]byte{1, 0})
		req.user = user
	}
	var cmd [4]byte
	if _, err := io.ReadFull(r, cmd[:]); err != nil || cmd[0] != 5 || cmd[1] != 1 {
		return socksRequest{}, false
	}
	var host string
	switch cmd[3] {
	case 1, 4:
		ip := make(net.IP, map[byte]int{1: 4, 4: 16}[cmd[3]])
		io.ReadFull(r, ip)
		host = ip.String()
	case 3:
		n, _ := r.ReadByte()
		b := make([]byte, n)
		io.ReadFull(r, b)
		host, req.byName = string(b), true
	default:
		return socksRequest{}, false
	}
	var port [2]byte
	if _, err := io.ReadFull(r, port[:]); err != nil {
		return socksRequest{}, false
	}
	req.target = net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
	return req, true
}

// startTLSSim serves the sample data over HTTPS with a certificate of ca for localhost and
// 127.0.0.1.
func startTLSSim(t *testing.T, ca *testtls.Cert) *kintonesim.Running {
	t.Helper()
	cfg := ca.Server(t, "localhost", "127.0.0.1").TLSServerConfig()
	rn, err := kintonesim.StartTLS(sample.Fixture(sample.Options{OrderRecords: 1}), kintonesim.Options{}, 0,
		kintonesim.TLSOptions{ServerCert: cfg.Certificates[0]})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rn.Close() })
	return rn
}

// readApp reads the Deals app's settings from the simulator at baseURL through fw (with
// edit's further changes), trusting ca.
func readApp(t *testing.T, baseURL string, ca *testtls.Cert, fw FirewallOptions, edit ...func(*Config)) error {
	t.Helper()
	u, _ := url.Parse(baseURL)
	cfg := Config{BaseURL: u, User: "sato", Password: sample.Password, Timeout: 10 * time.Second,
		Retry: RetryPolicy{MaxRetries: -1}, Firewall: fw}
	if ca != nil {
		cfg.TLS.ServerCert = ca.CertPEM()
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		return err
	}
	defer c.HTTPClient().CloseIdleConnections()
	app, err := c.App(context.Background(), sample.DealsApp)
	if err == nil && app.Name != "Deals" {
		t.Errorf("app %d is %q, want Deals", sample.DealsApp, app.Name)
	}
	return err
}

func TestFirewallSOCKS5(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	sim := startTLSSim(t, ca)
	open := startSOCKS(t, &socksServer{version: 5})
	authed := startSOCKS(t, &socksServer{version: 5, user: firewallUser, password: firewallPass})
	target := "localhost:" + strconv.Itoa(sim.Port())

	// Without authentication; the host name goes to the firewall, which resolves it.
	if err := readApp(t, sim.URL(), ca, FirewallOptions{Type: "socks5", Server: "127.0.0.1", Port: open.port()}); err != nil {
		t.Fatal(err)
	}
	if got := open.seen(); len(got) != 1 || got[0] != (socksRequest{target: target, byName: true}) {
		t.Errorf("requests %+v, want one for %s by name", got, target)
	}
	// With a user name and password.
	fw := FirewallOptions{Type: "SOCKS5", Server: "127.0.0.1", Port: authed.port(), User: firewallUser, Password: firewallPass}
	if err := readApp(t, sim.URL(), ca, fw); err != nil {
		t.Fatal(err)
	}
	if got := authed.seen(); len(got) != 1 || got[0].user != firewallUser {
		t.Errorf("requests %+v, want one by %s", got, firewallUser)
	}
	// An IP address goes as one.
	ipURL := "https://127.0.0.1:" + strconv.Itoa(sim.Port())
	if err := readApp(t, ipURL, ca, fw); err != nil {
		t.Fatal(err)
	}
	if got := authed.seen(); got[len(got)-1].byName || got[len(got)-1].target != "127.0.0.1:"+strconv.Itoa(sim.Port()) {
		t.Errorf("last request %+v, want 127.0.0.1 as an address", got[len(got)-1])
	}

	// The server certificate is still verified, end to end through the firewall.
	err := readApp(t, sim.URL(), nil, fw)
	expectKind(t, "untrusted server", err, kerr.KindTLSUntrustedServer, "not trusted")

	wrong := fw
	wrong.Password = "wrong-" + firewallPass
	err = readApp(t, sim.URL(), ca, wrong)
	expectKind(t, "wrong password", err, kerr.KindNetwork,
		"the SOCKS5 firewall 127.0.0.1:"+strconv.Itoa(authed.port())+" refused the credentials", "FirewallPassword")
	if strings.Contains(err.Error(), firewallPass) {
		t.Errorf("the password shows: %v", err)
	}
	noUser := fw
	noUser.User, noUser.Password = "", ""
	err = readApp(t, sim.URL(), ca, noUser)
	expectKind(t, "no credentials", err, kerr.KindNetwork, "asks for credentials", "FirewallUser")

	refusing := startSOCKS(t, &socksServer{version: 5, refuse: 2})
	err = readApp(t, sim.URL(), ca, FirewallOptions{Type: "SOCKS5", Server: "127.0.0.1", Port: refusing.port()})
	expectKind(t, "refused by rule", err, kerr.KindNetwork,
		"refused the connection to "+target+": connection not allowed by ruleset (SOCKS5 reply 2)")
}

func TestFirewallSOCKS4(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	sim := startTLSSim(t, ca)
	port := strconv.Itoa(sim.Port())
	s := startSOCKS(t, &socksServer{version: 4, user: firewallUser})
	fw := FirewallOptions{Type: "SOCKS4", Server: "127.0.0.1", Port: s.port(), User: firewallUser}

	// An IPv4 address goes in the request (SOCKS4), a host name after the user id (SOCKS4a).
	if err := readApp(t, "https://127.0.0.1:"+port, ca, fw); err != nil {
		t.Fatal(err)
	}
	if err := readApp(t, sim.URL(), ca, fw); err != nil {
		t.Fatal(err)
	}
	want := []socksRequest{{target: "127.0.0.1:" + port, user: firewallUser}, {target: "localhost:" + port, byName: true, user: firewallUser}}
	if got := s.seen(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("requests %+v, want %+v", got, want)
	}

	other := fw
	other.User = "someone-else"
	err := readApp(t, sim.URL(), ca, other)
	expectKind(t, "wrong user id", err, kerr.KindNetwork,
		"the SOCKS4 firewall 127.0.0.1:"+strconv.Itoa(s.port())+" refused the connection to localhost:"+port, "(SOCKS4 reply 93)")
	err = readApp(t, "https://[::1]:"+port, ca, fw)
	expectKind(t, "IPv6", err, kerr.KindNetwork, "SOCKS4 carries IPv4 only")
}

func TestFirewallTunnel(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	sim := startTLSSim(t, ca)
	px := testtls.StartProxy(t, firewallUser, firewallPass)
	fw := FirewallOptions{Type: "TUNNEL", Server: "127.0.0.1", Port: proxyPort(t, px), User: firewallUser, Password: firewallPass}

	if err := readApp(t, sim.URL(), ca, fw); err != nil {
		t.Fatal(err)
	}
	target := "localhost:" + strconv.Itoa(sim.Port())
	if got := px.Connects(); len(got) != 1 || got[0] != target {
		t.Errorf("CONNECTs %v, want %s", got, target)
	}
	if got := px.Auth(); len(got) != 1 || got[0] != "Basic "+b64(firewallUser+":"+firewallPass) {
		t.Errorf("Proxy-Authorization %q", got)
	}
	// Plain http goes through the tunnel too (the firewall carries connections, not requests).
	plain := startSim(t)
	if err := readApp(t, plain.URL(), nil, fw); err != nil {
		t.Fatal(err)
	}
	if got := px.Forwards(); len(got) != 0 {
		t.Errorf("requests were forwarded instead of tunnelled: %v", got)
	}

	wrong := fw
	wrong.Password = "wrong-" + firewallPass
	err := readApp(t, sim.URL(), ca, wrong)
	expectKind(t, "wrong password", err, kerr.KindNetwork,
		"the TUNNEL firewall 127.0.0.1:"+px.Port()+" refused the credentials (HTTP 407 Proxy Authentication Required to CONNECT "+target+")",
		"FirewallPassword")
	if strings.Contains(err.Error(), firewallPass) || strings.Contains(err.Error(), b64(firewallUser+":wrong-"+firewallPass)) {
		t.Errorf("the password shows: %v", err)
	}
	err = readApp(t, sim.URL(), nil, fw)
	expectKind(t, "untrusted server", err, kerr.KindTLSUntrustedServer, "not trusted")
}

func startSim(t *testing.T) *kintonesim.Running {
	t.Helper()
	rn, err := kintonesim.Start(sample.Fixture(sample.Options{OrderRecords: 1}), kintonesim.Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rn.Close() })
	return rn
}

// With an HTTP proxy too, the firewall carries the connection to the proxy, and hosts in
// ProxyExceptions are reached through the firewall without the proxy.
func TestFirewallWithProxy(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	sim := startTLSSim(t, ca)
	s := startSOCKS(t, &socksServer{version: 5})
	px := testtls.StartProxy(t, proxyUser, proxyPass)
	fw := FirewallOptions{Type: "SOCKS5", Server: "127.0.0.1", Port: s.port()}
	viaProxy := func(exceptions ...string) func(*Config) {
		return func(c *Config) {
			c.Proxy = ProxyOptions{Server: "127.0.0.1", Port: proxyPort(t, px), User: proxyUser, Password: proxyPass, Exceptions: exceptions}
		}
	}
	if err := readApp(t, sim.URL(), ca, fw, viaProxy()); err != nil {
		t.Fatal(err)
	}
	target := "localhost:" + strconv.Itoa(sim.Port())
	if got := s.seen(); len(got) != 1 || got[0].target != px.Addr() {
		t.Errorf("firewall requests %+v, want one for the proxy %s", got, px.Addr())
	}
	if got := px.Connects(); len(got) != 1 || got[0] != target {
		t.Errorf("CONNECTs %v, want %s", got, target)
	}
	if err := readApp(t, sim.URL(), ca, fw, viaProxy("localhost")); err != nil {
		t.Fatal(err)
	}
	if got := s.seen(); len(got) != 2 || got[1].target != target {
		t.Errorf("firewall requests %+v, want the second for %s", got, target)
	}
	if len(px.Connects()) != 1 {
		t.Errorf("an exception went through the proxy")
	}
	// A refusing firewall is named, not the proxy.
	refusing := startSOCKS(t, &socksServer{version: 5, refuse: 5})
	err := readApp(t, sim.URL(), ca, FirewallOptions{Type: "SOCKS5", Server: "127.0.0.1", Port: refusing.port()}, viaProxy())
	expectKind(t, "refusing firewall before the proxy", err, kerr.KindNetwork,
		"the SOCKS5 firewall 127.0.0.1:"+strconv.Itoa(refusing.port())+" refused the connection to "+px.Addr()+": connection refused (SOCKS5 reply 5)")
}

// answering starts a loopback server that answers every connection with reply and closes it, or
// with silence until the client closes it when reply is "", and returns its port.
func answering(t *testing.T, reply string) int {
	t.Helper()
	ln := serveLoopback(t, func(conn net.Conn) {
		defer conn.Close()
		if reply == "" {
			io.Copy(io.Discard, conn)
		}
		io.WriteString(conn, reply)
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func TestFirewallErrors(t *testing.T) {
	sim := startSim(t)
	down := unusedPort(t)
	for _, typ := range []string{"TUNNEL", "SOCKS4", "SOCKS5"} {
		err := readApp(t, sim.URL(), nil, FirewallOptions{Type: typ, Server: "127.0.0.1", Port: down, User: firewallUser})
		expectKind(t, typ+" unreachable", err, kerr.KindNetwork,
			"the "+typ+" firewall 127.0.0.1:"+strconv.Itoa(down)+" cannot be reached", "FirewallServer and FirewallPort")
	}
	// A server of another kind: an HTTP server answering what it cannot read.
	web := answering(t, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
	for _, typ := range []string{"SOCKS4", "SOCKS5"} {
		err := readApp(t, sim.URL(), nil, FirewallOptions{Type: typ, Server: "127.0.0.1", Port: web})
		expectKind(t, typ+" at an HTTP server", err, kerr.KindNetwork, "did not answer as a "+typ+" server", "check FirewallType and FirewallPort")
	}
	err := readApp(t, sim.URL(), nil, FirewallOptions{Type: "TUNNEL", Server: "127.0.0.1", Port: answering(t, "\x05\xff")})
	expectKind(t, "TUNNEL at a SOCKS5 server", err, kerr.KindNetwork, "the TUNNEL firewall", "check FirewallType and FirewallPort")
	// A silent firewall is bounded by the request's Timeout.
	err = readApp(t, sim.URL(), nil, FirewallOptions{Type: "SOCKS5", Server: "127.0.0.1", Port: answering(t, "")},
		func(c *Config) { c.Timeout = 200 * time.Millisecond })
	expectKind(t, "silent firewall", err, kerr.KindTimeout, "timed out")

	for what, o := range map[string]FirewallOptions{
		"no server":           {Type: "SOCKS5", Port: 1080},
		"no port":             {Type: "TUNNEL", Server: "fw"},
		"server without type": {Server: "fw", Port: 1080},
		"password no user":    {Type: "SOCKS5", Server: "fw", Port: 1080, Password: firewallPass},
		"SOCKS4 password":     {Type: "SOCKS4", Server: "fw", Port: 1080, User: "u", Password: firewallPass},
		"bad server":          {Type: "SOCKS5", Server: "socks5://fw", Port: 1080},
	} {
		err := readApp(t, sim.URL(), nil, o)
		expectKind(t, what, err, kerr.KindInvalidConfig)
		if err != nil && strings.Contains(err.Error(), firewallPass) {
			t.Errorf("%s: the password shows: %v", what, err)
		}
	}
	expectKind(t, "unknown type", readApp(t, sim.URL(), nil, FirewallOptions{Type: "SOCKS6", Server: "fw", Port: 1}),
		kerr.KindNotSupported, "FirewallType=SOCKS6")
	_, err = New(Config{BaseURL: &url.URL{Scheme: "http", Host: "localhost"}, User: "u", Password: "p",
		HTTPClient: &http.Client{}, Firewall: FirewallOptions{Type: "SOCKS5", Server: "fw", Port: 1}})
	expectKind(t, "with HTTPClient", err, kerr.KindInvalidConfig, "firewall")
}
