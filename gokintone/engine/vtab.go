package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// module is the "kintone" SQLite module; its one argument is the key of a table declared by
// the engine.
type module struct{ e *Engine }

func (m *module) Create(c *sqlite3.SQLiteConn, args []string) (sqlite3.VTab, error) {
	return m.Connect(c, args)
}

func (m *module) Connect(c *sqlite3.SQLiteConn, args []string) (sqlite3.VTab, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("kintone tables are declared by the driver")
	}
	t, ok := m.e.tables[args[3]]
	if !ok {
		return nil, fmt.Errorf("kintone tables are declared by the driver")
	}
	if err := c.DeclareVTab(t.CreateSQL()); err != nil {
		return nil, err
	}
	aff := make([]schema.Affinity, len(t.Columns))
	for i := range t.Columns {
		aff[i] = t.Columns[i].Affinity()
	}
	return &vtab{e: m.e, t: t, name: args[2], upsert: m.e.upserts[args[3]], aff: aff}, nil
}

func (m *module) DestroyModule() {}

type vtab struct {
	e      *Engine
	t      *schema.Table
	name   string // the name SQL knows it by: t.Name, or a companion's such as "Deals#UPSERT"
	upsert bool   // the companion table T#UPSERT: inserts add or update (write.go)
	// aff is each column's affinity, which the re-check of every row reads.
	aff []schema.Affinity
}

func (v *vtab) Disconnect() error { return nil }
func (v *vtab) Destroy() error    { return nil }

func (v *vtab) Open() (sqlite3.VTabCursor, error) { return &cursor{vt: v}, nil }

// plan is what BestIndex decided, carried to Filter in idxStr.
type plan struct {
	Cons   [][3]int `json:"c"`           // used constraints: column, op, argv index
	Desc   bool     `json:"d,omitempty"` // ORDER BY Id DESC consumed
	Limit  int      `json:"l"`           // argv index of a consumed LIMIT, -1 if none
	Offset int      `json:"o"`           // argv index of a consumed OFFSET, -1 if none
}

// recheckable operators: Go re-evaluates them exactly, so SQLite may omit them.
func recheckable(op int) bool {
	switch op {
	case opEQ, opGT, opLE, opLT, opGE, opNE, opIS, opISNOT, opISNULL, opISNOTNULL:
		return true
	}
	return false
}

// BestIndex uses every constraint Go can re-check (SQLite omits used constraints), consumes
// ORDER BY on Id, and consumes LIMIT/OFFSET only where that is safe: every other constraint
// is used, the order is consumed or absent, and the statement has no IN list (SQLite would
// call Filter once per value) and no COLLATE (Go compares with BINARY only; with a COLLATE
// in the statement only the constraints no collation changes are used, see collationFree).
func (v *vtab) BestIndex(csts []sqlite3.InfoConstraint, obs []sqlite3.InfoOrderBy) (*sqlite3.IndexResult, error) {
	facts := v.e.facts
	res := &sqlite3.IndexResult{Used: make([]bool, len(csts))}
	allUsed := true
	limitIdx, offsetIdx := -1, -1
	idEq := false
	for i, c := range csts {
		op := int(c.Op)
		switch {
		case op == opLIMIT || op == opOFFSET:
			if !c.Usable {
				allUsed = false
			} else if op == opLIMIT {
				limitIdx = i
			} else {
				offsetIdx = i
			}
			continue
		case !c.Usable || !(recheckable(op) || v.likePushed(op, c.Column)) || c.Column < 0 || facts.nulText,
			facts.hasCollate && !collationFree(&v.t.Columns[c.Column], op),
			facts.mixedAffinity && comparesText(&v.t.Columns[c.Column], op):
			allUsed = false
			continue
		}
		res.Used[i] = true
		col := &v.t.Columns[c.Column]
		if op == opEQ && col.Role == "" && col.FieldCode == "$id" {
			idEq = true
		}
	}
	p := plan{Limit: -1, Offset: -1}
	orderOK := len(obs) == 0
	if len(obs) == 1 && obs[0].Column >= 0 && v.t.Subtable == "" && v.t.Columns[obs[0].Column].FieldCode == "$id" {
		res.AlreadyOrdered = true
		p.Desc = obs[0].Desc
		orderOK = true
	}
	if allUsed && orderOK && !facts.hasIN && !facts.hasCollate {
		if limitIdx >= 0 {
			res.Used[limitIdx] = true
		}
		if offsetIdx >= 0 {
			res.Used[offsetIdx] = true
		}
	}
	// go-sqlite3 numbers the used constraints' arguments in constraint order.
	argv := 0
	for i, used := range res.Used {
		if !used {
			continue
		}
		switch i {
		case limitIdx:
			p.Limit = argv
		case offsetIdx:
			p.Offset = argv
		default:
			p.Cons = append(p.Cons, [3]int{csts[i].Column, int(csts[i].Op), argv})
		}
		argv++
	}
	b, _ := json.Marshal(p)
	res.IdxStr = string(b)
	switch {
	case idEq:
		res.EstimatedCost, res.EstimatedRows = 10, 1
	case len(p.Cons) > 0:
		res.EstimatedCost, res.EstimatedRows = 10_000, 1_000
	default:
		res.EstimatedCost, res.EstimatedRows = 1_000_000, 100_000
	}
	if v.t == commentsTable {
		commentsCost(res, csts)
	}
	if u := userViewOf(v.t); u != nil {
		u.cost(res, csts)
	}
	return res, nil
}

