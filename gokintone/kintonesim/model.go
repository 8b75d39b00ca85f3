package kintonesim

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// fieldDef is a field of an app's form as the simulator uses it.
type fieldDef struct {
	code  string
	typ   string
	prop  FieldProperty
	idx   int       // position in record.vals (or row.vals for subtable columns); -1 for system fields
	table *fieldDef // the SUBTABLE a column belongs to
	inner []*fieldDef
	// options lists the valid choices of a selection field.
	options map[string]bool
	enabled bool // false for a STATUS/CATEGORY/STATUS_ASSIGNEE field whose feature is off
	// formula is the parsed expression of a field kintone computes (calc.go); nil when the field
	// has none, or one that deploy refuses (appDef.badFormulas).
	formula *formula
}

// appDef is an app: its settings, form and records.
type appDef struct {
	meta      App
	createdAt time.Time
	creator   int32
	fields    []*fieldDef          // top-level fields, sorted by code
	byCode    map[string]*fieldDef // every field including subtable columns
	stored    []*fieldDef          // top-level fields held in record.vals, by idx
	schema    kquery.Schema
	sys       struct{ recordNumber, creator, createdTime, modifier, updatedTime string }
	tokens    []*APIToken
	// hasFormulas says some field is computed; badFormulas are the formulas kintone would
	// refuse at deploy, whose fields keep the values they are given.
	hasFormulas bool
	badFormulas []*formulaError
	precision   precision // of formulas: meta.NumberPrecision read

	// records sorted by ascending id.
	records   []*record
	nextID    int64
	nextRowID int64
}

// record is a stored record. Values are kept compactly (see the value kinds in values.go).
type record struct {
	id, rev           int64
	created, updated  int64 // Unix seconds, UTC, whole minutes
	creator, modifier int32 // directory indexes
	vals              []any
}

// row is a stored subtable row.
type row struct {
	id   int64
	vals []any
}

// fileRef is a stored attachment.
type fileRef struct {
	contentType, fileKey, name string
	size                       int64
}

// entity kinds in the directory.
const (
	kindUser  = 'U'
	kindOrg   = 'O'
	kindGroup = 'G'
)

// dirEntry is a user, organization or group known to the domain.
type dirEntry struct {
	kind       byte
	code, name string
}

// directory interns users, organizations and groups so that records store small indexes.
type directory struct {
	entries []dirEntry
	index   map[string]int32
}

func (d *directory) intern(kind byte, code, name string) int32 {
	key := string(kind) + code
	if i, ok := d.index[key]; ok {
		if d.entries[i].name == "" && name != "" {
			d.entries[i].name = name
		}
		return i
	}
	if d.index == nil {
		d.index = map[string]int32{}
	}
	i := int32(len(d.entries))
	d.entries = append(d.entries, dirEntry{kind: kind, code: code, name: name})
	d.index[key] = i
	return i
}

func (d *directory) lookup(kind byte, code string) (int32, bool) {
	i, ok := d.index[string(kind)+code]
	return i, ok
}

func (d *directory) get(i int32) dirEntry { return d.entries[i] }

// systemCodes are the default codes of the system fields by language.
var systemCodes = map[string][5]string{
	"ja": {"レコード番号", "作成者", "作成日時", "更新者", "更新日時"},
	"en": {"Record_number", "Created_by", "Created_datetime", "Updated_by", "Updated_datetime"},
}

// processCodes are the codes of the process-management fields by language.
var processCodes = map[string][3]string{
	"ja": {"ステータス", "作業者", "カテゴリー"},
	"en": {"Status", "Assignee", "Categories"},
}

var systemLabels = map[string][5]string{
	"ja": {"レコード番号", "作成者", "作成日時", "更新者", "更新日時"},
	"en": {"Record number", "Created by", "Created datetime", "Updated by", "Updated datetime"},
}

