// Package schema turns kintone apps and their form fields into SQL tables and columns, and
// kintone field values into SQL values.
//
// The mapping is the driver's data model: every app is a table, every SUBTABLE field a child
// table, every field a typed column; empty kintone values become NULL.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

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
	// CopiedBy names the column of the lookup field that fills this field from its source
	// record ("" when no lookup does): kintone ignores values written to it.
	CopiedBy string
	// AutoCalc is a SINGLE_LINE_TEXT field with a formula: kintone computes its value.
	AutoCalc bool
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
	Expression                string           // the formula of a CALC or auto-calculated SINGLE_LINE_TEXT field
	// CopyTargets are, for a lookup field, the codes of the fields its lookup fills from the
	// source record (the lookup's fieldMappings[].field).
	CopyTargets []string
}

// Options are the connection properties that shape the mapping.
type Options struct {
	UseCodeForFieldName bool
	NumberMapToDouble   bool
	SubtableSeparator   string
	// UseSimpleNames reduces column names, and the subtable part of child tables' names, to
	// letters, digits and underscores (SimpleName).
	UseSimpleNames bool
	// SubtablesIn names the apps (by table name or app id) whose SUBTABLE fields become child
	// tables; nil or "*" means every app.
	SubtablesIn []string
}

// name is a column or subtable name as the options shape it.
func (o Options) name(s string) string {
	if o.UseSimpleNames {
		return SimpleName(s)
	}
	return s
}

