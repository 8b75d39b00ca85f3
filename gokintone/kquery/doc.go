// Package kquery is the one place where kintone query-language text is built, parsed and
// evaluated.
//
// The connector builds queries only through this package, so that every literal passes through
// Quote and no value can escape its string literal; the kintone simulator parses queries with
// Parse and answers them with Compile and Program, so the two sides cannot drift apart.
// Round-trip fuzzing (Parse(q.String()) is a fixed point) keeps the builder and the parser
// honest with each other.
//
// # Text form
//
// Query.String renders a canonical form: lower-case keywords, one space between tokens, every
// string literal written with Quote, every nested and/or group in parentheses (kintone's own
// precedence between and and or is not documented, so the builder never relies on it), and
// every sort key with an explicit direction. Query.Build does the same but refuses ASTs whose
// text would not mean what the AST says (see Build).
//
// # Values kintone cannot carry
//
// kintone's string literals know the escapes \" \\ \t and \n only. A carriage return has no
// escape and is rejected raw, so a value containing CR cannot be expressed at all; NUL and
// invalid UTF-8 do not survive the JSON and URL transports unchanged. QuoteChecked, Build and
// Representable report such values as errors so that the caller can evaluate the condition
// locally instead; Quote itself never changes data: it writes them raw, which makes kintone (and
// Parse) reject the query loudly rather than match something else.
//
// # Evaluation
//
// Compile checks a parsed query against an app's fields the way kintone does (unknown fields,
// operators per field type, option values, function arguments, limits) and returns a Program
// that matches, sorts and pages records in kintone's JSON shape. Where kintone's behaviour is
// not documented the choice taken is written on the identifier that implements it; the main
// ones:
//
//   - like is a word search in kintone, approximated by whole-word matching (see Like).
//   - Empty values sort first in ascending order and last in descending order; ties are broken
//     by $id ascending.
//   - Conditions on fields of one subtable that are joined by and must hold in one row.
package kquery
