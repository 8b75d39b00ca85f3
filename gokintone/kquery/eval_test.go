package kquery

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Tokyo regardless of the host's zoneinfo
)

var testSchema = Schema{
	"title":   {Type: "SINGLE_LINE_TEXT"},
	"num":     {Type: "NUMBER"},
	"memo":    {Type: "MULTI_LINE_TEXT"},
	"rich":    {Type: "RICH_TEXT"},
	"cb":      {Type: "CHECK_BOX", Options: []string{"A", "B", "C"}},
	"radio":   {Type: "RADIO_BUTTON", Options: []string{"r1", "r2"}},
	"dd":      {Type: "DROP_DOWN", Options: []string{"x", "y"}},
	"d":       {Type: "DATE"},
	"dt":      {Type: "DATETIME"},
	"tm":      {Type: "TIME"},
	"users":   {Type: "USER_SELECT"},
	"orgs":    {Type: "ORGANIZATION_SELECT"},
	"作成者":     {Type: "CREATOR"},
	"status":  {Type: "STATUS"},
	"files":   {Type: "FILE"},
	"recno":   {Type: "RECORD_NUMBER"},
	"calc":    {Type: "CALC", Format: "NUMBER"},
	"calcd":   {Type: "CALC", Format: "DATE"},
	"items":   {Type: "SUBTABLE"},
	"name":    {Type: "SINGLE_LINE_TEXT", Subtable: "items"},
	"qty":     {Type: "NUMBER", Subtable: "items"},
	"note":    {Type: "MULTI_LINE_TEXT", Subtable: "items"},
	"rel":     {Type: "REFERENCE_TABLE"},
	"rel.prc": {Type: "NUMBER"},
	"grp":     {Type: "GROUP"},
}

