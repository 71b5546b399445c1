package cli

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/client"
)

// netArgs prepends the group to a command's arguments.
func netArgs(g string, args ...string) []string { return append(args, "-g", g) }

func TestAzNetworkVNetAndSubnets(t *testing.T) {
	e := MustAz(t)
	g := e.srv.Boot.ResourceGroup

	created := e.MustJSON(t, netArgs(g, "network", "vnet", "create", "-n", "vnet1", "--address-prefixes", "10.10.0.0/16",
		"--subnet-name", "app", "--subnet-prefixes", "10.10.1.0/24", "--tags", "team=data", "env=test")...)
	vnet, _ := created["newVNet"].(map[string]any)
	if vnet == nil {
		t.Fatalf("vnet create printed %v, want {newVNet: ...}", created)
	}
	for path, want := range map[string]any{
		"name": "vnet1", "resourceGroup": g, "location": e.srv.Boot.Location, "tags.team": "data", "tags.env": "test",
		"type": "Microsoft.Network/virtualNetworks", "provisioningState": "Succeeded",
	} {
		if got := get(vnet, path); got != want {
			t.Errorf("newVNet.%s = %v, want %v", path, got, want)
		}
	}
	if got := toStrings(get(vnet, "addressSpace.addressPrefixes")); !slices.Equal(got, []string{"10.10.0.0/16"}) {
		t.Errorf("addressPrefixes = %v", got)
	}
	if subs, _ := vnet["subnets"].([]any); len(subs) != 1 || get(subs[0], "name") != "app" || get(subs[0], "addressPrefix") != "10.10.1.0/24" || get(subs[0], "resourceGroup") != g {
		t.Errorf("subnets = %v (flattened, with resourceGroup)", vnet["subnets"])
	}

	pe := e.MustJSON(t, netArgs(g, "network", "vnet", "subnet", "create", "--vnet-name", "vnet1", "-n", "pe", "--address-prefixes", "10.10.3.0/27")...)
	if got := pe["privateEndpointNetworkPolicies"]; got != "Disabled" {
		t.Errorf("a new subnet's privateEndpointNetworkPolicies = %v, want az's Disabled", got)
	}
	// az's three-state flags: bare, or with a value as the next word.
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ok/bare", []string{"--disable-private-endpoint-network-policies"}, "Disabled"},
		{"ok/false", []string{"--disable-private-endpoint-network-policies", "false"}, "Enabled"},
		{"ok/equals", []string{"--disable-private-endpoint-network-policies=yes"}, "Disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"network", "vnet", "subnet", "update", "-g", g, "--vnet-name", "vnet1", "-n", "pe"}, tc.args...)
			if got := e.MustRun(t, append(args, "--query", "privateEndpointNetworkPolicies", "-o", "tsv")...); got != tc.want+"\n" {
				t.Errorf("privateEndpointNetworkPolicies = %q, want %s", got, tc.want)
			}
		})
	}
	e.MustFail(t, "argument --disable-private-endpoint-network-policies: invalid value: 'maybe'",
		"network", "vnet", "subnet", "update", "-g", g, "--vnet-name", "vnet1", "-n", "pe", "--disable-private-endpoint-network-policies", "maybe")
	host := e.MustJSON(t, netArgs(g, "network", "vnet", "subnet", "create", "--vnet-name", "vnet1", "-n", "host", "--address-prefixes", "10.10.2.0/26",
		"--delegations", "Microsoft.Databricks.workspaces", "--private-endpoint-network-policies", "enabled")...)
	if got := get(host, "delegations"); len(toAny(got)) != 1 || get(toAny(got)[0], "serviceName") != "Microsoft.Databricks/workspaces" {
		t.Errorf("delegations = %v", got)
	}
	if got := host["privateEndpointNetworkPolicies"]; got != "Enabled" {
		t.Errorf("--private-endpoint-network-policies enabled gave %v", got)
	}
	app := e.MustJSON(t, netArgs(g, "network", "vnet", "subnet", "update", "--vnet-name", "vnet1", "-n", "app", "--service-endpoints", "Microsoft.KeyVault")...)
	if eps := toAny(app["serviceEndpoints"]); len(eps) != 1 || get(eps[0], "service") != "Microsoft.KeyVault" || app["addressPrefix"] != "10.10.1.0/24" {
		t.Errorf("after update: %v", app)
	}
	if got := e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "list", "--vnet-name", "vnet1", "--query", "sort([].name)", "-o", "tsv")...); got != "app\nhost\npe\n" {
		t.Errorf("subnet list = %q", got)
	}
	// Updating the network keeps its subnets and their service endpoints.
	e.MustRun(t, netArgs(g, "network", "vnet", "update", "-n", "vnet1", "--dns-servers", "10.10.0.4")...)
	got := e.MustRun(t, netArgs(g, "network", "vnet", "show", "-n", "vnet1", "--query",
		"[dhcpOptions.dnsServers[0], length(subnets), subnets[?name=='app'].serviceEndpoints[0].service | [0]]", "-o", "tsv")...)
	if got != "10.10.0.4\n3\nMicrosoft.KeyVault\n" {
		t.Errorf("after vnet update = %q", got)
	}
	if got := e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "update", "--vnet-name", "vnet1", "-n", "app", "--service-endpoints", "", "--query", "length(serviceEndpoints || `[]`)")...); got != "0\n" {
		t.Errorf(`--service-endpoints "" left %q`, got)
	}
	if got := e.MustRun(t, "network", "vnet", "list", "--query", "[].name", "-o", "tsv"); got != "vnet1\n" {
		t.Errorf("vnet list (subscription) = %q", got)
	}
	if got := e.MustRun(t, netArgs(g, "network", "vnet", "list", "--query", "[].resourceGroup", "-o", "tsv")...); got != g+"\n" {
		t.Errorf("vnet list -g = %q", got)
	}
	// --ids in place of the names: one id prints the resource, several the list.
	vnetID := strings.TrimSpace(e.MustRun(t, netArgs(g, "network", "vnet", "show", "-n", "vnet1", "--query", "id", "-o", "tsv")...))
	if got := e.MustRun(t, "network", "vnet", "show", "--ids", vnetID, "--query", "name", "-o", "tsv"); got != "vnet1\n" {
		t.Errorf("vnet show --ids = %q", got)
	}
	if got := e.MustRun(t, "network", "vnet", "subnet", "show", "--ids", vnetID+"/subnets/app", vnetID+"/subnets/pe", "--query", "[].name", "-o", "tsv"); got != "app\npe\n" {
		t.Errorf("subnet show --ids A B = %q", got)
	}
	e.MustFail(t, "argument --ids: '"+vnetID+"' is not the id of a Microsoft.Network/virtualNetworks/subnets", "network", "vnet", "subnet", "show", "--ids", vnetID)
	e.MustRun(t, "network", "vnet", "subnet", "delete", "--ids", vnetID+"/subnets/host")
	e.MustFail(t, "NotFound", netArgs(g, "network", "vnet", "subnet", "show", "--vnet-name", "vnet1", "-n", "host")...)
	e.MustRun(t, netArgs(g, "network", "vnet", "delete", "-n", "vnet1")...)
	e.MustFail(t, "ResourceNotFound", netArgs(g, "network", "vnet", "show", "-n", "vnet1")...)
	if got := e.MustRun(t, "network", "vnet", "list"); strings.TrimSpace(got) != "[]" {
		t.Errorf("vnet list after delete = %q", got)
	}

	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"fail/vnet-create-no-group", "the following arguments are required: --resource-group/-g", []string{"network", "vnet", "create", "-n", "v"}},
		{"fail/vnet-show-no-name", "the following arguments are required: --name/-n", []string{"network", "vnet", "show", "-g", g}},
		{"fail/subnet-create-no-prefix", "the following arguments are required: --address-prefixes", []string{"network", "vnet", "subnet", "create", "-g", g, "--vnet-name", "v", "-n", "s"}},
		{"fail/subnet-list-no-vnet", "the following arguments are required: --vnet-name", []string{"network", "vnet", "subnet", "list", "-g", g}},
		{"fail/subnet-bad-policy", "invalid choice: 'sometimes'", []string{"network", "vnet", "subnet", "create", "-g", g, "--vnet-name", "v", "-n", "s", "--address-prefixes", "10.0.0.0/24", "--private-endpoint-network-policies", "sometimes"}},
		{"fail/subnet-both-policies", "mutually exclusive", []string{"network", "vnet", "subnet", "create", "-g", g, "--vnet-name", "v", "-n", "s", "--address-prefixes", "10.0.0.0/24", "--private-endpoint-network-policies", "Enabled", "--disable-private-endpoint-network-policies", "true"}},
		{"fail/subnet-in-missing-vnet", "NotFound", []string{"network", "vnet", "subnet", "create", "-g", g, "--vnet-name", "nope", "-n", "s", "--address-prefixes", "10.0.0.0/24"}},
		{"fail/vnet-unknown", "ResourceNotFound", []string{"network", "vnet", "show", "-g", g, "-n", "nope"}},
		{"fail/positional", "unrecognized arguments: extra", []string{"network", "vnet", "list", "extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) { e.MustFail(t, tc.want, tc.args...) })
	}
}

