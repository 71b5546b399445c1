package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/scopevault/scopevault/client"
)

// apply's Azure Resource Manager kinds: resource groups, virtual networks,
// private DNS zones and links, private endpoints and zone groups (written
// in their REST shapes through the generic resource calls), workspaces.
// Vaults, role assignments and secrets are in apply_vault.go.

// The api-versions of the network kinds (Microsoft.Network 2024-05-01,
// privateDnsZones 2020-06-01).
const (
	applyAPINetwork    = "2024-05-01"
	applyAPIPrivateDNS = "2020-06-01"
)

// locationFor is a resource's location: its own, else the file's default,
// else its resource group's.
func (a *applier) locationFor(own, group string) string {
	if l := a.f.locationOf(own); l != "" {
		return l
	}
	if r := a.declared("ResourceGroup", a.f.groupOf(group)); r != nil {
		return r.Spec.(*groupSpec).Location
	}
	return ""
}

func (a *applier) groupStep(s *groupSpec) stepFn {
	label := "ResourceGroup " + s.Name
	loc := a.f.locationOf(s.Location)
	return func(ctx context.Context) (*step, error) {
		put := func(ctx context.Context) error {
			_, err := a.s.arm.CreateResourceGroup(ctx, a.sub, s.Name, loc, nil)
			return err
		}
		g, err := a.s.arm.ResourceGroup(ctx, a.sub, s.Name)
		switch {
		case applyNotFound(err):
			return planCreate(label, put), nil
		case err != nil:
			return nil, err
		case !sameLocation(g.Location, loc):
			return nil, fmt.Errorf("the resource group is in %s, the file says %s: a resource group cannot move", g.Location, loc)
		}
		return planUnchanged(label), nil
	}
}

func sameLocation(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
	return norm(a) == norm(b)
}

// armStep is the step of a resource declared by its whole PUT body: create
// when a GET finds nothing, update when the resource differs from the
// body, else unchanged.
func (a *applier) armStep(label, id, api string, body map[string]any) stepFn {
	return func(ctx context.Context) (*step, error) {
		put := func(ctx context.Context) error { return a.s.arm.PutResource(ctx, id, api, body, nil) }
		var cur any
		err := a.s.arm.GetResource(ctx, id, api, &cur)
		switch {
		case applyNotFound(err):
			return planCreate(label, put), nil
		case err != nil:
			return nil, err
		}
		if d := jsonDiff(normalJSON(body), cur, ""); d != "" {
			return planUpdate(label, d+" differs", put), nil
		}
		return planUnchanged(label), nil
	}
}

// normalJSON is v as encoding/json decodes it (maps, []any, float64).
func normalJSON(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	json.Unmarshal(raw, &out)
	return out
}

