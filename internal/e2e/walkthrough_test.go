package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runDocSection runs the ```sh blocks under a heading of docs/walkthrough.md
// in bash, as a user types them after sourcing a fresh server's env file,
// and returns what they printed.
func runDocSection(t *testing.T, heading string) (string, *applyEnv) {
	t.Helper()
	bash := requireTool(t, "bash")
	e := mustApplyEnv(t)
	e.env["PATH"] = filepath.Dir(e.bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	keepGoCaches(e.env)
	script := "az() { scopevault az \"$@\"; }\ndatabricks() { scopevault databricks \"$@\"; }\n" +
		docScript(t, "docs/walkthrough.md", heading)
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-uo", "pipefail", "-c", "set -e\n"+script)
	cmd.Dir, cmd.Env = repoRoot(t), environ(e.env)
	raw, err := cmd.CombinedOutput()
	out := string(raw)
	if err != nil {
		t.Fatalf("the script under %q failed: %v\n%s", heading, err, out)
	}
	t.Logf("it printed:\n%s", out)
	for _, leak := range []string{applyPassword, applyAPIKey} {
		if strings.Contains(out, leak) {
			t.Errorf("the script printed a secret value")
		}
	}
	return out, e
}

// inOrder checks that out holds each want, one after the other.
func inOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("the output lacks %q after what came before:\n%s", w, out)
			return
		}
		rest = rest[i+len(w):]
	}
}

// TestWalkthrough runs docs/walkthrough.md's walkthrough: the seed's steps
// on a VNet-injected workspace, Option A, Option B, and the bypass that
// decides whether the control plane reaches the vault.
func TestWalkthrough(t *testing.T) {
	requireTool(t, "go")
	out, _ := runDocSection(t, "## The walkthrough")
	length := "Fetched secret length: " + strconv.Itoa(len(applyPassword))
	inOrder(t, out,
		// 6: the scope reads on an open vault.
		length,
		// Option A: the subnets are admitted, this machine is not, the scope still reads.
		"/subnets/snet-dbx-public", "/subnets/snet-dbx-private",
		"Inner error: ForbiddenByFirewall", "refused: this machine is in no admitted subnet",
		"ALLOWED:", "from vnet-dbx/snet-dbx-public", "allowed by a virtualNetworkRule",
		length,
		// Option B: approved, resolved to the endpoint's IP, the internet refused.
		"Approved\n", "10.20.3.",
		"DENIED:", "from internet", "public network access is Disabled",
		"ALLOWED:", "from vnet-dbx/snet-dbx-public", "resolves through private DNS zone privatelink.vaultcore.azure.net",
		"approved private endpoint connection pe-kv-walk",
		length,
		// bypass None: Databricks' wrapped ForbiddenByConnection, explain names the gate.
		"PERMISSION_DENIED: Invalid permissions on the specified KeyVault https://kv-walk.vault.azure.net/",
		`"innererror":{"code":"ForbiddenByConnection"}`,
		"refused: the control plane is shut out",
		"DENIED:", "4. network gate            denied", "bypass is None", "set networkAcls.bypass to AzureServices",
		// AzureServices: back.
		length,
	)
}

// TestWalkthroughApply runs the walkthrough's apply section on a fresh
// server: the seed in one file, applied twice, read through the scope; and
// checks the bad-file message the section quotes.
func TestWalkthroughApply(t *testing.T) {
	requireTool(t, "go")
	out, e := runDocSection(t, "## The same in one file")
	inOrder(t, out,
		"create     ResourceGroup rg-seed", "Plan: 14 to create, 0 to update, 0 unchanged. Nothing was changed (--dry-run).",
		"create     Secret kv-seed/db-password [from subnet vnet-dbx/snet-pe]", "Apply complete: 14 created, 0 updated, 0 unchanged.",
		"unchanged  ResourceGroup rg-seed", "Apply complete: 0 created, 0 updated, 14 unchanged.",
		"users", "READ",
		"Fetched secret length: "+strconv.Itoa(len(applyPassword)),
	)

	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(raw), "publicNetworkAccess: Disabled", "publicNetworkAccess: Disabeld", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	msg, err := e.scopevault(t, "apply", "-f", bad)
	if want := `seed.yaml:58: Vault: publicNetworkAccess "Disabeld" is not one of Enabled, Disabled`; err == nil || !strings.Contains(msg, want) {
		t.Errorf("got %v:\n%s\nwant the message docs/walkthrough.md quotes: %s", err, msg, want)
	}
}
