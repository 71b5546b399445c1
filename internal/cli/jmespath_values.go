package cli

import (
	"encoding/json"
	"sort"
)

// Values are decoded JSON (nil, bool, float64, string, []any,
// map[string]any) plus *object, the ordered result of a multi-select hash:
// table output keeps the order the query gave.

type object struct {
	keys []string
	vals map[string]any
}

func (o *object) MarshalJSON() ([]byte, error) { return json.Marshal(o.vals) }

// asMap views a JSON object of either representation.
func asMap(v any) (map[string]any, []string, bool) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return x, keys, true
	case *object:
		return x.vals, x.keys, true
	}
	return nil, nil, false
}

// truthy: false, null, "", [] and {} are false; everything else is true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	}
	if m, _, ok := asMap(v); ok {
		return len(m) > 0
	}
	return true
}

// equal is JSON equality; objects compare by content whatever their representation.
func (e *evaluator) equal(a, b any) (bool, error) {
	if err := e.spend(1); err != nil {
		return false, err
	}
	if am, akeys, ok := asMap(a); ok {
		bm, bkeys, ok := asMap(b)
		if !ok || len(akeys) != len(bkeys) {
			return false, nil
		}
		for _, k := range akeys {
			bv, has := bm[k]
			if !has {
				return false, nil
			}
			if eq, err := e.equal(am[k], bv); err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	}
	al, ok := a.([]any)
	if !ok {
		switch b.(type) {
		case []any, map[string]any, *object:
			return false, nil
		}
		return a == b, nil
	}
	bl, ok := b.([]any)
	if !ok || len(al) != len(bl) {
		return false, nil
	}
	for i := range al {
		if eq, err := e.equal(al[i], bl[i]); err != nil || !eq {
			return false, err
		}
	}
	return true, nil
}

// maxOutputNodes bounds what one result may expand to: results share
// subtrees, so a small evaluated value can stand for a huge document.
const maxOutputNodes = 10_000_000

// toPlain turns *object values into maps, recursively, for output.
func toPlain(v any) (any, error) {
	budget := maxOutputNodes
	return plainN(v, &budget)
}

func plainN(v any, budget *int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, errQueryTooLarge
	}
	switch x := v.(type) {
	case *object, map[string]any:
		m, keys, _ := asMap(x)
		out := make(map[string]any, len(keys))
		for _, k := range keys {
			pv, err := plainN(m[k], budget)
			if err != nil {
				return nil, err
			}
			out[k] = pv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			pv, err := plainN(el, budget)
			if err != nil {
				return nil, err
			}
			out[i] = pv
		}
		return out, nil
	}
	return v, nil
}
