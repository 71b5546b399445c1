package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testEnv(name string) (string, bool) {
	switch name {
	case "DB_PASSWORD", "API_KEY":
		return "value-of-" + name, true
	}
	return "", false
}

// applyHead is a valid start every bad file builds on.
const applyHead = `location: eastus
group: rg
resources:
  - kind: ResourceGroup
    name: rg
`

// TestApplyLoadErrors: each bad file is refused with an error that names
// the line it is about.
func TestApplyLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		line       int
		want       string
	}{
		{"fail/yaml-syntax", applyHead + "  - kind: Vault\n    name: [kv\n", 7, "did not find expected"},
		{"fail/tab-indent", applyHead + "  - kind: Vault\n    name:\tkv\n\t  sku: standard\n", 8, "tab"},
		{"fail/unknown-kind", applyHead + "  - kind: Vaultt\n    name: kv\n", 6, `unknown kind "Vaultt"`},
		{"fail/no-kind", applyHead + "  - name: kv\n", 6, "has no kind"},
		{"fail/unknown-field", applyHead + "  - kind: Vault\n    name: kv1\n    rbca: true\n", 8, `Vault has no field "rbca"`},
		{"fail/unknown-nested-field", applyHead + "  - kind: Vault\n    name: kv1\n    networkAcls:\n      defaultAktion: Deny\n", 9, `no field "defaultAktion"`},
		{"fail/unknown-top-field", "locaton: eastus\nresources: []\n", 1, `unknown field "locaton"`},
		{"fail/missing-name", applyHead + "  - kind: Vault\n    sku: standard\n", 6, `"name" is required`},
		{"fail/bad-vault-name", applyHead + "  - kind: Vault\n    name: 1kv\n", 7, "not a valid vault name"},
		{"fail/bad-enum", applyHead + "  - kind: Vault\n    name: kv1\n    publicNetworkAccess: Maybe\n", 8, `"Maybe" is not one of Enabled, Disabled`},
		{"fail/bad-bypass", applyHead + "  - kind: Vault\n    name: kv1\n    networkAcls:\n      bypass: Everyone\n", 9, "networkAcls.bypass"},
		{"fail/bad-ip-rule", applyHead + "  - kind: Vault\n    name: kv1\n    networkAcls:\n      ipRules: [not-an-ip]\n", 9, "not-an-ip"},
		{"fail/bad-group-ref", applyHead + "  - kind: Vault\n    name: kv1\n    group: rg-other\n", 8, `group "rg-other" names no ResourceGroup`},
		{"fail/bad-vault-ref", applyHead + "  - kind: Secret\n    vault: kv-missing\n    name: s\n    valueFrom: {env: DB_PASSWORD}\n", 7, `vault "kv-missing" names no Vault`},
		{"fail/bad-subnet-ref", applyHead + "  - kind: VirtualNetwork\n    name: vnet\n    addressPrefixes: [10.0.0.0/16]\n    subnets:\n      - name: a\n        addressPrefix: 10.0.1.0/24\n  - kind: Vault\n    name: kv1\n    networkAcls:\n      virtualNetworkRules: [vnet/b]\n", 15, `has no subnet "b"`},
		{"fail/subnet-outside", applyHead + "  - kind: VirtualNetwork\n    name: vnet\n    addressPrefixes: [10.0.0.0/16]\n    subnets:\n      - name: a\n        addressPrefix: 10.1.1.0/24\n", 10, "outside the address space"},
		{"fail/inline-and-env", applyHead + "  - kind: Vault\n    name: kv1\n  - kind: Secret\n    vault: kv1\n    name: s\n    value: x\n    valueFrom: {env: DB_PASSWORD}\n", 8, "exactly one of valueFrom"},
		{"fail/env-unset", applyHead + "  - kind: Vault\n    name: kv1\n  - kind: Secret\n    vault: kv1\n    name: s\n    valueFrom: {env: NOT_SET_ANYWHERE}\n", 11, "NOT_SET_ANYWHERE is not set"},
		{"fail/duplicate", applyHead + "  - kind: ResourceGroup\n    name: RG\n", 6, "declared twice (first at line 4)"},
		{"fail/role-scope", applyHead + "  - kind: RoleAssignment\n    role: Reader\n    assignee: me\n    scope: vault/nope\n", 9, `scope "nope" names no Vault`},
		{"fail/acl-scope", applyHead + "  - kind: Workspace\n    name: ws\n  - kind: ScopeACL\n    workspace: ws\n    scope: nope\n    principal: users\n    permission: READ\n", 10, "names no SecretScope"},
		{"fail/injection-half", applyHead + "  - kind: Workspace\n    name: ws\n    vnet: v\n    publicSubnet: a\n", 8, "needs publicSubnet and privateSubnet"},
		{"fail/policy-permission", applyHead + "  - kind: Vault\n    name: kv1\n    accessPolicies:\n      - assignee: me\n        secrets: [get]\n      - assignee: me\n        secrets: [read]\n", 11, "invalid choice: 'read'"},
		{"fail/not-a-list", "resources: {kind: Vault}\n", 1, "want a list"},
		{"fail/wrong-type", applyHead + "  - kind: VirtualNetwork\n    name: vnet\n    addressPrefixes: {a: b}\n", 8, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseApplyFile("f.yaml", []byte(tc.body), testEnv)
			if err == nil {
				t.Fatalf("loaded; want an error at line %d", tc.line)
			}
			var le *lineError
			if !errors.As(err, &le) {
				t.Fatalf("got %T %v, want a *lineError", err, err)
			}
			if got, want := le.line, tc.line; got != want {
				t.Errorf("line %d, want %d: %v", got, want, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "f.yaml:") {
				t.Errorf("got %q, want f.yaml:%d: ...%s...", err, tc.line, tc.want)
			}
			if strings.Contains(err.Error(), "value-of-") {
				t.Errorf("the error holds a secret value: %v", err)
			}
		})
	}
}

