package connstr

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// marker stands for a secret in FuzzParse: it must never show up in an error or in String().
const marker = "Zq9SecretMarker"

// FuzzParse checks, for any input, that Parse never panics and returns only *kerr.Error; that a
// parsed configuration reaches a fixed point through Format; that no secret value shows up in
// String(), Rows() or an error; and that Mask hides every secret of the configuration.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Add("Url=x;SSLClientCert='-----BEGIN'")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if kerr.As(err) == nil {
				t.Fatalf("Parse(%q) returned %T, not *kerr.Error: %v", s, err, err)
			}
		} else {
			checkFixedPoint(t, s, c)
			checkNoSecretShown(t, c)
		}
		_ = MaskString(s)

		// The same input around a secret: whatever goes wrong, the secret is never shown.
		clean := strings.NewReplacer(marker, "", "'", "", `"`, "").Replace(s)
		rest := strings.ReplaceAll(s, marker, "")
		for _, in := range []string{
			clean + ";Password=" + quote(marker+clean),
			clean + ";APIToken=" + marker + ";" + rest,
			"Password=" + marker + clean,
			"OAuthVerifier=" + marker + ";" + rest,
			"ProxyPassword='" + marker + "';" + rest,
			clean + ";SSLClientCert='-----BEGIN " + marker + "';" + rest,
			clean + ";Password=" + marker + rest,
		} {
			c, err := Parse(in)
			if err != nil && strings.Contains(err.Error(), marker) {
				t.Fatalf("Parse(%q) shows a secret in its error: %v", in, err)
			}
			if err == nil && strings.Contains(c.String(), marker) {
				t.Fatalf("String() of %q shows a secret: %s", in, c.String())
			}
			if strings.Contains(MaskString(in), marker) {
				t.Fatalf("MaskString(%q) shows a secret: %s", in, MaskString(in))
			}
		}
		for _, name := range []string{"Password", "APIToken", "ProxyPassword", "SSLClientCertPassword"} {
			if err := New().Set(name, marker+s); err != nil && strings.Contains(err.Error(), marker) {
				t.Fatalf("Set(%s) shows a secret in its error: %v", name, err)
			}
		}
	})
}

func checkFixedPoint(t *testing.T, s string, c *Config) {
	t.Helper()
	f := c.Format()
	c2, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%q) succeeded but Parse of its Format %q failed: %v", s, f, err)
	}
	if g := c2.Format(); g != f {
		t.Fatalf("no fixed point for %q: %q then %q", s, f, g)
	}
	for name, v := range c.values {
		if c2.values[name] != v {
			t.Fatalf("%s changed in the round trip of %q: %q then %q", name, s, v, c2.values[name])
		}
	}
	if len(c.values) != len(c2.values) || c.String() != c2.String() || c.AuthScheme() != c2.AuthScheme() {
		t.Fatalf("round trip of %q changed the configuration", s)
	}
}

// checkNoSecretShown looks for each secret value in String() and Rows(), beyond where it also
// appears as part of a value that is not secret.
func checkNoSecretShown(t *testing.T, c *Config) {
	t.Helper()
	public := New()
	for i := range properties {
		p := &properties[i]
		if v, ok := c.values[p.Name]; ok && !c.isSecret(p, v) {
			public.values[p.Name] = v
		}
	}
	shown := c.String()
	// The masked entries' names are not the secrets (though "BasicAuthPassword" holds "sic").
	var kept []string
	for _, e := range strings.Split(shown, ";") {
		if name, v, _ := strings.Cut(e, "="); v != "********" || lookup(name) == nil || !lookup(name).Secret {
			kept = append(kept, e)
		}
	}
	unnamed := strings.Join(kept, ";")
	var rows strings.Builder
	for _, r := range c.Rows() {
		rows.WriteString(r.Current + "\n")
	}
	var publicRows strings.Builder
	for _, r := range public.Rows() {
		publicRows.WriteString(r.Current + "\n")
	}
	for _, secret := range c.secrets() {
		if len(secret) < 3 || strings.ContainsAny(secret, "*;=") {
			continue
		}
		if strings.Count(unnamed, secret) > strings.Count(public.String(), secret) {
			t.Fatalf("String() %q shows the secret %q", shown, secret)
		}
		if strings.Count(rows.String(), secret) > strings.Count(publicRows.String(), secret) {
			t.Fatalf("Rows() show the secret %q", secret)
		}
		if strings.Contains(c.Mask("<"+secret+">"), secret) {
			t.Fatalf("Mask does not hide %q", secret)
		}
	}
}
