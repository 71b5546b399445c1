package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/workspace"
)

// wireGet reads secret name of vault over a real TLS connection to the
// listener at addr, as a program whose DNS resolves <vault>.vault.azure.net
// to addr does; extra headers are sent as given. It returns the status and
// Key Vault's innererror (or error) code.
func wireGet(t *testing.T, s *Server, addr, vault, name, token string, extra map[string]string) (status int, code, msg string) {
	t.Helper()
	port := strconv.Itoa(s.Port())
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool()},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort(addr, port))
		},
	}}
	req, err := http.NewRequest("GET", "https://"+vault+".vault.azure.net:"+port+"/secrets/"+name+"?api-version=7.5", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var e struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				Code string `json:"code"`
			} `json:"innererror"`
		} `json:"error"`
	}
	json.Unmarshal(raw, &e)
	code = e.Error.InnerError.Code
	if code == "" {
		code = e.Error.Code
	}
	return res.StatusCode, code, e.Error.Message
}

// TestExplainAgreesOverTheWire: explain (through the server's API) and a
// real Key Vault read over the listener each source reaches agree, for
// reads from the internet, from subnets (placed by the server) and over a
// private endpoint, through the endpoint's approval states; a forged
// forwarding header changes nothing.
func TestExplainAgreesOverTheWire(t *testing.T) {
	s := MustStart(t, t.TempDir())
	ctx := context.Background()
	boot := s.Boot
	admin, err := s.Identity.GetPrincipal(ctx, boot.TenantID, boot.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	adminTok := mustToken(t, s, admin, "https://management.azure.com/")
	reader, _, err := s.Identity.CreateServicePrincipal(ctx, boot.TenantID, "reader")
	if err != nil {
		t.Fatal(err)
	}
	readerTok := mustToken(t, s, reader, "https://vault.azure.net")

	const kv = "kv-wire"
	v, err := s.Engine.CreateVault(ctx, scopevault.Vault{Name: kv, SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: "eastus", TenantID: boot.TenantID, SKU: "standard", EnableRBACAuthorization: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureVaultListener(v); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engine.Set(ctx, v, "db-password", secrets.SetParams{Value: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	role, err := s.Authz.RoleByName(ctx, "Key Vault Secrets User")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
		RoleDefinitionID: role.ID, PrincipalID: reader.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		t.Fatal(err)
	}

	sub, rg := boot.SubscriptionID, boot.ResourceGroup
	vnet, _, err := s.RM.PutVirtualNetwork(ctx, scopevault.VirtualNetwork{Name: "vnet1", SubscriptionID: sub, ResourceGroup: rg, Location: "eastus",
		AddressPrefixes: []string{"10.1.0.0/16"}, Subnets: []scopevault.Subnet{
			{Name: "se", AddressPrefix: "10.1.1.0/24", ServiceEndpoints: []scopevault.ServiceEndpoint{{Service: "Microsoft.KeyVault"}}},
			{Name: "plain", AddressPrefix: "10.1.2.0/24"},
			{Name: "pe", AddressPrefix: "10.1.3.0/24", PrivateEndpointNetworkPolicies: "Disabled"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	pe, _, err := s.RM.PutPrivateEndpoint(ctx, scopevault.PrivateEndpoint{Name: "pe-kv", SubscriptionID: sub, ResourceGroup: rg, Location: "eastus",
		SubnetID: vnet.SubnetID("pe"), Connections: []scopevault.PrivateLinkConnection{{Name: "kv-conn", TargetID: v.ResourceID(), GroupIDs: []string{"vault"}, Manual: true}}},
		func(scopevault.PrivateLinkConnection) bool { return false })
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
	if _, _, err := s.RM.PutARecordSet(ctx, sub, rg, z.Name, scopevault.ARecordSet{Name: kv, TTL: 10, IPv4: []string{pe.PrivateIP}}); err != nil {
		t.Fatal(err)
	}
	conns, err := s.RM.VaultConnections(ctx, kv)
	if err != nil || len(conns) != 1 {
		t.Fatalf("vault connections %v %v", conns, err)
	}
	// Placing a program anywhere starts the private endpoints' listeners.
	if _, err := s.Place(ctx, vnet.SubnetID("pe")); err != nil {
		t.Fatal(err)
	}

	// listener is the address a read from `from` reaches, as the server
	// places it.
	listener := func(t *testing.T, from string) string {
		switch {
		case from == "internet":
			return v.Address
		case strings.HasPrefix(from, "private-endpoint/"):
			return pe.Address
		}
		p, err := s.Place(ctx, vnet.SubnetID(strings.TrimPrefix(from, "vnet1/")))
		if err != nil {
			t.Fatal(err)
		}
		for _, pv := range p.Vaults {
			if pv.Vault == kv {
				return pv.Address
			}
		}
		t.Fatalf("%s does not reach %s", from, kv)
		return ""
	}
	setVault := func(t *testing.T, pna string, acls *scopevault.NetworkACLs) {
		if _, err := s.Engine.UpdateVault(ctx, kv, func(v *scopevault.Vault) error {
			v.PublicNetworkAccess, v.NetworkACLs = pna, acls
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(subnets ...string) *scopevault.NetworkACLs {
		a := &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "AzureServices"}
		for _, n := range subnets {
			a.VirtualNetworkRules = append(a.VirtualNetworkRules, scopevault.VNetRule{ID: strings.ToLower(vnet.SubnetID(n))})
		}
		return a
	}

	steps := []struct {
		name  string
		setup func(t *testing.T)
		from  string
		want  string // "" allowed, else the innererror code
	}{
		{"ok/open-internet", func(t *testing.T) { setVault(t, "Enabled", nil) }, "internet", ""},
		{"fail/firewall-internet", func(t *testing.T) { setVault(t, "Enabled", rule("se")) }, "internet", "ForbiddenByFirewall"},
		{"ok/firewall-service-endpoint-subnet", nil, "vnet1/se", ""},
		{"fail/firewall-plain-subnet", nil, "vnet1/plain", "ForbiddenByFirewall"},
		{"fail/disabled-pending-endpoint", func(t *testing.T) { setVault(t, "Disabled", nil) }, "private-endpoint/pe-kv", "ForbiddenByConnection"},
		{"fail/disabled-pending-subnet", nil, "vnet1/plain", "ForbiddenByConnection"},
		{"ok/disabled-approved-endpoint", func(t *testing.T) {
			if _, err := s.RM.SetVaultConnectionState(ctx, kv, conns[0].Name, scopevault.ConnectionApproved, "ok"); err != nil {
				t.Fatal(err)
			}
		}, "private-endpoint/pe-kv", ""},
		{"ok/disabled-approved-subnet-resolves-private", nil, "vnet1/plain", ""},
		{"fail/disabled-approved-internet", nil, "internet", "ForbiddenByConnection"},
		{"fail/disabled-rejected-endpoint", func(t *testing.T) {
			if _, err := s.RM.SetVaultConnectionState(ctx, kv, conns[0].Name, scopevault.ConnectionRejected, "no"); err != nil {
				t.Fatal(err)
			}
		}, "private-endpoint/pe-kv", "ForbiddenByConnection"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.setup != nil {
				st.setup(t)
			}
			status, code, msg := wireGet(t, s, listener(t, st.from), kv, "db-password", readerTok, nil)
			got := code
			if status == http.StatusOK {
				got = ""
			}
			if got != st.want {
				t.Fatalf("the wire answered %d %s, want %q", status, code, st.want)
			}
			body := `{"vault":"` + kv + `","secret":"db-password","as":"` + reader.AppID + `","from":"` + st.from + `"}`
			es, raw, _ := insightCall(t, s, "POST", "/scopevault/explain", adminTok, body)
			var r struct {
				Allowed bool `json:"allowed"`
				Error   *struct {
					Status    int    `json:"status"`
					InnerCode string `json:"innerCode"`
					Message   string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw, &r); es != 200 || err != nil {
				t.Fatalf("explain: %d %s", es, raw)
			}
			if r.Allowed != (status == http.StatusOK) || (r.Error != nil && (r.Error.Status != status || r.Error.InnerCode != code || r.Error.Message != msg)) {
				t.Fatalf("explain says %s, the wire answered %d %s", raw, status, code)
			}
			if st.from == "internet" {
				// A forged forwarding header is not where a request comes from.
				forged := map[string]string{"X-Forwarded-For": "10.1.1.4", "X-Real-IP": "10.1.3.4", "Forwarded": "for=10.1.1.4"}
				if fs, fc, _ := wireGet(t, s, listener(t, st.from), kv, "db-password", readerTok, forged); fs != status || fc != code {
					t.Fatalf("with forged headers %d %s, without %d %s", fs, fc, status, code)
				}
			}
		})
	}
}

// TestExplainScopeAgreesOverTheWire: the seed's Option B over the
// workspace API. With public access disabled, an approved private endpoint
// and bypass None, GET /api/2.0/secrets/get is refused with Databricks'
// wrapped ForbiddenByConnection and explain names the network gate and the
// bypass; bypass AzureServices fixes both.
func TestExplainScopeAgreesOverTheWire(t *testing.T) {
	s := MustStart(t, t.TempDir())
	ctx := context.Background()
	boot := s.Boot
	admin, err := s.Identity.GetPrincipal(ctx, boot.TenantID, boot.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	adminTok := mustToken(t, s, admin, "https://management.azure.com/")
	const kv = "kv-scope-wire"
	v, err := s.Engine.CreateVault(ctx, scopevault.Vault{Name: kv, SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: "eastus", TenantID: boot.TenantID, SKU: "standard", EnableRBACAuthorization: true,
		PublicNetworkAccess: "Disabled", NetworkACLs: &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "None"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engine.Set(ctx, v, "db-password", secrets.SetParams{Value: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	role, err := s.Authz.RoleByName(ctx, "Key Vault Secrets User")
	if err != nil {
		t.Fatal(err)
	}
	dbx, err := s.Identity.PrincipalByAppID(ctx, boot.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
		RoleDefinitionID: role.ID, PrincipalID: dbx.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		t.Fatal(err)
	}
	ws, err := s.BootWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wc, err := s.Workspaces.CallerAs(ctx, ws, boot.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	wc.Entra = &scopevault.Caller{TenantID: boot.TenantID, ObjectID: boot.ObjectID, AppID: boot.ClientID, Kind: scopevault.KindServicePrincipal}
	if _, err := s.Workspaces.CreateScope(ctx, wc, workspaceNewKVScope("kv-scope", v)); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool()}}}
	read := func(t *testing.T) (int, string, string) {
		req, _ := http.NewRequest("GET", s.WorkspaceURL(ws)+"/api/2.0/secrets/get?scope=kv-scope&key=db-password", nil)
		req.Header.Set("Authorization", "Bearer "+boot.DatabricksToken)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var e struct {
			Code    string `json:"error_code"`
			Message string `json:"message"`
		}
		json.NewDecoder(res.Body).Decode(&e)
		return res.StatusCode, e.Code, e.Message
	}
	for _, bypass := range []string{"None", "AzureServices"} {
		t.Run("bypass-"+bypass, func(t *testing.T) {
			if _, err := s.Engine.UpdateVault(ctx, kv, func(v *scopevault.Vault) error { v.NetworkACLs.Bypass = bypass; return nil }); err != nil {
				t.Fatal(err)
			}
			status, code, msg := read(t)
			_, raw, _ := insightCall(t, s, "POST", "/scopevault/explain", adminTok, `{"workspace":"`+ws.Name+`","scope":"kv-scope","key":"db-password"}`)
			var r struct {
				Allowed bool `json:"allowed"`
				Hops    []struct{ Name, Outcome, Rule, Change string }
				Error   *struct {
					Status  int    `json:"status"`
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw, &r); err != nil || len(r.Hops) != 6 {
				t.Fatalf("explain: %s", raw)
			}
			if bypass == "AzureServices" {
				if status != 200 || !r.Allowed {
					t.Fatalf("the read answered %d %s, explain %s", status, code, raw)
				}
				return
			}
			if status != 403 || code != "PERMISSION_DENIED" || !strings.Contains(msg, `"innererror":{"code":"ForbiddenByConnection"}`) {
				t.Fatalf("the read answered %d %s %s", status, code, msg)
			}
			gate := r.Hops[3]
			if r.Allowed || r.Error == nil || r.Error.Status != status || r.Error.Code != code || r.Error.Message != msg ||
				gate.Name != "network gate" || gate.Outcome != "denied" || !strings.Contains(gate.Rule, "bypass is None") ||
				!strings.Contains(gate.Change, "bypass to AzureServices") {
				t.Fatalf("the read answered %d %s %s; explain %s", status, code, msg, raw)
			}
		})
	}
}

func workspaceNewKVScope(name string, v *scopevault.Vault) workspace.NewScope {
	return workspace.NewScope{Name: name, Backend: "AZURE_KEYVAULT",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://" + v.Name + ".vault.azure.net/"}}
}
