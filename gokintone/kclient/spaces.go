package kclient

import (
	"context"
	"net/http"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// ThreadComment is a comment to post in a space's thread: Text, Files or both.
type ThreadComment struct {
	Space, Thread int64
	Text          string
	Mentions      []Mention
	Files         []ThreadFile
}

// Mention notifies a user, group or organization of a comment.
type Mention struct {
	Code string `json:"code"`
	Type string `json:"type"` // USER, GROUP or ORGANIZATION
}

// ThreadFile attaches an uploaded file (UploadFile's key) to a thread comment.
type ThreadFile struct {
	FileKey string `json:"fileKey"`
	Width   int    `json:"width,omitempty"` // of an image, 100 to 750; 0 = its own
}

// AddThreadComment posts a comment in a space's thread (POST space/thread/comment.json; password
// or OAuth authentication only) and returns the comment's id.
func (c *Client) AddThreadComment(ctx context.Context, tc ThreadComment) (int64, error) {
	comment := map[string]any{}
	if tc.Text != "" {
		comment["text"] = tc.Text
	}
	if len(tc.Mentions) > 0 {
		comment["mentions"] = tc.Mentions
	}
	if len(tc.Files) > 0 {
		comment["files"] = tc.Files
	}
	var reply struct {
		ID jsonInt `json:"id"`
	}
	err := c.do(ctx, call{method: http.MethodPost, endpoint: "space/thread/comment",
		body: map[string]any{"space": tc.Space, "thread": tc.Thread, "comment": comment}}, &reply)
	if err != nil {
		return 0, err
	}
	return int64(reply.ID), nil
}

// ThreadUpdate changes a space's thread: its name, its body (HTML) or both; nil leaves one
// as it is.
type ThreadUpdate struct {
	ID         int64
	Name, Body *string
}

// UpdateThread changes a thread (PUT space/thread.json; the space's administrators and the
// thread's creator may).
func (c *Client) UpdateThread(ctx context.Context, u ThreadUpdate) error {
	if u.Name == nil && u.Body == nil {
		return kerr.New(kerr.KindInvalidArgument, "kintone PUT %s: nothing to change: give the name, the body or both", c.path("space/thread"))
	}
	body := map[string]any{"id": u.ID}
	if u.Name != nil {
		body["name"] = *u.Name
	}
	if u.Body != nil {
		body["body"] = *u.Body
	}
	return c.do(ctx, call{method: http.MethodPut, endpoint: "space/thread", body: body}, nil)
}
