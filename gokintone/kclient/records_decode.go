package kclient

// Pages of records.json are the bulk of what the driver reads. They are decoded in one pass
// over the reply's bytes, which checks the JSON as it goes (as json.Valid would) and keeps each
// field's value as a slice of the reply (no copy): the engine converts only the fields a
// statement reads. (gjson, used before, walks each value up to five times: a validation pass,
// then once per level of Get and ForEach that must find where a value ends; this pass decodes
// a page of the sample app with less than half the CPU. BenchmarkDecodeRecordsPage measures it.)

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// bodyDecoder is a reply type that reads the reply body itself.
type bodyDecoder interface {
	decodeBody(body []byte) error
}

// errSyntax is the error of a reply that is not JSON.
var errSyntax = errors.New("invalid JSON")

// maxDepth bounds the nesting of arrays and objects, as encoding/json does.
const maxDepth = 10000

// decodeBody reads a records.json reply: {"records": [{code: {"type", "value"}, …}, …],
// "totalCount": n | "n" | null}. A field in another shape is kept as Bad, as
// FieldValue.UnmarshalJSON does; a reply that is not such an object is an error, and one that
// is not JSON at all says so first. Of repeated keys the last counts, as in encoding/json.
func (w *recordsWire) decodeBody(body []byte) error {
	s := &scanner{b: body}
	s.space()
	if s.i < len(body) && body[s.i] == '{' {
		var meaning error // the first error of meaning; the body must still be JSON
		err := s.object(func(key []byte) error {
			switch string(key) {
			case "records":
				bad, err := w.readRecords(s)
				if meaning == nil {
					meaning = bad
				}
				return err
			case "totalCount":
				start, err := s.value()
				if err != nil {
					return err
				}
				if err := w.TotalCount.UnmarshalJSON(body[start:s.i]); err != nil && meaning == nil {
					meaning = fmt.Errorf("totalCount: %w", err)
				}
				return nil
			}
			_, err := s.value()
			return err
		})
		if err == nil {
			err = s.end()
		}
		if err != nil {
			return err
		}
		return meaning
	}
	if _, err := s.value(); err != nil {
		return err
	}
	if err := s.end(); err != nil {
		return err
	}
	return errors.New("the reply is not a JSON object")
}

// readRecords reads the value of "records": null, or a list of records. bad is an error of
// meaning (the rest of the value is still checked), err a syntax error.
func (w *recordsWire) readRecords(s *scanner) (bad, err error) {
	s.space()
	switch {
	case s.literal("null"):
		w.Records = nil
		return nil, nil
	case s.i >= len(s.b) || s.b[s.i] != '[':
		if _, err := s.value(); err != nil {
			return nil, err
		}
		return errors.New(`"records" is not a list`), nil
	}
	w.Records = make([]Record, 0, 500)
	err = s.array(func() error {
		s.space()
		at := s.i
		switch {
		case s.literal("null"):
			w.Records = append(w.Records, nil) // the engine says which record is not an object
			return nil
		case s.i < len(s.b) && s.b[s.i] == '{':
			r, err := s.record()
			w.Records = append(w.Records, r)
			return err
		}
		if _, err := s.value(); err != nil {
			return err
		}
		if bad == nil {
			bad = fmt.Errorf("a record is not an object: %.80s", s.b[at:s.i])
		}
		return nil
	})
	return bad, err
}

// record reads a record object: field code → field. Records list their fields in the same
// order: a code equal to the one at the same place in the previous record is that string.
func (s *scanner) record() (Record, error) {
	r := make(Record, len(s.codes))
	k := 0
	err := s.object(func(key []byte) error {
		if k == len(s.codes) {
			s.codes = append(s.codes, "")
			s.types = append(s.types, "")
		}
		if s.codes[k] != string(key) {
			s.codes[k] = validText(key)
		}
		fv, err := s.field(k)
		r[s.codes[k]] = fv
		k++
		return err
	})
	return r, err
}

