package rm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// The simulated network's resources (Microsoft.Network): virtual networks
// with their subnets, private endpoints with their DNS zone groups, the
// vaults' sides of the endpoints' connections, and private DNS zones with
// their links and A record sets. They live under their own top-level
// segment, so a network write never invalidates the caches kept on "arm"
// (vaults, workspaces), and Network's snapshot is rebuilt only when the
// network changed.
//
//	net/vnets/{sub}/{group}/{name}   scopevault.VirtualNetwork, subnets inline
//	net/pes/{sub}/{group}/{name}     scopevault.PrivateEndpoint, zone groups inline
//	net/peaddrs/{address}            the key of the endpoint whose listener is there
//	net/peconns/{vault}/{name}       scopevault.PrivateEndpointConnection (the vault's side)
//	net/zones/{sub}/{group}/{name}   scopevault.PrivateDNSZone, links and A record sets inline
//
// Every path segment is lower-cased: ARM names compare case-insensitively,
// the records keep the casing they were created with.

const (
	netSegment     = "net"
	vnetsPrefix    = "net/vnets/"
	pesPrefix      = "net/pes/"
	peAddrsPrefix  = "net/peaddrs/"
	peConnsPrefix  = "net/peconns/"
	zonesPrefix    = "net/zones/"
	providerVNets  = "Microsoft.Network/virtualNetworks"
	providerPEs    = "Microsoft.Network/privateEndpoints"
	providerZones  = "Microsoft.Network/privateDnsZones"
	vaultGroupID   = "vault"
	defaultARecTTL = 10 // what a zone group writes, as Azure does
)

func resKey(prefix, sub, group, name string) string {
	return prefix + strings.ToLower(sub) + "/" + strings.ToLower(group) + "/" + strings.ToLower(name)
}

func listPrefix(prefix, sub, group string) string {
	p := prefix + strings.ToLower(sub) + "/"
	if group != "" {
		p += strings.ToLower(group) + "/"
	}
	return p
}

func peConnKey(vault, name string) string {
	return peConnsPrefix + strings.ToLower(vault) + "/" + strings.ToLower(name)
}

func getJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	raw, err := tx.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func putJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(ctx, key, b)
}

func listJSON[T any](ctx context.Context, tx store.Tx, prefix string) ([]*T, error) {
	kvs, err := tx.List(ctx, prefix, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(kvs))
	for _, kv := range kvs {
		v := new(T)
		if err := json.Unmarshal(kv.Value, v); err != nil {
			return nil, fmt.Errorf("rm: %s: %w", kv.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func errNotFound(typ, group, name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", typ, clipName(name), clipName(group))
}

func errInvalid(reason, format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, reason, format, args...)
}

// Network resource names: 1-80 characters, letters, digits, '_', '.', '-',
// beginning with a letter or digit and ending with a letter, digit or '_'.
var netNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$`)

func checkName(kind, name string) error {
	if !netNameRE.MatchString(name) {
		return errInvalid("InvalidResourceName",
			"Resource name %s is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.", clipName(name))
	}
	_ = kind
	return nil
}

// Network returns one consistent view of every network resource. It is
// cached until something under net/ changes; callers must not mutate it.
func (m *Manager) Network(ctx context.Context) (*scopevault.Network, error) {
	return m.network.Get(m.store, netSegment, func() (*scopevault.Network, error) {
		n := &scopevault.Network{}
		err := m.view(ctx, func(tx store.Tx) error {
			var err error
			if n.VirtualNetworks, err = listJSON[scopevault.VirtualNetwork](ctx, tx, vnetsPrefix); err != nil {
				return err
			}
			if n.Endpoints, err = listJSON[scopevault.PrivateEndpoint](ctx, tx, pesPrefix); err != nil {
				return err
			}
			if n.Connections, err = listJSON[scopevault.PrivateEndpointConnection](ctx, tx, peConnsPrefix); err != nil {
				return err
			}
			n.Zones, err = listJSON[scopevault.PrivateDNSZone](ctx, tx, zonesPrefix)
			return err
		})
		if err != nil {
			return nil, err
		}
		return n, nil
	})
}

// parsePrefix reads an IPv4 CIDR that must be in canonical form (no host
// bits set), as Azure requires; owner is the id of the resource it is on.
func parsePrefix(s, owner string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, errInvalid("InvalidAddressPrefixFormat",
			"Address prefix %s of resource %s is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.", clipName(s), owner)
	}
	if p.Masked() != p {
		return netip.Prefix{}, errInvalid("InvalidCIDRNotation",
			"The address prefix %s in resource %s has an invalid CIDR notation. For the given prefix length, the address prefix should be %s.", s, owner, p.Masked())
	}
	return p, nil
}

// sortNetwork orders a listing by name, as ARM lists do.
func sortByName[T any](xs []*T, name func(*T) string) {
	sort.Slice(xs, func(i, j int) bool { return strings.ToLower(name(xs[i])) < strings.ToLower(name(xs[j])) })
}
