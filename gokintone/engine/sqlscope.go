package engine

// The statement's structure, read by recursive descent over its tokens for the part of
// SQLite's grammar that statements on kintone tables use: SELECT and VALUES (compound, WITH,
// joins, subqueries in any place, WINDOW), INSERT and REPLACE (with UPSERT and RETURNING),
// UPDATE (with FROM) and DELETE (sqlwrite.go). Expressions are walked, not parsed: each name
// in one is kept as a column it may read, and a parenthesis that opens SELECT, VALUES or WITH
// starts a subquery.
//
// Anything else stops the parse, and the statement's kind is then stmtOther: DDL, PRAGMA,
// EXPLAIN, text SQLite rejects, and a keyword SQLite would read as a name where this grammar
// expects a clause ("ORDER BY offset"). What the parse accepts has the structure SQLite gives
// it, except that the names an expression may read are a superset of those it reads.

// scope is one level of a statement at which SQLite resolves names: a SELECT or VALUES core
// (the top-level query, a subquery, a CTE's body, one part of a compound select), or the
// level of an INSERT, UPDATE or DELETE (its target and clauses, an UPDATE's FROM items).
type scope struct {
	parent *scope // the scope whose tables this one's names may also mean (nil at the top)
	// from are the FROM and JOIN items in order, subqueries and table-valued functions
	// included; a write's target comes first. refs are the items by alias and by name.
	from []tableRef
	refs map[string]tableRef
	// columns are the qualified column references made in this scope (column "*" for t.*);
	// outer those among them that name a table of an enclosing scope: correlated.
	columns []columnRef
	outer   []columnRef
	// bare are the unqualified names that may be columns, folded: every name in an
	// expression that is not a function's, and the words of a join operator after ON
	// (SQLite reads "ON a = left JOIN u" as comparing a with a column named left).
	bare []string

	star      bool    // an unqualified * result column (SELECT *, RETURNING *)
	natural   bool    // a NATURAL join
	distinct  bool    // SELECT DISTINCT
	where     bool    // a WHERE clause
	whereExpr []token // the WHERE clause's expression
	grouped   bool    // GROUP BY or HAVING
	countRows bool    // the one result column is count(*) or count(<number>), perhaps aliased
	rows      int     // the rows of a VALUES core
	orderBy   bool    // ORDER BY at this level (of this part, or of the whole compound)
	limit     bool    // LIMIT at this level
	offset    bool    // OFFSET at this level (or LIMIT a, b)
	compound  bool    // part of a UNION / INTERSECT / EXCEPT
}

// sourceKind is what a FROM item (or a write's target) is.
type sourceKind int

const (
	sourceTable    sourceKind = iota // a table or view, read by a scan
	sourceCTE                        // the name of a common table expression visible there
	sourceSubquery                   // (SELECT …): its columns come from its own scopes
	sourceFunction                   // a table-valued function such as json_each(…)
	sourceExcluded                   // an UPSERT's "excluded" row: the row being inserted
)

// tableRef is a FROM item or a write's target, with the alias it is known by in its scope.
type tableRef struct {
	name  string // folded, unquoted, without schema; "" for a subquery
	alias string // folded; the name when there is no alias; "" for a subquery without one
	kind  sourceKind
}

// columnRef is a qualified column reference: qualifier (an alias or table name) and column,
// both folded.
type columnRef struct {
	qualifier string
	column    string
}

// correlated reports whether the scope reads, by a qualified name, a column of an enclosing
// scope's table. An unqualified name may do so too; columnUse resolves those.
func (s *scope) correlated() bool { return len(s.outer) > 0 }

// addSource records a FROM item.
func (s *scope) addSource(ref tableRef) {
	s.from = append(s.from, ref)
	if ref.alias != "" {
		s.refs[ref.alias] = ref
	}
	if _, taken := s.refs[ref.name]; ref.name != "" && !taken {
		s.refs[ref.name] = ref
	}
}

// countShape is a statement of the form SELECT count(*) FROM t [WHERE …]: one core of one
// table (not a CTE, subquery or function), its one result count(*) or count(<number>) with or
// without an alias, and no DISTINCT, GROUP BY, HAVING, ORDER BY, LIMIT or OFFSET. Its one row
// is the number of rows of t the WHERE keeps, which kintone's totalCount gives when the whole
// WHERE is sent to kintone exactly; whether it can be is the engine's to decide.
type countShape struct {
	table tableRef
	// terms is the number of constraints SQLite offers the table for the WHERE when every part
	// of it is one (comparisonTerms): 0 without a WHERE, -1 when some part may not be.
	terms int
}

