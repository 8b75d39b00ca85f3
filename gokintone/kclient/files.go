package kclient

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// File is the content of a downloaded file and the Content-Type kintone sent with it.
type File struct {
	Data        []byte
	ContentType string
}

// UploadFile sends one file to kintone's temporary storage (POST file.json, multipart/form-data
// with one part named "file") and returns the upload fileKey, which a FILE field value or a
// thread comment attaches. contentType "" lets kintone derive it from the name. The content
// never appears in errors or in what Config.Observe sees.
func (c *Client) UploadFile(ctx context.Context, name, contentType string, data []byte) (string, error) {
	if name == "" {
		return "", kerr.New(kerr.KindInvalidArgument, "kintone POST %s: the file has no name", c.path("file"))
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", name))
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return "", kerr.Wrap(err, kerr.KindInternal, "kintone POST %s: cannot build the upload: %v", c.path("file"), err)
	}
	var reply struct {
		FileKey string `json:"fileKey"`
	}
	body := &formBody{contentType: mw.FormDataContentType(), data: buf.Bytes()}
	if err := c.do(ctx, call{method: http.MethodPost, endpoint: "file", body: body}, &reply); err != nil {
		return "", err
	}
	if reply.FileKey == "" {
		return "", kerr.New(kerr.KindBadReply, "kintone POST %s: the reply has no fileKey", c.path("file"))
	}
	return reply.FileKey, nil
}

// DownloadFile reads a file by the fileKey of an attachment (GET file.json; the key a FILE
// field value holds, not an upload key). A file larger than maxBytes is refused (KindLimit)
// without being kept; maxBytes 0 means the client's cap on replies (64 MiB).
func (c *Client) DownloadFile(ctx context.Context, fileKey string, maxBytes int64) (*File, error) {
	if fileKey == "" {
		return nil, kerr.New(kerr.KindInvalidArgument, "kintone GET %s: no fileKey", c.path("file"))
	}
	var f File
	err := c.do(ctx, call{method: http.MethodGet, endpoint: "file", params: []param{{"fileKey", fileKey}},
		download: true, maxBody: maxBytes}, &f)
	if err != nil {
		return nil, err
	}
	return &f, nil
}
