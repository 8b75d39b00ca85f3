package kintonesim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// discardLog swallows the HTTPS server's own messages (refused handshakes are expected).
var discardLog = log.New(io.Discard, "", 0)

// TLSOptions configure StartTLS.
type TLSOptions struct {
	// ServerCert is the server's certificate chain and key (see GenerateTestPKI).
	ServerCert tls.Certificate
	// ClientCAs verify client certificates. With RequireClientCert a client must present a
	// certificate they signed, else the TLS handshake fails (like kintone's Secure Access host
	// {sub}.s.cybozu.com); without it a certificate is verified when one is sent.
	ClientCAs         *x509.CertPool
	RequireClientCert bool
}

func (t TLSOptions) config() (*tls.Config, error) {
	if len(t.ServerCert.Certificate) == 0 {
		return nil, errors.New("kintonesim: TLSOptions.ServerCert is empty")
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{t.ServerCert},
		MinVersion:   tls.VersionTLS12,
		// HTTP/1.1 only, so that FaultRule.Reset can drop the connection.
		NextProtos: []string{"http/1.1"},
		ClientCAs:  t.ClientCAs,
	}
	switch {
	case t.RequireClientCert:
		if t.ClientCAs == nil {
			return nil, errors.New("kintonesim: RequireClientCert needs ClientCAs")
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	case t.ClientCAs != nil:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// StartTLS builds a Server and serves it over HTTPS on 127.0.0.1:port (0 picks a free port);
// Running.URL is then https://localhost:PORT.
func StartTLS(f *Fixture, opts Options, port int, t TLSOptions) (*Running, error) {
	s, err := New(f, opts)
	if err != nil {
		return nil, err
	}
	return ServeTLS(s, port, t)
}

// ServeTLS serves an existing Server over HTTPS on 127.0.0.1:port (0 picks a free port).
func ServeTLS(s *Server, port int, t TLSOptions) (*Running, error) {
	cfg, err := t.config()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("kintonesim: listen: %w", err)
	}
	rn := &Running{Server: s, ln: ln, done: make(chan struct{}), scheme: "https",
		srv: &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second, TLSConfig: cfg,
			ErrorLog: discardLog}}
	go func() {
		defer close(rn.done)
		if err := rn.srv.Serve(tls.NewListener(ln, cfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; Close still works
		}
	}()
	return rn, nil
}

// TestPKI is a throwaway certificate authority with a server and client certificates, written
// as PEM files (keys unencrypted, PKCS#8) by GenerateTestPKI. PKCS#12 (.pfx/.p12) files are not
// written, as the Go standard library cannot produce them; make one when a client needs it with
// `openssl pkcs12 -export -in client.pem -inkey client-key.pem -out client.p12`.
type TestPKI struct {
	Dir string
	// CAFile is the CA certificate: trust it as the server's CA (RootCAs, SSLServerCert,
	// REQUESTS_CA_BUNDLE) and give it as ClientCAs.
	CAFile, CAKeyFile string
	// ServerCertFile and ServerKeyFile are the server's (SANs localhost, 127.0.0.1, ::1).
	ServerCertFile, ServerKeyFile string
	// ClientCertFile and ClientKeyFile are a client certificate the CA signed (CN
	// kintone-sim-client); ClientPEMFile holds the certificate followed by the key in one file.
	ClientCertFile, ClientKeyFile, ClientPEMFile string
	// UntrustedClientCertFile and UntrustedClientKeyFile are a client certificate signed by
	// another CA, which the server refuses.
	UntrustedClientCertFile, UntrustedClientKeyFile string

	CAPool           *x509.CertPool
	ServerCert       tls.Certificate
	ClientCert       tls.Certificate
	UntrustedCert    tls.Certificate
	CACertificate    *x509.Certificate
	ClientCommonName string

	files []string // every file written, for Remove
}

// TLSOptions returns server options that require a client certificate signed by the CA.
func (p *TestPKI) TLSOptions() TLSOptions {
	return TLSOptions{ServerCert: p.ServerCert, ClientCAs: p.CAPool, RequireClientCert: true}
}

// ClientTLSConfig returns a client configuration that trusts the CA and presents the client
// certificate (none when withCert is false).
func (p *TestPKI) ClientTLSConfig(withCert bool) *tls.Config {
	cfg := &tls.Config{RootCAs: p.CAPool, MinVersion: tls.VersionTLS12}
	if withCert {
		cfg.Certificates = []tls.Certificate{p.ClientCert}
	}
	return cfg
}

type keyPair struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	keyPEM  []byte
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
}

// issueCert makes a key and a certificate from tmpl, signed by parent (self-signed when nil).
func issueCert(tmpl *x509.Certificate, parent *keyPair) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if tmpl.SerialNumber, err = newSerial(); err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.AddDate(5, 0, 0)
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, key: key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})}, nil
}

