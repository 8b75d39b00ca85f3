// Package schema turns kintone apps and their form fields into SQL tables and columns, and
// kintone field values into SQL values.
//
// The mapping is the driver's data model: every app is a table, every SUBTABLE field a child
// table, every field a typed column; empty kintone values become NULL.
package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Declared SQL types. They select both SQLite's column affinity and the Python conversion.
const (
	TypeInteger = "INTEGER"
	TypeDecimal = "DECIMAL" // NUMERIC affinity; Python gets decimal.Decimal
	TypeDouble  = "DOUBLE"  // REAL affinity; Python gets float
	TypeVarchar = "VARCHAR"
	// Dates and times are declared with names of their own: go-sqlite3 rewrites values of
	// columns declared exactly DATE, DATETIME or TIMESTAMP into time.Time (and unparsable text
	// into the zero time), which would lose data. PublicType maps them back for users.
	TypeDate     = "ISODATE"
	TypeTime     = "ISOTIME"
	TypeDatetime = "ISODATETIME"
)

// PublicType is the type name shown to users for a declared type.
func PublicType(decl string) string {
	switch strings.ToUpper(decl) {
	case TypeDate:
		return "DATE"
	case TypeTime:
		return "TIME"
	case TypeDatetime:
		return "DATETIME"
	}
	return decl
}

// Affinity is SQLite's column affinity, derived from the declared type.
type Affinity int

// SQLite's affinities.
const (
	AffText Affinity = iota
	AffNumeric
	AffInteger
	AffReal
	AffBlob
)

// AffinityOf applies SQLite's rules (datatype3.html §3.1) to a declared type.
func AffinityOf(decl string) Affinity {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return AffInteger
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return AffText
	case d == "" || strings.Contains(d, "BLOB"):
		return AffBlob
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return AffReal
	default:
		return AffNumeric
	}
}

// Column is one SQL column of a table.
type Column struct {
	Name      string // SQL name
	FieldCode string // kintone field code; "$id" / "$revision" for the system columns
	FieldType string // kintone field type; "__ID__", "__REVISION__" for the system columns
	Format    string // CALC format
	DeclType  string // declared SQL type
	Label     string
	Role      string   // "" for a field; "rowid" (child Id), "parent" (child RecordId)
	Options   []string // option labels of selection fields
}

// HasOption reports whether s is one of the column's option labels.
func (c *Column) HasOption(s string) bool {
	for _, o := range c.Options {
		if o == s {
			return true
		}
	}
	return false
}

// Affinity is the column's SQLite affinity.
func (c *Column) Affinity() Affinity { return AffinityOf(c.DeclType) }

// Table is an app (Subtable == "") or one SUBTABLE field of an app.
type Table struct {
	Name     string
	AppID    int64
	AppName  string
	Subtable string // field code of the SUBTABLE for a child table
	System   string // name of a system table (sys_tables, …); its rows come from the engine
	Columns  []Column
}

// Column returns the column with the given SQL name (case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// CreateSQL is the CREATE TABLE statement given to sqlite3_declare_vtab.
func (t *Table) CreateSQL() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE x(")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteIdent(c.Name))
		b.WriteString(" ")
		b.WriteString(c.DeclType)
	}
	b.WriteString(")")
	return b.String()
}

// QuoteIdent quotes an SQL identifier with double quotes.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Field is the part of a kintone form field property the mapping needs.
type Field struct {
	Code, Type, Label, Format string
	Fields                    map[string]Field // SUBTABLE inner fields
	Enabled                   *bool            // CATEGORY, STATUS, STATUS_ASSIGNEE
	Options                   []string         // option labels of selection fields
}

// Options are the connection properties that shape the mapping.
type Options struct {
	UseCodeForFieldName bool
	NumberMapToDouble   bool
	SubtableSeparator   string
}

// System column names. A field whose name clashes with one of them gets a suffix.
const (
	ColID       = "Id"
	ColRevision = "Revision"
	ColRecordID = "RecordId"
)

