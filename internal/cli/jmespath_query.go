package cli

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/jmespath/go-jmespath"
)

// --query is evaluated by github.com/jmespath/go-jmespath, which passes the
// JMESPath compliance suite. This file keeps only what az adds around it:
//
//   - A multi-select hash keeps the order its keys were written in: az
//     (knack) evaluates with an ordered dict, so `-o table` and `-o tsv`
//     show {Name: name, RG: resourceGroup} as Name, then RG. The library
//     returns a Go map, so the order is read from the query's syntax tree.
//   - A query cannot make the CLI run out of memory: [@,@]|[]|[@,@]|[]...
//     doubles a list per step, and the library has no budget of its own, so
//     the tree's worst-case growth is bounded before anything runs.
//   - A failing function never echoes its argument: the library's message
//     quotes the value, which can be a secret value or a token.
//
// What the glue cannot reach inside the library to change (docs/cli.md
// tells users; TestQueryDiffersFromAz notices an upgrade that fixes one):
// *, keys() and values() visit an object's members in no fixed order (the
// spec leaves it open; az keeps the server's order), so sort() where order
// matters; < <= > >= order numbers only (jmespath.py also orders strings);
// obj.*.f(@) also applies f to one null per member; sort_by sorts the
// array it is given in place, so a later read of that array sees it sorted.

// query is a compiled --query expression.
type query struct {
	expr   *jmespath.JMESPath
	cost   int        // how many times the input's size evaluation may reach (see costOf)
	hashes [][]string // each multi-select hash's keys, first position first
}

var (
	errQueryTooLarge = errors.New("the query's result is too large")
	// A runtime failure of the library is always a function refusing its
	// arguments (or, for merge, panicking on them): unknown functions and a
	// slice step of 0 are refused by parseQuery, and no other expression
	// fails at run time.
	errQueryFunction = errors.New("a function's argument has the wrong type or the wrong count")
	errQueryExpref   = errors.New("an &expression is not a value")
	errASTLayout     = errors.New("this build cannot read go-jmespath's syntax tree")
)

// maxQueryWork bounds cost × input size: ten million JSON values is far
// beyond any az result and far below what exhausts memory.
const maxQueryWork = 10_000_000

// parseQuery compiles a --query expression and checks what the library
// would otherwise only find while running it.
func parseQuery(src string) (*query, error) {
	expr, err := jmespath.Compile(src)
	if err != nil {
		return nil, err
	}
	// Compile keeps its tree private; Parse returns the same tree.
	tree, err := jmespath.NewParser().Parse(src)
	if err != nil {
		return nil, err
	}
	root, err := readAST(reflect.ValueOf(tree))
	if err != nil {
		return nil, err
	}
	q := &query{expr: expr, cost: costOf(root)}
	if err := q.inspect(root); err != nil {
		return nil, err
	}
	return q, nil
}

// search runs the query on a decoded JSON document. The result holds
// *object for the maps a multi-select hash made, in the hash's key order.
func (q *query) search(doc any) (any, error) {
	fromInput := map[uintptr]bool{}
	size := inputMaps(doc, fromInput)
	if q.cost > maxQueryWork/size {
		return nil, errQueryTooLarge
	}
	out, err := q.run(doc)
	if err != nil {
		return nil, errQueryFunction
	}
	return q.ordered(out, fromInput)
}

// run is the library's Search, with its panics turned into the error they
// stand for: v0.4.0 type-checks no variadic argument, so merge(null)
// panics on a type assertion instead of refusing its argument.
func (q *query) run(doc any) (out any, err error) {
	defer func() {
		if recover() != nil {
			out, err = nil, errQueryFunction
		}
	}()
	return q.expr.Search(doc)
}

// astNode is the library's ASTNode as read here. ASTNode exports its type
// but not its fields, so they are read (never written) by reflection; the
// version is pinned in go.mod and TestQueryTreeLayout fails first if an
// upgrade renames them.
type astNode struct {
	kind  int64
	value reflect.Value // a field or key name, a function name, slice bounds, a literal
	kids  []astNode
}

