package explain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/netgate"
)

// Node kinds of the diagram.
const (
	NodeInternet        = "internet"
	NodeControlPlane    = "controlPlane"
	NodeWorkspace       = "workspace"
	NodeVNet            = "virtualNetwork"
	NodeSubnet          = "subnet"
	NodePrivateEndpoint = "privateEndpoint"
	NodeDNSZone         = "privateDnsZone"
	NodeVault           = "vault"
)

// Node is one box of the diagram.
type Node struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Label   string   `json:"label"`
	Details []string `json:"details,omitempty"`
	// Parent is the id of the node drawn around this one (a subnet's
	// virtual network).
	Parent string `json:"parent,omitempty"`
	// Resource is the ARM id, where the node is a resource.
	Resource string `json:"resource,omitempty"`
}

// Flow is a read path from a source to a vault, allowed or denied by the
// network gate (netgate.Decide on netgate.OriginOf's origin).
type Flow struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Label   string `json:"label"`
	Allowed bool   `json:"allowed"`
	// Reason is the gate's denial reason (ForbiddenByFirewall, ...).
	Reason string `json:"reason,omitempty"`
	Rule   string `json:"rule"`
	// Via is the private endpoint's node the flow passes, when it does.
	Via string `json:"via,omitempty"`
}

// Link is a structural relation: a private endpoint's connection to its
// vault, a DNS zone's link to a virtual network, a workspace's VNet.
type Link struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
}

// Diagram is who can reach which vault from where.
type Diagram struct {
	Nodes []Node `json:"nodes"`
	Flows []Flow `json:"flows"`
	Links []Link `json:"links"`
}

// Visible reports whether the diagram's reader may read the resource id
// (of an ARM resource type such as Microsoft.KeyVault/vaults).
type Visible func(ctx context.Context, resourceType, id string) bool

// anyClient is an internet or subnet client of the diagram: no trusted
// service.
var anyClient = &scopevault.Caller{AppID: "00000000-0000-0000-0000-000000000000"}

