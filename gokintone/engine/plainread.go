package engine

import (
	"database/sql/driver"

	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// Plain reads. A statement that only lists columns of one kintone table, SELECT * FROM t or
// SELECT a, t.b AS x FROM t [AS alias], with no WHERE, ORDER BY, LIMIT, DISTINCT, GROUP BY,
// join, subquery or expression, returns for each row of the table's scan the values its
// virtual table hands SQLite for those columns: SQLite applies no affinity to the values of a
// virtual table, and returns a result column that is a plain column reference as the value
// it read. For such a statement SQLite still prepares it and steps it to its first row (the
// column names and declared types, every error, the scan's Filter and its requests are
// SQLite's); the engine then reads the following rows from that scan itself, as SQLite would
// (cursor.Next, then the columns' values), without SQLite's VM and a cgo call per value. Any
// doubt about the shape, a second scan, or a table the engine computes itself takes SQLite's
// path.

// plainShape is the shape of a plain read, from the statement's text: the table as named in
// FROM, and the columns listed (nil for *).
type plainShape struct {
	table   string   // folded
	columns []string // folded names, in order; nil: every column (*)
}

// plainShapeOf returns the plain-read shape of a statement's tokens, or nil.
//
//	SELECT [ALL] { * | q.* | col [[AS] alias] {, col [[AS] alias]} } FROM table [[AS] alias]
//	col: [q.]name, q the table's name or alias
func plainShapeOf(toks []token) *plainShape {
	p := &parser{toks: toks}
	if !p.accept("select") {
		return nil
	}
	p.accept("all")
	type item struct{ qualifier, column string }
	var items []item
	star, n := false, 0
	for ; ; n++ {
		switch {
		case p.acceptOp("*"):
			star = true
		case isName(p.peek(0)) && p.peek(1).text == "." && p.peek(2).text == "*":
			items = append(items, item{qualifier: p.name()})
			p.pos += 2
			star = true
		default:
			q, c, ok := listedColumn(p)
			if !ok {
				return nil
			}
			items = append(items, item{q, c})
			if p.accept("as") {
				if !isName(p.peek(0)) && p.peek(0).kind != tokString {
					return nil
				}
				p.pos++
			} else if t := p.peek(0); isName(t) && !t.is("from") {
				p.pos++ // an alias without AS
			}
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if star && n > 0 {
		return nil // * with other columns
	}
	if !p.accept("from") || !isName(p.peek(0)) || p.peek(1).text == "." {
		return nil
	}
	s := &plainShape{table: p.name()}
	alias := s.table
	if p.accept("as") || isName(p.peek(0)) {
		if !isName(p.peek(0)) {
			return nil
		}
		alias = p.name()
	}
	if !p.atEnd() {
		return nil
	}
	for _, it := range items {
		if it.qualifier != "" && it.qualifier != alias {
			return nil
		}
		if !star {
			s.columns = append(s.columns, it.column)
		}
	}
	return s
}

// listedColumn reads [q.]name where name is an identifier that cannot be an expression of its
// own (a function call, a literal or a keyword such as CURRENT_DATE or NULL).
func listedColumn(p *parser) (qualifier, column string, ok bool) {
	if !plainName(p.peek(0)) {
		return "", "", false
	}
	if p.peek(1).text == "." {
		qualifier = p.name()
		p.pos++ // "."
		if !plainName(p.peek(0)) {
			return "", "", false
		}
	}
	column = p.name()
	if p.atOp("(") || p.atOp(".") {
		return "", "", false
	}
	return qualifier, column, true
}

// plainName reports whether t names a column: a quoted identifier, or a word that is not one
// of SQLite's keywords that mean something of their own where a column may stand.
func plainName(t token) bool {
	if t.kind == tokQuoted {
		return true
	}
	if t.kind != tokWord {
		return false
	}
	for _, kw := range []string{"select", "all", "distinct", "from", "as", "case", "cast", "not", "null",
		"exists", "raise", "true", "false", "current_date", "current_time", "current_timestamp"} {
		if t.is(kw) {
			return false
		}
	}
	return true
}

// plainRead reads a plain statement's rows after the first from its one scan.
type plainRead struct {
	cur     *cursor
	columns []int // the table's column of each result column
}

// plainRead returns how s reads its rows without SQLite, or nil when it must step SQLite: it
// is a plain read (facts.plain) whose one scan, of a kintone app's table, took no constraint.
func (s *Stmt) plainRead() *plainRead {
	shape, c := s.facts.plain, s.plainCursor
	if shape == nil || c == nil || s.plainFilters != 1 || s.explain != nil || c.vt.upsert || len(c.plan.Cons) > 0 {
		return nil
	}
	t := c.vt.t
	if t.AppID <= 0 || ownTable(t) || foldIdent(c.vt.name) != shape.table {
		return nil
	}
	var cols []int
	if shape.columns == nil {
		for i := range t.Columns {
			cols = append(cols, i)
		}
	}
	for _, name := range shape.columns {
		i := columnNamed(t, name)
		if i < 0 {
			return nil
		}
		cols = append(cols, i)
	}
	if len(cols) != len(s.cols) {
		return nil
	}
	return &plainRead{cur: c, columns: cols}
}

// columnNamed is the index of t's one column called name (folded), or -1.
func columnNamed(t *schema.Table, name string) int {
	found := -1
	for i := range t.Columns {
		if foldIdent(t.Columns[i].Name) == name {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// next reads the next row into s.pending, or marks the statement done, as SQLite's step would:
// the scan's next row, then the value of each result column.
func (r *plainRead) next(s *Stmt) error {
	s.e.current, s.e.facts = s, s.facts
	defer func() { s.e.current = nil }()
	c := r.cur
	if err := c.Next(); err != nil {
		s.e.vtErr = nil // returned here, not through SQLite
		return err
	}
	if c.EOF() {
		s.pending = nil
		s.done = true
		return nil
	}
	row := make([]driver.Value, len(r.columns))
	for j, i := range r.columns {
		v, err := c.row.value(c.vt.t, i)
		if err != nil {
			return err
		}
		row[j] = v
	}
	s.pending = row
	return nil
}