// countShapeOf returns the count shape of a statement's top-level query, or nil.
func countShapeOf(cores []*scope) *countShape {
	if len(cores) != 1 {
		return nil
	}
	c := cores[0]
	if !c.countRows || c.distinct || c.grouped || c.orderBy || c.limit || c.offset ||
		len(c.from) != 1 || c.from[0].kind != sourceTable {
		return nil
	}
	terms := 0
	if c.where {
		terms = comparisonTerms(c.whereExpr, c.from[0])
	}
	return &countShape{table: c.from[0], terms: terms}
}

// comparisonTerms returns the number of constraints of a WHERE expression that is a
// conjunction (AND) of comparisons of a column of the one table ref with a literal or a
// parameter (=, ==, <, <=, >, >=, <>, !=, IS [NOT], IS [NOT] NULL, ISNULL, NOTNULL, NOT NULL,
// BETWEEN … AND …, which is two), either way round; -1 for any other expression. SQLite
// offers each such comparison of a column to the virtual table as a constraint; a name that
// is not a column (a keyword such as TRUE, a "string" SQLite reads as text) makes none, and
// the scan then sees fewer constraints than counted here.
func comparisonTerms(toks []token, ref tableRef) int {
	n := 0
	for len(toks) > 0 {
		k, c := comparisonAt(toks, ref)
		if k == 0 {
			return -1
		}
		n, toks = n+c, toks[k:]
		if len(toks) > 0 {
			if !toks[0].is("and") || len(toks) == 1 {
				return -1
			}
			toks = toks[1:]
		}
	}
	return n
}

// comparisonAt reads one comparison of comparisonTerms at the start of toks: its length in
// tokens and the constraints it makes; 0, 0 when toks do not start with one.
func comparisonAt(toks []token, ref tableRef) (length, constraints int) {
	if k := columnAt(toks, ref); k > 0 {
		rest := toks[k:]
		for _, postfix := range [][]string{{"isnull"}, {"notnull"}, {"not", "null"}, {"is", "null"}, {"is", "not", "null"}} {
			if wordsAt(rest, postfix...) {
				return k + len(postfix), 1
			}
		}
		if wordsAt(rest, "between") {
			lo := valueAt(rest[1:])
			if lo > 0 && wordsAt(rest[1+lo:], "and") {
				if hi := valueAt(rest[2+lo:]); hi > 0 {
					return k + 2 + lo + hi, 2
				}
			}
			return 0, 0
		}
		if op := operatorAt(rest); op > 0 {
			if v := valueAt(rest[op:]); v > 0 {
				return k + op + v, 1
			}
		}
		return 0, 0
	}
	if v := valueAt(toks); v > 0 {
		if op := operatorAt(toks[v:]); op > 0 {
			if k := columnAt(toks[v+op:], ref); k > 0 {
				return v + op + k, 1
			}
		}
	}
	return 0, 0
}

// columnAt returns the length of a reference to a column of ref at the start of toks (name,
// or qualifier.name with ref's alias), or 0.
func columnAt(toks []token, ref tableRef) int {
	isColumn := func(t token) bool {
		return t.kind == tokQuoted || t.kind == tokWord && !nonColumnWords[foldIdent(t.text)]
	}
	if len(toks) >= 3 && toks[1].kind == tokOp && toks[1].text == "." {
		if isName(toks[0]) && foldIdent(unquoteIdent(toks[0])) == ref.alias && isColumn(toks[2]) {
			return 3
		}
		return 0
	}
	if len(toks) >= 1 && isColumn(toks[0]) && !(len(toks) >= 2 && toks[1].kind == tokOp && toks[1].text == "(") {
		return 1
	}
	return 0
}

// operatorAt returns the length of a comparison operator at the start of toks (IS and IS
// NOT included), or 0.
func operatorAt(toks []token) int {
	switch {
	case len(toks) == 0:
		return 0
	case toks[0].kind == tokOp && comparisonOps[toks[0].text]:
		return 1
	case wordsAt(toks, "is", "not"):
		return 2
	case wordsAt(toks, "is") && !wordsAt(toks, "is", "distinct"):
		return 1
	}
	return 0
}

