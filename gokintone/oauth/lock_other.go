//go:build !unix

package oauth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// staleLock is the age after which a lock file left by a crashed process is taken over.
const staleLock = 2 * time.Minute

// lockFile creates the lock file exclusively (O_EXCL), waiting up to timeout, and removes it
// on release. A lock file older than staleLock is considered left behind and removed.
func lockFile(path string, timeout time.Duration) (func(), error) {
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("cannot create the lock file %s: %v", path, err)
		}
		if st, serr := os.Stat(path); serr == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("another process has held the lock %s for more than %s", path, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
