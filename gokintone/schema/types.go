package schema

import "strings"

// The type table: which SQL type each kintone field's column is declared with, the PEP 249
// type_code a query reports for it, how SQLite holds its values and what Python returns. It is
// the one statement of these facts: Build declares columns from it, the engine reports type
// names and type codes from it, and the README's Types table is generated from it
// (MarkdownTypes, checked by TestReadmeTypesTable).

// Declared SQL types of the driver's columns. They select SQLite's column affinity, and through
// the type table the type name users see, the type code and the Python conversion.
const (
	TypeInteger = "INTEGER"
	TypeDecimal = "DECIMAL" // NUMERIC affinity
	TypeDouble  = "DOUBLE"  // REAL affinity
	TypeVarchar = "VARCHAR"
	// Dates and times are declared with names of their own: go-sqlite3 rewrites values of
	// columns declared exactly DATE, DATETIME or TIMESTAMP into time.Time (and unparsable text
	// into the zero time), which would lose data. Users see DATE, TIME and DATETIME.
	TypeDate     = "ISODATE"
	TypeTime     = "ISOTIME"
	TypeDatetime = "ISODATETIME"
	// TypeRowID is the Id column: INTEGER to users and to SQLite's affinity rules, declared
	// apart so that a query reports the ROWID type code for it (a result column's declared type
	// is all SQLite says about where its values come from).
	TypeRowID = "ROWID_INTEGER"
)

// PEP 249 type codes, as cursor.description reports them.
const (
	CodeString   = "STRING"
	CodeNumber   = "NUMBER"
	CodeDatetime = "DATETIME"
	CodeBinary   = "BINARY"
	CodeRowID    = "ROWID"
)

// SQLType is one declared type of the driver's columns.
type SQLType struct {
	Decl     string // declared to SQLite (TypeInteger, …)
	Name     string // shown to users (sys_tablecolumns) and to Python, whose converter it chooses
	TypeCode string // the PEP 249 type_code of a plain reference to such a column
	Python   string // the Python value of such a column, for the README
}

// sqlTypes are the declared types of the driver's columns.
var sqlTypes = []SQLType{
	{Decl: TypeRowID, Name: "INTEGER", TypeCode: CodeRowID, Python: "`int`"},
	{Decl: TypeInteger, Name: "INTEGER", TypeCode: CodeNumber, Python: "`int`"},
	{Decl: TypeDecimal, Name: "DECIMAL", TypeCode: CodeNumber, Python: "`decimal.Decimal`"},
	{Decl: TypeDouble, Name: "DOUBLE", TypeCode: CodeNumber, Python: "`float`"},
	{Decl: TypeDate, Name: "DATE", TypeCode: CodeDatetime, Python: "`datetime.date`"},
	{Decl: TypeTime, Name: "TIME", TypeCode: CodeDatetime, Python: "`datetime.time`"},
	{Decl: TypeDatetime, Name: "DATETIME", TypeCode: CodeDatetime, Python: "`datetime.datetime` in UTC (aware)"},
	{Decl: TypeVarchar, Name: "VARCHAR", TypeCode: CodeString, Python: "`str`"},
}

// SQLTypeOf returns the driver's type declared as decl (case-insensitive); ok is false for other
// declared types (those of a user's TEMP tables, for one).
func SQLTypeOf(decl string) (t SQLType, ok bool) {
	for _, t := range sqlTypes {
		if strings.EqualFold(t.Decl, decl) {
			return t, true
		}
	}
	return SQLType{}, false
}

// PublicType is the type name shown to users for a declared type.
func PublicType(decl string) string {
	if t, ok := SQLTypeOf(decl); ok {
		return t.Name
	}
	return decl
}

// Condition says when a Mapping replaces the unconditional one of the same field.
type Condition int

// The conditions of the type table.
const (
	Always            Condition = iota
	NumberMapToDouble           // the connection property NumberMapToDouble=true
	AppHasCode                  // the app has an app code (RECORD_NUMBER values carry it)
)

// holds reports whether the condition holds for an app with the code appCode under opts.
func (c Condition) holds(opts Options, appCode string) bool {
	switch c {
	case NumberMapToDouble:
		return opts.NumberMapToDouble
	case AppHasCode:
		return appCode != ""
	}
	return true
}

// Mapping is one row of the type table: fields whose columns share a declared type and a
// stored form.
type Mapping struct {
	System      string    // the system columns of the row, for the README
	Fields      []string  // kintone field types
	CalcFormats []string  // formats of CALC fields
	When        Condition // Always, or when the row replaces the unconditional one
	Decl        string    // the declared type: a Decl of sqlTypes
	Storage     string    // the value SQLite holds, for the README
}

