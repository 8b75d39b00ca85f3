package kclient

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// TLSOptions configures how the client trusts kintone's certificate and which client
// certificate it presents (kintone's Secure Access, https://{sub}.s.cybozu.com). The zero value
// verifies the server against the system's trusted roots and sends no client certificate.
type TLSOptions struct {
	// ServerCert replaces the system's trusted roots (SSLServerCert). "" = the system roots;
	// "*" = accept any certificate (verification off, the connection is still encrypted);
	// otherwise PEM text (one or more CERTIFICATE or PUBLIC KEY blocks), a SHA-256 or SHA-1
	// fingerprint in hex (colons or blanks allowed), or the path of a PEM or DER file. Only what
	// is given is trusted: the server's certificate must be one of the given certificates or have
	// a given public key or fingerprint (trusted as is), or chain to a given certificate with the
	// host name checked.
	ServerCert string

	// ClientCert is the client certificate with its private key (SSLClientCert): a path, or the
	// content itself for the *_BLOB types. "" = none.
	ClientCert string
	// ClientCertType says what ClientCert holds: PEMKEY_FILE (default), PEMKEY_BLOB, PFXFILE or
	// PFXBLOB (base64 of a PKCS#12 file).
	ClientCertType string
	// ClientCertPassword unlocks an encrypted private key or PKCS#12 file.
	ClientCertPassword string
	// ClientCertSubject selects the certificate by subject, such as "CN=alice,O=Example"; "" or
	// "*" takes the first certificate that has its private key.
	ClientCertSubject string
}

// Client certificate types that the client can load.
const (
	CertPEMKeyFile = "PEMKEY_FILE"
	CertPEMKeyBlob = "PEMKEY_BLOB"
	CertPFXFile    = "PFXFILE"
	CertPFXBlob    = "PFXBLOB"
)

// ErrCertPassword is wrapped by the error returned when SSLClientCertPassword is missing or
// does not unlock the client certificate.
var ErrCertPassword = errors.New("wrong client certificate password")

// ErrUntrustedServer is wrapped by the error returned when the server's certificate is not
// trusted.
var ErrUntrustedServer = errors.New("untrusted server certificate")

func (o TLSOptions) isZero() bool { return o == TLSOptions{} }

