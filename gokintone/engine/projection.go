package engine

// Projection: a scan asks kintone for the fields its statement may read (kintone's `fields`
// parameter), as the statement analysis finds them (sqlcolumns.go): a superset of what SQLite
// reads, or every field when the analysis cannot tell. go-sqlite3 gives a virtual table no
// column-usage mask, so the SQL text is the only source. A column left out reads as NULL, which
// no statement can see, since it does not read that column.

import (
	"context"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// fields returns the field codes a scan of v in st asks kintone for; nil asks for all of them.
func (v *vtab) fields(st *Stmt) []string {
	if v.t.Subtable != "" {
		// A row of a child table is part of its record's table field: that field, the record's
		// id (RecordId) and revision (for writes).
		return []string{"$id", "$revision", v.t.Subtable}
	}
	if st == nil {
		return nil
	}
	if !st.usedKnown {
		st.used = st.facts.columnUse(v.e.columnsByFoldedName)
		st.usedKnown = true
	}
	cols, all := st.used.read(foldIdent(v.name))
	if all {
		return nil
	}
	want := make(map[string]bool, len(cols))
	for _, c := range cols {
		want[c] = true
	}
	// $id always: it is the row id and the key of seek paging. $revision for writes.
	fields := []string{"$id"}
	if st.facts.write != nil {
		fields = append(fields, "$revision")
	}
	for i := range v.t.Columns {
		c := &v.t.Columns[i]
		if want[foldIdent(c.Name)] && c.FieldCode != "$id" && (c.FieldCode != "$revision" || st.facts.write == nil) {
			fields = append(fields, c.FieldCode)
		}
	}
	return fields
}

// columnsByFoldedName is the statement analysis' lookup: the columns of a kintone table the
// engine has declared, by its folded SQL name. Other names (TEMP tables, views, companions) are
// unknown, which makes the analysis answer "every column".
func (e *Engine) columnsByFoldedName(name string) ([]string, bool) {
	var found *schema.Table
	for _, t := range e.declaredNames {
		if foldIdent(t.name) == name {
			if found != nil && found != t.t {
				return nil, false
			}
			found = t.t
		}
	}
	if found == nil || ownTable(found) {
		return nil, false
	}
	cols := make([]string, len(found.Columns))
	for i, c := range found.Columns {
		cols[i] = foldIdent(c.Name)
	}
	return cols, true
}

// countSource answers SELECT count(*) FROM t (no WHERE) with one request: kintone's
// totalCount, with one record of one field. SQLite counts the rows it yields, which have no
// values: the statement reads none.
type countSource struct {
	left int64
	r    row
}

func (s *countSource) next() (*row, error) {
	if s.left <= 0 {
		return nil, nil
	}
	s.left--
	return &s.r, nil
}

func (s *countSource) close() {}

// countOnly returns the count source of a scan that only counts every record of v, or nil
// when the statement is not SELECT count(*) FROM v alone.
func (v *vtab) countOnly(ctx context.Context, st *Stmt, cons [][3]int, limit, offset int64) (rowSource, error) {
	shape := st.facts.count
	if shape == nil || shape.where || len(cons) > 0 || limit >= 0 || offset > 0 || v.t.Subtable != "" ||
		foldIdent(shape.table.name) != foldIdent(v.name) {
		return nil, nil
	}
	q := kquery.Query{Limit: kquery.Int64(1)}
	page, err := v.e.client.Records(ctx, v.t.AppID, q.String(), []string{"$id"}, true)
	if err != nil {
		return nil, err
	}
	if page.TotalCount == nil {
		return nil, kerr.New(kerr.KindBadReply, "kintone's reply has no totalCount for app %d", v.t.AppID)
	}
	vals := make([]any, len(v.t.Columns))
	for i := range vals {
		vals[i] = sqlNull{}
	}
	return &countSource{left: *page.TotalCount, r: row{vals: vals, seq: 1}}, nil
}
