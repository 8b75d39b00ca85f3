package kclient

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// APIError is a non-2xx reply from kintone. The client returns it wrapped in a *kerr.Error of
// kind KindAPIError (kintone's error format) or KindHTTPError (another server answered), with
// the code and status; use errors.As to reach it.
//
// For replies whose body is not kintone's JSON error envelope (a load balancer's 503 page, a
// Basic authentication 401), Code is "" and Message is a sanitised start of the body.
type APIError struct {
	Status  int    // HTTP status code
	Code    string // kintone error code such as "GAIA_AP01"; "" when the body was not kintone's
	ID      string // kintone's id of the failed request, for Cybozu support
	Message string
	Errors  map[string]FieldErrors // per-parameter or per-field messages, for validation errors
	Method  string                 // the HTTP method as meant (GET for a method-overridden POST)
	Path    string                 // the URL path, without the query
	Date    time.Time              // the reply's Date header (the server's clock); zero when absent
	// BulkIndex is, for a failed bulkRequest, the index of the request kintone refused; -1
	// otherwise.
	BulkIndex int

	retryAfter time.Duration // from a Retry-After header; 0 when none
}

// FieldErrors are the messages about one parameter or field in APIError.Errors.
type FieldErrors struct {
	Messages []string `json:"messages"`
}

// maxFieldErrors is how many entries of APIError.Errors the message shows.
const maxFieldErrors = 3

// Error renders the error like
//
//	kintone GET /k/v1/records.json: The app (ID: 3) not found. [GAIA_AP01] (HTTP 404)
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.prefix())
	b.WriteString(e.detail())
	if e.Code != "" {
		b.WriteString(" [" + e.Code + "]")
	}
	fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	return b.String()
}

// queryRefused reports whether kintone refused the query text itself: a validation error
// (CB_VA01) about the query parameter only.
func (e *APIError) queryRefused() bool {
	if e.Code != "CB_VA01" || len(e.Errors) == 0 {
		return false
	}
	for k := range e.Errors {
		if k != "query" {
			return false
		}
	}
	return true
}

func (e *APIError) prefix() string { return "kintone " + e.Method + " " + e.Path + ": " }

// detail is the message with the first few field errors, sorted by key.
func (e *APIError) detail() string {
	msg := e.Message
	if msg == "" {
		msg = strings.TrimSpace(strconv.Itoa(e.Status) + " " + http.StatusText(e.Status))
	}
	if len(e.Errors) == 0 {
		return msg
	}
	keys := make([]string, 0, len(e.Errors))
	for k := range e.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, maxFieldErrors+1)
	for i, k := range keys {
		if i == maxFieldErrors {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-maxFieldErrors))
			break
		}
		parts = append(parts, k+": "+strings.Join(e.Errors[k].Messages, " "))
	}
	return msg + " (" + strings.Join(parts, "; ") + ")"
}

// Timeout reports whether kintone itself reported a timeout (HTTP 504).
func (e *APIError) Timeout() bool { return e.Status == http.StatusGatewayTimeout }

// kintone error codes that mean "busy or locked: try again later".
var retryableCodes = map[string]bool{
	"GAIA_TO04": true, // too many concurrent requests (429)
	"GAIA_DA02": true, // database lock failed
	"GAIA_RE18": true, // database lock failed
}

// retryable reports whether the reply is a transient condition.
func (e *APIError) retryable() bool {
	if retryableCodes[e.Code] {
		return true
	}
	switch e.Status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusTooManyRequests:
		// GAIA_TM12 (too many cursors) does not clear by itself within a few retries.
		return e.Code == ""
	}
	return false
}

// transportError is a failure to get a reply at all.
type transportError struct {
	err     error
	reset   bool // the connection broke before any reply: safe to resend an idempotent request
	cut     bool // the connection broke while the reply was read
	timeout bool // the per-request Timeout elapsed
}

func (e *transportError) Error() string   { return e.err.Error() }
func (e *transportError) Unwrap() error   { return e.err }
func (e *transportError) Timeout() bool   { return e.timeout }
func (e *transportError) Temporary() bool { return e.reset || e.cut }

// unreadableReply is a 2xx reply whose body is not the JSON asked for: a gateway's or a
// captive portal's HTML page, or JSON cut short. Some server answered, so a write may have
// been applied.
type unreadableReply struct{ err error }

func (e *unreadableReply) Error() string { return e.err.Error() }
func (e *unreadableReply) Unwrap() error { return e.err }

// IsRetryable reports whether err is a transient failure after which an idempotent request may
// be sent again: 429 without a code or with GAIA_TO04, 500, 502, 503, 504, GAIA_DA02,
// GAIA_RE18, a 2xx reply that is not the JSON asked for (a gateway's page), or a connection
// that broke before or during the reply. Authentication failures, query errors, timeouts,
// other statuses (kintone's legacy 520 included) and 429 GAIA_TM12 (ten cursors are open:
// that does not clear within seconds) are not.
func IsRetryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.retryable()
	}
	var te *transportError
	if errors.As(err, &te) {
		return te.reset || te.cut
	}
	var ur *unreadableReply
	return errors.As(err, &ur)
}