// hasSubtables reports whether the app's SUBTABLE fields become child tables.
func (o Options) hasSubtables(name string, appID int64) bool {
	if len(o.SubtablesIn) == 0 {
		return true
	}
	id := strconv.FormatInt(appID, 10)
	for _, s := range o.SubtablesIn {
		if s == "*" || s == id || strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// SimpleName is name with every character other than an ASCII letter, digit or underscore
// replaced by an underscore, and an underscore in front of a leading digit: a name that SQL
// and pandas take without quoting.
func SimpleName(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// System column names. A field whose name clashes with one of them gets a suffix.
const (
	ColID       = "Id"
	ColRevision = "Revision"
	ColRecordID = "RecordId"
)

// Build returns the table of an app followed by one child table per SUBTABLE field.
// appCode is the app's code (RECORD_NUMBER values carry it as a prefix when set). warnings
// name the fields left out or read as text because this version does not know their type or
// format; the rest of the app is mapped as usual.
func Build(name string, appID int64, appCode string, fields map[string]Field, opts Options) (tables []*Table, warnings []string) {
	main := &Table{Name: name, AppID: appID, AppName: name}
	main.Columns = append(main.Columns,
		Column{Name: ColID, FieldCode: "$id", FieldType: "__ID__", DeclType: TypeRowID},
		Column{Name: ColRevision, FieldCode: "$revision", FieldType: "__REVISION__", DeclType: TypeInteger},
	)
	warn := func(f Field, what string) {
		warnings = append(warnings, fmt.Sprintf("app %d (table %s): field %q %s", appID, name, f.Code, what))
	}
	codes := sortedCodes(fields)
	var children []*Table
	used := map[string]bool{strings.ToLower(ColID): true, strings.ToLower(ColRevision): true}
	for _, code := range codes {
		f := fields[code]
		if f.Type == "SUBTABLE" {
			if opts.hasSubtables(name, appID) {
				children = append(children, buildChild(main, f, opts, warn))
			}
			continue
		}
		col, ok := columnFor(f, appCode, opts, warn)
		if !ok {
			continue
		}
		col.Name = uniqueName(col.Name, opts.name(f.Code), used)
		main.Columns = append(main.Columns, col)
	}
	tables = append([]*Table{main}, children...)
	markCopyTargets(tables, fields)
	return tables, warnings
}

// markCopyTargets sets CopiedBy on the columns whose fields a lookup fills. kintone keeps a
// lookup and its targets in one table (the record, or one SUBTABLE), and field codes are
// unique in an app.
func markCopyTargets(tables []*Table, fields map[string]Field) {
	lookupOf := map[string]string{} // target code -> lookup code
	var collect func(map[string]Field)
	collect = func(fields map[string]Field) {
		for code, f := range fields {
			for _, target := range f.CopyTargets {
				lookupOf[target] = code
			}
			collect(f.Fields)
		}
	}
	collect(fields)
	if len(lookupOf) == 0 {
		return
	}
	for _, t := range tables {
		for i := range t.Columns {
			c := &t.Columns[i]
			lookup, ok := lookupOf[c.FieldCode]
			if !ok || c.Role != "" {
				continue
			}
			c.CopiedBy = lookup // its code, should the lookup have no column
			if k := t.fieldColumn(lookup); k != nil {
				c.CopiedBy = k.Name
			}
		}
	}
}

// fieldColumn returns the column of the field with the given code, or nil.
func (t *Table) fieldColumn(code string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Role == "" && t.Columns[i].FieldCode == code {
			return &t.Columns[i]
		}
	}
	return nil
}

func buildChild(parent *Table, sub Field, opts Options, warn func(Field, string)) *Table {
	label := sub.Label
	if opts.UseCodeForFieldName || label == "" {
		label = sub.Code
	}
	sep := opts.SubtableSeparator
	t := &Table{Name: parent.Name + sep + opts.name(label), AppID: parent.AppID, AppName: parent.AppName, Subtable: sub.Code}
	t.Columns = append(t.Columns,
		Column{Name: ColID, FieldCode: "id", FieldType: "__ID__", DeclType: TypeRowID, Role: "rowid"},
		Column{Name: ColRecordID, FieldCode: "$id", FieldType: "__ID__", DeclType: TypeInteger, Role: "parent"},
	)
	used := map[string]bool{strings.ToLower(ColID): true, strings.ToLower(ColRecordID): true}
	for _, code := range sortedCodes(sub.Fields) {
		f := sub.Fields[code]
		col, ok := columnFor(f, "", opts, func(f Field, what string) { warn(f, what+" (in table "+strconv.Quote(sub.Code)+")") })
		if !ok {
			continue
		}
		col.Name = uniqueName(col.Name, opts.name(code), used)
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

// columnFor maps one field; ok is false for fields that hold no value. warn (may be nil) is
// told about a type or format this version does not know.
func columnFor(f Field, appCode string, opts Options, warn func(Field, string)) (Column, bool) {
	name := f.Label
	if opts.UseCodeForFieldName || name == "" {
		name = f.Code
	}
	c := Column{Name: opts.name(name), FieldCode: f.Code, FieldType: f.Type, Format: f.Format, Label: f.Label, Options: f.Options,
		AutoCalc: f.Type == "SINGLE_LINE_TEXT" && f.Expression != ""}
	switch f.Type {
	case "REFERENCE_TABLE", "GROUP", "LABEL", "SPACER", "HR", "SUBTABLE":
		return c, false // hold no value
	case "STATUS", "STATUS_ASSIGNEE", "CATEGORY":
		if f.Enabled != nil && !*f.Enabled {
			return c, false
		}
	}
	format := f.Format
	if f.Type == "CALC" && format == "" {
		format = "NUMBER" // kintone's default format
	}
	decl, ok := declFor(f.Type, format, appCode, opts)
	switch {
	case ok:
		c.DeclType = decl
	case f.Type == "CALC": // a format unknown to this version: its values are kept as the text sent
		c.DeclType = TypeVarchar
		if warn != nil {
			warn(f, fmt.Sprintf("(CALC) has the format %q, unknown to this driver version; its values are read as text", f.Format))
		}
	default: // a type unknown to this version
		if warn != nil {
			warn(f, fmt.Sprintf("has the type %q, unknown to this driver version; its column is left out", f.Type))
		}
		return c, false
	}
	return c, true
}

// Value converts a kintone field value (the JSON of "value") into an SQL value: nil, int64,
// float64 or string. Every empty kintone value (null, "", and [] for the fields that hold
// lists) becomes nil.
//
// A value is never silently changed: it is converted when its meaning is certain (a number
// as text becomes that number, a time is normalised to UTC), kept exactly as text when it is
// representable but unexpected (a NUMBER " 42 " or "0x1F", a RECORD_NUMBER "A-7"), and
// otherwise refused with a *ValueError (an object where text is expected, a list of the
// wrong shape, a boolean, a number where text is expected).
func (c *Column) Value(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil, nil
	}
	switch c.FieldType {
	case "CHECK_BOX", "MULTI_SELECT", "CATEGORY":
		if string(raw) == "[]" {
			return nil, nil
		}
		return c.stringList(raw)
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "STATUS_ASSIGNEE":
		if string(raw) == "[]" {
			return nil, nil
		}
		return c.objectList(raw, entityKeys)
	case "FILE":
		if string(raw) == "[]" {
			return nil, nil
		}
		return c.objectList(raw, fileKeys)
	case "CREATOR", "MODIFIER":
		if code, ok := plainCode(raw); ok {
			if code == "" { // an inactive or deleted user
				return nil, nil
			}
			return code, nil
		}
		var v *entityWire
		if err := json.Unmarshal(raw, &v); err != nil || v == nil {
			return nil, c.badValue(raw, "is not an object {\"code\": …}")
		}
		if v.Code == nil {
			return nil, c.badValue(raw, "has no \"code\"")
		}
		code, err := jsonText(v.Code)
		if err != nil {
			return nil, c.badValue(raw, "has a \"code\" that "+err.Error())
		}
		if code == "" { // an inactive or deleted user
			return nil, nil
		}
		return code, nil
	}
	var s string
	switch b := raw[0]; {
	case b == '"':
		var err error
		if s, err = jsonText(raw); err != nil {
			return nil, c.badValue(raw, err.Error())
		}
	case b == '-' || (b >= '0' && b <= '9'):
		// Numbers sometimes arrive unquoted from other kintone-compatible servers: the JSON
		// number's text is read as kintone's text would be.
		switch c.DeclType {
		case TypeRowID, TypeInteger, TypeDecimal, TypeDouble:
			s = string(raw)
		default:
			return nil, c.badValue(raw, "is a number where text is expected")
		}
	default: // true, false, an object or a list
		switch c.DeclType {
		case TypeRowID, TypeInteger, TypeDecimal, TypeDouble:
			return nil, c.badValue(raw, "is neither a number nor text")
		}
		return nil, c.badValue(raw, "is not text")
	}
	return c.FromText(s)
}

// FromText converts the text form of a value (as kintone writes it) into the SQL value. Text
// that is not exactly in the form the column's type expects is returned unchanged.
func (c *Column) FromText(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch c.DeclType {
	case TypeRowID, TypeInteger:
		// Only the canonical form: "+7", "007", " 7" or "0x7" stay text, exactly as sent
		// (a RECORD_NUMBER with a prefix, an id kintone never writes).
		if n, ok := canonicalInt(s); ok {
			return n, nil
		}
		return s, nil
	case TypeDecimal:
		return numericValue(ParseNumber(s)), nil
	case TypeDouble:
		if f, ok := parseFloat(s); ok {
			return f, nil
		}
		return s, nil
	case TypeTime:
		if isHourMinute(s) { // kintone writes HH:MM
			return s + ":00", nil
		}
		return s, nil
	case TypeDatetime:
		t, err := time.Parse(time.RFC3339, s)
		if err == nil && len(s) == len(DatetimeLayout) && s[len(s)-1] == 'Z' {
			return s, nil // already the stored form (kintone's): FormatDatetime(t) == s
		}
		if err != nil || t.Nanosecond() != 0 {
			// Not kintone's form, or a fraction of a second the stored form (whole seconds)
			// would drop: kept as sent.
			return s, nil
		}
		return FormatDatetime(t), nil
	}
	return s, nil
}

// canonicalInt parses s when it is an integer in the form kintone writes ids in: decimal,
// without a "+" sign, leading zeros or "-0", within 64 bits.
func canonicalInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && s[0] != '+' && (s[0] != '0' || len(s) == 1) && !strings.HasPrefix(s, "-0")
}

// ParseNumber returns an int64 when s is a decimal integer that fits, else a float64 when s is
// a decimal number (optional sign, digits, optional fraction and exponent) within the range
// of doubles; anything else (blanks, hexadecimal, NaN, Infinity, thousands separators, a value
// too large or too small for a double) is returned unchanged rather than changed or lost.
func ParseNumber(s string) any {
	if !isDecimalNumeral(s) {
		return s
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, ok := parseFloat(s); ok {
		return f
	}
	return s
}

// numericValue applies what NUMERIC affinity does to a REAL stored in a DECIMAL column of an
// ordinary SQLite table: a value without a fraction that fits in 64 bits becomes an INTEGER
// ("5.0" is 5, "3.0e+5" is 300000), so typeof(), CAST and Decimal see what SQLite would store.
func numericValue(v any) any {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && f > -9223372036854775808.0 && f < 9223372036854775808.0 {
		if i := int64(f); i > math.MinInt64 && i < math.MaxInt64 {
			return i
		}
	}
	return v
}

// parseFloat parses a decimal numeral into a finite double; ok is false for other text, for
// values beyond the range of doubles and for non-zero values that would round to zero.
func parseFloat(s string) (float64, bool) {
	if !isDecimalNumeral(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 {
		mant := s
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			mant = s[:i]
		}
		if strings.ContainsAny(mant, "123456789") {
			return 0, false // underflow: not zero
		}
	}
	return f, true
}

// isDecimalNumeral reports whether s is [+-]digits[.digits][(e|E)[+-]digits], with at least one
// digit before or after the point: the numbers kintone and JSON write.
func isDecimalNumeral(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func isHourMinute(s string) bool {
	return len(s) == 5 && s[2] == ':' && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[3]) && isDigit(s[4])
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// DatetimeLayout is how DATETIME values are stored in SQLite: ISO-8601 in UTC.
const DatetimeLayout = "2006-01-02T15:04:05Z"

// FormatDatetime renders t in DatetimeLayout.
func FormatDatetime(t time.Time) string { return t.UTC().Format(DatetimeLayout) }

// ValueError is a kintone value that a column cannot hold without changing it.
type ValueError struct {
	Field  string // field code
	Type   string // field type
	Value  string // the JSON as received, shortened
	Reason string // what is wrong with it
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("field %q (%s) has the value %s, which %s", e.Field, e.Type, e.Value, e.Reason)
}

// ShortJSON shortens JSON text for messages: at most 80 bytes, cut at a character boundary.
func ShortJSON(raw []byte) string {
	const max = 80
	if len(raw) <= max {
		return string(raw)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return string(raw[:cut]) + "…"
}

func (c *Column) badValue(raw json.RawMessage, reason string) error {
	return &ValueError{Field: c.FieldCode, Type: c.FieldType, Value: ShortJSON(raw), Reason: reason}
}

// jsonText decodes a JSON string exactly. The decoder would put U+FFFD in place of invalid
// UTF-8 and of lone surrogate escapes ("\ud800"): such a string is refused rather than changed.
func jsonText(raw []byte) (string, error) {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
		return "", errNotText
	}
	if plainText(raw[1 : n-1]) {
		return string(raw[1 : n-1]), nil // the common case, without the decoder's cost
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errNotText
	}
	if strings.ContainsRune(s, utf8.RuneError) && strings.Count(s, "\uFFFD") != sentReplacements(raw) {
		return "", errors.New("is not valid Unicode (invalid UTF-8 or a lone surrogate escape)")
	}
	return s, nil
}

var errNotText = errors.New("is not text")

// sentReplacements counts the U+FFFD characters raw holds itself, literally or as \ufffd.
func sentReplacements(raw []byte) int {
	n := bytes.Count(raw, []byte("\uFFFD"))
	for i := 0; i+5 < len(raw); i++ {
		if raw[i] == '\\' {
			if raw[i+1] == 'u' && strings.EqualFold(string(raw[i+2:i+6]), "fffd") {
				n++
			}
			i++ // skip the escaped character (so "\\ufffd" is not counted)
		}
	}
	return n
}

// plainText reports whether a JSON string body is its own value: no escape, quote or control
// character (which valid JSON cannot hold raw), and valid UTF-8.
func plainText(b []byte) bool {
	high := false
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 {
			return false
		}
		if c >= 0x80 {
			high = true
		}
	}
	return !high || utf8.Valid(b)
}

// stringList converts a list of texts (CHECK_BOX, MULTI_SELECT, CATEGORY) into its JSON.
func (c *Column) stringList(raw json.RawMessage) (any, error) {
	if out, ok := plainStringList(raw); ok {
		return out, nil
	}
	var vs []*string // pointers: a null element is refused, not read as ""
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, c.badValue(raw, "is not a list of texts")
	}
	if len(vs) == 0 {
		return nil, nil
	}
	b := make([]byte, 0, len(raw))
	b = append(b, '[')
	for i, v := range vs {
		if v == nil {
			return nil, c.badValue(raw, "is not a list of texts (it holds null)")
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, *v)
	}
	b = append(b, ']')
	if err := c.checkReplacements(raw, b); err != nil {
		return nil, err
	}
	return string(b), nil
}

// entityWire and fileWire are the objects of USER_SELECT-like and FILE values. Their keys stay
// raw so that a missing key, null and a value of another type can be told apart.
type entityWire struct {
	Code json.RawMessage `json:"code"`
	Name json.RawMessage `json:"name"`
}

type objectKey struct {
	name string
	get  func(*objectWire) json.RawMessage
}

type objectWire struct {
	Code        json.RawMessage `json:"code"`
	Name        json.RawMessage `json:"name"`
	ContentType json.RawMessage `json:"contentType"`
	FileKey     json.RawMessage `json:"fileKey"`
	Size        json.RawMessage `json:"size"`
}

// The keys that identify a user, organization or group, and a file.
var (
	codeKey    = objectKey{"code", func(o *objectWire) json.RawMessage { return o.Code }}
	fileKeyKey = objectKey{"fileKey", func(o *objectWire) json.RawMessage { return o.FileKey }}
)

var entityKeys = []objectKey{
	codeKey,
	{"name", func(o *objectWire) json.RawMessage { return o.Name }},
}

var fileKeys = []objectKey{
	{"contentType", func(o *objectWire) json.RawMessage { return o.ContentType }},
	fileKeyKey,
	{"name", func(o *objectWire) json.RawMessage { return o.Name }},
	{"size", func(o *objectWire) json.RawMessage { return o.Size }},
}

// objectList converts a list of objects into the JSON of their keys, in the given order. A
// key kintone did not send is left out (never added as ""); a key whose value is not text, an
// element that is not an object, or a value that is not a list is refused.
func (c *Column) objectList(raw json.RawMessage, keys []objectKey) (any, error) {
	if out, ok := plainObjectList(raw, keys); ok {
		return out, nil
	}
	var vs []*objectWire
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, c.badValue(raw, "is not a list of objects")
	}
	if len(vs) == 0 {
		return nil, nil
	}
	b := make([]byte, 0, len(raw))
	b = append(b, '[')
	for i, v := range vs {
		if v == nil {
			return nil, c.badValue(raw, "is not a list of objects (it holds null)")
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		first := true
		for _, k := range keys {
			r := k.get(v)
			if r == nil {
				continue
			}
			s, err := jsonText(r)
			if err != nil {
				return nil, c.badValue(raw, fmt.Sprintf("has a %q that %s", k.name, err.Error()))
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, k.name)
			b = append(b, ':')
			b = appendJSONString(b, s)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if err := c.checkReplacements(raw, b); err != nil {
		return nil, err
	}
	return string(b), nil
}

// checkReplacements refuses a list whose texts the decoder changed (invalid UTF-8 or a lone
// surrogate escape became U+FFFD).
func (c *Column) checkReplacements(raw, out []byte) error {
	if bytes.Contains(out, []byte("\uFFFD")) && bytes.Count(out, []byte("\uFFFD")) != sentReplacements(raw) {
		return c.badValue(raw, "is not valid Unicode (invalid UTF-8 or a lone surrogate escape)")
	}
	return nil
}

// appendJSONString appends s as a JSON string, escaping only what JSON requires (quote,
// backslash, control characters): "<", ">", "&" and non-ASCII text stay as they are, so the
// column's text holds the options exactly as kintone sent them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 0x20 && ch != '"' && ch != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch ch {
		case '"', '\\':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[ch>>4], hex[ch&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// The fast paths below read the common shapes (texts without escapes) with a few byte
// comparisons and give up (ok false) on anything else, which then goes through encoding/json
// and its exact checks. What they return is what the slow path would.

// plainStringList reads ["a","b"] whose texts have no escapes; the result is the compact
// JSON of the list.
func plainStringList(raw []byte) (string, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return "", false
	}
	out := make([]byte, 0, len(raw))
	out = append(out, '[')
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return "", false // empty: let the slow path decide (it is rare here)
	}
	for {
		str, j, ok := plainString(raw, i)
		if !ok {
			return "", false
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, str...)
		i = skipSpace(raw, j)
		if i >= len(raw) {
			return "", false
		}
		if raw[i] == ']' {
			if skipSpace(raw, i+1) != len(raw) {
				return "", false
			}
			return string(append(out, ']')), true
		}
		if raw[i] != ',' {
			return "", false
		}
		i = skipSpace(raw, i+1)
	}
}

// plainObjectList reads [{"code":"a","name":"b"}, …] of plain objects (see plainObject); the
// result lists the known keys of each in keys' order.
func plainObjectList(raw []byte, keys []objectKey) (string, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' || len(keys) > maxPlainKeys {
		return "", false
	}
	out := make([]byte, 0, len(raw))
	out = append(out, '[')
	i = skipSpace(raw, i+1)
	for n := 0; ; n++ {
		var vals [maxPlainKeys][]byte
		var ok bool
		if i, ok = plainObject(raw, i, keys, &vals); !ok {
			return "", false
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, '{')
		first := true
		for ki, kk := range keys {
			if vals[ki] == nil {
				continue
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = append(out, '"')
			out = append(out, kk.name...)
			out = append(out, '"', ':')
			out = append(out, vals[ki]...)
		}
		out = append(out, '}')
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return "", false
		}
		if raw[i] == ']' {
			if skipSpace(raw, i+1) != len(raw) {
				return "", false
			}
			return string(append(out, ']')), true
		}
		if raw[i] != ',' {
			return "", false
		}
		i = skipSpace(raw, i+1)
	}
}

// maxPlainKeys is the most keys plainObject reads.
const maxPlainKeys = 8

// plainObject reads the object at raw[i] when its keys are distinct, its values texts without
// escapes and its keys spelled exactly as in keys (any other key is skipped when its value is
// such a text): vals[k] is the JSON string of keys[k] (nil: absent). It returns the index after
// the object; ok is false for any other object, which encoding/json then reads.
func plainObject(raw []byte, i int, keys []objectKey, vals *[maxPlainKeys][]byte) (int, bool) {
	if i >= len(raw) || raw[i] != '{' {
		return 0, false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return i + 1, true
	}
	for {
		key, j, ok := plainString(raw, i)
		if !ok {
			return 0, false
		}
		j = skipSpace(raw, j)
		if j >= len(raw) || raw[j] != ':' {
			return 0, false
		}
		val, k, ok := plainString(raw, skipSpace(raw, j+1))
		if !ok {
			return 0, false
		}
		name := key[1 : len(key)-1]
		known := false
		for ki, kk := range keys {
			if string(name) == kk.name {
				if vals[ki] != nil {
					return 0, false // a repeated key: encoding/json decides
				}
				vals[ki], known = val, true
				break
			}
		}
		if !known && !unmatched(name, keys) {
			return 0, false // a spelling encoding/json would match case-insensitively
		}
		i = skipSpace(raw, k)
		if i >= len(raw) {
			return 0, false
		}
		if raw[i] == '}' {
			return i + 1, true
		}
		if raw[i] != ',' {
			return 0, false
		}
		i = skipSpace(raw, i+1)
	}
}

// plainCode reads the code of a CREATOR or MODIFIER value {"code": "…", "name": "…"} that is a
// plain object (see plainObject) with a code; ok is false otherwise.
func plainCode(raw []byte) (string, bool) {
	var vals [maxPlainKeys][]byte
	end, ok := plainObject(raw, skipSpace(raw, 0), entityKeys, &vals)
	if !ok || skipSpace(raw, end) != len(raw) || vals[0] == nil {
		return "", false
	}
	return string(vals[0][1 : len(vals[0])-1]), true
}

// unmatched reports whether encoding/json would match name to none of keys (it matches
// case-insensitively).
func unmatched(name []byte, keys []objectKey) bool {
	for _, k := range keys {
		if strings.EqualFold(string(name), k.name) {
			return false
		}
	}
	return true
}

// plainString returns the JSON string starting at raw[i] (with its quotes) and the index
// after it; ok is false unless it is valid UTF-8 without escapes or control characters.
func plainString(raw []byte, i int) ([]byte, int, bool) {
	if i >= len(raw) || raw[i] != '"' {
		return nil, 0, false
	}
	high := false
	for j := i + 1; j < len(raw); j++ {
		switch c := raw[j]; {
		case c == '"':
			if high && !utf8.Valid(raw[i+1:j]) {
				return nil, 0, false
			}
			return raw[i : j+1], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= 0x80:
			high = true
		}
	}
	return nil, 0, false
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}
