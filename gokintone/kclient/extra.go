package kclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/dberr"
)

// Request is a call to any kintone endpoint, for Do.
type Request struct {
	Method   string // GET, POST, PUT or DELETE
	Endpoint string // the path below /k/v1/ without ".json", such as "app/views" or "bulkRequest"
	// App is the app the request concerns: with API tokens, its token (and those of its related
	// apps) is sent. 0 = none: all tokens are sent (at most 9).
	App int64
	// Params are the parameters of a GET: values of type string, int, int64, bool, []int64 or
	// []string. They travel in the query string, or in a JSON body with
	// X-HTTP-Method-Override when the URL would exceed 4,096 characters.
	Params map[string]any
	// Body is marshalled to JSON for the other methods.
	Body any
	// NoRetry marks a GET that must not be resent (it changes state, like reading a cursor).
	NoRetry bool
}

// Do sends req and decodes the JSON reply into out (unless out is nil). GETs are retried per
// the RetryPolicy unless req.NoRetry; other methods never are.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	method := strings.ToUpper(req.Method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return dberr.New(dberr.InterfaceError, "", "kintone: unsupported HTTP method %q", req.Method)
	}
	if req.Endpoint == "" || strings.ContainsAny(req.Endpoint, "?#%") || strings.HasSuffix(req.Endpoint, ".json") ||
		strings.HasPrefix(req.Endpoint, "/") || strings.Contains(req.Endpoint, "..") {
		return dberr.New(dberr.InterfaceError, "", "kintone: invalid endpoint %q: give a name like \"app/views\"", req.Endpoint)
	}
	cl := call{method: method, endpoint: req.Endpoint, app: req.App, body: req.Body, noRetry: req.NoRetry}
	if method == http.MethodGet {
		params, err := paramsFromMap(req.Params)
		if err != nil {
			return dberr.Wrap(err, dberr.InterfaceError, "", "kintone GET %s: %v", c.path(req.Endpoint), err)
		}
		cl.params = params
	}
	return c.do(ctx, cl, out)
}

// paramsFromMap orders parameters by name and checks their types.
func paramsFromMap(m map[string]any) ([]param, error) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	ps := make([]param, 0, len(m))
	for _, k := range names {
		v := m[k]
		switch x := v.(type) {
		case int:
			v = int64(x)
		case string, int64, bool, []int64, []string:
		default:
			return nil, fmt.Errorf("parameter %q has unsupported type %T", k, v)
		}
		ps = append(ps, param{k, v})
	}
	return ps, nil
}

// Cursor is a records cursor created by CreateCursor.
type Cursor struct {
	ID         string `json:"id"`
	TotalCount int64  `json:"-"`
}

// CursorPage is one reply of GET records/cursor.json.
type CursorPage struct {
	Records []Record `json:"records"`
	Next    bool     `json:"next"` // false: this was the last page and the cursor is gone
}

// CreateCursor creates a records cursor: POST records/cursor.json. size is records per page
// (1–500; 0 = kintone's default of 100). It is never retried: a lost reply would leak a cursor,
// and 429 GAIA_TM12 (10 cursors per domain) does not clear within seconds.
func (c *Client) CreateCursor(ctx context.Context, app int64, query string, fields []string, size int) (*Cursor, error) {
	if err := c.checkApp("records/cursor", app); err != nil {
		return nil, err
	}
	body := map[string]any{"app": app}
	if query != "" {
		body["query"] = query
	}
	if len(fields) > 0 {
		body["fields"] = fields
	}
	if size > 0 {
		body["size"] = size
	}
	var reply struct {
		ID         string  `json:"id"`
		TotalCount jsonInt `json:"totalCount"`
	}
	if err := c.do(ctx, call{method: http.MethodPost, endpoint: "records/cursor", app: app, body: body}, &reply); err != nil {
		return nil, err
	}
	if reply.ID == "" {
		return nil, dberr.New(dberr.OperationalError, "", "kintone POST %s: the reply has no cursor id", c.path("records/cursor"))
	}
	return &Cursor{ID: reply.ID, TotalCount: int64(reply.TotalCount)}, nil
}

// CursorRecords reads the next page of a cursor: GET records/cursor.json. app selects the API
// token. It is not retried, because every read advances the cursor.
func (c *Client) CursorRecords(ctx context.Context, app int64, cursorID string) (*CursorPage, error) {
	var page CursorPage
	err := c.do(ctx, call{method: http.MethodGet, endpoint: "records/cursor", app: app, noRetry: true,
		params: []param{{"id", cursorID}}}, &page)
	if err != nil {
		return nil, err
	}
	if page.Records == nil {
		page.Records = []Record{}
	}
	return &page, nil
}

// DeleteCursor deletes a cursor: DELETE records/cursor.json. A cursor that is already gone
// (404 GAIA_CN01: finished, expired or deleted) is not an error.
func (c *Client) DeleteCursor(ctx context.Context, app int64, cursorID string) error {
	err := c.do(ctx, call{method: http.MethodDelete, endpoint: "records/cursor", app: app,
		body: map[string]any{"id": cursorID}}, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "GAIA_CN01" {
		return nil
	}
	return err
}
