package bridge

import (
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim"
	"github.com/kintone-oss/cdata-kintone/gokintone/kintonesim/sample"
)

// simOptions are the options SimStart accepts as JSON.
type simOptions struct {
	LatencyMs    int64  `json:"latencyMs"`
	Port         int    `json:"port"`
	OrderRecords int    `json:"orderRecords"`
	TimeZone     string `json:"timeZone"`
	// Clock starts the simulator on a clock that only SimAdvance moves, at this RFC 3339
	// instant ("" = the real clock).
	Clock string `json:"clock"`
	// TLS is "" (plain http), "server" (https with a generated test CA) or "client-cert"
	// (https that also requires a client certificate signed by that CA).
	TLS string `json:"tls"`
	// PKIDir is where the test certificates are written for TLS ("" = a new temporary folder).
	PKIDir string `json:"pkiDir"`
	// AccessTokenTTL and RefreshTokenTTL are the OAuth token lifetimes in seconds (0 = the
	// simulator's defaults: 3600, and refresh tokens that never expire).
	AccessTokenTTL  float64 `json:"accessTokenTtl"`
	RefreshTokenTTL float64 `json:"refreshTokenTtl"`
	// OAuthClients are added to the fixture's (the sample has none), so that the sample data
	// can be used with OAuth.
	OAuthClients []kintonesim.OAuthClient `json:"oauthClients"`
}

type sim struct {
	rn *kintonesim.Running
	// user and password are the first user with a password; apps the fixture's apps: what
	// SimInfo tells of the fixture, which is not kept (its records would double the memory of
	// a large simulator).
	user, password string
	apps           []simApp
	clock          *kintonesim.Clock
	pki            *kintonesim.TestPKI
	pkiTemp        bool // the PKI's folder is a temporary one SimStart made
}

// SimStart starts a simulator. fixture is "" for the sample dataset, a JSON document, or
// "@path" for a JSON file.
func SimStart(fixture, options string) (int64, error) {
	var o simOptions
	if strings.TrimSpace(options) != "" {
		dec := json.NewDecoder(strings.NewReader(options))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return 0, kerr.New(kerr.KindInvalidArgument, "bad simulator options: %v", err)
		}
	}
	var f *kintonesim.Fixture
	switch {
	case strings.TrimSpace(fixture) == "":
		f = sample.Fixture(sample.Options{OrderRecords: o.OrderRecords, StreamOrders: true})
	default:
		var err error
		if strings.HasPrefix(fixture, "@") {
			f, err = kintonesim.LoadFixture(fixture[1:])
		} else {
			f, err = kintonesim.ParseFixture([]byte(fixture))
		}
		if err != nil {
			return 0, kerr.New(kerr.KindInvalidArgument, "bad fixture: %v", err)
		}
	}
	f.OAuthClients = append(f.OAuthClients, o.OAuthClients...)
	opts := kintonesim.Options{Latency: time.Duration(o.LatencyMs) * time.Millisecond,
		AccessTokenTTL:  time.Duration(o.AccessTokenTTL * float64(time.Second)),
		RefreshTokenTTL: time.Duration(o.RefreshTokenTTL * float64(time.Second))}
	if o.TimeZone != "" {
		loc, err := time.LoadLocation(o.TimeZone)
		if err != nil {
			return 0, kerr.New(kerr.KindInvalidArgument, "unknown time zone %q", o.TimeZone)
		}
		opts.Location = loc
	}
	sm := &sim{apps: simApps(f)}
	for _, u := range f.Users {
		if u.Password != "" {
			sm.user, sm.password = u.Code, u.Password
			break
		}
	}
	if o.Clock != "" {
		t, err := time.Parse(time.RFC3339, o.Clock)
		if err != nil {
			return 0, kerr.New(kerr.KindInvalidArgument, "bad simulator clock %q: want an RFC 3339 time", o.Clock)
		}
		sm.clock = kintonesim.NewClock(t)
		opts.Now = sm.clock.Now
	}
	var err error
	switch o.TLS {
	case "":
		sm.rn, err = kintonesim.Start(f, opts, o.Port)
	case "server", "client-cert":
		dir := o.PKIDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "kintonesim-pki-"); err != nil {
				return 0, kerr.Wrap(err, kerr.KindIO, "cannot create the certificate folder: %v", err)
			}
			sm.pkiTemp = true
		}
		if sm.pki, err = kintonesim.GenerateTestPKI(dir); err != nil {
			sm.removePKI(dir)
			return 0, kerr.Wrap(err, kerr.KindIO, "cannot create test certificates: %v", err)
		}
		to := sm.pki.TLSOptions()
		to.RequireClientCert = o.TLS == "client-cert"
		if sm.rn, err = kintonesim.StartTLS(f, opts, o.Port, to); err != nil {
			sm.removePKI(dir)
		}
	default:
		return 0, kerr.New(kerr.KindInvalidArgument, "bad simulator tls option %q: use \"server\" or \"client-cert\"", o.TLS)
	}
	if err != nil {
		return 0, kerr.Wrap(err, kerr.KindIO, "cannot start the simulator: %v", err)
	}
	return registry.add(sm), nil
}