// Diagram draws every network resource, workspace and vault the reader may
// see, and the flows between them, each decided by the network gate.
func (e *Explainer) Diagram(ctx context.Context, visible Visible) (*Diagram, error) {
	if visible == nil {
		visible = func(context.Context, string, string) bool { return true }
	}
	n, err := e.network(ctx)
	if err != nil {
		return nil, err
	}
	all, err := e.Vaults.ListVaults(ctx)
	if err != nil {
		return nil, err
	}
	var vaults []*scopevault.Vault
	for _, v := range all {
		if visible(ctx, "Microsoft.KeyVault/vaults", v.ResourceID()) {
			vaults = append(vaults, v)
		}
	}
	var workspaces []*scopevault.Workspace
	if e.ListWorkspaces != nil {
		ws, err := e.ListWorkspaces(ctx)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if visible(ctx, "Microsoft.Databricks/workspaces", w.ResourceID()) {
				workspaces = append(workspaces, w)
			}
		}
	}
	g := &Diagram{}
	ids := map[string]string{} // lower-cased resource id -> node id
	add := func(nd Node) string {
		nd.ID = fmt.Sprintf("n%d", len(g.Nodes))
		if nd.Resource != "" {
			ids[strings.ToLower(nd.Resource)] = nd.ID
		}
		g.Nodes = append(g.Nodes, nd)
		return nd.ID
	}
	internet := add(Node{Kind: NodeInternet, Label: "Internet clients", Details: []string{"public address " + InternetAddr.String()}})
	cpOrigin := controlPlaneOrigin(n, "")
	cp := add(Node{Kind: NodeControlPlane, Label: "Databricks control plane",
		Details: []string{"origin " + cpOrigin.Client.String(), "reads as AzureDatabricks " + scopevault.AzureDatabricksAppID}})

	for _, w := range workspaces {
		d := []string{"sku " + w.SKU}
		if vnet, host, container := injection(w); vnet != "" {
			d = append(d, fmt.Sprintf("VNet injection: %s (host %s, container %s)", zoneName(vnet), host, container))
		} else {
			d = append(d, "managed virtual network")
		}
		add(Node{Kind: NodeWorkspace, Label: "workspace " + w.Name, Details: d, Resource: w.ResourceID()})
	}
	// The subnets workspaces are injected into, by lower-cased subnet id.
	roles := map[string][]string{}
	for _, w := range workspaces {
		if vnet, host, container := injection(w); vnet != "" {
			vnet = strings.TrimRight(vnet, "/")
			roles[strings.ToLower(vnet+"/subnets/"+host)] = append(roles[strings.ToLower(vnet+"/subnets/"+host)], "host subnet of workspace "+w.Name)
			roles[strings.ToLower(vnet+"/subnets/"+container)] = append(roles[strings.ToLower(vnet+"/subnets/"+container)], "container subnet of workspace "+w.Name)
		}
	}
	var vnets []*scopevault.VirtualNetwork
	for _, v := range n.VirtualNetworks {
		if !visible(ctx, "Microsoft.Network/virtualNetworks", v.ResourceID()) {
			continue
		}
		vnets = append(vnets, v)
		vid := add(Node{Kind: NodeVNet, Label: "vnet " + v.Name, Details: []string{"address space " + strings.Join(v.AddressPrefixes, ", ")}, Resource: v.ResourceID()})
		for _, s := range v.Subnets {
			d := []string{"prefix " + s.AddressPrefix}
			for _, se := range s.ServiceEndpoints {
				d = append(d, "service endpoint "+se.Service)
			}
			for _, dl := range s.Delegations {
				d = append(d, "delegated to "+dl.ServiceName)
			}
			d = append(d, roles[strings.ToLower(v.SubnetID(s.Name))]...)
			add(Node{Kind: NodeSubnet, Label: "subnet " + v.Name + "/" + s.Name, Details: d, Parent: vid, Resource: v.SubnetID(s.Name)})
		}
	}
	for _, p := range n.Endpoints {
		if !visible(ctx, "Microsoft.Network/privateEndpoints", p.ResourceID()) {
			continue
		}
		d := []string{"private IP " + p.PrivateIP}
		for _, c := range p.Connections {
			state := scopevault.ConnectionDisconnected
			if vc := n.Connection(zoneName(c.TargetID), p.ResourceID()); vc != nil {
				state = vc.Status
			}
			d = append(d, fmt.Sprintf("to %s: %s", zoneName(c.TargetID), state))
		}
		add(Node{Kind: NodePrivateEndpoint, Label: "private endpoint " + p.Name, Details: d, Resource: p.ResourceID()})
	}
	for _, z := range n.Zones {
		if !visible(ctx, "Microsoft.Network/privateDnsZones", z.ResourceID()) {
			continue
		}
		var d []string
		for _, l := range z.Links {
			d = append(d, fmt.Sprintf("link %s -> %s", l.Name, zoneName(l.VirtualNetworkID)))
		}
		for _, a := range z.A {
			d = append(d, fmt.Sprintf("A %s -> %s", a.Name, strings.Join(a.IPv4, ", ")))
		}
		add(Node{Kind: NodeDNSZone, Label: "private DNS zone " + z.Name, Details: d, Resource: z.ResourceID()})
	}
	for _, v := range vaults {
		add(Node{Kind: NodeVault, Label: "vault " + v.Name, Details: vaultDetails(v), Resource: v.ResourceID()})
	}

	// Structural links.
	for _, w := range workspaces {
		if vnet, _, _ := injection(w); vnet != "" {
			if to := ids[strings.ToLower(strings.TrimRight(vnet, "/"))]; to != "" {
				g.Links = append(g.Links, Link{From: ids[strings.ToLower(w.ResourceID())], To: to, Label: "injected into"})
			}
		}
	}
	for _, p := range n.Endpoints {
		from := ids[strings.ToLower(p.ResourceID())]
		if from == "" {
			continue
		}
		if sub := ids[strings.ToLower(p.SubnetID)]; sub != "" {
			g.Links = append(g.Links, Link{From: sub, To: from, Label: "in subnet"})
		}
		for _, c := range p.Connections {
			if to := ids[strings.ToLower(c.TargetID)]; to != "" {
				state := scopevault.ConnectionDisconnected
				if vc := n.Connection(zoneName(c.TargetID), p.ResourceID()); vc != nil {
					state = vc.Status
				}
				g.Links = append(g.Links, Link{From: from, To: to, Label: "private link (" + state + ")"})
			}
		}
	}
	for _, z := range n.Zones {
		from := ids[strings.ToLower(z.ResourceID())]
		if from == "" {
			continue
		}
		for _, l := range z.Links {
			if to := ids[strings.ToLower(l.VirtualNetworkID)]; to != "" {
				g.Links = append(g.Links, Link{From: from, To: to, Label: "linked to"})
			}
		}
	}

	// Flows, each decided by the gate.
	flow := func(from, via, to, label string, d scopevault.Decision) {
		f := Flow{From: from, Via: via, To: to, Allowed: d.Allowed, Rule: d.Rule, Reason: d.Reason}
		if d.Allowed {
			f.Label = label + ": allowed"
		} else {
			f.Label = label + ": denied (" + d.Reason + ")"
		}
		g.Flows = append(g.Flows, f)
	}
	for _, v := range vaults {
		to := ids[strings.ToLower(v.ResourceID())]
		o := netgate.OriginOf(n, v.Name, InternetAddr, nil)
		flow(internet, "", to, "internet -> "+v.Name, netgate.Decide(v, o, anyClient, e.trusted))
		for _, vn := range vnets {
			for _, s := range vn.Subnets {
				p, _, ok := netgate.PlaceIn(n, vn.SubnetID(s.Name), v.Name)
				if !ok {
					continue
				}
				o := netgate.OriginOf(n, v.Name, InternetAddr, &p)
				how, via := "public endpoint", ""
				if p.PrivateEndpoint != "" {
					how, via = "private endpoint "+zoneName(p.PrivateEndpoint), ids[strings.ToLower(p.PrivateEndpoint)]
				}
				flow(ids[strings.ToLower(vn.SubnetID(s.Name))], via, to, fmt.Sprintf("subnet %s/%s -> %s via %s", vn.Name, s.Name, v.Name, how),
					netgate.Decide(v, o, anyClient, e.trusted))
			}
		}
	}
	dbx := &scopevault.Caller{AppID: scopevault.AzureDatabricksAppID}
	for _, w := range workspaces {
		scopes, err := e.Workspaces.Scopes(ctx, w)
		if err != nil {
			return nil, err
		}
		for _, sc := range scopes {
			if sc.Backend != scopevault.BackendAzureKeyVault || sc.KeyVault == nil {
				continue
			}
			v := vaultByID(vaults, sc.KeyVault.ResourceID)
			if v == nil {
				continue
			}
			flow(cp, "", ids[strings.ToLower(v.ResourceID())], fmt.Sprintf("control plane -> %s (scope %s of %s)", v.Name, sc.Name, w.Name),
				netgate.Decide(v, controlPlaneOrigin(n, v.Name), dbx, e.trusted))
		}
	}
	return g, nil
}

