package bridge

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Class is the name of a PEP 249 exception class, as Python spells it.
type Class string

// The PEP 249 exception classes.
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

// raised is what Python raises for a kind of error.
type raised struct {
	class Class
	// byCode: the class follows kintone's error code and the HTTP status (classForKintone).
	byCode bool
	// sendKind: the kind itself is sent, and selects a dedicated subclass of class
	// (exceptions.py's KIND_CLASSES, keyed by the kind's text).
	sendKind bool
	// code is the kintone code errors of the kind carry, when it is always the same (for
	// ErrorKinds' samples).
	code string
}

// kindClasses is the one table from what happened to what Python raises.
var kindClasses = map[kerr.Kind]raised{
	kerr.KindInternal:        {class: InternalError},
	kerr.KindClosed:          {class: InterfaceError},
	kerr.KindMalformedCall:   {class: InterfaceError},
	kerr.KindInvalidConfig:   {class: InterfaceError},
	kerr.KindNotSupported:    {class: NotSupportedError},
	kerr.KindSQL:             {class: ProgrammingError},
	kerr.KindInvalidArgument: {class: ProgrammingError},
	kerr.KindBadValue:        {class: DataError},
	kerr.KindConstraint:      {class: IntegrityError},
	kerr.KindAPIError:        {byCode: true},
	kerr.KindQueryRefused:    {class: ProgrammingError, code: "CB_VA01"},
	kerr.KindHTTPError:       {class: OperationalError},
	kerr.KindBadReply:        {class: OperationalError},
	kerr.KindLimit:           {class: OperationalError},
	kerr.KindNoCredentials:   {class: OperationalError},
	kerr.KindNetwork:         {class: OperationalError},
	kerr.KindTimeout:         {class: OperationalError},
	kerr.KindInterrupted:     {class: OperationalError},
	kerr.KindIO:              {class: OperationalError},
	kerr.KindCancelled:       {class: OperationalError, sendKind: true},

	kerr.KindOAuthNotAuthorized:    {class: OperationalError, sendKind: true},
	kerr.KindOAuthInvalidClient:    {class: OperationalError, sendKind: true},
	kerr.KindOAuthInvalidGrant:     {class: OperationalError, sendKind: true},
	kerr.KindOAuthTokenRevoked:     {class: OperationalError, sendKind: true},
	kerr.KindOAuthRefreshExpired:   {class: OperationalError, sendKind: true},
	kerr.KindOAuthAccessDenied:     {class: OperationalError, sendKind: true},
	kerr.KindOAuthTokenInvalid:     {class: OperationalError, sendKind: true},
	kerr.KindOAuthError:            {class: OperationalError, sendKind: true},
	kerr.KindTLSClientCertRequired: {class: OperationalError, sendKind: true},
	kerr.KindTLSClientCertRejected: {class: OperationalError, sendKind: true},
	kerr.KindTLSCertPassword:       {class: InterfaceError, sendKind: true},
	kerr.KindTLSUntrustedServer:    {class: OperationalError, sendKind: true},
}

// kintoneClasses maps kintone error codes onto PEP 249 classes. Codes not listed fall back by
// HTTP status (see classForStatus).
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

// classForKintone returns the PEP 249 class for a kintone error code and HTTP status.
func classForKintone(code string, status int) Class {
	if c, ok := kintoneClasses[code]; ok {
		return c
	}
	return classForStatus(status)
}

// classForStatus is the class of a kintone error reply whose code is not known.
func classForStatus(status int) Class {
	switch {
	case status == 401 || status == 403 || status == 429 || status >= 500:
		return OperationalError
	case status == 404:
		return ProgrammingError
	case status == 409:
		return IntegrityError
	default:
		return DatabaseError
	}
}

// classify returns what Python raises for err: the PEP 249 class, the code, and the kind when
// it selects a dedicated subclass (else ""). The outermost *kerr.Error in err says what
// happened; an error without one is a DatabaseError.
func classify(err error) (class Class, code, kind string) {
	e := kerr.As(err)
	if e == nil {
		return DatabaseError, "", ""
	}
	r, ok := kindClasses[e.Kind]
	if !ok {
		return DatabaseError, e.Code, ""
	}
	class = r.class
	if r.byCode {
		class = classForKintone(e.Code, e.Status)
	}
	if r.sendKind {
		kind = string(e.Kind)
	}
	return class, e.Code, kind
}

// Wire renders err in the form the Python layer parses (pybind/README.md):
//
//	[cdata_kintone:<Class>:<Code>] <message>
//	[cdata_kintone:<Class>:<Code>:<kind>] <message>
//	[cdata_kintone:<Class>:<Code>]{<details>} <message>
//
// where Code may be empty, the kind part is there only when it selects a dedicated subclass,
// and details, a JSON object, only when the error has Details (Python sets its members as
// attributes of the exception). The message is err.Error(), so context added by wrapping is
// kept, without the code that Error() appends.
func Wire(err error) string {
	class, code, kind := classify(err)
	msg := err.Error()
	if code != "" {
		msg = strings.TrimSuffix(msg, " ["+code+"]")
	}
	if kind != "" {
		code += ":" + kind
	}
	details := ""
	if e := kerr.As(err); e != nil && e.Details != nil {
		if b, jerr := json.Marshal(e.Details); jerr == nil && len(b) > 0 && b[0] == '{' {
			details = string(b)
		}
	}
	return "[cdata_kintone:" + string(class) + ":" + code + "]" + details + " " + msg
}

// PanicError is kerr.Panicked, for pybind's guard (pybind imports the bridge only).
func PanicError(r any, stack []byte) error { return kerr.Panicked(r, stack) }

// fallbackStatuses are HTTP statuses of kintone error replies, one or more for each class
// classForStatus gives a code it does not know.
var fallbackStatuses = []int{400, 401, 403, 404, 409, 429, 500, 503}

// errorCase is one way an error reaches Python, for ErrorKinds.
type errorCase struct {
	Kind     kerr.Kind `json:"kind"`
	Code     string    `json:"code"`
	Class    Class     `json:"class"`
	WireKind string    `json:"wire_kind"`
	Wire     string    `json:"wire"`
}

// ErrorKinds returns, as a JSON list, every way an error reaches Python: each kind, and for
// kintone's error replies each known code and the fallback by HTTP status. Each entry has the
// class, code and kind sent, and the wire text of a sample error; the Python tests check
// exceptions.py against it.
func ErrorKinds() (string, error) {
	var cases []errorCase
	add := func(e *kerr.Error) {
		class, code, kind := classify(e)
		cases = append(cases, errorCase{Kind: e.Kind, Code: code, Class: class, WireKind: kind, Wire: Wire(e)})
	}
	for _, k := range slices.Sorted(maps.Keys(kindClasses)) {
		if r := kindClasses[k]; !r.byCode {
			add(&kerr.Error{Kind: k, Code: r.code, Message: "sample"})
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(kintoneClasses)) {
			add(&kerr.Error{Kind: k, Code: code, Status: 400, Message: "sample"})
		}
		for _, status := range fallbackStatuses {
			add(&kerr.Error{Kind: k, Status: status, Message: "sample"})
		}
	}
	b, err := json.Marshal(cases)
	return string(b), err
}