// tlsConfig builds the TLS configuration of the transport; nil means Go's defaults.
func (o TLSOptions) tlsConfig() (*tls.Config, error) {
	if o.isZero() {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.ServerCert != "" {
		if err := o.applyServerCert(cfg); err != nil {
			return nil, err
		}
	}
	if o.ClientCert != "" {
		cert, err := o.loadClientCert()
		if err != nil {
			return nil, err
		}
		// Always present the certificate, even when the server names acceptable CAs that do not
		// include its issuer: the server's refusal is then a clear error, not a silent omission.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	} else if o.ClientCertPassword != "" || (o.ClientCertSubject != "" && o.ClientCertSubject != "*") {
		return nil, certConfigError("SSLClientCertPassword and SSLClientCertSubject need SSLClientCert")
	}
	return cfg, nil
}

func certConfigError(format string, args ...any) *kerr.Error {
	return kerr.New(kerr.KindInvalidConfig, format, args...)
}

// --- Server certificate ---------------------------------------------------------------------

// serverTrust is what SSLServerCert says to trust.
type serverTrust struct {
	certs  []*x509.Certificate // trusted as is, and as roots
	spkis  [][]byte            // public keys (DER SubjectPublicKeyInfo) trusted as is
	prints [][]byte            // SHA-256 or SHA-1 fingerprints of certificates trusted as is
}

var hexPrint = regexp.MustCompile(`^(?i)[0-9a-f]{2}([: ]?[0-9a-f]{2})+$`)

func (o TLSOptions) applyServerCert(cfg *tls.Config) error {
	v := strings.TrimSpace(o.ServerCert)
	if v == "*" {
		// Documented: SSLServerCert=* accepts any certificate (no verification at all).
		cfg.InsecureSkipVerify = true
		return nil
	}
	var trust serverTrust
	var data []byte
	switch {
	case strings.Contains(v, "-----BEGIN"):
		data = []byte(v)
	case hexPrint.MatchString(v) && (hexLen(v) == sha256.Size || hexLen(v) == sha1.Size):
		b, _ := hex.DecodeString(strings.NewReplacer(":", "", " ", "").Replace(v))
		trust.prints = append(trust.prints, b)
	default:
		b, err := readCertFile("SSLServerCert", v)
		if err != nil {
			return err
		}
		data = b
	}
	if data != nil {
		if err := trust.parse(data); err != nil {
			return err
		}
	}
	// Verification is done by verifyServer instead of crypto/tls, so that only what is given is
	// trusted and a pinned certificate need not chain anywhere.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = trust.verify
	return nil
}

func hexLen(v string) int { return len(strings.NewReplacer(":", "", " ", "").Replace(v)) / 2 }

// parse reads PEM blocks (CERTIFICATE, PUBLIC KEY, RSA PUBLIC KEY) or one DER certificate.
func (t *serverTrust) parse(data []byte) error {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return certConfigError("SSLServerCert holds neither PEM nor a DER certificate: %v", err)
		}
		t.certs = append(t.certs, c)
		return nil
	}
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE", "TRUSTED CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return certConfigError("SSLServerCert: a CERTIFICATE block cannot be read: %v", err)
			}
			t.certs = append(t.certs, c)
		case "PUBLIC KEY":
			if _, err := x509.ParsePKIXPublicKey(b.Bytes); err != nil {
				return certConfigError("SSLServerCert: a PUBLIC KEY block cannot be read: %v", err)
			}
			t.spkis = append(t.spkis, b.Bytes)
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				return certConfigError("SSLServerCert: an RSA PUBLIC KEY block cannot be read: %v", err)
			}
			spki, err := x509.MarshalPKIXPublicKey(k)
			if err != nil {
				return certConfigError("SSLServerCert: %v", err)
			}
			t.spkis = append(t.spkis, spki)
		}
	}
	if len(t.certs) == 0 && len(t.spkis) == 0 {
		return certConfigError("SSLServerCert holds no CERTIFICATE or PUBLIC KEY block; give the server's certificate " +
			"(or its CA's) in PEM, the path of such a file, or its SHA-256 fingerprint")
	}
	return nil
}

// verify accepts the connection when the server's certificate is trusted as is, or chains to a
// given certificate (with the host name checked).
func (t *serverTrust) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &tls.CertificateVerificationError{Err: errors.New("the server sent no certificate")}
	}
	leaf := cs.PeerCertificates[0]
	s256, s1 := sha256.Sum256(leaf.Raw), sha1.Sum(leaf.Raw)
	for _, p := range t.prints {
		if bytes.Equal(p, s256[:]) || bytes.Equal(p, s1[:]) {
			return nil
		}
	}
	for _, k := range t.spkis {
		if bytes.Equal(k, leaf.RawSubjectPublicKeyInfo) {
			return nil
		}
	}
	roots := x509.NewCertPool()
	for _, c := range t.certs {
		if c.Equal(leaf) {
			return nil
		}
		roots.AddCert(c)
	}
	if len(t.certs) == 0 {
		return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates,
			Err: errors.New("it matches none of the fingerprints or public keys given")}
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: cs.ServerName, Roots: roots, Intermediates: inter})
	if err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
	}
	return nil
}

// Fingerprint returns the SHA-256 fingerprint of a certificate as colon-separated hex, the
// form SSLServerCert accepts.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// --- Client certificate ---------------------------------------------------------------------