// testRecords are in kintone's JSON shape, decoded as the simulator decodes them.
const testRecordsJSON = `[
{"$id":{"type":"__ID__","value":"1"},"title":{"type":"SINGLE_LINE_TEXT","value":"Hello World"},
 "num":{"type":"NUMBER","value":"10"},"memo":{"type":"MULTI_LINE_TEXT","value":"gamma keyword\nsecond line"},
 "rich":{"type":"RICH_TEXT","value":"<p>Bold <b>text</b> &amp; more</p>"},
 "cb":{"type":"CHECK_BOX","value":["A","B"]},"radio":{"type":"RADIO_BUTTON","value":"r1"},"dd":{"type":"DROP_DOWN","value":"x"},
 "d":{"type":"DATE","value":"2024-05-15"},"dt":{"type":"DATETIME","value":"2024-05-15T01:00:00Z"},"tm":{"type":"TIME","value":"09:30"},
 "users":{"type":"USER_SELECT","value":[{"code":"sato","name":"Sato"}]},"orgs":{"type":"ORGANIZATION_SELECT","value":[{"code":"sales","name":"Sales"}]},
 "作成者":{"type":"CREATOR","value":{"code":"sato","name":"Sato"}},"status":{"type":"STATUS","value":"Open"},
 "files":{"type":"FILE","value":[{"contentType":"application/pdf","fileKey":"k1","name":"report.pdf","size":"10"}]},
 "recno":{"type":"RECORD_NUMBER","value":"APP-1"},"calc":{"type":"CALC","value":"100"},"calcd":{"type":"CALC","value":"2024-05-15"},
 "items":{"type":"SUBTABLE","value":[
   {"id":"11","value":{"name":{"type":"SINGLE_LINE_TEXT","value":"apple"},"qty":{"type":"NUMBER","value":"3"},"note":{"type":"MULTI_LINE_TEXT","value":"red"}}},
   {"id":"12","value":{"name":{"type":"SINGLE_LINE_TEXT","value":"banana"},"qty":{"type":"NUMBER","value":"10"},"note":{"type":"MULTI_LINE_TEXT","value":""}}}]},
 "rel.prc":{"type":"NUMBER","value":["5","15"]}},
{"$id":{"type":"__ID__","value":"2"},"title":{"type":"SINGLE_LINE_TEXT","value":""},
 "num":{"type":"NUMBER","value":"9"},"memo":{"type":"MULTI_LINE_TEXT","value":"  \n "},"rich":{"type":"RICH_TEXT","value":""},
 "cb":{"type":"CHECK_BOX","value":[]},"radio":{"type":"RADIO_BUTTON","value":null},"dd":{"type":"DROP_DOWN","value":null},
 "d":{"type":"DATE","value":null},"dt":{"type":"DATETIME","value":""},"tm":{"type":"TIME","value":null},
 "users":{"type":"USER_SELECT","value":[]},"orgs":{"type":"ORGANIZATION_SELECT","value":[]},
 "作成者":{"type":"CREATOR","value":{"code":"tanaka","name":"Tanaka"}},"status":{"type":"STATUS","value":"Done"},
 "files":{"type":"FILE","value":[]},"recno":{"type":"RECORD_NUMBER","value":"APP-2"},"calc":{"type":"CALC","value":""},
 "items":{"type":"SUBTABLE","value":[]},"rel.prc":{"type":"NUMBER","value":[]}},
{"$id":{"type":"__ID__","value":"3"},"title":{"type":"SINGLE_LINE_TEXT","value":"東京タワー"},
 "num":{"type":"NUMBER","value":"1e2"},"memo":{"type":"MULTI_LINE_TEXT","value":"東京都の観光"},
 "cb":{"type":"CHECK_BOX","value":["C"]},"radio":{"type":"RADIO_BUTTON","value":"r2"},"dd":{"type":"DROP_DOWN","value":"y"},
 "d":{"type":"DATE","value":"2024-05-14"},"dt":{"type":"DATETIME","value":"2024-05-14T15:00:00Z"},"tm":{"type":"TIME","value":"23:59"},
 "users":{"type":"USER_SELECT","value":[{"code":"tanaka","name":"Tanaka"},{"code":"sato","name":"Sato"}]},
 "作成者":{"type":"CREATOR","value":{"code":"sato","name":"Sato"}},"status":{"type":"STATUS","value":"Open"},
 "files":{"type":"FILE","value":[{"name":"photo.png"}]},"recno":{"type":"RECORD_NUMBER","value":"APP-3"},
 "items":{"type":"SUBTABLE","value":[
   {"id":"31","value":{"name":{"type":"SINGLE_LINE_TEXT","value":"apple"},"qty":{"type":"NUMBER","value":"1"},"note":{"type":"MULTI_LINE_TEXT","value":"x"}}},
   {"id":"32","value":{"name":{"type":"SINGLE_LINE_TEXT","value":"cherry"},"qty":{"type":"NUMBER","value":"5"},"note":{"type":"MULTI_LINE_TEXT","value":"y"}}}]}},
{"$id":{"type":"__ID__","value":"4"},"title":{"type":"SINGLE_LINE_TEXT","value":"say \"hi\" \\ there"},
 "num":{"type":"NUMBER","value":"-5.5"},"memo":{"type":"MULTI_LINE_TEXT","value":""},
 "cb":{"type":"CHECK_BOX","value":["A","C"]},"radio":{"type":"RADIO_BUTTON","value":"r1"},
 "d":{"type":"DATE","value":"2024-04-30"},"dt":{"type":"DATETIME","value":"2024-05-15T14:59:00Z"},"tm":{"type":"TIME","value":"00:00"},
 "作成者":{"type":"CREATOR","value":{"code":"suzuki","name":"Suzuki"}},"status":{"type":"STATUS","value":"Open"},
 "recno":{"type":"RECORD_NUMBER","value":"APP-4"},
 "items":{"type":"SUBTABLE","value":[
   {"id":"41","value":{"name":{"type":"SINGLE_LINE_TEXT","value":"banana"},"qty":{"type":"NUMBER","value":"0"},"note":{"type":"MULTI_LINE_TEXT","value":"z"}}}]}},
{"$id":{"type":"__ID__","value":"5"},"title":{"type":"SINGLE_LINE_TEXT","value":"hello"},
 "num":{"type":"NUMBER","value":""},"memo":{"type":"MULTI_LINE_TEXT","value":"x"},"radio":{"type":"RADIO_BUTTON","value":"r1"},
 "d":{"type":"DATE","value":"2024-06-01"},"dt":{"type":"DATETIME","value":"2024-05-31T15:00:00Z"},
 "作成者":{"type":"CREATOR","value":{"code":"sato","name":"Sato"}},"status":{"type":"STATUS","value":"Done"},
 "recno":{"type":"RECORD_NUMBER","value":"APP-5"}}
]`

