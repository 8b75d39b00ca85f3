package schema

// Writing: which columns a write may set (Writable), and the JSON kintone takes for a value
// SQLite hands to a write (Encode). Encode is the inverse of Value: a value read from a column
// and written back is the value kintone holds.
//
// As on reading, no value is silently changed: a value is converted when its meaning is
// certain (an instant with an offset becomes UTC, an integer becomes its decimal text where
// text is expected) and otherwise refused with a KindBadValue error that says which form the
// column takes. The one documented exception is kintone's own: DATETIME and TIME values are
// kept to the minute, so Encode sends what kintone will store (see encodeDatetime), as MySQL
// documents the rounding of fractional seconds.

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// WriteOp is the kind of write a value is for.
type WriteOp int

// The kinds of write.
const (
	OpInsert WriteOp = iota // a new record, or a new row of a table field
	OpUpdate                // a change to an existing record or row
)

// EntityRef is a user, organization or group in a write: kintone takes its code.
type EntityRef struct {
	Code string `json:"code"`
}

// FileRef is an attachment in a write: the fileKey UploadFile returned, or the fileKey read
// from the field (an attachment the record keeps). kintone replaces the field's attachments
// with the files listed.
type FileRef struct {
	FileKey string `json:"fileKey"`
}

// Writable reports whether the column may be given a value in a write of kind op: nil, or a
// KindInvalidArgument error naming the column, saying why it cannot and what to do instead.
// It refuses the columns kintone fills itself (values sent there are ignored or refused by
// kintone, so accepting them would mislead).
func (c *Column) Writable(op WriteOp) error {
	why := c.notWritable(op)
	if why == "" {
		return nil
	}
	return kerr.New(kerr.KindInvalidArgument, "%s cannot be written: %s", c.about(), why)
}

// notWritable says why the column cannot be written in a write of kind op; "" when it can.
func (c *Column) notWritable(op WriteOp) string {
	switch {
	case c.Role == "rowid":
		return "kintone assigns the ids of a table field's rows"
	case c.Role == "parent":
		if op == OpUpdate {
			return "a row cannot move to another record; delete it and insert it with the other RecordId"
		}
		return ""
	case c.CopiedBy != "":
		return "the lookup " + QuoteIdent(c.CopiedBy) + " copies it from the record it finds; set " +
			QuoteIdent(c.CopiedBy) + " and kintone copies this field"
	case c.AutoCalc:
		return "kintone computes it from the field's formula"
	}
	switch c.FieldType {
	case "__ID__":
		return "kintone assigns record ids; an UPDATE or DELETE finds records by Id"
	case "__REVISION__":
		return "kintone counts a record's revisions itself"
	case "RECORD_NUMBER":
		return "kintone assigns record numbers"
	case "CALC":
		return "kintone computes it from the field's formula"
	case "STATUS":
		return "the status changes through a process management action; use the UpdateStatus procedure"
	case "STATUS_ASSIGNEE":
		return "the assignees are set through process management; use the UpdateAssignees procedure"
	case "CATEGORY":
		return "kintone's REST API cannot set a record's categories"
	case "CREATOR", "CREATED_TIME":
		if op == OpUpdate {
			return "kintone records who created a record and when; it may be given only by an INSERT"
		}
	case "MODIFIER", "UPDATED_TIME":
		if op == OpUpdate {
			return "kintone sets it on every update; it may be given only by an INSERT"
		}
	}
	return ""
}

