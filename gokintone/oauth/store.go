package oauth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// The settings file (OAuthSettingsLocation).
//
// Content: the header line below, then base64 of a 12-byte nonce followed by the AES-256-GCM
// ciphertext of a JSON document (fileData), with the header as additional data. The key is a
// constant built into the driver: anyone with the driver can decrypt the file, so the
// encryption only keeps tokens from being read at a glance (or grepped). What protects the
// tokens is the file's permissions: it is created 0600 (owner only) in a folder created 0700.
//
// Writes are atomic (a temporary file in the same folder, fsync, rename) and happen under an
// advisory lock (lock_*.go) held across read-modify-write, so that two processes refreshing at
// once neither lose an update nor use a refresh token the other has just rotated away.

const fileHeader = "CDATA-KINTONE-OAUTH-SETTINGS 1\n"

// fileKey is the built-in key. It is not a secret (it is in the source); see above.
var fileKey = sha256.Sum256([]byte("cdata-kintone OAuthSettingsLocation obfuscation key, version 1"))

// lockTimeout bounds the wait for another process's refresh.
const lockTimeout = 30 * time.Second

// entry is what the file keeps for one domain and client.
type entry struct {
	URL      string    `json:"url"`
	ClientID string    `json:"clientId"`
	Seed     string    `json:"seed,omitempty"` // digest of the connection properties the tokens came from
	Updated  time.Time `json:"updated"`
	Token
}

type fileData struct {
	Version int               `json:"version"`
	Entries map[string]*entry `json:"entries"`
}

func entryKey(baseURL, clientID string) string { return baseURL + " " + clientID }

func settingsError(path, format string, args ...any) error {
	return kerr.New(kerr.KindIO, "OAuthSettingsLocation %s: "+format, append([]any{path}, args...)...)
}

// readStore reads the settings file; a missing file is an empty store.
func readStore(path string) (*fileData, error) {
	d := &fileData{Version: 1, Entries: map[string]*entry{}}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, settingsError(path, "cannot be read: %v", err)
	}
	if !bytes.HasPrefix(raw, []byte(fileHeader)) {
		return nil, settingsError(path, "is not an OAuth settings file of this driver (it lacks the header line); "+
			"point OAuthSettingsLocation at another file, or delete this one to authorize again")
	}
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw[len(fileHeader):])))
	if err != nil || len(sealed) < 12 {
		return nil, settingsError(path, "is damaged (not base64); delete it to authorize again")
	}
	aead := newAEAD()
	plain, err := aead.Open(nil, sealed[:12], sealed[12:], []byte(fileHeader))
	if err != nil {
		return nil, settingsError(path, "is damaged or was changed (it does not decrypt); delete it to authorize again")
	}
	if err := json.Unmarshal(plain, d); err != nil {
		return nil, settingsError(path, "is damaged (bad content); delete it to authorize again")
	}
	if d.Entries == nil {
		d.Entries = map[string]*entry{}
	}
	return d, nil
}

// writeStore replaces the settings file atomically, owner-only.
func writeStore(path string, d *fileData) error {
	plain, err := json.Marshal(d)
	if err != nil {
		return err
	}
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sealed := newAEAD().Seal(nonce, nonce, plain, []byte(fileHeader))
	content := fileHeader + base64.StdEncoding.EncodeToString(sealed) + "\n"

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return settingsError(path, "its folder cannot be created: %v", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return settingsError(path, "cannot write in its folder: %v", err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && !isNotSupported(err) {
		return settingsError(path, "cannot restrict the permissions of the new file: %v", err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		return settingsError(path, "cannot be written: %v", err)
	}
	if err := tmp.Sync(); err != nil {
		return settingsError(path, "cannot be written: %v", err)
	}
	if err := tmp.Close(); err != nil {
		return settingsError(path, "cannot be written: %v", err)
	}
	if err := os.Rename(name, path); err != nil {
		return settingsError(path, "cannot be replaced: %v", err)
	}
	ok = true
	return nil
}

func isNotSupported(err error) bool { return errors.Is(err, errors.ErrUnsupported) }

func newAEAD() cipher.AEAD {
	block, err := aes.NewCipher(fileKey[:])
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// withFileLock runs fn holding the advisory lock of the settings file at path.
func withFileLock(path string, fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return settingsError(path, "its folder cannot be created: %v", err)
	}
	unlock, err := lockFile(path+".lock", lockTimeout)
	if err != nil {
		return settingsError(path, "%v", err)
	}
	defer unlock()
	return fn()
}

// ExpandPath resolves a leading ~/ to the home directory.
func ExpandPath(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}
