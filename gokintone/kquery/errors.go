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
	// ID and Args say which message this is and what it names (see Messages), for servers
	// that answer in other languages.
	ID   MessageID
	Args []string
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

// MessageID names the wording of a query error, so that a server answering in another language
// can word it again: Messages holds the English text of each, with a %s for each of Error.Args.
type MessageID string

// The query errors. For CB_VA01 the message is the one under errors.query; for the GAIA codes
// it is the top-level message.
const (
	MsgSyntax             MessageID = "syntax"               // CB_VA01: the query cannot be read
	MsgLimitNegative      MessageID = "limit-negative"       // CB_VA01
	MsgOffsetNegative     MessageID = "offset-negative"      // CB_VA01
	MsgLimitTooLarge      MessageID = "limit-too-large"      // GAIA_QU01
	MsgOffsetTooLarge     MessageID = "offset-too-large"     // GAIA_QU02
	MsgFieldNotFound      MessageID = "field-not-found"      // GAIA_IQ11: code
	MsgRelatedNotFound    MessageID = "related-not-found"    // GAIA_IR02: related-records code
	MsgNotAnOption        MessageID = "not-an-option"        // GAIA_IQ10: value, code
	MsgOperatorInTable    MessageID = "operator-in-table"    // GAIA_IQ07: operator, code
	MsgOperatorNotAllowed MessageID = "operator-not-allowed" // GAIA_IQ03: operator, code
	MsgUnknownFunction    MessageID = "unknown-function"     // CB_VA01: function
	MsgFunctionNotAllowed MessageID = "function-not-allowed" // CB_VA01: function, code
	MsgArgumentCount      MessageID = "argument-count"       // GAIA_IL08: function
	MsgNotANumber         MessageID = "not-a-number"         // CB_VA01: value, code
	MsgNotADate           MessageID = "not-a-date"           // CB_VA01: value, field type, code
	MsgFromTodayNumber    MessageID = "from-today-number"    // GAIA_IQ25: argument
	MsgFromTodayUnit      MessageID = "from-today-unit"      // GAIA_IQ25: argument
	MsgWeekday            MessageID = "weekday"              // GAIA_IQ25: argument, function
	MsgMonthDay           MessageID = "month-day"            // GAIA_IQ23: argument
	MsgSortInTable        MessageID = "sort-in-table"        // CB_VA01: code
	MsgSortType           MessageID = "sort-type"            // CB_VA01: code, field type
)

// Messages is the English wording of each query error.
var Messages = map[MessageID]string{
	MsgSyntax:             "Query syntax is invalid.",
	MsgLimitNegative:      "limit must be 0 or more.",
	MsgOffsetNegative:     "offset must be 0 or more.",
	MsgLimitTooLarge:      "Specify a value of 500 or less for limit.",
	MsgOffsetTooLarge:     "Specify a value of 10,000 or less for offset.",
	MsgFieldNotFound:      "Specified field (%s) not found.",
	MsgRelatedNotFound:    "Specified related records field (%s) not found. Fields in tables are referred to by their own field code.",
	MsgNotAnOption:        "The value (%s) is not an option of the %s field.",
	MsgOperatorInTable:    "The operator %s cannot be used for the %s field because it is in a table.",
	MsgOperatorNotAllowed: "The operator %s cannot be used for the field type of the %s field.",
	MsgUnknownFunction:    "Unknown function %s().",
	MsgFunctionNotAllowed: "The function %s() cannot be used for the %s field.",
	MsgArgumentCount:      "The number of arguments of the function %s() is invalid.",
	MsgNotANumber:         "The value (%s) of the %s field must be a number.",
	MsgNotADate:           "The value (%s) is not a valid %s value for the %s field.",
	MsgFromTodayNumber:    "The first argument of FROM_TODAY must be an integer, not %s.",
	MsgFromTodayUnit:      "The unit (%s) of FROM_TODAY is invalid. Specify DAYS, WEEKS, MONTHS or YEARS.",
	MsgWeekday:            "The day of the week (%s) of %s is invalid. Specify SUNDAY to SATURDAY.",
	MsgMonthDay:           "The specified day (%s) is invalid. Specify an integer from 1 to 31.",
	MsgSortInTable:        "The field %s cannot be used for sorting: fields in tables and related records cannot be sort keys.",
	MsgSortType:           "The field %s cannot be used for sorting (field type %s).",
}

// word renders a message in English.
func word(id MessageID, args []string) string {
	anys := make([]any, len(args))
	for i, a := range args {
		anys[i] = a
	}
	return fmt.Sprintf(Messages[id], anys...)
}

// syntaxError is kintone's answer to a query it cannot read: CB_VA01 with errors.query.
func syntaxError(format string, args ...any) *Error {
	e := invalidInput(MsgSyntax)
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// invalidInput is CB_VA01 with a specific message under errors.query.
func invalidInput(id MessageID, args ...string) *Error {
	return &Error{
		Code:    "CB_VA01",
		Status:  400,
		Message: "Missing or invalid input.",
		Errors:  map[string][]string{"query": {word(id, args)}},
		ID:      id,
		Args:    args,
	}
}

// gaiaError is a kintone GAIA_* error: no errors object, the message says it all.
func gaiaError(code string, id MessageID, args ...string) *Error {
	return &Error{Code: code, Status: 400, Message: word(id, args), ID: id, Args: args}
}