func getSim(h int64) (*sim, error) {
	s, ok := registry.get(h).(*sim)
	if !ok || s == nil {
		return nil, kerr.New(kerr.KindClosed, "the simulator is stopped")
	}
	return s, nil
}

type simApp struct {
	ID           int64             `json:"id"`
	Code         string            `json:"code"`
	Name         string            `json:"name"`
	GuestSpaceID *int64            `json:"guestSpaceId"`
	Tokens       map[string]string `json:"tokens"`
}

// simApps describes the fixture's apps for SimInfo: ids, codes, names and the first full and
// view-only API token of each.
func simApps(f *kintonesim.Fixture) []simApp {
	apps := []simApp{}
	for _, a := range f.Apps {
		sa := simApp{ID: a.ID, Code: a.Code, Name: a.Name, Tokens: map[string]string{}}
		if a.GuestSpaceID != 0 {
			g := a.GuestSpaceID
			sa.GuestSpaceID = &g
		}
		for _, t := range a.APITokens {
			switch {
			case t.View && t.Add && t.Edit && t.Delete:
				if _, ok := sa.Tokens["full"]; !ok {
					sa.Tokens["full"] = t.Token
				}
			case t.View && !t.Add && !t.Edit && !t.Delete:
				if _, ok := sa.Tokens["view"]; !ok {
					sa.Tokens["view"] = t.Token
				}
			}
		}
		apps = append(apps, sa)
	}
	return apps
}

// SimInfo returns the URL, the first user's credentials, the apps with their tokens and, when
// the fixture holds what kintone would refuse, the simulator's warnings about it.
func SimInfo(h int64) (string, error) {
	s, err := getSim(h)
	if err != nil {
		return "", err
	}
	info := map[string]any{"url": s.rn.URL(), "apps": s.apps}
	if s.password != "" {
		info["user"], info["password"] = s.user, s.password
	}
	if w := s.rn.Server.Warnings(); len(w) > 0 {
		info["warnings"] = w // what of the fixture kintone would refuse (formulas, CALC formats)
	}
	if s.pki != nil {
		info["pki"] = map[string]string{
			"dir": s.pki.Dir, "caFile": s.pki.CAFile,
			"clientCertFile": s.pki.ClientCertFile, "clientKeyFile": s.pki.ClientKeyFile,
			"clientPemFile":           s.pki.ClientPEMFile,
			"untrustedClientCertFile": s.pki.UntrustedClientCertFile,
			"untrustedClientKeyFile":  s.pki.UntrustedClientKeyFile,
		}
	}
	if s.clock != nil {
		info["clock"] = s.clock.Now().UTC().Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(info)
	return string(b), err
}

// SimAdvance moves a simulator's clock forward (it must have been started with a clock).
func SimAdvance(h int64, seconds float64) error {
	s, err := getSim(h)
	if err != nil {
		return err
	}
	if s.clock == nil {
		return kerr.New(kerr.KindInvalidArgument, "the simulator runs on the real clock; start it with a clock to move time")
	}
	s.clock.Advance(time.Duration(seconds * float64(time.Second)))
	return nil
}

// faultRule is the JSON form of kintonesim.FaultRule (durations in milliseconds).
type faultRule struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	App     string `json:"app"`
	Nth     int    `json:"nth"`
	Times   int    `json:"times"`
	DelayMs int64  `json:"delayMs"`
	Reset   bool   `json:"reset"`
	// ResetAfterServe serves the request, then drops the connection instead of the reply.
	ResetAfterServe bool              `json:"resetAfterServe"`
	Status          int               `json:"status"`
	Code            string            `json:"code"`
	Message         string            `json:"message"`
	Body            string            `json:"body"`
	ContentType     string            `json:"contentType"`
	Header          map[string]string `json:"header"`
	SlowBodyMs      int64             `json:"slowBodyMs"`
}

