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
)

// fileAPI answers file.json: POST uploads a file (multipart/form-data) and GET downloads an
// attachment (files.go holds them).
type fileAPI struct{ *store }

var (
	msgOneFile      = text{"Specify one file per request.", "1回のリクエストで送信できるファイルは1つです。"}
	msgFileName     = text{"The file name is required.", "ファイル名を指定してください。"}
	msgMultipart    = text{"The request body is not valid multipart/form-data.", "リクエストボディが正しい multipart/form-data ではありません。"}
	msgFileTooLarge = func(max int64) text {
		return text{fmt.Sprintf("The file is too large: the simulator accepts up to %d bytes per file.", max),
			fmt.Sprintf("ファイルサイズが大きすぎます。シミュレーターが受け付けるファイルは%dバイトまでです。", max)}
	}
	// msgNoFileKey answers a fileKey that is neither an upload key nor an attachment's.
	msgNoFileKey = func(key string) text {
		return text{fmt.Sprintf("The file (fileKey: %s) does not exist.", key),
			fmt.Sprintf("指定したファイル（fileKey: %s）が見つかりません。", key)}
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

// postFile answers POST file.json (multipart/form-data, part "file").
func (a fileAPI) postFile(q *request) (any, *apiError) {
	if q.kind == AuthToken {
		ok := false
		for _, t := range q.tokens {
			ok = ok || t.Add || t.Edit
		}
		if !ok {
			return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
		}
	}
	if !isMultipart(q.r) {
		return nil, errInvalid("file", msgRequired)
	}
	mr, err := q.r.MultipartReader()
	if err != nil {
		return nil, errInvalid("file", msgMultipart)
	}
	maxSize := a.files.maxSize
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
		return nil, errInvalid("file", msgRequired)
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
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	fs := &a.files
	fs.expire(now)
	if fs.bytes+int64(len(data)) > fs.maxBytes {
		return nil, errInvalid("file", msgFileSpace(fs.maxBytes))
	}
	key := newUUID()
	fs.uploads[key] = &upload{b: &blob{data: data}, name: name, ctype: ctype, expires: now.Add(uploadTTL)}
	fs.bytes += int64(len(data))
	return map[string]any{"fileKey": key}, nil
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
func (a fileAPI) getFile(q *request) (any, *apiError) {
	key, ok := q.p.str("fileKey")
	if !ok || key == "" {
		return nil, errInvalid("fileKey", msgRequired)
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	ref, ok := a.files.refs[key]
	if !ok {
		return nil, errFileNotFound(key)
	}
	if owner, ok := a.files.owner[key]; ok {
		if d := a.apps[owner]; d != nil {
			if e := checkSpace(&q.caller, d); e != nil {
				return nil, e
			}
		}
		if q.kind == AuthToken {
			if t := q.tokens[owner]; t == nil || !t.View {
				return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
			}
		}
	} else if q.kind == AuthToken {
		ok := false
		for _, t := range q.tokens {
			ok = ok || t.View
		}
		if !ok {
			return nil, &apiError{status: 403, code: "GAIA_NO01", msg: msgTokenDenied}
		}
	}
	body := streamBody{ctype: ref.contentType, size: ref.size, filler: ref.name + "\n"}
	if b := a.files.blobs[key]; b != nil {
		body.data = b.data
		if body.data == nil {
			body.data = []byte{}
		}
	}
	return body, nil
}