// mappings is the type table. Build reads it for every field; the system columns are declared
// in Build with the types their rows name.
var mappings = []Mapping{
	{System: "`Id` (the record's `$id`; in a child table, the subtable row's id)", Decl: TypeRowID, Storage: "integer"},
	{System: "`Revision` (`$revision`), `RecordId` (in a child table, the record's `$id`)",
		Fields: []string{"RECORD_NUMBER"}, Decl: TypeInteger, Storage: "integer"},
	{Fields: []string{"RECORD_NUMBER"}, When: AppHasCode, Decl: TypeVarchar, Storage: "text `<app code>-<number>`"},
	{Fields: []string{"NUMBER"}, CalcFormats: []string{"NUMBER", "NUMBER_DIGIT"}, Decl: TypeDecimal, Storage: "integer or real"},
	{Fields: []string{"NUMBER"}, CalcFormats: []string{"NUMBER", "NUMBER_DIGIT"}, When: NumberMapToDouble, Decl: TypeDouble, Storage: "real"},
	{Fields: []string{"DATE"}, CalcFormats: []string{"DATE"}, Decl: TypeDate, Storage: "text `YYYY-MM-DD`"},
	{Fields: []string{"TIME"}, CalcFormats: []string{"TIME"}, Decl: TypeTime, Storage: "text `HH:MM:SS`"},
	{Fields: []string{"DATETIME", "CREATED_TIME", "UPDATED_TIME"}, CalcFormats: []string{"DATETIME"}, Decl: TypeDatetime,
		Storage: "text `YYYY-MM-DDTHH:MM:SSZ` (UTC)"},
	{Fields: []string{"SINGLE_LINE_TEXT", "MULTI_LINE_TEXT", "RICH_TEXT", "LINK", "RADIO_BUTTON", "DROP_DOWN", "STATUS"},
		Decl: TypeVarchar, Storage: "text"},
	{Fields: []string{"CREATOR", "MODIFIER"}, Decl: TypeVarchar, Storage: "the user's login name"},
	{Fields: []string{"CHECK_BOX", "MULTI_SELECT", "CATEGORY"}, Decl: TypeVarchar,
		Storage: "JSON array of the selected options, `[\"a\",\"b\"]`"},
	{Fields: []string{"USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "STATUS_ASSIGNEE"}, Decl: TypeVarchar,
		Storage: "JSON array `[{\"code\":…,\"name\":…}]`"},
	{Fields: []string{"FILE"}, Decl: TypeVarchar, Storage: "JSON array `[{\"contentType\",\"fileKey\",\"name\",\"size\"}]`"},
	{CalcFormats: []string{"HOUR_MINUTE", "DAY_HOUR_MINUTE"}, Decl: TypeVarchar, Storage: "kintone's text"},
}

// declFor returns the declared type of a field of type fieldType (and CALC format calcFormat)
// in an app with the code appCode; ok is false for a type or format the table does not have.
func declFor(fieldType, calcFormat, appCode string, opts Options) (decl string, ok bool) {
	for _, m := range mappings {
		if !m.has(fieldType, calcFormat) {
			continue
		}
		if m.When == Always {
			decl, ok = m.Decl, true
		} else if m.When.holds(opts, appCode) {
			return m.Decl, true
		}
	}
	return decl, ok
}

func (m *Mapping) has(fieldType, calcFormat string) bool {
	if fieldType == "CALC" {
		return contains(m.CalcFormats, calcFormat)
	}
	return contains(m.Fields, fieldType)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// MarkdownTypes returns the README's table of types, generated from the type table.
func MarkdownTypes() string {
	var b strings.Builder
	b.WriteString("| kintone field | SQL type | `type_code` | stored in SQLite as | Python value |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, m := range mappings {
		t, _ := SQLTypeOf(m.Decl)
		b.WriteString("| " + m.fieldsText() + " | " + t.Name + " | " + t.TypeCode + " | " + m.Storage + " | " + t.Python + " |\n")
	}
	return b.String()
}

// fieldsText names the row's columns: "NUMBER, CALC (NUMBER, NUMBER_DIGIT) with …".
func (m *Mapping) fieldsText() string {
	var parts []string
	if m.System != "" {
		parts = append(parts, m.System)
	}
	parts = append(parts, m.Fields...)
	if len(m.CalcFormats) > 0 {
		parts = append(parts, "CALC ("+strings.Join(m.CalcFormats, ", ")+")")
	}
	text := strings.Join(parts, ", ")
	switch m.When {
	case NumberMapToDouble:
		text += " with `NumberMapToDouble=true`"
	case AppHasCode:
		text += " of an app with an app code"
	}
	return text
}
