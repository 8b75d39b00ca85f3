package engine

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// These tests ask SQLite itself how it compares values, and check the Go re-check (holds and
// the conversions under it) against every answer.
//
// The oracle is a virtual table ("oracle" module) with fixed rows. A vtab rather than an
// ordinary table, because SQLite applies a column's affinity to what is stored in an ordinary
// table (a DECIMAL column could never hold REAL 100000.0 or TEXT ' 12'), while a vtab column
// holds whatever xColumn returns, exactly like a kintone table: the declared type only sets
// the affinity used in comparisons. Its cursor hands values to SQLite the way cursor.Column
// does.
//
//   - Table "plain" uses no constraint, so SQLite evaluates every WHERE term itself: the answer.
//   - Table "probe" takes every usable constraint, as the driver does, and records the operator
//     and the argument Filter receives (go-sqlite3's conversion included: NULL arrives as
//     []byte(nil)); holds is then called with exactly those.

// oracleDecls are the declared types of the oracle's columns: those the driver declares
// (schema.go), then plain affinities holding raw values of every storage class.
var oracleDecls = []string{
	schema.TypeVarchar, schema.TypeDecimal, schema.TypeDouble, schema.TypeInteger,
	schema.TypeDate, schema.TypeTime, schema.TypeDatetime,
	"TEXT", "NUMERIC", "REAL", "INT", "BLOB",
}

const firstRawColumn = 7 // oracleDecls[7:] hold edgeValues unchanged

type probeCall struct {
	cons [][2]int // column, op of each constraint, in argv order
	args []any
}

type oracleModule struct {
	rows  [][]any
	mu    sync.Mutex
	calls []probeCall
}

// oracleCurrent is the module the next connection of driver "sqlite3_compare_oracle" gets.
var (
	oracleCurrent  *oracleModule
	oracleRegister sync.Once
)

func (m *oracleModule) Create(c *sqlite3.SQLiteConn, args []string) (sqlite3.VTab, error) {
	return m.Connect(c, args)
}

func (m *oracleModule) Connect(c *sqlite3.SQLiteConn, args []string) (sqlite3.VTab, error) {
	cols := make([]string, len(oracleDecls))
	for i, d := range oracleDecls {
		cols[i] = fmt.Sprintf("c%d %s", i, d)
	}
	if err := c.DeclareVTab("CREATE TABLE x(" + strings.Join(cols, ", ") + ")"); err != nil {
		return nil, err
	}
	return &oracleVTab{m: m, probe: len(args) > 3 && args[3] == "probe"}, nil
}

func (m *oracleModule) DestroyModule() {}

type oracleVTab struct {
	m     *oracleModule
	probe bool
}

func (v *oracleVTab) BestIndex(csts []sqlite3.InfoConstraint, _ []sqlite3.InfoOrderBy) (*sqlite3.IndexResult, error) {
	res := &sqlite3.IndexResult{Used: make([]bool, len(csts)), EstimatedCost: 1e6, EstimatedRows: 1e5}
	if !v.probe {
		return res, nil
	}
	var cons [][2]int
	for i, c := range csts {
		if c.Usable && c.Column >= 0 {
			res.Used[i] = true
			cons = append(cons, [2]int{c.Column, int(c.Op)})
		}
	}
	b, _ := json.Marshal(cons)
	res.IdxStr = string(b)
	res.EstimatedCost, res.EstimatedRows = 1, 1
	return res, nil
}

func (v *oracleVTab) Disconnect() error { return nil }
func (v *oracleVTab) Destroy() error    { return nil }
func (v *oracleVTab) Open() (sqlite3.VTabCursor, error) {
	return &oracleCursor{vt: v}, nil
}

type oracleCursor struct {
	vt *oracleVTab
	i  int
}

func (c *oracleCursor) Filter(_ int, idxStr string, vals []any) error {
	c.i = 0
	if c.vt.probe {
		var cons [][2]int
		if err := json.Unmarshal([]byte(idxStr), &cons); err != nil {
			return err
		}
		c.vt.m.mu.Lock()
		c.vt.m.calls = append(c.vt.m.calls, probeCall{cons: cons, args: vals})
		c.vt.m.mu.Unlock()
		c.i = len(c.vt.m.rows) // the probe returns no row
	}
	return nil
}

