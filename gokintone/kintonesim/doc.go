// Package kintonesim is an in-memory kintone REST API server for tests, demos and users' CI.
//
// A Server answers kintone's record and app APIs (records.json, record.json, apps.json,
// app.json, app/form/fields.json, records/cursor.json, bulkRequest.json) under /k/v1/ and
// /k/guest/{id}/v1/, with kintone's authentication (password, API tokens, an optional Basic
// layer, OAuth 2.0 with its /oauth2/ endpoints), limits, error envelopes (in English, Japanese
// or Chinese per Accept-Language) and concurrency headers. Queries are parsed and evaluated by
// package kquery, the same code the connector builds them with. It also serves files
// (file.json), record comments, process management (statuses and assignees), app settings
// reads (layout, views, status, general settings, notifications, graphs, actions, access
// rights), spaces and their threads (comments, body), preview apps with deploys and the cybozu
// User API (/v1/users.json …); FIXTURE.md describes them. It computes formulas (CALC and
// auto-calculated text). BEHAVIOUR.md lists where it follows what real kintone was recorded
// doing, each with its source.
//
// Its content comes from a Fixture (see FIXTURE.md); package sample builds the sample dataset
// used by the demo. New returns an http.Handler for httptest; Start listens on loopback and
// StartTLS over HTTPS with client certificates. AddFault injects failures and Clock controls
// time for expiry tests.
//
// # Layout
//
// The store (store.go) is the domain's data and its rules, with no HTTP: apps with their forms
// and records (model.go; values.go decodes field values, calc.go reads and checks formulas and
// calc_eval.go computes them, records.go loads records and runs queries, render.go writes
// kintone's JSON), users and organizations,
// API tokens (access.go checks what a caller may do), the apps' access rights (rights.go, served
// as settings, not applied), spaces and their threads (threads.go),
// files (files.go), record comments (comments.go), preview forms (preview.go), cursors
// (cursor.go) and OAuth grants (oauth.go). Record writes are transactions (write.go,
// process.go). The store's lock guards it; cursors and OAuth grants have locks of their own.
//
// The HTTP layer is Server (server.go). One route table (routes.go) lists every endpoint: its
// method, its path as kintone documents it, and its handler. Every request passes through the
// middleware stages (middleware.go) in the order New lists them: the Basic layer, the
// concurrency limit, Options.Latency, the FailNext queue, X-HTTP-Method-Override, the path
// (API, guest space and route), the parameters, the fault rules (fault.go), the route check,
// authentication (auth.go) and the route's handler. The handlers are small types by area that
// share the store (api_records.go, api_apps.go and appsettings.go, api_preview.go,
// api_files.go, api_comments.go, api_spaces.go, api_users.go, api_oauth.go); the record writes
// are the store's writeOps,
// which bulkRequest.json (bulk.go) runs too. log.go keeps the request log.
package kintonesim