// SimAddFault adds a fault rule given as JSON.
func SimAddFault(h int64, rule string) error {
	s, err := getSim(h)
	if err != nil {
		return err
	}
	var r faultRule
	dec := json.NewDecoder(strings.NewReader(rule))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return kerr.New(kerr.KindInvalidArgument, "bad fault rule: %v", err)
	}
	fr := kintonesim.FaultRule{Method: r.Method, Path: r.Path, App: r.App, Nth: r.Nth, Times: r.Times,
		Delay: time.Duration(r.DelayMs) * time.Millisecond, Reset: r.Reset, ResetAfterServe: r.ResetAfterServe, Status: r.Status, Code: r.Code,
		Message: r.Message, Body: r.Body, ContentType: r.ContentType,
		Header: r.Header, SlowBody: time.Duration(r.SlowBodyMs) * time.Millisecond}
	s.rn.Server.AddFault(fr)
	return nil
}

// SimClearFaults removes every fault rule.
func SimClearFaults(h int64) error {
	s, err := getSim(h)
	if err != nil {
		return err
	}
	s.rn.Server.ClearFaults()
	return nil
}

// SimStats returns the simulator's counters as JSON.
func SimStats(h int64) (string, error) {
	s, err := getSim(h)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(s.rn.Server.Stats())
	return string(b), err
}

// SimRequests returns the request log as JSON.
func SimRequests(h int64) (string, error) {
	s, err := getSim(h)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(s.rn.Server.Requests())
	return string(b), err
}

// SimCollectGarbage runs a full collection of the process's Go heap: the simulator's and that
// of every connection, one Go runtime. Benchmarks call it between measured runs, so that a
// collection the previous run left due does not fall into the next one.
func SimCollectGarbage(h int64) error {
	if _, err := getSim(h); err != nil {
		return err
	}
	runtime.GC()
	return nil
}

// SimResetRequests clears the request log.
func SimResetRequests(h int64) error {
	s, err := getSim(h)
	if err != nil {
		return err
	}
	s.rn.Server.ResetRequests()
	return nil
}

// SimStop stops a simulator and deletes the test certificates and private keys it generated
// for TLS.
func SimStop(h int64) error {
	s, ok := registry.remove(h).(*sim)
	if !ok || s == nil {
		return nil
	}
	err := s.rn.Close()
	if s.pki != nil {
		s.removePKI(s.pki.Dir)
	}
	return err
}

// removePKI deletes the test certificates and their private keys from dir: the whole folder
// when SimStart made it, else the files it wrote there.
func (s *sim) removePKI(dir string) {
	switch {
	case s.pkiTemp:
		os.RemoveAll(dir)
	case s.pki != nil:
		s.pki.Remove()
	}
}

// simOAuthRequest is the JSON request of SimOAuth.
type simOAuthRequest struct {
	Op       string   `json:"op"` // "issue", "revoke" or "revokeGrants"
	ClientID string   `json:"clientId"`
	User     string   `json:"user"`
	Scopes   []string `json:"scopes"`
	Token    string   `json:"token"`
}

// SimOAuth runs an OAuth test helper of the simulator: "issue" authorizes clientId for user
// without the browser step and returns the token answer; "revoke" revokes an access token (that
// token only) or a refresh token (its whole grant) and returns {"known": bool}; "revokeGrants"
// revokes every grant of clientId to user ("" = any) and returns {"revoked": n}.
func SimOAuth(h int64, request string) (string, error) {
	s, err := getSim(h)
	if err != nil {
		return "", err
	}
	var r simOAuthRequest
	dec := json.NewDecoder(strings.NewReader(request))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return "", kerr.New(kerr.KindInvalidArgument, "bad simulator OAuth request: %v", err)
	}
	var out any
	switch r.Op {
	case "issue":
		t, err := s.rn.Server.IssueOAuthTokens(r.ClientID, r.User, r.Scopes...)
		if err != nil {
			return "", kerr.New(kerr.KindInvalidArgument, "%v", err)
		}
		out = t
	case "revoke":
		out = map[string]bool{"known": s.rn.Server.RevokeOAuthToken(r.Token)}
	case "revokeGrants":
		out = map[string]int{"revoked": s.rn.Server.RevokeOAuthGrants(r.ClientID, r.User)}
	default:
		return "", kerr.New(kerr.KindInvalidArgument, "unknown simulator OAuth operation %q: use issue, revoke or revokeGrants", r.Op)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// SetEnv sets (value "" unsets) an environment variable the core reads. Python's os.environ
// changes are not visible to Go's os.Getenv (Go copies the environment when it starts), so the
// Python layer forwards the variables the core uses. Only CDATA_KINTONE_* names are accepted.
func SetEnv(name, value string) error {
	if !strings.HasPrefix(name, "CDATA_KINTONE_") {
		return kerr.New(kerr.KindInvalidArgument, "SetEnv accepts CDATA_KINTONE_* variables only, not %q", name)
	}
	if value == "" {
		return os.Unsetenv(name)
	}
	return os.Setenv(name, value)
}
