package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	svclient "github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/server"
)

// applyEnv is a server with the seed's values in the environment.
type applyEnv struct {
	bin string
	srv *server.Server
	env map[string]string
}

const applyPassword, applyAPIKey = "apply-pa55word-value", "apply-api-key-value"

func mustApplyEnv(t *testing.T) *applyEnv {
	t.Helper()
	bin := buildBinary(t)
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["DB_PASSWORD"], env["API_KEY"] = applyPassword, applyAPIKey
	env["HOME"] = t.TempDir()
	return &applyEnv{bin: bin, srv: srv, env: env}
}

// scopevault runs the binary and returns its combined output and error.
func (e *applyEnv) scopevault(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Dir, cmd.Env = repoRoot(t), environ(e.env)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *applyEnv) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := e.scopevault(t, args...)
	if err != nil {
		t.Fatalf("scopevault %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// readScope reads a key of the seed's scope through the Databricks
// Secrets API, as a notebook's dbutils.secrets.get does.
func (e *applyEnv) readScope(t *testing.T, key string) ([]byte, error) {
	t.Helper()
	host := strings.TrimSpace(e.mustRun(t, "az", "databricks", "workspace", "show", "-g", "rg-seed", "-n", "dbx-seed", "--query", "workspaceUrl", "-o", "tsv"))
	tok := strings.TrimSpace(e.mustRun(t, "az", "account", "get-access-token", "--resource", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d", "--query", "accessToken", "-o", "tsv"))
	pem, err := os.ReadFile(e.env["SSL_CERT_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	w, err := svclient.NewDatabricks("https://"+host, tok, pem)
	if err != nil {
		t.Fatal(err)
	}
	return w.GetSecret(t.Context(), "my-keyvault-scope", key)
}

// writes is how many SetSecret calls the audit log holds for kv-seed.
func (e *applyEnv) writes(t *testing.T) int {
	t.Helper()
	if err := e.srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	res, err := audit.Read(filepath.Join(e.srv.DataDir(), audit.FileName), audit.Filter{Vault: "kv-seed", Action: "SetSecret"})
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Records)
}

// planLines are the step lines of apply's output, by action.
func planLines(out string) map[string][]string {
	got := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		act, rest, ok := strings.Cut(line, "  ")
		if ok && (act == "create" || act == "update" || act == "unchanged" || act == "failed") {
			got[act] = append(got[act], strings.TrimSpace(rest))
		}
	}
	return got
}

// TestApplySeed applies examples/seed.yaml to a fresh server: the dry run
// changes nothing, the apply builds the seed's Option B, the scope reads,
// a second apply writes nothing, and the bypass decides the scope read as
// in Azure (None breaks it with Databricks' wrapped error, AzureServices
// fixes it).
func TestApplySeed(t *testing.T) {
	e := mustApplyEnv(t)
	seed := filepath.Join(repoRoot(t), "examples", "seed.yaml")

	// --dry-run: every resource is to be created, and nothing is.
	out := e.mustRun(t, "apply", "-f", seed, "--dry-run")
	plan := planLines(out)
	if len(plan["create"]) != 14 || len(plan["update"])+len(plan["unchanged"]) != 0 || !strings.Contains(out, "Nothing was changed (--dry-run)") {
		t.Fatalf("the dry run on a fresh server should plan only creates:\n%s", out)
	}
	if o, err := e.scopevault(t, "az", "group", "show", "-n", "rg-seed"); err == nil {
		t.Fatalf("the dry run created rg-seed:\n%s", o)
	}

	out = e.mustRun(t, "apply", "-f", seed)
	t.Logf("apply printed:\n%s", out)
	if plan := planLines(out); len(plan["create"]) != 14 || !strings.Contains(out, "Apply complete:") {
		t.Fatalf("apply did not create the seed:\n%s", out)
	}
	// Public access is Disabled before the secrets are written, so apply
	// writes them from the private endpoint's subnet.
	if !strings.Contains(out, "create     Secret kv-seed/db-password [from subnet vnet-dbx/snet-pe]") {
		t.Errorf("the secrets were not written through the private endpoint:\n%s", out)
	}
	for _, leak := range []string{applyPassword, applyAPIKey} {
		if strings.Contains(out, leak) {
			t.Fatal("apply printed a secret value")
		}
	}
	got, err := e.readScope(t, "db-password")
	if err != nil || string(got) != applyPassword {
		t.Fatalf("reading the scope after apply: %q, %v", got, err)
	}

	// The diagram of what apply built: every resource and the flows, as
	// the gate decides them (Option B: the internet refused, the VNet
	// through the endpoint, the control plane as a trusted service).
	svg := e.mustRun(t, "diagram", "--format", "svg")
	for _, want := range []string{
		"<svg", "vnet-dbx", "10.20.0.0/16", "snet-dbx-public", "snet-dbx-private", "snet-pe", "Microsoft.KeyVault",
		"pe-kv-seed", "10.20.3.4", "Approved", "privatelink.vaultcore.azure.net", "link-vnet-dbx",
		"workspace dbx-seed", "vault kv-seed", "public access Disabled", "bypass AzureServices",
		"internet -&gt; kv-seed: denied (ForbiddenByConnection)",
		"subnet vnet-dbx/snet-dbx-public -&gt; kv-seed via private endpoint pe-kv-seed: allowed",
		"control plane -&gt; kv-seed (scope my-keyvault-scope of dbx-seed): allowed",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the diagram of the seed lacks %q", want)
		}
	}

	// A second apply: everything unchanged, nothing written.
	before := e.writes(t)
	out = e.mustRun(t, "apply", "-f", seed)
	if plan := planLines(out); len(plan["create"])+len(plan["update"]) != 0 || !strings.Contains(out, "Apply complete: 0 created, 0 updated") {
		t.Fatalf("the second apply changed something:\n%s", out)
	}
	if after := e.writes(t); after != before {
		t.Errorf("the second apply wrote %d secret versions", after-before)
	}

	// bypass: None shuts the Databricks control plane out...
	none := filepath.Join(t.TempDir(), "seed-none.yaml")
	raw, _ := os.ReadFile(seed)
	edited := strings.Replace(string(raw), "      bypass: AzureServices", "      bypass: None", 1)
	if err := os.WriteFile(none, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	out = e.mustRun(t, "apply", "-f", none, "--dry-run")
	if plan := planLines(out); len(plan["update"]) != 1 || plan["update"][0] != "Vault kv-seed (networkAcls.bypass differs)" {
		t.Fatalf("the dry run of bypass None should update the vault only:\n%s", out)
	}
	if _, err := e.readScope(t, "db-password"); err != nil {
		t.Fatalf("the dry run changed the vault: %v", err)
	}
	e.mustRun(t, "apply", "-f", none)
	_, err = e.readScope(t, "db-password")
	var de *svclient.DatabricksError
	if !errors.As(err, &de) || de.ErrorCode != "PERMISSION_DENIED" || !strings.Contains(de.Message, "ForbiddenByConnection") {
		t.Fatalf("with bypass None the scope read should fail with Databricks' wrapped ForbiddenByConnection, got %v", err)
	}
	// Option A is one line away: public access Enabled, and the firewall
	// with its subnet rules decides; the scope still reads.
	optA := filepath.Join(t.TempDir(), "seed-a.yaml")
	if err := os.WriteFile(optA, []byte(strings.Replace(string(raw), "publicNetworkAccess: Disabled", "publicNetworkAccess: Enabled", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	out = e.mustRun(t, "apply", "-f", optA)
	if plan := planLines(out); len(plan["update"]) != 1 || plan["update"][0] != "Vault kv-seed (publicNetworkAccess, networkAcls.bypass differ)" {
		t.Fatalf("switching to Option A should update the vault only:\n%s", out)
	}
	if got, err := e.readScope(t, "db-password"); err != nil || string(got) != applyPassword {
		t.Fatalf("Option A: the scope read: %q, %v", got, err)
	}
	if o := e.mustRun(t, "explain", "--vault", "kv-seed", "--secret", "db-password", "--from", "internet"); !strings.Contains(o, "ForbiddenByFirewall") && !strings.Contains(o, "default action is Deny") {
		t.Errorf("Option A: the internet should meet the firewall:\n%s", o)
	}

	// ...and the seed as written lets it back in.
	out = e.mustRun(t, "apply", "-f", seed)
	if plan := planLines(out); len(plan["update"]) != 1 {
		t.Errorf("re-applying the seed should update the vault only:\n%s", out)
	}
	if got, err := e.readScope(t, "api-key"); err != nil || string(got) != applyAPIKey {
		t.Fatalf("bypass AzureServices should let the scope read through: %q, %v", got, err)
	}
}

// TestApplyBadFile: a bad file is refused before anything is written,
// with an error naming the file and line.
func TestApplyBadFile(t *testing.T) {
	e := mustApplyEnv(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"fail/kind", "group: rg\nresources:\n  - kind: ResourceGroup\n    name: rg\n    location: eastus\n  - kind: KeyVault\n    name: kv\n", `bad.yaml:6: unknown kind "KeyVault"`},
		{"fail/syntax", "resources:\n  - kind: ResourceGroup\n    name: [rg\n", "bad.yaml:3: did not find expected"},
		{"fail/reference", "group: rg\nresources:\n  - kind: ResourceGroup\n    name: rg\n    location: eastus\n  - kind: Vault\n    name: kv-x1\n  - kind: Secret\n    vault: kv-y\n    name: s\n    valueFrom: {env: DB_PASSWORD}\n", `bad.yaml:9: Secret: vault "kv-y" names no Vault declared in this file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := e.scopevault(t, "apply", "-f", path)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("got %v:\n%s\nwant an error with %q", err, out, tc.want)
			}
			if o, err := e.scopevault(t, "az", "group", "show", "-n", "rg"); err == nil {
				t.Fatalf("a bad file created rg:\n%s", o)
			}
		})
	}
}

// TestApplyFailureReport: a failure midway says what was applied, what
// failed and what was not attempted; fixing the file and applying again
// finishes the job.
func TestApplyFailureReport(t *testing.T) {
	e := mustApplyEnv(t)
	body := `location: eastus
group: rg-half
resources:
  - kind: ResourceGroup
    name: rg-half
  - kind: Vault
    name: kv-half
  - kind: RoleAssignment
    role: No Such Role
    assignee: me
    scope: vault/kv-half
  - kind: Secret
    vault: kv-half
    name: db-password
    valueFrom: {env: DB_PASSWORD}
`
	path := filepath.Join(t.TempDir(), "half.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := e.scopevault(t, "apply", "-f", path)
	if err == nil {
		t.Fatalf("apply succeeded:\n%s", out)
	}
	for _, want := range []string{
		"Applied before the failure (2):\n  create ResourceGroup rg-half\n  create Vault kv-half\n",
		"Not attempted (1):\n  Secret kv-half/db-password (line 12)\n",
		"half.yaml:8): Role 'No Such Role' doesn't exist.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	fixed := strings.Replace(body, "No Such Role", "Key Vault Secrets Officer", 1)
	if err := os.WriteFile(path, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	out = e.mustRun(t, "apply", "-f", path)
	if !regexp.MustCompile(`Apply complete: 2 created, 0 updated, 2 unchanged`).MatchString(out) {
		t.Errorf("the second apply should create the rest:\n%s", out)
	}
}

// TestApplyOptionA: a vault behind Option A's firewall (public access
// Enabled, default action Deny, a subnet rule) is written from the admitted
// subnet: apply first tries the private endpoint's subnet, which reaches
// the vault publicly here (no DNS zone) and is refused, then the rule's
// subnet. A manual private endpoint is approved by the vault's owner.
func TestApplyOptionA(t *testing.T) {
	e := mustApplyEnv(t)
	body := `location: eastus
group: rg-a
resources:
  - kind: ResourceGroup
    name: rg-a
  - kind: VirtualNetwork
    name: vnet-a
    addressPrefixes: [10.30.0.0/16]
    subnets:
      - name: app
        addressPrefix: 10.30.1.0/24
        serviceEndpoints: [Microsoft.KeyVault]
      - name: pe
        addressPrefix: 10.30.2.0/24
  - kind: Vault
    name: kv-opta
    publicNetworkAccess: Enabled
    networkAcls:
      defaultAction: Deny
      bypass: AzureServices
      virtualNetworkRules: [vnet-a/app]
  - kind: PrivateEndpoint
    name: pe-man
    subnet: vnet-a/pe
    vault: kv-opta
    manual: true
    approve: true
  - kind: RoleAssignment
    role: Key Vault Secrets Officer
    assignee: me
    scope: vault/kv-opta
  - kind: Secret
    vault: kv-opta
    name: db-password
    valueFrom: {env: DB_PASSWORD}
`
	path := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out := e.mustRun(t, "apply", "-f", path)
	for _, want := range []string{
		"update     PrivateEndpoint pe-man connection on vault kv-opta (status Pending -> Approved)",
		"create     Secret kv-opta/db-password [from subnet vnet-a/app]",
		"Apply complete: 6 created, 1 updated, 0 unchanged.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apply's output lacks %q:\n%s", want, out)
		}
	}
	status := strings.TrimSpace(e.mustRun(t, "az", "keyvault", "private-endpoint-connection", "list", "--vault-name", "kv-opta",
		"--query", "[0].privateLinkServiceConnectionState.status", "-o", "tsv"))
	if status != "Approved" {
		t.Errorf("the manual connection is %q, want Approved", status)
	}
	out = e.mustRun(t, "apply", "-f", path)
	if !strings.Contains(out, "Apply complete: 0 created, 0 updated, 7 unchanged.") {
		t.Errorf("the second apply changed something:\n%s", out)
	}
}

// TestApplyDirectoryAndPolicies: users, service principals and groups with
// members, a role for a group, an access-policy vault with a policy for a
// user, and a Databricks-backed scope; applied twice, the second changes
// nothing.
func TestApplyDirectoryAndPolicies(t *testing.T) {
	e := mustApplyEnv(t)
	e.env["ALICE_PASSWORD"] = "Al1ce-Passw0rd!"
	body := `location: eastus
group: rg-d
resources:
  - kind: ResourceGroup
    name: rg-d
  - kind: User
    userPrincipalName: alice@scopevault.example
    displayName: Alice
    passwordFrom: {env: ALICE_PASSWORD}
  - kind: ServicePrincipal
    displayName: etl-job
  - kind: Group
    displayName: data engineers
    members: [alice@scopevault.example, etl-job]
  - kind: RoleAssignment
    role: Reader
    assignee: data engineers
    scope: group/rg-d
  - kind: Vault
    name: kv-policies
    rbac: false
    accessPolicies:
      - assignee: alice@scopevault.example
        secrets: [get, list]
      - assignee: me
        secrets: [get, list, set]
  - kind: Secret
    vault: kv-policies
    name: token
    valueFrom: {env: API_KEY}
    contentType: text/plain
  - kind: Workspace
    name: dbx-d
  - kind: SecretScope
    workspace: dbx-d
    name: plain-scope
`
	path := filepath.Join(t.TempDir(), "d.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out := e.mustRun(t, "apply", "-f", path, "--dry-run")
	if !strings.Contains(out, "Plan: 9 to create, 0 to update, 0 unchanged.") {
		t.Errorf("the dry run's plan:\n%s", out)
	}
	out = e.mustRun(t, "apply", "-f", path)
	if !strings.Contains(out, "Apply complete: 9 created, 0 updated, 0 unchanged.") {
		t.Fatalf("apply:\n%s", out)
	}
	members := e.mustRun(t, "az", "ad", "group", "member", "list", "-g", "data engineers", "--query", "[].displayName", "-o", "tsv")
	if !strings.Contains(members, "Alice") || !strings.Contains(members, "etl-job") {
		t.Errorf("the group's members: %s", members)
	}
	perms := e.mustRun(t, "az", "keyvault", "show", "-n", "kv-policies", "--query", "length(properties.accessPolicies)", "-o", "tsv")
	if strings.TrimSpace(perms) != "2" {
		t.Errorf("the vault has %s access policies, want 2", perms)
	}
	out = e.mustRun(t, "apply", "-f", path)
	if !strings.Contains(out, "Apply complete: 0 created, 0 updated, 9 unchanged.") {
		t.Errorf("the second apply changed something:\n%s", out)
	}
	if strings.Contains(out, "Al1ce-Passw0rd!") {
		t.Error("apply printed a password")
	}
}
