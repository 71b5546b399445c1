package cli

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
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

func mustDoc(tb testing.TB, raw string) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// mustSearch runs a query as --query does and returns the result as plain
// JSON (an ordered hash compares as the object it prints as).
func mustSearch(tb testing.TB, query string, doc any) any {
	tb.Helper()
	q, err := parseQuery(query)
	if err != nil {
		tb.Fatalf("parse %q: %v", query, err)
	}
	got, err := q.search(doc)
	if err != nil {
		tb.Fatalf("search %q: %v", query, err)
	}
	raw, err := json.Marshal(got)
	if err != nil {
		tb.Fatal(err)
	}
	return mustDoc(tb, string(raw))
}

// The JMESPath az users write, evaluated by the library through the glue.
func TestQuery(t *testing.T) {
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
		// An object's members come in no fixed order (the spec leaves it open); sort them.
		{"ok/value-projection-sorted", "sort(tags.*)", `["data","dev"]`},
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh document each time: sort_by sorts its argument in place.
			got, want := mustSearch(t, tc.query, mustDoc(t, queryDoc)), mustDoc(t, tc.want)
			if !reflect.DeepEqual(got, want) {
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
		{"fail/hash-needs-key", "{: name}"},
		{"fail/unknown-function", "nope(name)"},
		{"fail/unknown-function-nested", "items[?starts_with(name, 'a') && nope(@)]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if q, err := parseQuery(tc.query); err == nil {
				t.Fatalf("parseQuery(%q) = %+v, want error", tc.query, q)
			}
		})
	}

	// Doubling a list per step is refused before it runs, whatever memory there is.
	for _, bomb := range []string{
		"[@,@]" + strings.Repeat("|[@,@]|[]", 40),
		strings.Repeat("[@,@]|", 40) + "@", // shared subtrees, expanded only when printed
		"length(" + strings.Repeat("[@,@]|", 40) + "to_string(@))",
		"[?length(" + strings.Repeat("[@,@]|[]|", 40) + "@)].name",
		"sort_by(@, &" + strings.Repeat("[@,@]|[]|", 40) + "length(@))",
	} {
		if err := writeResult(io.Discard, []any{1.0}, "json", bomb, nil); !errors.Is(err, errQueryTooLarge) {
			t.Errorf("%.40s...: %v, want errQueryTooLarge", bomb, err)
		}
	}

	// A function refusing a secret never repeats it.
	const secret = "s3cr3t-Value-42"
	err := writeResult(io.Discard, map[string]any{"value": secret}, "tsv", "abs(value)", nil)
	if !errors.Is(err, errQueryFunction) || strings.Contains(err.Error(), secret) {
		t.Errorf("abs(value) = %v, want errQueryFunction without the value", err)
	}
	for _, q := range []string{"length(name)", "merge(missing)", "merge(name, `{}`)", "sort_by(@, &name)"} {
		if err := writeResult(io.Discard, map[string]any{"name": 5.0}, "json", q, nil); !errors.Is(err, errQueryFunction) {
			t.Errorf("%s = %v, want errQueryFunction", q, err)
		}
	}
	for _, q := range []string{"&name", "[&name]", "{a: &name}"} {
		if err := writeResult(io.Discard, map[string]any{"name": "x"}, "json", q, nil); !errors.Is(err, errQueryExpref) {
			t.Errorf("%s = %v, want errQueryExpref", q, err)
		}
	}
}

// Where go-jmespath v0.4.0 answers differently from jmespath.py 1.0.1,
// which az 2.45 runs (az column: checked with Debian's python3-jmespath).
// The glue cannot reach inside the library to change these; docs/cli.md
// names them. When an upgrade fixes one, its case fails: drop the case
// and the line in docs/cli.md.
func TestQueryDiffersFromAz(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		want, az    string // JSON
	}{
		// The JMESPath spec orders numbers only; jmespath.py also orders strings.
		{"string-ordering-is-null", "name < 'z'", `null`, `true`},
		// obj.* hands its right side one null per member besides the members.
		{"value-projection-sees-nulls", "sort(tags.*.to_string(@))", `["data","dev","null","null"]`, `["data","dev"]`},
		// sort_by sorts the array it is given, so a later read of it sees it sorted.
		{"sort-by-sorts-in-place", "[sort_by(items, &n)[0].name, items[0].name]", `["b","b"]`, `["b","a"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := mustSearch(t, tc.query, mustDoc(t, queryDoc)), mustDoc(t, tc.want)
			if !reflect.DeepEqual(got, want) {
				raw, _ := json.Marshal(got)
				t.Errorf("%s = %s, want %s (az: %s)", tc.query, raw, tc.want, tc.az)
			}
		})
	}
}

// The glue reads go-jmespath's unexported tree; an upgrade that changes it
// fails here first rather than as an error on every --query.
func TestQueryTreeLayout(t *testing.T) {
	q, err := parseQuery("[].{b: x, a: y, b: z} | [?length(a) > `2`].[a, b, `[1, 2]`]")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.hashes, [][]string{{"b", "a"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("hashes = %v, want %v", got, want)
	}
	// A 3-key hash for each element, piped into a filter whose condition
	// compares 2 values and whose kept list has 2 fields and a 3-value
	// literal: 3 × (2 + 5).
	if got, want := q.cost, 21; got != want {
		t.Errorf("cost = %d, want %d", got, want)
	}
}

// A hash's keys keep their written order; an object of the input with the
// same keys keeps az's sorted order.
func TestQueryHashOrder(t *testing.T) {
	doc := mustDoc(t, `{"tags": {"env": "dev", "team": "data"}}`)
	q, err := parseQuery("[tags, {team: tags.team, env: tags.env}]")
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.search(doc)
	if err != nil {
		t.Fatal(err)
	}
	list := got.([]any)
	if _, isMap := list[0].(map[string]any); !isMap {
		t.Errorf("the input's tags became %T", list[0])
	}
	if o, ok := list[1].(*object); !ok || !reflect.DeepEqual(o.keys, []string{"team", "env"}) {
		t.Errorf("the hash became %#v", list[1])
	}
}

// The glue never panics and never runs away, whatever the query: it
// compiles or is refused, and what compiles prints or fails with --query.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"name", "items[?name=='b'].n", "items[*].{a: name}", "nested[][]", "items[::-1]", "sort_by(items, &n)",
		"a || b && !c", "`[1,2]`[0]", "'x'", "*.*", "[0:1:2]", "@", "&a", "{a: b}.a", "items[?n > `1`] | [0]",
		"[@,@]|[]|[@,@]", "tags.*.to_string(@)", "max_by(items, &name)", "merge(tags, {x: name})",
	} {
		f.Add(s)
	}
	doc := mustDoc(f, queryDoc)
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := parseQuery(q); err != nil {
			return
		}
		for _, format := range []string{"json", "tsv", "table"} {
			err := writeResult(io.Discard, doc, format, q, nil)
			if err != nil && !strings.HasPrefix(err.Error(), "--query: ") && !errors.Is(err, errTableUnavailable) {
				t.Fatalf("%q -o %s: %v", q, format, err)
			}
		}
	})
}