// collationFree reports whether "col op value" is the same under every collating sequence, so
// that Go's re-check (BINARY) is exact in a statement with a COLLATE, which BestIndex cannot
// tie to its constraints: IS [NOT] NULL, and any comparison of a column of numbers (ids,
// NUMBER fields), while a collation orders text only. A value kintone sent that such a column
// keeps as text (see schema.Column.FromText) fails the statement in the re-check instead
// (cursor.matches).
func collationFree(col *schema.Column, op int) bool {
	if op == opISNULL || op == opISNOTNULL {
		return true
	}
	switch col.DeclType {
	case schema.TypeRowID, schema.TypeInteger, schema.TypeDecimal, schema.TypeDouble:
		return recheckable(op)
	}
	return false
}

// comparesText reports whether op compares a TEXT column with a value. Its result depends on
// the other operand's affinity, which the table cannot see (see sqlFacts.mixedAffinity).
func comparesText(col *schema.Column, op int) bool {
	return col.Affinity() == schema.AffText && op != opISNULL && op != opISNOTNULL
}

// cursor scans one table for one Filter call at a time.
type cursor struct {
	vt   *vtab
	plan plan
	args []any
	src  rowSource
	row  *row
	eof  bool
	skip int64 // OFFSET still to apply in Go
	left int64 // LIMIT still to apply in Go, -1 for none
	seen int   // rows looked at, for the cancellation check
	// collated: the statement has a COLLATE, so its constraints are on columns of numbers or
	// IS [NOT] NULL only (collationFree), and a text value in such a column cannot be compared.
	collated bool
}

// rowSource yields the rows of the table.
type rowSource interface {
	next() (*row, error) // nil at the end
	close()
}