// IsTimeout reports whether err is a timeout: the per-request Timeout, a context deadline, a
// network timeout, or a 504 from kintone.
func IsTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var te *transportError
	if errors.As(err, &te) && te.timeout {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.Timeout()
}

// retryAfter returns the Retry-After of an APIError in err, or 0.
func retryAfter(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.retryAfter
	}
	return 0
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > 86400 {
			s = 86400
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// errorEnvelope is kintone's JSON error body; bulkRequest wraps one per request in results.
type errorEnvelope struct {
	Code    string                 `json:"code"`
	ID      string                 `json:"id"`
	Message string                 `json:"message"`
	Errors  map[string]FieldErrors `json:"errors"`
	Results []json.RawMessage      `json:"results"`
}

// checkResponse turns a non-2xx reply into an error: an *APIError wrapped in a *kerr.Error.
// body is the (capped) reply body. It returns nil for 2xx replies.
func (c *Client) checkResponse(method, path string, resp *http.Response, body []byte) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	ae := &APIError{
		Status:     resp.StatusCode,
		Method:     method,
		Path:       path,
		BulkIndex:  -1,
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ae.Date = d
	}
	env, bulkIndex, ok := parseErrorEnvelope(body)
	if ok {
		ae.BulkIndex = bulkIndex
		ae.Code = c.redact(env.Code)
		ae.ID = c.redact(env.ID)
		ae.Message = c.redact(env.Message)
		if len(env.Errors) > 0 {
			ae.Errors = make(map[string]FieldErrors, len(env.Errors))
			for k, v := range env.Errors {
				msgs := make([]string, len(v.Messages))
				for i, m := range v.Messages {
					msgs[i] = c.redact(m)
				}
				ae.Errors[c.redact(k)] = FieldErrors{Messages: msgs}
			}
		}
		msg := ae.prefix() + ae.detail() + fmt.Sprintf(" (HTTP %d)", ae.Status)
		kind := kerr.KindAPIError
		if ae.queryRefused() {
			kind = kerr.KindQueryRefused
		}
		return &kerr.Error{Kind: kind, Code: ae.Code, Status: ae.Status, Message: msg, Err: ae}
	}
	// Not kintone's envelope: a proxy, load balancer or the Basic authentication layer answered.
	ae.Code = c.redact(strings.TrimSpace(resp.Header.Get("X-Cybozu-Error")))
	snippet := c.redact(sanitizeBody(body, 200))
	status := strings.TrimSpace(strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode))
	ae.Message = status
	if snippet != "" {
		ae.Message += ": " + snippet
	}
	if resp.StatusCode == http.StatusUnauthorized && ae.Code == "" {
		ae.Message += " (the server asked for authentication: check User/Password, or BasicAuthUser/BasicAuthPassword when the domain uses Basic authentication)"
	}
	if resp.StatusCode == http.StatusProxyAuthRequired {
		ae.Message += " (the proxy asked for authentication: check ProxyUser, ProxyPassword and ProxyAuthScheme)"
	}
	msg := "kintone " + method + " " + path + ": unexpected reply HTTP " + ae.Message
	return &kerr.Error{Kind: kerr.KindHTTPError, Code: ae.Code, Status: ae.Status, Message: msg, Err: ae}
}

// parseErrorEnvelope decodes kintone's error body. It reports false when the body is not one;
// bulkIndex is the index of the failing request of a bulkRequest, -1 for other replies.
func parseErrorEnvelope(body []byte) (env errorEnvelope, bulkIndex int, ok bool) {
	if err := json.Unmarshal(body, &env); err != nil {
		return env, -1, false
	}
	if env.Code == "" && env.Message == "" {
		// bulkRequest: exactly one non-empty element of results is the failing request.
		for i, r := range env.Results {
			var sub errorEnvelope
			if json.Unmarshal(r, &sub) == nil && (sub.Code != "" || sub.Message != "") {
				sub.Results = nil
				return sub, i, true
			}
		}
		return env, -1, false
	}
	return env, -1, true
}

// sanitizeBody returns the start of a non-JSON body as one line of printable text: HTML tags
// dropped, control characters and runs of blanks turned into one space, at most max runes.
func sanitizeBody(body []byte, max int) string {
	var b strings.Builder
	inTag, space, truncated := false, false, false
	n := 0
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		switch {
		case r == '<':
			inTag = true
			continue
		case r == '>' && inTag:
			inTag = false
			space = true
			continue
		case inTag:
			continue
		case r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r):
			space = true
			continue
		}
		need := 1
		if space && n > 0 {
			need = 2
		}
		if n+need > max {
			truncated = true
			break
		}
		if need == 2 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		n += need
		space = false
	}
	if truncated {
		return b.String() + "…"
	}
	return b.String()
}