// TestApplyLoadValueFile: a value comes from a file, whole, and a file
// larger than Key Vault allows is refused at its line.
func TestApplyLoadValueFile(t *testing.T) {
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small"), filepath.Join(dir, "big")
	os.WriteFile(small, []byte("line1\nline2\n"), 0o600)
	os.WriteFile(big, make([]byte, 25<<10+1), 0o600)
	file := func(p string) string {
		return applyHead + "  - kind: Vault\n    name: kv1\n  - kind: Secret\n    vault: kv1\n    name: s\n    valueFrom:\n      file: " + p + "\n"
	}
	f, err := parseApplyFile("f.yaml", []byte(file(small)), testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Resources[len(f.Resources)-1].Spec.(*secretSpec).value; got != "line1\nline2\n" {
		t.Errorf("value %q", got)
	}
	_, err = parseApplyFile("f.yaml", []byte(file(big)), testEnv)
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:12: ") || !strings.Contains(err.Error(), "25 KiB") {
		t.Errorf("got %v, want f.yaml:12: ... 25 KiB", err)
	}
	_, err = parseApplyFile("f.yaml", []byte(file(filepath.Join(dir, "none"))), testEnv)
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:12: ") {
		t.Errorf("got %v, want f.yaml:12: ...", err)
	}
}

// TestApplyLoadSeed: examples/seed.yaml loads, in dependency order, with
// its values from the environment.
func TestApplyLoadSeed(t *testing.T) {
	f, err := loadApplyFile(filepath.Join("..", "..", "examples", "seed.yaml"), testEnv)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	last := -1
	for _, r := range f.Resources {
		order = append(order, r.Kind+" "+r.Spec.id())
		if k := kindOrder(r.Kind); k < last {
			t.Errorf("%s comes after a later kind", r.Kind)
		} else {
			last = k
		}
		if s, ok := r.Spec.(*secretSpec); ok && s.value != "value-of-"+s.ValueFrom.Env {
			t.Errorf("secret %s: the value did not come from its env variable", s.Name)
		}
	}
	for _, want := range []string{"Vault kv-seed", "PrivateEndpoint pe-kv-seed", "Secret kv-seed/db-password", "SecretScope dbx-seed/my-keyvault-scope", "Workspace dbx-seed"} {
		if !strings.Contains(strings.Join(order, "\n"), want) {
			t.Errorf("the seed lacks %s:\n%s", want, strings.Join(order, "\n"))
		}
	}
	raw, _ := os.ReadFile(filepath.Join("..", "..", "examples", "seed.yaml"))
	if strings.Contains(string(raw), "\n    value:") {
		t.Error("examples/seed.yaml writes a secret value inline; use valueFrom")
	}
}

func TestJSONDiff(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, got any
		diff      string
	}{
		{"ok/subset", map[string]any{"a": "X"}, map[string]any{"a": "x", "id": "1"}, ""},
		{"ok/any-order", map[string]any{"l": []any{"a", "b"}}, map[string]any{"l": []any{"B", "a"}}, ""},
		{"ok/empty-absent", map[string]any{"l": []any{}, "f": false}, map[string]any{}, ""},
		{"ok/location", map[string]any{"location": "East US"}, map[string]any{"location": "eastus"}, ""},
		{"fail/missing", map[string]any{"p": map[string]any{"a": "x"}}, map[string]any{"p": map[string]any{}}, "p.a"},
		{"fail/longer", map[string]any{"l": []any{"a"}}, map[string]any{"l": []any{"a", "b"}}, "l"},
		{"fail/value", map[string]any{"n": 1.0}, map[string]any{"n": 2.0}, "n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonDiff(tc.want, tc.got, ""); got != tc.diff {
				t.Errorf("jsonDiff = %q, want %q", got, tc.diff)
			}
		})
	}
}

// FuzzLoad: the loader never panics, and whatever it accepts is checked:
// every resource has a known kind.
func FuzzLoad(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("..", "..", "examples", "seed.yaml"))
	f.Add(seed)
	f.Add([]byte(applyHead))
	f.Add([]byte(applyHead + "  - kind: Vault\n    name: kv1\n    networkAcls: {ipRules: [1.2.3.4/33]}\n"))
	f.Add([]byte("resources:\n  - &a {kind: Secret, vault: *a}\n"))
	f.Add([]byte("resources: [[[]]]\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		file, err := parseApplyFile("fuzz.yaml", raw, testEnv)
		if err != nil {
			return
		}
		for _, r := range file.Resources {
			if kindOrder(r.Kind) < 0 || r.Spec == nil {
				t.Fatalf("accepted a resource of kind %q", r.Kind)
			}
		}
	})
}
