package cli

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// The placed program sees the placement's hosts lines in its /etc/hosts,
// and nothing outside its own mount namespace changes.
func TestInSubnetHostsView(t *testing.T) {
	requireTool(t, "sh")
	mode := namespaceMode()
	if mode == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI: this machine can make no mount namespace (not root, unprivileged user namespaces off)")
		}
		t.Skip("no mount namespace can be made here")
	}
	p := client.Placement{Subnet: "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/a", Port: 8443,
		Vaults: []client.PlacedVault{{Vault: "kv-one", Host: "kv-one.vault.azure.net", Address: "127.3.0.1", Public: "127.1.0.1", Via: "private endpoint pe"}}}
	f, cleanup, err := writeHostsView(placedHosts(p))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	before, _ := os.ReadFile("/etc/hosts")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envRunAsCLI, "1")
	var out, errOut bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	args := []string{self, inSubnetCommand, f, "--", "sh", "-c", `grep kv-one /etc/hosts; echo "url=$URL"`}
	env := rewriteVaultURLs(append(os.Environ(), "URL=https://127.1.0.1:8443/"), p, true)
	if err := runRedacted(cmd, args, env, nil, func(c *exec.Cmd) { c.SysProcAttr = mode }); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "127.3.0.1\tkv-one.vault.azure.net kv-one.privatelink.vaultcore.azure.net") {
		t.Errorf("the program's /etc/hosts lacks the placement:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "url=https://kv-one.vault.azure.net:8443/") {
		t.Errorf("the vault URL was not rewritten to the real name:\n%s", out.String())
	}
	after, _ := os.ReadFile("/etc/hosts")
	if !bytes.Equal(before, after) {
		t.Error("the machine's /etc/hosts changed")
	}
}

func TestRewriteVaultURLsByAddress(t *testing.T) {
	p := client.Placement{Port: 443, Vaults: []client.PlacedVault{{Vault: "kv", Host: "kv.vault.azure.net", Address: "127.64.0.1", Public: "127.1.0.1"}}}
	got := rewriteVaultURLs([]string{"AZURE_KEYVAULT_URL=https://127.1.0.1/", "OTHER=https://127.1.0.10/"}, p, false)
	if got[0] != "AZURE_KEYVAULT_URL=https://127.64.0.1/" {
		t.Errorf("got %q", got[0])
	}
	// 127.1.0.10 begins with 127.1.0.1: only whole hosts are rewritten.
	if got[1] != "OTHER=https://127.1.0.10/" {
		t.Errorf("got %q, want it unchanged", got[1])
	}
}
