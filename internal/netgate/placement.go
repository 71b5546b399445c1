package netgate

import (
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
)

// PlaceIn is where a program placed in a subnet reaches a vault: the
// vault's name resolves through the private DNS zones linked to the
// subnet's network (scopevault.Network.ResolveVault); when it resolves to
// one of the vault's private endpoints the program reaches that endpoint,
// else the vault's public endpoint from inside the subnet. ok is false when
// the subnet does not exist.
func PlaceIn(n *scopevault.Network, subnetID, vault string) (p scopevault.Placement, res scopevault.Resolution, ok bool) {
	vnet, sub := n.Subnet(subnetID)
	if sub == nil {
		return scopevault.Placement{}, scopevault.Resolution{}, false
	}
	res = n.ResolveVault(vnet.ResourceID(), vault)
	if res.Endpoint != nil {
		ip, _ := netip.ParseAddr(res.Endpoint.PrivateIP)
		return scopevault.Placement{Vault: vault, PrivateEndpoint: res.Endpoint.ResourceID(), PrivateIP: ip}, res, true
	}
	return scopevault.Placement{Vault: vault, Subnet: strings.ToLower(vnet.SubnetID(sub.Name)), PrivateIP: SubnetSourceIP(sub)}, res, true
}

// SubnetSourceIP is the private source address Key Vault sees for a
// program in the subnet (the subnet's first usable host, x.x.x.4).
func SubnetSourceIP(s *scopevault.Subnet) netip.Addr {
	p, err := netip.ParsePrefix(s.AddressPrefix)
	if err != nil || !p.Addr().Is4() {
		return netip.Addr{}
	}
	a := p.Masked().Addr()
	for range 4 {
		a = a.Next()
	}
	if !p.Contains(a) {
		return netip.Addr{}
	}
	return a
}

// OriginOf is the gate's view of a request that reached vault over the
// placement via (nil for a public listener) from client, given the network
// as it is now. The enforcement and explain both build origins with it.
//
//   - Over a private endpoint: the endpoint's connection to the vault, in
//     the state the vault's side holds now (no connection: Disconnected).
//     The client is the program's private address.
//   - From a subnet's view of the public endpoint: with the subnet's
//     Microsoft.KeyVault service endpoint, the request carries the subnet
//     (virtualNetworkRules may admit it) and its private source address;
//     without one it leaves through the subnet's outbound address, which
//     is the connection's own address here.
//   - Otherwise: the connection's address.
func OriginOf(n *scopevault.Network, vault string, client netip.Addr, via *scopevault.Placement) Origin {
	o := Origin{Client: client}
	if via == nil || n == nil {
		return o
	}
	if via.PrivateEndpoint != "" {
		state := scopevault.ConnectionDisconnected
		name := via.PrivateEndpoint
		if c := n.Connection(vault, via.PrivateEndpoint); c != nil {
			state, name = c.Status, c.Name
		}
		o.Endpoint = &Endpoint{ID: name, State: state}
		if via.PrivateIP.IsValid() {
			o.Client = via.PrivateIP
		}
		return o
	}
	if via.Subnet != "" {
		if _, s := n.Subnet(via.Subnet); s != nil && s.HasServiceEndpoint(scopevault.ServiceEndpointKeyVault) {
			o.Subnet = via.Subnet
			if via.PrivateIP.IsValid() {
				o.Client = via.PrivateIP
			}
		}
	}
	return o
}
