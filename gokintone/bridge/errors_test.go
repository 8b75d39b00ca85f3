package bridge

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// classOf is the PEP 249 class of err.
func classOf(err error) Class {
	class, _, _ := classify(err)
	return class
}

func TestWire(t *testing.T) {
	base := &kerr.Error{Kind: kerr.KindAPIError, Code: "GAIA_IQ11", Status: 400, Message: `field "x" not found`}
	wrapped := fmt.Errorf("while reading Deals: %w", base)
	cases := []struct {
		err  error
		want string
	}{
		{base, `[cdata_kintone:ProgrammingError:GAIA_IQ11] field "x" not found`},
		{wrapped, `[cdata_kintone:ProgrammingError:GAIA_IQ11] while reading Deals: field "x" not found`},
		{errors.New("plain"), `[cdata_kintone:DatabaseError:] plain`},
		{kerr.New(kerr.KindNetwork, "multi\nline"), "[cdata_kintone:OperationalError:] multi\nline"},
		{&kerr.Error{Kind: kerr.KindOAuthTokenRevoked, Code: "invalid_grant", Message: "revoked"},
			"[cdata_kintone:OperationalError:invalid_grant:oauth_token_revoked] revoked"},
		{kerr.New(kerr.KindTLSUntrustedServer, "untrusted"), "[cdata_kintone:OperationalError::tls_untrusted_server] untrusted"},
		{kerr.New(kerr.KindTLSCertPassword, "locked"), "[cdata_kintone:InterfaceError::tls_cert_password] locked"},
		// the outermost error says what happened
		{kerr.Wrap(kerr.New(kerr.KindTLSCertPassword, "inner"), kerr.KindInternal, "outer"), "[cdata_kintone:InternalError:] outer"},
		// an error of no known kind is a DatabaseError
		{&kerr.Error{Message: "no kind"}, "[cdata_kintone:DatabaseError:] no kind"},
	}
	for _, c := range cases {
		if got := Wire(c.err); got != c.want {
			t.Errorf("Wire(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestClassForKintone(t *testing.T) {
	cases := []struct {
		code   string
		status int
		want   Class
	}{
		{"GAIA_AP01", 404, ProgrammingError},
		{"CB_WA01", 401, OperationalError},
		{"GAIA_CO02", 409, IntegrityError},
		{"GAIA_CO02", 400, IntegrityError},
		{"CB_VA01", 400, DataError},
		{"GAIA_IA02", 520, OperationalError},
		{"", 503, OperationalError},
		{"UNKNOWN", 404, ProgrammingError},
		{"UNKNOWN", 409, IntegrityError},
		{"UNKNOWN", 400, DatabaseError},
	}
	for _, c := range cases {
		err := &kerr.Error{Kind: kerr.KindAPIError, Code: c.code, Status: c.status, Message: "m"}
		if got := classOf(err); got != c.want {
			t.Errorf("%q, HTTP %d: %s, want %s", c.code, c.status, got, c.want)
		}
	}
}
