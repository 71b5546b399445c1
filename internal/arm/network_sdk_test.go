package arm_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/privatedns/armprivatedns"

	"github.com/scopevault/scopevault"
)

// The network resources through the unmodified Go management clients:
// armnetwork/v6 (api-version 2024-05-01), armprivatedns (2024-06-01) and
// armkeyvault's PrivateEndpointConnectionsClient (2024-11-01), over TLS.

// staticCred hands the clients a token the env issued.
type staticCred struct{ tok string }

func (c staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

type netClients struct {
	vnets      *armnetwork.VirtualNetworksClient
	subnets    *armnetwork.SubnetsClient
	pes        *armnetwork.PrivateEndpointsClient
	zoneGroups *armnetwork.PrivateDNSZoneGroupsClient
	zones      *armprivatedns.PrivateZonesClient
	links      *armprivatedns.VirtualNetworkLinksClient
	records    *armprivatedns.RecordSetsClient
	conns      *armkeyvault.PrivateEndpointConnectionsClient
	vaults     *armkeyvault.VaultsClient
}

func (e *env) MustNetClients(tb testing.TB, p *scopevault.Principal) *netClients {
	tb.Helper()
	cred := staticCred{e.Token(tb, p, "")}
	opts := &arm.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: e.srv.URL, Audience: armAudience},
			}},
			Transport: e.srv.Client(),
			Retry:     policy.RetryOptions{MaxRetries: -1},
		},
		DisableRPRegistration: true,
	}
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	c := &netClients{}
	var err error
	c.vnets, err = armnetwork.NewVirtualNetworksClient(sub, cred, opts)
	must(err)
	c.subnets, err = armnetwork.NewSubnetsClient(sub, cred, opts)
	must(err)
	c.pes, err = armnetwork.NewPrivateEndpointsClient(sub, cred, opts)
	must(err)
	c.zoneGroups, err = armnetwork.NewPrivateDNSZoneGroupsClient(sub, cred, opts)
	must(err)
	c.zones, err = armprivatedns.NewPrivateZonesClient(sub, cred, opts)
	must(err)
	c.links, err = armprivatedns.NewVirtualNetworkLinksClient(sub, cred, opts)
	must(err)
	c.records, err = armprivatedns.NewRecordSetsClient(sub, cred, opts)
	must(err)
	c.conns, err = armkeyvault.NewPrivateEndpointConnectionsClient(sub, cred, opts)
	must(err)
	c.vaults, err = armkeyvault.NewVaultsClient(sub, cred, opts)
	must(err)
	return c
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// poll finishes a long-running operation the server answered
// synchronously: poll(client.BeginX(...)).Must(t).
func poll[T any](p *runtime.Poller[T], err error) polled[T] {
	if err != nil {
		return polled[T]{err: err}
	}
	if !p.Done() {
		return polled[T]{err: errors.New("the poller is not done after the first answer")}
	}
	out, err := p.PollUntilDone(context.Background(), &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
	return polled[T]{v: out, err: err}
}

type polled[T any] struct {
	v   T
	err error
}

func (p polled[T]) Must(tb testing.TB) T {
	tb.Helper()
	if p.err != nil {
		tb.Fatal(p.err)
	}
	return p.v
}

// errCode is the ARM error code of a client error, or "".
func errCode(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func subnetID(vnet, name string) string {
	return rgScope() + "/providers/Microsoft.Network/virtualNetworks/" + vnet + "/subnets/" + name
}

func vnetParams(subnets ...*armnetwork.Subnet) armnetwork.VirtualNetwork {
	return armnetwork.VirtualNetwork{
		Location: ptr("eastus"),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{ptr("10.1.0.0/16")}},
			Subnets:      subnets,
		},
	}
}

func subnet(name, prefix string) *armnetwork.Subnet {
	return &armnetwork.Subnet{Name: ptr(name), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: ptr(prefix)}}
}