// valueAt returns the length of a literal number (with a sign or not), a 'string' or blob,
// or a parameter at the start of toks, or 0.
func valueAt(toks []token) int {
	if len(toks) == 0 {
		return 0
	}
	switch t := toks[0]; {
	case t.kind == tokNumber, t.kind == tokString, t.kind == tokParam:
		return 1
	case t.kind == tokOp && (t.text == "-" || t.text == "+") && len(toks) > 1 && toks[1].kind == tokNumber:
		return 2
	}
	return 0
}

// wordsAt reports whether toks start with the keywords words (lower case).
func wordsAt(toks []token, words ...string) bool {
	if len(toks) < len(words) {
		return false
	}
	for i, w := range words {
		if !toks[i].is(w) {
			return false
		}
	}
	return true
}

// stmtKind is what a statement does, as far as its text tells.
type stmtKind int

const (
	stmtOther  stmtKind = iota // outside the grammar read here (DDL, PRAGMA, …): anything
	stmtSelect                 // SELECT or VALUES, with or without WITH
	stmtInsert                 // INSERT or REPLACE
	stmtUpdate
	stmtDelete
)

// maxNesting bounds the parse's recursion, as SQLITE_MAX_EXPR_DEPTH (1000) bounds SQLite's.
const maxNesting = 1000

// parser reads a statement's structure from its tokens. On text outside its grammar it
// fails: it moves past the last token, where every loop ends.
type parser struct {
	toks   []token
	pos    int
	depth  int      // nesting of parentheses and subqueries
	ctes   []string // the common table expressions visible at pos, folded
	scopes []*scope
}

// parseStatement reads the structure of one statement's tokens into f: kind, scopes, write
// and count. Text outside the grammar leaves them empty (kind stmtOther).
func parseStatement(toks []token, f *sqlFacts) {
	p := &parser{toks: toks}
	with := p.at("with")
	visible := p.with(nil)
	var kind stmtKind
	var w *writeFacts
	var count *countShape
	switch {
	case p.at("select"), p.at("values"):
		kind, count = stmtSelect, countShapeOf(p.compound(nil))
	case p.at("insert"), p.at("replace"):
		kind, w = stmtInsert, p.insert()
	case p.at("update"):
		kind, w = stmtUpdate, p.update()
	case p.at("delete"):
		kind, w = stmtDelete, p.delete()
	default:
		p.fail()
	}
	p.endWith(visible)
	if p.pos != len(toks) {
		return
	}
	if w != nil {
		w.with = with
	}
	resolveOuter(p.scopes)
	f.kind, f.scopes, f.write, f.count = kind, p.scopes, w, count
}

// resolveOuter fills each scope's outer references: a qualified reference belongs to the
// nearest scope that defines its qualifier; one defined only by an enclosing scope makes the
// scope correlated.
func resolveOuter(scopes []*scope) {
	for _, s := range scopes {
		for _, c := range s.columns {
			if _, ok := s.refs[c.qualifier]; ok {
				continue
			}
			for p := s.parent; p != nil; p = p.parent {
				if _, ok := p.refs[c.qualifier]; ok {
					s.outer = append(s.outer, c)
					break
				}
			}
		}
	}
}

func (p *parser) peek(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return token{kind: tokOp} // past the end: matches no keyword and no operator
}

func (p *parser) fail()            { p.pos = len(p.toks) + 1 }
func (p *parser) failed() bool     { return p.pos > len(p.toks) }
func (p *parser) atEnd() bool      { return p.pos >= len(p.toks) }
func (p *parser) at(w string) bool { return p.peek(0).is(w) }

func (p *parser) atOp(op string) bool {
	t := p.peek(0)
	return t.kind == tokOp && t.text == op
}

