// Package readmetest keeps the README's generated sections equal to the Go tables they are
// generated from.
package readmetest

import (
	"os"
	"strings"
	"testing"
)

// Path is the README, as seen from a test of a package under gokintone/.
const Path = "../../README.md"

// Check fails t when the README's text between the line begin and the line end ("" = the end
// of the file) differs from want, naming command, the command that regenerates it. With
// UPDATE_README set in the environment it writes want there instead.
func Check(t *testing.T, begin, end, want, command string) {
	t.Helper()
	data, err := os.ReadFile(Path)
	if err != nil {
		t.Skipf("README not found: %v", err)
	}
	text := string(data)
	begin += "\n"
	i := strings.Index(text, begin)
	if i < 0 {
		t.Fatalf("README lacks the line %q", begin)
	}
	i += len(begin)
	j := len(text)
	if end != "" {
		k := strings.Index(text[i:], "\n"+end+"\n")
		if k < 0 {
			t.Fatalf("README lacks the line %q after %q", end, begin)
		}
		j = i + k + 1
	}
	if text[i:j] == want {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(Path, []byte(text[:i]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README is out of date: run %s\nwant:\n%s", command, want)
}
