package bridge

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestUserDefinedViews: the views of the file are views of the connection, and a bad file
// stops the connection with an error naming the file and the view.
func TestUserDefinedViews(t *testing.T) {
	_, info := startSampleSim(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	login := "Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password + ";UserDefinedViews="
	good := write("views.json", `{"FirstDeals": {"query": "SELECT Id FROM Deals WHERE Id <= 3"},
		"DealCount": {"query": "SELECT count(*) AS N FROM FirstDeals"}}`)
	c, err := connectWait(login + good)
	if err != nil {
		t.Fatal(err)
	}
	defer ConnClose(c)
	if got := mustQuery(t, c, "SELECT N FROM DealCount", "[]"); !reflect.DeepEqual(got, [][]any{{float64(3)}}) {
		t.Errorf("DealCount: %v", got)
	}
	cases := []struct{ content, want string }{
		{"", "cannot read it"},
		{`[1]`, "it is not a JSON object"},
		{`{"V": {"query": "SELECT 1"}`, "it is not valid JSON"},
		{`{"V": {"sql": "SELECT 1"}}`, `view "V" has no query`},
		{`{"V": "SELECT 1"}`, `view "V" is not an object with a query`},
		{`{"V": {"query": "SELECT 1"}} x`, "text follows the JSON object"},
		{`{"V": {"query": "SELECT * FROM Nowhere"}}`, `view "V": no such table: Nowhere`},
	}
	for i, tc := range cases {
		path := filepath.Join(dir, "missing.json")
		if tc.content != "" {
			path = write("bad"+string(rune('a'+i))+".json", tc.content)
		}
		_, err := connectWait(login + path)
		if err == nil || !strings.Contains(err.Error(), "UserDefinedViews file \""+path+"\": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want the file and %q", tc.content, err, tc.want)
		}
	}
}
