package engine

// What a statement sends to kintone, told before or while it runs. Each scan of a kintone
// table is described as a Scan: the kintone query of its first request, the conditions that
// query holds and those only the driver checks. Options.OnScan hears of every scan that sends
// requests (the driver logs them); EXPLAIN KINTONE runs a query with scans that send nothing
// and lists them beside SQLite's own plan.

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// Scan is one scan of a table: what it sends to kintone and what it leaves to the driver.
type Scan struct {
	Table string // the table as the statement names it
	// Query is the kintone query of the scan's first request (condition, order, limit and
	// offset; later pages go on after the last Id read); "" when the scan sends none.
	Query string
	Sent  []Condition // the conditions Query holds; each is checked again on the rows received
	Local []Condition // the conditions only the driver checks
	// Limit and Offset are the LIMIT and OFFSET sent to kintone; -1 when none is.
	Limit, Offset int64
	// Whole: the statement scans the table repeatedly, so the table is read whole once and
	// the scans are served from memory, every condition checked there.
	Whole bool
	// Cursor: the scan reads through a records cursor (UseCursor=true) created with Query.
	Cursor bool
}

// Condition is a comparison SQLite hands a scan: Column Op Value.
type Condition struct {
	Column string
	Op     string // =, <>, <, <=, >, >=, IS, IS NOT, IS NULL, IS NOT NULL
	Value  any    // the value compared with; none for IS NULL and IS NOT NULL
}

// opText names the constraint operators the virtual tables use.
var opText = map[int]string{opEQ: "=", opNE: "<>", opLT: "<", opLE: "<=", opGT: ">", opGE: ">=",
	opIS: "IS", opISNOT: "IS NOT", opISNULL: "IS NULL", opISNOTNULL: "IS NOT NULL"}

// Text is the condition as SQL; without its value ("Stage =") when withValue is false, since
// values are record data.
func (c Condition) Text(withValue bool) string {
	text := schema.QuoteIdent(c.Column) + " " + c.Op
	if !withValue || c.Op == "IS NULL" || c.Op == "IS NOT NULL" {
		return text
	}
	return text + " " + schema.ShowValue(sqlValue(c.Value))
}

// joinConditions writes conditions joined by AND ("" for none).
func joinConditions(cs []Condition, withValues bool) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Text(withValues)
	}
	return strings.Join(parts, " AND ")
}

// Sends describes what the scan sends to kintone: its conditions, LIMIT and OFFSET ("" for
// nothing); with the values of the conditions only when withValues is set.
func (s Scan) Sends(withValues bool) string {
	parts := []string{}
	if c := joinConditions(s.Sent, withValues); c != "" {
		parts = append(parts, c)
	}
	if s.Limit >= 0 {
		parts = append(parts, "LIMIT "+strconv.FormatInt(s.Limit, 10))
	}
	if s.Offset > 0 {
		parts = append(parts, "OFFSET "+strconv.FormatInt(s.Offset, 10))
	}
	return strings.Join(parts, "; ")
}

// Summary is the scan in one line, for a log record; the kintone query and the values of the
// conditions, which are record data, only when withValues is set.
func (s Scan) Summary(withValues bool) string {
	var b strings.Builder
	b.WriteString(s.Table)
	switch {
	case s.Whole:
		b.WriteString(": scanned repeatedly by the statement, so read whole once; every condition is checked locally")
	case withValues:
		fmt.Fprintf(&b, ": kintone query %q", s.Query)
	default:
		if sent := s.Sends(false); sent != "" {
			b.WriteString(": sends " + sent)
		} else {
			b.WriteString(": sends no condition")
		}
	}
	if local := joinConditions(s.Local, withValues); local != "" && !s.Whole {
		b.WriteString("; checks locally only " + local)
	}
	if s.Cursor {
		b.WriteString("; " + throughCursor)
	}
	return b.String()
}

// scan describes a scan of v through p that sends push for the used constraints cons with
// their values args.
func (v *vtab) scan(cons [][3]int, args []any, push pushed, p *pager) Scan {
	s := Scan{Table: v.name, Limit: -1, Offset: -1}
	if q, size := p.request(); size > 0 {
		s.Query = q
	}
	if push.exact && p.limit >= 0 {
		s.Limit = p.limit
	}
	if push.exact && p.offset > 0 {
		s.Offset = p.offset + p.localSkip
	}
	s.Sent, s.Local = v.conditions(cons, args, push)
	return s
}

// throughCursor is how a scan read through a records cursor is described.
const throughCursor = "read through a records cursor"

// conditions are the used constraints cons with their values args: those push sends to
// kintone, and those only the driver checks.
func (v *vtab) conditions(cons [][3]int, args []any, push pushed) (sent, local []Condition) {
	for i, con := range cons {
		c := v.condition(con, args[i])
		if i < len(push.sent) && push.sent[i] {
			sent = append(sent, c)
		} else {
			local = append(local, c)
		}
	}
	return sent, local
}