// Encode converts a value as SQLite hands it to a write (nil, int64, float64, string or
// []byte) into the field's value in kintone's write request, what goes in {"value": …}:
//
//   - text fields (SINGLE_LINE_TEXT, MULTI_LINE_TEXT, RICH_TEXT, LINK): a string. An integer
//     is its decimal text, as SQLite's CAST gives it; a REAL is refused, as it has no one text
//     form (SQLite writes 1.0e+20, Python 1e+20): CAST it in SQL or pass text.
//   - RADIO_BUTTON, DROP_DOWN: a string, one of the field's options when they are known.
//   - CHECK_BOX, MULTI_SELECT: []string, from the JSON array of options the column reads as
//     (`["a","b"]`), or from one option.
//   - NUMBER: a string: an integer's decimal text; a REAL's shortest text that reads back as
//     the same double, in plain digits as kintone writes numbers; or text that is a decimal
//     numeral, kept as written (never through a float) but for a point without a digit on
//     one side (".5" is sent as "0.5", "1." as "1"). Other text, NaN and infinities are refused.
//   - DATE: "YYYY-MM-DD"; TIME: "HH:MM"; DATETIME, CREATED_TIME, UPDATED_TIME:
//     "YYYY-MM-DDTHH:MM:00Z" (see encodeDatetime).
//   - USER_SELECT, ORGANIZATION_SELECT, GROUP_SELECT: []EntityRef, from the JSON array the
//     column reads as (`[{"code":…,"name":…}]`; the name is kintone's and not sent), from a
//     JSON array of codes, or from one code.
//   - CREATOR, MODIFIER: an EntityRef, from the login name the column reads as.
//   - FILE: []FileRef, from the JSON array the column reads as (only fileKey is sent), from a
//     JSON array of fileKeys, or from one fileKey.
//   - RecordId of a table field's row: the record's id, an int64.
//
// Options are checked when the column knows them (kintone would refuse the value too; the
// message lists them). nil (SQL NULL) is the field's empty value: "" or an empty list.
// CREATOR, MODIFIER, CREATED_TIME and UPDATED_TIME have none (kintone always fills them):
// NULL is refused there, and leaving the column out of an INSERT lets kintone fill it. A BLOB
// is always refused. A lookup field is written as its type (SINGLE_LINE_TEXT, NUMBER, LINK):
// the key value, from which kintone copies the rest.
//
// Errors: KindBadValue naming the column, the value and the form expected; the error of
// Writable(OpInsert) for a column no write may set.
func (c *Column) Encode(v any) (any, error) {
	if err := c.Writable(OpInsert); err != nil {
		return nil, err
	}
	switch v.(type) {
	case nil, int64, float64, string:
	case []byte:
		return nil, c.badWrite(v, "is a BLOB; "+c.expected())
	default:
		return nil, kerr.New(kerr.KindInternal, "%s: Encode was given a %T", c.about(), v)
	}
	if s, ok := v.(string); ok && !utf8.ValidString(s) {
		return nil, c.badWrite(v, "is not valid UTF-8 text")
	}
	if c.Role == "parent" {
		return c.encodeRecordID(v)
	}
	switch c.FieldType {
	case "SINGLE_LINE_TEXT", "MULTI_LINE_TEXT", "RICH_TEXT", "LINK":
		return c.text(v)
	case "RADIO_BUTTON", "DROP_DOWN":
		s, err := c.text(v)
		if err != nil || s == "" {
			return s, err
		}
		return s, c.checkOption(v, s)
	case "CHECK_BOX", "MULTI_SELECT":
		return c.encodeOptions(v)
	case "NUMBER":
		return c.encodeNumber(v)
	case "DATE":
		return c.encodeDate(v)
	case "TIME":
		return c.encodeTime(v)
	case "DATETIME", "CREATED_TIME", "UPDATED_TIME":
		return c.encodeDatetime(v)
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
		return keyList(c, v, codeKey, func(code string) EntityRef { return EntityRef{Code: code} })
	case "CREATOR", "MODIFIER":
		return c.encodeUser(v)
	case "FILE":
		return keyList(c, v, fileKeyKey, func(key string) FileRef { return FileRef{FileKey: key} })
	}
	return nil, kerr.New(kerr.KindNotSupported, "%s: this driver version cannot write %s fields", c.about(), c.FieldType)
}

// about names the column in messages: `column "Amount" (field "amount", NUMBER)`.
func (c *Column) about() string {
	switch {
	case c.Role == "rowid":
		return "column " + QuoteIdent(c.Name) + " (the row id)"
	case c.Role == "parent":
		return "column " + QuoteIdent(c.Name) + " (the record id)"
	case c.FieldType == "__ID__":
		return "column " + QuoteIdent(c.Name) + " (the record id, $id)"
	case c.FieldType == "__REVISION__":
		return "column " + QuoteIdent(c.Name) + " (the record's revision, $revision)"
	}
	return "column " + QuoteIdent(c.Name) + " (field " + strconv.Quote(c.FieldCode) + ", " + c.FieldType + ")"
}

// badWrite is the error for a value v the column cannot take: reason says what is wrong and
// what to write instead.
func (c *Column) badWrite(v any, reason string) error {
	return kerr.New(kerr.KindBadValue, "%s: the value %s %s", c.about(), ShowValue(v), reason)
}

// ShowValue renders a value SQLite handed over for a message: NULL, a number, a quoted and
// shortened text, or the size of a BLOB (never its bytes).
func ShowValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		if !utf8.ValidString(x) {
			x = strings.ToValidUTF8(x, "\uFFFD")
		}
		return "'" + strings.ReplaceAll(ShortJSON([]byte(x)), "'", "''") + "'"
	case []byte:
		return "(a BLOB of " + strconv.Itoa(len(x)) + " bytes)"
	}
	return "?"
}

