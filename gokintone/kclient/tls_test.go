package kclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/testtls"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

const (
	certPass  = "pfx-S3cret-pw"
	proxyUser = "pxuser"
	proxyPass = "proxy-S3cret-pw"
)

// tlsServer starts an https server presenting cert; with clientCAs it requires a client
// certificate. It records the subject CN of each client certificate it sees.
type tlsServer struct {
	*httptest.Server
	mu  sync.Mutex
	cns []string
}

func startTLS(t *testing.T, cert *testtls.Cert, clientCAs ...*testtls.Cert) *tlsServer {
	t.Helper()
	s := &tlsServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			s.mu.Lock()
			s.cns = append(s.cns, r.TLS.PeerCertificates[0].Subject.CommonName)
			s.mu.Unlock()
		}
		writeJSON(w, 200, appJSON)
	}))
	s.TLS = cert.TLSServerConfig(clientCAs...)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are what the tests provoke
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *tlsServer) lastCN() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cns) == 0 {
		return ""
	}
	return s.cns[len(s.cns)-1]
}

// callApp builds a client for rawURL with edit applied and fetches one app.
func callApp(t *testing.T, rawURL string, edit func(*Config)) error {
	t.Helper()
	u, _ := url.Parse(rawURL)
	cfg := Config{BaseURL: u, User: testUser, Password: testPassword, Timeout: 10 * time.Second,
		Retry: RetryPolicy{MaxRetries: -1}}
	edit(&cfg)
	c, err := New(cfg)
	if err != nil {
		return err
	}
	_, err = c.App(context.Background(), 3)
	return err
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func expectKind(t *testing.T, what string, err error, kind kerr.Kind, contains ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if testing.Verbose() {
		t.Logf("%s: %v", what, err)
	}
	if got := kerr.KindOf(err); got != kind {
		t.Errorf("%s: kind %s, want %s: %v", what, got, kind, err)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%s: %q lacks %q", what, err.Error(), s)
		}
	}
	assertNoSecrets(t, err.Error())
	for _, s := range []string{certPass, proxyPass, b64(proxyUser + ":" + proxyPass)} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("%s: error shows a secret: %v", what, err)
		}
	}
}

func TestServerCertificate(t *testing.T) {
	ca := testtls.NewCA(t, "Test Root CA")
	other := testtls.NewCA(t, "Other CA")
	leaf := ca.Server(t, "127.0.0.1")
	srv := startTLS(t, leaf)
	caFile := writeFile(t, "ca.pem", []byte(ca.CertPEM()))
	derFile := writeFile(t, "ca.cer", ca.Cert.Raw)
	s1 := sha1.Sum(leaf.Cert.Raw)
	spki := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: leaf.Cert.RawSubjectPublicKeyInfo}))

	for name, v := range map[string]string{
		"CA inline": ca.CertPEM(), "CA file": caFile, "CA DER file": derFile, "pinned leaf": leaf.CertPEM(),
		"SHA-256 fingerprint": Fingerprint(leaf.Cert), "SHA-1 fingerprint": hex.EncodeToString(s1[:]),
		"public key": spki, "any": "*", "bundle with another CA": other.CertPEM() + ca.CertPEM(),
	} {
		if err := callApp(t, srv.URL, func(c *Config) { c.TLS.ServerCert = v }); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Default: the system roots do not know the test CA.
	err := callApp(t, srv.URL, func(*Config) {})
	expectKind(t, "system roots", err, kerr.KindTLSUntrustedServer, "not trusted", "SSLServerCert", Fingerprint(leaf.Cert), "127.0.0.1")
	if !errors.Is(err, ErrUntrustedServer) || IsRetryable(err) {
		t.Errorf("untrusted: errors.Is = %v, retryable = %v", errors.Is(err, ErrUntrustedServer), IsRetryable(err))
	}
	// Only what is given is trusted.
	err = callApp(t, srv.URL, func(c *Config) { c.TLS.ServerCert = other.CertPEM() })
	expectKind(t, "other CA", err, kerr.KindTLSUntrustedServer, "not trusted", `issuer "CN=Test Root CA`)
	err = callApp(t, srv.URL, func(c *Config) { c.TLS.ServerCert = Fingerprint(other.Cert) })
	expectKind(t, "other fingerprint", err, kerr.KindTLSUntrustedServer, "not trusted")
	// Chains are checked with the host name: the leaf is for 127.0.0.1, not localhost.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	err = callApp(t, "https://localhost:"+port, func(c *Config) { c.TLS.ServerCert = ca.CertPEM() })
	expectKind(t, "host name", err, kerr.KindTLSUntrustedServer, "not trusted", "localhost")

	// Configuration problems.
	err = callApp(t, srv.URL, func(c *Config) { c.TLS.ServerCert = filepath.Join(t.TempDir(), "missing.pem") })
	expectKind(t, "missing file", err, kerr.KindIO, "SSLServerCert file", "does not exist")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: not fs.ErrNotExist: %v", err)
	}
	err = callApp(t, srv.URL, func(c *Config) { c.TLS.ServerCert = "-----BEGIN NONSENSE-----\n-----END NONSENSE-----" })
	expectKind(t, "no certificate", err, kerr.KindInvalidConfig, "no CERTIFICATE")
}