func (p *parser) accept(w string) bool {
	if p.at(w) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) acceptOp(op string) bool {
	if p.atOp(op) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expect(w string) {
	if !p.accept(w) {
		p.fail()
	}
}

func (p *parser) expectOp(op string) {
	if !p.acceptOp(op) {
		p.fail()
	}
}

// descend enters one more level of nesting; beyond maxNesting the parse fails. Each call is
// paired with ascend.
func (p *parser) descend() bool {
	p.depth++
	if p.depth > maxNesting {
		p.fail()
	}
	return !p.failed()
}

func (p *parser) ascend() { p.depth-- }

// isName reports whether t can stand where SQLite expects a name: a word, a quoted
// identifier or a 'string'.
func isName(t token) bool {
	return t.kind == tokWord || t.kind == tokQuoted || t.kind == tokString && t.text[0] == '\''
}

// name reads a name (of a table, alias, column or CTE) and returns it folded.
func (p *parser) name() string {
	t := p.peek(0)
	if !isName(t) {
		p.fail()
		return ""
	}
	p.pos++
	return foldIdent(unquoteIdent(t))
}

// nameList reads name, name, … and returns the names.
func (p *parser) nameList() []string {
	var names []string
	for {
		names = append(names, p.name())
		if !p.acceptOp(",") {
			return names
		}
	}
}

// qualifiedName reads [schema.]name and returns the name, and whether a schema was named.
func (p *parser) qualifiedName() (string, bool) {
	n := p.name()
	if p.acceptOp(".") {
		return p.name(), true
	}
	return n, false
}

// with reads a WITH clause, if there is one: its CTEs become visible until endWith, and their
// bodies are scopes under parent. It returns what endWith takes.
func (p *parser) with(parent *scope) int {
	mark := len(p.ctes)
	if !p.accept("with") {
		return mark
	}
	p.accept("recursive")
	for {
		// A CTE is visible in its own body (a recursive one reads itself) and after it. A name
		// used before its CTE is read as a table's: unknown to the lookup, or a scan too many.
		p.ctes = append(p.ctes, p.name())
		if p.acceptOp("(") {
			p.nameList()
			p.expectOp(")")
		}
		p.expect("as")
		if p.accept("not") {
			p.expect("materialized")
		} else {
			p.accept("materialized")
		}
		p.expectOp("(")
		p.query(parent)
		p.expectOp(")")
		if !p.acceptOp(",") {
			return mark
		}
	}
}

func (p *parser) endWith(mark int) { p.ctes = p.ctes[:mark] }

func (p *parser) cteVisible(name string) bool {
	for _, c := range p.ctes {
		if c == name {
			return true
		}
	}
	return false
}

// query reads [WITH …] followed by a compound select, and returns its cores.
func (p *parser) query(parent *scope) []*scope {
	defer p.ascend()
	if !p.descend() {
		return nil
	}
	visible := p.with(parent)
	defer p.endWith(visible)
	return p.compound(parent)
}

// compound reads core (compound-operator core)* [ORDER BY …] [LIMIT …]. ORDER BY and LIMIT
// are recorded on the last core.
func (p *parser) compound(parent *scope) []*scope {
	var cores []*scope
	for {
		cores = append(cores, p.core(parent))
		if !p.compoundOperator() {
			break
		}
	}
	if len(cores) > 1 {
		for _, c := range cores {
			c.compound = true
		}
	}
	p.orderLimit(cores[len(cores)-1])
	return cores
}

func (p *parser) compoundOperator() bool {
	switch {
	case p.accept("union"):
		p.accept("all")
		return true
	case p.accept("intersect"), p.accept("except"):
		return true
	}
	return false
}

// orderLimit reads [ORDER BY …] [LIMIT n [OFFSET m | , m]] into s.
func (p *parser) orderLimit(s *scope) {
	if p.accept("order") {
		p.expect("by")
		s.orderBy = true
		p.exprList(s)
	}
	if p.accept("limit") {
		s.limit = true
		p.expr(s)
		if p.accept("offset") || p.acceptOp(",") {
			s.offset = true
			p.expr(s)
		}
	}
}

// where reads [WHERE expression] into s.
func (p *parser) where(s *scope) {
	if p.accept("where") {
		s.where = true
		start := p.pos
		p.expr(s)
		if !p.failed() {
			s.whereExpr = p.toks[start:p.pos]
		}
	}
}

func (p *parser) newScope(parent *scope) *scope {
	s := &scope{parent: parent, refs: map[string]tableRef{}}
	p.scopes = append(p.scopes, s)
	return s
}

// core reads VALUES (…), … or SELECT … [FROM …] [WHERE …] [GROUP BY …] [HAVING …]
// [WINDOW …].
func (p *parser) core(parent *scope) *scope {
	s := p.newScope(parent)
	if p.accept("values") {
		for {
			p.expectOp("(")
			p.inner(s)
			p.expectOp(")")
			s.rows++
			if !p.acceptOp(",") {
				return s
			}
		}
	}
	p.expect("select")
	if s.distinct = p.accept("distinct"); !s.distinct {
		p.accept("all")
	}
	start, results := p.pos, 0
	for {
		p.resultColumn(s)
		results++
		if !p.acceptOp(",") {
			break
		}
	}
	s.countRows = results == 1 && !p.failed() && isCountRows(p.toks[start:p.pos])
	if p.accept("from") {
		p.from(s)
	}
	p.where(s)
	if p.accept("group") {
		p.expect("by")
		s.grouped = true
		p.exprList(s)
	}
	if p.accept("having") {
		s.grouped = true
		p.expr(s)
	}
	if p.accept("window") {
		for {
			p.name()
			p.expect("as")
			p.expectOp("(")
			p.inner(s)
			p.expectOp(")")
			if !p.acceptOp(",") {
				break
			}
		}
	}
	return s
}

// resultColumn reads *, t.* or expression [[AS] alias] (of SELECT or RETURNING).
func (p *parser) resultColumn(s *scope) {
	switch {
	case p.acceptOp("*"):
		s.star = true
	case isName(p.peek(0)) && p.peek(1).text == "." && p.peek(2).text == "*":
		s.columns = append(s.columns, columnRef{p.name(), "*"})
		p.pos += 2
	default:
		p.expr(s)
		if p.accept("as") {
			p.name()
		}
	}
}

// isCountRows reports whether a result column's tokens are count(*) or count(<number>) (a
// number is never NULL, so it counts every row), with or without an alias.
func isCountRows(toks []token) bool {
	return len(toks) >= 4 && toks[0].is("count") && toks[1].text == "(" &&
		(toks[2].kind == tokOp && toks[2].text == "*" || toks[2].kind == tokNumber) &&
		toks[3].text == ")" && isAlias(toks[4:])
}

// isAlias reports whether toks are a result column's optional alias: nothing, a name, or AS
// and a name.
func isAlias(toks []token) bool {
	switch len(toks) {
	case 0:
		return true
	case 1:
		return isName(toks[0]) && !toks[0].is("as")
	case 2:
		return toks[0].is("as") && isName(toks[1])
	}
	return false
}

// from reads a FROM clause's items, join operators and constraints into s.
func (p *parser) from(s *scope) {
	defer p.ascend()
	if !p.descend() {
		return
	}
	for {
		p.fromItem(s)
		afterOn := p.accept("on")
		if afterOn {
			p.expr(s)
		} else if p.accept("using") {
			p.expectOp("(")
			s.bare = append(s.bare, p.nameList()...)
			p.expectOp(")")
		}
		if !p.acceptOp(",") && !p.joinOperator(s, afterOn) {
			return
		}
	}
}

// joinWords are the words of a join operator before JOIN.
var joinWords = map[string]bool{"natural": true, "left": true, "right": true, "full": true,
	"outer": true, "inner": true, "cross": true}

// joinOperator reads [NATURAL] [LEFT|RIGHT|FULL [OUTER] | INNER | CROSS] JOIN, if there is
// one. After an ON clause its words go to s.bare too (see scope.bare).
func (p *parser) joinOperator(s *scope, afterOn bool) bool {
	start := p.pos
	for t := p.peek(0); t.kind == tokWord && joinWords[foldIdent(t.text)]; t = p.peek(0) {
		w := foldIdent(t.text)
		if afterOn {
			s.bare = append(s.bare, w)
		}
		s.natural = s.natural || w == "natural"
		p.pos++
	}
	if p.accept("join") {
		return true
	}
	if p.pos != start {
		p.fail()
	}
	return false
}

// fromItem reads one FROM item: [schema.]table [[AS] alias] [INDEXED BY i | NOT INDEXED],
// function(…) [[AS] alias], (subquery) [[AS] alias], or a parenthesised join.
func (p *parser) fromItem(s *scope) {
	if p.acceptOp("(") {
		if p.at("select") || p.at("values") || p.at("with") {
			p.query(s)
			p.expectOp(")")
			s.addSource(tableRef{alias: p.alias(), kind: sourceSubquery})
			return
		}
		p.from(s)
		p.expectOp(")")
		if p.alias() != "" {
			// SQLite makes an aliased join a subquery: not modelled.
			p.fail()
		}
		return
	}
	name, schema := p.qualifiedName()
	ref := tableRef{name: name, alias: name, kind: sourceTable}
	if p.acceptOp("(") {
		ref.kind = sourceFunction
		p.inner(s)
		p.expectOp(")")
	} else if !schema && p.cteVisible(name) {
		ref.kind = sourceCTE
	}
	if a := p.alias(); a != "" {
		ref.alias = a
	}
	p.indexed()
	s.addSource(ref)
}

// alias reads a FROM item's [AS] alias and returns it, or "" when there is none.
func (p *parser) alias() string {
	if p.accept("as") {
		return p.name()
	}
	t := p.peek(0)
	if !isName(t) || t.kind == tokWord && (clauseWords[foldIdent(t.text)] || t.is("indexed") || t.is("not")) {
		return ""
	}
	return p.name()
}

// clauseWords end an expression at its own level (outside parentheses) and are no FROM
// item's alias.
var clauseWords = map[string]bool{"from": true, "where": true, "group": true, "having": true,
	"window": true, "order": true, "limit": true, "offset": true, "union": true,
	"intersect": true, "except": true, "on": true, "using": true, "join": true, "inner": true,
	"left": true, "right": true, "full": true, "cross": true, "natural": true, "outer": true,
	"returning": true, "do": true, "set": true, "as": true, "select": true, "values": true}

// exprList reads expression, expression, … of scope s.
func (p *parser) exprList(s *scope) {
	for {
		p.expr(s)
		if !p.acceptOp(",") {
			return
		}
	}
}

// expr reads one expression of scope s: up to a ",", a ")" or a clause word at its own
// level (not one before "." such as left.a: SQLite reads that as a qualifier). An empty
// expression fails the parse.
func (p *parser) expr(s *scope) {
	start := p.pos
	for !p.atEnd() {
		t := p.peek(0)
		if t.kind == tokOp && (t.text == "," || t.text == ")") ||
			t.kind == tokWord && clauseWords[foldIdent(t.text)] && p.peek(1).text != "." && !p.atDistinctFrom() {
			break
		}
		p.term(s)
	}
	if p.pos == start {
		p.fail()
	}
}

// atDistinctFrom reports whether the FROM at pos belongs to "IS [NOT] DISTINCT FROM".
func (p *parser) atDistinctFrom() bool {
	i := p.pos
	return p.toks[i].is("from") && i >= 2 && p.toks[i-1].is("distinct") &&
		(p.toks[i-2].is("is") || i >= 3 && p.toks[i-2].is("not") && p.toks[i-3].is("is"))
}

// inner reads what parentheses hold, the "(" read: a subquery, or expressions whose keywords
// end nothing there (ORDER BY in an aggregate, PARTITION BY in a window, AS in CAST).
func (p *parser) inner(s *scope) {
	defer p.ascend()
	if !p.descend() {
		return
	}
	if p.at("select") || p.at("values") || p.at("with") {
		p.query(s)
		return
	}
	for !p.atEnd() && !p.atOp(")") {
		p.term(s)
	}
}

// term reads one piece of an expression: a parenthesised part, a name (see nameRef), the
// table of "x IN table", or one token.
func (p *parser) term(s *scope) {
	t := p.peek(0)
	switch {
	case t.kind == tokOp && t.text == "(":
		p.pos++
		p.inner(s)
		p.expectOp(")")
	case t.is("in") && isName(p.peek(1)) && !p.inFunction():
		// "x IN t" reads t as "x IN (SELECT * FROM t)" does.
		p.pos++
		name, schema := p.qualifiedName()
		ref := tableRef{name: name, alias: name, kind: sourceTable}
		if !schema && p.cteVisible(name) {
			ref.kind = sourceCTE
		}
		sub := p.newScope(s)
		sub.star = true
		sub.addSource(ref)
	case t.is("collate"):
		p.pos++
		p.name()
	case t.kind == tokWord || t.kind == tokQuoted || isName(t) && p.peek(1).text == ".":
		p.nameRef(s)
	default:
		p.pos++
	}
}

// inFunction reports whether the name after the IN at pos is a table-valued function's
// ("x IN json_each(…)"), whose arguments are read as any expression's.
func (p *parser) inFunction() bool {
	if p.peek(2).text == "." {
		return p.peek(4).text == "("
	}
	return p.peek(2).text == "("
}

// nameRef reads a name in an expression: a function's (before "("), a column's, or a
// qualified column reference (table.column or schema.table.column).
func (p *parser) nameRef(s *scope) {
	parts := []string{p.name()}
	for p.atOp(".") && len(parts) < 3 {
		p.pos++
		if p.acceptOp("*") {
			parts = append(parts, "*")
			break
		}
		parts = append(parts, p.name())
	}
	switch {
	case len(parts) == 1 && p.atOp("("): // a function
	case len(parts) == 1:
		s.bare = append(s.bare, parts[0])
	default:
		s.columns = append(s.columns, columnRef{parts[len(parts)-2], parts[len(parts)-1]})
	}
}
