package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/explain"
	idsvc "github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/workspace"
)

// insightEnv is a running server with the seed's Option B set up on its
// services: vault kv-opt-b holding db-password, public access disabled,
// bypass None, a private endpoint in vnet1/pe approved and resolved through
// a linked private DNS zone, and a Key Vault-backed scope kv-scope on it in
// the default workspace (AzureDatabricks holds Key Vault Secrets User).
type insightEnv struct {
	*azEnv
	vault *scopevault.Vault
}

func mustInsight(t *testing.T) *insightEnv {
	t.Helper()
	e := &insightEnv{azEnv: MustAz(t)}
	s, ctx := e.srv, context.Background()
	boot := s.Boot
	v, err := s.Engine.CreateVault(ctx, scopevault.Vault{Name: "kv-opt-b", SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: "eastus", TenantID: boot.TenantID, SKU: "standard", EnableRBACAuthorization: true,
		PublicNetworkAccess: "Disabled", NetworkACLs: &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "None"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureVaultListener(v); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engine.Set(ctx, v, "db-password", secrets.SetParams{Value: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	e.vault = v
	role, err := s.Authz.RoleByName(ctx, "Key Vault Secrets User")
	if err != nil {
		t.Fatal(err)
	}
	dbx, err := s.Identity.PrincipalByAppID(ctx, boot.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	for _, oid := range []string{dbx.ObjectID, boot.ObjectID} {
		if _, _, err := s.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
			RoleDefinitionID: role.ID, PrincipalID: oid, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
			t.Fatal(err)
		}
	}

	sub, rg := boot.SubscriptionID, boot.ResourceGroup
	vnet, _, err := s.RM.PutVirtualNetwork(ctx, scopevault.VirtualNetwork{Name: "vnet1", SubscriptionID: sub, ResourceGroup: rg, Location: "eastus",
		AddressPrefixes: []string{"10.1.0.0/16"}, Subnets: []scopevault.Subnet{
			{Name: "host", AddressPrefix: "10.1.1.0/24", ServiceEndpoints: []scopevault.ServiceEndpoint{{Service: "Microsoft.KeyVault"}}},
			{Name: "pe", AddressPrefix: "10.1.3.0/24", PrivateEndpointNetworkPolicies: "Disabled"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	pe, _, err := s.RM.PutPrivateEndpoint(ctx, scopevault.PrivateEndpoint{Name: "pe-kv", SubscriptionID: sub, ResourceGroup: rg, Location: "eastus",
		SubnetID: vnet.SubnetID("pe"), Connections: []scopevault.PrivateLinkConnection{{Name: "kv-conn", TargetID: v.ResourceID(), GroupIDs: []string{"vault"}}}},
		func(scopevault.PrivateLinkConnection) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	z, _, err := s.RM.PutPrivateDNSZone(ctx, scopevault.PrivateDNSZone{Name: scopevault.VaultPrivateLinkZone, SubscriptionID: sub, ResourceGroup: rg})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RM.PutVNetLink(ctx, sub, rg, z.Name, scopevault.VNetLink{Name: "link1", VirtualNetworkID: vnet.ResourceID()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RM.PutDNSZoneGroup(ctx, sub, rg, pe.Name, scopevault.DNSZoneGroup{Name: "default",
		Configs: []scopevault.DNSZoneConfig{{Name: "privatelink-vaultcore-azure-net", ZoneID: z.ResourceID()}}}); err != nil {
		t.Fatal(err)
	}

	ws, err := s.BootWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.Workspaces.CallerAs(ctx, ws, boot.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	admin.Entra = &scopevault.Caller{TenantID: boot.TenantID, ObjectID: boot.ObjectID, AppID: boot.ClientID, Issuer: idsvc.Issuer(boot.TenantID), Kind: scopevault.KindServicePrincipal}
	if _, err := s.Workspaces.CreateScope(ctx, admin, workspace.NewScope{Name: "kv-scope", Backend: "AZURE_KEYVAULT",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://kv-opt-b.vault.azure.net/"}}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *insightEnv) setBypass(t *testing.T, bypass string) {
	t.Helper()
	if _, err := e.srv.Engine.UpdateVault(context.Background(), e.vault.Name, func(v *scopevault.Vault) error {
		v.NetworkACLs.Bypass = bypass
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, code := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("scopevault %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

var hopLine = regexp.MustCompile(`(?m)^\d\. `)

// The seed's Option B over a real server: with bypass None the scope read
// is refused at the network gate with Databricks' wrapped error, and
// explain says bypass AzureServices fixes it; with it, the read passes.
// A direct read through the private endpoint passes, from the internet
// it is refused with ForbiddenByConnection.
func TestExplainCommand(t *testing.T) {
	e := mustInsight(t)
	scope := []string{"explain", "--workspace", "scopevault-default", "--scope", "kv-scope", "--key", "db-password"}

	out := mustCLI(t, scope...)
	if !strings.HasPrefix(out, "DENIED: ") || len(hopLine.FindAllString(out, -1)) != 6 {
		t.Fatalf("scope read, bypass None:\n%s", out)
	}
	for _, want := range []string{"4. network gate", "denied", "public network access is Disabled", "bypass to AzureServices",
		"error: 403 PERMISSION_DENIED: Invalid permissions on the specified KeyVault https://kv-opt-b.vault.azure.net/. Wrapped Message: Status code 403",
		"ForbiddenByConnection", "5. vault authorization", "skipped"} {
		if !strings.Contains(out, want) {
			t.Fatalf("scope read, bypass None: no %q in\n%s", want, out)
		}
	}
	var r explain.Report
	if err := json.Unmarshal([]byte(mustCLI(t, append(scope, "-o", "json")...)), &r); err != nil {
		t.Fatal(err)
	}
	if r.Allowed || r.Kind != "scope" || len(r.Hops) != 6 || r.Hops[3].Outcome != explain.Denied || r.Error == nil || r.Error.Code != "PERMISSION_DENIED" {
		t.Fatalf("json report: %+v", r)
	}

	e.setBypass(t, "AzureServices")
	out = mustCLI(t, scope...)
	if !strings.HasPrefix(out, "ALLOWED: ") || !strings.Contains(out, "trusted service and bypass is AzureServices") || strings.Contains(out, "hunter2") {
		t.Fatalf("scope read, bypass AzureServices:\n%s", out)
	}

	direct := []string{"explain", "--vault", "kv-opt-b", "--secret", "db-password"}
	out = mustCLI(t, append(direct, "--from", "vnet1/host")...)
	if !strings.HasPrefix(out, "ALLOWED: ") || !strings.Contains(out, "private endpoint pe-kv") || !strings.Contains(out, "approved private endpoint connection") {
		t.Fatalf("direct read from vnet1/host:\n%s", out)
	}
	out = mustCLI(t, append(direct, "--from", "private-endpoint/pe-kv", "-o", "json")...)
	if err := json.Unmarshal([]byte(out), &r); err != nil || !r.Allowed || r.Kind != "direct" || len(r.Hops) != 4 {
		t.Fatalf("direct read over the endpoint: %v\n%s", err, out)
	}
	out = mustCLI(t, append(direct, "--from", "internet")...)
	if !strings.HasPrefix(out, "DENIED: ") || !strings.Contains(out, "error: 403 Forbidden (ForbiddenByConnection): Public network access is disabled") {
		t.Fatalf("direct read from the internet:\n%s", out)
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"fail/no-question", []string{"explain"}, "explain a scope read"},
		{"fail/both", []string{"explain", "--workspace", "w", "--vault", "v"}, "explain a scope read"},
		{"fail/bad-from", []string{"explain", "--vault", "kv-opt-b", "--secret", "s", "--from", "not a place!"}, "--from not a place!"},
		{"fail/unknown-subnet", []string{"explain", "--vault", "kv-opt-b", "--secret", "s", "--from", "vnet1/nope"}, "(SubnetNotFound) Virtual network vnet1 has no subnet nope."},
		{"fail/unknown-vault", []string{"explain", "--vault", "kv-nope", "--secret", "s"}, "(ResourceNotFound)"},
		{"fail/unknown-workspace", []string{"explain", "--workspace", "nope", "--scope", "s", "--key", "k"}, "(WorkspaceNotFound)"},
		{"fail/unknown-principal", []string{"explain", "--vault", "kv-opt-b", "--secret", "s", "--as", "00000000-0000-0000-0000-00000000abcd"}, "(PrincipalNotFound)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, "", tt.args...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q, want %q", code, stderr, tt.want)
			}
		})
	}
}

// The diagram names every resource and every flow; Mermaid and DOT have
// their shapes.
func TestDiagramCommand(t *testing.T) {
	e := mustInsight(t)
	ctx, boot := context.Background(), e.srv.Boot
	dbxNet, _, err := e.srv.RM.PutVirtualNetwork(ctx, scopevault.VirtualNetwork{Name: "vnet-dbx", SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: "eastus", AddressPrefixes: []string{"10.2.0.0/16"}, Subnets: []scopevault.Subnet{
			{Name: "dbx-host", AddressPrefix: "10.2.1.0/26", Delegations: []scopevault.Delegation{{Name: "d", ServiceName: scopevault.DelegationDatabricks}}},
			{Name: "dbx-container", AddressPrefix: "10.2.2.0/26", Delegations: []scopevault.Delegation{{Name: "d", ServiceName: scopevault.DelegationDatabricks}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	param := func(v string) json.RawMessage { raw, _ := json.Marshal(map[string]string{"value": v}); return raw }
	if _, _, err := e.srv.RM.CreateOrUpdateWorkspace(ctx, scopevault.Workspace{Name: "ws-injected", SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: "eastus", TenantID: boot.TenantID, SKU: "premium", ManagedResourceGroupID: "/subscriptions/" + boot.SubscriptionID + "/resourceGroups/m-injected",
		Parameters: map[string]json.RawMessage{"customVirtualNetworkId": param(dbxNet.ResourceID()), "customPublicSubnetName": param("dbx-host"),
			"customPrivateSubnetName": param("dbx-container")}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "net.svg")
	mustCLI(t, "diagram", "--format", "svg", "-o", file)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(raw)
	var g explain.Diagram
	if err := json.Unmarshal([]byte(mustCLI(t, "diagram", "--format", "json")), &g); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, n := range g.Nodes {
		kinds[n.Kind]++
		for _, text := range append([]string{n.Label}, n.Details...) {
			if !strings.Contains(svg, xmlText(text)) {
				t.Errorf("the SVG lacks node text %q", text)
			}
		}
	}
	for _, k := range []string{explain.NodeInternet, explain.NodeControlPlane, explain.NodeWorkspace, explain.NodeVNet, explain.NodeSubnet,
		explain.NodePrivateEndpoint, explain.NodeDNSZone, explain.NodeVault} {
		if kinds[k] == 0 {
			t.Errorf("no %s in the diagram", k)
		}
	}
	want := map[string]bool{
		"internet -> kv-opt-b: denied (ForbiddenByConnection)":                                             false,
		"subnet vnet1/host -> kv-opt-b via private endpoint pe-kv: allowed":                                false,
		"control plane -> kv-opt-b (scope kv-scope of scopevault-default): denied (ForbiddenByConnection)": false,
	}
	for _, f := range g.Flows {
		if !strings.Contains(svg, xmlText(f.Label)) {
			t.Errorf("the SVG lacks flow %q", f.Label)
		}
		if _, ok := want[f.Label]; ok {
			want[f.Label] = true
		}
	}
	for l, seen := range want {
		if !seen {
			t.Errorf("no flow %q among %d", l, len(g.Flows))
		}
	}
	links := map[string]bool{}
	label := map[string]string{}
	for _, n := range g.Nodes {
		label[n.ID] = n.Label
	}
	for _, l := range g.Links {
		links[label[l.From]+" "+l.Label+" "+label[l.To]] = true
		if !strings.Contains(svg, xmlText(label[l.From]+" — "+l.Label+" — "+label[l.To])) {
			t.Errorf("the SVG lacks link %s %s %s", label[l.From], l.Label, label[l.To])
		}
	}
	for _, l := range []string{"workspace ws-injected injected into vnet vnet-dbx", "private endpoint pe-kv private link (Approved) vault kv-opt-b",
		"subnet vnet1/pe in subnet private endpoint pe-kv", "private DNS zone privatelink.vaultcore.azure.net linked to vnet vnet1"} {
		if !links[l] {
			t.Errorf("no link %q among %v", l, links)
		}
	}
	for _, s := range []string{"VNet injection: vnet-dbx (host dbx-host, container dbx-container)", "delegated to Microsoft.Databricks/workspaces", "host subnet of workspace ws-injected", "container subnet of workspace ws-injected",
		"private endpoint pe-kv", "private IP 10.1.3.", "to kv-opt-b: Approved", "A kv-opt-b -&gt; 10.1.3.", "service endpoint Microsoft.KeyVault",
		"public access Disabled", "firewall Deny, bypass None", "permission model RBAC"} {
		if !strings.Contains(svg, s) {
			t.Errorf("the SVG lacks %q", s)
		}
	}
	if !strings.HasPrefix(svg, "<svg ") || !strings.HasSuffix(strings.TrimSpace(svg), "</svg>") {
		t.Errorf("not an SVG document")
	}

	e.setBypass(t, "AzureServices")
	mm := mustCLI(t, "diagram", "--format", "mermaid")
	if !strings.HasPrefix(mm, "flowchart LR\n") || strings.Count(mm, "subgraph ") != strings.Count(mm, "\n  end\n") ||
		!strings.Contains(mm, "control plane -#gt; kv-opt-b (scope kv-scope of scopevault-default): allowed") {
		t.Errorf("mermaid:\n%s", mm)
	}
	dot := mustCLI(t, "diagram", "--format", "dot")
	if !strings.HasPrefix(dot, "digraph scopevault {") || strings.Count(dot, "{") != strings.Count(dot, "}") || strings.Count(dot, `"`)%2 != 0 ||
		!strings.Contains(dot, `control plane -> kv-opt-b (scope kv-scope of scopevault-default): allowed`) {
		t.Errorf("dot:\n%s", dot)
	}
	if _, stderr, code := runCLI(t, "", "diagram", "--format", "png"); code == 0 || !strings.Contains(stderr, "--format must be") {
		t.Errorf("png: exit %d %s", code, stderr)
	}
}

// xmlText is text as the SVG escapes it.
func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
