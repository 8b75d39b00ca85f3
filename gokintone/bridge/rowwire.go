package bridge

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// A batch of rows crosses to Python column by column (pybind/README.md, "Value encoding"):
// "columns" holds one JSON list of values per result column, each value keeping SQLite's
// storage class exactly (an integer, a real that always has a "." or an exponent, text, a
// blob as {"b64": …}, null), and "shapes" says per column what every non-NULL value of the
// batch is, so that Python converts a whole column with one C-level call instead of looking
// at each value (a DATETIME column of kintone's stored form becomes datetimes with
// datetime.fromisoformat mapped over it). A shape is a promise checked here value by value;
// a column that keeps none (mixed values, blobs) is shape "", and Python converts it value
// by value as before.

// Shapes of a batch's column: what every non-NULL value of it is.
const (
	shapeMixed    = ""         // none of the below holds (or the column holds blobs)
	shapeNull     = "null"     // every value is NULL (or the batch has no rows)
	shapeInt      = "int"      // integers
	shapeNumber   = "number"   // integers and reals, at least one real
	shapeText     = "text"     // text in none of the forms below
	shapeDate     = "date"     // text YYYY-MM-DD naming a day of the years 1 to 9999
	shapeTime     = "time"     // text HH:MM:SS naming a time of day (00:00:00 to 23:59:59)
	shapeDatetime = "datetime" // text YYYY-MM-DDTHH:MM:SSZ: a date and a time as above, in UTC
)

// textShape is the shape of one text value: shapeDate, shapeTime, shapeDatetime or shapeText.
func textShape(s string) string {
	switch len(s) {
	case 10:
		if isDate(s) {
			return shapeDate
		}
	case 8:
		if isTime(s) {
			return shapeTime
		}
	case 20:
		if s[10] == 'T' && s[19] == 'Z' && isDate(s[:10]) && isTime(s[11:19]) {
			return shapeDatetime
		}
	}
	return shapeText
}

// isDate reports whether s is YYYY-MM-DD, ASCII digits, naming a day of the years 1 to 9999
// (the days Python's datetime.date holds).
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// isTime reports whether s is HH:MM:SS, ASCII digits, from 00:00:00 to 23:59:59.
func isTime(s string) bool {
	if len(s) != 8 || s[2] != ':' || s[5] != ':' {
		return false
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	sec, ok3 := digits(s[6:8])
	return ok1 && ok2 && ok3 && h < 24 && m < 60 && sec < 60
}

// digits reads s, made of ASCII digits only, as a number.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// joinShape is the shape of a column of shape have after one more non-NULL value of shape v.
func joinShape(have, v string) string {
	switch {
	case have == shapeNull || have == v:
		return v
	case have == shapeMixed || v == shapeMixed:
		return shapeMixed
	case isNumeric(have) && isNumeric(v):
		return shapeNumber
	case isText(have) && isText(v):
		return shapeText
	}
	return shapeMixed
}

func isNumeric(shape string) bool { return shape == shapeInt || shape == shapeNumber }

func isText(shape string) bool {
	switch shape {
	case shapeText, shapeDate, shapeTime, shapeDatetime:
		return true
	}
	return false
}

// encodeColumns writes rows column by column: `"columns":[[…],…],"shapes":[…]`. ncol is the
// number of result columns (rows may be empty).
func encodeColumns(b *strings.Builder, rows [][]any, ncol int) error {
	shapes := make([]string, ncol)
	b.WriteString(`"columns":[`)
	for j := 0; j < ncol; j++ {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		shape := shapeNull
		for i, row := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			v, err := encodeValue(b, row[j])
			if err != nil {
				return err
			}
			if v != shapeNull {
				shape = joinShape(shape, v)
			}
		}
		b.WriteByte(']')
		shapes[j] = shape
	}
	b.WriteString(`],"shapes":[`)
	for j, s := range shapes {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return nil
}

// encodeValue writes one value keeping its SQLite storage class and returns its shape
// (shapeNull for NULL, shapeMixed for a blob).
func encodeValue(b *strings.Builder, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
		return shapeNull, nil
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
		return shapeInt, nil
	case float64:
		b.WriteString(encodeFloat(x))
		return shapeNumber, nil
	case bool:
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
		return shapeInt, nil
	case string:
		if err := writeJSONString(b, x); err != nil {
			return "", err
		}
		return textShape(x), nil
	case []byte:
		b.WriteString(`{"b64":"`)
		b.WriteString(base64.StdEncoding.EncodeToString(x))
		b.WriteString(`"}`)
		return shapeMixed, nil
	}
	return "", kerr.New(kerr.KindInternal, "cannot encode a value of type %T", v)
}

// encodeFloat is a real as JSON that Python's json reads back as the same float: always with
// a "." or an exponent (so it stays a real), NaN and the infinities as Python writes them.
func encodeFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// writeJSONString writes s as a JSON string: '"', '\' and control characters escaped, the
// rest as it is (s must be valid UTF-8: text is what SQLite and Python agree on).
func writeJSONString(b *strings.Builder, s string) error {
	if !utf8.ValidString(s) {
		return kerr.New(kerr.KindBadValue, "a text value is not valid UTF-8; CAST it to BLOB to read its bytes")
	}
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			const hex = "0123456789abcdef"
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
	return nil
}
