package engine

import (
	"context"
	"strings"

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
	}
	if err := e.catalog.load(ctx); err != nil {
		return nil, err
	}
	rows := commentsTableRows(name)
	for _, en := range e.catalog.apps {
		ts, err := e.catalog.tablesOf(ctx, en)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if name == "sys_tables" {
				parent := any(nil)
				if t.Subtable != "" {
					parent = en.name
				}
				code := any(nil)
				if en.app.Code != "" {
					code = en.app.Code
				}
				desc := any(nil)
				if en.app.Description != "" && t.Subtable == "" {
					desc = en.app.Description
				}
				rows = append(rows, []any{catalogName, schemaName, t.Name, "TABLE", desc, int64(0), en.app.AppID, code, parent})
				continue
			}
			for i, c := range t.Columns {
				key := int64(0)
				if i == 0 {
					key = 1
				}
				label := any(nil)
				if c.Label != "" {
					label = c.Label
				}
				rows = append(rows, []any{catalogName, schemaName, t.Name, c.Name, schema.PublicType(c.DeclType),
					int64(i + 1), key, c.FieldCode, c.FieldType, label})
			}
		}
	}
	return rows, nil
}
