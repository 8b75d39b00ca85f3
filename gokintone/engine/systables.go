package engine

import (
	"context"
	"runtime"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/internal/version"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

// System tables describe the connection's tables and properties. They are ordinary
// virtual tables whose rows the engine computes; every constraint on them is evaluated by
// the Go re-check.

func sysColumn(name, decl string) schema.Column {
	return schema.Column{Name: name, FieldCode: name, FieldType: "SYSTEM", DeclType: decl}
}

var systemTables = map[string][]schema.Column{
	"sys_tables": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("TableName", schema.TypeVarchar), sysColumn("TableType", schema.TypeVarchar),
		sysColumn("Description", schema.TypeVarchar), sysColumn("IsUpdateable", schema.TypeInteger),
		sysColumn("AppId", schema.TypeInteger), sysColumn("AppCode", schema.TypeVarchar),
		sysColumn("ParentTable", schema.TypeVarchar),
	},
	"sys_tablecolumns": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("TableName", schema.TypeVarchar), sysColumn("ColumnName", schema.TypeVarchar),
		sysColumn("DataTypeName", schema.TypeVarchar), sysColumn("Ordinal", schema.TypeInteger),
		sysColumn("IsKey", schema.TypeInteger), sysColumn("FieldCode", schema.TypeVarchar),
		sysColumn("FieldType", schema.TypeVarchar), sysColumn("Label", schema.TypeVarchar),
	},
	"sys_procedures": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("ProcedureName", schema.TypeVarchar), sysColumn("Description", schema.TypeVarchar),
	},
	"sys_procedureparameters": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("ProcedureName", schema.TypeVarchar), sysColumn("ColumnName", schema.TypeVarchar),
		sysColumn("Ordinal", schema.TypeInteger), sysColumn("DataTypeName", schema.TypeVarchar),
		sysColumn("IsInput", schema.TypeInteger), sysColumn("IsOutput", schema.TypeInteger),
		sysColumn("Description", schema.TypeVarchar),
	},
	"sys_catalogs": {sysColumn("CatalogName", schema.TypeVarchar)},
	"sys_schemas":  {sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar)},
	"sys_keycolumns": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("TableName", schema.TypeVarchar), sysColumn("ColumnName", schema.TypeVarchar),
		sysColumn("IsKey", schema.TypeInteger), sysColumn("IsForeignKey", schema.TypeInteger),
		sysColumn("PrimaryKeyName", schema.TypeVarchar), sysColumn("ForeignKeyName", schema.TypeVarchar),
		sysColumn("ReferencedCatalogName", schema.TypeVarchar), sysColumn("ReferencedSchemaName", schema.TypeVarchar),
		sysColumn("ReferencedTableName", schema.TypeVarchar), sysColumn("ReferencedColumnName", schema.TypeVarchar),
	},
	"sys_foreignkeys": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("TableName", schema.TypeVarchar), sysColumn("ColumnName", schema.TypeVarchar),
		sysColumn("PrimaryKeyName", schema.TypeVarchar), sysColumn("ForeignKeyName", schema.TypeVarchar),
		sysColumn("ReferencedCatalogName", schema.TypeVarchar), sysColumn("ReferencedSchemaName", schema.TypeVarchar),
		sysColumn("ReferencedTableName", schema.TypeVarchar), sysColumn("ReferencedColumnName", schema.TypeVarchar),
		sysColumn("ForeignKeyType", schema.TypeVarchar),
	},
	"sys_primarykeys": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("TableName", schema.TypeVarchar), sysColumn("ColumnName", schema.TypeVarchar),
		sysColumn("KeySeq", schema.TypeInteger), sysColumn("KeyName", schema.TypeVarchar),
	},
	"sys_indexes": {
		sysColumn("CatalogName", schema.TypeVarchar), sysColumn("SchemaName", schema.TypeVarchar),
		sysColumn("TableName", schema.TypeVarchar), sysColumn("IndexName", schema.TypeVarchar),
		sysColumn("ColumnName", schema.TypeVarchar), sysColumn("IsUnique", schema.TypeInteger),
		sysColumn("IsPrimary", schema.TypeInteger), sysColumn("Type", schema.TypeInteger),
		sysColumn("SortOrder", schema.TypeVarchar), sysColumn("OrdinalPosition", schema.TypeInteger),
	},
	"sys_sqlinfo": {sysColumn("NAME", schema.TypeVarchar), sysColumn("VALUE", schema.TypeVarchar)},
	"sys_identity": {
		sysColumn("Id", schema.TypeVarchar), sysColumn("Batch", schema.TypeVarchar),
		sysColumn("Operation", schema.TypeVarchar), sysColumn("Message", schema.TypeVarchar),
	},
	"sys_information": {
		sysColumn("Product", schema.TypeVarchar), sysColumn("Version", schema.TypeVarchar),
		sysColumn("Datasource", schema.TypeVarchar), sysColumn("NodeId", schema.TypeVarchar),
		sysColumn("HelpURL", schema.TypeVarchar), sysColumn("License", schema.TypeVarchar),
		sysColumn("Location", schema.TypeVarchar), sysColumn("Environment", schema.TypeVarchar),
	},
	"sys_connection_props": {
		sysColumn("Name", schema.TypeVarchar), sysColumn("Category", schema.TypeVarchar),
		sysColumn("Type", schema.TypeVarchar), sysColumn("Default", schema.TypeVarchar),
		sysColumn("Value", schema.TypeVarchar), sysColumn("Description", schema.TypeVarchar),
		sysColumn("IsSecret", schema.TypeInteger), sysColumn("IsSupported", schema.TypeInteger),
		sysColumn("Support", schema.TypeVarchar), // "yes", "accepted, no effect yet" or "not yet"
	},
}

