package engine

// writeFacts describe an INSERT, REPLACE, UPDATE or DELETE (sqlFacts.kind tells which), as
// parseStatement reads them. A statement outside the parse's grammar has none: kind
// stmtOther says that it may do anything.
type writeFacts struct {
	target tableRef // the table written, with the alias AS gives it
	// scope is the statement's own level: the target is its first FROM item (an UPDATE's FROM
	// items follow), and its WHERE, SET, RETURNING and UPSERT clauses are read there.
	scope *scope
	with  bool // common table expressions precede the statement
	// conflict is the OR clause's algorithm, folded: "replace" (REPLACE INTO too), "ignore",
	// "abort", "fail" or "rollback"; "" without one.
	conflict  string
	returning *returningClause // nil without RETURNING

	// INSERT. columns is the column list, folded, in order; nil without one (every column, in
	// the table's order).
	columns []string
	source  insertSource
	rows    int // the rows of a VALUES source; 1 for DEFAULT VALUES
	upserts []upsertClause

	// UPDATE: the columns SET assigns, folded, in order ("(a, b) = …" assigns a and b).
	set []string
}

// insertSource is where an INSERT's rows come from.
type insertSource int

const (
	insertValues  insertSource = iota // VALUES (…), (…): writeFacts.rows rows
	insertSelect                      // a query: SELECT, or VALUES in a compound or with ORDER BY or LIMIT
	insertDefault                     // DEFAULT VALUES: one row of defaults
)

// upsertClause is one ON CONFLICT clause of an INSERT.
type upsertClause struct {
	// target are the conflict target's columns, folded, in order; nil when the clause has no
	// target, or when targetExpr.
	target      []string
	targetExpr  bool // the target holds an expression (a COLLATE too), not only column names
	targetWhere bool // the target has a WHERE (a partial index)
	doNothing   bool
	set         []string // the columns DO UPDATE SET assigns, folded, in order
	updateWhere bool     // DO UPDATE … WHERE: only the conflicting rows it keeps are updated
}

// returningClause is a write's RETURNING clause.
type returningClause struct {
	star bool // an item is *
	// columns are the columns returned, folded, when every item is a column name (qualified
	// or not, aliased or not); nil otherwise.
	columns []string
}

// updatesOnConflict reports whether an UPSERT of the statement may update existing rows.
func (w *writeFacts) updatesOnConflict() bool {
	for _, u := range w.upserts {
		if !u.doNothing {
			return true
		}
	}
	return false
}

// insert reads (INSERT [OR algorithm] | REPLACE) INTO [schema.]table [AS alias] [(columns)]
// (DEFAULT VALUES | query) upsert* [RETURNING …].
func (p *parser) insert() *writeFacts {
	w := &writeFacts{}
	if p.accept("replace") {
		w.conflict = "replace"
	} else {
		p.expect("insert")
		w.conflict = p.orConflict()
	}
	p.expect("into")
	s := p.target(w)
	s.refs["excluded"] = tableRef{name: w.target.name, alias: "excluded", kind: sourceExcluded}
	if p.acceptOp("(") {
		w.columns = p.nameList()
		p.expectOp(")")
	}
	if p.accept("default") {
		p.expect("values")
		w.source, w.rows = insertDefault, 1
	} else if cores := p.query(nil); len(cores) == 1 && cores[0].rows > 0 && !cores[0].orderBy && !cores[0].limit {
		// The query cannot read the target's row: no parent scope.
		w.source, w.rows = insertValues, cores[0].rows
	} else {
		w.source = insertSelect
	}
	for p.at("on") {
		w.upserts = append(w.upserts, p.upsert(s))
	}
	w.returning = p.returning(s)
	return w
}

// update reads UPDATE [OR algorithm] [schema.]table [AS alias] [INDEXED BY i | NOT INDEXED]
// SET … [FROM …] [WHERE …] [RETURNING …] [ORDER BY …] [LIMIT …].
func (p *parser) update() *writeFacts {
	w := &writeFacts{}
	p.expect("update")
	w.conflict = p.orConflict()
	s := p.target(w)
	p.indexed()
	p.expect("set")
	w.set = p.assignments(s)
	if p.accept("from") {
		p.from(s)
	}
	p.writeTail(w, s)
	return w
}

// delete reads DELETE FROM [schema.]table [AS alias] [INDEXED BY i | NOT INDEXED] [WHERE …]
// [RETURNING …] [ORDER BY …] [LIMIT …].
func (p *parser) delete() *writeFacts {
	w := &writeFacts{}
	p.expect("delete")
	p.expect("from")
	s := p.target(w)
	p.indexed()
	p.writeTail(w, s)
	return w
}