func testRecords(t testing.TB) []Record {
	t.Helper()
	var rs []Record
	if err := json.Unmarshal([]byte(testRecordsJSON), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// testEnv is Wednesday 2024-05-15 10:30 in Tokyo.
func testEnv(t testing.TB) Env {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return Env{
		Now:                 time.Date(2024, 5, 15, 10, 30, 0, 0, tokyo),
		Location:            tokyo,
		LoginUser:           "sato",
		PrimaryOrganization: "sales",
	}
}

func ids(rs []Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, text(r["$id"].Value))
	}
	return out
}

// run parses, compiles and evaluates q over the test records, returning the matching ids in
// the program's order.
func run(t *testing.T, q string, env Env) ([]string, error) {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		return nil, err
	}
	p, err := Compile(pq, testSchema, env)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, r := range testRecords(t) {
		if p.Match(r) {
			out = append(out, r)
		}
	}
	p.Sort(out)
	return ids(p.Page(out)), nil
}

func TestMatch(t *testing.T) {
	tests := []struct {
		q    string
		want string // ids in default order ($id descending), space-separated
	}{
		// text
		{`title = "Hello World"`, "1"},
		{`title = "hello world"`, ""},
		{`title = ""`, "2"},
		{`title != ""`, "5 4 3 1"},
		{`title != "hello"`, "4 3 2 1"},
		{`title in ("hello", "")`, "5 2"},
		{`title not in ("hello", "")`, "4 3 1"},
		{`title = "say \"hi\" \\ there"`, "4"},
		{`title like "hello"`, "5 1"},
		{`title like "HELLO world"`, "1"},
		{`title like "hell"`, ""},
		{`title like "タワー"`, "3"},
		{`title not like "hello"`, "4 3 2"},
		{`title like "hi"`, "4"},
		// long text, rich text
		{`memo like "key"`, ""},
		{`memo like "keyword"`, "1"},
		{`memo like "東京"`, "3"},
		{`memo is empty`, "4 2"},
		{`memo is not empty`, "5 3 1"},
		{`rich like "text"`, "1"},
		{`rich like "more"`, "1"},
		{`rich like "b"`, ""},
		// numbers
		{`num > 9`, "3 1"},
		{`num >= "9"`, "3 2 1"},
		{`num < 0`, "4"},
		{`num = 100`, "3"},
		{`num = 1.0e2`, "3"},
		{`num in (10, "1e2")`, "3 1"},
		{`num not in (10, "1e2")`, "5 4 2"},
		{`num = ""`, "5"},
		{`num != 10`, "5 4 3 2"},
		{`num <= -5.5`, "4"},
		{`calc >= 100`, "1"},
		{`calc = ""`, "5 4 3 2"},
		// $id and record numbers
		{`$id >= 4`, "5 4"},
		{`$id in (1, 3)`, "3 1"},
		{`recno > 2`, "5 4 3"},
		{`recno = "APP-3"`, "3"},
		{`recno <= "2"`, "2 1"},
		// selections
		{`cb in ("A")`, "4 1"},
		{`cb in ("B", "C")`, "4 3 1"},
		{`cb in ("")`, "5 2"},
		{`cb not in ("A")`, "5 3 2"},
		{`radio in ("r1")`, "5 4 1"},
		{`radio in ("")`, "2"},
		{`dd not in ("x")`, "5 4 3 2"},
		{`status = "Open"`, "4 3 1"},
		{`status in ("Done")`, "5 2"},
		// users, organizations, creator
		{`users in (LOGINUSER())`, "3 1"},
		{`users in ("tanaka")`, "3"},
		{`users not in ("sato")`, "5 4 2"},
		{`users in ("")`, "5 4 2"},
		{`作成者 in (LOGINUSER())`, "5 3 1"},
		{`作成者 not in ("sato", "tanaka")`, "4"},
		{`orgs in (PRIMARY_ORGANIZATION())`, "1"},
		// files
		{`files like "report"`, "1"},
		{`files is empty`, "5 4 2"},
		{`files is not empty`, "3 1"},
		// dates (today is 2024-05-15, Wednesday, in Tokyo)
		{`d = TODAY()`, "1"},
		{`d = "2024-05-15"`, "1"},
		{`d = "2024-5-15"`, "1"},
		{`d < TODAY()`, "4 3"},
		{`d <= TODAY()`, "4 3 1"},
		{`d > TODAY()`, "5"},
		{`d >= YESTERDAY()`, "5 3 1"},
		{`d = TOMORROW()`, ""},
		{`d = NOW()`, "1"},
		{`d = FROM_TODAY(-1, DAYS)`, "3"},
		{`d = FROM_TODAY(-15, days)`, "4"},
		{`d = THIS_WEEK()`, "3 1"},
		{`d = THIS_WEEK(TUESDAY)`, "3"},
		{`d < THIS_WEEK()`, "4"},
		{`d = LAST_WEEK()`, ""},
		{`d = THIS_MONTH()`, "3 1"},
		{`d > THIS_MONTH()`, "5"},
		{`d = LAST_MONTH(LAST)`, "4"},
		{`d = LAST_MONTH(30)`, "4"},
		{`d = NEXT_MONTH(1)`, "5"},
		{`d = THIS_YEAR()`, "5 4 3 1"},
		{`d != THIS_MONTH()`, "5 4 2"},
		{`d = ""`, "2"},
		{`d != ""`, "5 4 3 1"},
		{`calcd = TODAY()`, "1"},
		// datetimes: whole days in Tokyo, minutes otherwise, seconds ignored
		{`dt = TODAY()`, "4 3 1"},
		{`dt > TODAY()`, "5"},
		{`dt < TODAY()`, ""},
		{`dt = "2024-05-15"`, "4 3 1"},
		{`dt = "2024-05-15T10:00:00+09:00"`, "1"},
		{`dt = "2024-05-15T01:00:30Z"`, "1"},
		{`dt = "2024-05-15T01:00"`, "1"},
		{`dt >= "2024-05-15T00:00:00+09:00"`, "5 4 3 1"},
		{`dt < "2024-05-15T00:00:00+09:00"`, ""},
		{`dt <= NOW()`, "3 1"},
		{`dt > NOW()`, "5 4"},
		{`dt = THIS_MONTH()`, "4 3 1"},
		{`dt = NEXT_MONTH(1)`, "5"},
		{`dt = ""`, "2"},
		// times
		{`tm >= "12:00"`, "3"},
		{`tm < "09:30:59"`, "4"},
		{`tm = "9:30"`, "1"},
		{`tm = ""`, "5 2"},
		// logic
		{`(title = "hello" or num = 10) and status = "Open"`, "1"},
		{`title = "hello" or num = 10 and status = "Open"`, "5 1"},
		{`title like "hello" and (cb in ("B") or d = TODAY())`, "1"},
		// subtable: one matching row for positive operators
		{`name in ("apple")`, "3 1"},
		{`qty > 4`, "3 1"},
		{`name like "banana"`, "4 1"},
		{`note is empty`, "1"},
		// ... every row, and rows required, for negative ones
		{`name not in ("apple")`, "4"},
		{`name not like "apple"`, "4"},
		{`note is not empty`, "4 3"},
		// ... and one row for and-joined conditions on the same table
		{`name in ("apple") and qty >= 5`, ""},
		{`name in ("banana") and qty >= 5`, "1"},
		{`(name in ("cherry") and qty >= 5) and note like "y"`, "3"},
		{`name in ("apple") and (qty >= 5)`, ""},
		{`name in ("apple") or qty >= 5`, "3 1"},
		{`name in ("apple") and qty >= 5 or title = "hello"`, "5"},
		{`name in ("banana") and qty >= 5 and title like "hello"`, "1"},
		{`name in ("apple", "banana") and name not in ("cherry")`, "4 1"},
		// related records
		{`rel.prc in (5)`, "1"},
		{`rel.prc > 10`, "1"},
		{`rel.prc not in (5)`, ""},
		// paging and order
		{`order by num asc`, "5 4 2 1 3"},
		{`order by num desc`, "3 1 2 4 5"},
		{`$id > 0 order by $id asc limit 2`, "1 2"},
		{`order by $id asc limit 2 offset 2`, "3 4"},
		{`limit 0`, ""},
		{`offset 4`, "1"},
		{`offset 10000`, ""},
		{`order by title asc`, "2 1 5 4 3"},
		{`order by status asc, num desc`, "2 5 3 1 4"},
		{`order by radio asc`, "2 1 4 5 3"},
		{`order by d desc`, "5 1 3 4 2"},
		{`order by dt asc`, "2 3 1 4 5"},
		{`order by tm asc`, "2 5 4 1 3"},
		{`order by recno desc`, "5 4 3 2 1"},
		{`order by 作成者 asc`, "1 3 5 4 2"},
	}
	env := testEnv(t)
	for _, tt := range tests {
		got, err := run(t, tt.q, env)
		if err != nil {
			t.Errorf("%s: %v", tt.q, err)
			continue
		}
		want := append([]string{}, strings.Fields(tt.want)...)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", tt.q, got, want)
		}
	}
}

