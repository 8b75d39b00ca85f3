package connstr

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsEveryProperty keeps the README's property reference generated from the
// table: regenerate it with `UPDATE_README=1 go test ./gokintone/connstr -run Readme`.
func TestReadmeDocumentsEveryProperty(t *testing.T) {
	const path = "../../README.md"
	const marker = "<!-- generated from gokintone/connstr: go test ./gokintone/connstr checks it -->\n"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("README not found: %v", err)
	}
	text := string(data)
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("README lacks the marker %q", marker)
	}
	want := text[:i+len(marker)] + "\n" + MarkdownReference()
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if text != want {
		t.Errorf("the README's property reference is out of date: run UPDATE_README=1 go test ./gokintone/connstr -run Readme")
	}
}
