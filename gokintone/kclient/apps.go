package kclient

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// appsPageSize is the largest page of apps.json, and the most ids one request may name.
const appsPageSize = 100

// Apps lists apps: GET apps.json. With ids nil it returns every app the credentials can see
// (pages of 100 until a short page); otherwise the apps among ids that exist and are visible,
// asked for in chunks of 100 ids.
//
// With API tokens, every request carries all tokens when there are at most 9; with more, the
// apps of the tokens are asked for in groups whose tokens fit in one request.
func (c *Client) Apps(ctx context.Context, ids []int64) ([]App, error) {
	if c.UsesTokens() && len(c.tokenApps) > MaxTokensPerRequest {
		if ids == nil {
			ids = c.tokenApps
		}
		var all []App
		for _, chunk := range c.chunkByTokens(ids) {
			apps, err := c.appsByIDs(ctx, chunk, chunk)
			if err != nil {
				return nil, err
			}
			all = append(all, apps...)
		}
		return all, nil
	}
	if ids != nil {
		var all []App
		ids = mergeIDs(ids, nil, 0)
		for start := 0; start < len(ids); start += appsPageSize {
			apps, err := c.appsByIDs(ctx, ids[start:min(start+appsPageSize, len(ids))], nil)
			if err != nil {
				return nil, err
			}
			all = append(all, apps...)
		}
		return all, nil
	}
	return c.listApps(ctx, nil)
}

// AppsFilter narrows an app list with apps.json's parameters; a zero field does not narrow.
type AppsFilter struct {
	ID      int64  // ids
	Code    string // codes
	SpaceID int64  // spaceIds
	Name    string // name: a part of the app's name, ignoring case
}

// FindApps lists the apps that f matches, page after page. With more API tokens than one
// request may carry it lists the apps of the tokens by id instead (narrowed by f.ID only):
// the caller checks the rest.
func (c *Client) FindApps(ctx context.Context, f AppsFilter) ([]App, error) {
	if c.UsesTokens() && len(c.tokenApps) > MaxTokensPerRequest {
		var ids []int64
		if f.ID != 0 {
			ids = []int64{f.ID}
		}
		return c.Apps(ctx, ids)
	}
	var params []param
	if f.ID != 0 {
		params = append(params, param{"ids", []int64{f.ID}})
	}
	if f.Code != "" {
		params = append(params, param{"codes", []string{f.Code}})
	}
	if f.SpaceID != 0 {
		params = append(params, param{"spaceIds", []int64{f.SpaceID}})
	}
	if f.Name != "" {
		params = append(params, param{"name", f.Name})
	}
	return c.listApps(ctx, params)
}

// listApps lists the apps that apps.json's filter params match, page after page.
func (c *Client) listApps(ctx context.Context, params []param) ([]App, error) {
	var all []App
	for offset := int64(0); ; offset += appsPageSize {
		var reply struct {
			Apps []App `json:"apps"`
		}
		page := append(params[:len(params):len(params)], param{"limit", int64(appsPageSize)}, param{"offset", offset})
		if err := c.do(ctx, call{method: http.MethodGet, endpoint: "apps", params: page}, &reply); err != nil {
			return nil, err
		}
		all = append(all, reply.Apps...)
		if len(reply.Apps) < appsPageSize {
			return all, nil
		}
	}
}

// appsByIDs asks for at most 100 apps by id, sending the tokens of tokenApps (nil = all).
func (c *Client) appsByIDs(ctx context.Context, ids, tokenApps []int64) ([]App, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var reply struct {
		Apps []App `json:"apps"`
	}
	err := c.do(ctx, call{
		method: http.MethodGet, endpoint: "apps", apps: tokenApps,
		params: []param{{"ids", ids}, {"limit", int64(appsPageSize)}},
	}, &reply)
	return reply.Apps, err
}

// chunkByTokens splits ids into groups of at most 100 ids naming at most 9 apps with a token.
// Ids without a token ride along in any group (kintone will not show them to token
// authentication anyway).
func (c *Client) chunkByTokens(ids []int64) [][]int64 {
	ids = mergeIDs(ids, nil, 0)
	var chunks [][]int64
	var cur []int64
	withToken := 0
	for _, id := range ids {
		_, has := c.tokens[id]
		if len(cur) == appsPageSize || (has && withToken == MaxTokensPerRequest) {
			chunks = append(chunks, cur)
			cur, withToken = nil, 0
		}
		cur = append(cur, id)
		if has {
			withToken++
		}
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// App returns one app: GET app.json.
func (c *Client) App(ctx context.Context, id int64) (*App, error) {
	if err := c.checkApp("app", id); err != nil {
		return nil, err
	}
	var app App
	if err := c.do(ctx, call{method: http.MethodGet, endpoint: "app", app: id, params: []param{{"id", id}}}, &app); err != nil {
		return nil, err
	}
	return &app, nil
}

// FormFields returns the field settings of an app: GET app/form/fields.json. lang is "",
// "default", "en", "ja", "zh" or "user" ("" = kintone's default, the same as "default").
//
// The apps that lookup and related-records fields read from are remembered as the app's related
// apps (see WithRelatedApps).
func (c *Client) FormFields(ctx context.Context, app int64, lang string) (*FormFields, error) {
	if err := c.checkApp("app/form/fields", app); err != nil {
		return nil, err
	}
	params := []param{{"app", app}}
	if lang != "" {
		params = append(params, param{"lang", lang})
	}
	var ff FormFields
	if err := c.do(ctx, call{method: http.MethodGet, endpoint: "app/form/fields", app: app, params: params}, &ff); err != nil {
		return nil, err
	}
	if ff.Properties == nil {
		ff.Properties = map[string]FieldProperty{}
	}
	if rel := relatedAppIDs(ff.Properties); len(rel) > 0 {
		c.WithRelatedApps(app, rel)
	}
	return &ff, nil
}

// Records returns one page of records: GET records.json. query is kintone's query (condition,
// order by, limit, offset; "" = kintone's defaults); fields limits the fields returned (nil =
// all); totalCount asks for the number of matching records.
func (c *Client) Records(ctx context.Context, app int64, query string, fields []string, totalCount bool) (*RecordsPage, error) {
	if err := c.checkApp("records", app); err != nil {
		return nil, err
	}
	params := []param{{"app", app}}
	if query != "" {
		params = append(params, param{"query", query})
	}
	if len(fields) > 0 {
		params = append(params, param{"fields", fields})
	}
	if totalCount {
		params = append(params, param{"totalCount", true})
	}
	// Decoded into the wire form directly: RecordsPage.UnmarshalJSON would make encoding/json
	// validate every page twice, a third of the cost of reading records.
	var w recordsWire
	if err := c.do(ctx, call{method: http.MethodGet, endpoint: "records", app: app, params: params}, &w); err != nil {
		return nil, err
	}
	if w.Records == nil {
		return nil, kerr.New(kerr.KindBadReply, "kintone GET %s: the reply has no \"records\" array", c.path("records"))
	}
	return &RecordsPage{Records: w.Records, TotalCount: w.TotalCount.p}, nil
}

func (c *Client) checkApp(endpoint string, app int64) error {
	if app <= 0 {
		return kerr.New(kerr.KindInvalidArgument, "kintone %s: invalid app id %s",
			c.path(endpoint), strconv.FormatInt(app, 10))
	}
	return nil
}
