// Package connstr parses, validates and formats connection strings.
//
// A connection string is a list of Name=Value pairs separated by semicolons:
//
//	Url=https://example.cybozu.com;User=alice;Password='p;ss'
//
// Lexing rules:
//   - names are matched case-insensitively and stored under their canonical spelling;
//   - blanks around names and around unquoted values are trimmed;
//   - a value may be enclosed in single or double quotes; inside, ";" is literal and the quote
//     character itself is written twice ('it”s'); blanks inside quotes are kept;
//   - an unquoted value may contain quotes, except as its first character, and "=";
//   - empty segments (such as a trailing ";") are ignored, and an empty value means "not set";
//   - giving a name twice is an error, whatever the spelling and even when a value is empty;
//   - booleans are true or false in any case (yes/no, 1/0 and on/off are refused, so that a
//     typo is never taken for a choice); integers are decimal; enumerated values are matched
//     case-insensitively and stored in canonical case; lists are comma-separated, with blanks
//     around items trimmed and empty items refused.
//
// Every property of the reference product is recognised (see Properties). Setting one that is
// not implemented yet is a kerr.KindNotSupported error; every other problem is
// kerr.KindInvalidConfig. No error message, and no String output, ever contains the value of a
// secret property.
//
// The Url may be given without a scheme (https is assumed) and with a path (dropped; only the
// scheme, host and port are kept). Plain http is accepted only for loopback hosts, where the
// simulator runs. See Validate for the rules that tie properties together.
package connstr

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Config is a parsed connection string: the properties that are set, under their canonical
// names, with normalised values. Get falls back to the documented defaults. A Config from Parse
// is valid; after Set, call Validate. A Config is not safe for concurrent Set calls.
type Config struct {
	values   map[string]string // canonical name -> normalised value; only set properties
	order    []string          // canonical names in the order they were given
	urlGuest int64             // guest space named by the path of the Url as given, 0 if none
}

// New returns an empty Config, for building one with Set.
func New() *Config { return &Config{values: map[string]string{}} }

