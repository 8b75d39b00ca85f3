package engine

// Columns per scan: which columns of each table a statement may read, so that a scan can ask
// kintone for those fields only (go-sqlite3 gives a virtual table no colUsed mask).
//
// The answer is a superset of what SQLite reads, or "every column":
//   - an unqualified name counts for every table of its scope and of the enclosing scopes
//     that has a column of that name (SQLite picks one of them; all are kept);
//   - a qualified name counts for the table its qualifier means, the innermost scope first;
//   - *, t.*, a NATURAL join, "x IN t", an UPDATE's target and the target of an UPSERT that
//     updates read every column (SQLite hands xUpdate the whole row);
//   - the whole statement is unknown, every column of every table, when it is outside the
//     parse (kind stmtOther), names a table the lookup does not know (a view, or a TEMP table
//     whose triggers may read other tables), or qualifies a name with something no scope
//     defines.
//
// Names are compared as SQLite compares them: ASCII letters without regard to case. The rowid
// is no column: a scan always needs what its rowid comes from.

// columnLookup returns a table's columns by folded name. ok must be false unless reading or
// writing the table reads no other table: views, TEMP tables with triggers and names the
// engine does not know are not ok.
type columnLookup func(table string) (columns []string, ok bool)

// scanUse is what a statement may read through one scan of a table.
type scanUse struct {
	ref     tableRef
	all     bool     // every column
	columns []string // otherwise: the columns read, in the table's order, spelled as the lookup spells them
}

// columnUse is what a statement may read from the tables it scans.
type columnUse struct {
	unknown bool // the analysis cannot tell: every column of every table
	// scans are the scans of the tables the lookup knows, in the order of the scopes: FROM
	// items, "x IN t", and a write's target (an INSERT's target is read only by RETURNING and
	// UPSERT).
	scans []scanUse
}

// read returns the columns of table (a folded name) the statement may read over all its scans,
// each once; all when it may read every column, when the analysis cannot tell, or when it saw
// no scan of table (so a scan the parse missed reads everything).
func (u columnUse) read(table string) (columns []string, all bool) {
	return u.readAny(func(name string) bool { return name == table })
}

// readAny is read over the scans of every table whose folded name is one of names (the names
// of one kintone table).
func (u columnUse) readAny(names func(string) bool) (columns []string, all bool) {
	if u.unknown {
		return nil, true
	}
	seen := map[string]bool{}
	scanned := false
	for _, sc := range u.scans {
		if !names(sc.ref.name) {
			continue
		}
		if sc.all {
			return nil, true
		}
		scanned = true
		for _, c := range sc.columns {
			if !seen[c] {
				seen[c] = true
				columns = append(columns, c)
			}
		}
	}
	if !scanned {
		return nil, true
	}
	return columns, false
}

// scanRead gathers what one scan reads while columnUse resolves names.
type scanRead struct {
	ref    tableRef
	cols   []string // as the lookup spells them
	folded []string
	read   []bool
	all    bool
}

func (r *scanRead) mark(column string) {
	if column == "*" {
		r.all = true
		return
	}
	for i, c := range r.folded {
		if c == column {
			r.read[i] = true
		}
	}
}

// columnUse resolves the names each scope reads to the scans they may belong to.
func (f *sqlFacts) columnUse(lookup columnLookup) columnUse {
	unknown := columnUse{unknown: true}
	if f.kind == stmtOther {
		return unknown
	}
	var order []*scanRead
	scans := map[*scope][]*scanRead{}
	for _, s := range f.scopes {
		for _, ref := range s.from {
			if ref.kind != sourceTable && ref.kind != sourceCTE {
				continue
			}
			// A CTE named like a known table counts as a scan of it as well: a scan too many
			// only widens the answer, should SQLite's choice between the two differ from
			// the parse's (see parser.with).
			cols, ok := lookup(ref.name)
			if !ok {
				if ref.kind == sourceTable {
					return unknown
				}
				continue
			}
			r := &scanRead{ref: ref, cols: cols, read: make([]bool, len(cols)), all: s.star || s.natural}
			for _, c := range cols {
				r.folded = append(r.folded, foldIdent(c))
			}
			order = append(order, r)
			scans[s] = append(scans[s], r)
		}
	}
	if w := f.write; w != nil && (f.kind == stmtUpdate || w.updatesOnConflict()) {
		scans[w.scope][0].all = true // the target, known to the lookup (else unknown above)
	}
	for _, s := range f.scopes {
		for _, c := range s.columns {
			if !markQualified(scans, s, c) {
				return unknown
			}
		}
		for _, name := range s.bare {
			for a := s; a != nil; a = a.parent {
				for _, r := range scans[a] {
					r.mark(name)
				}
			}
		}
	}
	var u columnUse
	for _, r := range order {
		sc := scanUse{ref: r.ref, all: r.all}
		if !r.all {
			for i, read := range r.read {
				if read {
					sc.columns = append(sc.columns, r.cols[i])
				}
			}
		}
		u.scans = append(u.scans, sc)
	}
	return u
}

// markQualified marks column c of the scan its qualifier means, looked up from scope s
// outwards. It reports false when no scope defines the qualifier.
func markQualified(scans map[*scope][]*scanRead, s *scope, c columnRef) bool {
	for a := s; a != nil; a = a.parent {
		ref, ok := a.refs[c.qualifier]
		if !ok {
			continue
		}
		for _, r := range scans[a] {
			if r.ref == ref {
				r.mark(c.column)
			}
		}
		return true // a subquery, function or excluded row: no scan of a table
	}
	return false
}
