// Package kerr is the error type of the Go core: an *Error says what happened (its Kind), with
// kintone's error code and HTTP status where there are some, and a message that tells the user
// how to fix it.
//
// The packages of the core return *Error values (or errors wrapping one) and know nothing of
// Python: the binding's boundary (package bridge) maps each Kind to the exception Python
// raises, in one table.
package kerr

import (
	"errors"
	"fmt"
)

// Kind says what happened. Its text is stable: the binding sends some kinds by it (the OAuth
// and TLS kinds; package bridge decides).
type Kind string

// The kinds. Adding one needs a row in the boundary's table (bridge's kindClasses), and a test
// fails until it has one.
const (
	// KindInternal is a bug in the core: a state that should not happen.
	KindInternal Kind = "internal"
	// KindClosed is the use of a connection, statement or simulator after it was closed.
	KindClosed Kind = "closed"
	// KindMalformedCall is a call into the core that breaks its own contract: a parameter list
	// the binding encoded wrongly, an HTTP method or endpoint the client does not send.
	KindMalformedCall Kind = "malformed_call"
	// KindInvalidConfig is a connection string or setting that cannot work: malformed, an
	// unknown property, a value that is missing, malformed or contradicts another.
	KindInvalidConfig Kind = "invalid_config"
	// KindNotSupported is something this driver does not do: a property value not implemented,
	// a certificate format, a SQL statement outside what it runs.
	KindNotSupported Kind = "not_supported"
	// KindSQL is a statement that cannot run as written: its syntax, a name that does not
	// exist, the number of parameters, more than one statement.
	KindSQL Kind = "sql"
	// KindInvalidArgument is an argument the call cannot take (an app id, a procedure
	// parameter, simulator options), or a call the connection cannot make as it is.
	KindInvalidArgument Kind = "invalid_argument"
	// KindBadValue is a value that cannot be represented or converted: one kintone sent in a
	// shape the driver cannot read, text that is not UTF-8, a number out of range.
	KindBadValue Kind = "bad_value"
	// KindConstraint is a constraint of a TEMP table that a statement would break.
	KindConstraint Kind = "constraint"
	// KindAPIError is kintone's refusal, in its own error format: Code and Status say why.
	KindAPIError Kind = "api_error"
	// KindQueryRefused is kintone's refusal of the query text itself (CB_VA01 naming only the
	// query parameter): the statement asked for something kintone's query language cannot say.
	KindQueryRefused Kind = "query_refused"
	// KindHTTPError is an error reply that is not kintone's (a proxy, a load balancer or the
	// Basic authentication layer answered); Status is its HTTP status, Code the
	// X-Cybozu-Error header if any.
	KindHTTPError Kind = "http_error"
	// KindBadReply is a successful reply the driver cannot use: malformed JSON, a missing part,
	// a record without a valid id.
	KindBadReply Kind = "bad_reply"
	// KindLimit is a limit of kintone or of the driver that stops the work: a reply or a table
	// too large, incomplete results, more API tokens than one request may carry.
	KindLimit Kind = "limit"
	// KindNoCredentials is a request for which the connection has no credentials (an app
	// without an API token).
	KindNoCredentials Kind = "no_credentials"
	// KindNetwork is a request that got no reply: the host cannot be resolved or reached, the
	// connection or the proxy failed.
	KindNetwork Kind = "network"
	// KindTimeout is a request that got no reply within the Timeout property.
	KindTimeout Kind = "timeout"
	// KindInterrupted is work stopped from outside: the caller's context ended, SQLite was
	// interrupted.
	KindInterrupted Kind = "interrupted"
	// KindIO is a local file that cannot be read or written, or a local port that cannot be
	// listened on.
	KindIO Kind = "io"
	// KindCancelled is work stopped by a cancel call (StmtCancel, ConnCancel, Ctrl-C).
	KindCancelled Kind = "cancelled"

	// KindOAuthNotAuthorized is a connection without an OAuth access token yet.
	KindOAuthNotAuthorized Kind = "oauth_not_authorized"
	// KindOAuthInvalidClient is the token endpoint refusing the client credentials.
	KindOAuthInvalidClient Kind = "oauth_invalid_client"
	// KindOAuthInvalidGrant is the token endpoint refusing a code or a refresh token.
	KindOAuthInvalidGrant Kind = "oauth_invalid_grant"
	// KindOAuthTokenRevoked is an access token refused before its expiry whose refresh token
	// was refused too: the authorization was revoked.
	KindOAuthTokenRevoked Kind = "oauth_token_revoked"
	// KindOAuthRefreshExpired is a refresh token refused when renewing an expired access token.
	KindOAuthRefreshExpired Kind = "oauth_refresh_expired"
	// KindOAuthAccessDenied is the user denying the authorization.
	KindOAuthAccessDenied Kind = "oauth_access_denied"
	// KindOAuthTokenInvalid is an access token kintone refused that cannot be renewed.
	KindOAuthTokenInvalid Kind = "oauth_token_invalid"
	// KindOAuthError is any other OAuth failure.
	KindOAuthError Kind = "oauth_error"
	// KindTLSClientCertRequired is a server that requires a client certificate when none was
	// given.
	KindTLSClientCertRequired Kind = "tls_client_cert_required"
	// KindTLSClientCertRejected is a server refusing the client certificate given.
	KindTLSClientCertRejected Kind = "tls_client_cert_refused"
	// KindTLSCertPassword is a client certificate password that is missing or wrong.
	KindTLSCertPassword Kind = "tls_cert_password"
	// KindTLSUntrustedServer is a server certificate that is not trusted.
	KindTLSUntrustedServer Kind = "tls_untrusted_server"
)

// Error is an error of the core.
type Error struct {
	Kind Kind
	// Code is kintone's error code such as "GAIA_IQ11", or the OAuth error string such as
	// "invalid_grant"; "" when there is none.
	Code string
	// Status is the HTTP status of the reply for KindAPIError and KindHTTPError, else 0.
	Status  int
	Message string
	// Details are facts a program may act on, JSON-encodable, that Python sets as attributes of
	// the exception (a failed write's committed ids, see WriteFailure); nil when none.
	Details any
	Err     error // the underlying cause, if any
}

func (e *Error) Error() string {
	if e.Code != "" {
		return e.Message + " [" + e.Code + "]"
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error of kind with a formatted message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind with a formatted message that wraps err.
func Wrap(err error, kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// Panicked is the error a recovered panic becomes: an internal error with the panic's value and
// the stack of the goroutine it happened on, so that a bug in the core reaches the caller as
// an exception instead of aborting the process (a panic no goroutine recovers ends the whole
// program, Python included).
func Panicked(r any, stack []byte) *Error {
	return New(KindInternal, "internal error in the kintone core (please report it): %v\n%s", r, stack)
}

// WithMessage returns an *Error that says what e says (the same Kind, Code, Status and
// Details) with message msg and cause err.
func (e *Error) WithMessage(msg string, err error) *Error {
	c := *e
	c.Message, c.Err = msg, err
	return &c
}

// As returns the outermost *Error in err's chain, or nil. It is what happened: an *Error that
// wraps another and means the same copies its Kind, Code and Status.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the Kind of the outermost *Error in err's chain, or "" when there is none.
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	return ""
}