// systemTable returns the table for a system table name, or nil.
func systemTable(name string) *schema.Table {
	lower := strings.ToLower(name)
	cols, ok := systemTables[lower]
	if !ok {
		return nil
	}
	return &schema.Table{Name: lower, System: lower, Columns: cols}
}

const catalogName, schemaName = "CData", "Kintone"

// systemRows computes the rows of a system table.
func (e *Engine) systemRows(ctx context.Context, name string) ([]*row, error) {
	rows, err := e.systemValues(ctx, name)
	if err != nil {
		return nil, err
	}
	return valueRows(rows), nil
}

// systemValues computes the values of the rows of a system table.
func (e *Engine) systemValues(ctx context.Context, name string) ([][]any, error) {
	switch name {
	case "sys_connection_props":
		if e.opts.ConnectionProps == nil {
			return nil, nil
		}
		return e.opts.ConnectionProps(), nil
	case "sys_procedures", "sys_procedureparameters":
		if e.opts.Procedures == nil {
			return nil, nil
		}
		procs, params := e.opts.Procedures()
		if name == "sys_procedures" {
			return procs, nil
		}
		return params, nil
	case "sys_catalogs":
		return [][]any{{catalogName}}, nil
	case "sys_schemas":
		return [][]any{{catalogName, schemaName}}, nil
	case "sys_sqlinfo":
		return sqlInfo(), nil
	case "sys_identity":
		return nil, nil
	case "sys_information":
		return [][]any{{product, version.String(), "kintone", nil, nil, projectLicense, nil, "Go " + runtime.Version()}}, nil
	}
	tables, err := e.describedTables(ctx)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for _, d := range tables {
		rows = append(rows, d.rows(name)...)
	}
	return rows, nil
}

// tableInfo is one table as the system tables describe it.
type tableInfo struct {
	table       *schema.Table
	kind        string // "VIEW" for a view; "" for a table
	description string
	updatable   bool
	appID       int64  // 0 for a table of the driver's own
	appCode     string // the app's code, "" when it has none
	// parent is the app of a child table (nil otherwise): the child's RecordId refers to the
	// parent's Id.
	parent *schema.Table
	keys   []int // the columns of the primary key, by index
}

// describedTables lists every table the system tables describe: the driver's own tables and
// the views of UserDefinedViews, then each app followed by its child tables; with
// Schema=USER, the User API's views and those of UserDefinedViews.
func (e *Engine) describedTables(ctx context.Context) ([]tableInfo, error) {
	own := ownTableInfos()
	if e.opts.UserSchema {
		own = userViewInfos()
	}
	own = append(own, e.definedViews...)
	var tables []tableInfo
	for _, d := range own {
		if e.listed(d.kind, d.table.Name) {
			tables = append(tables, d)
		}
	}
	if e.opts.UserSchema {
		return tables, nil // no app is a table
	}
	if err := e.catalog.load(ctx); err != nil {
		return nil, err
	}
	for _, en := range e.catalog.apps {
		whole := e.listed("", en.name) // the app with its child tables
		if !whole && !e.listedChildOf(en) {
			continue
		}
		ts, err := e.catalog.tablesOf(ctx, en)
		if err != nil {
			return nil, err
		}
		app := ts[0]
		for _, t := range ts {
			if !whole && !e.listed("", t.Name) {
				continue
			}
			d := tableInfo{table: t, appID: en.app.AppID, appCode: en.app.Code, keys: []int{0}}
			if t == app {
				d.description = en.app.Description
			} else {
				d.parent = app
			}
			tables = append(tables, d)
		}
	}
	return tables, nil
}

// listed reports whether the ListedTables option (ListedViews for kind "VIEW") lets a table
// by this name be listed.
func (e *Engine) listed(kind, name string) bool {
	only := e.opts.ListedTables
	if kind == "VIEW" {
		only = e.opts.ListedViews
	}
	if len(only) == 0 {
		return true
	}
	for _, l := range only {
		if strings.EqualFold(l, name) {
			return true
		}
	}
	return false
}

// listedChildOf reports whether ListedTables names a child table of the app: a name that
// starts with the app's and the separator.
func (e *Engine) listedChildOf(en *appEntry) bool {
	prefix := strings.ToLower(en.name + e.opts.Schema.SubtableSeparator)
	for _, l := range e.opts.ListedTables {
		if strings.HasPrefix(strings.ToLower(l), prefix) {
			return true
		}
	}
	return false
}

