package dberr

import (
	"errors"
	"fmt"
	"testing"
)

func TestWire(t *testing.T) {
	base := New(ProgrammingError, "GAIA_IQ11", "field %q not found", "x")
	wrapped := fmt.Errorf("while reading Deals: %w", base)
	cases := []struct {
		err  error
		want string
	}{
		{base, `[cdata_kintone:ProgrammingError:GAIA_IQ11] field "x" not found`},
		{wrapped, `[cdata_kintone:ProgrammingError:GAIA_IQ11] while reading Deals: field "x" not found`},
		{errors.New("plain"), `[cdata_kintone:DatabaseError:] plain`},
		{New(OperationalError, "", "multi\nline"), "[cdata_kintone:OperationalError:] multi\nline"},
		{&Error{Class: OperationalError, Code: "invalid_grant", Kind: KindOAuthTokenRevoked, Message: "revoked"},
			"[cdata_kintone:OperationalError:invalid_grant:oauth_token_revoked] revoked"},
		{&Error{Class: OperationalError, Kind: KindTLSUntrustedServer, Message: "untrusted"},
			"[cdata_kintone:OperationalError::tls_untrusted_server] untrusted"},
		// the kind of a wrapped error travels; the outer class and code win
		{&Error{Class: InterfaceError, Message: "outer", Err: errors.Join(errors.New("x"), &Error{Kind: KindTLSCertPassword})},
			"[cdata_kintone:InterfaceError::tls_cert_password] outer"},
	}
	for _, c := range cases {
		if got := Wire(c.err, DatabaseError); got != c.want {
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
		{"CB_VA01", 400, DataError},
		{"", 503, OperationalError},
		{"UNKNOWN", 404, ProgrammingError},
		{"UNKNOWN", 400, DatabaseError},
	}
	for _, c := range cases {
		if got := ClassForKintone(c.code, c.status); got != c.want {
			t.Errorf("ClassForKintone(%q, %d) = %s, want %s", c.code, c.status, got, c.want)
		}
	}
}
