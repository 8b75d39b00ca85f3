package kclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// param is one request parameter. value is a string, int64, bool, []int64 or []string.
type param struct {
	name  string
	value any
}

// call describes one API request.
type call struct {
	method   string  // GET, POST, PUT or DELETE
	endpoint string  // such as "records" or "app/form/fields"
	userAPI  bool    // the cybozu User API: /v1/{endpoint}.json, outside any guest space
	guest    int64   // when not 0: the guest space whose path the call takes, instead of the client's
	app      int64   // the app the request concerns, for API-token selection; 0 = none
	apps     []int64 // when app == 0: the apps whose tokens to send; nil = all tokens
	params   []param // GET: the parameters (query string, or JSON body under method override)
	body     any     // other methods: the JSON body, or a *formBody sent as it is
	noRetry  bool    // a GET that changes state (reading a cursor): never resent
	// download marks a GET whose reply is a file: its bytes go into a *File, at most maxBody
	// of them (0 = the client's cap on replies).
	download bool
	maxBody  int64
	sent     int // records a write sends, for Exchange.Records
}

// queryAndFields are the kintone query and the fields a records or cursor read asks for.
func (cl *call) queryAndFields() (query string, fields []string) {
	for _, p := range cl.params {
		switch v := p.value.(type) {
		case string:
			if p.name == "query" {
				query = v
			}
		case []string:
			if p.name == "fields" {
				fields = v
			}
		}
	}
	if body, ok := cl.body.(map[string]any); ok {
		if q, ok := body["query"].(string); ok {
			query = q
		}
		if f, ok := body["fields"].([]string); ok {
			fields = f
		}
	}
	return query, fields
}

// RecordCounter is a reply that holds records: a read decoded into one tells observers how
// many it received (Exchange.Records).
type RecordCounter interface{ RecordCount() int }

// formBody is a request body that is not JSON (a multipart/form-data upload).
type formBody struct {
	contentType string
	data        []byte
}

// path returns the URL path of an endpoint, guest space included.
func (c *Client) path(endpoint string) string { return c.prefix + "/" + endpoint + ".json" }

// callPath returns the URL path of a call: a kintone endpoint's (in the call's guest space,
// or the client's), or a User API endpoint's.
func (c *Client) callPath(cl call) string {
	switch {
	case cl.userAPI:
		return "/v1/" + cl.endpoint + ".json"
	case cl.guest != 0:
		return "/k/guest/" + strconv.FormatInt(cl.guest, 10) + "/v1/" + cl.endpoint + ".json"
	}
	return c.path(cl.endpoint)
}

// encodeQuery renders params in the bracket notation kintone reads: ids[0]=1&ids[1]=2.
// Spaces are %20, as encodeURIComponent writes them.
func encodeQuery(ps []param) string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(strings.ReplaceAll(url.QueryEscape(k), "+", "%20"))
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
	}
	for _, p := range ps {
		switch v := p.value.(type) {
		case string:
			add(p.name, v)
		case int64:
			add(p.name, strconv.FormatInt(v, 10))
		case bool:
			add(p.name, strconv.FormatBool(v))
		case []int64:
			for i, x := range v {
				add(p.name+"["+strconv.Itoa(i)+"]", strconv.FormatInt(x, 10))
			}
		case []string:
			for i, x := range v {
				add(p.name+"["+strconv.Itoa(i)+"]", x)
			}
		default:
			panic(fmt.Sprintf("kclient: unsupported parameter type %T", v))
		}
	}
	return b.String()
}

// paramsBody renders params as the JSON object of a method-overridden GET.
func paramsBody(ps []param) ([]byte, error) {
	m := make(map[string]any, len(ps))
	for _, p := range ps {
		m[p.name] = p.value
	}
	return json.Marshal(m)
}

// needsBody reports whether params cannot travel in a query string at all.
func needsBody(ps []param) bool {
	for _, p := range ps {
		switch v := p.value.(type) {
		case []int64:
			if len(v) > maxQueryStringArray {
				return true
			}
		case []string:
			if len(v) > maxQueryStringArray {
				return true
			}
		}
	}
	return false
}

// prepared is a call turned into what goes on the wire; it is sent once per attempt.
type prepared struct {
	method      string // the HTTP method on the wire
	override    bool   // POST with X-HTTP-Method-Override: GET
	url         string
	body        []byte // nil = none
	contentType string // of body
	tokens      string // X-Cybozu-API-Token value, or ""
	idempotent  bool
	download    bool  // the reply is a file, read into a *File
	maxBody     int64 // the most bytes of a successful reply read
}

