package arm

import (
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
)

// Validation of a vault's networkAcls and publicNetworkAccess. The rules are
// stored now and enforced by the network gate; ARM only checks their shape
// (reference §1.2, network-security.md).

// Network rule limits.
const (
	maxIPRules   = 1000
	maxVNetRules = 200
)

// nonPublic are the ranges an IP rule may not name: the firewall sees only
// public addresses, so private (RFC 1918) and loopback ranges are refused.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("127.0.0.0/8"),
}

// parseNetworkACLs validates and normalizes a rule set as a whole (a PATCH
// replaces it entirely): bypass defaults to AzureServices and defaultAction
// to Allow, a bare address becomes a /32 and subnet ids are lower-cased, as
// the service returns them.
func parseNetworkACLs(in *networkACLsJSON) (*scopevault.NetworkACLs, error) {
	if in == nil {
		return nil, nil
	}
	out := &scopevault.NetworkACLs{}
	switch strings.ToLower(in.Bypass) {
	case "", "azureservices":
		out.Bypass = "AzureServices"
	case "none":
		out.Bypass = "None"
	default:
		return nil, badVault("The networkAcls bypass '%s' is not valid. Valid values are 'AzureServices' and 'None'.", clip(in.Bypass))
	}
	switch strings.ToLower(in.DefaultAction) {
	case "", "allow":
		out.DefaultAction = "Allow"
	case "deny":
		out.DefaultAction = "Deny"
	default:
		return nil, badVault("The networkAcls defaultAction '%s' is not valid. Valid values are 'Allow' and 'Deny'.", clip(in.DefaultAction))
	}
	if len(in.IPRules) > maxIPRules {
		return nil, badVault("The number of IP rules (%d) exceeds the maximum of %d.", len(in.IPRules), maxIPRules)
	}
	if len(in.VirtualNetworkRules) > maxVNetRules {
		return nil, badVault("The number of virtual network rules (%d) exceeds the maximum of %d.", len(in.VirtualNetworkRules), maxVNetRules)
	}
	for _, r := range in.IPRules {
		p, err := parseIPRule(r.Value)
		if err != nil {
			return nil, err
		}
		out.IPRules = append(out.IPRules, p)
	}
	for _, r := range in.VirtualNetworkRules {
		id, err := parseSubnetID(r.ID)
		if err != nil {
			return nil, err
		}
		out.VirtualNetworkRules = append(out.VirtualNetworkRules, scopevault.VNetRule{ID: id, IgnoreMissingServiceEndpoint: r.IgnoreMissingVnetServiceEndpoint})
	}
	return out, nil
}

// parseIPRule accepts a public IPv4 address (returned as a /32) or CIDR
// range (returned masked). A range touching a private or loopback range is
// refused, so 0.0.0.0/0 cannot open the firewall to everything.
func parseIPRule(s string) (string, error) {
	var p netip.Prefix
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		p = netip.PrefixFrom(a, 32)
	} else if q, err := netip.ParsePrefix(s); err == nil && q.Addr().Is4() {
		p = q.Masked()
	} else {
		return "", badVault("The IP rule '%s' is not a valid IPv4 address or CIDR range. IPv6 addresses are not supported.", clip(s))
	}
	for _, np := range nonPublic {
		if p.Overlaps(np) {
			return "", badVault("The IP rule '%s' is not allowed: IP rules accept only public IPv4 addresses and ranges; private (RFC 1918) and loopback addresses cannot be used.", clip(s))
		}
	}
	return p.String(), nil
}

// parseSubnetID checks that id names a subnet:
// /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}.
func parseSubnetID(id string) (string, error) {
	segs := strings.Split(id, "/")
	ok := len(segs) == 11 && segs[0] == "" &&
		eq(segs[1], segSubscriptions) && segs[2] != "" &&
		eq(segs[3], segResourceGroups) && segs[4] != "" &&
		eq(segs[5], segProviders) && eq(segs[6], "Microsoft.Network") &&
		eq(segs[7], "virtualNetworks") && segs[8] != "" &&
		eq(segs[9], "subnets") && segs[10] != ""
	if !ok {
		return "", badVault("The virtual network rule '%s' is not a valid subnet resource id: it must look like /subscriptions/{subscriptionId}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}.", clip(id))
	}
	return strings.ToLower(id), nil
}

// parsePublicNetworkAccess takes any casing and returns the canonical one.
func parsePublicNetworkAccess(s string) (string, error) {
	switch strings.ToLower(s) {
	case "enabled":
		return "Enabled", nil
	case "disabled":
		return "Disabled", nil
	}
	return "", badVault("The publicNetworkAccess value '%s' is not valid. Valid values are 'Enabled' and 'Disabled'.", clip(s))
}

// checkVNetRules refuses a virtualNetworkRule for a subnet that has no
// Microsoft.KeyVault service endpoint (or does not exist), unless the rule
// sets ignoreMissingVnetServiceEndpoint: Azure answers such a rule with
// SubnetsHaveNoServiceEndpointsConfigured.
func (h *Handler) checkVNetRules(req *request, p *vaultPropsIn) error {
	if p == nil || p.NetworkACLs == nil {
		return nil
	}
	var n *scopevault.Network
	for _, r := range p.NetworkACLs.VirtualNetworkRules {
		vnetID, name, ok := scopevault.ParseSubnetID(r.ID)
		if r.IgnoreMissingVnetServiceEndpoint || !ok {
			continue // a malformed id is parseNetworkACLs' to refuse
		}
		if n == nil {
			var err error
			if n, err = h.cfg.RM.Network(req.ctx()); err != nil {
				return err
			}
		}
		if _, s := n.Subnet(r.ID); s != nil && s.HasServiceEndpoint(scopevault.ServiceEndpointKeyVault) {
			continue
		}
		return scopevault.Errorf(scopevault.EINVALID, "SubnetsHaveNoServiceEndpointsConfigured",
			"Subnets %s of virtual network %s do not have ServiceEndpoints for Microsoft.KeyVault resources configured. Add Microsoft.KeyVault to subnet's ServiceEndpoints collection before trying to ACL Microsoft.KeyVault resources to these subnets.",
			clip(name), clip(vnetID))
	}
	return nil
}