// Parse lexes a connection string, checks every value against its property's type, refuses
// unknown and unimplemented properties, and validates the whole (see Validate).
func Parse(s string) (*Config, error) {
	if !utf8.ValidString(s) {
		return nil, kerr.New(kerr.KindInvalidConfig, "the connection string is not valid UTF-8")
	}
	c := New()
	seen := map[string]segment{}
	var unsupported error
	prevSecret, prevName := false, ""
	for _, g := range scan(s) {
		if g.problem != probNone {
			return nil, lexError(s, g, prevSecret, prevName)
		}
		p := lookup(g.name)
		if p == nil {
			return nil, unknownError(s, g, prevSecret, prevName)
		}
		if first, dup := seen[p.Name]; dup {
			return nil, kerr.New(kerr.KindInvalidConfig,
				"connection property %q is given twice (segments %d and %d); give each property once",
				p.Name, first.index, g.index)
		}
		seen[p.Name] = g
		prevSecret, prevName = IsSecretValue(p.Name, g.value), p.Name
		if g.value == "" {
			continue // an empty value means unset, even for properties not supported yet
		}
		v, err := p.normalize(g.value)
		if err != nil {
			return nil, err
		}
		if err := p.supports(v); err != nil {
			// Malformed input is reported before what is merely not supported yet.
			if unsupported == nil {
				unsupported = err
			}
			continue
		}
		c.store(p, v)
		if p.Name == PropURL {
			c.urlGuest = urlGuestSpace(g.value)
		}
	}
	if unsupported != nil {
		return nil, unsupported
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) store(p *Property, v string) {
	if c.values == nil {
		c.values = map[string]string{}
	}
	_, had := c.values[p.Name]
	if v == "" {
		if had {
			delete(c.values, p.Name)
			for i, n := range c.order {
				if n == p.Name {
					c.order = append(c.order[:i:i], c.order[i+1:]...)
					break
				}
			}
		}
		return
	}
	if !had {
		c.order = append(c.order, p.Name)
	}
	c.values[p.Name] = v
}

// Set sets one property, checking its value as Parse does; an empty value unsets it. It does not
// check how properties fit together: call Validate when done.
func (c *Config) Set(name, value string) error {
	p := lookup(name)
	if p == nil {
		return unknownError("", segment{name: name}, false, "")
	}
	if p.Type != TypeString && p.Type != TypePath {
		value = strings.TrimSpace(value)
	}
	if !utf8.ValidString(value) {
		return kerr.New(kerr.KindInvalidConfig, "the value of connection property %q is not valid UTF-8", p.Name)
	}
	if value == "" {
		c.store(p, "")
		if p.Name == PropURL {
			c.urlGuest = 0
		}
		return nil
	}
	v, err := p.normalize(value)
	if err != nil {
		return err
	}
	if err := p.supports(v); err != nil {
		return err
	}
	c.store(p, v)
	if p.Name == PropURL {
		c.urlGuest = urlGuestSpace(value)
	}
	return nil
}

// get returns the value of a property, or its default when it is not set ("" when there is
// none, and for unknown names). AuthScheme is returned as given; see the AuthScheme method for
// the scheme in effect.
func (c *Config) get(name string) string {
	p := lookup(name)
	if p == nil {
		return ""
	}
	if v, ok := c.values[p.Name]; ok {
		return v
	}
	return p.Default
}

// isSet reports whether the property was given a non-empty value.
func (c *Config) isSet(name string) bool {
	p := lookup(name)
	if p == nil {
		return false
	}
	_, ok := c.values[p.Name]
	return ok
}

// Names returns the names of the properties that are set, canonical, in the order given.
func (c *Config) Names() []string { return append([]string(nil), c.order...) }

// boolean returns a boolean property (false for anything that is not "true").
func (c *Config) boolean(name string) bool { return c.get(name) == "true" }

// integer returns an integer property (0 when it is not a number).
func (c *Config) integer(name string) int64 {
	n, err := strconv.ParseInt(c.get(name), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// list returns a list property split into its items (nil when empty).
func (c *Config) list(name string) []string {
	v := c.get(name)
	if v == "" {
		return nil
	}
	items := strings.Split(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// Timeout returns the per-request HTTP timeout; 0 means none.
func (c *Config) Timeout() time.Duration {
	n := c.integer(PropTimeout)
	if n <= 0 {
		return 0
	}
	if n > math.MaxInt64/int64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(n) * time.Second
}

// BaseURL returns the normalised Url (scheme, host and port only), or nil when it is not set.
// The result is a fresh copy.
func (c *Config) BaseURL() *url.URL {
	v := c.values[PropURL]
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return nil
	}
	return u
}

// String returns the canonical connection string with every secret value replaced by ********.
// Properties come in documentation order (see Properties). Use it wherever a connection string
// is shown.
func (c *Config) String() string { return c.format(true) }

// Format returns the canonical connection string including secrets, quoted where needed, such
// that Parse(c.Format()) gives an equal Config. Use it only to hand the configuration on, never
// to show it.
func (c *Config) Format() string { return c.format(false) }

func (c *Config) format(masked bool) string {
	var b strings.Builder
	for i := range properties {
		p := &properties[i]
		v, ok := c.values[p.Name]
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		if masked && c.isSecret(p, v) {
			b.WriteString(mask)
		} else {
			b.WriteString(quote(v))
		}
	}
	return b.String()
}

// isSecret reports whether the value v of p must be masked in this configuration.
func (c *Config) isSecret(p *Property, v string) bool {
	if IsSecretValue(p.Name, v) {
		return true
	}
	// A certificate declared as a blob is content, whatever it looks like.
	return p.Name == PropSSLClientCert && strings.HasSuffix(c.get(PropSSLClientCertType), "_BLOB")
}

// TokenPair is an API token and the app it opens.
type TokenPair struct {
	AppID int64
	Token string
}

// TokenPairs returns the API tokens paired with their apps by position, in the order given, when
// the connection uses API-token authentication; otherwise nil.
func (c *Config) TokenPairs() []TokenPair {
	if c.AuthScheme() != AuthAPIToken {
		return nil
	}
	tokens, apps := c.list(PropAPIToken), c.list(PropAppID)
	if len(tokens) != len(apps) {
		return nil
	}
	pairs := make([]TokenPair, len(tokens))
	for i := range tokens {
		id, _ := strconv.ParseInt(apps[i], 10, 64)
		pairs[i] = TokenPair{AppID: id, Token: tokens[i]}
	}
	return pairs
}

// TokensByApp returns the API token of each app (see TokenPairs).
func (c *Config) TokensByApp() map[int64]string {
	pairs := c.TokenPairs()
	if pairs == nil {
		return nil
	}
	m := make(map[int64]string, len(pairs))
	for _, tp := range pairs {
		m[tp.AppID] = tp.Token
	}
	return m
}
