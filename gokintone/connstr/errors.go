package connstr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

const whereAllProperties = "every property is listed by SELECT * FROM sys_connection_props and in the README"

// maxEcho bounds the masked connection string quoted in a message.
const maxEcho = 300

func echo(s string) string {
	m := MaskString(s)
	if utf8.RuneCountInString(m) > maxEcho {
		r := []rune(m)
		m = string(r[:maxEcho]) + "…"
	}
	return strconv.Quote(m)
}

// afterSecret explains segment g, which follows the value of the secret property prev and does
// not parse. The segment is not shown, as it may be part of that value; the message names the
// likely causes: a ";" inside the value, which then needs quotes, or, for an unknown name or a
// segment without "=", a next property written wrongly. Only the known property nearest to the
// segment's name part is shown, when one is close (see suggest), never the name itself.
func afterSecret(prev string, g segment) string {
	msg := "it comes right after the value of " + prev + " and is not shown, as it may be part of that value. Likely causes: " +
		"the value of " + prev + ` contains ";" (enclose the value in quotes, as in ` + prev + "='a;b', doubling any " +
		"quote inside it)"
	switch g.problem {
	case probNone:
		msg += ", or the next property's name is misspelt"
	case probNoEquals:
		msg += `, or the next property is written without "=" and a value`
	default:
		return msg
	}
	if s := suggest(g.name); s != "" {
		msg += ` (did you mean "` + s + `"?)`
	}
	return msg
}

// lexError reports a malformed segment without showing any secret: the string is echoed masked.
func lexError(s string, g segment, prevSecret bool, prevName string) error {
	p := lookup(g.name)
	hideName := p == nil && prevSecret // the segment may be part of the secret before it
	name := shortQuote(g.name)
	if p != nil {
		name = strconv.Quote(p.Name)
	} else if hideName {
		name = "the property in " + describeSegment(s, g)
	}
	at := strconv.Itoa(charPos(s, g.problemAt))
	var msg string
	switch g.problem {
	case probNoEquals:
		msg = describeSegment(s, g) + ` has no "="`
		if !hideName {
			msg += ": write Name=Value pairs separated by semicolons"
		}
	case probEmptyName:
		msg = describeSegment(s, g) + ` has no property name before "="`
	case probUnterminated:
		q := s[g.problemAt : g.problemAt+1]
		msg = "the value of " + name + " opens a " + q + " quote at character " + at + " that is never closed; close it, " +
			"and write a " + q + " inside the value twice (as in " + q + "it" + q + q + "s" + q + ")"
	case probAfterQuote:
		msg = "unexpected text at character " + at + " after the closing quote of the value of " + name +
			`; end the value at the quote, or write a quote inside a quoted value twice (as in 'it''s')`
	}
	if hideName {
		msg += "; " + afterSecret(prevName, g)
	}
	return kerr.New(kerr.KindInvalidConfig, "malformed connection string: %s (the string, with secrets masked: %s)", msg, echo(s))
}

// unknownError reports an unknown name with the closest known one. The name is not shown when
// it directly follows a secret value, as it is then probably a piece of that value.
func unknownError(s string, g segment, prevSecret bool, prevName string) error {
	if prevSecret {
		return kerr.New(kerr.KindInvalidConfig, "unknown connection property in %s: %s (%s)",
			describeSegment(s, g), afterSecret(prevName, g), whereAllProperties)
	}
	msg := "unknown connection property " + shortQuote(g.name)
	if s := suggest(g.name); s != "" {
		msg += `; did you mean "` + s + `"?`
	}
	return kerr.New(kerr.KindInvalidConfig, "%s (%s)", msg, whereAllProperties)
}

// aliases are names people write for properties, from other drivers and from kintone's own
// vocabulary. They are only suggested, never accepted.
var aliases = map[string]string{
	"username": PropUser, "user_name": PropUser, "login": PropUser, "loginname": PropUser, "uid": PropUser,
	"pwd": PropPassword, "pass": PropPassword, "passwd": PropPassword,
	"token": PropAPIToken, "tokens": PropAPIToken, "apitokens": PropAPIToken, "api_token": PropAPIToken, "apikey": PropAPIToken,
	"app": PropAppID, "apps": PropAppID, "appids": PropAppID, "app_id": PropAppID,
	"domain": PropURL, "subdomain": PropURL, "baseurl": PropURL, "host": PropURL, "server": PropURL, "address": PropURL,
	"guestspace": PropGuestSpaceID, "guestspaceid": PropGuestSpaceID, "guest": PropGuestSpaceID, "spaceid": PropGuestSpaceID,
	"auth": PropAuthScheme, "authentication": PropAuthScheme, "authmode": PropAuthScheme,
	"pagesize": PropPagesize, "batchsize": PropPagesize, "limit": PropMaxRows,
	"timeoutseconds": PropTimeout, "connecttimeout": PropTimeout,
	"clientid": PropOAuthClientID, "client_id": PropOAuthClientID, "clientsecret": PropOAuthClientSecret,
	"client_secret": PropOAuthClientSecret, "redirecturi": PropCallbackURL, "redirect_uri": PropCallbackURL,
	"redirecturl": PropCallbackURL, "accesstoken": PropOAuthAccessToken, "access_token": PropOAuthAccessToken,
	"refreshtoken": PropOAuthRefreshToken, "refresh_token": PropOAuthRefreshToken, "verifier": PropOAuthVerifier,
	"scopes": PropScope, "oauthsettingsfile": PropOAuthSettingsLocation,
}

// suggest returns the known name closest to name, or "" when none is close enough.
func suggest(name string) string {
	if len(name) > 128 {
		return "" // no property name is that long
	}
	key := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[strings.NewReplacer(" ", "", "-", "").Replace(key)]; ok {
		return a
	}
	best, bestDist := "", 1<<30
	for _, p := range properties {
		d := distance(key, strings.ToLower(p.Name))
		if d < bestDist {
			best, bestDist = p.Name, d
		}
	}
	// Close enough: one edit in short names, up to a third of the length in longer ones.
	limit := utf8.RuneCountInString(key) / 3
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

// distance is the optimal-string-alignment edit distance: insertions, deletions, substitutions and
// transpositions of adjacent characters each cost one.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30 // names are short; do not spend time on garbage
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
