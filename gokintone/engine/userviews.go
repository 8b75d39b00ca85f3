package engine

// Views of the user's own (the UserDefinedViews connection property): each is a named SELECT
// over the connection's tables, made a TEMP view of the engine's SQLite connection, so that
// SQLite expands it into every statement that names it and the scans of the tables it reads
// push down as they would in the query itself. The system tables list them as views, with
// the columns SQLite gives them.

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// UserView is one view of the user's own: its name and its query.
type UserView struct {
	Name  string
	Query string
}

// DefineViews makes each view a TEMP view, in order (a view may use the ones before it). The
// query is prepared first: a syntax error, or a table or column that does not exist, is an
// error naming the view, and the kintone tables it reads are declared (their fields read).
func (e *Engine) DefineViews(ctx context.Context, views []UserView) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range views {
		if err := e.defineView(ctx, v); err != nil {
			k := kerr.As(err)
			if k == nil {
				k = kerr.New(kerr.KindSQL, "%v", err)
			}
			return k.WithMessage(fmt.Sprintf("view %q: %s", v.Name, k.Message), err)
		}
	}
	return nil
}

func (e *Engine) defineView(ctx context.Context, v UserView) error {
	if strings.TrimSpace(v.Name) == "" {
		return kerr.New(kerr.KindInvalidConfig, "a view needs a name")
	}
	if taken := e.tableNamed(v.Name); taken != "" {
		return kerr.New(kerr.KindInvalidConfig, "the name is taken by %s; give the view another name", taken)
	}
	facts := analyzeSQL(v.Query)
	if w := facts.firstWord; facts.empty || facts.trailing || w != "select" && w != "with" && w != "values" {
		return kerr.New(kerr.KindInvalidConfig, "the query must be one SELECT statement")
	}
	e.facts = facts
	st, err := e.prepare(ctx, v.Query)
	if err != nil {
		return err
	}
	st.Close()
	if err := e.execInternal("CREATE TEMP VIEW " + schema.QuoteIdent(v.Name) + " AS " + v.Query); err != nil {
		return e.sqlError(err)
	}
	e.tempFacts = nil // the view's comparisons and casts count from now on
	cols, err := e.viewColumns(v.Name)
	if err != nil {
		return err
	}
	e.definedViews = append(e.definedViews, tableInfo{table: &schema.Table{Name: v.Name, Columns: cols}, kind: "VIEW",
		description: "A view of UserDefinedViews: " + v.Query})
	return nil
}

// tableNamed describes the table of the driver's own, or the app, called name; "" when there
// is none.
func (e *Engine) tableNamed(name string) string {
	switch {
	case systemTable(name) != nil:
		return "a system table"
	case ownTableNamed(name) != nil || userViewNamed(name) != nil:
		return "a view of the driver's own"
	case e.catalog.byName[strings.ToLower(name)] != nil:
		return "a kintone app"
	}
	if e.definedView(name) {
		return "another view of UserDefinedViews"
	}
	return ""
}

// definedView reports whether name is a view of UserDefinedViews.
func (e *Engine) definedView(name string) bool {
	for _, d := range e.definedViews {
		if strings.EqualFold(d.table.Name, name) {
			return true
		}
	}
	return false
}

// viewColumns are the columns SQLite gives a TEMP view, with their declared types.
func (e *Engine) viewColumns(name string) ([]schema.Column, error) {
	rows, err := e.conn.Query("SELECT name, type FROM pragma_table_xinfo(?, 'temp')", []driver.Value{name})
	if err != nil {
		return nil, e.sqlError(err)
	}
	defer rows.Close()
	var cols []schema.Column
	v := make([]driver.Value, 2)
	for rows.Next(v) == nil {
		col, _ := v[0].(string)
		decl, _ := v[1].(string)
		cols = append(cols, schema.Column{Name: col, FieldType: "VIEW", DeclType: strings.ToUpper(decl)})
	}
	return cols, nil
}