// Build returns the table of an app followed by one child table per SUBTABLE field.
// appCode is the app's code (RECORD_NUMBER values carry it as a prefix when set).
func Build(name string, appID int64, appCode string, fields map[string]Field, opts Options) []*Table {
	main := &Table{Name: name, AppID: appID, AppName: name}
	main.Columns = append(main.Columns,
		Column{Name: ColID, FieldCode: "$id", FieldType: "__ID__", DeclType: TypeInteger},
		Column{Name: ColRevision, FieldCode: "$revision", FieldType: "__REVISION__", DeclType: TypeInteger},
	)
	codes := sortedCodes(fields)
	var children []*Table
	used := map[string]bool{strings.ToLower(ColID): true, strings.ToLower(ColRevision): true}
	for _, code := range codes {
		f := fields[code]
		if f.Type == "SUBTABLE" {
			children = append(children, buildChild(main, f, opts))
			continue
		}
		col, ok := columnFor(f, appCode, opts)
		if !ok {
			continue
		}
		col.Name = uniqueName(col.Name, f.Code, used)
		main.Columns = append(main.Columns, col)
	}
	return append([]*Table{main}, children...)
}

func buildChild(parent *Table, sub Field, opts Options) *Table {
	label := sub.Label
	if opts.UseCodeForFieldName || label == "" {
		label = sub.Code
	}
	sep := opts.SubtableSeparator
	t := &Table{Name: parent.Name + sep + label, AppID: parent.AppID, AppName: parent.AppName, Subtable: sub.Code}
	t.Columns = append(t.Columns,
		Column{Name: ColID, FieldCode: "id", FieldType: "__ID__", DeclType: TypeInteger, Role: "rowid"},
		Column{Name: ColRecordID, FieldCode: "$id", FieldType: "__ID__", DeclType: TypeInteger, Role: "parent"},
	)
	used := map[string]bool{strings.ToLower(ColID): true, strings.ToLower(ColRecordID): true}
	for _, code := range sortedCodes(sub.Fields) {
		col, ok := columnFor(sub.Fields[code], "", opts)
		if !ok {
			continue
		}
		col.Name = uniqueName(col.Name, code, used)
		t.Columns = append(t.Columns, col)
	}
	return t
}

