package kintonesim

import (
	"errors"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// Records in the store: loading a fixture's records, converting them for kquery, and compiling
// and running records queries.

// recKey is the Record entry that carries the stored record through kquery's sort; field
// codes are never empty, so it cannot clash.
const recKey = ""

// loadRecords stores a fixture's records in d, taking them one at a time from inputs.
func (s *store) loadRecords(d *appDef, inputs iter.Seq[RecordInput], defaultCreator int32) error {
	dc := &decoder{s: s, app: d, fixture: true}
	created := d.createdAt.Unix()
	sorted := true
	i := -1
	for in := range inputs {
		i++
		r := &record{rev: 1, creator: defaultCreator, modifier: defaultCreator, created: created, updated: created,
			vals: make([]any, len(d.stored))}
		if v, ok := in["$id"]; ok {
			t, _ := scalarString(v.Value)
			id, err := strconv.ParseInt(t, 10, 64)
			if err != nil || id < 1 {
				return fmt.Errorf("kintonesim: app %d record %d: bad $id %q", d.meta.ID, i, t)
			}
			r.id = id
		} else {
			r.id = d.nextID
		}
		if r.id >= d.nextID {
			d.nextID = r.id + 1
		} else {
			sorted = false // ids ascend unless given so: only then may one repeat
		}
		if v, ok := in["$revision"]; ok {
			t, _ := scalarString(v.Value)
			rev, err := strconv.ParseInt(t, 10, 64)
			if err != nil || rev < 1 {
				return fmt.Errorf("kintonesim: app %d record %d: bad $revision %q", d.meta.ID, r.id, t)
			}
			r.rev = rev
		}
		for code, v := range in {
			if code == "$id" || code == "$revision" {
				continue
			}
			f := d.byCode[code]
			if f == nil || f.table != nil {
				return fmt.Errorf("kintonesim: app %d record %d: unknown field %q", d.meta.ID, r.id, code)
			}
			key := errKey{base: "record." + code}
			switch f.typ {
			case "RECORD_NUMBER":
			case "CREATOR", "MODIFIER":
				c, n := entityCodeName(v.Value)
				if c == "" {
					return fmt.Errorf("kintonesim: app %d record %d: %s needs a code", d.meta.ID, r.id, code)
				}
				idx := s.dir.intern(kindUser, c, n)
				if f.typ == "CREATOR" {
					r.creator = idx
				} else {
					r.modifier = idx
				}
			case "CREATED_TIME", "UPDATED_TIME":
				t, _ := scalarString(v.Value)
				tm, ok := parseDatetime(t)
				if !ok {
					return fmt.Errorf("kintonesim: app %d record %d: %s: bad datetime %q", d.meta.ID, r.id, code, t)
				}
				if f.typ == "CREATED_TIME" {
					r.created = tm.Unix()
				} else {
					r.updated = tm.Unix()
				}
			default:
				if f.idx < 0 {
					return fmt.Errorf("kintonesim: app %d record %d: field %q has no value", d.meta.ID, r.id, code)
				}
				r.vals[f.idx] = dc.value(f, v.Value, key)
			}
		}
		if _, ok := in[d.sys.modifier]; !ok {
			r.modifier = r.creator
		}
		if _, ok := in[d.sys.updatedTime]; !ok {
			r.updated = r.created
		}
		for _, f := range d.stored {
			if _, ok := in[f.code]; !ok {
				r.vals[f.idx] = dc.defaultValue(f)
			}
		}
		s.assignRowIDs(d, r)
		s.computeFormulas(d, r)
		s.fixtureAssignees(d, r, in) // process.go
		if dc.errs != nil {
			return fmt.Errorf("kintonesim: app %d record %d: %s", d.meta.ID, r.id, describe(dc.errs))
		}
		d.records = append(d.records, r)
	}
	if !sorted {
		sort.Slice(d.records, func(i, j int) bool { return d.records[i].id < d.records[j].id })
		for i := 1; i < len(d.records); i++ {
			if d.records[i].id == d.records[i-1].id {
				return fmt.Errorf("kintonesim: app %d: record id %d used twice", d.meta.ID, d.records[i].id)
			}
		}
	}
	return nil
}

// assignRowIDs gives subtable rows without an id the app's next row ids.
func (s *store) assignRowIDs(d *appDef, r *record) {
	for _, f := range d.stored {
		if f.typ != "SUBTABLE" {
			continue
		}
		rows, _ := r.vals[f.idx].([]row)
		for i := range rows {
			if rows[i].id == 0 {
				rows[i].id = d.nextRowID
				d.nextRowID++
			} else if rows[i].id >= d.nextRowID {
				d.nextRowID = rows[i].id + 1
			}
		}
	}
}

// describe renders validation errors in English for Go errors.
func describe(e *apiError) string {
	keys := make([]string, 0, len(e.errors))
	for k := range e.errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		for j, t := range e.errors[k] {
			if j > 0 {
				b.WriteString(" ")
			}
			b.WriteString(k + ": " + t.en)
		}
	}
	return b.String()
}

