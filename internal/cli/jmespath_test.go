package cli

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

const queryDoc = `{
  "name": "kv1", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
  "properties": {"vaultUri": "https://kv1.vault.azure.net/", "enableRbacAuthorization": true, "softDeleteRetentionInDays": 90,
    "accessPolicies": [{"objectId": "a", "permissions": {"secrets": ["get", "list"]}}, {"objectId": "b", "permissions": {"secrets": ["all"]}}]},
  "tags": {"env": "dev", "team": "data"},
  "items": [{"name": "a", "n": 3, "on": true}, {"name": "b", "n": 1, "on": false}, {"name": "c", "n": 2, "on": true}],
  "nested": [[1, 2], [3, [4]], 5],
  "weird key": 7
}`

func TestQuery(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(queryDoc), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		query string
		want  string // JSON
	}{
		{"ok/field", "name", `"kv1"`},
		{"ok/subexpr", "properties.vaultUri", `"https://kv1.vault.azure.net/"`},
		{"ok/missing", "properties.nope.deeper", `null`},
		{"ok/quoted", `"weird key"`, `7`},
		{"ok/index", "items[0].name", `"a"`},
		{"ok/negative-index", "items[-1].name", `"c"`},
		{"ok/out-of-range", "items[9]", `null`},
		{"ok/projection", "items[*].name", `["a","b","c"]`},
		{"ok/projection-drops-null", "items[*].missing", `[]`},
		{"ok/flatten", "nested[]", `[1,2,3,[4],5]`},
		{"ok/flatten-twice", "nested[][]", `[1,2,3,4,5]`},
		{"ok/slice", "items[0:2].name", `["a","b"]`},
		{"ok/slice-step", "items[::-1].name", `["c","b","a"]`},
		{"ok/filter-eq", "items[?name=='b'].n", `[1]`},
		{"ok/filter-num", "items[?n > `1`].name", `["a","c"]`},
		{"ok/filter-bool", "items[?on].name", `["a","c"]`},
		{"ok/filter-not", "items[?!on].name", `["b"]`},
		{"ok/filter-and-or", "items[?n == `1` || name == 'c'].name", `["b","c"]`},
		{"ok/filter-first", "items[?on] | [0].name", `"a"`},
		{"ok/value-projection", "tags.*", `["dev","data"]`},
		{"ok/multi-list", "[name, properties.softDeleteRetentionInDays]", `["kv1",90]`},
		{"ok/multi-hash", "{n: name, rbac: properties.enableRbacAuthorization}", `{"n":"kv1","rbac":true}`},
		{"ok/projected-hash", "items[].{name: name, n: n}", `[{"name":"a","n":3},{"name":"b","n":1},{"name":"c","n":2}]`},
		{"ok/nested-projection", "properties.accessPolicies[].permissions.secrets[]", `["get","list","all"]`},
		{"ok/pipe-stops-projection", "items[*].name | [1]", `"b"`},
		{"ok/literal", "`\"x\"`", `"x"`},
		{"ok/raw-string", `'it\'s'`, `"it's"`},
		{"ok/current", "@.name", `"kv1"`},
		{"ok/length", "length(items)", `3`},
		{"ok/contains", "contains(keys(tags), 'env')", `true`},
		{"ok/starts-with", "items[?starts_with(name, 'a')].name", `["a"]`},
		{"ok/sort-by", "sort_by(items, &n)[*].name", `["b","c","a"]`},
		{"ok/max-by", "max_by(items, &n).name", `"a"`},
		{"ok/join", "join(',', items[*].name)", `"a,b,c"`},
		{"ok/sum", "sum(items[*].n)", `6`},
		{"ok/to-string", "to_string(properties.softDeleteRetentionInDays)", `"90"`},
		{"ok/not-null", "not_null(missing, name)", `"kv1"`},
		{"ok/or-default", "missing || 'none'", `"none"`},
		{"ok/compare-strings-ordering-is-null", "name < 'z'", `null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parseQuery(tc.query)
			if err != nil {
				t.Fatalf("parse %q: %v", tc.query, err)
			}
			got, err := evaluate(n, doc)
			if err != nil {
				t.Fatalf("evaluate %q: %v", tc.query, err)
			}
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if eq, _ := (&evaluator{left: maxEvalSteps}).equal(got, want); !eq {
				raw, _ := json.Marshal(got)
				t.Errorf("%s = %s, want %s", tc.query, raw, tc.want)
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	for _, tc := range []struct {
		name, query string
	}{
		{"fail/unclosed-bracket", "items[*"},
		{"fail/trailing-dot", "name."},
		{"fail/unknown-char", "name#"},
		{"fail/unterminated-raw", "'abc"},
		{"fail/quoted-function", `"length"(items)`},
		{"fail/slice-step-zero", "items[::0]"},
		{"fail/empty", ""},
		{"fail/trailing-comma", "length(items,)"},
		{"fail/hash-needs-key", "{: name}"},
		{"fail/deep", string(make([]byte, 0)) + repeat("(", 300) + "a" + repeat(")", 300)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := parseQuery(tc.query); err == nil {
				t.Fatalf("parseQuery(%q) = %+v, want error", tc.query, n)
			}
		})
	}
	// Doubling a list per step is stopped by the work budget, not by memory.
	bomb := "[@,@]" + repeat("|[@,@]|[]", 40)
	if n, err := parseQuery(bomb); err != nil {
		t.Fatal(err)
	} else if _, err := evaluate(n, []any{1.0}); !errors.Is(err, errQueryTooLarge) {
		t.Errorf("evaluate(bomb) = %v, want errQueryTooLarge", err)
	}
	// Shared subtrees cannot expand without bound on output either.
	if err := writeResult(io.Discard, []any{1.0}, "json", repeat("[@,@]|", 40)+"@", nil); !errors.Is(err, errQueryTooLarge) && (err == nil || !strings.Contains(err.Error(), "too large")) {
		t.Errorf("printing a shared-subtree bomb: %v", err)
	}
	n, err := parseQuery("length(name)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evaluate(n, map[string]any{"name": 5.0}); err == nil {
		t.Error("length(number) did not fail")
	}
	if n, err = parseQuery("nope(name)"); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluate(n, map[string]any{}); err == nil {
		t.Error("unknown function did not fail")
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// The parser and evaluator never panic and never loop, whatever the input.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"name", "items[?name=='b'].n", "items[*].{a: name}", "nested[][]", "items[::-1]", "sort_by(items, &n)",
		"a || b && !c", "`[1,2]`[0]", "'x'", "*.*", "[0:1:2]", "@", "&a", "{a: b}.a", "items[?n > `1`] | [0]",
	} {
		f.Add(s)
	}
	var doc any
	if err := json.Unmarshal([]byte(queryDoc), &doc); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parseQuery(q)
		if err != nil {
			return
		}
		out, err := evaluate(n, doc)
		if err != nil {
			return
		}
		if _, isRef := out.(expref); isRef {
			return
		}
		if err := writeResult(io.Discard, doc, "json", q, nil); err != nil && !errors.Is(err, errQueryTooLarge) && !strings.Contains(err.Error(), "--query") {
			t.Fatalf("%q evaluates but does not print: %v", q, err)
		}
	})
}