// expected says what the column takes, for messages.
func (c *Column) expected() string {
	switch c.FieldType {
	case "NUMBER":
		return "write a number, or text that is a decimal number such as '12.5' or '-3e2'"
	case "DATE":
		return "write a date as 'YYYY-MM-DD'"
	case "TIME":
		return "write a time as 'HH:MM' or 'HH:MM:SS'"
	case "DATETIME", "CREATED_TIME", "UPDATED_TIME":
		return "write a date and time as 'YYYY-MM-DDTHH:MM:SSZ', or with an offset such as '+09:00' instead of Z (without one it is UTC)"
	case "CHECK_BOX", "MULTI_SELECT":
		return `write a JSON array of options such as '["A","B"]', or one option`
	case "USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT":
		return `write a JSON array of codes such as '["sato"]' or '[{"code":"sato"}]', or one code`
	case "CREATOR", "MODIFIER":
		return "write the user's login name"
	case "FILE":
		return `write a JSON array of fileKeys (UploadFile returns them) such as '["<fileKey>"]' or '[{"fileKey":"<fileKey>"}]', or one fileKey`
	}
	if c.Role == "parent" {
		return "write the id of an existing record"
	}
	return "write text"
}

// text returns v as text: a string, or an integer's decimal text. A REAL is refused (see
// Encode); nil is "".
func (c *Column) text(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	}
	return "", c.badWrite(v, "is a REAL number where text is expected; pass text, or CAST(… AS TEXT) in SQL")
}

// checkOption refuses the option s (v itself, or an item of v) when the column's options are
// known and s is not one of them: kintone would refuse it too, and the message lists them.
func (c *Column) checkOption(v any, s string) error {
	if len(c.Options) == 0 || c.HasOption(s) {
		return nil
	}
	what := "holds " + strconv.Quote(s) + ", which is"
	if t, _ := c.text(v); t == s {
		what = "is"
	}
	return c.badWrite(v, what+" not an option of the field; the options are "+c.optionList())
}

// optionList lists the column's options for messages, at most 20.
func (c *Column) optionList() string {
	const max = 20
	quoted := make([]string, 0, max+1)
	for i, o := range c.Options {
		if i == max {
			quoted = append(quoted, "… ("+strconv.Itoa(len(c.Options))+" in all)")
			break
		}
		quoted = append(quoted, strconv.Quote(o))
	}
	return strings.Join(quoted, ", ")
}