// jsonDiff returns the path of the first place where got lacks or differs
// from want, or "". want is what the file declares, so only its keys are
// compared: the service adds read-only ones (ids, etags, states). Lists
// must have the same length and each wanted element must match a distinct
// element of got, in any order. Strings compare case-insensitively, as ARM
// names and ids do; an empty wanted value matches an absent one.
func jsonDiff(want, got any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for _, k := range slices.Sorted(mapsKeys(w)) {
			p := strings.TrimPrefix(path+"."+k, ".")
			gv, ok := g[k]
			if !ok {
				if isEmptyJSON(w[k]) {
					continue
				}
				return p
			}
			if k == "location" {
				ws, _ := w[k].(string)
				gs, _ := gv.(string)
				if !sameLocation(ws, gs) {
					return p
				}
				continue
			}
			if d := jsonDiff(w[k], gv, p); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, _ := got.([]any)
		if len(g) != len(w) {
			if len(w) == 0 && got == nil {
				return ""
			}
			return path
		}
		used := make([]bool, len(g))
		for _, wv := range w {
			found := false
			for j, gv := range g {
				if !used[j] && jsonDiff(wv, gv, path) == "" {
					used[j], found = true, true
					break
				}
			}
			if !found {
				return path
			}
		}
		return ""
	case string:
		if g, ok := got.(string); ok && strings.EqualFold(g, w) {
			return ""
		}
		if w == "" && got == nil {
			return ""
		}
		return path
	case nil:
		return ""
	default:
		if fmt.Sprint(want) == fmt.Sprint(got) || isEmptyJSON(want) && got == nil {
			return ""
		}
		return path
	}
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func (a *applier) vnetStep(s *vnetSpec) stepFn {
	subnets := []any{}
	for _, sn := range s.Subnets {
		eps := []any{}
		for _, e := range sn.ServiceEndpoints {
			eps = append(eps, map[string]any{"service": e})
		}
		dels := []any{}
		for _, d := range sn.Delegations {
			dels = append(dels, map[string]any{"name": delegationName(d), "properties": map[string]any{"serviceName": d}})
		}
		subnets = append(subnets, map[string]any{"name": sn.Name, "properties": map[string]any{
			"addressPrefix": sn.AddressPrefix, "serviceEndpoints": eps, "delegations": dels,
		}})
	}
	body := map[string]any{
		"location": a.locationFor(s.Location, s.Group),
		"properties": map[string]any{
			"addressSpace": map[string]any{"addressPrefixes": s.AddressPrefixes},
			"subnets":      subnets,
		},
	}
	return a.armStep("VirtualNetwork "+s.Name, a.vnetID(s.Name), applyAPINetwork, body)
}

// delegationName names a subnet's delegation after its service, as the
// portal does ("Microsoft.Databricks.workspaces").
func delegationName(service string) string { return strings.ReplaceAll(service, "/", ".") }

func (a *applier) zoneStep(s *zoneSpec) stepFn {
	return a.armStep("PrivateDnsZone "+s.Name, a.zoneID(s.Name), applyAPIPrivateDNS, map[string]any{"location": "global"})
}

func (a *applier) linkStep(s *zoneSpec, l linkSpec) stepFn {
	body := map[string]any{"location": "global", "properties": map[string]any{
		"virtualNetwork":      map[string]any{"id": a.vnetID(l.VNet)},
		"registrationEnabled": l.RegistrationEnabled,
	}}
	return a.armStep("PrivateDnsZone "+s.Name+" link "+l.Name, a.zoneID(s.Name)+"/virtualNetworkLinks/"+l.Name, applyAPIPrivateDNS, body)
}

func (a *applier) peStep(s *peSpec) stepFn {
	conn := map[string]any{"name": s.Name, "properties": map[string]any{
		"privateLinkServiceId": a.vaultID(s.Vault),
		"groupIds":             []string{"vault"},
		"requestMessage":       s.RequestMessage,
	}}
	key := "privateLinkServiceConnections"
	if s.Manual {
		key = "manualPrivateLinkServiceConnections"
	}
	body := map[string]any{
		"location": a.locationFor(s.Location, s.Group),
		"properties": map[string]any{
			"subnet": map[string]any{"id": a.subnetID(s.Subnet)},
			key:      []any{conn},
		},
	}
	return a.armStep("PrivateEndpoint "+s.Name, a.peID(s), applyAPINetwork, body)
}

func (a *applier) zoneGroupStep(s *peSpec) stepFn {
	g := s.DNSZoneGroup
	name := g.Name
	if name == "" {
		name = "default"
	}
	configs := []any{}
	for _, z := range g.Zones {
		configs = append(configs, map[string]any{"name": strings.ReplaceAll(z, ".", "-"), "properties": map[string]any{"privateDnsZoneId": a.zoneID(z)}})
	}
	body := map[string]any{"properties": map[string]any{"privateDnsZoneConfigs": configs}}
	return a.armStep("PrivateEndpoint "+s.Name+" dnsZoneGroup "+name, a.peID(s)+"/privateDnsZoneGroups/"+name, applyAPINetwork, body)
}

// workspaceStep creates a workspace, with VNet injection when the file
// names a virtual network; its managed resource group is named after it
// (not az's random suffix), so a second apply finds the same one.
func (a *applier) workspaceStep(s *workspaceSpec) stepFn {
	label := "Workspace " + s.Name
	group := a.f.groupOf(s.Group)
	sku := strings.ToLower(s.SKU)
	if sku == "" {
		sku = "premium"
	}
	params := map[string]json.RawMessage{}
	if s.VNet != "" {
		set := func(name, v string) {
			raw, _ := json.Marshal(map[string]any{"value": v})
			params[name] = raw
		}
		set("customVirtualNetworkId", a.vnetID(s.VNet))
		set("customPublicSubnetName", s.PublicSubnet)
		set("customPrivateSubnetName", s.PrivateSubnet)
	}
	return func(ctx context.Context) (*step, error) {
		want := client.Workspace{Location: a.locationFor(s.Location, s.Group), SKU: &client.WorkspaceSKU{Name: sku}}
		if len(params) > 0 {
			want.Properties.Parameters = params
		}
		put := func(mrg string) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				w := want
				w.Properties.ManagedResourceGroupID = mrg
				_, err := a.s.arm.CreateWorkspace(ctx, a.sub, group, s.Name, w, false)
				return err
			}
		}
		cur, err := a.s.arm.Workspace(ctx, a.sub, group, s.Name)
		switch {
		case applyNotFound(err):
			mrg := s.ManagedResourceGroup
			if mrg == "" {
				mrg = "databricks-rg-" + s.Name
			}
			return planCreate(label, put(managedGroupID(a.sub, s.Name, mrg))), nil
		case err != nil:
			return nil, err
		}
		var diffs []string
		if cur.SKU == nil || !strings.EqualFold(cur.SKU.Name, sku) {
			diffs = append(diffs, "sku")
		}
		if !sameLocation(cur.Location, want.Location) {
			return nil, fmt.Errorf("the workspace is in %s, the file says %s: a workspace cannot move", cur.Location, want.Location)
		}
		for k, v := range params {
			var w, g any
			json.Unmarshal(v, &w)
			json.Unmarshal(cur.Properties.Parameters[k], &g)
			if jsonDiff(w, g, "") != "" {
				diffs = append(diffs, "parameters."+k)
			}
		}
		if len(diffs) == 0 {
			return planUnchanged(label), nil
		}
		slices.Sort(diffs)
		return planUpdate(label, differ(diffs), put(cur.Properties.ManagedResourceGroupID)), nil
	}
}