func (c *oracleCursor) Next() error  { c.i++; return nil }
func (c *oracleCursor) EOF() bool    { return c.i >= len(c.vt.m.rows) }
func (c *oracleCursor) Close() error { return nil }

func (c *oracleCursor) Rowid() (int64, error) { return int64(c.i), nil }

// Column is cursor.Column (vtab.go) over the test's rows.
func (c *oracleCursor) Column(ctx *sqlite3.SQLiteContext, i int) error {
	resultValue(ctx, c.vt.m.rows[c.i][i])
	return nil
}

// openOracle opens an in-memory database with tables "plain" and "probe" over rows.
func openOracle(t *testing.T, rows [][]any) (*sql.DB, *oracleModule) {
	t.Helper()
	oracleRegister.Do(func() {
		sql.Register("sqlite3_compare_oracle", &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			return c.CreateModule("oracle", oracleCurrent)
		}})
	})
	m := &oracleModule{rows: rows}
	oracleCurrent = m
	db, err := sql.Open("sqlite3_compare_oracle", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: the in-memory database and its tables
	t.Cleanup(func() { db.Close() })
	for _, s := range []string{"CREATE VIRTUAL TABLE plain USING oracle(plain)", "CREATE VIRTUAL TABLE probe USING oracle(probe)"} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return db, m
}

func openPlain(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func pow2(n uint) float64 { return math.Ldexp(1, int(n)) }

// edgeValues are values of every storage class near the edges of SQLite's conversions.
func edgeValues() []any {
	vs := []any{nil}
	for _, i := range []int64{0, 1, -1, 2, 5, -5, 7, 10, 12, -12, 99, 100, 255, 1000, 100000, 123456789,
		1<<31 - 1, 1 << 31, 1<<51 - 1, 1 << 51, -(1 << 51), 1 << 52, 1<<53 - 1, 1 << 53, 1<<53 + 1,
		-(1 << 53), -(1<<53 + 1), 999999999999999, 1000000000000000, 10000000000000000,
		123456789012345, 1234567890123456789, 1000000000000000000, 1 << 62,
		math.MaxInt64 - 1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 9223372036854774784,
		9223372036854775000, -9223372036854775000} {
		vs = append(vs, i)
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 0.1, -0.1, 0.5, 1, -1, 1.5, -1.5, 2.5, 5, 12,
		12.5, 100, 1e5, 99999999999999.99, 999999999999999.9, 1e15, -1e15, 1e16, 1e17, 1e20, -1e20,
		1e21, 1e-4, 1e-5, 1.5e-7, 0.30000000000000004, 1.0 / 3, 2.0 / 3, 123456789012345.6,
		1234567890123456.7, 0.000099999999999999995, 1e-300, 1e300, 1e308, -1e308,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
		pow2(53), pow2(53) + 2, pow2(63), -pow2(63), pow2(64), 9223372036854774784,
		9.2233720368547748e18, 9.223372036854775e18, 1 << 51, 4503599627370495.5,
		math.Inf(1), math.Inf(-1), math.NaN()} {
		vs = append(vs, f)
	}
	for _, s := range []string{"", " ", "0", "1", "5", "12", " 12", "12 ", " 12 ", "\t12\n", "\v12\f",
		"\r12", "\u00a012", "+5", "-5", "+0", "-0", "-0.0", "007", "0012.50", ".5", "5.", "-.5",
		"+.5", ".", "-", "+", "1e5", "1E5", "1e+5", "1e-5", "1e", "1e+", "e5", "1.5e", "1.0e+15",
		"1e15", "1000000000000000", "1e20", "1.0e+20", "100000000000000000000", "1.0", "12.0",
		"12.00", "12.5", "0x10", "0X1F", "1_000", "1,000", "1 2", "12abc", "abc12", "inf", "Inf",
		"-inf", "+Inf", "infinity", "nan", "NaN", "abc", "ABC", "a", "A", "Z", "z", "~", "é", "日本語",
		"😀", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551616", "9007199254740993", "9007199254740992",
		"2251799813685248", "2251799813685247", "1e999", "-1e999", "1e-400", "1e-320",
		"123456789012345.6", "0.1", "0.10", "00.1", "0.30000000000000004", "1.7976931348623157e308",
		"1.7976931348623159e308", "4.9e-324", "2024-01-02", "12:30:00", "12:30",
		"2024-01-02T03:04:05Z", "2024-01-02T03:04:05+09:00", "true", "null", `["a","b"]`,
		"1\x00", "\x00"} {
		vs = append(vs, s)
	}
	for _, b := range [][]byte{{}, []byte("12"), []byte("abc"), {0}, {0xff}, []byte("1e5")} {
		vs = append(vs, b)
	}
	return vs
}

// kintoneText is the text form a value would have in kintone.
func kintoneText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case []byte:
		return string(x)
	}
	panic(v)
}