// encodeOptions reads a CHECK_BOX or MULTI_SELECT value: a JSON array of options, or one
// option. Text that is one of the field's options is that option even if it looks like JSON;
// other text starting with "[" must be a JSON array of texts.
func (c *Column) encodeOptions(v any) ([]string, error) {
	s, err := c.text(v)
	if err != nil {
		return nil, err
	}
	var items []string
	switch {
	case s == "":
		return []string{}, nil
	case c.HasOption(s) || !startsJSON(s, '['):
		items = []string{s}
	default:
		if items, err = c.jsonTexts(v, s); err != nil {
			return nil, err
		}
	}
	for _, it := range items {
		if err := c.checkOption(v, it); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// startsJSON reports whether s, after JSON's white space, starts with b.
func startsJSON(s string, b byte) bool {
	i := skipSpace([]byte(s), 0)
	return i < len(s) && s[i] == b
}

// jsonTexts decodes a JSON array of texts exactly (see jsonText).
func (c *Column) jsonTexts(v any, s string) ([]string, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(s), &raws); err != nil {
		return nil, c.badWrite(v, "is not a JSON array; "+c.expected())
	}
	out := make([]string, len(raws))
	for i, r := range raws {
		t, err := jsonText(r)
		if err != nil {
			return nil, c.badWrite(v, "holds "+ShortJSON(r)+", which "+err.Error()+"; "+c.expected())
		}
		out[i] = t
	}
	return out, nil
}

// keyList reads a list of keys (codes, fileKeys) and returns ref of each: a JSON array whose
// items are keys or objects holding the key (the form the column reads as; their other
// members are kintone's and not sent), or one key. Text starting with "[" or "{" must be such
// an array.
func keyList[T any](c *Column, v any, key objectKey, ref func(string) T) ([]T, error) {
	s, err := c.text(v)
	if err != nil {
		return nil, err
	}
	switch {
	case s == "":
		return []T{}, nil
	case startsJSON(s, '{'):
		return nil, c.badWrite(v, "is a JSON object, not an array; "+c.expected())
	case !startsJSON(s, '['):
		return []T{ref(s)}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(s), &raws); err != nil {
		return nil, c.badWrite(v, "is not a JSON array; "+c.expected())
	}
	out := make([]T, len(raws))
	for i, r := range raws {
		if len(r) > 0 && r[0] == '{' {
			var o objectWire
			if json.Unmarshal(r, &o) != nil || key.get(&o) == nil {
				return nil, c.badWrite(v, "holds "+ShortJSON(r)+", which has no "+strconv.Quote(key.name)+"; "+c.expected())
			}
			r = key.get(&o)
		}
		k, err := jsonText(r)
		if err == nil && k == "" {
			err = errEmptyText
		}
		if err != nil {
			return nil, c.badWrite(v, "holds "+ShortJSON(r)+", which "+err.Error()+"; "+c.expected())
		}
		out[i] = ref(k)
	}
	return out, nil
}

var errEmptyText = errors.New("is empty")

// encodeUser reads a CREATOR or MODIFIER value: the user's login name.
func (c *Column) encodeUser(v any) (EntityRef, error) {
	s, err := c.text(v)
	if err != nil {
		return EntityRef{}, err
	}
	if s == "" {
		return EntityRef{}, c.noEmptyValue(v)
	}
	return EntityRef{Code: s}, nil
}

// noEmptyValue is the error for an empty CREATOR, MODIFIER, CREATED_TIME or UPDATED_TIME.
func (c *Column) noEmptyValue(v any) error {
	return c.badWrite(v, "is empty, and kintone always records one here; leave the column out of the INSERT to let kintone set it")
}

// encodeRecordID reads the RecordId of a table field's row: a positive record id.
func (c *Column) encodeRecordID(v any) (int64, error) {
	var id int64
	switch x := v.(type) {
	case int64:
		id = x
	case float64:
		if x == math.Trunc(x) && x >= 1 && x < 1<<63 {
			id = int64(x)
		}
	case string:
		if n, ok := canonicalInt(x); ok {
			id = n
		}
	}
	if id <= 0 {
		return 0, c.badWrite(v, "is not a record id; "+c.expected())
	}
	return id, nil
}

// encodeNumber reads a NUMBER value.
func (c *Column) encodeNumber(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", c.badWrite(v, "is not a finite number; "+c.expected())
		}
		return formatNumber(x), nil
	}
	s := v.(string)
	if s == "" {
		return "", nil
	}
	if !isDecimalNumeral(s) {
		return "", c.badWrite(v, "is not a decimal number; "+c.expected())
	}
	return completeNumeral(s), nil
}

// formatNumber renders a finite double as the shortest decimal text that reads back as the
// same double, in plain digits (1e-7 is "0.0000001"), as kintone writes numbers; zero is "0",
// never "-0".
func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// completeNumeral gives a decimal numeral a digit on both sides of its point (".5" is "0.5",
// "1." is "1", "-.5e3" is "-0.5e3"); the number is unchanged and nothing else of the text is.
// kintone documents signs, points and exponents but not a bare point, and stores a number it
// cannot read inside a table field as empty, without an error.
func completeNumeral(s string) string {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s
	}
	if dot+1 == len(s) || s[dot+1] < '0' || s[dot+1] > '9' { // "1." or "1.e5": drop the point
		s = s[:dot] + s[dot+1:]
	} else if dot == 0 || s[dot-1] < '0' || s[dot-1] > '9' { // ".5" or "-.5": add a zero
		s = s[:dot] + "0" + s[dot:]
	}
	return s
}

// encodeDate reads a DATE value: "YYYY-MM-DD", a real calendar date.
func (c *Column) encodeDate(v any) (string, error) {
	s, err := c.dateText(v)
	if err != nil || s == "" {
		return s, err
	}
	if len(s) != len("2006-01-02") || !validDate(s) {
		return "", c.badWrite(v, "is not a date; "+c.expected())
	}
	return s, nil
}

// dateText is v as the text of a date or time: nil is "", numbers are refused.
func (c *Column) dateText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", c.badWrite(v, "is a number; "+c.expected())
}

// validDate reports whether s starts with a calendar date YYYY-MM-DD.
func validDate(s string) bool {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if !isDigit(s[i]) {
			return false
		}
	}
	_, err := time.Parse("2006-01-02", s[:10]) // the month's days
	return err == nil
}