func TestClientCertificate(t *testing.T) {
	ca := testtls.NewCA(t, "Server CA")
	clientCA := testtls.NewCA(t, "Client CA")
	srv := startTLS(t, ca.Server(t, "127.0.0.1"), clientCA)
	alice := clientCA.Client(t, pkix.Name{CommonName: "alice", Organization: []string{"Example"}, OrganizationalUnit: []string{"Sales, East"}})
	bob := clientCA.Client(t, pkix.Name{CommonName: "Bob", Organization: []string{"Example"}, Country: []string{"JP"}})
	stranger := testtls.NewCA(t, "Stranger CA").Client(t, pkix.Name{CommonName: "mallory"})

	base := func(c *Config) { c.TLS.ServerCert = ca.CertPEM() }
	with := func(o TLSOptions) func(*Config) {
		return func(c *Config) { base(c); o.ServerCert = c.TLS.ServerCert; c.TLS = o }
	}
	ok := func(what, wantCN string, o TLSOptions) {
		t.Helper()
		if err := callApp(t, srv.URL, with(o)); err != nil {
			t.Errorf("%s: %v", what, err)
		} else if got := srv.lastCN(); got != wantCN {
			t.Errorf("%s: server saw CN %q, want %q", what, got, wantCN)
		}
	}

	// PEM.
	alicePEM := alice.CertPEM() + alice.KeyPEM(t)
	both := alicePEM + bob.KeyPEM(t) + bob.CertPEM()
	ok("PEM file", "alice", TLSOptions{ClientCert: writeFile(t, "alice.pem", []byte(alicePEM))})
	ok("PEM blob", "alice", TLSOptions{ClientCert: alicePEM, ClientCertType: CertPEMKeyBlob})
	ok("PEM blob in base64", "alice", TLSOptions{ClientCert: base64.StdEncoding.EncodeToString([]byte(alicePEM)), ClientCertType: CertPEMKeyBlob})
	ok("inline PEM with the default type", "alice", TLSOptions{ClientCert: alicePEM})
	ok("subject *", "alice", TLSOptions{ClientCert: both, ClientCertSubject: "*"})
	ok("subject CN", "Bob", TLSOptions{ClientCert: both, ClientCertSubject: "CN=bob"})
	ok("subject wildcard", "Bob", TLSOptions{ClientCert: both, ClientCertSubject: "cn=B*, C=jp"})
	ok("subject plain text is a CN", "Bob", TLSOptions{ClientCert: both, ClientCertSubject: "bob"})
	ok("subject quoted comma", "alice", TLSOptions{ClientCert: both, ClientCertSubject: `OU="sales, east",O=Example`})
	ok("encrypted PKCS#8", "alice", TLSOptions{ClientCert: alice.CertPEM() + alice.EncryptedKeyPEM(t, certPass), ClientCertPassword: certPass})
	//lint:ignore SA1019 testing the legacy format on purpose
	legacy, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", mustEC(t, alice), []byte(certPass), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	legacyPEM := alice.CertPEM() + string(pem.EncodeToMemory(legacy))
	ok("legacy encrypted PEM", "alice", TLSOptions{ClientCert: legacyPEM, ClientCertPassword: certPass})

	// PKCS#12, legacy and current encryption, as a file and as base64.
	for name, enc := range map[string]*pkcs12.Encoder{"RC2": pkcs12.LegacyRC2, "DES": pkcs12.LegacyDES, "AES": pkcs12.Modern} {
		pfx, err := enc.Encode(bob.Key, bob.Cert, []*x509.Certificate{clientCA.Cert}, certPass)
		if err != nil {
			t.Fatal(err)
		}
		ok("PFX file "+name, "Bob", TLSOptions{ClientCert: writeFile(t, "bob.p12", pfx), ClientCertType: CertPFXFile, ClientCertPassword: certPass})
		ok("PFX blob "+name, "Bob", TLSOptions{ClientCert: base64.StdEncoding.EncodeToString(pfx), ClientCertType: CertPFXBlob,
			ClientCertPassword: certPass, ClientCertSubject: "CN=bob,O=Example"})
		err = callApp(t, srv.URL, with(TLSOptions{ClientCert: base64.StdEncoding.EncodeToString(pfx), ClientCertType: CertPFXBlob,
			ClientCertPassword: "wrong-" + certPass}))
		expectKind(t, "PFX wrong password "+name, err, kerr.KindTLSCertPassword, "SSLClientCertPassword does not unlock")
		if !errors.Is(err, ErrCertPassword) {
			t.Errorf("PFX wrong password %s: not ErrCertPassword: %v", name, err)
		}
		err = callApp(t, srv.URL, with(TLSOptions{ClientCert: base64.StdEncoding.EncodeToString(pfx), ClientCertType: CertPFXBlob,
			ClientCertPassword: certPass, ClientCertSubject: "CN=alice"}))
		expectKind(t, "PFX subject mismatch "+name, err, kerr.KindInvalidConfig, `SSLClientCertSubject="CN=alice"`, "CN=Bob")
	}

	// Wrong or missing passwords.
	for what, o := range map[string]TLSOptions{
		"PKCS#8 wrong password":  {ClientCert: alice.CertPEM() + alice.EncryptedKeyPEM(t, certPass), ClientCertPassword: "not-" + certPass},
		"PKCS#8 no password":     {ClientCert: alice.CertPEM() + alice.EncryptedKeyPEM(t, certPass)},
		"legacy wrong password":  {ClientCert: legacyPEM, ClientCertPassword: "not-" + certPass},
		"legacy PEM no password": {ClientCert: legacyPEM},
	} {
		err := callApp(t, srv.URL, with(o))
		expectKind(t, what, err, kerr.KindTLSCertPassword, "SSLClientCertPassword")
		if !errors.Is(err, ErrCertPassword) {
			t.Errorf("%s: not ErrCertPassword: %v", what, err)
		}
	}
	// Missing files are a different error.
	for _, typ := range []string{CertPEMKeyFile, CertPFXFile} {
		err := callApp(t, srv.URL, with(TLSOptions{ClientCert: filepath.Join(t.TempDir(), "nope.p12"), ClientCertType: typ, ClientCertPassword: certPass}))
		expectKind(t, "missing "+typ, err, kerr.KindIO, "SSLClientCert file", "does not exist")
		if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrCertPassword) {
			t.Errorf("missing %s: %v", typ, err)
		}
	}
	expectKind(t, "no key", callApp(t, srv.URL, with(TLSOptions{ClientCert: alice.CertPEM()})), kerr.KindInvalidConfig, "no private key")
	expectKind(t, "key of another certificate", callApp(t, srv.URL, with(TLSOptions{ClientCert: alice.CertPEM() + bob.KeyPEM(t)})),
		kerr.KindInvalidConfig, "no certificate belongs to the private key")
	expectKind(t, "no subject match", callApp(t, srv.URL, with(TLSOptions{ClientCert: both, ClientCertSubject: "CN=carol"})),
		kerr.KindInvalidConfig, "CN=alice", "CN=Bob")
	expectKind(t, "bad subject", callApp(t, srv.URL, with(TLSOptions{ClientCert: both, ClientCertSubject: "XX=1"})),
		kerr.KindInvalidConfig, "unknown attribute")
	expectKind(t, "unsupported type", callApp(t, srv.URL, with(TLSOptions{ClientCert: "x", ClientCertType: "JKSFILE"})),
		kerr.KindNotSupported, "JKSFILE")
	blobErr := callApp(t, srv.URL, with(TLSOptions{ClientCert: strings.Repeat("QUJD", 30), ClientCertType: CertPFXBlob}))
	expectKind(t, "garbage PFX blob", blobErr, kerr.KindInvalidConfig, "PKCS#12")
	if strings.Contains(blobErr.Error(), "QUJD") {
		t.Errorf("blob shown: %v", blobErr)
	}

	// The server refuses: no certificate, or one from a CA it does not trust.
	err = callApp(t, srv.URL, base)
	expectKind(t, "no client certificate", err, kerr.KindTLSClientCertRequired, "refused the TLS connection", "SSLClientCert")
	err = callApp(t, srv.URL, with(TLSOptions{ClientCert: stranger.CertPEM() + stranger.KeyPEM(t)}))
	expectKind(t, "untrusted client certificate", err, kerr.KindTLSClientCertRejected, "did not accept the client certificate")
}

func mustEC(t *testing.T, c *testtls.Cert) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(c.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	return der
}
