package kintonesim

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// params are a request's decoded parameters: a JSON object, or the query string turned into one
// (qs bracket notation: fields[0]=a, ids[]=1, a[b]=c; a repeated key becomes an array).
type params map[string]any

// fromQuery builds nested parameters from qs bracket notation.
func fromQuery(q url.Values) params {
	root := map[string]any{}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := q[k]
		base, path := splitBrackets(k)
		for _, v := range vals {
			setPath(root, base, path, v, len(vals) > 1)
		}
	}
	return params(normalizeArrays(root).(map[string]any))
}

// splitBrackets splits "a[b][0]" into "a" and ["b","0"].
func splitBrackets(k string) (string, []string) {
	i := strings.IndexByte(k, '[')
	if i <= 0 || !strings.HasSuffix(k, "]") {
		return k, nil
	}
	base := k[:i]
	var path []string
	rest := k[i:]
	for len(rest) > 0 {
		if rest[0] != '[' {
			return k, nil
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return k, nil
		}
		path = append(path, rest[1:j])
		rest = rest[j+1:]
	}
	return base, path
}

// arrayNode collects indexed or appended members before they become a []any.
type arrayNode struct {
	indexed  map[int]any
	appended []any
}

func setPath(m map[string]any, key string, path []string, v string, repeated bool) {
	if len(path) == 0 {
		if repeated {
			an, _ := m[key].(*arrayNode)
			if an == nil {
				an = &arrayNode{indexed: map[int]any{}}
				m[key] = an
			}
			an.appended = append(an.appended, v)
			return
		}
		m[key] = v
		return
	}
	seg := path[0]
	if n, err := strconv.Atoi(seg); (err == nil && n >= 0) || seg == "" {
		an, _ := m[key].(*arrayNode)
		if an == nil {
			an = &arrayNode{indexed: map[int]any{}}
			m[key] = an
		}
		if len(path) == 1 {
			if seg == "" {
				an.appended = append(an.appended, v)
			} else {
				an.indexed[n] = v
			}
			return
		}
		if seg == "" {
			child := map[string]any{}
			an.appended = append(an.appended, child)
			setPath(child, path[1], path[2:], v, false)
			return
		}
		child, _ := an.indexed[n].(map[string]any)
		if child == nil {
			child = map[string]any{}
			an.indexed[n] = child
		}
		setPath(child, path[1], path[2:], v, false)
		return
	}
	child, _ := m[key].(map[string]any)
	if child == nil {
		child = map[string]any{}
		m[key] = child
	}
	setPath(child, seg, path[1:], v, repeated)
}

func normalizeArrays(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = normalizeArrays(c)
		}
		return x
	case *arrayNode:
		idx := make([]int, 0, len(x.indexed))
		for i := range x.indexed {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx)+len(x.appended))
		for _, i := range idx {
			out = append(out, normalizeArrays(x.indexed[i]))
		}
		for _, a := range x.appended {
			out = append(out, normalizeArrays(a))
		}
		return out
	}
	return v
}

// str returns a scalar parameter as text; present is false when it is absent or null.
func (p params) str(key string) (string, bool) {
	v, ok := p[key]
	if !ok || v == nil {
		return "", false
	}
	s, ok := scalarString(v)
	if !ok {
		return "", true
	}
	return s, true
}

// id reads a required positive integer parameter such as app or id.
func (p params) id(key string) (int64, string, *apiError) {
	s, ok := p.str(key)
	if !ok || s == "" {
		return 0, "", errInvalid(key, msgRequired)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, s, errInvalid(key, msgInteger)
	}
	if n < 1 {
		return 0, s, errInvalid(key, msgMinOne)
	}
	return n, s, nil
}

// optInt reads an optional integer parameter.
func (p params) optInt(key string, def int64) (int64, *apiError) {
	s, ok := p.str(key)
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, errInvalid(key, msgInteger)
	}
	return n, nil
}

// boolean reads an optional boolean ("true"/"false", or a JSON boolean).
func (p params) boolean(key string) (bool, *apiError) {
	v, ok := p[key]
	if !ok || v == nil {
		return false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
	}
	return false, errInvalid(key, msgBoolean)
}

// strs reads an array parameter of scalars; a single scalar counts as one element.
func (p params) strs(key string) ([]string, bool) {
	v, ok := p[key]
	if !ok || v == nil {
		return nil, false
	}
	if items, ok := v.([]any); ok {
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, _ := scalarString(it)
			out = append(out, s)
		}
		return out, true
	}
	s, _ := scalarString(v)
	return []string{s}, true
}
