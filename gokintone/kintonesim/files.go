package kintonesim

import (
	"fmt"
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

// fileStore holds the domain's files: every attachment of a record by its download fileKey
// (fixture attachments have no content), and the uploads of file.json awaiting attachment. It
// is guarded by store.mu.
type fileStore struct {
	refs     map[string]fileRef // attachments by download fileKey
	lastKey  int64              // the number in the last download fileKey made
	uploads  map[string]*upload // temporary upload key → upload
	blobs    map[string]*blob   // download fileKey → content
	owner    map[string]int64   // download fileKey → app id, for attachments made by the API
	bytes    int64              // content held by uploads and attachments
	maxSize  int64              // one upload's limit (Options.MaxFileSize)
	maxBytes int64              // the limit of all content held (Options.MaxFileBytes)
}

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

func newFileStore(maxSize, maxBytes int64) fileStore {
	if maxSize <= 0 {
		maxSize = defaultMaxFileSize
	}
	if maxBytes <= 0 {
		maxBytes = defaultMaxFileBytes
	}
	return fileStore{refs: map[string]fileRef{}, uploads: map[string]*upload{}, blobs: map[string]*blob{},
		owner: map[string]int64{}, maxSize: maxSize, maxBytes: maxBytes}
}

// newKey returns a fresh download fileKey.
func (fs *fileStore) newKey() string {
	fs.lastKey++
	return fmt.Sprintf("%s%06d", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format("20060102150405"), fs.lastKey)
}

// expire drops expired upload keys and frees content never attached.
func (fs *fileStore) expire(now time.Time) {
	for k, u := range fs.uploads {
		if !now.Before(u.expires) {
			delete(fs.uploads, k)
			if !u.b.attached {
				fs.bytes -= int64(len(u.b.data))
			}
		}
	}
}

// attach turns an upload key into a new attachment of app d, or reports false when key is not
// a live upload key.
func (fs *fileStore) attach(key string, d *appDef, now time.Time) (fileRef, bool) {
	u := fs.uploads[key]
	if u == nil || !now.Before(u.expires) {
		return fileRef{}, false
	}
	fk := fs.newKey()
	ref := fileRef{contentType: u.ctype, fileKey: fk, name: u.name, size: int64(len(u.b.data))}
	fs.refs[fk] = ref
	fs.blobs[fk] = u.b
	u.b.attached = true
	if d != nil {
		fs.owner[fk] = d.meta.ID
	}
	return ref, true
}