// buildApp checks an app's form and prepares its definition; records are loaded separately.
func buildApp(a App, fixtureLang string) (*appDef, error) {
	if a.ID <= 0 {
		return nil, fmt.Errorf("kintonesim: app %q: id must be a positive integer", a.Name)
	}
	lang := a.Lang
	if lang == "" {
		lang = fixtureLang
	}
	if lang != "en" {
		lang = "ja"
	}
	d := &appDef{meta: a, byCode: map[string]*fieldDef{}, nextID: 1, nextRowID: 1}
	if err := checkProcess(a); err != nil { // process.go
		return nil, err
	}
	pmOn := processOn(&a)
	d.meta.Records = nil
	props := make(map[string]FieldProperty, len(a.Fields)+8)
	for code, p := range a.Fields {
		if p.Code == "" {
			p.Code = code
		}
		if p.Code != code {
			return nil, fmt.Errorf("kintonesim: app %d: field %q has code %q", a.ID, code, p.Code)
		}
		props[code] = p
	}
	// System fields not declared are added with the default codes of the app's language.
	have := map[string]bool{}
	for _, p := range props {
		have[p.Type] = true
	}
	sysTypes := [5]string{"RECORD_NUMBER", "CREATOR", "CREATED_TIME", "MODIFIER", "UPDATED_TIME"}
	for i, t := range sysTypes {
		if !have[t] {
			code := systemCodes[lang][i]
			if _, clash := props[code]; clash {
				return nil, fmt.Errorf("kintonesim: app %d: field %q clashes with the %s system field", a.ID, code, t)
			}
			props[code] = FieldProperty{Type: t, Code: code, Label: systemLabels[lang][i]}
		}
	}
	procTypes := [3]string{"STATUS", "STATUS_ASSIGNEE", "CATEGORY"}
	for i, t := range procTypes {
		if !have[t] {
			code := processCodes[lang][i]
			if _, clash := props[code]; !clash {
				f := pmOn && t != "CATEGORY" // STATUS and STATUS_ASSIGNEE hold values with process management on
				props[code] = FieldProperty{Type: t, Code: code, Label: code, Enabled: &f}
			}
		}
	}
	codes := make([]string, 0, len(props))
	for c := range props {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		p := props[c]
		if p.Label == "" {
			p.Label = c
		}
		f := &fieldDef{code: c, typ: p.Type, prop: p, idx: -1, enabled: true}
		if p.Enabled != nil {
			f.enabled = *p.Enabled
		}
		switch p.Type {
		case "RECORD_NUMBER":
			d.sys.recordNumber = c
		case "CREATOR":
			d.sys.creator = c
		case "CREATED_TIME":
			d.sys.createdTime = c
		case "MODIFIER":
			d.sys.modifier = c
		case "UPDATED_TIME":
			d.sys.updatedTime = c
		case "STATUS", "STATUS_ASSIGNEE", "CATEGORY":
			if f.enabled && (!pmOn || p.Type == "CATEGORY") {
				return nil, fmt.Errorf("kintonesim: app %d: field %q: categories, and statuses without processManagement, are not simulated", a.ID, c)
			}
			if f.enabled {
				f.idx = len(d.stored)
				d.stored = append(d.stored, f)
			}
		case "__ID__", "__REVISION__":
			return nil, fmt.Errorf("kintonesim: app %d: field %q: %s is not a form field", a.ID, c, p.Type)
		default:
			if !storedTypes[p.Type] && !layoutOnlyTypes[p.Type] {
				return nil, fmt.Errorf("kintonesim: app %d: field %q: unknown type %q", a.ID, c, p.Type)
			}
			if storedTypes[p.Type] {
				f.idx = len(d.stored)
				d.stored = append(d.stored, f)
			}
		}
		if len(p.Options) > 0 {
			f.options = map[string]bool{}
			for l := range p.Options {
				f.options[l] = true
			}
		}
		if p.Type == "SUBTABLE" {
			inner := make([]string, 0, len(p.Fields))
			for ic := range p.Fields {
				inner = append(inner, ic)
			}
			sort.Strings(inner)
			f.prop.Fields = make(map[string]FieldProperty, len(inner))
			for _, ic := range inner {
				ip := p.Fields[ic]
				if ip.Code == "" {
					ip.Code = ic
				}
				if ip.Label == "" {
					ip.Label = ic
				}
				if !storedTypes[ip.Type] || ip.Type == "SUBTABLE" {
					return nil, fmt.Errorf("kintonesim: app %d: subtable %q: field %q has type %q", a.ID, c, ic, ip.Type)
				}
				if _, dup := props[ic]; dup {
					return nil, fmt.Errorf("kintonesim: app %d: field code %q used twice", a.ID, ic)
				}
				if _, dup := d.byCode[ic]; dup {
					return nil, fmt.Errorf("kintonesim: app %d: field code %q used twice", a.ID, ic)
				}
				fi := &fieldDef{code: ic, typ: ip.Type, prop: ip, idx: len(f.inner), table: f, enabled: true}
				if len(ip.Options) > 0 {
					fi.options = map[string]bool{}
					for l := range ip.Options {
						fi.options[l] = true
					}
				}
				f.inner = append(f.inner, fi)
				d.byCode[ic] = fi
				f.prop.Fields[ic] = ip
			}
		}
		d.fields = append(d.fields, f)
		d.byCode[c] = f
	}
	d.prepareFormulas() // calc.go
	d.precision = precisionOf(a.NumberPrecision)
	for _, f := range d.byCode {
		d.hasFormulas = d.hasFormulas || f.formula != nil
	}
	d.schema = kquery.Schema{"$id": {Code: "$id", Type: "__ID__"}}
	for code, f := range d.byCode {
		if !f.enabled || layoutOnlyTypes[f.typ] {
			continue
		}
		fd := kquery.FieldDef{Code: code, Type: f.typ, Format: f.prop.Format}
		if f.table != nil {
			fd.Subtable = f.table.code
		}
		if len(f.prop.Options) > 0 {
			fd.Options = f.prop.Options.sorted()
		}
		d.schema[code] = fd
	}
	d.createdAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if a.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, a.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("kintonesim: app %d: createdAt: %w", a.ID, err)
		}
		d.createdAt = t.UTC()
	}
	for i := range a.APITokens {
		t := a.APITokens[i]
		d.tokens = append(d.tokens, &t)
	}
	return d, nil
}

