package kintonesim

import (
	"strconv"

	"github.com/kintone-oss/cdata-kintone/gokintone/kquery"
)

// filterAbortedWarning is the X-Cybozu-Warning kintone sends when a keyword search stops.
const filterAbortedWarning = "Filter aborted because of too many search results"

// defaultFilterAbortThreshold is kintone's limit of records a keyword search finds.
const defaultFilterAbortThreshold = 100000

// abortFilter applies kintone's limit on keyword searches to a records.json GET query run by
// the user login: when a like / not like condition's keyword is in threshold records or more,
// the search stops there. The simulator keeps the threshold records with the smallest ids as
// the ones that contain the keyword and treats every later record as not containing it; the
// rest of the query (other conditions, order, limit, offset, totalCount) runs as usual over
// that partial result. It returns the query to run instead and true when a search was cut
// short. The caller holds s.mu.
func (s *store) abortFilter(login string, d *appDef, text string) (string, bool) {
	limit := s.filterAbortThreshold
	if limit == 0 {
		limit = defaultFilterAbortThreshold
	}
	if limit < 0 || len(d.records) < limit {
		return text, false
	}
	parsed, err := kquery.Parse(text)
	if err != nil || parsed.Where == nil {
		return text, false // compileQuery reports errors
	}
	aborted := false
	var rewrite func(e kquery.Expr) kquery.Expr
	rewrite = func(e kquery.Expr) kquery.Expr {
		switch x := e.(type) {
		case kquery.Logical:
			return rewrite(&x)
		case kquery.Cond:
			return rewrite(&x)
		case *kquery.Logical:
			terms := make([]kquery.Expr, len(x.Terms))
			for i, t := range x.Terms {
				terms[i] = rewrite(t)
			}
			return &kquery.Logical{Op: x.Op, Terms: terms}
		case *kquery.Cond:
			if x.Op != kquery.Like && x.Op != kquery.NotLike {
				return x
			}
			cut, ok := s.keywordCutoff(login, d, x, limit)
			if !ok {
				return x
			}
			aborted = true
			bound := []kquery.Value{{Lit: strconv.FormatInt(cut, 10), Bare: true}}
			if x.Op == kquery.Like {
				return &kquery.Logical{Op: kquery.OpAnd, Terms: []kquery.Expr{x, &kquery.Cond{Field: "$id", Op: kquery.Le, Values: bound}}}
			}
			return &kquery.Logical{Op: kquery.OpOr, Terms: []kquery.Expr{x, &kquery.Cond{Field: "$id", Op: kquery.Gt, Values: bound}}}
		}
		return e
	}
	parsed.Where = rewrite(parsed.Where)
	if !aborted {
		return text, false
	}
	return parsed.String(), true
}

// keywordCutoff returns the id of the limit-th record (by ascending id) that contains c's
// keyword, if that many do.
func (s *store) keywordCutoff(login string, d *appDef, c *kquery.Cond, limit int) (int64, bool) {
	kw := &kquery.Query{Where: &kquery.Cond{Field: c.Field, Op: kquery.Like, Values: c.Values}}
	sel, e := s.compileQuery(login, d, kw.String())
	if e != nil {
		return 0, false
	}
	n := 0
	for _, r := range d.records {
		if sel.prog.Match(s.kqRecord(d, r, sel.fields)) {
			if n++; n == limit {
				return r.id, true
			}
		}
	}
	return 0, false
}