// TestDateTimeZone: DATE-valued functions on DATETIME fields cover the day in the user's zone.
func TestDateTimeZone(t *testing.T) {
	env := testEnv(t)
	env.Location = time.UTC
	got, err := run(t, `dt = TODAY()`, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"4", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("dt = TODAY() in UTC: got %v, want %v", got, want)
	}
}

func TestDateFuncs(t *testing.T) {
	env := testEnv(t)
	now := env.Now.In(env.Location)
	day := func(s string) int64 {
		n, ok := parseDate(s)
		if !ok {
			t.Fatalf("bad date %s", s)
		}
		return n
	}
	tests := []struct {
		f      *Func
		lo, hi string
	}{
		{&Func{Name: "TODAY"}, "2024-05-15", "2024-05-15"},
		{&Func{Name: "YESTERDAY"}, "2024-05-14", "2024-05-14"},
		{&Func{Name: "TOMORROW"}, "2024-05-16", "2024-05-16"},
		{&Func{Name: "FROM_TODAY", Args: []string{"2", "WEEKS"}}, "2024-05-29", "2024-05-29"},
		{&Func{Name: "FROM_TODAY", Args: []string{"-3", "MONTHS"}}, "2024-02-15", "2024-02-15"},
		{&Func{Name: "FROM_TODAY", Args: []string{"1", "YEARS"}}, "2025-05-15", "2025-05-15"},
		{&Func{Name: "THIS_WEEK"}, "2024-05-12", "2024-05-18"},
		{&Func{Name: "THIS_WEEK", Args: []string{"SUNDAY"}}, "2024-05-12", "2024-05-12"},
		{&Func{Name: "LAST_WEEK", Args: []string{"SATURDAY"}}, "2024-05-11", "2024-05-11"},
		{&Func{Name: "NEXT_WEEK"}, "2024-05-19", "2024-05-25"},
		{&Func{Name: "THIS_MONTH"}, "2024-05-01", "2024-05-31"},
		{&Func{Name: "THIS_MONTH", Args: []string{"LAST"}}, "2024-05-31", "2024-05-31"},
		{&Func{Name: "LAST_MONTH"}, "2024-04-01", "2024-04-30"},
		{&Func{Name: "LAST_MONTH", Args: []string{"31"}}, "2024-05-01", "2024-05-01"},
		{&Func{Name: "NEXT_MONTH", Args: []string{"LAST"}}, "2024-06-30", "2024-06-30"},
		{&Func{Name: "THIS_YEAR"}, "2024-01-01", "2024-12-31"},
		{&Func{Name: "LAST_YEAR"}, "2023-01-01", "2023-12-31"},
		{&Func{Name: "NEXT_YEAR"}, "2025-01-01", "2025-12-31"},
	}
	for _, tt := range tests {
		lo, hi, err := dateFuncDays(tt.f, now)
		if err != nil {
			t.Errorf("%v: %v", tt.f, err)
			continue
		}
		if lo != day(tt.lo) || hi != day(tt.hi) {
			t.Errorf("%s%v = [%d, %d], want [%s, %s]", tt.f.Name, tt.f.Args, lo, hi, tt.lo, tt.hi)
		}
	}
	// Late evening UTC is already tomorrow in Tokyo.
	late := time.Date(2024, 5, 15, 20, 0, 0, 0, time.UTC).In(env.Location)
	if lo, _, _ := dateFuncDays(&Func{Name: "TODAY"}, late); lo != day("2024-05-16") {
		t.Errorf("TODAY at 20:00 UTC in Tokyo is not 2024-05-16")
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ q, code string }{
		{`nosuch = 1`, "GAIA_IQ11"},
		{`order by nosuch asc`, "GAIA_IQ11"},
		{`items.name in ("a")`, "GAIA_IR02"},
		{`title.x = "a"`, "GAIA_IR02"},
		{`rel.nosuch in (1)`, "GAIA_IQ11"},
		{`rel.prc = 5`, "GAIA_IQ03"},
		{`cb = "A"`, "GAIA_IQ03"},
		{`cb = "Z"`, "GAIA_IQ10"},
		{`cb in ("A", "Z")`, "GAIA_IQ10"},
		{`radio not in ("r3")`, "GAIA_IQ10"},
		{`dd = "x"`, "GAIA_IQ03"},
		{`name = "apple"`, "GAIA_IQ07"},
		{`qty != 1`, "GAIA_IQ07"},
		{`title > "a"`, "GAIA_IQ03"},
		{`title is empty`, "GAIA_IQ03"},
		{`memo = "x"`, "GAIA_IQ03"},
		{`rich is empty`, "GAIA_IQ03"},
		{`num like "1"`, "GAIA_IQ03"},
		{`d in ("2024-01-01")`, "GAIA_IQ03"},
		{`users = "sato"`, "GAIA_IQ03"},
		{`status > "a"`, "GAIA_IQ03"},
		{`items in ("a")`, "GAIA_IQ03"},
		{`grp in ("a")`, "GAIA_IQ03"},
		{`files = "a"`, "GAIA_IQ03"},
		{`d = FROM_TODAY(1, HOURS)`, "GAIA_IQ25"},
		{`d = FROM_TODAY(x, DAYS)`, "GAIA_IQ25"},
		{`d = THIS_WEEK(FUNDAY)`, "GAIA_IQ25"},
		{`d = FROM_TODAY(1)`, "GAIA_IL08"},
		{`d = TODAY(1)`, "GAIA_IL08"},
		{`d = THIS_MONTH(1, 2)`, "GAIA_IL08"},
		{`users in (LOGINUSER(1))`, "GAIA_IL08"},
		{`d = THIS_MONTH(32)`, "GAIA_IQ23"},
		{`d = THIS_MONTH(0)`, "GAIA_IQ23"},
		{`d = LAST_MONTH(81)`, "GAIA_IQ23"},
		{`title = TODAY()`, "CB_VA01"},
		{`tm = NOW()`, "CB_VA01"},
		{`d = NO_SUCH()`, "CB_VA01"},
		{`orgs in (LOGINUSER())`, "CB_VA01"},
		{`users in (PRIMARY_ORGANIZATION())`, "CB_VA01"},
		{`d = "abc"`, "CB_VA01"},
		{`d = "2023-02-30"`, "CB_VA01"},
		{`dt = "yesterday"`, "CB_VA01"},
		{`tm = "25:00"`, "CB_VA01"},
		{`num = "abc"`, "CB_VA01"},
		{`limit 501`, "GAIA_QU01"},
		{`offset 10001`, "GAIA_QU02"},
		{`limit -1`, "CB_VA01"},
		{`offset -1`, "CB_VA01"},
		{`order by name asc`, "CB_VA01"},
		{`order by cb asc`, "CB_VA01"},
		{`order by rel.prc asc`, "CB_VA01"},
	}
	env := testEnv(t)
	for _, tt := range tests {
		q, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		_, err = Compile(q, testSchema, env)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Compile(%q) = %v, want %s", tt.q, err, tt.code)
			continue
		}
		if e.Code != tt.code || e.Status != 400 || e.Message == "" {
			t.Errorf("Compile(%q): %s %d %q, want %s", tt.q, e.Code, e.Status, e.Message, tt.code)
		}
	}
}

