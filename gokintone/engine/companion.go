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
	toks, _ := tokenize(sql)
	if len(toks) < 3 || !toks[0].is("upsert") || !toks[1].is("into") ||
		toks[2].kind != tokWord && toks[2].kind != tokQuoted {
		return sql
	}
	start := toks[0].end - len(toks[0].text)
	return sql[:start] + "INSERT INTO " + schema.QuoteIdent(unquoteIdent(toks[2])+companionUpsert) + sql[toks[2].end:]
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
			op.record[col.FieldCode] = fieldValue{enc}
		}
	}
	st.batch.ops = append(st.batch.ops, op)
	return nil
}