func (c *Client) prepare(cl call) (*prepared, error) {
	p := &prepared{method: cl.method, idempotent: cl.method == http.MethodGet && !cl.noRetry,
		download: cl.download, maxBody: c.maxSuccessBody}
	if cl.maxBody > 0 {
		p.maxBody = cl.maxBody
	}
	u := *c.base
	u.Path = c.callPath(cl)
	if cl.method == http.MethodGet {
		qs := encodeQuery(cl.params)
		u.RawQuery = qs
		full := u.String()
		// A GET that must not be resent goes as a POST with the override too: Go's HTTP
		// transport itself resends a GET whose reused connection broke before the reply
		// (net/http's Request.isReplayable), which for a cursor read whose request reached
		// kintone would skip a page; it resends a POST only when none of it was written.
		if len(full) > maxURLLength || needsBody(cl.params) || cl.noRetry {
			body, err := paramsBody(cl.params)
			if err != nil {
				return nil, err
			}
			u.RawQuery = ""
			p.method, p.override, p.body = http.MethodPost, true, body
			full = u.String()
		}
		p.url = full
	} else {
		p.url = u.String()
		switch b := cl.body.(type) {
		case nil:
		case *formBody:
			p.body, p.contentType = b.data, b.contentType
		default:
			body, err := json.Marshal(cl.body)
			if err != nil {
				return nil, err
			}
			p.body = body
		}
	}
	if p.body != nil && p.contentType == "" {
		p.contentType = "application/json"
	}
	if c.UsesTokens() {
		var err error
		if cl.app > 0 {
			p.tokens, err = c.tokensForApp(cl.app)
		} else if cl.apps != nil {
			p.tokens, err = c.tokensForApps(cl.apps)
		} else {
			p.tokens, err = c.tokensForApps(c.tokenApps)
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// newRequest builds the HTTP request of one attempt.
func (c *Client) newRequest(ctx context.Context, p *prepared, bearer string) (*http.Request, error) {
	var body io.Reader
	if p.body != nil {
		body = bytes.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(ctx, p.method, p.url, body)
	if err != nil {
		return nil, err
	}
	h := req.Header
	if p.body != nil {
		h.Set("Content-Type", p.contentType)
	}
	if p.override {
		h.Set("X-HTTP-Method-Override", http.MethodGet)
	}
	if c.passwordAuth != "" {
		h.Set("X-Cybozu-Authorization", c.passwordAuth)
	} else if p.tokens != "" {
		h.Set("X-Cybozu-API-Token", p.tokens)
	} else if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	if c.basicAuth != "" {
		h.Set("Authorization", c.basicAuth)
	}
	h.Set("User-Agent", c.userAgent)
	if c.language != "-" {
		h.Set("Accept-Language", c.language)
	}
	if !p.download {
		h.Set("Accept", "application/json")
	}
	return req, nil
}

// do sends cl, retrying per the policy, and decodes the JSON reply into out (unless nil).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	path := c.callPath(cl)
	p, err := c.prepare(cl)
	if err != nil {
		if e := kerr.As(err); e != nil {
			return e.WithMessage(c.redact("kintone "+cl.method+" "+path+": "+e.Message), err)
		}
		return kerr.Wrap(err, kerr.KindInternal, "%s", c.redact("kintone "+cl.method+" "+path+": "+err.Error()))
	}
	renewed := false
	for retry := 0; ; retry++ {
		if !c.holdWhileBusy(ctx) {
			return c.ctxFailure(cl.method, path, ctx, nil)
		}
		bearer := ""
		if c.UsesOAuth() {
			if bearer, err = c.oauth.AccessToken(ctx); err != nil {
				return err
			}
		}
		err := c.observed(ctx, &cl, path, p, bearer, out)
		if err == nil {
			return nil
		}
		if bearer != "" && isUnauthorized(err) {
			// The one place where an expired or revoked access token is renewed: kintone did
			// not run a request it refused with 401, so sending it again is safe.
			if renewed {
				return tokenStillRefused(err)
			}
			renewed = true
			var ae *APIError
			errors.As(err, &ae)
			if _, rerr := c.oauth.Renew(ctx, bearer, ae.Date); rerr != nil {
				return rerr
			}
			retry--
			continue
		}
		if !p.idempotent || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		wait, ok := c.retry.wait(retry, retryAfter(err))
		if !ok {
			return gaveUp(err, retry+1)
		}
		if !takeRetry(ctx, wait) {
			return budgetSpent(ctx, err, retry+1)
		}
		if isTooBusy(err) {
			c.busyFor(wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return c.ctxFailure(cl.method, path, ctx, err)
		case <-t.C:
		}
	}
}

// observed is attempt, reported to the observers when there are any (Config.Observe, and
// the one of the context: see WithObserver).
func (c *Client) observed(ctx context.Context, cl *call, path string, p *prepared, bearer string, out any) error {
	ctxObserve, _ := ctx.Value(observerKey{}).(func(Exchange))
	if c.observe == nil && ctxObserve == nil {
		return c.attempt(ctx, cl.method, path, p, bearer, out)
	}
	t0 := time.Now()
	err := c.attempt(ctx, cl.method, path, p, bearer, out)
	x := Exchange{Method: cl.method, Path: path, App: cl.app, Records: cl.sent, Status: http.StatusOK, Duration: time.Since(t0)}
	x.Query, x.Fields = cl.queryAndFields()
	if err != nil {
		x.Err = err.Error()
		x.Status = 0
		var ae *APIError
		if errors.As(err, &ae) {
			x.Status = ae.Status
		}
	} else if rc, ok := out.(RecordCounter); ok {
		x.Records = rc.RecordCount()
	}
	if c.observe != nil {
		c.observe(x)
	}
	if ctxObserve != nil {
		ctxObserve(x)
	}
	return err
}

// attempt sends p once and reads the reply.
func (c *Client) attempt(ctx context.Context, method, path string, p *prepared, bearer string, out any) error {
	actx := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := c.newRequest(actx, p, bearer)
	if err != nil {
		return kerr.Wrap(err, kerr.KindInternal, "%s", c.redact("kintone "+method+" "+path+": "+err.Error()))
	}
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return c.ctxFailure(method, path, ctx, nil)
		}
		return c.transportFailure(method, path, err, actx.Err() != nil, false)
	}
	defer resp.Body.Close()

	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	limit := c.maxErrorBody
	if ok {
		limit = p.maxBody
	}
	body, err := c.readBody(resp, limit, ok && !p.download)
	if err != nil {
		if ctx.Err() != nil {
			return c.ctxFailure(method, path, ctx, nil)
		}
		return c.transportFailure(method, path, err, actx.Err() != nil, true)
	}
	if int64(len(body)) > limit {
		switch {
		case !ok:
			body = body[:limit] // the start of an error body is enough to report it
		case p.download:
			return kerr.New(kerr.KindLimit, "%s",
				c.redact(fmt.Sprintf("kintone %s %s: the file is larger than %s, the most this download reads", method, path, sizeText(limit))))
		default:
			return kerr.New(kerr.KindLimit, "%s",
				c.redact(fmt.Sprintf("kintone %s %s: the reply is larger than %s; request fewer records or fields per page", method, path, sizeText(limit))))
		}
	}
	if err := c.checkResponse(method, path, resp, body); err != nil {
		return err
	}
	if p.download {
		*out.(*File) = File{Data: body, ContentType: resp.Header.Get("Content-Type")}
		return nil
	}
	if w := resp.Header.Get("X-Cybozu-Warning"); w != "" {
		return kerr.New(kerr.KindLimit, "%s",
			c.redact(fmt.Sprintf("kintone %s %s: kintone returned incomplete results (%s); narrow the condition so that fewer records match",
				method, path, sanitizeBody([]byte(w), 200))))
	}
	if out == nil {
		return nil
	}
	if d, ok := out.(bodyDecoder); ok {
		err = d.decodeBody(body)
	} else {
		err = json.Unmarshal(body, out)
	}
	if err != nil {
		what := "malformed JSON"
		if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "" && ct != "application/json" {
			what = "a " + ct + " body instead of JSON"
		}
		return kerr.Wrap(&unreadableReply{err}, kerr.KindBadReply, "%s",
			c.redact(fmt.Sprintf("kintone %s %s: the reply (HTTP %d) has %s: %v", method, path, resp.StatusCode, what, err)))
	}
	return nil
}

// isUnauthorized reports whether err is a 401 reply.
func isUnauthorized(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
}

// tokenStillRefused is the error when kintone refuses even a freshly renewed access token.
func tokenStillRefused(err error) error {
	e := kerr.As(err)
	if e == nil {
		return err
	}
	return &kerr.Error{Kind: kerr.KindOAuthTokenInvalid, Code: e.Code,
		Message: e.Message + " (kintone refused the OAuth access token again right after it was renewed)", Err: err}
}

// gaveUp notes in the message of a retryable error how many attempts were made.
func gaveUp(err error, attempts int) error {
	e := kerr.As(err)
	if e == nil || attempts < 2 {
		return err
	}
	return e.WithMessage(fmt.Sprintf("%s (gave up after %d attempts)", e.Message, attempts), e.Err)
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// readBody reads at most limit+1 bytes of a reply's body. The buffer is sized for the length
// the reply announces or, when it announces none (chunked, as pages of records.json come), for
// that of the last successful JSON reply and an eighth more: the pages of a scan are alike, and
// are then read with one allocation, where a growing buffer (io.ReadAll) allocates and copies
// each page about twice over. hinted says whether this reply uses and sets that size (a
// successful reply that is not a downloaded file).
func (c *Client) readBody(resp *http.Response, limit int64, hinted bool) ([]byte, error) {
	size := resp.ContentLength
	if size < 0 && hinted {
		size = c.bodyHint.Load()
		size += size / 8
	}
	body := make([]byte, 0, min(max(size, 512), limit)+1)
	r := io.LimitReader(resp.Body, limit+1)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		n, err := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return body, err
		}
	}
	if hinted {
		c.bodyHint.Store(int64(len(body)))
	}
	return body, nil
}