// encodeTime reads a TIME value: "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff…" (the column's form
// and Python's). kintone keeps times to the minute: seconds and their fraction are dropped,
// and "HH:MM" is sent, which is what kintone stores and the column then reads as "HH:MM:00".
func (c *Column) encodeTime(v any) (string, error) {
	s, err := c.dateText(v)
	if err != nil || s == "" {
		return s, err
	}
	hm, rest, ok := clockTime(s)
	if !ok || rest != "" {
		return "", c.badWrite(v, "is not a time; "+c.expected())
	}
	return hm, nil
}

// clockTime reads a time of day at the start of s: HH:MM, then optionally :SS and a
// fraction. It returns "HH:MM" and the rest of s; ok is false when s does not start so or
// the time does not exist (hour 24, minute or second 60).
func clockTime(s string) (hm, rest string, ok bool) {
	if len(s) < 5 || s[2] != ':' || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[3]) || !isDigit(s[4]) ||
		s[0:2] > "23" || s[3:5] > "59" {
		return "", "", false
	}
	hm, rest = s[:5], s[5:]
	if len(rest) >= 3 && rest[0] == ':' && isDigit(rest[1]) && isDigit(rest[2]) {
		if rest[1:3] > "59" {
			return "", "", false
		}
		rest = rest[3:]
		if len(rest) >= 2 && rest[0] == '.' && isDigit(rest[1]) {
			rest = strings.TrimLeft(rest[1:], "0123456789")
		}
	}
	return hm, rest, true
}

// encodeDatetime reads a DATETIME value: "YYYY-MM-DD", "T" or a space, a time (clockTime),
// then "Z", a numeric offset (+09:00 or +0900) or nothing (UTC, as the column stores
// instants); also "…:SSZ.ffffff", the form Python binds a datetime with microseconds in.
// These are the forms the column reads as and Python sends. The instant is converted to UTC.
//
// kintone keeps DATETIME values to the minute and ignores seconds it is sent: the value is
// truncated to the minute and sent as "YYYY-MM-DDTHH:MM:00Z", which is what kintone stores
// and what the column then reads. A time zone given any other way (a name such as JST or
// Asia/Tokyo, an offset out of range) is refused, never guessed; so is a date without a time.
func (c *Column) encodeDatetime(v any) (string, error) {
	s, err := c.dateText(v)
	if err != nil || s == "" {
		if err == nil && c.FieldType != "DATETIME" {
			err = c.noEmptyValue(v)
		}
		return "", err
	}
	if len(s) < 11 || !validDate(s) || (s[10] != 'T' && s[10] != ' ') {
		return "", c.badWrite(v, "is not a date and time; "+c.expected())
	}
	hm, zone, ok := clockTime(s[11:])
	if !ok {
		return "", c.badWrite(v, "is not a date and time; "+c.expected())
	}
	if frac, ok := strings.CutPrefix(zone, "Z."); ok && frac != "" && strings.Trim(frac, "0123456789") == "" &&
		len(s)-len(zone) == len("2006-01-02T15:04:05") {
		zone = "Z" // Python's "…SSZ.ffffff"
	}
	offset, ok := zoneOffset(zone)
	if !ok {
		return "", c.badWrite(v, "has a time zone the driver cannot map ("+strconv.Quote(zone)+
			"); write Z or a numeric offset such as +09:00 (without one the time is UTC)")
	}
	t, _ := time.Parse("2006-01-02 15:04", s[:10]+" "+hm)
	t = t.Add(-offset)
	if t.Year() < 0 || t.Year() > 9999 {
		return "", c.badWrite(v, "is outside the years 0000 to 9999 in UTC")
	}
	return t.Format("2006-01-02T15:04") + ":00Z", nil
}

// zoneOffset reads the time zone after a date and time: "" or "Z" (UTC), or ±HH:MM / ±HHMM
// with HH up to 23 and MM up to 59. ok is false for anything else.
func zoneOffset(z string) (time.Duration, bool) {
	switch {
	case z == "" || z == "Z":
		return 0, true
	case len(z) != 5 && len(z) != 6 || (z[0] != '+' && z[0] != '-'):
		return 0, false
	}
	hh, mm := z[1:3], z[3:]
	if len(z) == 6 {
		if z[3] != ':' {
			return 0, false
		}
		mm = z[4:]
	}
	if !isDigit(hh[0]) || !isDigit(hh[1]) || !isDigit(mm[0]) || !isDigit(mm[1]) || hh > "23" || mm > "59" {
		return 0, false
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if z[0] == '-' {
		d = -d
	}
	return d, true
}
