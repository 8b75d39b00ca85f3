package connstr

import (
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/readmetest"
)

// TestReadmeDocumentsEveryProperty keeps the README's property reference generated from the
// table.
func TestReadmeDocumentsEveryProperty(t *testing.T) {
	readmetest.Check(t, "<!-- generated from gokintone/connstr: go test ./gokintone/connstr checks it -->", "",
		"\n"+MarkdownReference(), "UPDATE_README=1 go test ./gokintone/connstr -run Readme")
}