// kqRecord converts a stored record into kquery's record shape, with only the given fields
// (nil: all). The stored record rides along under recKey.
func (s *store) kqRecord(d *appDef, r *record, only []*fieldDef) kquery.Record {
	fields := only
	if fields == nil {
		fields = d.fields
	}
	m := make(kquery.Record, len(fields)+3)
	m[recKey] = kquery.FieldValue{Value: r}
	m["$id"] = kquery.FieldValue{Type: "__ID__", Value: strconv.FormatInt(r.id, 10)}
	m["$revision"] = kquery.FieldValue{Type: "__REVISION__", Value: strconv.FormatInt(r.rev, 10)}
	for _, f := range fields {
		var v any
		switch f.typ {
		case "RECORD_NUMBER":
			v = d.recordNumber(r.id)
		case "CREATOR":
			v = s.dir.entity(r.creator)
		case "MODIFIER":
			v = s.dir.entity(r.modifier)
		case "CREATED_TIME":
			v = formatDatetime(r.created)
		case "UPDATED_TIME":
			v = formatDatetime(r.updated)
		default:
			if f.idx < 0 {
				continue
			}
			v = s.kqValue(f, r.vals[f.idx])
		}
		m[f.code] = kquery.FieldValue{Type: f.typ, Value: v}
	}
	return m
}

// kqValue converts a stored value to a form kquery reads.
func (s *store) kqValue(f *fieldDef, v any) any {
	switch x := v.(type) {
	case []int32:
		out := make([]map[string]string, len(x))
		for i, e := range x {
			out[i] = s.dir.entity(e)
		}
		return out
	case []fileRef:
		out := make([]map[string]string, len(x))
		for i, fr := range x {
			out[i] = map[string]string{"name": fr.name, "fileKey": fr.fileKey, "contentType": fr.contentType,
				"size": strconv.FormatInt(fr.size, 10)}
		}
		return out
	case []row:
		out := make([]any, len(x))
		for i, rw := range x {
			cells := make(map[string]kquery.FieldValue, len(f.inner))
			for _, fi := range f.inner {
				cells[fi.code] = kquery.FieldValue{Type: fi.typ, Value: s.kqValue(fi, rw.vals[fi.idx])}
			}
			out[i] = map[string]any{"id": strconv.FormatInt(rw.id, 10), "value": cells}
		}
		return out
	}
	return v
}

// selection is a compiled records query over one app.
type selection struct {
	prog   *kquery.Program
	query  *kquery.Query
	fields []*fieldDef // the top-level fields the query reads
	lo, hi int64       // $id bounds implied by top-level conditions (inclusive)
	byID   int         // 0: needs a full sort; 1: $id ascending; -1: $id descending
}