// storedTypes are the field types whose values a record holds in vals.
var storedTypes = map[string]bool{
	"SINGLE_LINE_TEXT": true, "MULTI_LINE_TEXT": true, "RICH_TEXT": true, "NUMBER": true,
	"CALC": true, "RADIO_BUTTON": true, "DROP_DOWN": true, "CHECK_BOX": true, "MULTI_SELECT": true,
	"DATE": true, "TIME": true, "DATETIME": true, "LINK": true, "USER_SELECT": true,
	"ORGANIZATION_SELECT": true, "GROUP_SELECT": true, "FILE": true, "SUBTABLE": true,
}

// layoutOnlyTypes are fields that have no value in a record.
var layoutOnlyTypes = map[string]bool{
	"REFERENCE_TABLE": true, "GROUP": true, "LABEL": true, "SPACER": true, "HR": true,
}

// find returns the index of the record with the given id in d.records.
func (d *appDef) find(id int64) (int, bool) {
	i := sort.Search(len(d.records), func(i int) bool { return d.records[i].id >= id })
	return i, i < len(d.records) && d.records[i].id == id
}

// recordNumber renders the RECORD_NUMBER value of a record: the id, prefixed with the app
// code and a hyphen when the app has a code, as kintone shows it.
func (d *appDef) recordNumber(id int64) string {
	if d.meta.Code != "" {
		return d.meta.Code + "-" + strconv.FormatInt(id, 10)
	}
	return strconv.FormatInt(id, 10)
}
