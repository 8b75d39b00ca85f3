package schema

import (
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/readmetest"
)

// TestReadmeTypesTable keeps the README's Types table generated from the type table.
func TestReadmeTypesTable(t *testing.T) {
	readmetest.Check(t, "<!-- generated from gokintone/schema: go test ./gokintone/schema checks it -->",
		"<!-- end of the generated table -->", "\n"+MarkdownTypes()+"\n", "UPDATE_README=1 go test ./gokintone/schema -run Readme")
}
