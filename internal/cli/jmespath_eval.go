package cli

import (
	"errors"
	"fmt"
)

// expref is a function argument written &expr.
type expref struct{ n *node }

// maxEvalSteps bounds the work one query may do: a few characters such as
// [@,@]|[]|[@,@]|[]... double a list per step, so an unbounded evaluator
// could be made to run (and allocate) forever.
const maxEvalSteps = 10_000_000

var errQueryTooLarge = errors.New("the query's result is too large")

// evaluator counts the work done so far.
type evaluator struct{ left int }

func (e *evaluator) spend(n int) error {
	e.left -= n
	if e.left < 0 {
		return errQueryTooLarge
	}
	return nil
}

// evaluate runs a compiled query against v.
func evaluate(n *node, v any) (any, error) {
	e := &evaluator{left: maxEvalSteps}
	return e.eval(n, v)
}

func (e *evaluator) eval(n *node, v any) (any, error) {
	if err := e.spend(1); err != nil {
		return nil, err
	}
	switch n.kind {
	case nIdentity:
		return v, nil
	case nLiteral:
		return n.value, nil
	case nField:
		m, _, ok := asMap(v)
		if !ok {
			return nil, nil
		}
		return m[n.name], nil
	case nSubexpr, nIndexExpr, nPipe:
		left, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		return e.eval(n.children[1], left)
	case nIndex:
		l, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		i := n.index
		if i < 0 {
			i += len(l)
		}
		if i < 0 || i >= len(l) {
			return nil, nil
		}
		return l[i], nil
	case nSlice:
		l, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		if err := e.spend(len(l)); err != nil {
			return nil, err
		}
		return slice(l, n.slice), nil
	case nProjection:
		base, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		l, ok := base.([]any)
		if !ok {
			return nil, nil
		}
		return e.project(l, n.children[1])
	case nValueProjection:
		base, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		m, keys, ok := asMap(base)
		if !ok {
			return nil, nil
		}
		vals := make([]any, 0, len(keys))
		for _, k := range keys {
			vals = append(vals, m[k])
		}
		return e.project(vals, n.children[1])
	case nFilterProjection:
		base, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		l, ok := base.([]any)
		if !ok {
			return nil, nil
		}
		if err := e.spend(len(l)); err != nil {
			return nil, err
		}
		out := []any{}
		for _, el := range l {
			c, err := e.eval(n.children[2], el)
			if err != nil {
				return nil, err
			}
			if !truthy(c) {
				continue
			}
			r, err := e.eval(n.children[1], el)
			if err != nil {
				return nil, err
			}
			if r != nil {
				out = append(out, r)
			}
		}
		return out, nil
	case nFlatten:
		base, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		l, ok := base.([]any)
		if !ok {
			return nil, nil
		}
		out := []any{}
		for _, el := range l {
			if err := e.spend(1); err != nil {
				return nil, err
			}
			if inner, ok := el.([]any); ok {
				if err := e.spend(len(inner)); err != nil {
					return nil, err
				}
				out = append(out, inner...)
			} else {
				out = append(out, el)
			}
		}
		return out, nil
	case nMultiList:
		if v == nil {
			return nil, nil
		}
		out := make([]any, 0, len(n.children))
		for _, c := range n.children {
			r, err := e.eval(c, v)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	case nMultiHash:
		if v == nil {
			return nil, nil
		}
		o := &object{vals: map[string]any{}}
		for i, c := range n.children {
			r, err := e.eval(c, v)
			if err != nil {
				return nil, err
			}
			if _, dup := o.vals[n.keys[i]]; !dup {
				o.keys = append(o.keys, n.keys[i])
			}
			o.vals[n.keys[i]] = r
		}
		return o, nil
	case nOr, nAnd:
		left, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		if truthy(left) == (n.kind == nOr) {
			return left, nil
		}
		return e.eval(n.children[1], v)
	case nNot:
		r, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		return !truthy(r), nil
	case nCompare:
		left, err := e.eval(n.children[0], v)
		if err != nil {
			return nil, err
		}
		right, err := e.eval(n.children[1], v)
		if err != nil {
			return nil, err
		}
		return e.compare(n.name, left, right)
	case nExpref:
		return expref{n.children[0]}, nil
	case nFunction:
		args := make([]any, 0, len(n.children))
		for _, c := range n.children {
			r, err := e.eval(c, v)
			if err != nil {
				return nil, err
			}
			args = append(args, r)
		}
		return e.callFunction(n.name, args)
	}
	return nil, fmt.Errorf("query: unknown node %d", n.kind)
}

func (e *evaluator) project(l []any, rhs *node) (any, error) {
	if err := e.spend(len(l)); err != nil {
		return nil, err
	}
	out := []any{}
	for _, el := range l {
		r, err := e.eval(rhs, el)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// slice follows Python's slice semantics, as JMESPath does.
func slice(l []any, parts [3]*int) []any {
	n := len(l)
	step := 1
	if parts[2] != nil {
		step = *parts[2]
	}
	clampStart := func(p *int, def int) int {
		if p == nil {
			return def
		}
		i := *p
		if i < 0 {
			i += n
		}
		if step > 0 {
			return min(max(i, 0), n)
		}
		return min(max(i, -1), n-1)
	}
	var start, stop int
	if step > 0 {
		start, stop = clampStart(parts[0], 0), clampStart(parts[1], n)
	} else {
		start, stop = clampStart(parts[0], n-1), clampStart(parts[1], -1)
	}
	out := []any{}
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		out = append(out, l[i])
	}
	return out
}

func (e *evaluator) compare(op string, a, b any) (any, error) {
	switch op {
	case "==", "!=":
		eq, err := e.equal(a, b)
		return eq == (op == "=="), err
	}
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	if !ok1 || !ok2 {
		return nil, nil
	}
	switch op {
	case "<":
		return x < y, nil
	case "<=":
		return x <= y, nil
	case ">":
		return x > y, nil
	}
	return x >= y, nil
}