func peParams(subnet, vault string, manual bool) armnetwork.PrivateEndpoint {
	conn := []*armnetwork.PrivateLinkServiceConnection{{
		Name: ptr("conn"),
		Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
			PrivateLinkServiceID: ptr(vaultPath(vault)), GroupIDs: []*string{ptr("vault")}, RequestMessage: ptr("please"),
		},
	}}
	p := &armnetwork.PrivateEndpointProperties{Subnet: &armnetwork.Subnet{ID: ptr(subnetID("vnet1", subnet))}}
	if manual {
		p.ManualPrivateLinkServiceConnections = conn
	} else {
		p.PrivateLinkServiceConnections = conn
	}
	return armnetwork.PrivateEndpoint{Location: ptr("eastus"), Properties: p}
}

func TestVirtualNetworksWithGoClient(t *testing.T) {
	e := MustEnv(t)
	c := e.MustNetClients(t, e.admin)
	ctx := context.Background()
	apps := subnet("apps", "10.1.3.0/24")
	apps.Properties.ServiceEndpoints = []*armnetwork.ServiceEndpointPropertiesFormat{{Service: ptr("Microsoft.KeyVault")}}
	host := subnet("host", "10.1.4.0/26")
	host.Properties.Delegations = []*armnetwork.Delegation{{Name: ptr("dbx"), Properties: &armnetwork.ServiceDelegationPropertiesFormat{ServiceName: ptr("Microsoft.Databricks/workspaces")}}}
	p, err := c.vnets.BeginCreateOrUpdate(ctx, rg, "vnet1", vnetParams(subnet("pe", "10.1.2.0/24"), apps, host), nil)
	v := poll(p, err).Must(t)
	if got := deref(v.ID); got != rgScope()+"/providers/Microsoft.Network/virtualNetworks/vnet1" {
		t.Errorf("id = %s", got)
	}
	if n := len(v.Properties.Subnets); n != 3 || deref(v.Properties.ProvisioningState) != armnetwork.ProvisioningStateSucceeded {
		t.Fatalf("subnets = %d, state %v", n, deref(v.Properties.ProvisioningState))
	}
	se := v.Properties.Subnets[1].Properties.ServiceEndpoints[0]
	if deref(se.Service) != "Microsoft.KeyVault" || deref(se.ProvisioningState) != armnetwork.ProvisioningStateSucceeded || deref(se.Locations[0]) != "*" {
		t.Errorf("service endpoint = %+v", se)
	}
	d := v.Properties.Subnets[2].Properties.Delegations[0]
	if len(d.Properties.Actions) != 3 || deref(d.Properties.ServiceName) != "Microsoft.Databricks/workspaces" {
		t.Errorf("delegation = %+v", d.Properties)
	}
	if got := deref(v.Properties.Subnets[0].Properties.PrivateEndpointNetworkPolicies); got != armnetwork.VirtualNetworkPrivateEndpointNetworkPoliciesDisabled {
		t.Errorf("privateEndpointNetworkPolicies = %v", got)
	}

	// Subnets on their own.
	s := poll(c.subnets.BeginCreateOrUpdate(ctx, rg, "vnet1", "extra", *subnet("extra", "10.1.9.0/24"), nil)).Must(t)
	if deref(s.ID) != subnetID("vnet1", "extra") || deref(s.Properties.AddressPrefix) != "10.1.9.0/24" {
		t.Errorf("subnet = %s %s", deref(s.ID), deref(s.Properties.AddressPrefix))
	}
	got, err := c.subnets.Get(ctx, rg, "vnet1", "EXTRA", nil)
	if err != nil || deref(got.Name) != "extra" {
		t.Fatalf("get subnet: %v %v", deref(got.Name), err)
	}
	n := 0
	for pager := c.subnets.NewListPager(rg, "vnet1", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Value)
	}
	if n != 4 {
		t.Errorf("listed %d subnets, want 4", n)
	}
	for _, tc := range []struct {
		name, subnet, prefix, want string
	}{
		{"fail/bad-cidr", "bad", "10.1.10.0/33", "InvalidAddressPrefixFormat"},
		{"fail/host-bits", "bad", "10.1.10.1/24", "InvalidCIDRNotation"},
		{"fail/overlap", "bad", "10.1.9.128/25", "NetcfgSubnetRangesOverlap"},
		{"fail/outside", "bad", "10.2.0.0/24", "NetcfgSubnetRangeOutsideVnet"},
		{"fail/bad-name", "-bad", "10.1.10.0/24", "InvalidResourceName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.subnets.BeginCreateOrUpdate(ctx, rg, "vnet1", tc.subnet, *subnet(tc.subnet, tc.prefix), nil)
			if got := errCode(err); got != tc.want {
				t.Errorf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	if _, err := c.vnets.Get(ctx, rg, "nope", nil); errCode(err) != "ResourceNotFound" {
		t.Errorf("missing vnet: %v", err)
	}
	if _, err := c.vnets.Get(ctx, "no-such-group", "vnet1", nil); errCode(err) != "ResourceGroupNotFound" {
		t.Errorf("missing group: %v", err)
	}
	for _, list := range []func() (int, error){
		func() (int, error) {
			page, err := c.vnets.NewListPager(rg, nil).NextPage(ctx)
			return len(page.Value), err
		},
		func() (int, error) {
			page, err := c.vnets.NewListAllPager(nil).NextPage(ctx)
			return len(page.Value), err
		},
	} {
		if n, err := list(); err != nil || n != 1 {
			t.Errorf("list: %d %v", n, err)
		}
	}
	tagged, err := c.vnets.UpdateTags(ctx, rg, "vnet1", armnetwork.TagsObject{Tags: map[string]*string{"env": ptr("test")}}, nil)
	if err != nil || deref(tagged.Tags["env"]) != "test" || len(tagged.Properties.Subnets) != 4 {
		t.Errorf("update tags: %v %v", tagged.Tags, err)
	}
	poll(c.subnets.BeginDelete(ctx, rg, "vnet1", "extra", nil)).Must(t)
	if _, err := c.subnets.Get(ctx, rg, "vnet1", "extra", nil); errCode(err) != "NotFound" {
		t.Errorf("deleted subnet: %v", err)
	}
	poll(c.vnets.BeginDelete(ctx, rg, "vnet1", nil)).Must(t)
	poll(c.vnets.BeginDelete(ctx, rg, "vnet1", nil)).Must(t) // nothing left: 204
	if _, err := c.vnets.Get(ctx, rg, "vnet1", nil); errCode(err) != "ResourceNotFound" {
		t.Errorf("deleted vnet: %v", err)
	}
}

func connState(t *testing.T, c *netClients, pe string) armnetwork.PrivateLinkServiceConnectionState {
	t.Helper()
	p, err := c.pes.Get(context.Background(), rg, pe, nil)
	if err != nil {
		t.Fatal(err)
	}
	conns := append(p.Properties.PrivateLinkServiceConnections, p.Properties.ManualPrivateLinkServiceConnections...)
	if len(conns) != 1 {
		t.Fatalf("%s has %d connections", pe, len(conns))
	}
	return *conns[0].Properties.PrivateLinkServiceConnectionState
}

func TestPrivateEndpointsWithGoClients(t *testing.T) {
	e := MustEnv(t)
	c := e.MustNetClients(t, e.admin)
	ctx := context.Background()
	e.MustVault(t, "kv1", true)
	poll(c.vnets.BeginCreateOrUpdate(ctx, rg, "vnet1", vnetParams(subnet("pe", "10.1.2.0/24")), nil)).Must(t)

	// The admin owns the subscription, so holds the vault's approval right:
	// an automatic connection is approved at once, a manual one waits.
	auto := poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe-auto", peParams("pe", "kv1", false), nil)).Must(t)
	if got := deref(auto.Properties.CustomDNSConfigs[0].IPAddresses[0]); got != "10.1.2.4" {
		t.Errorf("private IP = %s, want 10.1.2.4", got)
	}
	if got := deref(auto.Properties.CustomDNSConfigs[0].Fqdn); got != "kv1.vault.azure.net" {
		t.Errorf("fqdn = %s", got)
	}
	if len(auto.Properties.NetworkInterfaces) != 1 || deref(auto.Properties.Subnet.ID) != subnetID("vnet1", "pe") {
		t.Errorf("nic/subnet = %+v %+v", auto.Properties.NetworkInterfaces, auto.Properties.Subnet)
	}
	if st := connState(t, c, "pe-auto"); deref(st.Status) != "Approved" {
		t.Errorf("automatic connection: %+v", st)
	}
	poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe-manual", peParams("pe", "kv1", true), nil)).Must(t)
	if st := connState(t, c, "pe-manual"); deref(st.Status) != "Pending" || deref(st.Description) != "please" {
		t.Errorf("manual connection: %s %s", deref(st.Status), deref(st.Description))
	}

	// The vault owner's side: list, approve, reject, delete.
	var names []string
	for pager := c.conns.NewListByResourcePager(rg, "kv1", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, pc := range page.Value {
			if deref(pc.Properties.PrivateEndpoint.ID) == rgScope()+"/providers/Microsoft.Network/privateEndpoints/pe-manual" {
				names = append(names, deref(pc.Name))
			}
		}
	}
	if len(names) != 1 {
		t.Fatalf("the vault lists %d connections of pe-manual", len(names))
	}
	name := names[0]
	set := func(status armkeyvault.PrivateEndpointServiceConnectionStatus, desc string) error {
		_, err := c.conns.Put(ctx, rg, "kv1", name, armkeyvault.PrivateEndpointConnection{
			Properties: &armkeyvault.PrivateEndpointConnectionProperties{
				PrivateLinkServiceConnectionState: &armkeyvault.PrivateLinkServiceConnectionState{Status: ptr(status), Description: ptr(desc)},
			},
		}, nil)
		return err
	}
	if err := set(armkeyvault.PrivateEndpointServiceConnectionStatusApproved, "ok by owner"); err != nil {
		t.Fatal(err)
	}
	if st := connState(t, c, "pe-manual"); deref(st.Status) != "Approved" || deref(st.Description) != "ok by owner" {
		t.Errorf("after approval: %s %s", deref(st.Status), deref(st.Description))
	}
	vault, err := c.vaults.Get(ctx, rg, "kv1", nil)
	if err != nil || len(vault.Properties.PrivateEndpointConnections) != 2 {
		t.Fatalf("vault's privateEndpointConnections: %v %v", vault.Properties, err)
	}
	if err := set(armkeyvault.PrivateEndpointServiceConnectionStatusRejected, "no"); err != nil {
		t.Fatal(err)
	}
	if st := connState(t, c, "pe-manual"); deref(st.Status) != "Rejected" {
		t.Errorf("after rejection: %s", deref(st.Status))
	}
	if err := set(armkeyvault.PrivateEndpointServiceConnectionStatusApproved, "again"); errCode(err) != "InvalidPrivateLinkServiceConnectionState" {
		t.Errorf("approving a rejected connection: %v", err)
	}
	poll(c.conns.BeginDelete(ctx, rg, "kv1", name, nil)).Must(t)
	if st := connState(t, c, "pe-manual"); deref(st.Status) != "Disconnected" {
		t.Errorf("after the owner removed it: %s", deref(st.Status))
	}
	if _, err := c.conns.Get(ctx, rg, "kv1", name, nil); errCode(err) != "PrivateEndpointConnectionNotFound" {
		t.Errorf("removed connection: %v", err)
	}

	for _, tc := range []struct {
		name string
		p    armnetwork.PrivateEndpoint
		want string
	}{
		{"fail/unknown-subnet", peParams("nope", "kv1", false), "InvalidResourceReference"},
		{"fail/subnet-not-an-id", func() armnetwork.PrivateEndpoint {
			p := peParams("pe", "kv1", false)
			p.Properties.Subnet.ID = ptr("pe")
			return p
		}(), "LinkedInvalidPropertyId"},
		{"fail/unknown-vault", peParams("pe", "kv-none", false), "PrivateEndpointBadRequest"},
		{"fail/group-id", func() armnetwork.PrivateEndpoint {
			p := peParams("pe", "kv1", false)
			p.Properties.PrivateLinkServiceConnections[0].Properties.GroupIDs = []*string{ptr("blob")}
			return p
		}(), "PrivateEndpointBadRequest"},
		{"fail/no-location", func() armnetwork.PrivateEndpoint { p := peParams("pe", "kv1", false); p.Location = nil; return p }(), "LocationRequired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.pes.BeginCreateOrUpdate(ctx, rg, "pe-bad", tc.p, nil)
			if got := errCode(err); got != tc.want {
				t.Errorf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	// A static address through ipConfigurations.
	static := peParams("pe", "kv1", false)
	static.Properties.IPConfigurations = []*armnetwork.PrivateEndpointIPConfiguration{{
		Name:       ptr("static"),
		Properties: &armnetwork.PrivateEndpointIPConfigurationProperties{GroupID: ptr("vault"), MemberName: ptr("default"), PrivateIPAddress: ptr("10.1.2.100")},
	}}
	if got := poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe-static", static, nil)).Must(t); deref(got.Properties.CustomDNSConfigs[0].IPAddresses[0]) != "10.1.2.100" {
		t.Errorf("static IP = %v", deref(got.Properties.CustomDNSConfigs[0].IPAddresses[0]))
	}
	if _, err := c.pes.BeginCreateOrUpdate(ctx, rg, "pe-static2", static, nil); errCode(err) != "PrivateIPAddressInUse" {
		t.Errorf("the same static IP twice: %v", err)
	}
	poll(c.pes.BeginDelete(ctx, rg, "pe-static", nil)).Must(t)
	// The subnet is in use while endpoints are in it.
	if _, err := c.subnets.BeginDelete(ctx, rg, "vnet1", "pe", nil); errCode(err) != "InUseSubnetCannotBeDeleted" {
		t.Errorf("deleting a used subnet: %v", err)
	}
	page, err := c.pes.NewListBySubscriptionPager(nil).NextPage(ctx)
	if err != nil || len(page.Value) != 2 {
		t.Errorf("list by subscription: %d %v", len(page.Value), err)
	}
	poll(c.pes.BeginDelete(ctx, rg, "pe-manual", nil)).Must(t)
	poll(c.pes.BeginDelete(ctx, rg, "pe-auto", nil)).Must(t)
	poll(c.subnets.BeginDelete(ctx, rg, "vnet1", "pe", nil)).Must(t)
}

// A caller who may write endpoints but not join the subnet is refused, as
// Azure refuses with LinkedAuthorizationFailed; one who may not approve on
// the vault gets a Pending connection.
func TestPrivateEndpointAuthorization(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	admin := e.MustNetClients(t, e.admin)
	e.MustVault(t, "kv1", true)
	poll(admin.vnets.BeginCreateOrUpdate(ctx, rg, "vnet1", vnetParams(subnet("pe", "10.1.2.0/24")), nil)).Must(t)
	role := e.MustCustomRole(t, "pe-writer", "Microsoft.Network/privateEndpoints/write", "Microsoft.Network/privateEndpoints/read")
	joiner := e.MustCustomRole(t, "subnet-joiner", "Microsoft.Network/virtualNetworks/subnets/join/action")
	p := e.MustPrincipal(t, "netdev")
	e.MustAssign(t, role, p.ObjectID, rgScope())
	c := e.MustNetClients(t, p)
	if _, err := c.pes.BeginCreateOrUpdate(ctx, rg, "pe1", peParams("pe", "kv1", false), nil); errCode(err) != "LinkedAuthorizationFailed" {
		t.Fatalf("without join: %v", err)
	}
	e.MustAssign(t, joiner, p.ObjectID, rgScope())
	poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe1", peParams("pe", "kv1", false), nil)).Must(t)
	if st := connState(t, c, "pe1"); deref(st.Status) != "Pending" {
		t.Errorf("no approval right: %s", deref(st.Status))
	}
}

// MustCustomRole makes a custom role with the given actions, assignable in
// the subscription, and returns its id.
func (e *env) MustCustomRole(tb testing.TB, name string, actions ...string) string {
	tb.Helper()
	def, _, err := e.authz.CreateOrUpdateRole(context.Background(), scopevault.RoleDefinition{
		ID: scopevault.NewGUID(), RoleName: name, AssignableScopes: []string{subScope()},
		Permissions: []scopevault.Permission{{Actions: actions}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return def.ID
}

// MustInjectionVNet makes a virtual network in the env's group with the two
// subnets VNet injection needs, host and container, and returns its id.
func (e *env) MustInjectionVNet(tb testing.TB, name string) string {
	tb.Helper()
	dbx := []scopevault.Delegation{{Name: "dbx", ServiceName: scopevault.DelegationDatabricks}}
	n, _, err := e.rm.PutVirtualNetwork(context.Background(), scopevault.VirtualNetwork{
		Name: name, SubscriptionID: sub, ResourceGroup: rg, Location: "eastus", AddressPrefixes: []string{"10.139.0.0/16"},
		Subnets: []scopevault.Subnet{
			{Name: "host", AddressPrefix: "10.139.0.0/18", Delegations: dbx},
			{Name: "container", AddressPrefix: "10.139.64.0/18", Delegations: dbx},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n.ResourceID()
}

// The raw shapes of reference §3.5: what a private endpoint and the vault's
// side of its connection look like on the wire.
func TestPrivateEndpointWireShape(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustVault(t, "kv-demo", true)
	const api = "?api-version=2024-05-01"
	vnet := rgScope() + "/providers/Microsoft.Network/virtualNetworks/vnet1"
	MustStatus(t, e.Do(t, http.MethodPut, vnet+api, tok, map[string]any{"location": "eastus", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []string{"10.1.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "pe", "properties": map[string]any{"addressPrefix": "10.1.2.0/24"}}},
	}}), http.StatusCreated)
	pe := rgScope() + "/providers/Microsoft.Network/privateEndpoints/pe-kv"
	r := e.Do(t, http.MethodPut, pe+api, tok, map[string]any{"location": "eastus", "properties": map[string]any{
		"subnet": map[string]any{"id": vnet + "/subnets/pe"},
		"privateLinkServiceConnections": []any{map[string]any{"name": "kv-conn", "properties": map[string]any{
			"privateLinkServiceId": vaultPath("kv-demo"), "groupIds": []string{"vault"}, "requestMessage": ""}}},
		"manualPrivateLinkServiceConnections": []any{},
		"customNetworkInterfaceName":          "pe-kv-nic",
	}})
	MustStatus(t, r, http.StatusCreated)
	first := func(path string) map[string]any {
		l, _ := r.Get(path).([]any)
		if len(l) == 0 {
			t.Fatalf("%s is empty: %s", path, r.Raw)
		}
		m, _ := l[0].(map[string]any)
		return m
	}
	conn := first("properties.privateLinkServiceConnections")
	state, _ := conn["properties"].(map[string]any)["privateLinkServiceConnectionState"].(map[string]any)
	for k, want := range map[string]any{"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"} {
		if state[k] != want {
			t.Errorf("privateLinkServiceConnectionState.%s = %v, want %v", k, state[k], want)
		}
	}
	if got := first("properties.customDnsConfigs"); got["fqdn"] != "kv-demo.vault.azure.net" || got["ipAddresses"].([]any)[0] != "10.1.2.4" {
		t.Errorf("customDnsConfigs[0] = %v", got)
	}
	if got := first("properties.ipConfigurations")["properties"].(map[string]any); got["groupId"] != "vault" || got["memberName"] != "default" || got["privateIPAddress"] != "10.1.2.4" {
		t.Errorf("ipConfigurations[0].properties = %v", got)
	}
	if got := first("properties.networkInterfaces")["id"]; got != rgScope()+"/providers/Microsoft.Network/networkInterfaces/pe-kv-nic" {
		t.Errorf("networkInterfaces[0].id = %v", got)
	}
	for k, want := range map[string]any{"type": "Microsoft.Network/privateEndpoints", "properties.provisioningState": "Succeeded",
		"properties.subnet.id": vnet + "/subnets/pe", "properties.customNetworkInterfaceName": "pe-kv-nic"} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	// The vault lists the connection in its properties, named <pe>.<guid>.
	v := e.Do(t, http.MethodGet, vaultPath("kv-demo")+"?"+armAPI, tok, nil)
	MustStatus(t, v, http.StatusOK)
	l, _ := v.Get("properties.privateEndpointConnections").([]any)
	if len(l) != 1 {
		t.Fatalf("vault's privateEndpointConnections = %s", v.Raw)
	}
	item := l[0].(map[string]any)
	id, _ := item["id"].(string)
	if !strings.HasPrefix(id, vaultPath("kv-demo")+"/privateEndpointConnections/pe-kv.") {
		t.Errorf("connection id = %s", id)
	}
	if got := item["properties"].(map[string]any)["privateEndpoint"].(map[string]any)["id"]; got != pe {
		t.Errorf("privateEndpoint.id = %v", got)
	}
}

// Deleting a resource group takes its network with it; purging a vault
// takes the vault's side of its connections, so an endpoint in another
// group shows Disconnected.
func TestNetworkLifecycleWithGroupAndVault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	ctx := context.Background()
	c := e.MustNetClients(t, e.admin)
	e.MustVault(t, "kv1", true)
	poll(c.vnets.BeginCreateOrUpdate(ctx, rg, "vnet1", vnetParams(subnet("pe", "10.1.2.0/24")), nil)).Must(t)
	poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe1", peParams("pe", "kv1", false), nil)).Must(t)
	const zoneName = "privatelink.vaultcore.azure.net"
	zone := poll(c.zones.BeginCreateOrUpdate(ctx, rg, zoneName, armprivatedns.PrivateZone{Location: ptr("global")}, nil)).Must(t)
	poll(c.links.BeginCreateOrUpdate(ctx, rg, zoneName, "link1", armprivatedns.VirtualNetworkLink{
		Location: ptr("global"), Properties: &armprivatedns.VirtualNetworkLinkProperties{VirtualNetwork: &armprivatedns.SubResource{ID: ptr(rgScope() + "/providers/Microsoft.Network/virtualNetworks/vnet1")}},
	}, nil)).Must(t)
	poll(c.zoneGroups.BeginCreateOrUpdate(ctx, rg, "pe1", "default", armnetwork.PrivateDNSZoneGroup{
		Properties: &armnetwork.PrivateDNSZoneGroupPropertiesFormat{PrivateDNSZoneConfigs: []*armnetwork.PrivateDNSZoneConfig{{Properties: &armnetwork.PrivateDNSZonePropertiesFormat{PrivateDNSZoneID: zone.ID}}}},
	}, nil)).Must(t)

	// Purge the vault: the endpoint's connection is Disconnected.
	MustStatus(t, e.Do(t, http.MethodDelete, vaultPath("kv1")+"?"+armAPI, tok, nil), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodPost, subScope()+"/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv1/purge?"+armAPI, tok, nil), http.StatusAccepted)
	if st := connState(t, c, "pe1"); deref(st.Status) != "Disconnected" {
		t.Errorf("after the vault's purge: %s", deref(st.Status))
	}
	if n, _ := e.rm.Network(ctx); len(n.Connections) != 0 {
		t.Errorf("connections left: %d", len(n.Connections))
	}

	MustStatus(t, e.Do(t, http.MethodDelete, rgPath()+"?"+rgAPI, tok, nil), http.StatusOK)
	n, err := e.rm.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.VirtualNetworks)+len(n.Endpoints)+len(n.Zones) != 0 {
		t.Errorf("left after the group's delete: %d networks, %d endpoints, %d zones", len(n.VirtualNetworks), len(n.Endpoints), len(n.Zones))
	}
}

// The interface a private endpoint names is readable with the Go client,
// and gives the endpoint's address as the how-tos read it.
func TestPrivateEndpointNICWithGoClient(t *testing.T) {
	e := MustEnv(t)
	c := e.MustNetClients(t, e.admin)
	ctx := context.Background()
	e.MustVault(t, "kv1", true)
	poll(c.vnets.BeginCreateOrUpdate(ctx, rg, "vnet1", vnetParams(subnet("pe", "10.1.2.0/24")), nil)).Must(t)
	p := poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe1", peParams("pe", "kv1", false), nil)).Must(t)
	nics, err := armnetwork.NewInterfacesClient(sub, staticCred{e.Token(t, e.admin, "")}, &arm.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: e.srv.URL, Audience: armAudience}}},
			Transport: e.srv.Client(),
		},
		DisableRPRegistration: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	id := deref(p.Properties.NetworkInterfaces[0].ID)
	nic, err := nics.Get(ctx, rg, id[strings.LastIndex(id, "/")+1:], nil)
	if err != nil {
		t.Fatal(err)
	}
	ipc := nic.Properties.IPConfigurations[0].Properties
	if deref(nic.ID) != id || deref(ipc.PrivateIPAddress) != "10.1.2.4" || deref(nic.Properties.PrivateEndpoint.ID) != deref(p.ID) ||
		deref(ipc.PrivateLinkConnectionProperties.Fqdns[0]) != "kv1.vault.azure.net" {
		t.Errorf("nic = %+v", nic.Interface)
	}
	if _, err := nics.Get(ctx, rg, "nope", nil); errCode(err) != "ResourceNotFound" {
		t.Errorf("missing nic: %v", err)
	}
}
