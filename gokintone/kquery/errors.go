package kquery

import (
	"fmt"
	"sort"
	"strings"
)

// Error is a query error in the shape of a kintone error response, so that the simulator can
// send it as it is and the connector can report the code kintone would have given.
type Error struct {
	Code    string              // kintone error code, e.g. "CB_VA01", "GAIA_IQ11"
	Status  int                 // HTTP status kintone answers with (400)
	Message string              // kintone's top-level message
	Errors  map[string][]string // per-parameter messages, as in kintone's "errors" object
	// Detail says what exactly is wrong (position, token); kintone does not send it, so the
	// simulator need not either, but it makes a rejected query fixable.
	Detail string
}

// Error renders the code, messages and detail on one line, for logs and the binding.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	keys := make([]string, 0, len(e.Errors))
	for k := range e.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s: %s", k, strings.Join(e.Errors[k], " "))
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	if e.Code != "" {
		b.WriteString(" [" + e.Code + "]")
	}
	return b.String()
}

// msgInvalidQuery is the per-parameter message kintone attaches to a query it cannot parse.
const msgInvalidQuery = "Query syntax is invalid."

// syntaxError is kintone's answer to a query it cannot read: CB_VA01 with errors.query.
func syntaxError(format string, args ...any) *Error {
	return &Error{
		Code:    "CB_VA01",
		Status:  400,
		Message: "Missing or invalid input.",
		Errors:  map[string][]string{"query": {msgInvalidQuery}},
		Detail:  fmt.Sprintf(format, args...),
	}
}

// invalidInput is CB_VA01 with a specific message under errors.query.
func invalidInput(msg string) *Error {
	return &Error{
		Code:    "CB_VA01",
		Status:  400,
		Message: "Missing or invalid input.",
		Errors:  map[string][]string{"query": {msg}},
	}
}

// gaiaError is a kintone GAIA_* error: no errors object, the message says it all.
func gaiaError(code, format string, args ...any) *Error {
	return &Error{Code: code, Status: 400, Message: fmt.Sprintf(format, args...)}
}