// field reads one field: {"type": "T", "value": V}; null is a field without a value; anything
// else is Bad, with its JSON. A field whose keys only encoding/json's rules settle (repeated,
// or "Type" in other cases) is read by FieldValue.UnmarshalJSON.
func (s *scanner) field(k int) (FieldValue, error) {
	s.space()
	start := s.i
	switch {
	case s.literal("null"):
		return FieldValue{}, nil
	case s.i >= len(s.b) || s.b[s.i] != '{':
		if _, err := s.value(); err != nil {
			return FieldValue{}, err
		}
		return FieldValue{Value: s.b[start:s.i:s.i], Bad: true}, nil
	}
	var fv FieldValue
	haveType, haveValue, badType, other := false, false, false, false
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "type":
			other = other || haveType
			haveType = true
			s.space()
			if s.literal("null") {
				fv.Type = ""
				return nil
			}
			if s.i < len(s.b) && s.b[s.i] == '"' {
				t, err := s.text()
				if err == nil && s.types[k] != string(t) {
					s.types[k] = string(t) // as FieldValue.UnmarshalJSON keeps it
				}
				fv.Type = s.types[k]
				return err
			}
			badType = true
		case "value":
			other = other || haveValue
			haveValue = true
			at, err := s.value()
			fv.Value = s.b[at:s.i:s.i]
			return err
		default:
			other = other || strings.EqualFold(string(key), "type") || strings.EqualFold(string(key), "value")
		}
		_, err := s.value()
		return err
	})
	switch {
	case err != nil:
		return FieldValue{}, err
	case badType:
		return FieldValue{Value: s.b[start:s.i:s.i], Bad: true}, nil
	case other:
		var ref FieldValue
		err := ref.UnmarshalJSON(s.b[start:s.i])
		return ref, err
	}
	return fv, nil
}

// scanner reads JSON from b, checking it, one value after the other.
type scanner struct {
	b     []byte
	i     int      // the next byte to read
	depth int      // arrays and objects open
	codes []string // the field codes of the last record read, in order
	types []string // and their types
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// end checks that nothing but white space follows.
func (s *scanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return errSyntax
	}
	return nil
}

// literal reads word (true, false or null) when it is next.
func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// value reads any JSON value and returns where it starts.
func (s *scanner) value() (int, error) {
	s.space()
	start := s.i
	if s.i >= len(s.b) {
		return start, errSyntax
	}
	var err error
	switch c := s.b[s.i]; {
	case c == '{':
		err = s.object(func([]byte) error { _, err := s.value(); return err })
	case c == '[':
		err = s.array(func() error { _, err := s.value(); return err })
	case c == '"':
		_, _, err = s.rawString()
	case c == '-' || (c >= '0' && c <= '9'):
		err = s.number()
	case s.literal("true") || s.literal("false") || s.literal("null"):
	default:
		err = errSyntax
	}
	return start, err
}

// object reads an object, calling member for each key with s at its value, which member must
// read.
func (s *scanner) object(member func(key []byte) error) error {
	return s.items('}', func() error {
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return errSyntax
		}
		key, err := s.text()
		if err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errSyntax
		}
		s.i++
		return member(key)
	})
}

// array reads an array, calling item with s at each item, which item must read.
func (s *scanner) array(item func() error) error { return s.items(']', item) }

// items reads the items of the array or object opened at s.i, separated by commas, up to end
// (']' or '}'), calling item with s at each.
func (s *scanner) items(end byte, item func() error) error {
	if s.depth++; s.depth > maxDepth {
		return errSyntax
	}
	defer func() { s.depth-- }()
	s.i++ // '[' or '{'
	s.space()
	if s.i < len(s.b) && s.b[s.i] == end {
		s.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) {
			return errSyntax
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case end:
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// text reads a string's text: a slice of the body when it has no escapes.
func (s *scanner) text() ([]byte, error) {
	raw, esc, err := s.rawString()
	if err != nil {
		return nil, err
	}
	if !esc {
		return raw[1 : len(raw)-1], nil
	}
	var t string
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, errSyntax
	}
	return []byte(t), nil
}

// validText is text as encoding/json reads it: each byte that is not part of valid UTF-8
// becomes U+FFFD.
func validText(t []byte) string {
	if utf8.Valid(t) {
		return string(t)
	}
	var b strings.Builder
	for len(t) > 0 {
		r, size := utf8.DecodeRune(t)
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.Write(t[:size])
		}
		t = t[size:]
	}
	return b.String()
}

// rawString reads a string and returns its JSON, quotes included, and whether it has escapes:
// no control characters, only JSON's escapes.
func (s *scanner) rawString() (raw []byte, esc bool, err error) {
	start := s.i
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:s.i], esc, nil
		case c < 0x20:
			return nil, false, errSyntax
		case c == '\\':
			esc = true
			j++
			if j >= len(s.b) {
				return nil, false, errSyntax
			}
			switch s.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s.b) || !isHex(s.b[j+1]) || !isHex(s.b[j+2]) || !isHex(s.b[j+3]) || !isHex(s.b[j+4]) {
					return nil, false, errSyntax
				}
				j += 4
			default:
				return nil, false, errSyntax
			}
		}
	}
	return nil, false, errSyntax
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return errSyntax
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return errSyntax
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return errSyntax
		}
	}
	return nil
}

// digits reads decimal digits and returns how many.
func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}
