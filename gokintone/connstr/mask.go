package connstr

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// Mask replaces, inside arbitrary text (an error message, a logged request, SQL), every
// occurrence of every secret value set in c with ********. Besides the values as given it masks
// each API token on its own, the forms that travel in HTTP requests (base64 of "user:password"
// pairs and of each secret, URL-encoded forms), so that a dumped header or body gives nothing
// away.
func (c *Config) Mask(text string) string {
	secrets := c.secrets()
	if len(secrets) == 0 || text == "" {
		return text
	}
	args := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		args = append(args, s, mask)
	}
	return strings.NewReplacer(args...).Replace(text)
}

// secrets returns every string Mask hides, longest first so that a longer secret is replaced
// whole before a shorter one that it contains.
func (c *Config) secrets() []string {
	set := map[string]bool{}
	add := func(s string) {
		if s == "" {
			return
		}
		set[s] = true
		set[base64.StdEncoding.EncodeToString([]byte(s))] = true
		set[base64.RawURLEncoding.EncodeToString([]byte(s))] = true
		set[url.QueryEscape(s)] = true
		set[url.PathEscape(s)] = true
	}
	for i := range properties {
		p := &properties[i]
		v, ok := c.values[p.Name]
		if !ok || !c.isSecret(p, v) {
			continue
		}
		add(v)
		if p.Type == TypeList {
			for _, item := range c.list(p.Name) {
				add(item)
			}
			add(strings.ReplaceAll(v, ",", ", "))
		}
	}
	// Credentials that travel as one base64 "name:secret" value.
	for _, pair := range [][2]string{
		{PropUser, PropPassword},
		{PropBasicAuthUser, PropBasicAuthPassword},
		{PropProxyUser, PropProxyPassword},
		{PropFirewallUser, PropFirewallPassword},
		{PropOAuthClientID, PropOAuthClientSecret},
	} {
		if c.isSet(pair[1]) {
			add(c.get(pair[0]) + ":" + c.get(pair[1]))
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}
