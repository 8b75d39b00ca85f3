package kerr

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorText(t *testing.T) {
	if got := New(KindSQL, "no such table: %s", "Foo").Error(); got != "no such table: Foo" {
		t.Errorf("Error() = %q", got)
	}
	e := &Error{Kind: KindAPIError, Code: "GAIA_AP01", Status: 404, Message: "the app was not found"}
	if got := e.Error(); got != "the app was not found [GAIA_AP01]" {
		t.Errorf("Error() = %q", got)
	}
}

func TestOutermostSaysWhatHappened(t *testing.T) {
	inner := New(KindTLSCertPassword, "locked")
	outer := Wrap(inner, KindInvalidConfig, "SSLClientCert: %v", inner)
	err := fmt.Errorf("connecting: %w", outer)
	if As(err) != outer || KindOf(err) != KindInvalidConfig {
		t.Errorf("As = %v, KindOf = %s", As(err), KindOf(err))
	}
	if !errors.Is(err, inner) {
		t.Error("the cause is not reachable")
	}
	if As(io.EOF) != nil || KindOf(io.EOF) != "" || KindOf(nil) != "" {
		t.Error("a plain error has a kind")
	}
}

func TestWithMessageKeepsWhatHappened(t *testing.T) {
	e := &Error{Kind: KindAPIError, Code: "GAIA_TO04", Status: 429, Message: "busy", Err: io.EOF}
	c := e.WithMessage("busy (gave up after 4 attempts)", e.Err)
	if c.Kind != e.Kind || c.Code != e.Code || c.Status != e.Status || c.Err != io.EOF ||
		c.Error() != "busy (gave up after 4 attempts) [GAIA_TO04]" {
		t.Errorf("WithMessage = %+v", c)
	}
	if e.Message != "busy" {
		t.Errorf("the original changed: %+v", e)
	}
}
