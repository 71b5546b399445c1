package rm

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Databricks VNet injection: a workspace whose parameters name a custom
// virtual network is placed in two of its subnets (host = public,
// container = private). Azure checks them when the workspace is created or
// updated (reference §4.2); so does CreateOrUpdateWorkspace, through
// checkInjection.

// injected is a workspace's VNet injection parameters.
type injected struct{ vnet, public, private string }

// paramString reads {"value": "..."} from a workspace parameter.
func paramString(ps map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := ps[name]
	if !ok {
		return "", false
	}
	var p struct {
		Value any `json:"value"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return "", true
	}
	s, _ := p.Value.(string)
	return s, true
}

// injection returns the workspace's injection parameters; ok is false when
// it names no custom virtual network.
func injection(w *scopevault.Workspace) (injected, bool) {
	vnet, ok := paramString(w.Parameters, "customVirtualNetworkId")
	if !ok || vnet == "" {
		return injected{}, false
	}
	pub, _ := paramString(w.Parameters, "customPublicSubnetName")
	priv, _ := paramString(w.Parameters, "customPrivateSubnetName")
	return injected{vnet: strings.TrimRight(vnet, "/"), public: pub, private: priv}, true
}

func badInjection(format string, args ...any) error {
	return errInvalid("InvalidParameterValue", format, args...)
}

// checkInjection validates ws's VNet injection inside tx: the network
// exists in the workspace's subscription and location; the host and
// container subnets are two different subnets of it, each delegated to
// Microsoft.Databricks/workspaces and used by no other workspace and no
// private endpoint. self is the workspace's own key.
func checkInjection(ctx context.Context, tx store.Tx, ws *scopevault.Workspace, self string) error {
	_, hasPub := paramString(ws.Parameters, "customPublicSubnetName")
	_, hasPriv := paramString(ws.Parameters, "customPrivateSubnetName")
	inj, ok := injection(ws)
	if !ok {
		if hasPub || hasPriv {
			return badInjection("The parameters customPublicSubnetName and customPrivateSubnetName need customVirtualNetworkId: name the virtual network the workspace is injected into.")
		}
		return nil
	}
	sub, group, name, ok := parseResourceID(inj.vnet, "Microsoft.Network", "virtualNetworks")
	if !ok {
		return badInjection("The value '%s' of parameter customVirtualNetworkId is not a virtual network resource id (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{name}).", clipName(inj.vnet))
	}
	if !strings.EqualFold(sub, ws.SubscriptionID) {
		return badInjection("The virtual network '%s' must be in the workspace's subscription '%s'.", clipName(inj.vnet), ws.SubscriptionID)
	}
	var n scopevault.VirtualNetwork
	if err := getJSON(ctx, tx, resKey(vnetsPrefix, sub, group, name), &n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return badInjection("The virtual network '%s' named by parameter customVirtualNetworkId was not found.", clipName(inj.vnet))
		}
		return err
	}
	if !strings.EqualFold(normLoc(n.Location), normLoc(ws.Location)) {
		return badInjection("The virtual network '%s' is in location '%s'; it must be in the workspace's location '%s'.", n.Name, n.Location, ws.Location)
	}
	for _, sp := range n.AddressPrefixes {
		if p, err := netip.ParsePrefix(sp); err == nil && (p.Bits() < 16 || p.Bits() > 24) {
			return badInjection("The address space %s of virtual network '%s' is not between /16 and /24, as VNet injection requires.", sp, n.Name)
		}
	}
	if inj.public == "" || inj.private == "" {
		return badInjection("VNet injection needs both customPublicSubnetName (the host subnet) and customPrivateSubnetName (the container subnet).")
	}
	if strings.EqualFold(inj.public, inj.private) {
		return badInjection("customPublicSubnetName and customPrivateSubnetName must name two different subnets; both are '%s'.", clipName(inj.public))
	}
	for _, sn := range []struct{ param, name string }{{"customPublicSubnetName", inj.public}, {"customPrivateSubnetName", inj.private}} {
		s := n.Subnet(sn.name)
		if s == nil {
			return badInjection("The subnet '%s' (parameter %s) was not found in virtual network '%s'.", clipName(sn.name), sn.param, n.Name)
		}
		if p, err := netip.ParsePrefix(s.AddressPrefix); err == nil && p.Bits() > 26 {
			return badInjection("The subnet '%s' of virtual network '%s' (parameter %s) is %s; a workspace's subnets are /26 or larger.", s.Name, n.Name, sn.param, s.AddressPrefix)
		}
		if !s.DelegatedTo(scopevault.DelegationDatabricks) {
			return badInjection("The subnet '%s' of virtual network '%s' (parameter %s) must be delegated to %s.", s.Name, n.Name, sn.param, scopevault.DelegationDatabricks)
		}
		user, err := subnetUser(ctx, tx, n.SubnetID(s.Name), self)
		if err != nil {
			return err
		}
		if user != "" {
			return badInjection("The subnet '%s' of virtual network '%s' (parameter %s) is already used by %s; each workspace needs its own two subnets.", s.Name, n.Name, sn.param, user)
		}
	}
	return nil
}

// normLoc folds "West Europe" and "westeurope" together.
func normLoc(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
