package kintonesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The middleware: the stages every request passes through, in the order New lists them. The
// fault-injection stages are in fault.go and authentication in auth.go.

// stage is one step of serving a request. It returns done when it has answered the request
// (or dropped it), with the kintone error code it sent, if any.
type stage func(w *statusWriter, q *request) (code string, done bool)

// fail answers the request with a kintone error and ends it.
func (s *Server) fail(w *statusWriter, q *request, e *apiError) (string, bool) {
	s.writeError(w, q.lang, e)
	return e.code, true
}

// basicLayer asks for the fixture's HTTP Basic credentials, when it has a Basic layer.
func (s *Server) basicLayer(w *statusWriter, q *request) (string, bool) {
	if s.basic == nil {
		return "", false
	}
	u, p, ok := q.r.BasicAuth()
	if ok && u == s.basic.User && p == s.basic.Password {
		return "", false
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="kintone simulator"`)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintln(w, "401 Unauthorized")
	return "", true
}

// limitConcurrency refuses a request that arrives while ConcurrencyLimit requests are served.
func (s *Server) limitConcurrency(w *statusWriter, q *request) (string, bool) {
	if q.running > int64(s.opts.ConcurrencyLimit) {
		return s.fail(w, q, &apiError{status: 429, code: "GAIA_TO04", msg: msgConcurrency})
	}
	return "", false
}

// delay sleeps Options.Latency.
func (s *Server) delay(w *statusWriter, q *request) (string, bool) {
	if s.opts.Latency > 0 && sleepCtx(q.r.Context(), s.opts.Latency) != nil {
		w.WriteHeader(499) // the client is gone; nobody reads this
		return "", true
	}
	return "", false
}

// overrideMethod serves a POST with X-HTTP-Method-Override: GET as a GET, as kintone does for
// GET requests whose parameters do not fit in a URL.
func overrideMethod(_ *statusWriter, q *request) (string, bool) {
	if q.method == http.MethodPost && q.r.Header.Get("X-HTTP-Method-Override") == "GET" {
		q.method = http.MethodGet
		q.entry.Method = "GET"
	}
	return "", false
}

// locate reads the path: which API it belongs to, the guest space, and the route that serves
// it, if any (requireRoute answers when there is none, once the parameters are read and the
// fault rules have run). A path outside the APIs is answered at once.
func (s *Server) locate(w *statusWriter, q *request) (string, bool) {
	path := q.r.URL.Path
	if strings.HasPrefix(path, "/oauth2/") {
		q.area = areaOAuth
		q.route = s.routes.find(q.method, path)
		return "", false
	}
	ap, ok := parseAPIPath(path)
	if !ok {
		return s.fail(w, q, &apiError{status: 404, code: "CB_NF01", msg: msgNotFound})
	}
	q.area, q.guest, q.preview, q.resource = ap.area, ap.guest, ap.preview, ap.resource
	q.route = s.routes.find(q.method, ap.route)
	return "", false
}

// readParams decodes the call's parameters and logs them with its app and query. OAuth's
// endpoints read their forms themselves.
func (s *Server) readParams(w *statusWriter, q *request) (string, bool) {
	if q.area == areaOAuth {
		return "", false
	}
	p, e := decodeParams(q.r)
	if e != nil {
		return s.fail(w, q, e)
	}
	q.p = p
	q.entry.Params = p
	q.entry.App, _ = p.str("app")
	if q.resource == "app" {
		q.entry.App, _ = p.str("id")
	}
	q.entry.Query, _ = p.str("query")
	return "", false
}

// requireRoute answers 404 when no route has the request's method and path.
func (s *Server) requireRoute(w *statusWriter, q *request) (string, bool) {
	if q.route == nil {
		return s.fail(w, q, &apiError{status: 404, code: "CB_NF01", msg: msgNotFound})
	}
	return "", false
}

// serveRoute runs the route's handler.
func (s *Server) serveRoute(w *statusWriter, q *request) (string, bool) {
	return q.route.handler.serve(s, w, q), true
}

const maxBody = 64 << 20

// decodeParams decodes the query string and, when present, a JSON body. Body values win.
func decodeParams(r *http.Request) (params, *apiError) {
	p := params{}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, errInvalid("query", msgBadValue)
		}
		p = fromQuery(q)
	}
	if r.Body == nil || isMultipart(r) { // file.json uploads read their body themselves
		return p, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, &apiError{status: 400, code: "CB_IJ01", msg: msgBadJSON}
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, &apiError{status: 400, code: "CB_IJ01", msg: msgBadJSON}
	}
	for k, v := range m {
		p[k] = v
	}
	return p, nil
}
