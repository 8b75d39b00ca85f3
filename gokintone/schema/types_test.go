package schema

import "testing"

// TestBuildFollowsTheTypeTable builds an app with one field of every type and CALC format of
// each row of the type table, under the row's condition, and checks the declared types.
func TestBuildFollowsTheTypeTable(t *testing.T) {
	type kind struct {
		fieldType, calcFormat string
		when                  Condition
	}
	seen := map[kind]bool{}
	for _, m := range mappings {
		if _, ok := SQLTypeOf(m.Decl); !ok {
			t.Errorf("%s: the declared type %q is not one of sqlTypes", m.fieldsText(), m.Decl)
		}
		opts, appCode := Options{NumberMapToDouble: m.When == NumberMapToDouble}, ""
		if m.When == AppHasCode {
			appCode = "APP"
		}
		fields := map[string]Field{}
		add := func(typ, format string) {
			key := kind{typ, format, m.When}
			if seen[key] {
				t.Errorf("%s %s is in two rows of the type table with the same condition", typ, format)
			}
			seen[key] = true
			fields[typ+format] = Field{Code: typ + format, Type: typ, Format: format}
		}
		for _, typ := range m.Fields {
			add(typ, "")
		}
		for _, format := range m.CalcFormats {
			add("CALC", format)
		}
		tables, warnings := Build("T", 1, appCode, fields, opts)
		if len(warnings) > 0 {
			t.Errorf("%s: warnings %q", m.fieldsText(), warnings)
		}
		for code := range fields {
			if c := tables[0].Column(code); c == nil || c.DeclType != m.Decl {
				t.Errorf("%s: column %s is %+v, want the declared type %s", m.fieldsText(), code, c, m.Decl)
			}
		}
	}
}

// TestSystemColumnTypes checks the types the system columns are declared with: Id reports
// ROWID (the row's own id), RecordId and Revision are plain integers.
func TestSystemColumnTypes(t *testing.T) {
	tables, _ := Build("T", 1, "", map[string]Field{
		"rows": {Code: "rows", Type: "SUBTABLE", Fields: map[string]Field{"n": {Code: "n", Type: "NUMBER"}}},
	}, Options{SubtableSeparator: "_"})
	want := map[string]map[string]string{
		"T":      {ColID: CodeRowID, ColRevision: CodeNumber},
		"T_rows": {ColID: CodeRowID, ColRecordID: CodeNumber},
	}
	for _, tb := range tables {
		for name, code := range want[tb.Name] {
			c := tb.Column(name)
			st, _ := SQLTypeOf(c.DeclType)
			if st.Name != "INTEGER" || st.TypeCode != code {
				t.Errorf("%s.%s is declared %s: %+v, want INTEGER with the type code %s", tb.Name, name, c.DeclType, st, code)
			}
		}
	}
}