func toAny(v any) []any {
	l, _ := v.([]any)
	return l
}

// mustVNet creates vnet1 (10.20.0.0/16) with subnets app (Key Vault
// service endpoint) and pe, in group g.
func mustVNet(t *testing.T, e *azEnv, g string) {
	t.Helper()
	e.MustRun(t, netArgs(g, "network", "vnet", "create", "-n", "vnet1", "--address-prefixes", "10.20.0.0/16",
		"--subnet-name", "app", "--subnet-prefixes", "10.20.1.0/24", "-o", "none")...)
	e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "update", "--vnet-name", "vnet1", "-n", "app", "--service-endpoints", "Microsoft.KeyVault", "-o", "none")...)
	e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "create", "--vnet-name", "vnet1", "-n", "pe", "--address-prefixes", "10.20.3.0/27",
		"--disable-private-endpoint-network-policies", "true", "-o", "none")...)
}

func TestAzNetworkPrivateEndpointsAndDNS(t *testing.T) {
	e := MustAz(t)
	g, kv := e.srv.Boot.ResourceGroup, e.srv.Boot.Vault
	const zone = "privatelink.vaultcore.azure.net"
	mustVNet(t, e, g)
	kvID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", kv, "--query", "id", "-o", "tsv"))

	z := e.MustJSON(t, netArgs(g, "network", "private-dns", "zone", "create", "-n", zone)...)
	if z["name"] != zone || z["location"] != "global" || z["resourceGroup"] != g || z["type"] != "Microsoft.Network/privateDnsZones" {
		t.Errorf("zone create = %v", z)
	}
	e.MustFail(t, "(PreconditionFailed) The Zone "+zone+" exists already.", netArgs(g, "network", "private-dns", "zone", "create", "-n", zone)...)
	if got := e.MustRun(t, "network", "private-dns", "zone", "list", "--query", "[].name", "-o", "tsv"); got != zone+"\n" {
		t.Errorf("zone list = %q", got)
	}
	link := e.MustJSON(t, netArgs(g, "network", "private-dns", "link", "vnet", "create", "-z", zone, "-n", "link1", "-v", "vnet1", "-e", "false")...)
	if id, _ := get(link, "virtualNetwork.id").(string); !strings.HasSuffix(id, "/virtualNetworks/vnet1") || link["registrationEnabled"] != false {
		t.Errorf("link create = %v", link)
	}
	if got := e.MustRun(t, netArgs(g, "network", "private-dns", "link", "vnet", "list", "-z", zone, "--query", "[].name", "-o", "tsv")...); got != "link1\n" {
		t.Errorf("link list = %q", got)
	}
	e.MustRun(t, netArgs(g, "network", "private-dns", "link", "vnet", "show", "-z", zone, "-n", "link1")...)

	// An automatic connection by the vault's owner is approved at once, and
	// gets a private IP from the subnet.
	pe := e.MustJSON(t, netArgs(g, "network", "private-endpoint", "create", "-n", "pe-kv", "--vnet-name", "vnet1", "--subnet", "pe",
		"--private-connection-resource-id", kvID, "--group-id", "vault", "--connection-name", "kv-conn")...)
	conns := toAny(pe["privateLinkServiceConnections"])
	if len(conns) != 1 || get(conns[0], "privateLinkServiceConnectionState.status") != "Approved" || !strings.EqualFold(get(conns[0], "privateLinkServiceId").(string), kvID) {
		t.Fatalf("private-endpoint create: connections %v", conns)
	}
	if got := e.MustRun(t, "keyvault", "show", "-n", kv, "--query",
		"properties.privateEndpointConnections[].[privateLinkServiceConnectionState.status, resourceGroup]", "-o", "tsv"); got != "Approved\t"+g+"\n" {
		t.Errorf("keyvault show: the vault's connections = %q", got)
	}
	ip := privateIP(t, pe)
	if !netip.MustParsePrefix("10.20.3.0/27").Contains(netip.MustParseAddr(ip)) {
		t.Errorf("private IP %s is not in the subnet", ip)
	}

	// The zone group writes the vault's A record.
	zg := e.MustJSON(t, netArgs(g, "network", "private-endpoint", "dns-zone-group", "create", "--endpoint-name", "pe-kv", "-n", "default",
		"--private-dns-zone", zone, "--zone-name", "vault")...)
	if cfgs := toAny(zg["privateDnsZoneConfigs"]); len(cfgs) != 1 || !strings.HasSuffix(get(cfgs[0], "privateDnsZoneId").(string), "/privateDnsZones/"+zone) {
		t.Errorf("zone group = %v", zg)
	}
	if got := e.MustRun(t, netArgs(g, "network", "private-dns", "record-set", "a", "show", "-z", zone, "-n", kv, "--query", "aRecords[].ipv4Address", "-o", "tsv")...); got != ip+"\n" {
		t.Errorf("the zone group's A record = %q, want %s", got, ip)
	}
	if got := e.MustRun(t, netArgs(g, "network", "private-endpoint", "dns-zone-group", "list", "--endpoint-name", "pe-kv", "--query", "[].name", "-o", "tsv")...); got != "default\n" {
		t.Errorf("zone group list = %q", got)
	}
	e.MustRun(t, netArgs(g, "network", "private-endpoint", "dns-zone-group", "show", "--endpoint-name", "pe-kv", "-n", "default")...)

	// A manual request waits; the vault's owner approves, rejects, removes it.
	manual := e.MustJSON(t, netArgs(g, "network", "private-endpoint", "create", "-n", "pe-manual", "--vnet-name", "vnet1", "--subnet", "pe",
		"--private-connection-resource-id", kvID, "--group-id", "vault", "--connection-name", "kv-manual", "--manual-request", "--request-message", "please")...)
	if c := toAny(manual["manualPrivateLinkServiceConnections"]); len(c) != 1 || get(c[0], "privateLinkServiceConnectionState.status") != "Pending" {
		t.Fatalf("a manual request: %v", manual["manualPrivateLinkServiceConnections"])
	}
	list := e.MustJSONList(t, "keyvault", "private-endpoint-connection", "list", "--vault-name", kv)
	var pending map[string]any
	for _, c := range list {
		if id, _ := get(c, "privateEndpoint.id").(string); strings.HasSuffix(id, "/privateEndpoints/pe-manual") {
			pending = c
		}
	}
	if len(list) != 2 || pending == nil || get(pending, "privateLinkServiceConnectionState.status") != "Pending" || pending["resourceGroup"] != g {
		t.Fatalf("private-endpoint-connection list = %v", list)
	}
	name, id := pending["name"].(string), pending["id"].(string)
	for _, tc := range []struct {
		verb, want string
		args       []string
	}{
		{"approve", "Approved", []string{"--vault-name", kv, "-n", name, "--description", "ok by security"}},
		{"reject", "Rejected", []string{"--id", id}},
	} {
		out := e.MustJSON(t, append([]string{"keyvault", "private-endpoint-connection", tc.verb}, tc.args...)...)
		if got := get(out, "privateLinkServiceConnectionState.status"); got != tc.want {
			t.Errorf("%s %v: status %v, want %s", tc.verb, tc.args, got, tc.want)
		}
		if got := e.MustRun(t, "keyvault", "private-endpoint-connection", "show", "--id", id, "--query", "privateLinkServiceConnectionState.status", "-o", "tsv"); got != tc.want+"\n" {
			t.Errorf("show after %s = %q", tc.verb, got)
		}
	}
	if got := e.MustRun(t, netArgs(g, "network", "private-endpoint", "show", "-n", "pe-manual", "--query", "manualPrivateLinkServiceConnections[0].privateLinkServiceConnectionState.status", "-o", "tsv")...); got != "Rejected\n" {
		t.Errorf("the endpoint's side after rejection = %q", got)
	}
	// As in Azure, a rejected connection stays rejected.
	e.MustFail(t, "(InvalidPrivateLinkServiceConnectionState)", "keyvault", "private-endpoint-connection", "approve", "--vault-name", kv, "-g", g, "-n", name)
	e.MustRun(t, "keyvault", "private-endpoint-connection", "delete", "--id", id)
	if got := e.MustRun(t, "keyvault", "private-endpoint-connection", "list", "--id", kvID, "--query", "length(@)"); got != "1\n" {
		t.Errorf("connections after delete = %q", got)
	}
	if got := e.MustRun(t, netArgs(g, "network", "private-endpoint", "show", "-n", "pe-manual", "--query", "manualPrivateLinkServiceConnections[0].privateLinkServiceConnectionState.status", "-o", "tsv")...); got != "Disconnected\n" {
		t.Errorf("the endpoint's side after the owner removed the connection = %q, want Disconnected", got)
	}
	if got := e.MustRun(t, netArgs(g, "network", "private-endpoint", "list", "--query", "sort([].name)", "-o", "tsv")...); got != "pe-kv\npe-manual\n" {
		t.Errorf("private-endpoint list = %q", got)
	}

	// Record sets by hand.
	rs := e.MustJSON(t, netArgs(g, "network", "private-dns", "record-set", "a", "add-record", "-z", zone, "-n", "extra", "-a", "10.20.3.30")...)
	if rs["ttl"] != float64(3600) || get(toAny(rs["aRecords"])[0], "ipv4Address") != "10.20.3.30" || rs["resourceGroup"] != g {
		t.Errorf("add-record = %v", rs)
	}
	e.MustRun(t, netArgs(g, "network", "private-dns", "record-set", "a", "add-record", "-z", zone, "-n", "extra", "-a", "10.20.3.31")...)
	if got := e.MustRun(t, netArgs(g, "network", "private-dns", "record-set", "a", "list", "-z", zone, "--query", "sort([].name)", "-o", "tsv")...); got != "extra\n"+kv+"\n" {
		t.Errorf("record-set a list = %q", got)
	}
	e.MustRun(t, netArgs(g, "network", "private-dns", "record-set", "a", "remove-record", "-z", zone, "-n", "extra", "-a", "10.20.3.30")...)
	e.MustFail(t, "does not exist in record set", netArgs(g, "network", "private-dns", "record-set", "a", "remove-record", "-z", zone, "-n", "extra", "-a", "10.20.3.30")...)
	e.MustRun(t, netArgs(g, "network", "private-dns", "record-set", "a", "remove-record", "-z", zone, "-n", "extra", "-a", "10.20.3.31")...)
	e.MustFail(t, "NotFound", netArgs(g, "network", "private-dns", "record-set", "a", "show", "-z", zone, "-n", "extra")...)
	e.MustJSON(t, netArgs(g, "network", "private-dns", "record-set", "a", "create", "-z", zone, "-n", "empty", "--ttl", "10")...)
	e.MustFail(t, "exists already", netArgs(g, "network", "private-dns", "record-set", "a", "create", "-z", zone, "-n", "empty")...)
	e.MustFail(t, "Use --yes", netArgs(g, "network", "private-dns", "record-set", "a", "delete", "-z", zone, "-n", "empty")...)
	e.MustRun(t, netArgs(g, "network", "private-dns", "record-set", "a", "delete", "-z", zone, "-n", "empty", "--yes")...)

	// Deleting the zone group takes its record out of the zone.
	e.MustRun(t, netArgs(g, "network", "private-endpoint", "dns-zone-group", "delete", "--endpoint-name", "pe-kv", "-n", "default")...)
	e.MustFail(t, "NotFound", netArgs(g, "network", "private-dns", "record-set", "a", "show", "-z", zone, "-n", kv)...)
	e.MustRun(t, netArgs(g, "network", "private-endpoint", "delete", "-n", "pe-kv")...)
	peID := strings.TrimSpace(e.MustRun(t, netArgs(g, "network", "private-endpoint", "show", "-n", "pe-manual", "--query", "id", "-o", "tsv")...))
	e.MustRun(t, "network", "private-endpoint", "delete", "--ids", peID)
	e.MustFail(t, "ResourceNotFound", netArgs(g, "network", "private-endpoint", "show", "-n", "pe-kv")...)
	e.MustRun(t, netArgs(g, "network", "private-dns", "link", "vnet", "delete", "-z", zone, "-n", "link1", "--yes")...)
	zoneID := z["id"].(string)
	if got := e.MustRun(t, "network", "private-dns", "zone", "show", "--ids", zoneID, "--query", "name", "-o", "tsv"); got != zone+"\n" {
		t.Errorf("zone show --ids = %q", got)
	}
	e.MustRun(t, "network", "private-dns", "zone", "delete", "--ids", zoneID, "-y")
	e.MustFail(t, "ResourceNotFound", netArgs(g, "network", "private-dns", "zone", "show", "-n", zone)...)

	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"fail/pe-no-connection-name", "the following arguments are required: --connection-name", netArgs(g, "network", "private-endpoint", "create", "-n", "p", "--vnet-name", "vnet1", "--subnet", "pe", "--private-connection-resource-id", kvID)},
		{"fail/pe-subnet-name-without-vnet", "incorrect usage: ( --subnet ID | --subnet NAME --vnet-name NAME)", netArgs(g, "network", "private-endpoint", "create", "-n", "p", "--subnet", "pe", "--private-connection-resource-id", kvID, "--connection-name", "c")},
		{"fail/pe-bad-manual", "argument --manual-request: invalid value", netArgs(g, "network", "private-endpoint", "create", "-n", "p", "--vnet-name", "vnet1", "--subnet", "pe", "--private-connection-resource-id", kvID, "--connection-name", "c", "--manual-request", "maybe")},
		{"fail/pe-unknown", "ResourceNotFound", netArgs(g, "network", "private-endpoint", "show", "-n", "nope")},
		{"fail/zone-group-no-zone", "the following arguments are required: --private-dns-zone, --zone-name", netArgs(g, "network", "private-endpoint", "dns-zone-group", "create", "--endpoint-name", "p", "-n", "default")},
		{"fail/link-no-registration", "the following arguments are required: --registration-enabled/-e", netArgs(g, "network", "private-dns", "link", "vnet", "create", "-z", zone, "-n", "l", "-v", "vnet1")},
		{"fail/zone-unknown", "ResourceNotFound", netArgs(g, "network", "private-dns", "zone", "show", "-n", "nope.example")},
		{"fail/zone-delete-no-tty", "Unable to prompt for confirmation as no tty available. Use --yes.", netArgs(g, "network", "private-dns", "zone", "delete", "-n", zone)},
		{"fail/add-record-no-ip", "the following arguments are required: --ipv4-address/-a", netArgs(g, "network", "private-dns", "record-set", "a", "add-record", "-z", zone, "-n", "x")},
		{"fail/pec-no-name", "incorrect usage: [--id ID | --name NAME --vault-name NAME]", []string{"keyvault", "private-endpoint-connection", "approve", "--vault-name", kv}},
		{"fail/pec-bad-id", "is not the id of a key vault's private endpoint connection", []string{"keyvault", "private-endpoint-connection", "show", "--id", kvID}},
		{"fail/pec-unknown", "NotFound", []string{"keyvault", "private-endpoint-connection", "show", "--vault-name", kv, "-n", "nope"}},
		{"fail/pec-unknown-vault", "ResourceNotFound", []string{"keyvault", "private-endpoint-connection", "list", "--vault-name", "kv-nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) { e.MustFail(t, tc.want, tc.args...) })
	}
}

