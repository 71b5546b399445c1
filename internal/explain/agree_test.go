package explain_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/explain"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/netgate"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/workspace"
)

// fixture is a real server's services, a hand-built network the gate and
// explain share, and an access pipeline whose gate reads that network: the
// enforcement the agreement test holds explain against.
type fixture struct {
	srv      *server.Server
	boot     *server.Bootstrap
	ws       *scopevault.Workspace
	wsvc     *workspace.Service
	pipeline *access.Pipeline
	ex       *explain.Explainer

	mu  sync.Mutex
	net *scopevault.Network

	reader, stranger *scopevault.Caller
	admin, bob       *scopevault.WorkspaceCaller
	secretsUser      string // role definition GUID
}

const (
	sub1 = "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1"
	peID = "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/privateEndpoints/pe1"
)

// network is the fixture's network with the private endpoint's connection
// to vault in state (none when "").
func network(vault, state string) *scopevault.Network {
	n := &scopevault.Network{
		VirtualNetworks: []*scopevault.VirtualNetwork{{Name: "vnet1", SubscriptionID: "s1", ResourceGroup: "net", Location: "eastus",
			AddressPrefixes: []string{"10.1.0.0/16"},
			Subnets: []scopevault.Subnet{
				{Name: "se", AddressPrefix: "10.1.1.0/24", ServiceEndpoints: []scopevault.ServiceEndpoint{{Service: "Microsoft.KeyVault"}}},
				{Name: "plain", AddressPrefix: "10.1.2.0/24"},
				{Name: "pe", AddressPrefix: "10.1.3.0/24"},
			}}},
		Endpoints: []*scopevault.PrivateEndpoint{{Name: "pe1", SubscriptionID: "s1", ResourceGroup: "net", Location: "eastus",
			SubnetID: sub1 + "/subnets/pe", PrivateIP: "10.1.3.4", Address: "127.3.0.1",
			Connections: []scopevault.PrivateLinkConnection{{Name: "c1", TargetID: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/" + vault, GroupIDs: []string{"vault"}}}}},
		Zones: []*scopevault.PrivateDNSZone{{Name: scopevault.VaultPrivateLinkZone, SubscriptionID: "s1", ResourceGroup: "net",
			Links: []scopevault.VNetLink{{Name: "l1", VirtualNetworkID: sub1}},
			A:     []scopevault.ARecordSet{{Name: vault, TTL: 10, IPv4: []string{"10.1.3.4"}}}}},
	}
	if state != "" {
		n.Connections = []*scopevault.PrivateEndpointConnection{{Name: "pe1.conn", Vault: vault, PrivateEndpointID: peID, Status: state}}
	}
	return n
}

func mustFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := server.Start(ctx, server.Config{DataDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	f := &fixture{srv: s, boot: s.Boot, net: &scopevault.Network{}}
	netFn := func(context.Context) (*scopevault.Network, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.net, nil
	}
	gate := &netgate.Gate{Trusted: netgate.DefaultTrusted(), Network: netFn}
	f.pipeline = &access.Pipeline{Verifier: s.Identity, Authorizer: s.Authz, Gate: gate}
	w := workspace.New(s.Store, s.Barrier)
	w.Vaults, w.Access, w.Identity, w.Authz, w.RM, w.Now = s.Engine, f.pipeline, s.Identity, s.Authz, s.RM, time.Now
	f.wsvc = w
	f.ex = &explain.Explainer{Vaults: s.Engine, Authz: s.Authz, Workspaces: w, Directory: s.Identity, Network: netFn,
		Trusted:        func(app string) bool { return netgate.DefaultTrusted()[strings.ToLower(app)] },
		ListWorkspaces: s.RM.ListAllWorkspaces}
	if f.ws, err = s.BootWorkspace(ctx); err != nil {
		t.Fatal(err)
	}
	tid := f.boot.TenantID
	role, err := s.Authz.RoleByName(ctx, "Key Vault Secrets User")
	if err != nil {
		t.Fatal(err)
	}
	f.secretsUser = role.ID
	for i, name := range []string{"reader", "stranger"} {
		p, _, err := s.Identity.CreateServicePrincipal(ctx, tid, name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.ex.Caller(ctx, tid, p.AppID)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.reader = c
		} else {
			f.stranger = c
		}
	}
	if f.admin, err = w.CallerAs(ctx, f.ws, f.boot.ClientID); err != nil {
		t.Fatal(err)
	}
	f.admin.Entra = &scopevault.Caller{TenantID: tid, ObjectID: f.boot.ObjectID, AppID: f.boot.ClientID, Issuer: identity.Issuer(tid), Kind: scopevault.KindServicePrincipal}
	if _, err := w.CreatePrincipal(ctx, f.admin, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	if f.bob, err = w.CallerAs(ctx, f.ws, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	return f
}

// mustVault creates an RBAC vault holding "db-password" and a disabled
// "old", readable by the reader and AzureDatabricks.
func (f *fixture) mustVault(t *testing.T, name string) *scopevault.Vault {
	t.Helper()
	ctx := context.Background()
	v, err := f.srv.Engine.CreateVault(ctx, scopevault.Vault{Name: name, SubscriptionID: f.boot.SubscriptionID, ResourceGroup: f.boot.ResourceGroup,
		Location: "eastus", TenantID: f.boot.TenantID, SKU: "standard", EnableRBACAuthorization: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.Engine.Set(ctx, v, "db-password", secrets.SetParams{Value: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := f.srv.Engine.Set(ctx, v, "old", secrets.SetParams{Value: "x", Attributes: scopevault.SecretAttributes{Enabled: &off}}); err != nil {
		t.Fatal(err)
	}
	dbx, err := f.srv.Identity.PrincipalByAppID(ctx, f.boot.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	for _, oid := range []string{f.reader.ObjectID, dbx.ObjectID} {
		if _, _, err := f.srv.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
			RoleDefinitionID: f.secretsUser, PrincipalID: oid, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// set gives the vault its network settings and the network its endpoint state.
func (f *fixture) set(t *testing.T, vault, pna string, acls *scopevault.NetworkACLs, peState string) *scopevault.Vault {
	t.Helper()
	v, err := f.srv.Engine.UpdateVault(context.Background(), vault, func(v *scopevault.Vault) error {
		v.PublicNetworkAccess, v.NetworkACLs = pna, acls
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.net = network(vault, peState)
	f.mu.Unlock()
	return v
}

// enforceDirect is what the Key Vault wire does for a GET from the
// connection client arriving over via: the pipeline's gate and
// authorization, then the engine.
func (f *fixture) enforceDirect(ctx context.Context, c *scopevault.Caller, v *scopevault.Vault, name string, client netip.Addr, via *scopevault.Placement) error {
	ctx = scopevault.WithOrigin(ctx, scopevault.Origin{RemoteAddr: netip.AddrPortFrom(client, 50000), RemoteIP: client.String(), Via: via})
	d, err := f.pipeline.CheckVault(ctx, c, v, scopevault.OpGetSecret, name)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return scopevault.VaultDenial(d, c, v, scopevault.OpGetSecret, client)
	}
	_, err = f.srv.Engine.Get(ctx, v, name, "")
	return err
}

// placement is where the server's listeners put a read from `from`,
// worked out here apart from explain.Locate: a subnet's placement from
// netgate.PlaceIn, a private endpoint's listener standing for its IP.
func placement(t *testing.T, n *scopevault.Network, vault, from string) (netip.Addr, *scopevault.Placement) {
	switch {
	case from == "internet":
		return netip.MustParseAddr("127.0.0.1"), nil
	case strings.HasPrefix(from, "private-endpoint/"):
		return netip.MustParseAddr("127.0.0.1"), &scopevault.Placement{Vault: vault, PrivateEndpoint: peID, PrivateIP: netip.MustParseAddr("10.1.3.4")}
	case strings.HasPrefix(from, "vnet1/"):
		p, _, ok := netgate.PlaceIn(n, sub1+"/subnets/"+strings.TrimPrefix(from, "vnet1/"), vault)
		if !ok {
			t.Fatalf("no subnet %s", from)
		}
		return netip.MustParseAddr("127.0.0.1"), &p
	}
	return netip.MustParseAddr(from), nil
}

func wantAgree(t *testing.T, r *explain.Report, err error, wantCode string) {
	t.Helper()
	if r.Allowed != (err == nil) {
		t.Fatalf("explain allowed=%v, enforcement err=%v\n%+v", r.Allowed, err, r.Hops)
	}
	got := ""
	if r.Error != nil {
		got = r.Error.Code
		if r.Error.InnerCode != "" {
			got += "/" + r.Error.InnerCode
		}
		if r.Error.Message != scopevault.ErrorMessageOf(err) {
			t.Fatalf("explain's message differs from the enforcement's:\n explain: %q\n enforced: %q", r.Error.Message, scopevault.ErrorMessageOf(err))
		}
		if scopevault.ErrorReasonOf(err) != r.Error.InnerCode && scopevault.ErrorReasonOf(err) != r.Error.Code {
			t.Fatalf("explain's code %s, the enforcement's reason %s", got, scopevault.ErrorReasonOf(err))
		}
	}
	if got != wantCode {
		t.Fatalf("error code %q, want %q (%+v)", got, wantCode, r.Hops)
	}
	denied := 0
	for _, h := range r.Hops {
		if h.Rule == "" && h.Outcome != explain.Skipped {
			t.Errorf("hop %s has no rule", h.Name)
		}
		if h.Outcome == explain.Denied {
			denied++
			if h.Change == "" && h.Name != explain.HopScopeBackend {
				t.Errorf("denied hop %s says nothing of what would change it", h.Name)
			}
		}
	}
	if want := map[bool]int{true: 0, false: 1}[r.Allowed]; denied != want {
		t.Fatalf("%d denied hops, want %d", denied, want)
	}
	if strings.Contains(strings.Join(hopTexts(r), "\n"), "hunter2") {
		t.Fatal("a report carries the secret's value")
	}
}

func hopTexts(r *explain.Report) []string {
	var out []string
	for _, h := range r.Hops {
		out = append(out, h.Rule, h.Change)
		if h.Error != nil {
			out = append(out, h.Error.Message)
		}
	}
	return out
}

// TestDirectAgreesWithEnforcement runs explain and the enforcement over the
// same table of direct reads and asserts the same outcome and error.
func TestDirectAgreesWithEnforcement(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	const kv = "kv-agree"
	f.mustVault(t, kv)
	deny := func(bypass string, ip []string, subnets ...string) *scopevault.NetworkACLs {
		a := &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: bypass, IPRules: ip}
		for _, s := range subnets {
			a.VirtualNetworkRules = append(a.VirtualNetworkRules, scopevault.VNetRule{ID: strings.ToLower(sub1 + "/subnets/" + s)})
		}
		return a
	}
	dbx, err := f.ex.Caller(ctx, f.boot.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		pna      string
		acls     *scopevault.NetworkACLs
		pe       string
		as       *scopevault.Caller
		from     string
		secret   string
		wantCode string
		wantRule string // a word of the deciding hop's rule
	}{
		{"ok/internet-open", "Enabled", nil, "", f.reader, "internet", "db-password", "", ""},
		{"fail/internet-firewall", "Enabled", deny("AzureServices", nil), "", f.reader, "internet", "db-password", "Forbidden/ForbiddenByFirewall", "default action is Deny"},
		{"ok/ip-rule", "Enabled", deny("AzureServices", []string{"203.0.113.0/24"}), "", f.reader, "203.0.113.7", "db-password", "", ""},
		{"fail/ip-rule-other", "Enabled", deny("None", []string{"203.0.113.0/24"}), "", f.reader, "198.51.100.1", "db-password", "Forbidden/ForbiddenByFirewall", "198.51.100.1"},
		{"ok/subnet-service-endpoint", "Enabled", deny("AzureServices", nil, "se"), "Pending", f.reader, "vnet1/se", "db-password", "", ""},
		{"fail/subnet-without-service-endpoint", "Enabled", deny("AzureServices", nil, "plain"), "", f.reader, "vnet1/plain", "db-password", "Forbidden/ForbiddenByFirewall", "default action is Deny"},
		{"fail/subnet-not-in-rules", "Enabled", deny("AzureServices", nil, "plain"), "", f.reader, "vnet1/se", "db-password", "Forbidden/ForbiddenByFirewall", "no ipRule"},
		{"ok/private-endpoint-approved", "Disabled", nil, "Approved", f.reader, "private-endpoint/pe1", "db-password", "", ""},
		{"fail/private-endpoint-pending", "Disabled", nil, "Pending", f.reader, "private-endpoint/pe1", "db-password", "Forbidden/ForbiddenByConnection", "Pending"},
		{"fail/private-endpoint-rejected", "Disabled", deny("None", nil), "Rejected", f.reader, "private-endpoint/pe1", "db-password", "Forbidden/ForbiddenByConnection", "Rejected"},
		{"fail/private-endpoint-deleted-connection", "Disabled", nil, "", f.reader, "private-endpoint/pe1", "db-password", "Forbidden/ForbiddenByConnection", "Disconnected"},
		{"ok/subnet-resolves-to-endpoint", "Disabled", nil, "Approved", f.reader, "vnet1/plain", "db-password", "", ""},
		{"fail/subnet-pending-resolves-public", "Disabled", nil, "Pending", f.reader, "vnet1/plain", "db-password", "Forbidden/ForbiddenByConnection", "Disabled"},
		{"fail/internet-disabled", "Disabled", nil, "Approved", f.reader, "internet", "db-password", "Forbidden/ForbiddenByConnection", "Disabled"},
		{"fail/no-role", "Enabled", nil, "", f.stranger, "internet", "db-password", "Forbidden/ForbiddenByRbac", "no role assignment"},
		{"fail/secret-missing", "Enabled", nil, "", f.reader, "internet", "nope", "SecretNotFound", ""},
		{"fail/secret-disabled", "Enabled", nil, "", f.reader, "internet", "old", "Forbidden/SecretDisabled", "disabled"},
		{"ok/trusted-service-bypass", "Disabled", deny("AzureServices", nil), "", dbx, "internet", "db-password", "", ""},
		{"fail/trusted-service-bypass-none", "Disabled", deny("None", nil), "", dbx, "internet", "db-password", "Forbidden/ForbiddenByConnection", "bypass is None"},
		{"fail/trusted-service-firewall-bypass-none", "Enabled", deny("None", nil, "se"), "", dbx, "internet", "db-password", "Forbidden/ForbiddenByFirewall", "bypass is None"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := f.set(t, kv, tt.pna, tt.acls, tt.pe)
			from, err := explain.ParseFrom(tt.from)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.ex.Direct(ctx, tt.as, kv, tt.secret, from)
			if err != nil {
				t.Fatal(err)
			}
			client, via := placement(t, f.net, kv, tt.from)
			wantAgree(t, r, f.enforceDirect(ctx, tt.as, v, tt.secret, client, via), tt.wantCode)
			if tt.wantRule != "" {
				deciding := r.Hops[len(r.Hops)-1]
				for _, h := range r.Hops {
					if h.Outcome == explain.Denied {
						deciding = h
					}
				}
				if !strings.Contains(deciding.Rule, tt.wantRule) {
					t.Fatalf("deciding hop %s: rule %q lacks %q", deciding.Name, deciding.Rule, tt.wantRule)
				}
			}
		})
	}
}

// TestScopeAgreesWithEnforcement: explain and the workspace's own read of
// a scope agree over the seed's setups: Option B (public access disabled,
// private endpoint) breaks with bypass None and works with AzureServices.
func TestScopeAgreesWithEnforcement(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	const kv = "kv-scope-agree"
	v := f.mustVault(t, kv)
	for _, name := range []string{"kvscope"} {
		if _, err := f.wsvc.CreateScope(ctx, f.admin, workspace.NewScope{Name: name, Backend: "AZURE_KEYVAULT",
			KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://" + kv + ".vault.azure.net/"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.wsvc.CreateScope(ctx, f.admin, workspace.NewScope{Name: "dbscope"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wsvc.PutSecret(ctx, f.admin, "dbscope", "k", []byte("hunter2")); err != nil {
		t.Fatal(err)
	}
	deny := func(bypass string, subnets ...string) *scopevault.NetworkACLs {
		a := &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: bypass}
		for _, s := range subnets {
			a.VirtualNetworkRules = append(a.VirtualNetworkRules, scopevault.VNetRule{ID: strings.ToLower(sub1 + "/subnets/" + s)})
		}
		return a
	}
	tests := []struct {
		name       string
		pna        string
		acls       *scopevault.NetworkACLs
		pe         string
		as         *scopevault.WorkspaceCaller
		scope, key string
		wantCode   string
		wantHop    string
	}{
		{"ok/open", "Enabled", nil, "", f.admin, "kvscope", "db-password", "", ""},
		{"fail/option-b-bypass-none", "Disabled", deny("None"), "Approved", f.admin, "kvscope", "db-password", "PERMISSION_DENIED", explain.HopNetworkGate},
		{"ok/option-b-bypass-azureservices", "Disabled", deny("AzureServices"), "Approved", f.admin, "kvscope", "db-password", "", ""},
		{"fail/option-a-vnet-rule-bypass-none", "Enabled", deny("None", "se"), "", f.admin, "kvscope", "db-password", "PERMISSION_DENIED", explain.HopNetworkGate},
		{"ok/option-a-bypass-azureservices", "Enabled", deny("AzureServices", "se"), "", f.admin, "kvscope", "db-password", "", ""},
		{"fail/acl", "Enabled", nil, "", f.bob, "kvscope", "db-password", "PERMISSION_DENIED", explain.HopWorkspaceACL},
		{"fail/no-scope", "Enabled", nil, "", f.admin, "nope", "db-password", "RESOURCE_DOES_NOT_EXIST", explain.HopWorkspaceACL},
		{"fail/key-missing", "Enabled", nil, "", f.admin, "kvscope", "nope", "RESOURCE_DOES_NOT_EXIST", explain.HopSecretState},
		{"fail/key-disabled", "Enabled", nil, "", f.admin, "kvscope", "old", "PERMISSION_DENIED", explain.HopSecretState},
		{"fail/key-invalid-for-vault", "Enabled", nil, "", f.admin, "kvscope", "a_b", "INVALID_PARAMETER_VALUE", explain.HopScopeBackend},
		{"ok/databricks-backed", "Disabled", deny("None"), "", f.admin, "dbscope", "k", "", ""},
		{"fail/databricks-backed-missing", "Enabled", nil, "", f.admin, "dbscope", "nope", "RESOURCE_DOES_NOT_EXIST", explain.HopSecretState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.set(t, kv, tt.pna, tt.acls, tt.pe)
			r, err := f.ex.Scope(ctx, tt.as, tt.scope, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			_, _, gerr := f.wsvc.GetSecret(ctx, tt.as, tt.scope, tt.key)
			wantAgree(t, r, gerr, tt.wantCode)
			for _, h := range r.Hops {
				if h.Outcome == explain.Denied && h.Name != tt.wantHop {
					t.Fatalf("denied at %s, want %s", h.Name, tt.wantHop)
				}
			}
			if tt.wantHop == explain.HopNetworkGate && !strings.Contains(r.Error.Message, "Invalid permissions on the specified KeyVault https://"+kv+".vault.azure.net/. Wrapped Message: Status code 403") {
				t.Fatalf("not Databricks' wrapping: %s", r.Error.Message)
			}
			if tt.name == "fail/option-b-bypass-none" && !strings.Contains(r.Hops[3].Change, "bypass to AzureServices") {
				t.Fatalf("the gate's hop does not say bypass AzureServices would fix it: %q", r.Hops[3].Change)
			}
		})
	}
}

// workspaceScope is a Key Vault-backed scope on v.
func workspaceScope(name string, v *scopevault.Vault) workspace.NewScope {
	return workspace.NewScope{Name: name, Backend: "AZURE_KEYVAULT",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://" + v.Name + ".vault.azure.net/"}}
}