// rows are the rows of system table name that describe the table.
func (d *tableInfo) rows(name string) [][]any {
	t := d.table
	var rows [][]any
	switch name {
	case "sys_tables":
		parent := any(nil)
		if d.parent != nil {
			parent = d.parent.Name
		}
		kind := d.kind
		if kind == "" {
			kind = "TABLE"
		}
		rows = append(rows, []any{catalogName, schemaName, t.Name, kind, nullIfEmpty(d.description),
			boolValue(d.updatable), nullIfZero(d.appID), nullIfEmpty(d.appCode), parent})
	case "sys_tablecolumns":
		for i, c := range t.Columns {
			rows = append(rows, []any{catalogName, schemaName, t.Name, c.Name, schema.PublicType(c.DeclType),
				int64(i + 1), boolValue(d.isKey(i)), c.FieldCode, c.FieldType, nullIfEmpty(c.Label)})
		}
	case "sys_primarykeys":
		for seq, i := range d.keys {
			rows = append(rows, []any{catalogName, schemaName, t.Name, t.Columns[i].Name, int64(seq + 1), d.primaryKeyName()})
		}
	case "sys_indexes":
		for seq, i := range d.keys {
			rows = append(rows, []any{catalogName, schemaName, t.Name, d.primaryKeyName(), t.Columns[i].Name,
				int64(1), int64(1), indexTypeOther, "A", int64(seq + 1)})
		}
	case "sys_keycolumns":
		for i, c := range t.Columns {
			isKey, ref := d.isKey(i), d.reference(i)
			if !isKey && ref == nil {
				continue
			}
			row := []any{catalogName, schemaName, t.Name, c.Name, boolValue(isKey), boolValue(ref != nil)}
			if ref == nil {
				row = append(row, d.primaryKeyName(), nil, nil, nil, nil, nil)
			} else {
				row = append(row, ref.primaryKeyName, ref.name, catalogName, schemaName, ref.table, ref.column)
			}
			rows = append(rows, row)
		}
	case "sys_foreignkeys":
		for i, c := range t.Columns {
			if ref := d.reference(i); ref != nil {
				rows = append(rows, []any{catalogName, schemaName, t.Name, c.Name, ref.primaryKeyName, ref.name,
					catalogName, schemaName, ref.table, ref.column, "FOREIGNKEY"})
			}
		}
	}
	return rows
}

// indexTypeOther is sys_indexes' Type of an index that is neither a statistic, clustered nor
// hashed (ODBC's SQL_INDEX_OTHER): kintone's record ids.
const indexTypeOther = int64(3)

// isKey reports whether column i is part of the table's primary key.
func (d *tableInfo) isKey(i int) bool {
	for _, k := range d.keys {
		if k == i {
			return true
		}
	}
	return false
}

// primaryKeyName names the table's primary key.
func (d *tableInfo) primaryKeyName() string { return "PK_" + d.table.Name }

// keyReference is a foreign key: a column that holds the key of another table.
type keyReference struct {
	name           string // the foreign key's name
	table, column  string // the column referred to
	primaryKeyName string // the name of the referred table's primary key
}

// reference returns the foreign key column i is, or nil: a child table's RecordId refers
// to its app's Id.
func (d *tableInfo) reference(i int) *keyReference {
	if d.parent == nil || d.table.Columns[i].Role != "parent" {
		return nil
	}
	p := tableInfo{table: d.parent}
	return &keyReference{name: "FK_" + d.table.Name + "_" + d.parent.Name, table: d.parent.Name,
		column: d.parent.Columns[0].Name, primaryKeyName: p.primaryKeyName()}
}

// Facts of sys_information.
const (
	product        = "cdata-kintone"
	projectLicense = "Apache-2.0"
)

// sqlInfo are the rows of sys_sqlinfo: what the SQL of this driver can do, as generic tools
// ask it. Statements run on SQLite, so its dialect, functions and joins are the driver's.
func sqlInfo() [][]any {
	return [][]any{
		{"DIALECT", "SQLite"},
		{"IDENTIFIER_QUOTE_OPEN_CHAR", "["},
		{"IDENTIFIER_QUOTE_CLOSE_CHAR", "]"},
		{"SUPPORTED_OPERATORS", "=,<>,!=,<,<=,>,>=,IS NULL,IS NOT NULL,IN,NOT IN,LIKE,NOT LIKE,GLOB,BETWEEN,AND,OR,NOT"},
		{"AGGREGATE_FUNCTIONS", "AVG,COUNT,MAX,MIN,SUM,TOTAL,GROUP_CONCAT"},
		{"COUNT", "YES"},
		{"GROUP_BY", "YES"},
		{"OJ_CAPABILITIES", "LEFT,RIGHT,FULL,NESTED,NOT_ORDERED,ALL_COMPARISON_OPS"},
		{"SUPPORTS_JOIN", "YES"},
		{"SUPPORT_TRANSACTION", "NO"},
		{"SUPPORTS_MULTIPLE_CATALOGS", "NO"},
		{"SUPPORTS_MULTIPLE_SCHEMAS", "NO"},
	}
}

// boolValue is a flag column's value.
func boolValue(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