// transportFailure turns an error of http.Client.Do (or of reading a body) into a
// kerr.KindNetwork error, or KindTimeout or a TLS kind when that is what happened. timedOut
// says the per-request Timeout elapsed; replied says a reply had started (the connection did
// not break before a response).
func (c *Client) transportFailure(method, path string, err error, timedOut, replied bool) error {
	prefix := "kintone " + method + " " + path + ": "
	te := &transportError{err: err}
	var msg string
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var opErr *net.OpError
	var fwErr *firewallError
	proxy := c.proxy.address(c.base)
	kind := kerr.KindNetwork
	switch {
	case errors.As(err, &fwErr):
		// Before the proxy cases: the connection to the HTTP proxy goes through the firewall.
		msg = fwErr.Error()
	case errors.As(err, &certErr):
		te.err = errors.Join(ErrUntrustedServer, err)
		msg = untrustedMessage(c.base.Host, certErr)
		kind = kerr.KindTLSUntrustedServer
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		// The server ended the handshake with an alert: usually a refused or missing client
		// certificate (kintone's Secure Access, {sub}.s.cybozu.com), else a protocol mismatch.
		msg = "the server refused the TLS connection (" + opErr.Err.Error() + ")"
		if c.clientCert {
			kind = kerr.KindTLSClientCertRejected
			msg += ": it did not accept the client certificate given as SSLClientCert (check that it is the one " +
				"registered for this domain, is not expired, and that SSLClientCertSubject picks the right one)"
		} else {
			kind = kerr.KindTLSClientCertRequired
			msg += ": it probably requires a client certificate (Secure Access domains such as example.s.cybozu.com); " +
				"give it as SSLClientCert"
		}
	case proxy != "" && errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		msg = "cannot connect to the proxy " + proxy + ": " + innermost(opErr.Err).Error() +
			" (check ProxyServer and ProxyPort, or the HTTPS_PROXY environment variable with ProxyAutoDetect)"
	case proxy != "" && strings.Contains(err.Error(), "Proxy Authentication Required"):
		msg = "the proxy " + proxy + " refused the credentials (HTTP 407 Proxy Authentication Required): check ProxyUser, " +
			"ProxyPassword and ProxyAuthScheme"
	case proxy != "" && !replied && !isConnReset(err) && !errors.As(err, &dnsErr) && !isTimeoutErr(err):
		msg = "request through the proxy " + proxy + " failed: " + innermost(err).Error()
	case timedOut:
		te.timeout = true
		kind = kerr.KindTimeout
		msg = fmt.Sprintf("no reply: timed out after %s s (the Timeout connection property, in seconds; 0 disables it)",
			strconv.FormatFloat(c.timeout.Seconds(), 'f', -1, 64))
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "cannot connect to " + c.base.Host + ": connection refused"
	case errors.As(err, &dnsErr):
		msg = "cannot resolve host " + c.base.Hostname() + ": " + dnsErr.Err
	case !replied && isConnReset(err):
		te.reset = true
		msg = "the connection to " + c.base.Host + " broke before a reply: " + innermost(err).Error()
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			te.timeout = true
			kind = kerr.KindTimeout
		}
		what := "request failed"
		if replied {
			what = "reading the reply failed"
			te.cut = !te.timeout && isConnReset(err)
		}
		msg = what + ": " + innermost(err).Error()
	}
	return &kerr.Error{Kind: kind, Message: c.redact(prefix + msg), Err: te}
}

func isTimeoutErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// untrustedMessage explains a server certificate that failed verification, naming it by
// subject, issuer and SHA-256 fingerprint so that it can be checked and, if expected, trusted.
func untrustedMessage(host string, e *tls.CertificateVerificationError) string {
	msg := "the server certificate of " + host + " is not trusted"
	if len(e.UnverifiedCertificates) > 0 {
		leaf := e.UnverifiedCertificates[0]
		msg += fmt.Sprintf(" (subject %q, issuer %q, SHA-256 fingerprint %s)", leaf.Subject.String(), leaf.Issuer.String(), Fingerprint(leaf))
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + "; if this certificate is expected (a private CA or a TLS-inspecting proxy), give it or its CA as SSLServerCert " +
		"(a PEM file, the PEM text, or its SHA-256 fingerprint)"
}

// isConnReset reports whether err means the connection broke (reset, closed, broken pipe).
func isConnReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// innermost strips the *url.Error around err: its text repeats the URL, query string included,
// and the message names the method and path already.
func innermost(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// ctxFailure is the error when the caller's context ends the request.
func (c *Client) ctxFailure(method, path string, ctx context.Context, last error) error {
	cause := ctx.Err()
	msg := "kintone " + method + " " + path + ": " + cause.Error()
	if last != nil {
		msg += " while waiting to retry after: " + last.Error()
		cause = errors.Join(cause, last)
	}
	return &kerr.Error{Kind: kerr.KindInterrupted, Message: c.redact(msg), Err: cause}
}
