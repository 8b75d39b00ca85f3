package kclient

import (
	"context"
	"net/http"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// Process management: a record's status and assignees (record/status.json,
// records/status.json, record/assignees.json). These are writes: like every request other
// than a GET they are never resent, so a failure in transit leaves the outcome unknown.

// MaxStatusUpdates is the most records one records/status.json request may name.
const MaxStatusUpdates = 100

// StatusUpdate runs a process-management action on a record.
type StatusUpdate struct {
	ID       int64  // the record
	Action   string // the action's name, as the user's language shows it
	Assignee string // the next assignee's login name; "" = kintone's choice
	Revision int64  // the revision the record must still have; 0 or -1 = not checked
}

// RecordRevision is a record's revision after a write.
type RecordRevision struct {
	ID       int64
	Revision int64
}

// UpdateStatus runs one action on a record (PUT record/status.json) and returns the record's
// new revision (two more than before: the action and the status change count).
func (c *Client) UpdateStatus(ctx context.Context, app int64, u StatusUpdate) (int64, error) {
	if err := c.checkApp("record/status", app); err != nil {
		return 0, err
	}
	body := u.wire()
	body["app"] = app
	var reply struct {
		Revision jsonInt `json:"revision"`
	}
	if err := c.do(ctx, call{method: http.MethodPut, endpoint: "record/status", app: app, body: body}, &reply); err != nil {
		return 0, err
	}
	return int64(reply.Revision), nil
}

// UpdateStatuses runs an action on each of up to MaxStatusUpdates records of an app in one
// request (PUT records/status.json): kintone applies all of them or none. It returns the new
// revisions in the order of updates.
func (c *Client) UpdateStatuses(ctx context.Context, app int64, updates []StatusUpdate) ([]RecordRevision, error) {
	if err := c.checkApp("records/status", app); err != nil {
		return nil, err
	}
	if len(updates) == 0 || len(updates) > MaxStatusUpdates {
		return nil, kerr.New(kerr.KindInvalidArgument, "kintone PUT %s: give 1 to %d records, not %d",
			c.path("records/status"), MaxStatusUpdates, len(updates))
	}
	records := make([]map[string]any, len(updates))
	for i, u := range updates {
		records[i] = u.wire()
	}
	var reply struct {
		Records []struct {
			ID       jsonInt `json:"id"`
			Revision jsonInt `json:"revision"`
		} `json:"records"`
	}
	err := c.do(ctx, call{method: http.MethodPut, endpoint: "records/status", app: app,
		body: map[string]any{"app": app, "records": records}}, &reply)
	if err != nil {
		return nil, err
	}
	if len(reply.Records) != len(updates) {
		return nil, kerr.New(kerr.KindBadReply, "kintone PUT %s: %d records were updated, but the reply lists %d",
			c.path("records/status"), len(updates), len(reply.Records))
	}
	out := make([]RecordRevision, len(updates))
	for i, r := range reply.Records {
		out[i] = RecordRevision{ID: int64(r.ID), Revision: int64(r.Revision)}
	}
	return out, nil
}

// wire is the update as kintone reads it, without the app.
func (u StatusUpdate) wire() map[string]any {
	m := map[string]any{"id": u.ID, "action": u.Action}
	if u.Assignee != "" {
		m["assignee"] = u.Assignee
	}
	if u.Revision > 0 {
		m["revision"] = u.Revision
	}
	return m
}

// UpdateAssignees replaces the assignees of a record's current status with the users of the
// login names (PUT record/assignees.json; at most 100, none clears them) and returns the
// record's new revision. revision 0 or -1 is not checked.
func (c *Client) UpdateAssignees(ctx context.Context, app, id int64, assignees []string, revision int64) (int64, error) {
	if err := c.checkApp("record/assignees", app); err != nil {
		return 0, err
	}
	if assignees == nil {
		assignees = []string{}
	}
	body := map[string]any{"app": app, "id": id, "assignees": assignees}
	if revision > 0 {
		body["revision"] = revision
	}
	var reply struct {
		Revision jsonInt `json:"revision"`
	}
	if err := c.do(ctx, call{method: http.MethodPut, endpoint: "record/assignees", app: app, body: body}, &reply); err != nil {
		return 0, err
	}
	return int64(reply.Revision), nil
}