func readAST(v reflect.Value) (astNode, error) {
	kind, value, kids := v.FieldByName("nodeType"), v.FieldByName("value"), v.FieldByName("children")
	if !kind.IsValid() || !kind.CanInt() || !value.IsValid() || value.Kind() != reflect.Interface ||
		!kids.IsValid() || kids.Kind() != reflect.Slice {
		return astNode{}, errASTLayout
	}
	n := astNode{kind: kind.Int(), value: value.Elem()}
	for i := range kids.Len() {
		k, err := readAST(kids.Index(i))
		if err != nil {
			return astNode{}, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// jmespathFunctions are the functions go-jmespath v0.4.0 and jmespath.py
// (az's) both define.
var jmespathFunctions = map[string]bool{
	"abs": true, "avg": true, "ceil": true, "contains": true, "ends_with": true, "floor": true,
	"join": true, "keys": true, "length": true, "map": true, "max": true, "max_by": true,
	"merge": true, "min": true, "min_by": true, "not_null": true, "reverse": true, "sort": true,
	"sort_by": true, "starts_with": true, "sum": true, "to_array": true, "to_number": true,
	"to_string": true, "type": true, "values": true,
}

// inspect refuses an unknown function and a slice step of 0 (both found
// by the library only at run time) and collects the hashes' key orders.
func (q *query) inspect(n astNode) error {
	switch n.kind {
	case int64(jmespath.ASTFunctionExpression):
		if n.value.Kind() != reflect.String {
			return errASTLayout
		}
		if name := n.value.String(); !jmespathFunctions[name] {
			return fmt.Errorf("unknown function: %s()", name)
		}
	case int64(jmespath.ASTSlice):
		if n.value.Kind() != reflect.Slice || n.value.Len() != 3 {
			return errASTLayout
		}
		if step := n.value.Index(2); !step.IsNil() && step.Elem().Int() == 0 {
			return errors.New("slice step cannot be 0")
		}
	case int64(jmespath.ASTMultiSelectHash):
		var keys []string
		seen := map[string]bool{}
		for _, kv := range n.kids {
			if kv.value.Kind() != reflect.String {
				return errASTLayout
			}
			// {a: x, a: y} keeps a once, in its first position (a Python dict).
			if k := kv.value.String(); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		q.hashes = append(q.hashes, keys)
	}
	for _, k := range n.kids {
		if err := q.inspect(k); err != nil {
			return err
		}
	}
	return nil
}

// costOf bounds how many times the input's size an expression's result
// (and the work to reach it) can be: applying one expression to the
// result of another multiplies, a multi-select list or hash adds its
// parts, a literal counts its values. Saturates well above maxQueryWork.
func costOf(n astNode) int {
	const ceiling = 1 << 40
	mul := func(a, b int) int {
		if a > ceiling/b {
			return ceiling
		}
		return a * b
	}
	add := func(a, b int) int { return min(a+b, ceiling) }
	switch n.kind {
	case int64(jmespath.ASTLiteral):
		return literalSize(n.value)
	case int64(jmespath.ASTMultiSelectList), int64(jmespath.ASTMultiSelectHash),
		int64(jmespath.ASTComparator), int64(jmespath.ASTOrExpression), int64(jmespath.ASTAndExpression):
		total := 0
		for _, k := range n.kids {
			total = add(total, costOf(k))
		}
		return max(total, 1)
	case int64(jmespath.ASTFilterProjection): // list, then per element: the kept value and the condition
		return mul(costOf(n.kids[0]), add(costOf(n.kids[1]), costOf(n.kids[2])))
	case int64(jmespath.ASTFunctionExpression): // an &expression runs once per element of the arguments
		args, perElement := 0, 1
		for _, k := range n.kids {
			if k.kind == int64(jmespath.ASTExpRef) {
				perElement = mul(perElement, costOf(k))
			} else {
				args = add(args, costOf(k))
			}
		}
		return mul(max(args, 1), perElement)
	}
	// Subexpressions, projections and pipes apply the right side to the
	// left side's result; fields, indexes and slices take a part.
	total := 1
	for _, k := range n.kids {
		total = mul(total, costOf(k))
	}
	return total
}

// literalSize counts the values in a JSON literal of the tree.
func literalSize(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return 1
		}
		return literalSize(v.Elem())
	case reflect.Slice:
		n := 1
		for i := range v.Len() {
			n += literalSize(v.Index(i))
		}
		return n
	case reflect.Map:
		n := 1
		for it := v.MapRange(); it.Next(); {
			n += literalSize(it.Value())
		}
		return n
	}
	return 1
}

// inputMaps counts the document's values and records its objects, so
// that only objects a query built are given a hash's key order.
func inputMaps(v any, seen map[uintptr]bool) int {
	switch x := v.(type) {
	case []any:
		n := 1
		for _, e := range x {
			n += inputMaps(e, seen)
		}
		return n
	case map[string]any:
		seen[reflect.ValueOf(x).Pointer()] = true
		n := 1
		for _, e := range x {
			n += inputMaps(e, seen)
		}
		return n
	}
	return 1
}

// ordered copies a result into the values output prints: an object the
// query built whose keys are exactly one hash's becomes an *object in that
// hash's order (two hashes with the same keys in different orders: the
// first written wins). Anything that is not JSON, an &expression, fails.
func (q *query) ordered(v any, fromInput map[uintptr]bool) (any, error) {
	switch x := v.(type) {
	case nil, bool, float64, string:
		return v, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = q.ordered(e, fromInput); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		vals := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if vals[k], err = q.ordered(e, fromInput); err != nil {
				return nil, err
			}
		}
		if fromInput[reflect.ValueOf(x).Pointer()] {
			return vals, nil
		}
		for _, keys := range q.hashes {
			if sameKeys(keys, x) {
				return &object{keys: keys, vals: vals}, nil
			}
		}
		return vals, nil
	}
	return nil, errQueryExpref
}

func sameKeys(keys []string, m map[string]any) bool {
	if len(keys) != len(m) {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}
