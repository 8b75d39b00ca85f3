package kintonesim

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Stored value kinds, by field type:
//
//	SINGLE_LINE_TEXT MULTI_LINE_TEXT RICH_TEXT NUMBER CALC LINK DATETIME   string ("" = empty)
//	RADIO_BUTTON DROP_DOWN DATE TIME                                       string, or nil = null
//	CHECK_BOX MULTI_SELECT                                                 []string
//	USER_SELECT ORGANIZATION_SELECT GROUP_SELECT                           []int32 (directory)
//	FILE                                                                   []fileRef
//	SUBTABLE                                                               []row

// nullableTypes are the types whose empty value kintone returns as null.
var nullableTypes = map[string]bool{"RADIO_BUTTON": true, "DROP_DOWN": true, "DATE": true, "TIME": true}

var (
	msgNotInOptions = func(v string) text {
		return text{fmt.Sprintf("The value, %q, is not in options.", v), fmt.Sprintf("\"%s\"は選択肢にありません。", v)}
	}
	msgBadDate     = text{"Enter a date in the format YYYY-MM-DD.", "日付を YYYY-MM-DD の形式で入力してください。"}
	msgBadTime     = text{"Enter a time in the format HH:MM.", "時刻を HH:MM の形式で入力してください。"}
	msgBadDatetime = text{"Enter a date and time in the format YYYY-MM-DDTHH:MM:SSZ.", "日時を YYYY-MM-DDTHH:MM:SSZ の形式で入力してください。"}
	msgBadValue    = text{"The value is not valid for this field type.", "フィールドタイプに合わない値です。"}
	msgNoEntity    = func(kind, code string) text {
		return text{fmt.Sprintf("The %s (code: %s) does not exist.", kind, code), fmt.Sprintf("指定した%s（code: %s）が見つかりません。", kind, code)}
	}
	msgMaxLength = func(n int) text {
		return text{fmt.Sprintf("Enter less than %d characters.", n+1), fmt.Sprintf("%d文字より短くなければなりません。", n+1)}
	}
	msgMinLength = func(n int) text {
		return text{fmt.Sprintf("Enter more than %d characters.", n-1), fmt.Sprintf("%d文字より長くなければなりません。", n-1)}
	}
	msgMaxValue = func(v string) text {
		return text{fmt.Sprintf("The value must be %s or less.", v), fmt.Sprintf("%s以下である必要があります。", v)}
	}
	msgMinValue = func(v string) text {
		return text{fmt.Sprintf("The value must be %s or more.", v), fmt.Sprintf("%s以上である必要があります。", v)}
	}
	msgUnique = text{"This value already exists in another record.", "値がほかのレコードと重複しています。"}
)

// decoder converts input values (JSON-decoded or built in Go) into stored values and collects
// validation errors. In fixture mode unknown users, organizations and groups are registered
// and CALC values are taken as given.
type decoder struct {
	s       *store
	app     *appDef
	fixture bool
	errs    *apiError
}

func (dc *decoder) fail(key string, t text) {
	if dc.errs == nil {
		dc.errs = &apiError{status: 400, code: "CB_VA01", msg: msgInvalidInput}
	}
	dc.errs.add(key, t)
}

