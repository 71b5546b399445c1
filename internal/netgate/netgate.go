// Package netgate is a vault's network gate: whether a data-plane request
// may reach the vault at all, decided from where it came from (a fact of
// the connection, never a header) before authorization runs. It follows
// Key Vault's order (shared/reference/azure-arm-network-rbac.md §3.1):
//
//  1. a request over an approved private endpoint connection of the vault
//     passes (public access and the firewall do not apply to it);
//  2. publicNetworkAccess Disabled: only a trusted service, and only with
//     bypass AzureServices; else 403 ForbiddenByConnection;
//  3. publicNetworkAccess Enabled: no rules or defaultAction Allow passes;
//     then a trusted service with bypass AzureServices; then a client
//     address inside an ipRules range; then a request from a subnet listed
//     in virtualNetworkRules (whose Microsoft.KeyVault service endpoint
//     carried it); else 403 ForbiddenByFirewall.
//
// Decide is a pure function of the vault and the request's origin, so the
// enforcement and explain call the very same code. It imports the domain
// only.
package netgate

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
)

// Model is the Decision.Model of the gate's decisions.
const Model = "network"

// Denial reasons (the innererror codes Key Vault answers).
const (
	ReasonForbiddenByConnection = "ForbiddenByConnection"
	ReasonForbiddenByFirewall   = "ForbiddenByFirewall"
)

// Endpoint is the private endpoint connection a request arrived through.
type Endpoint struct {
	// ID names the private endpoint connection.
	ID string
	// State is its approval state: Approved, Pending, Rejected, Disconnected.
	State string
}

// Origin is what the gate knows of where one request came from.
type Origin struct {
	// Client is the address the vault saw (for a service-endpoint subnet,
	// the subnet's private address).
	Client netip.Addr
	// Endpoint is the private endpoint connection the request arrived
	// through; nil for the vault's public endpoint.
	Endpoint *Endpoint
	// Subnet is the lower-cased id of the subnet the request came from
	// through its Microsoft.KeyVault service endpoint; "" otherwise.
	Subnet string
}

// Decide is the gate's decision for caller (who may be nil before
// authentication) reaching v from o. trusted reports whether an
// application id is a trusted Microsoft service (AzureDatabricks among
// them); it counts only with bypass AzureServices.
func Decide(v *scopevault.Vault, o Origin, caller *scopevault.Caller, trusted func(appID string) bool) scopevault.Decision {
	allow := func(rule string) scopevault.Decision {
		return scopevault.Decision{Allowed: true, Model: Model, Rule: rule}
	}
	deny := func(reason, rule string) scopevault.Decision {
		return scopevault.Decision{Model: Model, Reason: reason, Rule: rule}
	}
	if o.Endpoint != nil && strings.EqualFold(o.Endpoint.State, "Approved") {
		return allow(fmt.Sprintf("the request came over the approved private endpoint connection %s", o.Endpoint.ID))
	}
	bypass := "AzureServices"
	if a := v.NetworkACLs; a != nil && a.Bypass != "" {
		bypass = a.Bypass
	}
	isTrusted := caller != nil && trusted != nil && trusted(caller.AppID)
	trustedPasses := isTrusted && strings.EqualFold(bypass, "AzureServices")
	via := "the public endpoint"
	if o.Endpoint != nil {
		via = fmt.Sprintf("private endpoint connection %s, which is %s, not Approved", o.Endpoint.ID, o.Endpoint.State)
	}
	if strings.EqualFold(v.PublicNetworkAccess, "Disabled") {
		if trustedPasses {
			return allow(fmt.Sprintf("public network access is Disabled, but caller app %s is a trusted service and bypass is AzureServices", caller.AppID))
		}
		why := "caller is not a trusted service"
		if isTrusted {
			why = fmt.Sprintf("trusted service %s was ignored: bypass is %s", caller.AppID, bypass)
		}
		return deny(ReasonForbiddenByConnection, fmt.Sprintf("public network access is Disabled; the request came over %s and %s", via, why))
	}
	a := v.NetworkACLs
	if a == nil || !strings.EqualFold(a.DefaultAction, "Deny") {
		return allow("public network access is Enabled and the firewall's default action is Allow")
	}
	if trustedPasses {
		return allow(fmt.Sprintf("caller app %s is a trusted service and bypass is AzureServices", caller.AppID))
	}
	if o.Subnet == "" && o.Client.IsValid() {
		client := o.Client.Unmap()
		for _, r := range a.IPRules {
			if p, ok := parseRule(r); ok && p.Contains(client) {
				return allow(fmt.Sprintf("client address %s is within ipRule %s", client, r))
			}
		}
	}
	if o.Subnet != "" {
		for _, r := range a.VirtualNetworkRules {
			if strings.EqualFold(r.ID, o.Subnet) {
				return allow(fmt.Sprintf("the request came from subnet %s, allowed by a virtualNetworkRule", o.Subnet))
			}
		}
	}
	client := "unknown"
	if o.Client.IsValid() {
		client = o.Client.Unmap().String()
	}
	why := "caller is not a trusted service"
	if isTrusted {
		why = fmt.Sprintf("trusted service %s was ignored: bypass is %s", caller.AppID, bypass)
	}
	return deny(ReasonForbiddenByFirewall, fmt.Sprintf("the firewall's default action is Deny; client address %s matches no ipRule or virtualNetworkRule and %s", client, why))
}

// parseRule reads an ipRules entry: an IPv4 CIDR, or a single address.
func parseRule(r string) (netip.Prefix, bool) {
	r = strings.TrimSpace(r)
	if p, err := netip.ParsePrefix(r); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(r); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// Gate is the access pipeline's network gate (access.Gate).
type Gate struct {
	// Trusted are the application ids of trusted Microsoft services.
	Trusted map[string]bool
	// Network returns the network as it is now; it is read only for
	// requests that arrived over a placement (a private endpoint's or a
	// subnet's listener). Nil: no network resources.
	Network func(context.Context) (*scopevault.Network, error)
}

// DefaultTrusted are the trusted services scopevault knows: AzureDatabricks.
func DefaultTrusted() map[string]bool {
	return map[string]bool{scopevault.AzureDatabricksAppID: true}
}

// CheckNetwork decides from the request's origin in ctx
// (scopevault.OriginFrom): the connection's address, never a header.
func (g *Gate) CheckNetwork(ctx context.Context, c *scopevault.Caller, v *scopevault.Vault) (scopevault.Decision, error) {
	o := scopevault.OriginFrom(ctx)
	var n *scopevault.Network
	if o.Via != nil && g.Network != nil {
		var err error
		if n, err = g.Network(ctx); err != nil {
			return scopevault.Decision{}, err
		}
	}
	return Decide(v, OriginOf(n, v.Name, o.RemoteAddr.Addr().Unmap(), o.Via), c, g.trusted), nil
}

func (g *Gate) trusted(appID string) bool { return g.Trusted[strings.ToLower(appID)] }
