package connstr

import (
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// FuzzRoundTrip builds configurations with Set from arbitrary values, so that quoting, blanks and
// URL normalisation meet values a random connection string rarely reaches, and checks that
// Format reaches a fixed point and String hides the password.
func FuzzRoundTrip(f *testing.F) {
	f.Add("example.cybozu.com", "alice", "p;a'ss\"", "_", "12,13")
	f.Add("http://[::1]:8080/k/", " o'brien ", "  ", "\u00a0x\u2003", "1")
	f.Add("HTTPS://Example.Cybozu.com:443/k/guest/3/", "'", "''", ";", "007")
	f.Fuzz(func(t *testing.T, rawURL, user, password, sep, apps string) {
		c := New()
		for _, kv := range [][2]string{{"Url", rawURL}, {"User", user}, {"Password", password},
			{"SubtableSeparatorCharacter", sep}, {"AppId", apps}} {
			if err := c.Set(kv[0], kv[1]); err != nil {
				if kerr.As(err) == nil {
					t.Fatalf("Set(%s) returned %T", kv[0], err)
				}
				return
			}
		}
		if c.isSet("Url") && c.urlGuest != 0 {
			if err := c.Set("GuestSpaceId", c.get("Url")); err == nil {
				t.Fatalf("a Url is not a GuestSpaceId")
			}
			c.urlGuest = 0
		}
		if err := c.Validate(); err != nil {
			if kerr.As(err) == nil {
				t.Fatalf("Validate returned %T", err)
			}
			return
		}
		checkFixedPoint(t, c.Format(), c)
		// (A password of one or two characters after trimming occurs in any text by chance.)
		if p := strings.TrimSpace(password); len(p) >= 3 && !strings.ContainsAny(p, "*;=") &&
			strings.Count(c.String(), p) > strings.Count(strings.ReplaceAll(c.String(), "Password=********", ""), p) {
			t.Fatalf("String() %q shows the password", c.String())
		}
	})
}
