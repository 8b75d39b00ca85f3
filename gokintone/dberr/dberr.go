// Package dberr is the one error type that crosses from the Go core to Python.
//
// Every error the core returns to the binding is (or wraps) an *Error naming the PEP 249
// exception class it must become in Python and, where there is one, the kintone error code.
// The binding renders it with Wire, a fixed, parseable form that the Python side maps onto
// exception subclasses carrying the code.
package dberr

import (
	"errors"
	"fmt"
	"strings"
)

// Class is the name of a PEP 249 exception class.
type Class string

// The PEP 249 exception classes, by their Python names.
const (
	InterfaceError    Class = "InterfaceError"
	DatabaseError     Class = "DatabaseError"
	DataError         Class = "DataError"
	OperationalError  Class = "OperationalError"
	IntegrityError    Class = "IntegrityError"
	InternalError     Class = "InternalError"
	ProgrammingError  Class = "ProgrammingError"
	NotSupportedError Class = "NotSupportedError"
)

// Error is an error with a DB-API class and an optional kintone error code.
type Error struct {
	Class Class
	Code  string // kintone error code such as "GAIA_IQ11", or "" when none
	// Kind names a condition of the driver's own that Python raises as a dedicated subclass
	// (an OAuth or TLS failure, see the Kind constants); "" when the class and code say it all.
	Kind    string
	Message string
	Err     error // the underlying cause, if any
}

func (e *Error) Error() string {
	if e.Code != "" {
		return e.Message + " [" + e.Code + "]"
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with a formatted message.
func New(class Class, code, format string, args ...any) *Error {
	return &Error{Class: class, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with a formatted message that wraps err.
func Wrap(err error, class Class, code, format string, args ...any) *Error {
	return &Error{Class: class, Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// As returns the *Error inside err, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ClassOf returns the DB-API class of err: that of the *Error inside it, or fallback.
func ClassOf(err error, fallback Class) Class {
	if e := As(err); e != nil && e.Class != "" {
		return e.Class
	}
	return fallback
}

// Kinds of errors that Python raises as dedicated subclasses (see exceptions.py's KIND_CLASSES).
const (
	KindOAuthNotAuthorized   = "oauth_not_authorized"  // no access token yet (OperationalError)
	KindOAuthInvalidClient   = "oauth_invalid_client"  // the token endpoint refused the client credentials
	KindOAuthInvalidGrant    = "oauth_invalid_grant"   // the token endpoint refused a code or refresh token
	KindOAuthTokenRevoked    = "oauth_token_revoked"   // a valid-looking access token was refused and could not be renewed
	KindOAuthRefreshExpired  = "oauth_refresh_expired" // the refresh token was refused when renewing an expired access token
	KindOAuthAccessDenied    = "oauth_access_denied"   // the user denied the authorization
	KindOAuthTokenInvalid    = "oauth_token_invalid"   // the access token was refused and no refresh is possible
	KindOAuthError           = "oauth_error"           // any other OAuth failure
	KindTLSClientCertMissing = "tls_client_cert_required"
	KindTLSClientCertRefused = "tls_client_cert_refused"
	KindTLSCertPassword      = "tls_cert_password"
	KindTLSUntrustedServer   = "tls_untrusted_server"
	KindCancelled            = "cancelled" // a cancel call stopped the work (OperationalError)
)

// Wire renders err in the form the Python layer parses:
//
//	[cdata_kintone:<Class>:<Code>] <message>
//	[cdata_kintone:<Class>:<Code>:<Kind>] <message>
//
// where Code may be empty and the Kind part is there only when the error has one. The message is err.Error() of the outermost error, so context added
// by wrapping is kept. Errors that carry no class become DatabaseError... except that callers
// pass the fallback they mean.
func Wire(err error, fallback Class) string {
	class := ClassOf(err, fallback)
	code, kind := "", ""
	msg := err.Error()
	if e := As(err); e != nil {
		code, kind = e.Code, KindOf(err)
		// The code is carried separately; do not repeat it at the end of the message.
		if code != "" {
			msg = strings.TrimSuffix(msg, " ["+code+"]")
		}
	}
	if kind != "" {
		code += ":" + kind
	}
	return "[cdata_kintone:" + string(class) + ":" + code + "] " + msg
}

// KindOf returns the first Kind found in err's chain of *Error values, or "".
func KindOf(err error) string {
	for err != nil {
		if e, ok := err.(*Error); ok && e.Kind != "" {
			return e.Kind
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				if k := KindOf(x); k != "" {
					return k
				}
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// kintoneClasses maps kintone error codes onto DB-API classes. Codes not listed fall back by
// HTTP status (see ClassForStatus).
var kintoneClasses = map[string]Class{
	// Authentication and permission: the connection cannot do what was asked.
	"CB_AU01":   OperationalError,
	"CB_WA01":   OperationalError,
	"CB_NO02":   OperationalError,
	"CB_OA01":   OperationalError, // OAuth token refused (401) or lacking the scope (403)
	"GAIA_IA02": OperationalError,
	"GAIA_DA03": OperationalError,
	"GAIA_NO01": OperationalError,
	"GAIA_IL23": ProgrammingError,
	// Things that do not exist.
	"GAIA_AP01": ProgrammingError,
	"GAIA_RE01": ProgrammingError,
	"GAIA_RE02": ProgrammingError,
	"GAIA_BL01": ProgrammingError,
	// Query language misuse.
	"GAIA_QU01": ProgrammingError,
	"GAIA_QU02": ProgrammingError,
	"GAIA_IQ03": ProgrammingError,
	"GAIA_IQ07": ProgrammingError,
	"GAIA_IQ10": ProgrammingError,
	"GAIA_IQ11": ProgrammingError,
	"GAIA_IQ23": ProgrammingError,
	"GAIA_IQ25": ProgrammingError,
	"GAIA_IL08": ProgrammingError,
	"GAIA_IR02": ProgrammingError,
	// Data that kintone refuses.
	"CB_VA01":   DataError,
	"GAIA_LO04": DataError,
	"GAIA_RE09": IntegrityError,
	"GAIA_CO02": IntegrityError,
	// Limits, locks and load: try again later.
	"GAIA_TM12": OperationalError,
	"GAIA_CN01": OperationalError,
	"GAIA_TO04": OperationalError,
	"GAIA_RE18": OperationalError,
	"GAIA_DA02": OperationalError,
}

// ClassForKintone returns the DB-API class for a kintone error code and HTTP status.
func ClassForKintone(code string, status int) Class {
	if c, ok := kintoneClasses[code]; ok {
		return c
	}
	return ClassForStatus(status)
}

// ClassForStatus is the fallback class for an HTTP status without a known code.
func ClassForStatus(status int) Class {
	switch {
	case status == 401 || status == 403 || status == 429 || status >= 500:
		return OperationalError
	case status == 404:
		return ProgrammingError
	case status == 409:
		return IntegrityError
	case status >= 400:
		return DatabaseError
	default:
		return DatabaseError
	}
}