// loadClientCert reads the client certificate and its key and picks the one the subject names.
func (o TLSOptions) loadClientCert() (*tls.Certificate, error) {
	typ := strings.ToUpper(strings.TrimSpace(o.ClientCertType))
	if typ == "" {
		typ = CertPEMKeyFile
	}
	v := o.ClientCert
	var certs []*x509.Certificate
	var keys []crypto.PrivateKey
	var err error
	switch typ {
	case CertPEMKeyFile, CertPEMKeyBlob:
		var data []byte
		switch {
		case strings.Contains(v, "-----BEGIN"):
			data = []byte(v) // PEM text given inline, whatever the type says
		case typ == CertPEMKeyBlob:
			if data, err = decodeBase64(v); err != nil || !bytes.Contains(data, []byte("-----BEGIN")) {
				return nil, certConfigError("SSLClientCert (SSLClientCertType=PEMKEY_BLOB) must be PEM text " +
					"(-----BEGIN CERTIFICATE----- … and the private key) or base64 of it")
			}
		default:
			if data, err = readCertFile("SSLClientCert", v); err != nil {
				return nil, err
			}
		}
		certs, keys, err = parsePEMKey(data, o.ClientCertPassword)
	case CertPFXFile, CertPFXBlob:
		var data []byte
		if typ == CertPFXBlob {
			if data, err = decodeBase64(v); err != nil {
				return nil, certConfigError("SSLClientCert (SSLClientCertType=PFXBLOB) must be the PKCS#12 file in base64")
			}
		} else if data, err = readCertFile("SSLClientCert", v); err != nil {
			return nil, err
		}
		certs, keys, err = parsePFX(data, o.ClientCertPassword)
	default:
		return nil, kerr.New(kerr.KindNotSupported,
			"SSLClientCertType=%s is not supported by this driver; use PEMKEY_FILE, PEMKEY_BLOB, PFXFILE or PFXBLOB", typ)
	}
	if err != nil {
		return nil, err
	}
	return pickClientCert(certs, keys, o.ClientCertSubject)
}

func decodeBase64(v string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, v)
	if b, err := base64.StdEncoding.DecodeString(clean); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
}

// readCertFile reads a certificate file named by a property. A missing or unreadable file is an
// kerr.KindIO error (the machine, not the connection string, may be wrong); the value is shown
// only when it looks like a path, never when it may be content.
func readCertFile(prop, path string) ([]byte, error) {
	p := strings.TrimSpace(path)
	if strings.ContainsAny(p, "\r\n") || len(p) > 4096 {
		return nil, certConfigError("%s is neither PEM text nor a file path", prop)
	}
	if strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	shown := fmt.Sprintf("%q", p)
	if looksLikeContent(p) {
		shown = "(the value looks like base64 content, not a path: for inline content use SSLClientCertType=PEMKEY_BLOB or PFXBLOB)"
	}
	data, err := os.ReadFile(p)
	if err != nil {
		what := "cannot be read"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			what = "does not exist"
		case errors.Is(err, fs.ErrPermission):
			what = "cannot be read (permission denied)"
		}
		return nil, kerr.Wrap(err, kerr.KindIO, "the %s file %s %s", prop, shown, what)
	}
	return data, nil
}

// looksLikeContent is true for long runs of base64, which are content rather than a path.
func looksLikeContent(v string) bool {
	if len(v) < 64 {
		return false
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=') {
			return false
		}
	}
	return true
}

// parsePEMKey reads every certificate and private key of a PEM bundle. Keys may be PKCS#8,
// PKCS#1 or SEC 1, unencrypted, encrypted PKCS#8 (PBES2 with PBKDF2 and AES-CBC, as OpenSSL
// writes it) or legacy-encrypted PEM (Proc-Type: 4,ENCRYPTED).
func parsePEMKey(data []byte, password string) ([]*x509.Certificate, []crypto.PrivateKey, error) {
	var certs []*x509.Certificate
	var keys []crypto.PrivateKey
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, certConfigError("SSLClientCert: a CERTIFICATE block cannot be read: %v", err)
			}
			certs = append(certs, c)
		case b.Type == "ENCRYPTED PRIVATE KEY":
			if password == "" {
				return nil, nil, certPasswordError(
					"the private key in SSLClientCert is encrypted: give its password as SSLClientCertPassword")
			}
			der, err := decryptPKCS8(b.Bytes, password)
			if err != nil {
				return nil, nil, err
			}
			k, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				return nil, nil, wrongPassword("SSLClientCert's private key")
			}
			keys = append(keys, k)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			der := b.Bytes
			//lint:ignore SA1019 legacy PEM encryption is still written by `openssl rsa -des3` and older tools.
			if x509.IsEncryptedPEMBlock(b) { //nolint:staticcheck
				if password == "" {
					return nil, nil, certPasswordError(
						"the private key in SSLClientCert is encrypted: give its password as SSLClientCertPassword")
				}
				var err error
				der, err = x509.DecryptPEMBlock(b, []byte(password)) //nolint:staticcheck
				if err != nil {
					if errors.Is(err, x509.IncorrectPasswordError) {
						return nil, nil, wrongPassword("SSLClientCert's private key")
					}
					return nil, nil, certConfigError("SSLClientCert: the encrypted private key cannot be decrypted: %v", err)
				}
			}
			k, err := parsePrivateKey(der)
			if err != nil {
				if x509.IsEncryptedPEMBlock(b) { //nolint:staticcheck
					return nil, nil, wrongPassword("SSLClientCert's private key")
				}
				return nil, nil, certConfigError("SSLClientCert: a %s block cannot be read: %v", b.Type, err)
			}
			keys = append(keys, k)
		}
	}
	if len(certs) == 0 {
		return nil, nil, certConfigError("SSLClientCert holds no PEM CERTIFICATE block; PEMKEY_FILE and PEMKEY_BLOB " +
			"need the certificate and its private key in PEM (use PFXFILE for a .pfx or .p12 file)")
	}
	if len(keys) == 0 {
		return nil, nil, certConfigError("SSLClientCert holds a certificate but no private key; put the private key " +
			"(-----BEGIN PRIVATE KEY-----) in the same PEM")
	}
	return certs, keys, nil
}

