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
	// What the statement reads of the table under any of its names (Deals and App_2, say): its
	// scans of one table share the rows the statement holds (tableCache).
	cols, all := st.used.readAny(func(name string) bool {
		for _, d := range v.e.declaredNames {
			if d.t == v.t && foldIdent(d.name) == name {
				return true
			}
		}
		return false
	})
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

// countSource answers SELECT count(*) FROM t [WHERE …] with one request: kintone's
// totalCount of the records matching the pushed condition, and the first of them. It yields
// that record totalCount times: SQLite counts the rows, and the cursor's exact re-check (and
// SQLite's own, should it repeat one) holds for each, since the record matches the WHERE.
type countSource struct {
	left int64
	r    *row
}

func (s *countSource) next() (*row, error) {
	if s.left <= 0 {
		return nil, nil
	}
	s.left--
	return s.r, nil
}

func (s *countSource) close() {}

// countOnly returns the count source of a scan that only counts the records of v that match
// its constraints, or nil when the statement is not SELECT count(*) FROM v [WHERE …] or when
// kintone's totalCount could differ from SQLite's count: every part of the WHERE must be one
// of the scan's constraints (cons, as many as the statement analysis counted) and each must
// be sent to kintone exactly (push.exact). The one record read is re-checked exactly; should
// it not match, kintone's count is not SQLite's and the scan reads the table instead.
func (v *vtab) countOnly(ctx context.Context, st *Stmt, push pushed, cons [][3]int, args []any, limit, offset int64) (rowSource, error) {
	shape := st.facts.count
	if shape == nil || len(cons) != shape.terms || !push.exact || limit >= 0 || offset > 0 ||
		v.t.Subtable != "" || foldIdent(shape.table.name) != foldIdent(v.name) {
		return nil, nil
	}
	q := kquery.Query{Where: push.where, OrderBy: kqueryOrder(false), Limit: kquery.Int64(1)}
	page, err := v.e.client.Records(ctx, v.t.AppID, q.String(), v.fields(st), true)
	if err != nil {
		return nil, err
	}
	if page.TotalCount == nil {
		return nil, kerr.New(kerr.KindBadReply, "kintone's reply has no totalCount for app %d", v.t.AppID)
	}
	if len(page.Records) == 0 {
		if *page.TotalCount != 0 {
			return nil, kerr.New(kerr.KindBadReply, "kintone's reply counts %d records for app %d and lists none", *page.TotalCount, v.t.AppID)
		}
		return &countSource{}, nil
	}
	rows, err := recordRows(v.t, page.Records[:1])
	if err != nil {
		return nil, err
	}
	r := &rows[0]
	if ok, err := v.matchesAll(cons, args, r, false); err != nil || !ok { // a COLLATE is never counted
		return nil, err
	}
	return &countSource{left: *page.TotalCount, r: r}, nil
}