// privateIP is a private endpoint's address, from its customDnsConfigs or ipConfigurations.
func privateIP(t *testing.T, pe map[string]any) string {
	t.Helper()
	for _, c := range toAny(pe["customDnsConfigs"]) {
		if ips := toStrings(get(c, "ipAddresses")); len(ips) > 0 {
			return ips[0]
		}
	}
	for _, c := range toAny(pe["ipConfigurations"]) {
		if ip, _ := get(c, "privateIPAddress").(string); ip != "" {
			return ip
		}
	}
	t.Fatalf("the private endpoint has no private IP: %v", pe)
	return ""
}

func TestAzKeyvaultNetworkRuleSubnetByName(t *testing.T) {
	e := MustAz(t)
	g, kv := e.srv.Boot.ResourceGroup, e.srv.Boot.Vault
	mustVNet(t, e, g)
	subnetID := strings.TrimSpace(e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "show", "--vnet-name", "vnet1", "-n", "app", "--query", "id", "-o", "tsv")...))

	e.MustRun(t, "keyvault", "network-rule", "add", "-n", kv, "--subnet", "app", "--vnet-name", "vnet1", "-o", "none")
	rules := e.MustJSON(t, "keyvault", "network-rule", "list", "-n", kv)
	if v := toAny(rules["virtualNetworkRules"]); len(v) != 1 || !strings.EqualFold(get(v[0], "id").(string), subnetID) {
		t.Fatalf("virtualNetworkRules = %v, want %s", rules["virtualNetworkRules"], subnetID)
	}
	// Given again by id, the rule is the same one.
	e.MustRun(t, "keyvault", "network-rule", "add", "-n", kv, "--subnet", subnetID, "-o", "none")
	if got := e.MustRun(t, "keyvault", "network-rule", "list", "-n", kv, "--query", "length(virtualNetworkRules)"); got != "1\n" {
		t.Errorf("after adding the same subnet by id: %q rules", got)
	}
	e.MustRun(t, "keyvault", "network-rule", "remove", "-n", kv, "--subnet", "app", "--vnet-name", "vnet1", "-o", "none")
	if got := e.MustRun(t, "keyvault", "network-rule", "list", "-n", kv, "--query", "length(virtualNetworkRules || `[]`)"); got != "0\n" {
		t.Errorf("after remove: %q rules", got)
	}

	for _, tc := range []struct {
		name string
		args []string
		want map[string]any
	}{
		{"ok/lockdown", []string{"--public-network-access", "disabled", "--default-action", "deny", "--bypass", "none"},
			map[string]any{"properties.publicNetworkAccess": "Disabled", "properties.networkAcls.defaultAction": "Deny", "properties.networkAcls.bypass": "None"}},
		{"ok/trusted-services", []string{"--bypass", "AzureServices"},
			map[string]any{"properties.publicNetworkAccess": "Disabled", "properties.networkAcls.defaultAction": "Deny", "properties.networkAcls.bypass": "AzureServices"}},
		{"ok/open", []string{"--public-network-access", "Enabled", "--default-action", "Allow"},
			map[string]any{"properties.publicNetworkAccess": "Enabled", "properties.networkAcls.defaultAction": "Allow", "properties.networkAcls.bypass": "AzureServices"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := e.MustJSON(t, append([]string{"keyvault", "update", "-n", kv}, tc.args...)...)
			for path, want := range tc.want {
				if got := get(out, path); got != want {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
		})
	}
	for _, tc := range []struct{ name, flag, want string }{
		{"fail/pna", "--public-network-access", "argument --public-network-access: invalid choice: 'sometimes' (choose from 'Enabled', 'Disabled')"},
		{"fail/default-action", "--default-action", "argument --default-action: invalid choice: 'sometimes' (choose from 'Allow', 'Deny')"},
		{"fail/bypass", "--bypass", "argument --bypass: invalid choice: 'sometimes' (choose from 'AzureServices', 'None')"},
	} {
		t.Run(tc.name, func(t *testing.T) { e.MustFail(t, tc.want, "keyvault", "update", "-n", kv, tc.flag, "sometimes") })
	}
	e.MustFail(t, "incorrect usage: [--subnet ID | --subnet NAME --vnet-name NAME]", "keyvault", "network-rule", "add", "-n", kv, "--subnet", "app")
}

func TestAzNetworkOutputShape(t *testing.T) {
	in := map[string]any{
		"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe", "name": "pe",
		"properties": map[string]any{
			"subnet":                        map[string]any{"id": "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/a"},
			"privateLinkServiceConnections": []any{map[string]any{"name": "c", "properties": map[string]any{"groupIds": []any{"vault"}}}},
			"name":                          "shadowed",
		},
	}
	out := flattenProperties(in)
	addResourceGroup(out)
	for path, want := range map[string]any{"name": "pe", "resourceGroup": "rg", "subnet.resourceGroup": "net", "properties": nil} {
		if got := get(out, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if c := toAny(get(out, "privateLinkServiceConnections")); len(c) != 1 || get(c[0], "groupIds") == nil {
		t.Errorf("nested properties not flattened: %v", c)
	}
	// A group's own id is too short to name a resource: az adds nothing.
	short := map[string]any{"id": "/subscriptions/s/resourceGroups/rg"}
	addResourceGroup(short)
	if _, has := short["resourceGroup"]; has {
		t.Errorf("a group id got resourceGroup: %v", short)
	}
}

// A workspace injected into a network needs two delegated subnets of it,
// as the docs' Networks example builds them.
func TestAzNetworkWorkspaceInjection(t *testing.T) {
	e := MustAz(t)
	g := e.srv.Boot.ResourceGroup
	e.MustRun(t, netArgs(g, "network", "vnet", "create", "-n", "adb-vnet", "--address-prefixes", "10.40.0.0/16", "-o", "none")...)
	e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "create", "--vnet-name", "adb-vnet", "-n", "host", "--address-prefixes", "10.40.1.0/26",
		"--delegations", "Microsoft.Databricks/workspaces", "-o", "none")...)
	e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "create", "--vnet-name", "adb-vnet", "-n", "container", "--address-prefixes", "10.40.2.0/26", "-o", "none")...)
	ws := []string{"databricks", "workspace", "create", "-g", g, "-n", "ws-inj", "-l", e.srv.Boot.Location, "--sku", "premium",
		"--vnet", "adb-vnet", "--public-subnet", "host", "--private-subnet", "container"}
	e.MustFail(t, "must be delegated to Microsoft.Databricks/workspaces", ws...)
	e.MustRun(t, netArgs(g, "network", "vnet", "subnet", "update", "--vnet-name", "adb-vnet", "-n", "container", "--delegations", "Microsoft.Databricks/workspaces", "-o", "none")...)
	e.MustRun(t, append(ws, "-o", "none")...)
	// The workspace now holds its subnets.
	e.MustFail(t, "InUse", netArgs(g, "network", "vnet", "subnet", "delete", "--vnet-name", "adb-vnet", "-n", "host")...)
}

