package kintonesim_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
)

func TestTLSClientCertificate(t *testing.T) {
	pki, err := kintonesim.GenerateTestPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rn, err := kintonesim.StartTLS(oauthFixture(), kintonesim.Options{}, 0, pki.TLSOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	if !strings.HasPrefix(rn.URL(), "https://localhost:") {
		t.Errorf("URL %s", rn.URL())
	}
	get := func(cfg *tls.Config) (int, string, error) {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
		resp, err := c.Do(newRequest(t, "GET", rn.URL()+"/k/v1/app.json?id=1", pwTasks))
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	status, body, err := get(pki.ClientTLSConfig(true))
	if err != nil || status != 200 || !strings.Contains(body, `"appId":"1"`) {
		t.Fatalf("with certificate: %d %s %v", status, body, err)
	}
	if _, _, err := get(pki.ClientTLSConfig(false)); err == nil {
		t.Error("no client certificate: request succeeded")
	}
	untrusted := pki.ClientTLSConfig(false)
	untrusted.Certificates = []tls.Certificate{pki.UntrustedCert}
	if _, _, err := get(untrusted); err == nil {
		t.Error("untrusted client certificate: request succeeded")
	}
	// The same through the files, as other clients would load them (127.0.0.1 is a SAN too).
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(pki.CAFile)
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.pem", err)
	}
	for _, pair := range [][2]string{{pki.ClientCertFile, pki.ClientKeyFile}, {pki.ClientPEMFile, pki.ClientPEMFile}} {
		cert, err := tls.LoadX509KeyPair(pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}, DisableKeepAlives: true}}
		u := strings.Replace(rn.URL(), "localhost", "127.0.0.1", 1) + "/k/v1/app.json?id=1"
		resp, err := c.Do(newRequest(t, "GET", u, pwTasks))
		if err != nil {
			t.Fatalf("%s: %v", pair[0], err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", pair[0], resp.StatusCode)
		}
	}
	if _, err := tls.LoadX509KeyPair(pki.ServerCertFile, pki.ServerKeyFile); err != nil {
		t.Error(err)
	}
	if _, err := tls.LoadX509KeyPair(pki.UntrustedClientCertFile, pki.UntrustedClientKeyFile); err != nil {
		t.Error(err)
	}
	if fi, err := os.Stat(pki.CAKeyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("ca-key.pem mode %v %v", fi, err)
	}
}

func TestTLSOptional(t *testing.T) {
	pki, err := kintonesim.GenerateTestPKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Without RequireClientCert a client certificate is optional but checked when sent.
	rn, err := kintonesim.StartTLS(oauthFixture(), kintonesim.Options{}, 0, kintonesim.TLSOptions{ServerCert: pki.ServerCert, ClientCAs: pki.CAPool})
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: pki.ClientTLSConfig(false), DisableKeepAlives: true}}
	resp, err := c.Do(newRequest(t, "GET", rn.URL()+"/k/v1/app.json?id=1", pwTasks))
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(resp, err)
	}
	resp.Body.Close()
	cfg := pki.ClientTLSConfig(false)
	// Send it even though the server asks for certificates from its own CA.
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pki.UntrustedCert, nil }
	c = &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
	if resp, err := c.Do(newRequest(t, "GET", rn.URL()+"/k/v1/app.json?id=1", pwTasks)); err == nil {
		resp.Body.Close()
		t.Error("untrusted certificate accepted")
	}
	if _, err := kintonesim.StartTLS(oauthFixture(), kintonesim.Options{}, 0, kintonesim.TLSOptions{}); err == nil {
		t.Error("no server certificate: no error")
	}
	if _, err := kintonesim.StartTLS(oauthFixture(), kintonesim.Options{}, 0, kintonesim.TLSOptions{ServerCert: pki.ServerCert, RequireClientCert: true}); err == nil {
		t.Error("RequireClientCert without ClientCAs: no error")
	}
}