func (c *cursor) Filter(_ int, idxStr string, vals []any) error {
	e := c.vt.e
	if c.src != nil {
		c.src.close()
		c.src = nil
	}
	c.plan = plan{Limit: -1, Offset: -1}
	if err := json.Unmarshal([]byte(idxStr), &c.plan); err != nil {
		return c.fail(kerr.New(kerr.KindInternal, "bad scan plan %q", idxStr))
	}
	// A consumed LIMIT/OFFSET applies to each Filter call on its own. SQLite offers them only
	// for a (sub)query whose one FROM item is this table, with every constraint used and no IN
	// list answered by repeated Filter calls (where.c retries the plan without them
	// otherwise), so each Filter call is one whole evaluation of that (sub)query: a correlated
	// subquery or EXISTS (implicit LIMIT 1) runs it again per outer row with new arguments.
	c.args = make([]any, len(c.plan.Cons))
	for i, con := range c.plan.Cons {
		c.args[i] = vals[con[2]]
	}
	limit, offset := int64(-1), int64(0)
	if c.plan.Limit >= 0 {
		limit = toInt(vals[c.plan.Limit])
	}
	if c.plan.Offset >= 0 {
		offset = toInt(vals[c.plan.Offset])
		if offset < 0 {
			offset = 0
		}
	}
	st := e.current
	ctx := context.Background()
	if st != nil {
		ctx = st.ctx
	}
	c.collated = st != nil && st.facts.hasCollate
	push := c.vt.pushdown(c.plan, c.args)
	if st != nil && st.explain != nil {
		c.vt.explain(st, idxStr, c.plan.Cons, c.args, push, c.plan.Desc, limit, offset)
		c.src, c.eof = &sliceSource{}, true
		return nil
	}
	if st != nil && st.facts.plain != nil {
		st.plainCursor = c
		st.plainFilters++
	}
	src, remote, err := c.vt.source(ctx, st, push, c.plan.Desc, limit, offset, c.plan.Cons, c.args)
	if err != nil {
		return c.fail(err)
	}
	c.src = src
	if remote {
		c.skip, c.left = 0, -1 // kintone applied them
	} else {
		c.skip, c.left = offset, limit
	}
	c.eof = false
	return c.Next()
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func (c *cursor) fail(err error) error {
	c.vt.e.vtErr = err
	return err
}

// Next moves to the next row that satisfies every used constraint.
func (c *cursor) Next() error {
	if c.left == 0 {
		c.eof = true
		return nil
	}
	for {
		// A statement may spend long in memory (a cached table scanned per outer row): every
		// 1,024 rows it checks whether it was cancelled, so that StmtCancel stops it too.
		if c.seen++; c.seen&1023 == 0 {
			if st := c.vt.e.current; st != nil && st.ctx.Err() != nil {
				return c.fail(kerr.Wrap(st.ctx.Err(), kerr.KindInterrupted, "the statement was stopped: %v", st.ctx.Err()))
			}
		}
		row, err := c.src.next()
		if err != nil {
			return c.fail(err)
		}
		if row == nil {
			c.eof = true
			return nil
		}
		if ok, err := c.matches(row); err != nil {
			return c.fail(err)
		} else if !ok {
			continue
		}
		if c.skip > 0 {
			c.skip--
			continue
		}
		if c.left > 0 {
			c.left--
		}
		c.row = row
		return nil
	}
}

// matches re-checks the used constraints exactly; it converts only the constrained columns.
func (c *cursor) matches(r *row) (bool, error) {
	return c.vt.matchesAll(c.plan.Cons, c.args, r, c.collated)
}

// matchesAll reports whether row r satisfies every constraint of cons (column, op, and the
// argument in args), compared exactly as SQLite compares. collated tells that the statement
// has a COLLATE (see cursor.collated).
func (vt *vtab) matchesAll(cons [][3]int, args []any, r *row, collated bool) (bool, error) {
	t := vt.t
	for i, con := range cons {
		v, err := r.value(t, con[0])
		if err != nil {
			return false, err
		}
		if _, text := v.(string); text && collated && con[1] != opISNULL && con[1] != opISNOTNULL {
			return false, kerr.New(kerr.KindBadValue,
				"kintone sent a value the driver cannot compare: %s: field %q has the value %q, which is not a number; in a statement with COLLATE the driver compares the values of this column as numbers only; compare it without COLLATE",
				r.where(t), t.Columns[con[0]].FieldCode, v)
		}
		if !holds(con[1], v, args[i], vt.aff[con[0]]) {
			return false, nil
		}
	}
	return true, nil
}

func (c *cursor) EOF() bool { return c.eof }

// Column converts the column's value of the current row on first use (see row).
func (c *cursor) Column(ctx *sqlite3.SQLiteContext, i int) error {
	v, err := c.row.value(c.vt.t, i)
	if err != nil {
		return c.fail(err)
	}
	resultValue(ctx, v)
	return nil
}

// resultValue hands v to SQLite as the value of a column.
func resultValue(ctx *sqlite3.SQLiteContext, v any) {
	switch v := v.(type) {
	case nil:
		ctx.ResultNull()
	case int64:
		ctx.ResultInt64(v)
	case float64:
		ctx.ResultDouble(v)
	case string:
		if v == "" {
			v = emptyText
		}
		ctx.ResultText(v)
	case []byte:
		if len(v) == 0 {
			ctx.ResultZeroblob(0)
			break
		}
		ctx.ResultBlob(v)
	default:
		ctx.ResultText(fmt.Sprint(v))
	}
}

// emptyText is "" with a non-nil data pointer. go-sqlite3's ResultText passes the string's
// pointer to sqlite3_result_text, and SQLite makes NULL of a NULL pointer: a Go "" usually
// has none, so ResultText("") would give NULL, not empty text. (ResultBlob of an empty slice
// likewise gives NULL; ResultZeroblob(0) is the empty blob.)
var emptyText = unsafe.String(&emptyTextByte[0], 0)

var emptyTextByte [1]byte

// Rowid is the record's (or subtable row's) id; an id that is not an integer is an error
// here, see row.rowid.
func (c *cursor) Rowid() (int64, error) {
	id, err := c.row.rowid(c.vt.t)
	if err != nil {
		return 0, c.fail(err)
	}
	if st := c.vt.e.current; st != nil && st.facts.write != nil {
		st.noteRead(c.vt.t, id, c.row) // an UPDATE or DELETE asks for the rows it changes
	}
	return id, nil
}

func (c *cursor) Close() error {
	if c.src != nil {
		c.src.close()
		c.src = nil
	}
	return nil
}

// kqueryOrder is the order every scan asks kintone for: by $id, ascending unless ORDER BY Id
// DESC was consumed, so that rows come in Id order and seek paging works.
func kqueryOrder(desc bool) []kquery.OrderItem {
	return []kquery.OrderItem{{Field: "$id", Desc: desc}}
}