// target reads the table a write names, [schema.]table [AS alias], and opens the write's
// scope with it.
func (p *parser) target(w *writeFacts) *scope {
	name, _ := p.qualifiedName()
	w.target = tableRef{name: name, alias: name, kind: sourceTable}
	if p.accept("as") {
		w.target.alias = p.name()
	}
	w.scope = p.newScope(nil)
	w.scope.addSource(w.target)
	return w.scope
}

// indexed reads [INDEXED BY index | NOT INDEXED].
func (p *parser) indexed() {
	if p.accept("indexed") {
		p.expect("by")
		p.name()
	} else if p.accept("not") {
		p.expect("indexed")
	}
}

// writeTail reads the end of an UPDATE or DELETE: [WHERE …] [RETURNING …] [ORDER BY …]
// [LIMIT …].
func (p *parser) writeTail(w *writeFacts, s *scope) {
	p.where(s)
	w.returning = p.returning(s)
	p.orderLimit(s)
}

// conflictAlgorithms are the algorithms of INSERT OR … and UPDATE OR ….
var conflictAlgorithms = []string{"replace", "ignore", "abort", "fail", "rollback"}

// orConflict reads [OR algorithm] and returns the algorithm, folded, or "".
func (p *parser) orConflict() string {
	if !p.accept("or") {
		return ""
	}
	for _, a := range conflictAlgorithms {
		if p.accept(a) {
			return a
		}
	}
	p.fail()
	return ""
}

// assignments reads SET's column = expression, … ("(a, b) = …" too) into s and returns the
// columns assigned.
func (p *parser) assignments(s *scope) []string {
	var cols []string
	for {
		if p.acceptOp("(") {
			cols = append(cols, p.nameList()...)
			p.expectOp(")")
		} else {
			cols = append(cols, p.name())
		}
		p.expectOp("=")
		p.expr(s)
		if !p.acceptOp(",") {
			return cols
		}
	}
}

// upsert reads ON CONFLICT [(target) [WHERE …]] DO NOTHING, or … DO UPDATE SET … [WHERE …].
func (p *parser) upsert(s *scope) upsertClause {
	var u upsertClause
	p.expect("on")
	p.expect("conflict")
	if p.acceptOp("(") {
		u.target, u.targetExpr = p.conflictTarget(s)
		p.expectOp(")")
		if p.accept("where") {
			u.targetWhere = true
			p.expr(s)
		}
	}
	p.expect("do")
	if p.accept("nothing") {
		u.doNothing = true
		return u
	}
	p.expect("update")
	p.expect("set")
	u.set = p.assignments(s)
	if p.accept("where") {
		u.updateWhere = true
		p.expr(s)
	}
	return u
}

// conflictTarget reads an UPSERT's target items, each column [ASC|DESC] or an expression, into
// s (SQLite resolves them against the target table). It returns the columns when every item
// is one, otherwise hasExpr.
func (p *parser) conflictTarget(s *scope) (cols []string, hasExpr bool) {
	for {
		next := 1
		if p.peek(1).is("asc") || p.peek(1).is("desc") {
			next = 2
		}
		if t, end := p.peek(0), p.peek(next); (t.kind == tokWord || t.kind == tokQuoted) &&
			end.kind == tokOp && (end.text == "," || end.text == ")") {
			c := p.name()
			cols = append(cols, c)
			s.bare = append(s.bare, c)
			p.pos += next - 1
		} else {
			p.expr(s)
			hasExpr = true
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if hasExpr {
		cols = nil
	}
	return cols, hasExpr
}

// returning reads [RETURNING item, …] into s.
func (p *parser) returning(s *scope) *returningClause {
	if !p.accept("returning") {
		return nil
	}
	r := &returningClause{}
	plain := true
	for {
		start := p.pos
		p.resultColumn(s)
		if p.failed() {
			return r
		}
		item := p.toks[start:p.pos]
		r.star = r.star || len(item) == 1 && item[0].kind == tokOp && item[0].text == "*"
		if c, ok := plainColumn(item); ok {
			r.columns = append(r.columns, c)
		} else {
			plain = false
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if !plain {
		r.columns = nil
	}
	return r
}

// literalWords are words that stand for a value, not a column, where no column has the name.
var literalWords = map[string]bool{"null": true, "true": true, "false": true,
	"current_date": true, "current_time": true, "current_timestamp": true}

// plainColumn returns the column a result item names when the item is only a column name
// (or table.column), with or without an alias.
func plainColumn(item []token) (string, bool) {
	n := 1
	if len(item) >= 3 && item[1].kind == tokOp && item[1].text == "." {
		n = 3
		if !isName(item[0]) {
			return "", false
		}
	}
	if len(item) < n || !isAlias(item[n:]) {
		return "", false
	}
	col := item[n-1]
	if col.kind != tokWord && col.kind != tokQuoted || col.kind == tokWord && literalWords[foldIdent(col.text)] {
		return "", false
	}
	return foldIdent(unquoteIdent(col)), true
}
