package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopevault/scopevault/client"
)

func TestParseResourceID(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		ok       bool
		want     client.ResourceID
	}{
		{"ok/vault", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", true,
			client.ResourceID{Subscription: "s", ResourceGroup: "rg", Namespace: "Microsoft.KeyVault", Type: "vaults", Name: "kv"}},
		{"ok/subnet", "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a", true,
			client.ResourceID{Subscription: "s", ResourceGroup: "rg", Namespace: "Microsoft.Network", Type: "virtualNetworks", Name: "v", Children: [][2]string{{"subnets", "a"}}}},
		{"ok/connection", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/privateEndpointConnections/pe.1", true,
			client.ResourceID{Subscription: "s", ResourceGroup: "rg", Namespace: "Microsoft.KeyVault", Type: "vaults", Name: "kv", Children: [][2]string{{"privateEndpointConnections", "pe.1"}}}},
		{"fail/relative", "subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", false, client.ResourceID{}},
		{"fail/group-only", "/subscriptions/s/resourceGroups/rg", false, client.ResourceID{}},
		{"fail/odd", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets", false, client.ResourceID{}},
		{"fail/empty-segment", "/subscriptions/s/resourceGroups//providers/Microsoft.Network/virtualNetworks/v", false, client.ResourceID{}},
		{"fail/not-providers", "/subscriptions/s/resourceGroups/rg/x/Microsoft.Network/virtualNetworks/v", false, client.ResourceID{}},
		{"fail/name", "vnet1", false, client.ResourceID{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := client.ParseResourceID(tc.id)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if gj, wj := mustJSON(t, got), mustJSON(t, tc.want); gj != wj {
				t.Errorf("got %s, want %s", gj, wj)
			}
		})
	}
	r, _ := client.ParseResourceID("/subscriptions/s/resourceGroups/rg/providers/microsoft.network/VIRTUALNETWORKS/v/Subnets/a")
	if !r.Is("Microsoft.Network", "virtualNetworks", "subnets") || r.Is("Microsoft.Network", "virtualNetworks") {
		t.Errorf("Is compares case-insensitively and counts children: %+v", r)
	}
}

func FuzzParseResourceID(f *testing.F) {
	for _, s := range []string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a", "/", "", "//////////"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		r, ok := client.ParseResourceID(id)
		if !ok {
			return
		}
		if r.Subscription == "" || r.ResourceGroup == "" || r.Name == "" {
			t.Fatalf("%q parsed with an empty part: %+v", id, r)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fakeNetworkARM answers as Microsoft.Network does: PUT 201 with the
// resource Updating and an Azure-AsyncOperation, which succeeds on the
// second poll; DELETE 202 with a Location that answers 200.
type fakeNetworkARM struct {
	mu    sync.Mutex
	polls int
	calls []string
	body  map[string]string
	// cancel, when set, is called by a poll of /slowop, which asks for 30 s.
	cancel func()
}

func (f *fakeNetworkARM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	w.Header().Set("Content-Type", "application/json")
	base := "https://" + r.Host
	switch {
	case r.URL.Path == "/op":
		f.polls++
		w.Header().Set("Retry-After", "0")
		if f.polls < 2 {
			io.WriteString(w, `{"status":"InProgress"}`)
			return
		}
		io.WriteString(w, `{"status":"Succeeded"}`)
	case r.URL.Path == "/slowop":
		f.cancel()
		w.Header().Set("Retry-After", "30")
		io.WriteString(w, `{"status":"InProgress"}`)
	case r.URL.Path == "/failop":
		io.WriteString(w, `{"status":"Failed","error":{"code":"InUseSubnetCannotBeDeleted","message":"Subnet app is in use."}}`)
	case r.URL.Path == "/gone":
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPut:
		b, _ := io.ReadAll(r.Body)
		f.body[r.URL.Path] = string(b)
		w.Header().Set("Azure-AsyncOperation", base+"/op")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"name":"vnet1","properties":{"provisioningState":"Updating"}}`)
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/bad"):
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.Network/virtualNetworks/bad' under resource group 'rg' was not found."}}`)
	case r.Method == http.MethodGet:
		io.WriteString(w, `{"name":"vnet1","properties":{"provisioningState":"Succeeded","addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`)
	case r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/slow"):
		w.Header().Set("Azure-AsyncOperation", base+"/slowop")
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/inuse"):
		w.Header().Set("Azure-AsyncOperation", base+"/failop")
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodDelete:
		w.Header().Set("Location", base+"/gone")
		w.WriteHeader(http.StatusAccepted)
	}
}