func TestCompileDefaults(t *testing.T) {
	p, err := Compile(&Query{}, testSchema, Env{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Limit() != 100 || p.Offset() != 0 {
		t.Errorf("defaults: limit %d offset %d", p.Limit(), p.Offset())
	}
	p, err = Compile(&Query{Limit: Int64(500), Offset: Int64(10000)}, testSchema, Env{})
	if err != nil || p.Limit() != 500 || p.Offset() != 10000 {
		t.Errorf("limits at the maximum: %v", err)
	}
	if p, err := Compile(nil, nil, Env{}); err != nil || !p.Match(Record{}) {
		t.Errorf("nil query: %v", err)
	}
	// $id is known without a schema entry.
	if _, err := Compile(&Query{Where: C("$id", Gt, Int(3))}, Schema{}, Env{}); err != nil {
		t.Errorf("$id without schema: %v", err)
	}
}

// TestSortStable: ties on every key fall back to $id ascending.
func TestSortTies(t *testing.T) {
	p, err := Compile(&Query{OrderBy: []OrderItem{{Field: "status", Desc: true}}}, testSchema, Env{})
	if err != nil {
		t.Fatal(err)
	}
	rs := testRecords(t)
	// reverse the input so that the tie-break, not the input order, decides
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	p.Sort(rs)
	if got, want := ids(rs), []string{"1", "3", "4", "2", "5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestGoTypedRecords: the simulator may hold records as Go values rather than decoded JSON.
func TestGoTypedRecords(t *testing.T) {
	r := Record{
		"$id":   {Type: "__ID__", Value: "7"},
		"cb":    {Type: "CHECK_BOX", Value: []string{"B"}},
		"users": {Type: "USER_SELECT", Value: []map[string]string{{"code": "sato"}}},
		"items": {Type: "SUBTABLE", Value: []map[string]any{
			{"id": "1", "value": map[string]FieldValue{"name": {Value: "kiwi"}, "qty": {Value: "9"}}},
		}},
	}
	for _, q := range []string{`cb in ("B")`, `users in (LOGINUSER())`, `name in ("kiwi") and qty > 8`, `$id = 7`} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(pq, testSchema, testEnv(t))
		if err != nil {
			t.Fatal(err)
		}
		if !p.Match(r) {
			t.Errorf("%s did not match a Go-typed record", q)
		}
	}
}

func TestWordMatch(t *testing.T) {
	tests := []struct {
		text, needle string
		want         bool
	}{
		{"gamma keyword", "keyword", true},
		{"gamma keyword", "key", false},
		{"gamma keyword", "KEYWORD gamma", true},
		{"gamma keyword", "gamma delta", false},
		{"ＡＢＣ full width", "abc", true},
		{"foo-bar_baz", "bar", true},
		{"東京都の観光", "観光", true},
		{"東京都の観光", "大阪", false},
		{"anything", "", true},
		{"anything", "!!", true},
	}
	for _, tt := range tests {
		if got := wordMatch(tt.text, tt.needle); got != tt.want {
			t.Errorf("wordMatch(%q, %q) = %v", tt.text, tt.needle, got)
		}
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"10", "9", 1}, {"1e2", "100", 0}, {"0.1", "0.10", 0}, {"-1", "1", -1}, {"-10", "-9", -1},
		{"0", "-0", 0}, {"123456789012345678901234567890", "123456789012345678901234567891", -1},
		{"1.5e1", "15", 0}, {"0.001", "1e-3", 0}, {"2", "10", -1}, {" 42 ", "42", 0}, {"+3", "3", 0},
	}
	for _, tt := range tests {
		a, ok1 := parseDecimal(tt.a)
		b, ok2 := parseDecimal(tt.b)
		if !ok1 || !ok2 {
			t.Errorf("parse %q %q failed", tt.a, tt.b)
			continue
		}
		if got := cmpDecimal(a, b); got != tt.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "1e", "1.2.3", "0x10", "--1", "1e99999999999999999"} {
		if _, ok := parseDecimal(bad); ok {
			t.Errorf("parseDecimal(%q) accepted", bad)
		}
	}
}
