package kintonesim

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// file.json: uploads give a temporary fileKey; writing [{"fileKey": key}] into a FILE field
// attaches the upload under a new download fileKey, which GET file.json serves.
//
// Content is held in memory: Options.MaxFileSize caps one upload (default 50 MB) and
// Options.MaxFileBytes all content held (default 512 MB). An upload key lives uploadTTL; its
// content is dropped then unless it was attached. Attached content lives as long as the server.

const (
	defaultMaxFileSize  = 50 << 20
	defaultMaxFileBytes = 512 << 20
	// uploadTTL is how long a temporary upload key can be attached (kintone keeps uploads
	// for about three days).
	uploadTTL = 72 * time.Hour
)

// blob is the content of an uploaded file, shared by its upload key and the download keys of
// the attachments made from it.
type blob struct {
	data     []byte
	attached bool
}

// upload is a temporary file awaiting attachment.
type upload struct {
	b           *blob
	name, ctype string
	expires     time.Time
}

var (
	msgFileRequired = text{"Required field.", "必須です。"}
	msgOneFile      = text{"Specify one file per request.", "1回のリクエストで送信できるファイルは1つです。"}
	msgFileName     = text{"The file name is required.", "ファイル名を指定してください。"}
	msgMultipart    = text{"The request body is not valid multipart/form-data.", "リクエストボディが正しい multipart/form-data ではありません。"}
	msgFileTooLarge = func(max int64) text {
		return text{fmt.Sprintf("The file is too large: the simulator accepts up to %d bytes per file.", max),
			fmt.Sprintf("ファイルサイズが大きすぎます。シミュレーターが受け付けるファイルは%dバイトまでです。", max)}
	}
	msgFileSpace = func(max int64) text {
		return text{fmt.Sprintf("The simulator holds at most %d bytes of files; no space is left.", max),
			fmt.Sprintf("シミュレーターが保持できるファイルの合計（%dバイト）を超えています。", max)}
	}
)

func errFileNotFound(key string) *apiError {
	return &apiError{status: 404, code: "GAIA_BL01", msg: text{
		fmt.Sprintf("The specified file (id: %s) not found.", key),
		fmt.Sprintf("指定したファイル（id: %s）が見つかりません。", key)}}
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return strings.HasPrefix(mt, "multipart/")
}

func (s *Server) maxFileSize() int64 {
	if s.opts.MaxFileSize > 0 {
		return s.opts.MaxFileSize
	}
	return defaultMaxFileSize
}

func (s *Server) maxFileBytes() int64 {
	if s.opts.MaxFileBytes > 0 {
		return s.opts.MaxFileBytes
	}
	return defaultMaxFileBytes
}

// expireUploads drops expired upload keys and frees content never attached. The caller holds
// s.mu for writing.
func (s *Server) expireUploads(now time.Time) {
	for k, u := range s.ext.uploads {
		if !now.Before(u.expires) {
			delete(s.ext.uploads, k)
			if !u.b.attached {
				s.ext.fileBytes -= int64(len(u.b.data))
			}
		}
	}
}

