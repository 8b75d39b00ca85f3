// Package testtls gives tests certificates made on the spot and a loopback HTTP proxy. It is
// for tests only.
package testtls

import (
	"bufio"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Cert is a certificate with its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

var serial atomic.Int64

// NewCA returns a self-signed CA certificate.
func NewCA(t testing.TB, cn string) *Cert {
	t.Helper()
	return issue(t, nil, &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"cdata-kintone tests"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	})
}

// Server issues a server certificate for the given DNS names and IP addresses.
func (ca *Cert) Server(t testing.TB, hosts ...string) *Cert {
	t.Helper()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0], Organization: []string{"Test Server"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return issue(t, ca, tmpl)
}

// Client issues a client certificate with the given subject.
func (ca *Cert) Client(t testing.TB, subject pkix.Name) *Cert {
	t.Helper()
	return issue(t, ca, &x509.Certificate{
		Subject:     subject,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

func issue(t testing.TB, parent *Cert, tmpl *x509.Certificate) *Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(serial.Add(1))
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	signer, issuer := crypto.Signer(key), tmpl
	if parent != nil {
		signer, issuer = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: c, Key: key}
}

// CertPEM returns the certificate in PEM.
func (c *Cert) CertPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw}))
}

// KeyPEM returns the private key as unencrypted PKCS#8 PEM.
func (c *Cert) KeyPEM(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// EncryptedKeyPEM returns the private key as encrypted PKCS#8 PEM (PBES2, PBKDF2-HMAC-SHA-256,
// AES-256-CBC), as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it.
func (c *Cert) EncryptedKeyPEM(t testing.TB, password string) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	salt, iv := make([]byte, 16), make([]byte, aes.BlockSize)
	rand.Read(salt)
	rand.Read(iv)
	const iter = 2048
	key, err := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	if err != nil {
		t.Fatal(err)
	}
	n := aes.BlockSize - len(der)%aes.BlockSize
	plain := append(append([]byte(nil), der...), []byte(strings.Repeat(string(rune(n)), n))...)
	block, _ := aes.NewCipher(key)
	enc := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(enc, plain)
	type algo struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	raw := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf := struct {
		Salt       []byte
		Iterations int
		KeyLength  int
		PRF        algo
	}{salt, iter, 32, algo{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Parameters: asn1.NullRawValue}}
	params := struct{ KDF, Enc algo }{
		algo{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}, Parameters: raw(kdf)},
		algo{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: raw(iv)},
	}
	info := struct {
		Algo algo
		Data []byte
	}{algo{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}, Parameters: raw(params)}, enc}
	out, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: out}))
}

// TLSServerConfig returns a server configuration presenting c. With clientCAs, the server
// requires a client certificate issued by one of them.
func (c *Cert) TLSServerConfig(clientCAs ...*Cert) *tls.Config {
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key, Leaf: c.Cert}}}
	if len(clientCAs) > 0 {
		pool := x509.NewCertPool()
		for _, ca := range clientCAs {
			pool.AddCert(ca.Cert)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg
}

// Proxy is a loopback HTTP proxy: CONNECT tunnels and forwarded plain-http requests. It can
// require Basic credentials, and Redirect sends every CONNECT for a host to another address
// (so that a test can use a non-loopback host name, which the environment proxy rules need).
type Proxy struct {
	User, Password string            // required Proxy-Authorization when User != ""
	Redirect       map[string]string // CONNECT target host:port → address actually dialled

	mu        sync.Mutex
	connects  []string // CONNECT targets, in order
	forwards  []string // forwarded request URLs
	authSeen  []string // Proxy-Authorization values
	Listener  net.Listener
	server    *http.Server
	transport *http.Transport
}

// StartProxy starts a proxy on 127.0.0.1; it stops when the test ends.
func StartProxy(t testing.TB, user, password string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{User: user, Password: password, Listener: ln, Redirect: map[string]string{},
		transport: &http.Transport{Proxy: nil}}
	p.server = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.server.Serve(ln)
	t.Cleanup(func() {
		p.server.Close()
		p.transport.CloseIdleConnections()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.Listener.Addr().String() }

// Port is the proxy's port.
func (p *Proxy) Port() string { _, port, _ := net.SplitHostPort(p.Addr()); return port }

// Connects returns the CONNECT targets seen so far.
func (p *Proxy) Connects() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.connects...)
}

// Forwards returns the URLs of the forwarded requests seen so far.
func (p *Proxy) Forwards() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.forwards...)
}

// Auth returns the Proxy-Authorization values seen so far.
func (p *Proxy) Auth() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.authSeen...)
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.authSeen = append(p.authSeen, r.Header.Get("Proxy-Authorization"))
	if r.Method == http.MethodConnect {
		p.connects = append(p.connects, r.Host)
	} else {
		p.forwards = append(p.forwards, r.URL.String())
	}
	p.mu.Unlock()
	if p.User != "" {
		rr := &http.Request{Header: http.Header{"Authorization": r.Header.Values("Proxy-Authorization")}}
		u, pw, ok := rr.BasicAuth()
		if !ok || u != p.User || pw != p.Password {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test proxy"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
	}
	if r.Method == http.MethodConnect {
		target := r.Host
		if to, ok := p.Redirect[target]; ok {
			target = to
		}
		up, err := net.DialTimeout("tcp", target, 5*time.Second)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			defer up.Close()
			defer conn.Close()
			go func() { io.Copy(up, readerOf(buf, conn)); up.(*net.TCPConn).CloseWrite() }()
			io.Copy(conn, up)
		}()
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.Header.Del("Proxy-Authorization")
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// readerOf returns what the client sends after the CONNECT, buffered bytes first.
func readerOf(buf *bufio.ReadWriter, conn net.Conn) io.Reader {
	if buf != nil && buf.Reader.Buffered() > 0 {
		return io.MultiReader(buf.Reader, conn)
	}
	return conn
}
