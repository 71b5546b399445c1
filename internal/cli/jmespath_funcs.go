package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// callFunction runs one of the built-in JMESPath functions az users reach for.
func (e *evaluator) callFunction(name string, args []any) (any, error) {
	argc := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("%s() takes %d argument(s), got %d", name, n, len(args))
		}
		return nil
	}
	switch name {
	case "length":
		if err := argc(1); err != nil {
			return nil, err
		}
		switch x := args[0].(type) {
		case string:
			return float64(utf8.RuneCountInString(x)), nil
		case []any:
			return float64(len(x)), nil
		}
		if m, _, ok := asMap(args[0]); ok {
			return float64(len(m)), nil
		}
		return nil, typeErr(name, args[0])
	case "contains":
		if err := argc(2); err != nil {
			return nil, err
		}
		switch x := args[0].(type) {
		case string:
			s, ok := args[1].(string)
			if !ok {
				return false, nil
			}
			return strings.Contains(x, s), nil
		case []any:
			for _, el := range x {
				if eq, err := e.equal(el, args[1]); err != nil || eq {
					return eq, err
				}
			}
			return false, nil
		}
		return nil, typeErr(name, args[0])
	case "starts_with", "ends_with":
		if err := argc(2); err != nil {
			return nil, err
		}
		s, ok1 := args[0].(string)
		p, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, typeErr(name, args[0])
		}
		if name == "starts_with" {
			return strings.HasPrefix(s, p), nil
		}
		return strings.HasSuffix(s, p), nil
	case "keys", "values":
		if err := argc(1); err != nil {
			return nil, err
		}
		m, keys, ok := asMap(args[0])
		if !ok {
			return nil, typeErr(name, args[0])
		}
		out := make([]any, 0, len(keys))
		for _, k := range keys {
			if name == "keys" {
				out = append(out, k)
			} else {
				out = append(out, m[k])
			}
		}
		return out, nil
	case "join":
		if err := argc(2); err != nil {
			return nil, err
		}
		sep, ok := args[0].(string)
		l, ok2 := args[1].([]any)
		if !ok || !ok2 {
			return nil, typeErr(name, args[1])
		}
		parts := make([]string, 0, len(l))
		for _, el := range l {
			s, ok := el.(string)
			if !ok {
				return nil, typeErr(name, el)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, sep), nil
	case "to_string":
		if err := argc(1); err != nil {
			return nil, err
		}
		if s, ok := args[0].(string); ok {
			return s, nil
		}
		pv, err := toPlain(args[0])
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(pv)
		return string(raw), err
	case "to_number":
		if err := argc(1); err != nil {
			return nil, err
		}
		switch x := args[0].(type) {
		case float64:
			return x, nil
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, nil
			}
			return f, nil
		}
		return nil, nil
	case "type":
		if err := argc(1); err != nil {
			return nil, err
		}
		return typeName(args[0]), nil
	case "not_null":
		for _, a := range args {
			if a != nil {
				return a, nil
			}
		}
		return nil, nil
	case "reverse":
		if err := argc(1); err != nil {
			return nil, err
		}
		switch x := args[0].(type) {
		case string:
			r := []rune(x)
			slices.Reverse(r)
			return string(r), nil
		case []any:
			out := slices.Clone(x)
			slices.Reverse(out)
			return out, nil
		}
		return nil, typeErr(name, args[0])
	case "sum", "max", "min", "sort":
		if err := argc(1); err != nil {
			return nil, err
		}
		l, ok := args[0].([]any)
		if !ok {
			return nil, typeErr(name, args[0])
		}
		if err := e.spend(len(l)); err != nil {
			return nil, err
		}
		return aggregate(name, l, func(v any) (any, error) { return v, nil })
	case "sort_by", "max_by", "min_by":
		if err := argc(2); err != nil {
			return nil, err
		}
		l, ok := args[0].([]any)
		ex, ok2 := args[1].(expref)
		if !ok || !ok2 {
			return nil, fmt.Errorf("%s() takes an array and an &expression", name)
		}
		if err := e.spend(len(l)); err != nil {
			return nil, err
		}
		return aggregate(strings.TrimSuffix(name, "_by"), l, func(v any) (any, error) { return e.eval(ex.n, v) })
	case "abs", "floor", "ceil":
		if err := argc(1); err != nil {
			return nil, err
		}
		f, ok := args[0].(float64)
		if !ok {
			return nil, typeErr(name, args[0])
		}
		return map[string]func(float64) float64{"abs": math.Abs, "floor": math.Floor, "ceil": math.Ceil}[name](f), nil
	}
	return nil, fmt.Errorf("unknown function: %s()", name)
}

// aggregate implements sum, max, min and sort over the keys key() gives;
// all keys must be numbers, or (except for sum) all strings.
func aggregate(name string, l []any, key func(any) (any, error)) (any, error) {
	keys := make([]any, len(l))
	nums, strs := 0, 0
	for i, el := range l {
		k, err := key(el)
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case float64:
			nums++
		case string:
			strs++
		default:
			return nil, typeErr(name, k)
		}
		keys[i] = k
	}
	if nums > 0 && strs > 0 || name == "sum" && strs > 0 {
		return nil, fmt.Errorf("%s() needs all numbers or all strings", name)
	}
	less := func(a, b any) bool {
		if x, ok := a.(float64); ok {
			return x < b.(float64)
		}
		return a.(string) < b.(string)
	}
	switch name {
	case "sum":
		total := 0.0
		for _, k := range keys {
			total += k.(float64)
		}
		return total, nil
	case "max", "min":
		if len(l) == 0 {
			return nil, nil
		}
		best := 0
		for i := range keys {
			if name == "max" && less(keys[best], keys[i]) || name == "min" && less(keys[i], keys[best]) {
				best = i
			}
		}
		return l[best], nil
	}
	idx := make([]int, len(l))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case less(keys[a], keys[b]):
			return -1
		case less(keys[b], keys[a]):
			return 1
		}
		return 0
	})
	out := make([]any, len(l))
	for i, j := range idx {
		out[i] = l[j]
	}
	return out, nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case expref:
		return "expref"
	}
	return "object"
}

func typeErr(fn string, v any) error {
	return fmt.Errorf("invalid type for value: %s() does not accept %s", fn, typeName(v))
}
