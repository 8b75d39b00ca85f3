package kquery

import (
	"sort"
	"strings"
)

// sortKey is one compiled order by item.
type sortKey struct {
	code string
	desc bool
	k    kind
	typ  string
}

// notSortable lists field types kintone offers no sort on: multi-valued fields and tables.
// kintone's full list is not documented; these are the ones whose values have no order.
var notSortable = map[string]bool{
	"CHECK_BOX": true, "MULTI_SELECT": true, "CATEGORY": true, "USER_SELECT": true,
	"ORGANIZATION_SELECT": true, "GROUP_SELECT": true, "STATUS_ASSIGNEE": true, "FILE": true,
	"SUBTABLE": true, "REFERENCE_TABLE": true,
}

func (c *compiler) sortKeys(items []OrderItem) ([]sortKey, error) {
	if len(items) == 0 {
		return []sortKey{{code: "$id", desc: true, k: kID}}, nil
	}
	keys := make([]sortKey, 0, len(items))
	for _, it := range items {
		f, err := c.resolve(it.Field)
		if err != nil {
			return nil, err
		}
		if f.table != "" || f.related {
			return nil, invalidInput(MsgSortInTable, f.code)
		}
		if notSortable[f.def.Type] || kindOf(f.def) == kNone {
			return nil, invalidInput(MsgSortType, f.code, f.def.Type)
		}
		keys = append(keys, sortKey{code: f.code, desc: it.Desc, k: kindOf(f.def), typ: f.def.Type})
	}
	return keys, nil
}

// sortVal is a record's value for one key, prepared for comparison.
type sortVal struct {
	empty bool
	dec   decimal
	n     int64
	s     string
}

func (k sortKey) value(r Record) sortVal {
	raw := r[k.code].Value
	s := text(raw)
	switch k.k {
	case kNumber:
		if d, ok := parseDecimal(s); ok {
			return sortVal{dec: d}
		}
		return sortVal{empty: true}
	case kID:
		if d, ok := parseID(s); ok {
			return sortVal{dec: d}
		}
		return sortVal{empty: true}
	case kDate:
		if n, ok := parseDate(s); ok {
			return sortVal{n: n}
		}
		return sortVal{empty: true}
	case kTime:
		if n, ok := parseTime(s); ok {
			return sortVal{n: n}
		}
		return sortVal{empty: true}
	case kDateTime:
		if t, ok := parseDateTime(s); ok {
			return sortVal{n: minuteOf(t)}
		}
		return sortVal{empty: true}
	}
	return sortVal{empty: s == "", s: s}
}

func (k sortKey) compare(a, b sortVal) int {
	switch {
	case a.empty && b.empty:
		return 0
	case a.empty:
		return -1
	case b.empty:
		return 1
	}
	switch k.k {
	case kNumber, kID:
		return cmpDecimal(a.dec, b.dec)
	case kDate, kTime, kDateTime:
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		return 0
	}
	return strings.Compare(a.s, b.s)
}

var idKey = sortKey{code: "$id", k: kID}

// Sort orders records as the query's order by says, $id descending when it says nothing (as
// kintone does). Numbers and $id compare numerically, dates and times chronologically, other
// values as Go strings (kintone's own text collation is not documented). Empty values come
// first in ascending order and last in descending order. Records equal on every key are
// ordered by $id ascending; the sort is stable beyond that.
func (p *Program) Sort(rs []Record) {
	type entry struct {
		r    Record
		vals []sortVal
		id   sortVal
	}
	es := make([]entry, len(rs))
	for i, r := range rs {
		vals := make([]sortVal, len(p.keys))
		for j, k := range p.keys {
			vals[j] = k.value(r)
		}
		es[i] = entry{r: r, vals: vals, id: idKey.value(r)}
	}
	sort.SliceStable(es, func(i, j int) bool {
		for n, k := range p.keys {
			c := k.compare(es[i].vals[n], es[j].vals[n])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return idKey.compare(es[i].id, es[j].id) < 0
	})
	for i := range es {
		rs[i] = es[i].r
	}
}

// Page returns the part of sorted records that limit and offset select.
func (p *Program) Page(rs []Record) []Record {
	if p.offset >= int64(len(rs)) {
		return rs[:0]
	}
	rs = rs[p.offset:]
	if p.limit < int64(len(rs)) {
		rs = rs[:p.limit]
	}
	return rs
}
