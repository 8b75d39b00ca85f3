// The records cursor API: create, read page by page, delete.

package kclient

import (
	"context"
	"errors"
	"net/http"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

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

// RecordCount is the number of records on the page.
func (p *CursorPage) RecordCount() int { return len(p.Records) }

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
		return nil, kerr.New(kerr.KindBadReply, "kintone POST %s: the reply has no cursor id", c.path("records/cursor"))
	}
	return &Cursor{ID: reply.ID, TotalCount: int64(reply.TotalCount)}, nil
}

// CursorRecords reads the next page of a cursor: GET records/cursor.json, sent as a POST with
// X-HTTP-Method-Override so that not even Go's HTTP transport resends it. app selects the API
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