func parsePrivateKey(der []byte) (crypto.PrivateKey, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return x509.ParseECPrivateKey(der)
}

// certPasswordError is the error for a missing or wrong SSLClientCertPassword.
func certPasswordError(format string, args ...any) error {
	return kerr.Wrap(ErrCertPassword, kerr.KindTLSCertPassword, format, args...)
}

func wrongPassword(what string) error {
	return certPasswordError(
		"SSLClientCertPassword does not unlock %s: the password is wrong", what)
}

// parsePFX reads a PKCS#12 file: legacy (3DES, RC2) and current (PBES2 with AES) encryption.
func parsePFX(data []byte, password string) ([]*x509.Certificate, []crypto.PrivateKey, error) {
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			if password == "" {
				return nil, nil, certPasswordError(
					"the PKCS#12 file in SSLClientCert is protected by a password: give it as SSLClientCertPassword")
			}
			return nil, nil, wrongPassword("the PKCS#12 file in SSLClientCert")
		}
		var ni pkcs12.NotImplementedError
		if errors.As(err, &ni) {
			return nil, nil, kerr.Wrap(err, kerr.KindNotSupported, "SSLClientCert: this PKCS#12 file is not supported: %v", err)
		}
		msg := err.Error()
		if strings.Contains(msg, "asn1:") {
			msg = "it is not PKCS#12 data"
		}
		return nil, nil, kerr.Wrap(err, kerr.KindInvalidConfig,
			"SSLClientCert is not a PKCS#12 file this driver can read (one private key with its certificates): %s", msg)
	}
	return append([]*x509.Certificate{leaf}, chain...), []crypto.PrivateKey{key}, nil
}

// pickClientCert pairs certificates with their private keys, picks the first pair whose
// subject matches, and sends the other certificates as its chain.
func pickClientCert(certs []*x509.Certificate, keys []crypto.PrivateKey, subject string) (*tls.Certificate, error) {
	spec, err := parseSubject(subject)
	if err != nil {
		return nil, err
	}
	var paired []string
	for _, c := range certs {
		key := matchingKey(c, keys)
		if key == nil {
			continue
		}
		paired = append(paired, c.Subject.String())
		if !spec.matches(c) {
			continue
		}
		out := &tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}
		for _, o := range certs {
			if o != c {
				out.Certificate = append(out.Certificate, o.Raw)
			}
		}
		return out, nil
	}
	if len(paired) == 0 {
		return nil, certConfigError("SSLClientCert: no certificate belongs to the private key given with it")
	}
	return nil, certConfigError("no client certificate in SSLClientCert has a subject matching SSLClientCertSubject=%q; "+
		"the certificates with a private key are: %s", subject, strings.Join(paired, "; "))
}

type publicKeyer interface{ Public() crypto.PublicKey }

type equaler interface{ Equal(crypto.PublicKey) bool }

func matchingKey(c *x509.Certificate, keys []crypto.PrivateKey) crypto.PrivateKey {
	pub, ok := c.PublicKey.(equaler)
	if !ok {
		return nil
	}
	for _, k := range keys {
		if pk, ok := k.(publicKeyer); ok && pub.Equal(pk.Public()) {
			return k
		}
	}
	return nil
}