// approveStep approves, as the vault's owner, the connection a private
// endpoint with manual: true asked for (it stays Pending until then).
func (a *applier) approveStep(s *peSpec) stepFn {
	label := "PrivateEndpoint " + s.Name + " connection on vault " + s.Vault
	vr := a.declared("Vault", s.Vault)
	group := a.f.groupOf(vr.Spec.(*vaultSpec).Group)
	vault := vr.Spec.(*vaultSpec).Name
	return func(ctx context.Context) (*step, error) {
		if a.willCreate("PrivateEndpoint", s.Name) {
			return planUpdate(label, "to be approved", nil), nil
		}
		conns, err := a.s.arm.VaultPrivateEndpointConnections(ctx, a.sub, group, vault)
		if err != nil {
			return nil, err
		}
		for _, c := range conns {
			p := c.Properties
			if p.PrivateEndpoint == nil || !strings.EqualFold(p.PrivateEndpoint.ID, a.peID(s)) {
				continue
			}
			status := ""
			if p.PrivateLinkServiceConnectionState != nil {
				status = p.PrivateLinkServiceConnectionState.Status
			}
			if strings.EqualFold(status, "Approved") {
				return planUnchanged(label), nil
			}
			return planUpdate(label, "status "+status+" -> Approved", func(ctx context.Context) error {
				_, err := a.s.arm.SetVaultPrivateEndpointConnectionState(ctx, a.sub, group, vault, c.Name, "Approved", "Approved by scopevault apply")
				return err
			}), nil
		}
		return nil, fmt.Errorf("the vault %s has no connection from private endpoint %s", vault, s.Name)
	}
}

// differ says which properties differ.
func differ(names []string) string {
	if len(names) == 1 {
		return names[0] + " differs"
	}
	return strings.Join(names, ", ") + " differ"
}