func caTemplate(name string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"kintone simulator"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
}

func leafTemplate(cn string, usage x509.ExtKeyUsage) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn, Organization: []string{"kintone simulator"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
}

// Remove deletes the files GenerateTestPKI wrote, private keys included; the folder stays (it
// may be the caller's).
func (p *TestPKI) Remove() error {
	var errs []error
	for _, f := range p.files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// GenerateTestPKI creates a throwaway CA, a server certificate for localhost / 127.0.0.1 / ::1
// and client certificates (one signed by the CA, one by an unrelated CA) in dir, which is
// created if needed (owner-only: it holds private keys). Certificates are ECDSA P-256, valid
// from an hour ago for five years; Remove deletes the files.
// Files: ca.pem, ca-key.pem, server.pem, server-key.pem, client.pem, client-key.pem,
// client-combined.pem (certificate + key), untrusted-client.pem, untrusted-client-key.pem.
func GenerateTestPKI(dir string) (*TestPKI, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("kintonesim: %w", err)
	}
	ca, err := issueCert(caTemplate("kintone simulator test CA"), nil)
	if err != nil {
		return nil, fmt.Errorf("kintonesim: CA: %w", err)
	}
	srvT := leafTemplate("localhost", x509.ExtKeyUsageServerAuth)
	srvT.DNSNames = []string{"localhost"}
	srvT.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	srv, err := issueCert(srvT, ca)
	if err != nil {
		return nil, fmt.Errorf("kintonesim: server certificate: %w", err)
	}
	const clientCN = "kintone-sim-client"
	cli, err := issueCert(leafTemplate(clientCN, x509.ExtKeyUsageClientAuth), ca)
	if err != nil {
		return nil, fmt.Errorf("kintonesim: client certificate: %w", err)
	}
	other, err := issueCert(caTemplate("kintone simulator untrusted CA"), nil)
	if err != nil {
		return nil, fmt.Errorf("kintonesim: CA: %w", err)
	}
	bad, err := issueCert(leafTemplate("kintone-sim-untrusted-client", x509.ExtKeyUsageClientAuth), other)
	if err != nil {
		return nil, fmt.Errorf("kintonesim: client certificate: %w", err)
	}
	p := &TestPKI{Dir: dir, CACertificate: ca.cert, ClientCommonName: clientCN, CAPool: x509.NewCertPool()}
	p.CAPool.AddCert(ca.cert)
	files := []struct {
		field *string
		name  string
		data  []byte
		mode  os.FileMode
	}{
		{&p.CAFile, "ca.pem", ca.certPEM, 0o644},
		{&p.CAKeyFile, "ca-key.pem", ca.keyPEM, 0o600},
		{&p.ServerCertFile, "server.pem", srv.certPEM, 0o644},
		{&p.ServerKeyFile, "server-key.pem", srv.keyPEM, 0o600},
		{&p.ClientCertFile, "client.pem", cli.certPEM, 0o644},
		{&p.ClientKeyFile, "client-key.pem", cli.keyPEM, 0o600},
		{&p.ClientPEMFile, "client-combined.pem", append(append([]byte(nil), cli.certPEM...), cli.keyPEM...), 0o600},
		{&p.UntrustedClientCertFile, "untrusted-client.pem", bad.certPEM, 0o644},
		{&p.UntrustedClientKeyFile, "untrusted-client-key.pem", bad.keyPEM, 0o600},
	}
	for _, f := range files {
		*f.field = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.field, f.data, f.mode); err != nil {
			return nil, fmt.Errorf("kintonesim: %w", err)
		}
	}
	p.files = make([]string, len(files))
	for i, f := range files {
		p.files[i] = *f.field
	}
	// The server presents its certificate followed by the CA's, so clients that trust only
	// the CA can build the chain.
	p.ServerCert = tls.Certificate{Certificate: [][]byte{srv.cert.Raw, ca.cert.Raw}, PrivateKey: srv.key, Leaf: srv.cert}
	p.ClientCert = tls.Certificate{Certificate: [][]byte{cli.cert.Raw}, PrivateKey: cli.key, Leaf: cli.cert}
	p.UntrustedCert = tls.Certificate{Certificate: [][]byte{bad.cert.Raw}, PrivateKey: bad.key, Leaf: bad.cert}
	return p, nil
}
