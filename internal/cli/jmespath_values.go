package cli

import (
	"encoding/json"
	"sort"
)

// Output works on decoded JSON (nil, bool, float64, string, []any,
// map[string]any) plus *object, an object whose key order is chosen: a
// --query multi-select hash's (jmespath_query.go) or a table transformer's
// columns.

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
