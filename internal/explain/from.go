package explain

import (
	"context"
	"net/netip"
	"regexp"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// FromKind is where a direct read comes from.
type FromKind string

const (
	FromInternet        FromKind = "internet"
	FromIP              FromKind = "ip"
	FromSubnet          FromKind = "subnet"
	FromPrivateEndpoint FromKind = "private-endpoint"
)

// From is a parsed --from argument.
type From struct {
	Kind FromKind
	// IP is the client address (FromIP).
	IP netip.Addr
	// Subnet is a subnet's ARM id, or "vnet/subnet" (FromSubnet).
	Subnet string
	// Endpoint is a private endpoint's ARM id or name (FromPrivateEndpoint).
	Endpoint string
}

// String is the argument's canonical form.
func (f From) String() string {
	switch f.Kind {
	case FromIP:
		return f.IP.String()
	case FromSubnet:
		return f.Subnet
	case FromPrivateEndpoint:
		if strings.Contains(f.Endpoint, "/") {
			return f.Endpoint
		}
		return "private-endpoint/" + f.Endpoint
	}
	return string(FromInternet)
}

var resourceNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$`)

func errFrom(format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "InvalidFrom", format, args...)
}

// ParseFrom reads where a direct read comes from: "" or "internet"; an IP
// address; a subnet as VNET/SUBNET or its ARM id; a private endpoint as
// private-endpoint/NAME or its ARM id.
func ParseFrom(s string) (From, error) {
	s = strings.TrimSpace(s)
	low := strings.ToLower(s)
	switch {
	case s == "" || low == "internet":
		return From{Kind: FromInternet}, nil
	case len(s) > 1000:
		return From{}, errFrom("--from is too long.")
	case strings.HasPrefix(low, "private-endpoint/"):
		name := s[len("private-endpoint/"):]
		if !resourceNameRE.MatchString(name) {
			return From{}, errFrom("--from %s: %q is not a private endpoint name.", clip(s), clip(name))
		}
		return From{Kind: FromPrivateEndpoint, Endpoint: name}, nil
	case strings.Contains(low, "/providers/microsoft.network/privateendpoints/"):
		p := strings.Split(strings.TrimSuffix(s, "/"), "/")
		if len(p) != 9 || p[0] != "" || !strings.EqualFold(p[1], "subscriptions") || !strings.EqualFold(p[3], "resourceGroups") ||
			!resourceNameRE.MatchString(p[8]) || p[2] == "" || p[4] == "" {
			return From{}, errFrom("--from %s is not a private endpoint's resource id.", clip(s))
		}
		return From{Kind: FromPrivateEndpoint, Endpoint: strings.TrimSuffix(s, "/")}, nil
	case strings.Contains(low, "/subnets/"):
		vnet, sub, ok := scopevault.ParseSubnetID(strings.TrimSuffix(s, "/"))
		if !ok || !resourceNameRE.MatchString(sub) || !strings.HasPrefix(strings.ToLower(vnet), "/subscriptions/") {
			return From{}, errFrom("--from %s is not a subnet's resource id.", clip(s))
		}
		return From{Kind: FromSubnet, Subnet: strings.TrimSuffix(s, "/")}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return From{}, errFrom("--from %s: an address with a zone is not a client address.", clip(s))
		}
		return From{Kind: FromIP, IP: a.Unmap()}, nil
	}
	if vnet, sub, ok := strings.Cut(s, "/"); ok && resourceNameRE.MatchString(vnet) && resourceNameRE.MatchString(sub) {
		return From{Kind: FromSubnet, Subnet: vnet + "/" + sub}, nil
	}
	return From{}, errFrom("--from %s: give internet, an IP address, VNET/SUBNET, a subnet id, or private-endpoint/NAME.", clip(s))
}

// subnetID resolves a FromSubnet's "vnet/subnet" to the subnet's ARM id.
func subnetID(n *scopevault.Network, s string) (string, error) {
	if strings.Contains(s, "/subnets/") {
		if _, sub := n.Subnet(s); sub == nil {
			return "", scopevault.Errorf(scopevault.ENOTFOUND, "SubnetNotFound", "Subnet %s does not exist.", clip(s))
		}
		return s, nil
	}
	vnetName, subName, _ := strings.Cut(s, "/")
	var found []*scopevault.VirtualNetwork
	for _, v := range n.VirtualNetworks {
		if strings.EqualFold(v.Name, vnetName) {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return "", scopevault.Errorf(scopevault.ENOTFOUND, "SubnetNotFound", "Virtual network %s does not exist.", clip(vnetName))
	case 1:
	default:
		return "", errFrom("More than one virtual network is named %s: give the subnet's resource id.", clip(vnetName))
	}
	sub := found[0].Subnet(subName)
	if sub == nil {
		return "", scopevault.Errorf(scopevault.ENOTFOUND, "SubnetNotFound", "Virtual network %s has no subnet %s.", found[0].Name, clip(subName))
	}
	return found[0].SubnetID(sub.Name), nil
}

// endpoint resolves a FromPrivateEndpoint's name or id.
func endpoint(n *scopevault.Network, s string) (*scopevault.PrivateEndpoint, error) {
	if strings.Contains(s, "/") {
		if p := n.Endpoint(s); p != nil {
			return p, nil
		}
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "PrivateEndpointNotFound", "Private endpoint %s does not exist.", clip(s))
	}
	var found []*scopevault.PrivateEndpoint
	for _, p := range n.Endpoints {
		if strings.EqualFold(p.Name, s) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "PrivateEndpointNotFound", "Private endpoint %s does not exist.", clip(s))
	case 1:
		return found[0], nil
	}
	return nil, errFrom("More than one private endpoint is named %s: give its resource id.", clip(s))
}

// Caller is the directory caller principal who would be in tenant tid: an
// object id, a service principal's or managed identity's application id,
// or a user's UPN; with its groups, as a token of theirs would make it.
func (e *Explainer) Caller(ctx context.Context, tid, who string) (*scopevault.Caller, error) {
	who = strings.TrimSpace(who)
	var p *scopevault.Principal
	var err error
	switch {
	case who == "":
		return nil, scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipal", "Name the principal to explain the read as (--as).")
	case strings.Contains(who, "@"):
		p, err = e.Directory.PrincipalByUPN(ctx, tid, who)
	case scopevault.ValidGUID(who):
		if p, err = e.Directory.GetPrincipal(ctx, tid, who); scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
			p, err = e.Directory.PrincipalByAppID(ctx, tid, who)
		}
	default:
		return nil, scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipal", "--as %s: give an object id, an application id or a user principal name.", clip(who))
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "PrincipalNotFound", "No principal %s in tenant %s.", clip(who), tid)
	}
	if err != nil {
		return nil, err
	}
	c := &scopevault.Caller{TenantID: p.TenantID, ObjectID: p.ObjectID, Issuer: identity.Issuer(p.TenantID), Kind: p.Kind}
	switch p.Kind {
	case scopevault.KindUser:
		c.AppID = identity.PublicClientAppID
	case scopevault.KindServicePrincipal, scopevault.KindManagedIdentity:
		c.AppID = p.AppID
	default:
		return nil, scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipal", "%s is a %s; only users, service principals and managed identities read secrets.", clip(who), p.Kind)
	}
	if c.GroupIDs, err = e.Directory.GroupsOf(ctx, p.TenantID, p.ObjectID); err != nil {
		return nil, err
	}
	return c, nil
}

// principalName is how a report names a caller.
func principalName(c *scopevault.Caller) string {
	if strings.EqualFold(c.AppID, scopevault.AzureDatabricksAppID) {
		return "AzureDatabricks (" + c.AppID + ")"
	}
	if c.Kind == scopevault.KindUser {
		return "user " + c.ObjectID
	}
	return "app " + c.AppID + " (object " + c.ObjectID + ")"
}

// clip bounds caller-supplied text echoed in messages.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
