package driver

import (
	"encoding/json"
	"testing"
)

func TestSmoke(t *testing.T) {
	h, err := SimStart("", "")
	if err != nil {
		t.Fatal(err)
	}
	defer SimStop(h)
	infoS, _ := SimInfo(h)
	var info struct {
		URL, User, Password string
		Apps []simApp
	}
	json.Unmarshal([]byte(infoS), &info)
	t.Log(infoS[:300])
	c, err := Connect("Url=" + info.URL + ";User=" + info.User + ";Password=" + info.Password)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM Deals WHERE Id > 5 ORDER BY Id LIMIT 3",
		"SELECT count(*) FROM [受注明細 Orders]",
		"SELECT * FROM [受注明細 Orders_明細] LIMIT 2",
		"SELECT * FROM 顧客リスト LIMIT 1",
	} {
		s, err := Execute(c, q, "")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		d, _ := StmtDescription(s)
		rows, err := StmtFetch(s, 5)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s\n%s\n%s", q, d, rows)
	}
	log, _ := SimRequests(h)
	if len(log) > 3000 {
		log = log[len(log)-3000:]
	}
	t.Log(log)
}