// oracleRows builds one row per edge value: the driver's columns hold what Column.FromText
// makes of its text form, the raw columns hold the value itself.
func oracleRows(t *testing.T) [][]any {
	var rows [][]any
	for _, v := range edgeValues() {
		row := make([]any, len(oracleDecls))
		for i, d := range oracleDecls {
			if i >= firstRawColumn {
				row[i] = v
				continue
			}
			col := schema.Column{DeclType: d}
			x, err := col.FromText(kintoneText(v))
			if err != nil {
				t.Fatal(err)
			}
			row[i] = x
		}
		rows = append(rows, row)
	}
	return rows
}

// sqlLiteral writes v as an SQL literal; ok is false when it has none.
func sqlLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "NULL", true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		switch {
		case math.IsNaN(x):
			return "", false
		case math.IsInf(x, 1):
			return "1e999", true
		case math.IsInf(x, -1):
			return "-1e999", true
		}
		s := strconv.FormatFloat(x, 'e', -1, 64) // always a REAL literal
		return s, true
	case string:
		if strings.ContainsRune(x, 0) {
			return "", false
		}
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", true
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'", true
	}
	return "", false
}

type sqlOp struct {
	sql  string // the operator, or the whole test for IS [NOT] NULL
	code int    // what xBestIndex reports
}

var sqlOps = []sqlOp{
	{"=", opEQ}, {"<>", opNE}, {"<", opLT}, {"<=", opLE}, {">", opGT}, {">=", opGE},
	{"IS", opIS}, {"IS NOT", opISNOT}, {"IS NULL", opISNULL}, {"IS NOT NULL", opISNOTNULL},
}

func (o sqlOp) unary() bool { return o.code == opISNULL || o.code == opISNOTNULL }

// checkHolds compares, for every row of the oracle and every operator, SQLite's answer to
// "c<col> op arg" with holds. The argument is bound as a parameter (param) or written as a
// literal. It returns the number of disagreements.
var checked, skipped int // conditions re-checked, conditions SQLite never passed to the table

func checkHolds(t *testing.T, db *sql.DB, m *oracleModule, col int, arg any, param bool, report func(string)) int {
	t.Helper()
	rhs, args := "?", []any{arg}
	if !param {
		lit, ok := sqlLiteral(arg)
		if !ok {
			return 0
		}
		rhs, args = lit, nil
	}
	aff := schema.AffinityOf(oracleDecls[col])
	bad := 0
	for _, op := range sqlOps {
		cond := fmt.Sprintf("c%d %s %s", col, op.sql, rhs)
		qargs := args
		if op.unary() {
			cond, qargs = fmt.Sprintf("c%d %s", col, op.sql), nil
			if arg != nil || !param {
				continue // once per column is enough
			}
		}
		// What the driver's Filter would receive.
		m.calls = nil
		if _, err := queryAll(db, "SELECT rowid FROM probe WHERE "+cond, qargs...); err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		if len(m.calls) != 1 || len(m.calls[0].cons) != 1 {
			// SQLite decided without asking the table (e.g. "c = NULL"): nothing to re-check.
			skipped++
			continue
		}
		checked++
		call := m.calls[0]
		if call.cons[0][0] != col || call.cons[0][1] != op.code && !(op.code == opIS && call.cons[0][1] == opISNULL) && !(op.code == opISNOT && call.cons[0][1] == opISNOTNULL) {
			t.Errorf("%s reached xBestIndex as column %d op %d", cond, call.cons[0][0], call.cons[0][1])
			continue
		}
		var got any
		if len(call.args) == 1 {
			got = call.args[0]
		}
		// SQLite's answer.
		res, err := queryAll(db, "SELECT rowid FROM plain WHERE "+cond, qargs...)
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		want := map[int64]bool{}
		for _, r := range res {
			want[r[0].(int64)] = true
		}
		for i, row := range m.rows {
			if h := holds(call.cons[0][1], row[col], got, aff); h != want[int64(i)] {
				bad++
				report(fmt.Sprintf("%-12s %-40s value %s: SQLite %v, holds %v (op %d, arg %s)",
					oracleDecls[col], cond, show(row[col]), want[int64(i)], h, call.cons[0][1], show(got)))
			}
		}
	}
	return bad
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return "int " + strconv.FormatInt(x, 10)
	case float64:
		return "real " + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "text " + strconv.Quote(x)
	case []byte:
		if x == nil {
			return "[]byte(nil)"
		}
		return "blob X'" + hex.EncodeToString(x) + "'"
	}
	return fmt.Sprintf("%T %v", v, v)
}

