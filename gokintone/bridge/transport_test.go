package bridge

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/testtls"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

const (
	simCreds   = "User=" + sample.Admin + ";Password=" + sample.Password
	pfxSecret  = "Pfx-S3cret-9"
	gateSecret = "Gate-S3cret-9"
	pxSecret   = "Proxy-S3cret-9"
	fwSecret   = "Firewall-S3cret-9"
)

// simServer serves the sample fixture over https with cert; with clientCAs it requires a client
// certificate issued by one of them. With tlsCert nil it serves plain http.
func simServer(t *testing.T, edit func(*kintonesim.Fixture), cert *testtls.Cert, clientCAs ...*testtls.Cert) *httptest.Server {
	t.Helper()
	f := sample.Fixture(sample.Options{OrderRecords: 10})
	if edit != nil {
		edit(f)
	}
	h, err := kintonesim.New(f, kintonesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if cert == nil {
		srv.Start()
	} else {
		srv.TLS = cert.TLSServerConfig(clientCAs...)
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
	return srv
}

// connectAndQuery connects and reads two records; it returns the connection's error.
func connectAndQuery(t *testing.T, conn string) error {
	t.Helper()
	h, err := connectWait(conn)
	if err != nil {
		return err
	}
	defer ConnClose(h)
	s, err := executeWait(h, "SELECT Id FROM Deals WHERE Id <= 2 ORDER BY Id", "")
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if rows, err := StmtFetch(s, 5, -1); err != nil || rows != `{"rows":2,"columns":[[1,2]],"shapes":["int"],"done":true,"ready":true,"events":0}` {
		t.Errorf("fetch: %s %v", rows, err)
	}
	info, _ := ConnInfo(h)
	for _, secret := range []string{pfxSecret, gateSecret, pxSecret, "PRIVATE KEY"} {
		if strings.Contains(info, secret) {
			t.Errorf("ConnInfo shows a secret: %s", info)
		}
	}
	return nil
}

func expectErr(t *testing.T, what string, err error, class Class, contains ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	wire := Wire(err)
	if got := classOf(err); got != class {
		t.Errorf("%s: class %s, want %s: %s", what, got, class, wire)
	}
	for _, s := range contains {
		if !strings.Contains(wire, s) {
			t.Errorf("%s: %q lacks %q", what, wire, s)
		}
	}
	for _, s := range []string{pfxSecret, gateSecret, pxSecret, fwSecret, sample.Password, "PRIVATE KEY",
		base64.StdEncoding.EncodeToString([]byte("pxuser:" + pxSecret)), base64.StdEncoding.EncodeToString([]byte("fwuser:x" + fwSecret))} {
		if strings.Contains(wire, s) {
			t.Errorf("%s: the error shows a secret: %s", what, wire)
		}
	}
}

func tempFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// quoted writes a connection-string value in single quotes.
func quoted(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

func TestConnectTLS(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	clientCA := testtls.NewCA(t, "Client CA")
	srv := simServer(t, nil, ca.Server(t, "127.0.0.1"), clientCA)
	alice := clientCA.Client(t, pkix.Name{CommonName: "alice", Organization: []string{"Example"}})
	bob := clientCA.Client(t, pkix.Name{CommonName: "bob", Organization: []string{"Example"}})
	pfx, err := pkcs12.Modern.Encode(bob.Key, bob.Cert, []*x509.Certificate{clientCA.Cert}, pfxSecret)
	if err != nil {
		t.Fatal(err)
	}
	caFile := tempFile(t, "ca.pem", []byte(ca.CertPEM()))
	pfxFile := tempFile(t, "bob.pfx", pfx)
	pemBoth := alice.CertPEM() + alice.KeyPEM(t) + bob.CertPEM() + bob.EncryptedKeyPEM(t, pfxSecret)
	base := "Url=" + srv.URL + ";" + simCreds + ";"

	for what, conn := range map[string]string{
		"PFX file, CA file":  base + "SSLServerCert=" + caFile + ";SSLClientCert=" + pfxFile + ";SSLClientCertType=PFXFILE;SSLClientCertPassword=" + pfxSecret,
		"PFX blob, CA blob":  base + "SSLServerCert=" + quoted(ca.CertPEM()) + ";SSLClientCert=" + base64.StdEncoding.EncodeToString(pfx) + ";SSLClientCertType=PFXBLOB;SSLClientCertPassword=" + pfxSecret + ";SSLClientCertSubject='CN=bob, O=Example'",
		"PEM blob, subject":  base + "SSLServerCert=*;SSLClientCert=" + quoted(pemBoth) + ";SSLClientCertType=PEMKEY_BLOB;SSLClientCertPassword=" + pfxSecret + ";SSLClientCertSubject=CN=bob",
		"PEM file, first":    base + "SSLServerCert=" + caFile + ";SSLClientCert=" + tempFile(t, "alice.pem", []byte(alice.CertPEM()+alice.KeyPEM(t))),
		"accept any (*)":     base + "SSLServerCert=*;SSLClientCert=" + pfxFile + ";SSLClientCertType=PFXFILE;SSLClientCertPassword=" + pfxSecret,
		"inline default PEM": base + "SSLServerCert=" + caFile + ";SSLClientCert=" + quoted(alice.CertPEM()+alice.KeyPEM(t)),
	} {
		if err := connectAndQuery(t, conn); err != nil {
			t.Errorf("%s: %s", what, Wire(err))
		}
	}

	withPFX := ";SSLClientCert=" + pfxFile + ";SSLClientCertType=PFXFILE;SSLClientCertPassword="
	expectErr(t, "system roots", connectAndQuery(t, base+"SSLClientCert="+pfxFile+";SSLClientCertType=PFXFILE;SSLClientCertPassword="+pfxSecret),
		OperationalError, "::tls_untrusted_server] ", "is not trusted", "SSLServerCert", "SHA-256 fingerprint")
	expectErr(t, "wrong password", connectAndQuery(t, base+"SSLServerCert="+caFile+withPFX+"x"+pfxSecret),
		InterfaceError, "::tls_cert_password] ", "SSLClientCertPassword does not unlock")
	expectErr(t, "wrong PEM password", connectAndQuery(t, base+"SSLServerCert=*;SSLClientCert="+quoted(pemBoth)+
		";SSLClientCertType=PEMKEY_BLOB;SSLClientCertPassword=x"+pfxSecret+";SSLClientCertSubject=CN=bob"),
		InterfaceError, "::tls_cert_password] ", "SSLClientCertPassword does not unlock")
	expectErr(t, "missing file", connectAndQuery(t, base+"SSLServerCert="+caFile+";SSLClientCert="+pfxFile+".gone;SSLClientCertType=PFXFILE"),
		OperationalError, "SSLClientCert file", "does not exist")
	expectErr(t, "subject", connectAndQuery(t, base+"SSLServerCert="+caFile+withPFX+pfxSecret+";SSLClientCertSubject=CN=carol"),
		InterfaceError, `SSLClientCertSubject="CN=carol"`, "CN=bob,O=Example")
	expectErr(t, "no client certificate", connectAndQuery(t, base+"SSLServerCert="+caFile),
		OperationalError, "::tls_client_cert_required] ", "requires a client certificate", "SSLClientCert")
	stranger := testtls.NewCA(t, "Stranger CA").Client(t, pkix.Name{CommonName: "mallory"})
	expectErr(t, "refused client certificate", connectAndQuery(t, base+"SSLServerCert="+caFile+";SSLClientCert="+quoted(stranger.CertPEM()+stranger.KeyPEM(t))),
		OperationalError, "::tls_client_cert_refused] ", "did not accept the client certificate")
	expectErr(t, "store", connectAndQuery(t, base+"SSLClientCert=MY;SSLClientCertType=USER"), NotSupportedError, "SSLClientCertType=USER")
}

func TestConnectBasicLayer(t *testing.T) {
	srv := simServer(t, func(f *kintonesim.Fixture) { f.BasicAuth = &kintonesim.BasicAuth{User: "gate", Password: gateSecret} }, nil)
	base := "Url=" + srv.URL + ";" + simCreds
	if err := connectAndQuery(t, base+";BasicAuthUser=gate;BasicAuthPassword="+gateSecret); err != nil {
		t.Fatal(err)
	}
	expectErr(t, "no Basic layer", connectAndQuery(t, base), OperationalError, "HTTP 401", "BasicAuthUser")
	expectErr(t, "wrong Basic password", connectAndQuery(t, base+";BasicAuthUser=gate;BasicAuthPassword=x"+gateSecret),
		OperationalError, "HTTP 401")
	expectErr(t, "half", connectAndQuery(t, base+";BasicAuthPassword="+gateSecret), InterfaceError, "go together")
}

func TestConnectProxy(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	srv := simServer(t, nil, ca.Server(t, "127.0.0.1", "kintone.example.test"))
	px := testtls.StartProxy(t, "pxuser", pxSecret)
	base := "Url=" + srv.URL + ";" + simCreds + ";SSLServerCert=" + quoted(ca.CertPEM()) + ";ProxyServer=127.0.0.1;ProxyPort=" + px.Port()
	if err := connectAndQuery(t, base+";ProxyUser=pxuser;ProxyPassword="+pxSecret); err != nil {
		t.Fatal(Wire(err))
	}
	tunnels := len(px.Connects())
	if tunnels == 0 {
		t.Fatalf("no CONNECT through the proxy")
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("pxuser:"+pxSecret))
	for _, a := range px.Auth() {
		if a != want {
			t.Errorf("Proxy-Authorization %q", a)
		}
	}
	if err := connectAndQuery(t, base+";ProxyUser=pxuser;ProxyPassword="+pxSecret+";ProxySSLType=TUNNEL;ProxyExceptions='example.com; 127.0.0.1'"); err != nil {
		t.Fatal(err)
	}
	if len(px.Connects()) != tunnels {
		t.Errorf("ProxyExceptions: the request went through the proxy")
	}
	expectErr(t, "wrong proxy password", connectAndQuery(t, base+";ProxyUser=pxuser;ProxyPassword=x"+pxSecret),
		OperationalError, "refused the credentials")
	expectErr(t, "NTLM", connectAndQuery(t, base+";ProxyAuthScheme=NTLM"), NotSupportedError, "ProxyAuthScheme=NTLM")

	// ProxyAutoDetect reads HTTPS_PROXY; loopback is never proxied from the environment, so the
	// simulator is addressed by a name only the proxy knows.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	px.Redirect["kintone.example.test:"+port] = srv.Listener.Addr().String()
	t.Setenv("HTTPS_PROXY", "http://pxuser:"+pxSecret+"@"+px.Addr())
	t.Setenv("NO_PROXY", "")
	auto := "Url=https://kintone.example.test:" + port + ";" + simCreds + ";SSLServerCert=" + quoted(ca.CertPEM())
	if err := connectAndQuery(t, auto+";ProxyAutoDetect=true"); err != nil {
		t.Fatal(Wire(err))
	}
	if got := px.Connects(); len(got) == tunnels || got[len(got)-1] != "kintone.example.test:"+port {
		t.Errorf("ProxyAutoDetect: CONNECTs %v", got)
	}
	// Without it, the environment is ignored: the made-up name does not resolve.
	n := len(px.Connects())
	expectErr(t, "no auto-detect", connectAndQuery(t, auto), OperationalError, "kintone.example.test")
	if len(px.Connects()) != n {
		t.Errorf("the environment's proxy was used without ProxyAutoDetect")
	}
	t.Setenv("NO_PROXY", "example.test")
	expectErr(t, "NO_PROXY", connectAndQuery(t, auto+";ProxyAutoDetect=true"), OperationalError, "kintone.example.test")
	if len(px.Connects()) != n {
		t.Errorf("NO_PROXY: went through the proxy")
	}
}

// TestConnectFirewall: the Firewall properties reach the client's transport (kclient tests each
// firewall type); an HTTP proxy serves as the TUNNEL firewall, and carries the connection to the
// proxy set with ProxyServer too.
func TestConnectFirewall(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	srv := simServer(t, nil, ca.Server(t, "127.0.0.1"))
	fw := testtls.StartProxy(t, "fwuser", fwSecret)
	base := "Url=" + srv.URL + ";" + simCreds + ";SSLServerCert=" + quoted(ca.CertPEM()) +
		";FirewallType=TUNNEL;FirewallServer=127.0.0.1;FirewallPort=" + fw.Port() + ";FirewallUser=fwuser"
	if err := connectAndQuery(t, base+";FirewallPassword="+fwSecret); err != nil {
		t.Fatal(Wire(err))
	}
	if got := fw.Connects(); len(got) == 0 || got[0] != srv.Listener.Addr().String() {
		t.Errorf("CONNECTs %v, want %s", got, srv.Listener.Addr())
	}
	px := testtls.StartProxy(t, "", "")
	n := len(fw.Connects())
	if err := connectAndQuery(t, base+";FirewallPassword="+fwSecret+";ProxyServer=127.0.0.1;ProxyPort="+px.Port()); err != nil {
		t.Fatal(Wire(err))
	}
	if got := fw.Connects(); len(got) == n || got[n] != px.Addr() {
		t.Errorf("firewall CONNECTs %v, want the proxy %s", got[n:], px.Addr())
	}
	if got := px.Connects(); len(got) == 0 || got[0] != srv.Listener.Addr().String() {
		t.Errorf("proxy CONNECTs %v", got)
	}
	expectErr(t, "wrong firewall password", connectAndQuery(t, base+";FirewallPassword=x"+fwSecret),
		OperationalError, "the TUNNEL firewall 127.0.0.1:"+fw.Port()+" refused the credentials")
	expectErr(t, "no FirewallPort", connectAndQuery(t, "Url="+srv.URL+";"+simCreds+";FirewallType=SOCKS5;FirewallServer=fw"),
		InterfaceError, "FirewallType=SOCKS5 needs FirewallServer and FirewallPort")
}

// TestUserAgentNamesTheVersion: every request of a connection names the connector and the
// version of the core.
func TestUserAgentNamesTheVersion(t *testing.T) {
	sim, err := kintonesim.New(sample.Fixture(sample.Options{OrderRecords: 10}), kintonesim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	agents := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()]++
		mu.Unlock()
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	if err := connectAndQuery(t, "Url="+srv.URL+";"+simCreds); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "cdata-kintone/" + Version(); len(agents) != 1 || agents[want] == 0 {
		t.Errorf("User-Agent headers %v, want only %q", agents, want)
	}
}