// scalarString converts a JSON scalar to its text; ok is false for arrays and objects.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// list converts a JSON array (or a Go slice) to []any.
func list(v any) ([]any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// errKey is the error-key prefix of a value, built only when an error is reported:
// "record.title", or "record.items.value[0].value.qty" for a subtable cell.
type errKey struct {
	base  string
	row   int
	inner string
}

func (k errKey) String() string {
	if k.inner == "" {
		return k.base
	}
	return fmt.Sprintf("%s.value[%d].value.%s", k.base, k.row, k.inner)
}

// notANumberKey is the key kintone files a non-number under: "record[amount].value" for a
// record.json field, as recorded; dotted like every other key otherwise
// ("records[17].amount.value" in a batch).
func (k errKey) notANumberKey() string {
	if code, single := strings.CutPrefix(k.base, "record."); single && k.inner == "" {
		return "record[" + code + "].value"
	}
	return k.String() + ".value"
}

// value decodes v for field f.
func (dc *decoder) value(f *fieldDef, v any, k errKey) any {
	switch f.typ {
	case "SINGLE_LINE_TEXT", "MULTI_LINE_TEXT", "RICH_TEXT", "LINK":
		s, ok := scalarString(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadValue)
			return ""
		}
		return s
	case "NUMBER", "CALC":
		s, ok := scalarString(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadValue)
			return ""
		}
		n, ok := normalizeNumber(s)
		if !ok {
			if f.table != nil && !dc.fixture {
				return "" // kintone silently stores "" for a non-number inside a table
			}
			dc.fail(k.notANumberKey(), msgOnlyNumbers)
			return ""
		}
		return n
	case "RADIO_BUTTON", "DROP_DOWN":
		s, ok := scalarString(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadValue)
			return nil
		}
		if v == nil || s == "" {
			if v == nil {
				return nil
			}
			return ""
		}
		if !f.options[s] {
			dc.fail(k.String()+".value", msgNotInOptions(s))
		}
		return s
	case "CHECK_BOX", "MULTI_SELECT":
		items, ok := list(v)
		if !ok {
			dc.fail(k.String()+".values", msgBadValue)
			return []string(nil)
		}
		out := make([]string, 0, len(items))
		for i, it := range items {
			s, ok := scalarString(it)
			if !ok || !f.options[s] {
				dc.fail(fmt.Sprintf("%s.values[%d].value", k.String(), i), msgNotInOptions(s))
				continue
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return []string(nil)
		}
		return out
	case "DATE":
		s, ok := scalarString(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadDate)
			return nil
		}
		if s == "" {
			return nil
		}
		d, ok := normalizeDate(s)
		if !ok {
			dc.fail(k.String()+".value", msgBadDate)
			return nil
		}
		return d
	case "TIME":
		s, ok := scalarString(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadTime)
			return nil
		}
		if s == "" {
			return nil
		}
		t, ok := normalizeTime(s)
		if !ok {
			dc.fail(k.String()+".value", msgBadTime)
			return nil
		}
		return t
	case "DATETIME":
		s, ok := scalarString(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadDatetime)
			return ""
		}
		if s == "" {
			return ""
		}
		t, ok := parseDatetime(s)
		if !ok {
			dc.fail(k.String()+".value", msgBadDatetime)
			return ""
		}
		return formatDatetime(t.Unix())
	case "STATUS": // fixture records only (process.go)
		st, ok := scalarString(v)
		var known bool
		if dc.app != nil && dc.app.meta.ProcessManagement != nil {
			_, known = dc.app.meta.ProcessManagement.States[st]
		}
		if !ok || !known {
			dc.fail(k.String()+".value", msgBadValue)
			return ""
		}
		return st
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "STATUS_ASSIGNEE":
		kind, kindName := byte(kindUser), "user"
		if f.typ == "ORGANIZATION_SELECT" {
			kind, kindName = kindOrg, "organization"
		} else if f.typ == "GROUP_SELECT" {
			kind, kindName = kindGroup, "group"
		}
		items, ok := list(v)
		if !ok {
			dc.fail(k.String()+".values", msgBadValue)
			return []int32(nil)
		}
		var out []int32
		for _, it := range items {
			code, name := entityCodeName(it)
			if code == "" {
				dc.fail(k.String()+".values.value", msgBadValue)
				continue
			}
			if i, ok := dc.s.dir.lookup(kind, code); ok {
				out = append(out, i)
				continue
			}
			if dc.fixture {
				out = append(out, dc.s.dir.intern(kind, code, name))
				continue
			}
			dc.fail(k.String()+".values.value", msgNoEntity(kindName, code))
		}
		return out
	case "FILE":
		items, ok := list(v)
		if !ok {
			dc.fail(k.String()+".values", msgBadValue)
			return []fileRef(nil)
		}
		var out []fileRef
		for i, it := range items {
			m, _ := it.(map[string]any)
			fk, _ := scalarString(m["fileKey"])
			if known, ok := dc.s.files.refs[fk]; ok && fk != "" {
				out = append(out, known)
				continue
			}
			if !dc.fixture { // an upload key from file.json becomes a new attachment (files.go)
				if ref, ok := dc.s.files.attach(fk, dc.app, dc.s.now()); ok {
					out = append(out, ref)
					continue
				}
			}
			name, _ := scalarString(m["name"])
			if name == "" {
				dc.fail(fmt.Sprintf("%s.values[%d].fileKey", k.String(), i), msgNoFileKey(fk))
				continue
			}
			ct, _ := scalarString(m["contentType"])
			if ct == "" {
				ct = "application/octet-stream"
			}
			sz, _ := scalarString(m["size"])
			size, _ := strconv.ParseInt(sz, 10, 64)
			if fk == "" {
				fk = dc.s.files.newKey()
			}
			ref := fileRef{contentType: ct, fileKey: fk, name: name, size: size}
			dc.s.files.refs[fk] = ref
			out = append(out, ref)
		}
		return out
	case "SUBTABLE":
		items, ok := list(v)
		if !ok {
			dc.fail(k.String()+".value", msgBadValue)
			return []row(nil)
		}
		var out []row
		for i, it := range items {
			m, _ := it.(map[string]any)
			if m == nil {
				dc.fail(fmt.Sprintf("%s.value[%d]", k.String(), i), msgBadValue)
				continue
			}
			r := row{vals: make([]any, len(f.inner))}
			if idText, ok := scalarString(m["id"]); ok && idText != "" {
				r.id, _ = strconv.ParseInt(idText, 10, 64)
			}
			cells, _ := m["value"].(map[string]any)
			for _, fi := range f.inner {
				ikey := errKey{base: k.base, row: i, inner: fi.code}
				cell, present := cells[fi.code]
				if !present {
					r.vals[fi.idx] = dc.defaultValue(fi)
					continue
				}
				r.vals[fi.idx] = dc.value(fi, cellValue(cell), ikey)
			}
			out = append(out, r)
		}
		return out
	}
	dc.fail(k.String()+".value", msgBadValue)
	return nil
}