// compileQuery parses and compiles a records query for app d, run by the user login (for
// LOGINUSER() and PRIMARY_ORGANIZATION()).
func (s *store) compileQuery(login string, d *appDef, text string) (*selection, *apiError) {
	parsed, err := kquery.Parse(text)
	if err != nil {
		return nil, queryError(err)
	}
	env := kquery.Env{Now: s.now(), Location: s.loc, LoginUser: login}
	if u := s.users[login]; u != nil {
		env.PrimaryOrganization = u.PrimaryOrganization
	}
	prog, err := kquery.Compile(parsed, d.schema, env)
	if err != nil {
		return nil, queryError(err)
	}
	sel := &selection{prog: prog, query: parsed, lo: 1, hi: 1<<63 - 1}
	// Only the fields the query names are converted for matching and sorting.
	used := map[*fieldDef]bool{}
	var walk func(e kquery.Expr)
	walk = func(e kquery.Expr) {
		switch x := e.(type) {
		case *kquery.Logical:
			for _, t := range x.Terms {
				walk(t)
			}
		case kquery.Logical:
			walk(&x)
		case *kquery.Cond:
			if f := d.byCode[x.Field]; f != nil {
				if f.table != nil {
					f = f.table
				}
				used[f] = true
			}
		case kquery.Cond:
			walk(&x)
		}
	}
	if parsed.Where != nil {
		walk(parsed.Where)
	}
	for _, o := range parsed.OrderBy {
		if f := d.byCode[o.Field]; f != nil {
			used[f] = true
		}
	}
	sel.fields = []*fieldDef{}
	for _, f := range d.fields {
		if used[f] {
			sel.fields = append(sel.fields, f)
		}
	}
	switch {
	case len(parsed.OrderBy) == 0:
		sel.byID = -1
	case len(parsed.OrderBy) == 1 && parsed.OrderBy[0].Field == "$id":
		sel.byID = 1
		if parsed.OrderBy[0].Desc {
			sel.byID = -1
		}
	}
	sel.narrow(parsed.Where)
	return sel, nil
}

// narrow derives $id bounds from $id comparisons that every match must satisfy (top-level
// and-terms), so that seek paging does not scan the whole app. Matching still checks them.
func (sel *selection) narrow(e kquery.Expr) {
	switch x := e.(type) {
	case kquery.Logical:
		sel.narrow(&x)
	case *kquery.Logical:
		if x.Op == kquery.OpAnd {
			for _, t := range x.Terms {
				sel.narrow(t)
			}
		}
	case kquery.Cond:
		sel.narrow(&x)
	case *kquery.Cond:
		if x.Field != "$id" || len(x.Values) != 1 || x.Values[0].Func != nil {
			return
		}
		n, err := strconv.ParseInt(strings.TrimSpace(x.Values[0].Lit), 10, 64)
		if err != nil {
			return
		}
		switch x.Op {
		case kquery.Gt:
			sel.lo = max(sel.lo, n+1)
		case kquery.Ge:
			sel.lo = max(sel.lo, n)
		case kquery.Lt:
			sel.hi = min(sel.hi, n-1)
		case kquery.Le:
			sel.hi = min(sel.hi, n)
		case kquery.Eq:
			sel.lo, sel.hi = max(sel.lo, n), min(sel.hi, n)
		}
	}
}

// run returns the records of one page (offset/limit applied when paged) and the number of
// all matches when count is set (-1 otherwise).
func (s *store) run(d *appDef, sel *selection, paged, count bool) ([]*record, int64) {
	start := sort.Search(len(d.records), func(i int) bool { return d.records[i].id >= sel.lo })
	end := sort.Search(len(d.records), func(i int) bool { return d.records[i].id > sel.hi })
	if end < start {
		end = start
	}
	offset, limit := int64(0), int64(1<<62)
	if paged {
		offset, limit = sel.prog.Offset(), sel.prog.Limit()
	}
	total := int64(-1)
	if sel.byID != 0 {
		var out []*record
		n := int64(0)
		for k := 0; k < end-start; k++ {
			i := start + k
			if sel.byID < 0 {
				i = end - 1 - k
			}
			r := d.records[i]
			if !sel.prog.Match(s.kqRecord(d, r, sel.fields)) {
				continue
			}
			if n >= offset && n < offset+limit {
				out = append(out, r)
			}
			n++
			if !count && n >= offset+limit {
				break
			}
		}
		if count {
			total = n
		}
		return out, total
	}
	var matched []kquery.Record
	for _, r := range d.records[start:end] {
		kr := s.kqRecord(d, r, sel.fields)
		if sel.prog.Match(kr) {
			matched = append(matched, kr)
		}
	}
	if count {
		total = int64(len(matched))
	}
	sel.prog.Sort(matched)
	if offset >= int64(len(matched)) {
		return nil, total
	}
	matched = matched[offset:]
	if limit < int64(len(matched)) {
		matched = matched[:limit]
	}
	out := make([]*record, len(matched))
	for i, kr := range matched {
		out[i] = kr[recKey].Value.(*record)
	}
	return out, total
}