func vaultByID(vaults []*scopevault.Vault, id string) *scopevault.Vault {
	i := slices.IndexFunc(vaults, func(v *scopevault.Vault) bool { return strings.EqualFold(v.ResourceID(), strings.TrimSuffix(id, "/")) })
	if i < 0 {
		return nil
	}
	return vaults[i]
}

func vaultDetails(v *scopevault.Vault) []string {
	pna := v.PublicNetworkAccess
	if pna == "" {
		pna = "Enabled"
	}
	d := []string{"public access " + pna}
	if a := v.NetworkACLs; a != nil && strings.EqualFold(a.DefaultAction, "Deny") {
		bypass := a.Bypass
		if bypass == "" {
			bypass = "AzureServices"
		}
		d = append(d, fmt.Sprintf("firewall Deny, bypass %s, %d ipRules, %d vnet rules", bypass, len(a.IPRules), len(a.VirtualNetworkRules)))
	} else {
		d = append(d, "firewall Allow")
	}
	if v.EnableRBACAuthorization {
		d = append(d, "permission model RBAC")
	} else {
		d = append(d, "permission model access policies")
	}
	return d
}

// injection reads a workspace's VNet injection parameters.
func injection(w *scopevault.Workspace) (vnet, host, container string) {
	str := func(k string) string {
		for name, raw := range w.Parameters {
			if !strings.EqualFold(name, k) {
				continue
			}
			var p struct {
				Value string `json:"value"`
			}
			if json.Unmarshal(raw, &p) == nil {
				return p.Value
			}
		}
		return ""
	}
	return str("customVirtualNetworkId"), str("customPublicSubnetName"), str("customPrivateSubnetName")
}