// condition is the used constraint con with its value.
func (v *vtab) condition(con [3]int, value any) Condition {
	return Condition{Column: v.t.Columns[con[0]].Name, Op: opText[con[1]], Value: value}
}

// explained collects, while EXPLAIN KINTONE runs a query, the scans its Filter calls would
// have started, in order.
type explained struct {
	scans []explainedScan
}

// explainedScan is a scan of a table (folded name) with the plan SQLite chose for it (the
// idxStr BestIndex wrote).
type explainedScan struct {
	table, idxStr string
	scan          Scan
}

// explain records what a scan of v with the plan idxStr would send, without sending it.
func (v *vtab) explain(st *Stmt, idxStr string, cons [][3]int, args []any, push pushed, desc bool, limit, offset int64) {
	var s Scan
	if v.t.System != "" || v.t == commentsTable || userViewOf(v.t) != nil {
		s = Scan{Table: v.name, Limit: -1, Offset: -1}
		for i, con := range cons {
			s.Local = append(s.Local, v.condition(con, args[i]))
		}
	} else if v.wantsCursor(push, cons, limit, offset) {
		s = v.cursorScan(cons, args, push, cursorQuery(push, desc))
	} else {
		s = v.scan(cons, args, push, v.newPager(st.ctx, st, push, desc, limit, offset))
	}
	st.explain.scans = append(st.explain.scans, explainedScan{foldIdent(v.name), idxStr, s})
}

// ExplainTarget reports whether sql is EXPLAIN KINTONE followed by a statement, and returns
// that statement.
func ExplainTarget(sql string) (string, bool) {
	rest := sql
	for _, word := range []string{"explain", "kintone"} {
		rest = skipBlanks(rest)
		if len(rest) < len(word) || !strings.EqualFold(rest[:len(word)], word) ||
			(len(rest) > len(word) && isIdentPart(rest[len(word)])) {
			return "", false
		}
		rest = rest[len(word):]
	}
	return rest, true
}

// skipBlanks skips the white space and comments at the start of sql.
func skipBlanks(sql string) string {
	for {
		trimmed := strings.TrimLeft(sql, " \t\r\n\f")
		switch {
		case strings.HasPrefix(trimmed, "--"):
			if i := strings.IndexByte(trimmed, '\n'); i >= 0 {
				sql = trimmed[i+1:]
				continue
			}
			return ""
		case strings.HasPrefix(trimmed, "/*"):
			if i := strings.Index(trimmed[2:], "*/"); i >= 0 {
				sql = trimmed[i+4:]
				continue
			}
			return ""
		}
		return trimmed
	}
}

