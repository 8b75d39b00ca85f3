package engine

// The reference product's companion tables of an app table T, for bulk work:
//
//   - T#UPSERT: an INSERT into it adds or updates records, keyed by the first column the
//     INSERT lists (Id, or a field with kintone's unique flag), sent as kintone upserts. The
//     reference's statement UPSERT INTO T (Key, …) VALUES (…) is the same INSERT.
//   - T#TEMP: a TEMP table with T's columns that lives as long as the connection, to gather
//     rows before INSERT INTO T SELECT … FROM [T#TEMP] or UPDATE T SET … FROM [T#TEMP].

import (
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
	"github.com/kintone-oss/cdata-kintone/gokintone/schema"
)

const (
	companionUpsert = "#UPSERT"
	companionTemp   = "#TEMP"
)

// companionOf splits a table name into the table it belongs to and its companion suffix
// ("" for a table of its own).
func companionOf(name string) (base, suffix string) {
	upper := strings.ToUpper(name)
	for _, s := range []string{companionUpsert, companionTemp} {
		if strings.HasSuffix(upper, s) && len(name) > len(s) {
			return name[:len(name)-len(s)], s
		}
	}
	return name, ""
}

// declareCompanion declares name, the table t or one of its companions.
func (e *Engine) declareCompanion(name string, t *schema.Table, suffix string) error {
	if suffix == "" {
		return e.declare(name, t)
	}
	if t.Subtable != "" || ownTable(t) {
		return kerr.New(kerr.KindSQL, "no such table: %s (%s tables exist for app tables only)", name, suffix)
	}
	if suffix == companionTemp {
		var b strings.Builder
		b.WriteString("CREATE TEMP TABLE " + schema.QuoteIdent(name) + " (")
		for i, c := range t.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(schema.QuoteIdent(c.Name) + " " + c.DeclType)
		}
		b.WriteString(")")
		if err := e.execInternal(b.String()); err != nil {
			return kerr.Wrap(err, kerr.KindInternal, "cannot create %s: %v", name, err)
		}
		e.tempFacts = nil
		return nil
	}
	key := e.nextKey()
	e.tables[key] = t
	e.upserts[key] = true
	return e.declareKey(name, key)
}

// rewriteUpsert turns the reference's UPSERT INTO T … into INSERT INTO "T#UPSERT" …; other
// statements are returned unchanged.
func rewriteUpsert(sql string) string {
	i := skipBlank(sql, 0)
	j := matchWord(sql, i, "upsert")
	if j < 0 {
		return sql
	}
	k := matchWord(sql, skipBlank(sql, j), "into")
	if k < 0 {
		return sql
	}
	start := skipBlank(sql, k)
	name, end := readIdent(sql, start)
	if end < 0 {
		return sql
	}
	return sql[:i] + "INSERT INTO " + schema.QuoteIdent(name+companionUpsert) + sql[end:]
}

// skipBlank skips white space and comments from i.
func skipBlank(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f':
			i++
		case strings.HasPrefix(s[i:], "--"):
			n := strings.IndexByte(s[i:], '\n')
			if n < 0 {
				return len(s)
			}
			i += n + 1
		case strings.HasPrefix(s[i:], "/*"):
			n := strings.Index(s[i+2:], "*/")
			if n < 0 {
				return len(s)
			}
			i += n + 4
		default:
			return i
		}
	}
	return i
}

// matchWord returns the end of the keyword word (lower case) at i, or -1.
func matchWord(s string, i int, word string) int {
	end := i + len(word)
	if end > len(s) || !strings.EqualFold(s[i:end], word) {
		return -1
	}
	if end < len(s) && isIdentByte(s[end]) {
		return -1
	}
	return end
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 0x80 || b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'z'
}

// readIdent reads an identifier at i: "…" (with "" for a quote), […], `…` or a bare name. It
// returns the name and the index after it, or -1.
func readIdent(s string, i int) (string, int) {
	if i >= len(s) {
		return "", -1
	}
	switch open := s[i]; open {
	case '"', '`':
		var b strings.Builder
		for j := i + 1; j < len(s); j++ {
			if s[j] == open {
				if j+1 < len(s) && s[j+1] == open {
					b.WriteByte(open)
					j++
					continue
				}
				return b.String(), j + 1
			}
			b.WriteByte(s[j])
		}
		return "", -1
	case '[':
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			return "", -1
		}
		return s[i+1 : i+j], i + j + 1
	}
	j := i
	for j < len(s) && isIdentByte(s[j]) {
		j++
	}
	if j == i {
		return "", -1
	}
	return s[i:j], j
}

// upsertInsert collects a row of an INSERT into T#UPSERT: the first column the INSERT lists is
// the key, Id or a field with kintone's unique flag; the record is added when no record has
// that key, else updated.
func (v *vtab) upsertInsert(st *Stmt, vals []any) error {
	given := st.facts.write.columns
	if len(given) == 0 {
		return kerr.New(kerr.KindInvalidArgument,
			"an UPSERT into %s needs a column list whose first column is the key (Id or a unique field): UPSERT INTO %s (Key, …) VALUES (…)", v.t.Name, v.t.Name)
	}
	op := writeOp{t: v.t, kind: writeUpsert, index: st.rowIndex(), record: map[string]any{}}
	for i := range v.t.Columns {
		col := &v.t.Columns[i]
		if !containsFold(given, col.Name) {
			continue
		}
		val := vals[i]
		if foldIdent(col.Name) == given[0] {
			if val == nil {
				return rowError(v.t, st.rowIndex(), col, kerr.New(kerr.KindInvalidArgument, "the UPSERT key %q is NULL", col.Name))
			}
			if col.FieldCode == "$id" {
				id, ok := val.(int64)
				if !ok || id <= 0 {
					return rowError(v.t, st.rowIndex(), col, kerr.New(kerr.KindBadValue, "the UPSERT key Id must be a positive integer, not %v", val))
				}
				op.id = id
				continue
			}
			enc, err := col.Encode(val)
			if err != nil {
				return rowError(v.t, st.rowIndex(), col, err)
			}
			op.key = map[string]any{"field": col.FieldCode, "value": enc}
			continue
		}
		enc, skip, err := v.insertValue(st, col, val)
		if err != nil {
			return err
		}
		if !skip {
			op.record[col.FieldCode] = map[string]any{"value": enc}
		}
	}
	st.batch.ops = append(st.batch.ops, op)
	return nil
}