func queryAll(db *sql.DB, q string, args ...any) ([][]any, error) {
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// reporter logs the first disagreements of a test, then only counts them.
func reporter(t *testing.T) func(string) {
	n := 0
	return func(s string) {
		n++
		if n <= 60 {
			t.Error(s)
		}
	}
}

// TestHoldsMatchesSQLite re-checks every operator on every edge value of every column type
// against SQLite, with every edge value as the argument, bound and (without -short) written
// as a literal.
func TestHoldsMatchesSQLite(t *testing.T) {
	db, m := openOracle(t, oracleRows(t))
	checked, skipped = 0, 0
	report := reporter(t)
	bad := 0
	for col := range oracleDecls {
		for _, arg := range edgeValues() {
			if s, ok := arg.(string); ok && strings.ContainsRune(s, 0) {
				continue // go-sqlite3 cuts a text argument at NUL before Filter sees it
			}
			bad += checkHolds(t, db, m, col, arg, true, report)
			if !testing.Short() {
				bad += checkHolds(t, db, m, col, arg, false, report)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d disagreements with SQLite", bad)
	}
	t.Logf("%d conditions re-checked on %d rows, %d decided by SQLite without the table", checked, len(m.rows), skipped)
}

// randomNumericText returns text that looks (or nearly looks) like a number.
func randomNumericText(r *rand.Rand) string {
	var b strings.Builder
	if r.Intn(8) == 0 {
		b.WriteString([]string{" ", "\t", "\n", "  "}[r.Intn(4)])
	}
	switch r.Intn(4) {
	case 0:
		b.WriteByte('-')
	case 1:
		b.WriteByte('+')
	}
	digits := func(n int) {
		for i := 0; i < n; i++ {
			if i == 0 && r.Intn(3) == 0 {
				b.WriteByte('9')
			} else {
				b.WriteByte(byte('0' + r.Intn(10)))
			}
		}
	}
	digits(r.Intn(22))
	if r.Intn(2) == 0 {
		b.WriteByte('.')
		digits(r.Intn(22))
	}
	if r.Intn(3) == 0 {
		b.WriteByte("eE"[r.Intn(2)])
		switch r.Intn(3) {
		case 0:
			b.WriteByte('-')
		case 1:
			b.WriteByte('+')
		}
		e := r.Intn(330)
		if r.Intn(20) == 0 {
			e = r.Intn(100000)
		}
		b.WriteString(strconv.Itoa(e))
	}
	if r.Intn(8) == 0 {
		b.WriteString([]string{" ", "x", "\n", "e", "."}[r.Intn(5)])
	}
	return b.String()
}

// randomFloat returns floats of every kind: random bit patterns, short decimals, integers
// near powers of two and ten, and values halfway between 15-digit decimals.
func randomFloat(r *rand.Rand) float64 {
	switch r.Intn(5) {
	case 0:
		return math.Float64frombits(r.Uint64())
	case 1:
		f, _ := strconv.ParseFloat(fmt.Sprintf("%de%d", r.Int63n(1_000_000), r.Intn(60)-30), 64)
		return f
	case 2:
		return float64(r.Int63()>>uint(r.Intn(63))) * float64(1-2*r.Intn(2))
	case 3:
		// dddddddddddddd5 × 10^e: the 16th digit sits on a rounding boundary.
		f, _ := strconv.ParseFloat(fmt.Sprintf("%d5e%d", 100000000000000+r.Int63n(900000000000000), r.Intn(80)-40), 64)
		return f
	}
	return math.Ldexp(r.Float64(), r.Intn(2100)-1075)
}

// TestFormatRealMatchesSQLite checks formatReal against SQLite's REAL to TEXT conversion.
func TestFormatRealMatchesSQLite(t *testing.T) {
	db := openPlain(t)
	stmt, err := db.Prepare("SELECT CAST(? AS TEXT)")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	var in []float64
	for _, v := range edgeValues() {
		if f, ok := v.(float64); ok {
			in = append(in, f)
		}
		if i, ok := v.(int64); ok {
			in = append(in, float64(i))
		}
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 100000; i++ {
		in = append(in, randomFloat(r))
	}
	report := reporter(t)
	bad := 0
	for _, f := range in {
		if math.IsNaN(f) {
			continue // bound as NULL: SQLite has no NaN
		}
		var want string
		if err := stmt.QueryRow(f).Scan(&want); err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if got := formatReal(f); got != want {
			bad++
			report(fmt.Sprintf("formatReal(%s) = %q, SQLite %q", strconv.FormatFloat(f, 'g', -1, 64), got, want))
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d floats rendered differently", bad, len(in))
	}
}

// TestTextToNumericMatchesSQLite checks textToNumeric against what SQLite stores for text in
// NUMERIC, INTEGER and REAL columns.
func TestTextToNumericMatchesSQLite(t *testing.T) {
	db := openPlain(t)
	if _, err := db.Exec("CREATE TABLE aff(k INTEGER PRIMARY KEY, n NUMERIC, i INTEGER, r REAL)"); err != nil {
		t.Fatal(err)
	}
	var in []string
	for _, v := range edgeValues() {
		if s := kintoneText(v); s != "" && !strings.ContainsRune(s, 0) {
			in = append(in, s)
		}
	}
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 30000; i++ {
		in = append(in, randomNumericText(r))
	}
	for i := 0; i < 20000; i++ {
		f := randomFloat(r)
		in = append(in, strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'e', r.Intn(25), 64),
			strconv.FormatFloat(f, 'f', -1, 64))
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range in {
		if _, err := tx.Exec("INSERT INTO aff VALUES (?1, ?2, ?2, ?2)", k, s); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	stored, err := queryAll(db, "SELECT n, i, r FROM aff ORDER BY k")
	if err != nil || len(stored) != len(in) {
		t.Fatalf("%d rows, %v", len(stored), err)
	}
	report := reporter(t)
	bad := 0
	for k, s := range in {
		for j, c := range []struct {
			real bool
			name string
		}{{false, "NUMERIC"}, {false, "INTEGER"}, {true, "REAL"}} {
			want := stored[k][j]
			if w, isBytes := want.([]byte); isBytes {
				want = string(w)
			}
			got, ok := textToNumeric(s, c.real)
			if !ok {
				got = s
			}
			if !sameValue(got, want) {
				bad++
				report(fmt.Sprintf("%s %q: textToNumeric %s, SQLite stores %s", c.name, s, show(got), show(want)))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d conversions differ", bad)
	}
}

// TestHoldsNumericTextMatchesSQLite compares numeric columns with random text that looks like
// numbers (the conversion SQLite applies to such text when comparing).
func TestHoldsNumericTextMatchesSQLite(t *testing.T) {
	db, m := openOracle(t, oracleRows(t))
	checked, skipped = 0, 0
	r := rand.New(rand.NewSource(3))
	report := reporter(t)
	bad := 0
	n := 400
	if testing.Short() {
		n = 60
	}
	for i := 0; i < n; i++ {
		s := randomNumericText(r)
		if i%4 == 0 {
			s = strconv.FormatFloat(randomFloat(r), 'g', 17, 64)
		}
		for _, col := range []int{1, 2, 3, 8, 9, 10} {
			bad += checkHolds(t, db, m, col, s, true, report)
		}
	}
	if bad > 0 {
		t.Errorf("%d disagreements with SQLite", bad)
	}
	t.Logf("%d conditions re-checked on %d rows, %d decided by SQLite without the table", checked, len(m.rows), skipped)
}