// postFile answers POST file.json (multipart/form-data, part "file").
func (s *Server) postFile(q *request) (any, *apiError) {
	if q.auth.kind == AuthToken {
		ok := false
		for _, t := range q.auth.tokens {
			ok = ok || t.Add || t.Edit
		}
		if !ok {
			return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
		}
	}
	if !isMultipart(q.r) {
		return nil, errInvalid("file", msgFileRequired)
	}
	mr, err := q.r.MultipartReader()
	if err != nil {
		return nil, errInvalid("file", msgMultipart)
	}
	maxSize := s.maxFileSize()
	var (
		data        []byte
		name, ctype string
		found       bool
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errInvalid("file", msgMultipart)
		}
		if part.FormName() != "file" {
			io.Copy(io.Discard, part)
			continue
		}
		if found {
			return nil, errInvalid("file", msgOneFile)
		}
		found = true
		name = part.FileName()
		ctype = part.Header.Get("Content-Type")
		data, err = io.ReadAll(io.LimitReader(part, maxSize+1))
		if err != nil {
			return nil, errInvalid("file", msgMultipart)
		}
		if int64(len(data)) > maxSize {
			return nil, errInvalid("file", msgFileTooLarge(maxSize))
		}
	}
	if !found {
		return nil, errInvalid("file", msgFileRequired)
	}
	if name == "" {
		return nil, errInvalid("file", msgFileName)
	}
	if ctype == "" {
		ctype = mime.TypeByExtension(filepath.Ext(name))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	q.entry.Params = map[string]any{"file": map[string]any{"name": name, "contentType": ctype, "size": len(data)}}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extInit()
	s.expireUploads(now)
	if s.ext.fileBytes+int64(len(data)) > s.maxFileBytes() {
		return nil, errInvalid("file", msgFileSpace(s.maxFileBytes()))
	}
	key := newUUID()
	s.ext.uploads[key] = &upload{b: &blob{data: data}, name: name, ctype: ctype, expires: now.Add(uploadTTL)}
	s.ext.fileBytes += int64(len(data))
	return map[string]any{"fileKey": key}, nil
}

// attachUpload turns an upload key into a new attachment of app d, or reports false when key
// is not a live upload key. The caller holds s.mu for writing.
func (s *Server) attachUpload(key string, d *appDef) (fileRef, bool) {
	u := s.ext.uploads[key]
	if u == nil || !s.now().Before(u.expires) {
		return fileRef{}, false
	}
	fk := s.newFileKey()
	ref := fileRef{contentType: u.ctype, fileKey: fk, name: u.name, size: int64(len(u.b.data))}
	s.files[fk] = ref
	s.ext.blobs[fk] = u.b
	u.b.attached = true
	if d != nil {
		s.ext.fileOwner[fk] = d.meta.ID
	}
	return ref, true
}

// streamBody is a non-JSON response: a downloaded file.
type streamBody struct {
	ctype string
	data  []byte
	// size bytes of filler are sent when data is nil (fixture files have no content).
	filler string
	size   int64
}

func (b streamBody) writeTo(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", b.ctype)
	if b.data != nil {
		h.Set("Content-Length", strconv.Itoa(len(b.data)))
		w.WriteHeader(http.StatusOK)
		w.Write(b.data)
		return
	}
	h.Set("Content-Length", strconv.FormatInt(b.size, 10))
	w.WriteHeader(http.StatusOK)
	if b.size <= 0 {
		return
	}
	chunk := []byte(strings.Repeat(b.filler, max(1, 4096/len(b.filler))))
	for left := b.size; left > 0; {
		n := min(left, int64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
}

// getFile answers GET file.json: the content of an attachment by its download fileKey.
func (s *Server) getFile(q *request) (any, *apiError) {
	key, ok := q.p.str("fileKey")
	if !ok || key == "" {
		return nil, errInvalid("fileKey", msgRequired)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ref, ok := s.files[key]
	if !ok {
		return nil, errFileNotFound(key)
	}
	if owner, ok := s.ext.fileOwner[key]; ok {
		if d := s.apps[owner]; d != nil {
			if e := s.checkSpace(q, d); e != nil {
				return nil, e
			}
		}
		if q.auth.kind == AuthToken {
			if t := q.auth.tokens[owner]; t == nil || !t.View {
				return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
			}
		}
	} else if q.auth.kind == AuthToken {
		ok := false
		for _, t := range q.auth.tokens {
			ok = ok || t.View
		}
		if !ok {
			return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
		}
	}
	body := streamBody{ctype: ref.contentType, size: ref.size, filler: ref.name + "\n"}
	if b := s.ext.blobs[key]; b != nil {
		body.data = b.data
		if body.data == nil {
			body.data = []byte{}
		}
	}
	return body, nil
}