// queryError turns a kquery error into a kintone error response, worded in every language.
func queryError(err error) *apiError {
	var ke *kquery.Error
	if !errors.As(err, &ke) {
		return errInvalid("query", text{err.Error(), err.Error()})
	}
	status := ke.Status
	if status == 0 {
		status = 400
	}
	worded := text{kquery.Messages[ke.ID], queryWordingJA[ke.ID]}.fill(ke.Args...)
	if ke.ID == "" {
		worded = text{ke.Message, ke.Message}
	}
	if ke.Code == "CB_VA01" {
		e := &apiError{status: status, code: ke.Code, msg: msgInvalidInput}
		for k := range ke.Errors {
			e.add(k, worded)
		}
		return e
	}
	return &apiError{status: status, code: ke.Code, msg: worded}
}

// queryWordingJA words kquery's errors in Japanese (kquery.Messages has the English), with
// %s or %[n]s for the arguments. The recorded ones are kintone's own wording (BEHAVIOUR.md,
// Languages); the others say the same in plain words.
var queryWordingJA = map[kquery.MessageID]string{
	kquery.MsgSyntax:             "クエリ記法が間違っています。", // recorded
	kquery.MsgLimitNegative:      "limit には 0 以上の値を指定してください。",
	kquery.MsgOffsetNegative:     "offset には 0 以上の値を指定してください。",
	kquery.MsgLimitTooLarge:      "limit には 500 以下の値を指定してください。",     // recorded
	kquery.MsgOffsetTooLarge:     "offset には 10,000 以下の値を指定してください。", // recorded
	kquery.MsgFieldNotFound:      "指定されたフィールド（%s）が見つかりません。",         // recorded
	kquery.MsgRelatedNotFound:    "指定された関連レコードのフィールド（%s）が見つかりません。テーブル内のフィールドは、そのフィールドコードで指定します。",
	kquery.MsgNotAnOption:        "値（%[1]s）は%[2]sフィールドの選択肢にありません。",
	kquery.MsgOperatorInTable:    "テーブルに設定している場合、%[2]sフィールドのフィールドタイプには、演算子%[1]sを使用できません。", // recorded
	kquery.MsgOperatorNotAllowed: "%[2]sフィールドのフィールドタイプには演算子%[1]sを使用できません。",                // recorded
	kquery.MsgUnknownFunction:    "%s()関数は使用できません。",
	kquery.MsgFunctionNotAllowed: "%[1]s()関数は%[2]sフィールドには使用できません。",
	kquery.MsgArgumentCount:      "クエリの指定が不正です。", // recorded
	kquery.MsgNotANumber:         "%[2]sフィールドの値（%[1]s）は数値で指定してください。",
	kquery.MsgNotADate:           "%[3]sフィールドの値（%[1]s）が正しくありません。",
	kquery.MsgFromTodayNumber:    "FROM_TODAY()の第1引数には整数を指定します。",
	kquery.MsgFromTodayUnit:      "FROM_TODAY()の第2引数には、「DAYS」「WEEKS」「MONTHS」「YEARS」のいずれかを指定します。", // recorded
	kquery.MsgWeekday:            "%[2]s()の引数には、「SUNDAY」から「SATURDAY」のいずれかを指定します。",
	kquery.MsgMonthDay:           "指定した日にち（%s）は無効です。1から31までの整数で指定します。", // recorded
	kquery.MsgSortInTable:        "%sフィールドは並び替えに使用できません。テーブル内と関連レコードのフィールドは並び替えのキーにできません。",
	kquery.MsgSortType:           "%[1]sフィールド（フィールドタイプ%[2]s）は並び替えに使用できません。",
}

// projectionOf reads the fields parameter.
func projectionOf(p params) projection {
	list, ok := p.strs("fields")
	if !ok {
		return nil
	}
	proj := projection{}
	for _, c := range list {
		proj[c] = true
	}
	return proj
}