// cellValue extracts "value" from a {"value": ...} object (or a ValueInput).
func cellValue(cell any) any {
	switch c := cell.(type) {
	case map[string]any:
		return c["value"]
	case ValueInput:
		return c.Value
	}
	return nil
}

// entityCodeName reads {"code": ..., "name": ...} (or a bare code string).
func entityCodeName(v any) (string, string) {
	switch x := v.(type) {
	case string:
		return x, ""
	case map[string]any:
		c, _ := scalarString(x["code"])
		n, _ := scalarString(x["name"])
		return c, n
	case map[string]string:
		return x["code"], x["name"]
	}
	return "", ""
}

// defaultValue is the value a field gets when a new record omits it.
func (dc *decoder) defaultValue(f *fieldDef) any {
	p := f.prop
	switch f.typ {
	case "DATE", "TIME", "DATETIME":
		if p.DefaultNowValue && dc.s != nil {
			now := dc.s.now()
			switch f.typ {
			case "DATE":
				return now.In(dc.s.loc).Format("2006-01-02")
			case "TIME":
				return now.In(dc.s.loc).Format("15:04")
			default:
				return formatDatetime(now.Unix())
			}
		}
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
		var out []int32
		kind := byte(kindUser)
		if f.typ == "ORGANIZATION_SELECT" {
			kind = kindOrg
		} else if f.typ == "GROUP_SELECT" {
			kind = kindGroup
		}
		items, _ := list(p.DefaultValue)
		for _, it := range items {
			code, _ := entityCodeName(it)
			if i, ok := dc.s.dir.lookup(kind, code); ok {
				out = append(out, i)
			}
		}
		return out
	case "FILE":
		return []fileRef(nil)
	case "SUBTABLE":
		return []row(nil)
	case "CALC":
		return ""
	case "RADIO_BUTTON":
		if p.DefaultValue == nil && len(p.Options) > 0 { // a radio button always has a choice
			return p.Options.sorted()[0]
		}
	case "STATUS":
		return dc.app.initialStatus()
	case "STATUS_ASSIGNEE":
		return []int32(nil)
	}
	if p.DefaultValue == nil {
		return dc.value(f, nil, errKey{})
	}
	saved := dc.errs
	v := dc.value(f, p.DefaultValue, errKey{})
	dc.errs = saved
	return v
}

var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]*)?$`)

// normalizeNumber turns a NUMBER input into kintone's stored text ("1.5e1" → "15").
func normalizeNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if plainNumber.MatchString(s) {
		neg := s[0] == '-'
		s = strings.TrimLeft(s, "+-")
		intPart, frac, _ := strings.Cut(s, ".")
		intPart = strings.TrimLeft(intPart, "0")
		frac = strings.TrimRight(frac, "0")
		if intPart == "" {
			intPart = "0"
		}
		out := intPart
		if frac != "" {
			out += "." + frac
		}
		if neg && out != "0" {
			out = "-" + out
		}
		return out, true
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/xXpP_") {
		return "", false
	}
	if r.IsInt() {
		return r.Num().String(), true
	}
	// A decimal with an exponent has a finite expansion; find it.
	for prec := 1; prec <= 60; prec++ {
		t := r.FloatString(prec)
		back, _ := new(big.Rat).SetString(t)
		if back.Cmp(r) == 0 {
			return t, true
		}
	}
	return "", false
}

var dateRE = regexp.MustCompile(`^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$`)

// normalizeDate pads kintone's accepted date inputs ("2015", "2015-7-5") to YYYY-MM-DD.
func normalizeDate(s string) (string, bool) {
	m := dateRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	y, _ := strconv.Atoi(m[1])
	mo, d := 1, 1
	if m[2] != "" {
		mo, _ = strconv.Atoi(m[2])
	}
	if m[3] != "" {
		d, _ = strconv.Atoi(m[3])
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Month() != time.Month(mo) || t.Day() != d {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

var timeRE = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2})(?::[0-9]{2})?$`)

// normalizeTime accepts HH:MM and HH:MM:SS and returns HH:MM.
func normalizeTime(s string) (string, bool) {
	m := timeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h > 23 || mi > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, mi), true
}

// parseDatetime reads a DATETIME input; seconds are dropped and a date alone means UTC midnight.
func parseDatetime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Minute), true
		}
	}
	if d, ok := normalizeDate(s); ok {
		t, _ := time.Parse("2006-01-02", d)
		return t, true
	}
	return time.Time{}, false
}

// formatDatetime renders Unix seconds as kintone's DATETIME text, truncated to the minute.
func formatDatetime(sec int64) string {
	return time.Unix(sec-sec%60, 0).UTC().Format("2006-01-02T15:04:05Z")
}

// appendString appends s as a JSON string without HTML escaping, as kintone does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
