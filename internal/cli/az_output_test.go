package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestWriteResult(t *testing.T) {
	var groups any
	if err := json.Unmarshal([]byte(`[
	  {"id": "/subscriptions/s/resourceGroups/rg-a", "name": "rg-a", "location": "eastus", "tags": {"env": "dev"}, "managedBy": null, "properties": {"provisioningState": "Succeeded"}},
	  {"id": "/subscriptions/s/resourceGroups/rg-b", "name": "rg-b", "location": "westus", "tags": null, "managedBy": null, "properties": {"provisioningState": "Succeeded"}}
	]`), &groups); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		format string
		query  string
		in     any
		want   string
	}{
		{"ok/json-sorted-keys", "json", "[0].{z: name, a: location}", groups, "{\n  \"a\": \"eastus\",\n  \"z\": \"rg-a\"\n}\n"},
		{"ok/json-no-html-escape", "json", "", map[string]any{"q": "a<b&c"}, "{\n  \"q\": \"a<b&c\"\n}\n"},
		{"ok/tsv-scalar", "tsv", "[0].name", groups, "rg-a\n"},
		{"ok/tsv-list", "tsv", "[].name", groups, "rg-a\nrg-b\n"},
		{"ok/tsv-query-hash-keeps-order", "tsv", "[].{n: name, l: location}", groups, "rg-a\teastus\nrg-b\twestus\n"},
		{"ok/tsv-object-values-by-key", "tsv", "[0].properties", groups, "Succeeded\n"},
		{"ok/tsv-top-level-list-is-rows", "tsv", "[0].[name, location]", groups, "rg-a\neastus\n"},
		{"ok/tsv-nested", "tsv", "[0:1].[name, tags, properties, managedBy, `true`, `[1,2]`, `90`]", groups, "rg-a\t\t\tNone\tTrue\t2\t90\n"},
		{"ok/tsv-null-prints-nothing", "tsv", "[0].missing", groups, ""},
		{"ok/table-sorted-skips-id", "table", "", groups, "Location  Name\n--------  ----\neastus    rg-a\nwestus    rg-b\n"},
		{"ok/table-query-order", "table", "[].{Name: name, Loc: location}", groups, "Name  Loc\n----  ------\nrg-a  eastus\nrg-b  westus\n"},
		{"ok/table-scalars", "table", "[].name", groups, "Result\n------\nrg-a\nrg-b\n"},
		{"ok/tsv-top-level-bool-is-lower-case", "tsv", "`[true, false, null, 1.5]`", groups, "true\nfalse\nNone\n1.5\n"},
		{"ok/tsv-bool-in-row-is-python", "tsv", "[0].{a: `true`, b: `false`}", groups, "True\tFalse\n"},
		{"ok/table-list-rows-are-columns", "table", "[].[name, location]", groups, "Column1  Column2\n-------  -------\nrg-a     eastus\nrg-b     westus\n"},
		{"ok/table-nested-as-python", "table", "[0:1].[name, tags, managedBy]", groups, "Column1  Column2         Column3\n-------  --------------  -------\nrg-a     {'env': 'dev'}\n"},
		{"ok/none", "none", "", groups, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeResult(&b, tc.in, tc.format, tc.query, nil); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	var b bytes.Buffer
	if err := writeResult(&b, groups, "json", "[?name==", nil); err == nil {
		t.Error("a bad query printed")
	}
	if err := writeResult(&b, groups, "yaml", "", nil); err == nil {
		t.Error("an unknown format printed")
	}
}

func TestTableTransformers(t *testing.T) {
	var groups, secrets any
	if err := json.Unmarshal([]byte(`[
	  {"id": "/subscriptions/s/resourceGroups/rg-a", "name": "rg-a", "location": "eastus", "properties": {"provisioningState": "Succeeded"}},
	  {"id": "/subscriptions/s/resourceGroups/rg-bb", "name": "rg-bb", "location": "westus", "properties": {"provisioningState": "Deleting"}}
	]`), &groups); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`[
	  {"id": "https://v/secrets/a", "name": "a", "contentType": null, "attributes": {"enabled": false, "expires": null}},
	  {"id": "https://v/secrets/b", "name": "b", "contentType": "text/plain", "attributes": {"enabled": true, "expires": "2030-01-01T00:00:00+00:00"}}
	]`), &secrets); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		in    any
		query string
		table tableTransform
		want  string
	}{
		{"ok/columns-in-transformer-order", groups, "", tableResourceGroups,
			"Name   Location  Status\n-----  --------  ---------\nrg-a   eastus    Succeeded\nrg-bb  westus    Deleting\n"},
		{"ok/query-bypasses-transformer", groups, "[].{n: name}", tableResourceGroups, "N\n-----\nrg-a\nrg-bb\n"},
		{"ok/build-table-output-blanks-falsy", secrets, "", tableSecrets,
			"Name  Id                   ContentType  Enabled  Expires\n" +
				"----  -------------------  -----------  -------  -------------------------\n" +
				"a     https://v/secrets/a\n" +
				"b     https://v/secrets/b  text/plain   True     2030-01-01T00:00:00+00:00\n"},
		{"ok/sorted-with-id-shown", []any{map[string]any{"displayName": "b", "id": "2", "appId": "x"}, map[string]any{"displayName": "a", "id": "1", "appId": "y"}},
			"", tableServicePrincipals, "DisplayName  Id  AppId\n-----------  --  -----\na            1   y\nb            2   x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeResult(&b, tc.in, "table", tc.query, tc.table); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	var b bytes.Buffer
	err := writeResult(&b, []any{map[string]any{"name": "x"}}, "table", "", tableRoleAssignments)
	if !errors.Is(err, errTableUnavailable) {
		t.Errorf("a missing field: err = %v", err)
	}
	if err := writeResult(&b, groups, "json", "", tableRoleAssignments); err != nil {
		t.Errorf("json output ran the table transformer: %v", err)
	}
}

func TestParseTags(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flag  []string
		args  []string
		want  map[string]string
		fails bool
	}{
		{"ok/space-separated", []string{"a=b"}, []string{"c=d", "e"}, map[string]string{"a": "b", "c": "d", "e": ""}, false},
		{"ok/value-with-equals", []string{"url=https://x?a=b"}, nil, map[string]string{"url": "https://x?a=b"}, false},
		{"ok/clear", []string{""}, nil, map[string]string{}, false},
		{"ok/none", nil, nil, nil, false},
		{"fail/no-key", []string{"=v"}, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTags(tc.flag, tc.args)
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v", err)
			}
			if tc.fails {
				return
			}
			if len(got) != len(tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
