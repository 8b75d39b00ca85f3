package engine

// The direct path of an executemany of INSERT INTO t (c1, …, cn) VALUES (?, …, ?) into the
// records of an app: after the first parameter row has run through SQLite, the others go
// straight to the table's Insert, as SQLite would hand them over, without SQLite's VM and the
// two cgo crossings of every row (half of the time an executemany of 10,000 rows spends in
// the core).
//
// What SQLite does with such a row is small and known: it binds each parameter (go-sqlite3:
// int64, float64 (a NaN becomes NULL), string, []byte (nil is NULL), nil), gives the table's
// Insert the listed columns' values in the table's column order with NULL for every other
// column (the tables are declared without defaults, hidden columns or affinity conversions
// on insert), and counts one changed row. The direct path does exactly that, and proves it on
// the first row: it builds that row's values itself and compares them with what SQLite handed
// over; any difference, and the statement runs through SQLite for every row. A row with a
// value of another Go type runs through SQLite too.

import "math"

// fastInsert is the direct path of one executemany: the table, and the column of each
// parameter.
type fastInsert struct {
	v   *vtab
	pos []int // the index in v.t.Columns of parameter k's column
	// probe is the first row's Insert as SQLite called it (set while that row runs).
	probe *insertProbe
}

// insertProbe records the Inserts of the first row.
type insertProbe struct {
	calls int
	v     *vtab
	rowid any
	vals  []any
}

// fastInsertShape reports whether the statement is INSERT INTO t (columns) VALUES (?, …, ?)
// with one bare ? per listed column (distinct), nothing else: no WITH, OR clause, ON
// CONFLICT or RETURNING. Its first row then runs with a probe (see Insert).
func (s *Stmt) fastInsertShape(sql string) *fastInsert {
	w := s.facts.write
	if w == nil || s.facts.firstWord != "insert" || w.with || w.source != insertValues || w.rows != 1 ||
		w.conflict != "" || len(w.upserts) > 0 || w.returning != nil || s.facts.selects > 0 ||
		len(w.columns) == 0 || s.st.NumInput() != len(w.columns) {
		return nil
	}
	seen := map[string]bool{}
	for _, c := range w.columns {
		if seen[c] {
			return nil
		}
		seen[c] = true
	}
	toks, _ := tokenize(sql)
	for len(toks) > 0 && toks[len(toks)-1].kind == tokOp && toks[len(toks)-1].text == ";" {
		toks = toks[:len(toks)-1]
	}
	// The tail must be VALUES ( ? , ? … ) with a ? per column.
	n := len(w.columns)
	tail := 2 + 2*n // VALUES ( and n ?s with n-1 commas and )
	if len(toks) < tail {
		return nil
	}
	toks = toks[len(toks)-tail:]
	if !toks[0].is("values") || toks[1].kind != tokOp || toks[1].text != "(" {
		return nil
	}
	for k := 0; k < n; k++ {
		if p := toks[2+2*k]; p.kind != tokParam || p.text != "?" {
			return nil
		}
		want := ","
		if k == n-1 {
			want = ")"
		}
		if sep := toks[3+2*k]; sep.kind != tokOp || sep.text != want {
			return nil
		}
	}
	return &fastInsert{probe: &insertProbe{}}
}

// record is called by each Insert while the first row is probed.
func (p *insertProbe) record(v *vtab, rowid any, vals []any) {
	p.calls++
	p.v, p.rowid = v, rowid
	p.vals = append([]any(nil), vals...)
}

// confirm decides, after the first row (args) ran through SQLite, whether the others may take
// the direct path: SQLite made one Insert into the records of an app, with the values the
// direct path gives.
func (f *fastInsert) confirm(s *Stmt, args []any) bool {
	p := f.probe
	f.probe = nil
	v := p.v
	if p.calls != 1 || v == nil || p.rowid != nil || v.upsert || v.t.Subtable != "" || v.t == commentsTable || v.t.System != "" ||
		v.t == appsView || settingsTableOf(v.t) != nil || userViewOf(v.t) != nil {
		return false
	}
	f.v = v
	f.pos = make([]int, len(s.facts.write.columns))
	for k, name := range s.facts.write.columns {
		f.pos[k] = -1
		for i := range v.t.Columns {
			if foldIdent(v.t.Columns[i].Name) == name {
				f.pos[k] = i
			}
		}
		if f.pos[k] < 0 {
			return false
		}
	}
	vals, ok := f.values(args)
	if !ok || len(vals) != len(p.vals) {
		return false
	}
	for i := range vals {
		if !sameValue(vals[i], p.vals[i]) {
			return false
		}
	}
	return true
}

// values are the table's column values of one parameter row as SQLite hands them to Insert;
// false when a parameter is of a Go type the direct path leaves to SQLite.
func (f *fastInsert) values(args []any) ([]any, bool) {
	vals := make([]any, len(f.v.t.Columns))
	for k, a := range args {
		switch x := a.(type) {
		case nil, int64, string:
		case float64:
			if math.IsNaN(x) {
				a = nil // sqlite3_bind_double binds a NaN as NULL
			}
		case []byte:
			if x == nil {
				a = nil
			}
		default:
			return nil, false
		}
		vals[f.pos[k]] = a
	}
	return vals, true
}

// insert runs one parameter row on the direct path: what xUpdate would do with it. ok is
// false when the row must run through SQLite instead.
func (f *fastInsert) insert(s *Stmt, args []any) (ok bool, err error) {
	vals, ok := f.values(args)
	if !ok {
		return false, nil
	}
	s.e.current = s
	_, err = f.v.Insert(nil, vals)
	s.e.current = nil
	return true, err
}
