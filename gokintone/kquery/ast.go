package kquery

// Query is a parsed or built kintone query: a condition followed by the options kintone reads
// in a fixed order.
type Query struct {
	Where   Expr // nil means no condition: every record matches
	OrderBy []OrderItem
	Limit   *int64 // nil means not given (kintone then returns 100 records)
	Offset  *int64 // nil means not given
}

// OrderItem is one sort key of an order by clause.
type OrderItem struct {
	Field string
	Desc  bool
}

// Expr is a condition: a *Cond or a *Logical (the value types Cond and Logical are accepted as
// well, so that callers may build either). The interface is sealed so that every consumer's
// type switch stays complete.
type Expr interface {
	isExpr()
}

// Logical joins two or more conditions with "and" or "or".
type Logical struct {
	Op    string // "and" or "or"
	Terms []Expr // at least two
}

// Cond is one comparison of a field against values.
type Cond struct {
	Field  string // field code, "$id", or "rel.field" for a related-records field
	Op     Op
	Values []Value // one for comparisons and like, one or more for in/not in, none for is empty
}

func (Logical) isExpr() {}
func (Cond) isExpr()    {}

// Op is a comparison operator, spelt as in kintone's canonical (lower-case) text.
type Op string

// The operators of kintone's query language.
const (
	Eq         Op = "="
	Ne         Op = "!="
	Gt         Op = ">"
	Lt         Op = "<"
	Ge         Op = ">="
	Le         Op = "<="
	In         Op = "in"
	NotIn      Op = "not in"
	Like       Op = "like"
	NotLike    Op = "not like"
	IsEmpty    Op = "is empty"
	IsNotEmpty Op = "is not empty"
)

// Logical operators, as stored in Logical.Op.
const (
	OpAnd = "and"
	OpOr  = "or"
)

// valueCount reports how many values op takes: exactly n, or at least one when n < 0.
func (op Op) valueCount() int {
	switch op {
	case In, NotIn:
		return -1
	case IsEmpty, IsNotEmpty:
		return 0
	}
	return 1
}

// Known reports whether op is one of kintone's operators.
func (op Op) Known() bool {
	switch op {
	case Eq, Ne, Gt, Lt, Ge, Le, In, NotIn, Like, NotLike, IsEmpty, IsNotEmpty:
		return true
	}
	return false
}

// negative reports whether op is a negated operator; over subtable rows these need every row
// to satisfy them rather than one.
func (op Op) negative() bool {
	switch op {
	case Ne, NotIn, NotLike, IsNotEmpty:
		return true
	}
	return false
}

// positive returns the operator that op negates, or op itself.
func (op Op) positive() Op {
	switch op {
	case Ne:
		return Eq
	case NotIn:
		return In
	case NotLike:
		return Like
	case IsNotEmpty:
		return IsEmpty
	}
	return op
}

// Value is one operand of a condition.
type Value struct {
	Lit  string // a string literal's unescaped content, or a bare number's text
	Bare bool   // the literal was an unquoted number
	Func *Func  // non-nil for a function call such as TODAY() or FROM_TODAY(-1, DAYS)
}

// Func is a function call in value position. Arguments are bare symbols or integers.
type Func struct {
	Name string
	Args []string
}