func TestNetworkLongRunningOperations(t *testing.T) {
	f := &fakeNetworkARM{body: map[string]string{}}
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	a, err := client.NewARM(srv.URL, staticCred{}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	v, err := a.CreateVirtualNetwork(ctx, "s", "rg", "vnet1", client.VirtualNetwork{Location: "westeurope",
		Properties: client.VirtualNetworkProperties{AddressSpace: &client.AddressSpace{AddressPrefixes: []string{"10.0.0.0/16"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.Properties.ProvisioningState, "Succeeded"; got != want {
		t.Errorf("after the poll, provisioningState = %q, want %q (read again)", got, want)
	}
	if f.polls != 2 {
		t.Errorf("polls = %d, want 2", f.polls)
	}
	const path = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1"
	if got := f.body[path]; !strings.Contains(got, `"addressPrefixes":["10.0.0.0/16"]`) || strings.Contains(got, "subnets") || strings.Contains(got, "provisioningState") {
		t.Errorf("PUT body = %s", got)
	}
	if err := a.DeleteVirtualNetwork(ctx, "s", "rg", "vnet1"); err != nil {
		t.Fatal(err)
	}
	err = a.DeleteSubnet(ctx, "s", "rg", "vnet1", "inuse")
	var re *client.ResponseError
	if !errors.As(err, &re) || re.Code != "InUseSubnetCannotBeDeleted" {
		t.Errorf("a failed operation = %v, want its code", err)
	}
	// A poller waiting out Retry-After stops when its context ends.
	slowCtx, cancel := context.WithCancel(ctx)
	f.cancel = cancel
	start := time.Now()
	if err := a.DeleteSubnet(slowCtx, "s", "rg", "vnet1", "slow"); !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("a cancelled wait = %v after %v, want context.Canceled at once", err, time.Since(start))
	}
	_, err = a.VirtualNetwork(ctx, "s", "rg", "bad")
	if !client.IsNotFound(err) {
		t.Errorf("a missing network = %v", err)
	}
	for _, c := range f.calls {
		if strings.Contains(c, "Microsoft.Network/virtualNetworks") && !strings.Contains(c, "api-version="+client.APINetwork) {
			t.Errorf("%s: not api-version %s", c, client.APINetwork)
		}
	}
}

func TestPrivateEndpointAccessors(t *testing.T) {
	var p client.PrivateEndpoint
	raw := `{"properties":{"manualPrivateLinkServiceConnections":[{"name":"m"}],"privateLinkServiceConnections":[{"name":"a"}],
	  "customDnsConfigs":[{"fqdn":"kv.vault.azure.net","ipAddresses":["10.1.2.5"]}]}}`
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	if cs := p.Properties.Connections(); len(cs) != 2 || cs[0].Name != "a" || cs[1].Name != "m" {
		t.Errorf("Connections = %+v", cs)
	}
	if got := p.Properties.PrivateIP(); got != "10.1.2.5" {
		t.Errorf("PrivateIP from customDnsConfigs = %q", got)
	}
	p.Properties.IPConfigurations = []client.PrivateEndpointIPConfiguration{{}}
	p.Properties.IPConfigurations[0].Properties.PrivateIPAddress = "10.1.2.6"
	if got := p.Properties.PrivateIP(); got != "10.1.2.6" {
		t.Errorf("PrivateIP from ipConfigurations = %q", got)
	}
	if got := (client.SubnetProperties{AddressPrefixes: []string{"10.0.1.0/24"}}).Prefixes(); len(got) != 1 {
		t.Errorf("Prefixes = %v", got)
	}
}

// MustARM is an ARM client of the live server, as its bootstrap admin.
func (l *live) MustARM(tb testing.TB) *client.ARM {
	tb.Helper()
	a, err := client.NewARM(l.armURL, l.cred, l.hc)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// The client against a live server: Option B of the seed, built with the
// typed calls, and a manual connection approved by the vault's owner.
func TestNetworkLive(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	boot := l.srv.Boot
	a := l.MustARM(t)
	sub, g := boot.SubscriptionID, boot.ResourceGroup
	const zone = "privatelink.vaultcore.azure.net"
	vnet, err := a.CreateVirtualNetwork(ctx, sub, g, "vnet1", client.VirtualNetwork{Location: boot.Location, Properties: client.VirtualNetworkProperties{
		AddressSpace: &client.AddressSpace{AddressPrefixes: []string{"10.30.0.0/16"}},
		Subnets:      []client.Subnet{{Name: "pe", Properties: client.SubnetProperties{AddressPrefix: "10.30.3.0/27", PrivateEndpointNetworkPolicies: "Disabled"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vnet.Properties.Subnets) != 1 || !strings.EqualFold(vnet.Properties.Subnets[0].ID, client.SubnetResourceID(sub, g, "vnet1", "pe")) {
		t.Fatalf("subnets = %+v", vnet.Properties.Subnets)
	}
	sn, err := a.CreateSubnet(ctx, sub, g, "vnet1", "app", client.Subnet{Properties: client.SubnetProperties{
		AddressPrefix: "10.30.1.0/24", ServiceEndpoints: []client.ServiceEndpoint{{Service: "Microsoft.KeyVault"}}}})
	if err != nil || len(sn.Properties.ServiceEndpoints) != 1 {
		t.Fatalf("CreateSubnet = %+v, %v", sn, err)
	}
	if subs, err := a.Subnets(ctx, sub, g, "vnet1"); err != nil || len(subs) != 2 {
		t.Fatalf("Subnets = %d, %v", len(subs), err)
	}
	kv, err := a.Vault(ctx, sub, g, boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	conn := client.PrivateLinkServiceConnection{Name: "c", Properties: client.PrivateLinkServiceConnectionProperties{PrivateLinkServiceID: kv.ID, GroupIDs: []string{"vault"}}}
	pe, err := a.CreatePrivateEndpoint(ctx, sub, g, "pe-kv", client.PrivateEndpoint{Location: boot.Location, Properties: client.PrivateEndpointProperties{
		Subnet: &client.SubResource{ID: client.SubnetResourceID(sub, g, "vnet1", "pe")}, PrivateLinkServiceConnections: []client.PrivateLinkServiceConnection{conn}}})
	if err != nil {
		t.Fatal(err)
	}
	cs := pe.Properties.Connections()
	if len(cs) != 1 || cs[0].Properties.PrivateLinkServiceConnectionState == nil || cs[0].Properties.PrivateLinkServiceConnectionState.Status != "Approved" || pe.Properties.PrivateIP() == "" {
		t.Fatalf("private endpoint = %s", mustJSON(t, pe))
	}
	if _, err := a.CreatePrivateDNSZone(ctx, sub, g, zone, client.PrivateDNSZone{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateVirtualNetworkLink(ctx, sub, g, zone, "l1", client.VirtualNetworkLink{Properties: client.VirtualNetworkLinkProperties{
		VirtualNetwork: &client.SubResource{ID: client.VirtualNetworkID(sub, g, "vnet1")}}}); err != nil {
		t.Fatal(err)
	}
	var cfg client.PrivateDNSZoneConfig
	cfg.Name = "vault"
	cfg.Properties.PrivateDNSZoneID = client.PrivateDNSZoneID(sub, g, zone)
	if _, err := a.CreatePrivateDNSZoneGroup(ctx, sub, g, "pe-kv", "default", client.PrivateDNSZoneGroup{Properties: client.PrivateDNSZoneGroupProperties{
		PrivateDNSZoneConfigs: []client.PrivateDNSZoneConfig{cfg}}}); err != nil {
		t.Fatal(err)
	}
	rs, err := a.ARecordSet(ctx, sub, g, zone, boot.Vault)
	if err != nil || len(rs.Properties.ARecords) != 1 || rs.Properties.ARecords[0].IPv4Address != pe.Properties.PrivateIP() {
		t.Fatalf("the zone group's record = %+v, %v (want %s)", rs, err, pe.Properties.PrivateIP())
	}

	conn.Name = "m"
	if _, err := a.CreatePrivateEndpoint(ctx, sub, g, "pe-m", client.PrivateEndpoint{Location: boot.Location, Properties: client.PrivateEndpointProperties{
		Subnet: &client.SubResource{ID: client.SubnetResourceID(sub, g, "vnet1", "pe")}, ManualPrivateLinkServiceConnections: []client.PrivateLinkServiceConnection{conn}}}); err != nil {
		t.Fatal(err)
	}
	conns, err := a.VaultPrivateEndpointConnections(ctx, sub, g, boot.Vault)
	if err != nil || len(conns) != 2 {
		t.Fatalf("vault connections = %d, %v", len(conns), err)
	}
	var pending string
	for _, c := range conns {
		if c.Properties.PrivateLinkServiceConnectionState.Status == "Pending" {
			pending = c.Name
		}
	}
	got, err := a.SetVaultPrivateEndpointConnectionState(ctx, sub, g, boot.Vault, pending, "Approved", "ok")
	if err != nil || got.Properties.PrivateLinkServiceConnectionState.Status != "Approved" || got.Properties.PrivateLinkServiceConnectionState.Description != "ok" {
		t.Fatalf("approve = %+v, %v", got, err)
	}
	if v, err := a.Vault(ctx, sub, g, boot.Vault); err != nil || len(v.Properties.PrivateEndpointConnections) != 2 {
		t.Errorf("the vault lists %d connections, %v", len(v.Properties.PrivateEndpointConnections), err)
	}
	if err := a.DeleteVaultPrivateEndpointConnection(ctx, sub, g, boot.Vault, pending); err != nil {
		t.Fatal(err)
	}
	for _, del := range []func() error{
		func() error { return a.DeletePrivateDNSZoneGroup(ctx, sub, g, "pe-kv", "default") },
		func() error { return a.DeletePrivateEndpoint(ctx, sub, g, "pe-kv") },
		func() error { return a.DeletePrivateEndpoint(ctx, sub, g, "pe-m") },
		func() error { return a.DeleteVirtualNetworkLink(ctx, sub, g, zone, "l1") },
		func() error { return a.DeletePrivateDNSZone(ctx, sub, g, zone) },
		func() error { return a.DeleteSubnet(ctx, sub, g, "vnet1", "app") },
		func() error { return a.DeleteVirtualNetwork(ctx, sub, g, "vnet1") },
	} {
		if err := del(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.ARecordSet(ctx, sub, g, zone, boot.Vault); !client.IsNotFound(err) {
		t.Errorf("after the zone went, its record: %v", err)
	}
	if vs, err := a.VirtualNetworks(ctx, sub, ""); err != nil || len(vs) != 0 {
		t.Errorf("networks left: %d, %v", len(vs), err)
	}
}
