package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
)

// netFixture is the seed's Option B around the bootstrap vault: a virtual
// network with a private endpoint subnet and an application subnet, a
// private endpoint to the vault (a manual connection, so it starts
// Pending), the privatelink zone linked to the network and filled by the
// endpoint's zone group.
type netFixture struct {
	vault    *scopevault.Vault
	vnet     *scopevault.VirtualNetwork
	pe       *scopevault.PrivateEndpoint
	connName string
}

func buildOptionB(t *testing.T, ctx context.Context, srvVault *scopevault.Vault, s interface {
	PutVirtualNetwork(context.Context, scopevault.VirtualNetwork) (*scopevault.VirtualNetwork, bool, error)
	PutPrivateEndpoint(context.Context, scopevault.PrivateEndpoint, func(scopevault.PrivateLinkConnection) bool) (*scopevault.PrivateEndpoint, bool, error)
	PutPrivateDNSZone(context.Context, scopevault.PrivateDNSZone) (*scopevault.PrivateDNSZone, bool, error)
	PutVNetLink(context.Context, string, string, string, scopevault.VNetLink) (*scopevault.VNetLink, bool, error)
	PutDNSZoneGroup(context.Context, string, string, string, scopevault.DNSZoneGroup) (*scopevault.DNSZoneGroup, error)
}) netFixture {
	t.Helper()
	sub, group := srvVault.SubscriptionID, srvVault.ResourceGroup
	vnet, _, err := s.PutVirtualNetwork(ctx, scopevault.VirtualNetwork{
		Name: "vnet-seed", SubscriptionID: sub, ResourceGroup: group, Location: srvVault.Location,
		AddressPrefixes: []string{"10.20.0.0/16"},
		Subnets: []scopevault.Subnet{
			{Name: "pe", AddressPrefix: "10.20.2.0/24", PrivateEndpointNetworkPolicies: "Disabled"},
			{Name: "apps", AddressPrefix: "10.20.1.0/24", ServiceEndpoints: []scopevault.ServiceEndpoint{{Service: scopevault.ServiceEndpointKeyVault}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	vaultID := "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.KeyVault/vaults/" + srvVault.Name
	pe, _, err := s.PutPrivateEndpoint(ctx, scopevault.PrivateEndpoint{
		Name: "pe-kv", SubscriptionID: sub, ResourceGroup: group, Location: srvVault.Location,
		SubnetID:    vnet.SubnetID("pe"),
		Connections: []scopevault.PrivateLinkConnection{{Name: "kv-conn", TargetID: vaultID, GroupIDs: []string{"vault"}, Manual: true}},
	}, func(scopevault.PrivateLinkConnection) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	zone, _, err := s.PutPrivateDNSZone(ctx, scopevault.PrivateDNSZone{Name: scopevault.VaultPrivateLinkZone, SubscriptionID: sub, ResourceGroup: group})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PutVNetLink(ctx, sub, group, zone.Name, scopevault.VNetLink{Name: "seed-link", VirtualNetworkID: vnet.ResourceID()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutDNSZoneGroup(ctx, sub, group, pe.Name, scopevault.DNSZoneGroup{Name: "default",
		Configs: []scopevault.DNSZoneConfig{{Name: "privatelink-vaultcore-azure-net", ZoneID: zone.ResourceID()}}}); err != nil {
		t.Fatal(err)
	}
	return netFixture{vault: srvVault, vnet: vnet, pe: pe, connName: pe.Connections[0].VaultConnection}
}

// An unmodified azsecrets program placed in the private endpoint's subnet
// with scopevault run --subnet reads through the approved endpoint, and
// nothing else reaches a vault whose public network access is disabled:
// not the same program outside, not the endpoint while Pending or Rejected.
func TestRunSubnetThroughPrivateEndpoint(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir() // no saved az profile of the developer's
	ctx := context.Background()
	v, err := srv.Engine.Vault(ctx, srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	fx := buildOptionB(t, ctx, v, srv.RM)
	if _, err := srv.Engine.UpdateVault(ctx, v.Name, func(v *scopevault.Vault) error {
		v.PublicNetworkAccess = "Disabled"
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	root := repoRoot(t)
	azsecrets, sv := filepath.Join(dir, "azsecrets"), filepath.Join(dir, "scopevault")
	run(t, root, environ(nil), "go", "build", "-o", azsecrets, "./examples/azsecrets")
	run(t, root, environ(nil), "go", "build", "-o", sv, "./cmd/scopevault")
	attempt := func(args ...string) (string, error) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(cctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, environ(env)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	placed := []string{sv, "run", "--subnet", "vnet-seed/pe", "--", azsecrets}
	refused := func(name string, args ...string) {
		t.Helper()
		out, err := attempt(args...)
		if err == nil || !strings.Contains(out, "ForbiddenByConnection") {
			t.Errorf("%s: got err=%v, want ForbiddenByConnection:\n%s", name, err, out)
		}
	}

	refused("outside the network", azsecrets)
	refused("endpoint Pending", placed...)

	setState := func(status string) {
		t.Helper()
		if _, err := srv.RM.SetVaultConnectionState(ctx, v.Name, fx.connName, status, "by the test"); err != nil {
			t.Fatal(err)
		}
	}
	setState(scopevault.ConnectionApproved)
	out, err := attempt(placed...)
	if err != nil || !strings.Contains(out, "OK: all 12 operations") {
		t.Fatalf("placed in the endpoint's subnet with the connection Approved: %v\n%s", err, out)
	}
	refused("outside, endpoint Approved", azsecrets)
	// The zone is linked to the whole network: from the application
	// subnet the vault's name resolves to the endpoint too.
	out, err = attempt(sv, "run", "--subnet", "vnet-seed/apps", "--", azsecrets)
	if err != nil || !strings.Contains(out, "OK: all 12 operations") {
		t.Fatalf("placed in the application subnet of the linked network: %v\n%s", err, out)
	}

	// A rejected connection gives nothing (and, as on Azure, cannot be
	// approved again: the endpoint must be made anew).
	setState(scopevault.ConnectionRejected)
	refused("endpoint Rejected", placed...)
	if _, err := os.Stat("/etc/hosts"); err == nil {
		raw, _ := os.ReadFile("/etc/hosts")
		if strings.Contains(string(raw), "scopevault: placed") {
			t.Error("the machine's /etc/hosts holds a placement")
		}
	}
}

// The seed's Option B, as its users meet it: with public access disabled
// and bypass None, the Databricks control plane (which is not in the
// customer's network: the private endpoint cannot help it) is refused and
// Databricks wraps the vault's ForbiddenByConnection; bypass AzureServices
// lets the trusted service through. explain names the deciding rule both
// times, and a forged forwarding header changes nothing.
func TestOptionBScopeRead(t *testing.T) {
	requireTool(t, "bash")
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir()
	ctx := context.Background()
	v, err := srv.Engine.Vault(ctx, srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	fx := buildOptionB(t, ctx, v, srv.RM)
	if _, err := srv.RM.SetVaultConnectionState(ctx, v.Name, fx.connName, scopevault.ConnectionApproved, "approved"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sv := filepath.Join(dir, "scopevault")
	run(t, repoRoot(t), environ(nil), "go", "build", "-o", sv, "./cmd/scopevault")
	env["VAULT"] = v.Name
	env["SV"] = sv
	script := `set -u
az() { "$SV" az "$@"; }
databricks() { "$SV" databricks "$@"; }
KV_ID=$(az keyvault show -n "$VAULT" --query id -o tsv)
WS=$(az databricks workspace list --query "[0].name" -o tsv)
az keyvault secret set --vault-name "$VAULT" -n db-password --value "option-b-value" -o none
az role assignment create --assignee 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --role "Key Vault Secrets User" --scope "$KV_ID" -o none
AAD=$(az account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query accessToken -o tsv)
DATABRICKS_TOKEN=$AAD databricks secrets create-scope --scope kv-b --scope-backend-type AZURE_KEYVAULT \
  --resource-id "$KV_ID" --dns-name "https://$VAULT.vault.azure.net/"
az keyvault update -n "$VAULT" --public-network-access Disabled --bypass None -o none
echo "== bypass None"
databricks secrets get-secret kv-b db-password && echo "UNEXPECTED: read"
"$SV" explain --workspace "$WS" --scope kv-b --key db-password || true
curl -s --cacert "$SSL_CERT_FILE" -H "Authorization: Bearer $DATABRICKS_TOKEN" -H "X-Forwarded-For: 10.20.2.4" \
  "$DATABRICKS_HOST/api/2.0/secrets/get?scope=kv-b&key=db-password"; echo
az keyvault update -n "$VAULT" --bypass AzureServices -o none
echo "== bypass AzureServices"
databricks secrets get-secret kv-b db-password >/dev/null && echo "read ok"
"$SV" explain --workspace "$WS" --scope kv-b --key db-password
`
	out := run(t, dir, environ(env), "bash", "-c", script)
	none, services, ok := strings.Cut(out, "== bypass AzureServices")
	if !ok {
		t.Fatalf("script output:\n%s", out)
	}
	for _, want := range []string{
		"PERMISSION_DENIED", "Invalid permissions on the specified KeyVault https://" + strings.ToLower(v.Name) + ".vault.azure.net/. Wrapped Message: Status code 403",
		"ForbiddenByConnection",
		// explain: the gate is the hop that decided, with its rule and the fix.
		"network gate            denied", "was ignored: bypass is None", "set networkAcls.bypass to AzureServices",
	} {
		if !strings.Contains(none, want) {
			t.Errorf("with bypass None the output lacks %q:\n%s", want, none)
		}
	}
	if strings.Contains(none, "UNEXPECTED") || strings.Contains(none, "option-b-value") {
		t.Errorf("with bypass None the scope was read (or a value printed):\n%s", none)
	}
	// The forged header: still refused, as the forwarding header is no fact of the connection.
	if strings.Count(none, "ForbiddenByConnection") < 2 {
		t.Errorf("the forged X-Forwarded-For request was not refused alike:\n%s", none)
	}
	if !strings.Contains(services, "read ok") || !strings.Contains(services, "network gate            allowed") ||
		!strings.Contains(services, "is a trusted service and bypass is AzureServices") {
		t.Errorf("with bypass AzureServices:\n%s", services)
	}
}