// ExplainColumns are the columns of EXPLAIN KINTONE's result.
var ExplainColumns = []Column{
	{Name: "id", DeclType: schema.TypeInteger, TypeCode: schema.CodeNumber},
	{Name: "parent", DeclType: schema.TypeInteger, TypeCode: schema.CodeNumber},
	{Name: "step", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
	{Name: "table_name", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
	{Name: "kintone_query", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
	{Name: "sent", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
	{Name: "local", DeclType: schema.TypeVarchar, TypeCode: schema.CodeString},
}

// maxExplainSteps bounds the rows an explained query is stepped through (a query of constants
// alone returns its rows even when no scan yields any).
const maxExplainSteps = 1000

// vtabStep is SQLite's plan step of a virtual table: SCAN name VIRTUAL TABLE INDEX n:idxStr.
var vtabStep = regexp.MustCompile(`^((?:SCAN|SEARCH) (.+?)) VIRTUAL TABLE INDEX -?\d+:(.*)$`)

// Explain answers EXPLAIN KINTONE for a query (SELECT, WITH … SELECT, VALUES): SQLite's plan,
// one row per step as EXPLAIN QUERY PLAN gives it, and for each scan of a kintone table what it
// sends to kintone and what it leaves to the driver. The query is run with scans that yield no
// rows and send no request for records (reading the tables' definitions is allowed), so a scan
// that runs for the rows of an enclosing step (the inner side of a join, a subquery evaluated
// when a row needs it) is described from SQLite's plan only: its conditions without values.
func (e *Engine) Explain(ctx context.Context, sql string, args []any) ([][]any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.begin(ctx, sql, [][]any{args})
	if err != nil {
		return nil, err
	}
	defer s.closeLocked()
	switch s.facts.firstWord {
	case "select", "with", "values":
	default:
		return nil, kerr.New(kerr.KindNotSupported, "EXPLAIN KINTONE explains queries (SELECT, WITH … SELECT or VALUES), not %s statements", strings.ToUpper(s.facts.firstWord))
	}
	if s.facts.write != nil {
		return nil, kerr.New(kerr.KindNotSupported, "EXPLAIN KINTONE explains queries, not statements that change data")
	}
	named, err := s.bind(args)
	if err != nil {
		return nil, err
	}
	steps, err := e.queryPlan(rewriteUpsert(sql), named)
	if err != nil {
		return nil, err
	}
	s.explain = &explained{}
	if err := e.runExplained(s, named); err != nil {
		return nil, err
	}
	return e.explainRows(s, steps)
}

// planStep is a row of EXPLAIN QUERY PLAN.
type planStep struct {
	id, parent int64
	detail     string
}

// queryPlan is SQLite's plan of sql.
func (e *Engine) queryPlan(sql string, named []driver.NamedValue) ([]planStep, error) {
	st, err := e.conn.Prepare("EXPLAIN QUERY PLAN " + sql)
	if err != nil {
		return nil, e.sqlError(err)
	}
	defer st.Close()
	r, err := st.(driver.StmtQueryContext).QueryContext(context.Background(), named)
	if err != nil {
		return nil, e.sqlError(err)
	}
	defer r.Close()
	var out []planStep
	v := make([]driver.Value, 4)
	for {
		if err := r.Next(v); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, e.sqlError(err)
		}
		id, _ := v[0].(int64)
		parent, _ := v[1].(int64)
		detail, _ := v[3].(string)
		out = append(out, planStep{id, parent, detail})
	}
}

// runExplained steps the statement with its scans recording what they would send.
func (e *Engine) runExplained(s *Stmt, named []driver.NamedValue) error {
	e.current = s
	defer func() { e.current = nil }()
	r, err := s.st.(driver.StmtQueryContext).QueryContext(context.Background(), named)
	if err != nil {
		return e.sqlError(err)
	}
	rows := r.(driver.Rows)
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	for i := 0; i < maxExplainSteps; i++ {
		if err := rows.Next(dest); err == io.EOF {
			return nil
		} else if err != nil {
			return e.sqlError(err)
		}
	}
	return nil
}

// explainRows joins SQLite's plan with the scans recorded. A plan step names a table by its
// alias when it has one.
func (e *Engine) explainRows(s *Stmt, steps []planStep) ([][]any, error) {
	aliases := map[string]string{} // folded alias -> folded table name
	for _, sc := range s.facts.scopes {
		for _, ref := range sc.from {
			if ref.kind == sourceTable && ref.alias != "" {
				aliases[ref.alias] = ref.name
			}
		}
	}
	var out [][]any
	for _, st := range steps {
		m := vtabStep.FindStringSubmatch(st.detail)
		if m == nil {
			out = append(out, []any{st.id, st.parent, st.detail, nil, nil, nil, nil})
			continue
		}
		label, idxStr := foldIdent(m[2]), m[3]
		if name, ok := aliases[label]; ok {
			label = name
		}
		t := e.declaredTable(label)
		if t == nil {
			out = append(out, []any{st.id, st.parent, m[1], nil, nil, nil, nil})
			continue
		}
		var scans []Scan
		for _, x := range s.explain.scans {
			if x.table == label && x.idxStr == idxStr {
				scans = append(scans, x.scan)
			}
		}
		if len(scans) == 0 {
			out = append(out, []any{st.id, st.parent, m[1] + " (runs once an enclosing step yields rows)", t.Name, nil,
				laterConditions(t, idxStr), nil})
			continue
		}
		shown := scans
		if len(scans) > e.opts.FilterCallsBeforeCache {
			shown = scans[:e.opts.FilterCallsBeforeCache]
		}
		step := m[1]
		if len(scans) > 1 {
			step = fmt.Sprintf("%s (%d scans)", m[1], len(scans))
		}
		for _, sc := range shown {
			sent := sc.Sends(true)
			if sc.Cursor {
				sent = strings.TrimPrefix(sent+"; "+throughCursor, "; ")
			}
			out = append(out, []any{st.id, st.parent, step, t.Name, nullIfEmpty(sc.Query),
				nullIfEmpty(sent), nullIfEmpty(joinConditions(sc.Local, true))})
		}
		if len(shown) < len(scans) {
			out = append(out, []any{st.id, st.parent, fmt.Sprintf("then %s is read whole once and the other %d scans are served from memory",
				t.Name, len(scans)-len(shown)), t.Name, nil, nil, nil})
		}
	}
	return out, nil
}

// laterConditions describes, from its plan, the conditions of a scan of t that EXPLAIN KINTONE
// did not reach (it runs for the rows of an enclosing step, which yielded none): their values
// are known when it runs, and each is sent to kintone when its value can be expressed there.
func laterConditions(t *schema.Table, idxStr string) any {
	var p plan
	if json.Unmarshal([]byte(idxStr), &p) != nil || len(p.Cons) == 0 {
		return nil
	}
	parts := make([]string, len(p.Cons))
	for i, con := range p.Cons {
		parts[i] = Condition{Column: t.Columns[con[0]].Name, Op: opText[con[1]]}.Text(false)
		if con[1] != opISNULL && con[1] != opISNOTNULL {
			parts[i] += " ?"
		}
	}
	return strings.Join(parts, " AND ") + " (each sent when its value, known as the scan runs, can be)"
}

// declaredTable is the table a (folded) virtual table name of the statement stands for, nil
// if none.
func (e *Engine) declaredTable(folded string) *schema.Table {
	base, _ := companionOf(folded)
	for _, t := range e.tables {
		if foldIdent(t.Name) == base {
			return t
		}
	}
	return nil
}