// az's output transform never panics and leaves no properties object
// behind, at any depth, whatever the service sends.
func FuzzPrintResourceShape(f *testing.F) {
	for _, s := range []string{
		`{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v","properties":{"subnets":[{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a","properties":{"addressPrefix":"10.0.0.0/24"}}]}}`,
		`[{"properties":{"properties":{"x":1}}}]`, `{"id":"/a/b/resourcegroups/c/d/e/f/g","resourceGroup":null}`, `null`, `"x"`, `{"id":7}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var v any
		if json.Unmarshal([]byte(raw), &v) != nil {
			return
		}
		v = flattenProperties(v)
		addResourceGroup(v)
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case []any:
				for _, item := range x {
					walk(item)
				}
			case map[string]any:
				if _, ok := x["properties"].(map[string]any); ok {
					t.Fatalf("a properties object is left in %s", raw)
				}
				for _, item := range x {
					walk(item)
				}
			}
		}
		walk(v)
	})
}

// A kind's name flags report what is missing in az's order and words, and
// --ids fills a child's parent and name.
func TestAzResourceNames(t *testing.T) {
	for _, tc := range []struct {
		name     string
		names    func(r *resRef) azNames
		set      resRef
		extra    []string
		want     string
		wantFlag []string
	}{
		{"fail/vnet", func(r *resRef) azNames { return vnetKind.names(r, true) }, resRef{}, nil,
			"the following arguments are required: --resource-group/-g, --name/-n", []string{"resource-group", "name"}},
		{"fail/endpoint-name-first", func(r *resRef) azNames { return endpointKind.names(r, true) }, resRef{}, nil,
			"the following arguments are required: --name/-n, --resource-group/-g", []string{"name", "resource-group"}},
		{"ok/endpoint-list-without-group", func(r *resRef) azNames { return endpointKind.names(r, false) }, resRef{}, nil,
			"", []string{"resource-group"}},
		{"fail/subnet-list", func(r *resRef) azNames { return subnetKind.names(r, false) }, resRef{}, nil,
			"the following arguments are required: --resource-group/-g, --vnet-name", []string{"resource-group", "vnet-name"}},
		{"fail/link-name", func(r *resRef) azNames { return dnsLinkKind.names(r, true) }, resRef{group: "g"}, nil,
			"the following arguments are required: --zone-name/-z, --name/-n", []string{"resource-group", "zone-name", "name"}},
		{"fail/zone-group-extra", func(r *resRef) azNames { return zoneGroupKind.names(r, true) }, resRef{group: "g", parent: "p", name: "n"},
			[]string{"--private-dns-zone", "", "--zone-name", "z"}, "the following arguments are required: --private-dns-zone",
			[]string{"resource-group", "endpoint-name", "name"}},
		{"ok/record-set", func(r *resRef) azNames { return aRecordKind.names(r, true) }, resRef{group: "g", parent: "z", name: "r"}, nil,
			"", []string{"resource-group", "zone-name", "name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.set
			n := tc.names(&r)
			var got string
			if err := n.check(tc.extra...); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("check = %q, want %q", got, tc.want)
			}
			var flags []string
			for _, f := range n {
				flags = append(flags, f.long)
			}
			if !slices.Equal(flags, tc.wantFlag) {
				t.Errorf("flags = %v, want %v", flags, tc.wantFlag)
			}
		})
	}
	for id, want := range map[string]resRef{
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a": {group: "rg", parent: "v", name: "a"},
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v":           {group: "rg", name: "v"},
	} {
		parsed, _ := client.ParseResourceID(id)
		var got resRef
		if got.fromID(parsed); got != want {
			t.Errorf("fromID(%s) = %+v, want %+v", id, got, want)
		}
	}
}
