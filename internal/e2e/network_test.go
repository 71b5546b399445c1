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
