package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// sentRecords are the records of the write requests the simulator served since the log was
// reset, in order.
func (f *fixture) sentRecords() []any {
	var out []any
	for _, r := range f.sim.Requests() {
		if r.Method != "POST" {
			continue
		}
		reqs, _ := r.Params["requests"].([]any)
		for _, it := range reqs {
			payload, _ := it.(map[string]any)["payload"].(map[string]any)
			recs, _ := payload["records"].([]any)
			out = append(out, recs...)
		}
	}
	return out
}

// TestFastInsertIsSQLitesInsert: every edge value, in every kind of column, gives on the
// direct path (the second row of an executemany of VALUES (?, …)) what it gives through
// SQLite (VALUES ((?), …), which the direct path does not take): the same records sent, or
// the same error.
func TestFastInsertIsSQLitesInsert(t *testing.T) {
	f := writeFixture(t)
	columns := []string{"Deal name", "Amount", "Probability", "Close date", "Call time", "Last contact", "Channels", "Notes", "Stage", "Owner"}
	base := []any{"base", int64(1), int64(10), "2025-01-02", "09:30", "2025-01-02T03:04:00Z", `["Web"]`, "n", "Lead", nil}
	edges := []any{
		nil, int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		0.5, -0.0, math.NaN(), math.Inf(1), math.Inf(-1), 1e308, 5e-324,
		"", " 12 ", "1e3", "0x10", "00123", "a\x00b", "日本", "2025-02-30", "2025-01-02T03:04:05Z", "25:00", `["Web","Email"]`, "Won",
		[]byte{}, []byte(nil), []byte("12"),
	}
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = "[" + c + "]"
	}
	list := strings.Join(quoted, ", ")
	direct := "INSERT INTO Deals (" + list + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	viaSQLite := "INSERT INTO Deals (" + list + ") VALUES (" + strings.TrimSuffix(strings.Repeat("(?), ", len(columns)), ", ") + ")"
	run := func(sql string, rows [][]any) ([]any, string) {
		f.sim.ResetRequests()
		_, err := f.eng.ExecuteMany(context.Background(), sql, rows)
		recs := f.sentRecords()
		if err != nil {
			details, _ := json.Marshal(kerr.As(err).Details)
			return recs, fmt.Sprintf("%v %s", err, details)
		}
		return recs, ""
	}
	checked := 0
	for c := range columns {
		for _, v := range edges {
			row := append([]any(nil), base...)
			row[c] = v
			rows := [][]any{base, row}
			gotRecs, gotErr := run(direct, rows)
			wantRecs, wantErr := run(viaSQLite, rows)
			if gotErr != wantErr || !reflect.DeepEqual(gotRecs, wantRecs) {
				t.Errorf("%s = %#v:\ndirect:  %v %v\nthrough SQLite: %v %v", columns[c], v, gotRecs, gotErr, wantRecs, wantErr)
			}
			checked++
		}
	}
	// The direct path was taken: a row it runs leaves no trace in SQLite's change count, and
	// the probe accepted the statement.
	s, err := f.eng.ExecuteMany(context.Background(), direct, [][]any{base, base})
	if err != nil || s.fast == nil || s.fast.v == nil || s.RowsAffected() != 2 {
		t.Fatalf("the direct path was not taken (%v)", err)
	}
	t.Logf("%d values compared", checked)
}