// sortedCodes orders fields by code so that column order is stable across runs. (The form
// layout order would be nicer; it needs another request per app.)
func sortedCodes(fields map[string]Field) []string {
	codes := make([]string, 0, len(fields))
	for c := range fields {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// uniqueName returns name, or name_code when the name is taken (case-insensitively, as SQL
// identifiers are), then name_code_2, …
func uniqueName(name, code string, used map[string]bool) string {
	cand := name
	if used[strings.ToLower(cand)] {
		cand = name + "_" + code
	}
	base := cand
	for i := 2; used[strings.ToLower(cand)]; i++ {
		cand = base + "_" + strconv.Itoa(i)
	}
	used[strings.ToLower(cand)] = true
	return cand
}

// columnFor maps one field; ok is false for fields that hold no value.
func columnFor(f Field, appCode string, opts Options) (Column, bool) {
	name := f.Label
	if opts.UseCodeForFieldName || name == "" {
		name = f.Code
	}
	c := Column{Name: name, FieldCode: f.Code, FieldType: f.Type, Format: f.Format, Label: f.Label, Options: f.Options}
	number := TypeDecimal
	if opts.NumberMapToDouble {
		number = TypeDouble
	}
	switch f.Type {
	case "NUMBER":
		c.DeclType = number
	case "CALC":
		switch f.Format {
		case "DATE":
			c.DeclType = TypeDate
		case "TIME":
			c.DeclType = TypeTime
		case "DATETIME":
			c.DeclType = TypeDatetime
		case "HOUR_MINUTE", "DAY_HOUR_MINUTE":
			c.DeclType = TypeVarchar
		default:
			c.DeclType = number
		}
	case "RECORD_NUMBER":
		if appCode == "" {
			c.DeclType = TypeInteger
		} else {
			c.DeclType = TypeVarchar
		}
	case "DATE":
		c.DeclType = TypeDate
	case "TIME":
		c.DeclType = TypeTime
	case "DATETIME", "CREATED_TIME", "UPDATED_TIME":
		c.DeclType = TypeDatetime
	case "SINGLE_LINE_TEXT", "MULTI_LINE_TEXT", "RICH_TEXT", "LINK", "RADIO_BUTTON", "DROP_DOWN",
		"CHECK_BOX", "MULTI_SELECT", "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT",
		"CREATOR", "MODIFIER", "FILE":
		c.DeclType = TypeVarchar
	case "STATUS", "STATUS_ASSIGNEE", "CATEGORY":
		if f.Enabled != nil && !*f.Enabled {
			return c, false
		}
		c.DeclType = TypeVarchar
	default: // REFERENCE_TABLE, GROUP, LABEL, SPACER, HR, SUBTABLE and types unknown to this version
		return c, false
	}
	return c, true
}

// Value converts a kintone field value (the JSON of "value") into an SQL value: nil, int64,
// float64 or string. Every empty kintone value (null, "", []) becomes nil.
func (c *Column) Value(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` || string(raw) == "[]" {
		return nil, nil
	}
	switch c.FieldType {
	case "CHECK_BOX", "MULTI_SELECT", "CATEGORY":
		var vs []string
		if err := json.Unmarshal(raw, &vs); err != nil {
			return nil, c.badValue(raw, err)
		}
		return compactJSON(vs)
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "STATUS_ASSIGNEE":
		var vs []struct {
			Code string `json:"code"`
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &vs); err != nil {
			return nil, c.badValue(raw, err)
		}
		return compactJSON(vs)
	case "FILE":
		var vs []struct {
			ContentType string `json:"contentType"`
			FileKey     string `json:"fileKey"`
			Name        string `json:"name"`
			Size        string `json:"size"`
		}
		if err := json.Unmarshal(raw, &vs); err != nil {
			return nil, c.badValue(raw, err)
		}
		return compactJSON(vs)
	case "CREATOR", "MODIFIER":
		var v struct {
			Code string `json:"code"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, c.badValue(raw, err)
		}
		if v.Code == "" {
			return nil, nil
		}
		return v.Code, nil
	}
	var s string
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && !hasEscapeOrControl(raw[1:n-1]) {
		s = string(raw[1 : n-1]) // the common case, without the decoder's cost
	} else if err := json.Unmarshal(raw, &s); err != nil {
		// Numbers sometimes arrive unquoted from other kintone-compatible servers.
		if c.DeclType == TypeDecimal || c.DeclType == TypeDouble || c.DeclType == TypeInteger {
			s = string(raw)
		} else {
			return nil, c.badValue(raw, err)
		}
	}
	return c.FromText(s)
}

// FromText converts the text form of a value (as kintone writes it) into the SQL value.
func (c *Column) FromText(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch c.DeclType {
	case TypeInteger:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		return s, nil // RECORD_NUMBER with a prefix, kept as text rather than lost
	case TypeDecimal:
		return ParseNumber(s), nil
	case TypeDouble:
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f, nil
		}
		return s, nil
	case TypeTime:
		if len(s) == 5 { // kintone writes HH:MM
			return s + ":00", nil
		}
		return s, nil
	case TypeDatetime:
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return s, nil
		}
		return FormatDatetime(t), nil
	}
	return s, nil
}

// ParseNumber returns an int64 when s is an integer that fits, else a float64; text that is
// not a number is returned unchanged rather than lost.
func ParseNumber(s string) any {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 && !strings.ContainsAny(t, ".eE") {
			return int64(f)
		}
		return f
	}
	return s
}

// DatetimeLayout is how DATETIME values are stored in SQLite: ISO-8601 in UTC.
const DatetimeLayout = "2006-01-02T15:04:05Z"

// FormatDatetime renders t in DatetimeLayout.
func FormatDatetime(t time.Time) string { return t.UTC().Format(DatetimeLayout) }

func compactJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (c *Column) badValue(raw json.RawMessage, err error) error {
	s := string(raw)
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Errorf("kintone sent an unexpected value for field %q (%s): %s: %v", c.FieldCode, c.FieldType, s, err)
}

// hasEscapeOrControl reports whether a JSON string body needs the decoder: an escape, a quote
// or a control character (which valid JSON cannot hold raw).
func hasEscapeOrControl(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 {
			return true
		}
	}
	return false
}
