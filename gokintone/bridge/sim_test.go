package bridge

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSimStopRemovesThePrivateKeys: a TLS simulator writes its test CA and keys owner-only,
// and stopping it deletes them: its temporary folder whole, or the files it wrote in a folder
// given as pkiDir (the folder itself is the caller's and stays).
func TestSimStopRemovesThePrivateKeys(t *testing.T) {
	given := filepath.Join(t.TempDir(), "pki")
	for _, options := range []string{`{"tls": "server"}`, `{"tls": "client-cert", "pkiDir": ` + quoteJSON(given) + `}`} {
		h, err := SimStart("", options)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := getSim(h)
		dir := s.pki.Dir
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: folder %v %v, want mode 0700", options, st, err)
		}
		for _, key := range []string{s.pki.CAKeyFile, s.pki.ServerKeyFile, s.pki.ClientKeyFile, s.pki.ClientPEMFile} {
			if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v, want mode 0600", options, key, err)
			}
		}
		if err := SimStop(h); err != nil {
			t.Fatal(err)
		}
		left, err := os.ReadDir(dir)
		switch {
		case dir == given && (err != nil || len(left) != 0):
			t.Errorf("%s: left in the given folder: %v %v", options, left, err)
		case dir != given && !os.IsNotExist(err):
			t.Errorf("%s: the temporary folder %s stays: %v", options, dir, left)
		}
	}
}
