package explain

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/netgate"
)

// Place is where a direct read comes from, resolved against the network:
// the connection's address and the placement its listener stands for, as
// the enforcement receives them in scopevault.Origin.
type Place struct {
	// Client is the connection's address.
	Client netip.Addr
	// Via is the placement (nil for the vault's public listener).
	Via *scopevault.Placement
	// Hop is the name resolution hop that placed the read.
	Hop Hop
}

// Locate resolves from for a read of vault: for a subnet, how the vault's
// name resolves there (netgate.PlaceIn); for a private endpoint, its
// listener; else the public endpoint. A subnet or endpoint that does not
// exist, or an endpoint leading to another vault, is an error.
func Locate(n *scopevault.Network, vault string, from From) (Place, error) {
	host := strings.ToLower(vault) + ".vault.azure.net"
	switch from.Kind {
	case FromIP:
		return Place{Client: from.IP, Hop: Hop{Name: HopResolution, Outcome: Allowed,
			Rule:   fmt.Sprintf("a client at %s resolves %s publicly and reaches the vault's public endpoint", from.IP, host),
			Change: "run the program in a subnet (--from VNET/SUBNET) to reach the vault from inside a virtual network"}}, nil
	case FromSubnet:
		id, err := subnetID(n, from.Subnet)
		if err != nil {
			return Place{}, err
		}
		p, res, ok := netgate.PlaceIn(n, id, vault)
		if !ok {
			return Place{}, scopevault.Errorf(scopevault.ENOTFOUND, "SubnetNotFound", "Subnet %s does not exist.", clip(id))
		}
		vnet, sub := n.Subnet(id)
		h := Hop{Name: HopResolution, Outcome: Allowed}
		where := fmt.Sprintf("from subnet %s of %s", sub.Name, vnet.Name)
		if res.Endpoint != nil {
			h.Rule = fmt.Sprintf("%s, %s resolves through private DNS zone %s (linked to %s): A record %s -> %s, private endpoint %s",
				where, host, zoneName(res.Zone), vnet.Name, res.Record, res.IP, res.Endpoint.Name)
			h.Change = fmt.Sprintf("remove the A record %s or the zone's link to %s to resolve publicly", res.Record, vnet.Name)
		} else {
			h.Rule = fmt.Sprintf("%s, %s resolves publicly: %s; the program reaches the public endpoint", where, host, whyPublic(n, vnet, vault, res))
			if se := sub.HasServiceEndpoint(scopevault.ServiceEndpointKeyVault); se {
				h.Rule += fmt.Sprintf(" through the subnet's Microsoft.KeyVault service endpoint, source address %s", p.PrivateIP)
			} else {
				h.Rule += " through the subnet's outbound address (no Microsoft.KeyVault service endpoint)"
			}
			h.Change = privateResolutionChange(n, vnet, vault)
		}
		return Place{Client: InternetAddr, Via: &p, Hop: h}, nil
	case FromPrivateEndpoint:
		pe, err := endpoint(n, from.Endpoint)
		if err != nil {
			return Place{}, err
		}
		if !pe.TargetsVault(vault) {
			return Place{}, scopevault.Errorf(scopevault.EINVALID, "EndpointForAnotherVault",
				"Private endpoint %s leads to %s, not to vault %s: a request for %s over it is refused.", pe.Name, targets(pe), vault, host)
		}
		ip, _ := netip.ParseAddr(pe.PrivateIP)
		p := scopevault.Placement{Vault: vault, PrivateEndpoint: pe.ResourceID(), PrivateIP: ip}
		return Place{Client: InternetAddr, Via: &p, Hop: Hop{Name: HopResolution, Outcome: Allowed,
			Rule: fmt.Sprintf("the client connects to private endpoint %s at its private IP %s (listener %s)", pe.Name, pe.PrivateIP, pe.Address)}}, nil
	}
	return Place{Client: InternetAddr, Hop: Hop{Name: HopResolution, Outcome: Allowed,
		Rule:   fmt.Sprintf("from the internet, %s resolves publicly (private DNS zones answer only inside the virtual networks linked to them)", host),
		Change: "run the program in a subnet (--from VNET/SUBNET) to resolve the vault through that network's private DNS zones"}}, nil
}

func zoneName(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func targets(pe *scopevault.PrivateEndpoint) string {
	var out []string
	for _, c := range pe.Connections {
		out = append(out, zoneName(c.TargetID))
	}
	if len(out) == 0 {
		return "no vault"
	}
	return "vault " + strings.Join(out, ", ")
}

// whyPublic says why a vault's name resolved publicly from vnet
// (Network.ResolveVault's conditions, in its order).
func whyPublic(n *scopevault.Network, vnet *scopevault.VirtualNetwork, vault string, res scopevault.Resolution) string {
	approved := false
	for _, c := range n.VaultConnections(vault) {
		if c.Status == scopevault.ConnectionApproved {
			approved = true
		}
	}
	if !approved {
		return "the vault has no approved private endpoint connection, so there is no privatelink name to follow"
	}
	if res.IP != "" {
		return fmt.Sprintf("the private DNS record %s gives %s, which is no private endpoint of the vault", res.Record, res.IP)
	}
	linked := false
	for _, z := range n.Zones {
		if strings.EqualFold(z.Name, scopevault.VaultPrivateLinkZone) && z.LinkedTo(vnet.ResourceID()) {
			linked = true
		}
	}
	if !linked {
		return fmt.Sprintf("no %s zone is linked to %s", scopevault.VaultPrivateLinkZone, vnet.Name)
	}
	return fmt.Sprintf("the %s zone linked to %s holds no A record for %s", scopevault.VaultPrivateLinkZone, vnet.Name, vault)
}

// privateResolutionChange is what would make vault resolve to a private
// endpoint from vnet.
func privateResolutionChange(n *scopevault.Network, vnet *scopevault.VirtualNetwork, vault string) string {
	for _, p := range n.Endpoints {
		if !p.TargetsVault(vault) {
			continue
		}
		c := n.Connection(vault, p.ResourceID())
		if c == nil || c.Status != scopevault.ConnectionApproved {
			name := p.Name
			if c != nil {
				name = c.Name
			}
			return fmt.Sprintf("approve private endpoint connection %s (az keyvault private-endpoint-connection approve --vault-name %s -n %s)", name, vault, name)
		}
		return fmt.Sprintf("link a %s zone to %s and give it an A record for %s -> %s (az network private-endpoint dns-zone-group create --endpoint-name %s ...)",
			scopevault.VaultPrivateLinkZone, vnet.Name, vault, p.PrivateIP, p.Name)
	}
	return fmt.Sprintf("create a private endpoint to %s in %s with a DNS zone group filling a linked %s zone (az network private-endpoint create ... --group-id vault)", vault, vnet.Name, scopevault.VaultPrivateLinkZone)
}

// gateHop is the network gate's hop: netgate.Decide on the origin
// netgate.OriginOf builds from the connection and its placement, as
// netgate.Gate.CheckNetwork does. denial renders a refusal for the caller.
func (e *Explainer) gateHop(n *scopevault.Network, v *scopevault.Vault, client netip.Addr, via *scopevault.Placement, caller *scopevault.Caller) (Hop, scopevault.Decision, netgate.Origin) {
	o := netgate.OriginOf(n, v.Name, client.Unmap(), via)
	d := netgate.Decide(v, o, caller, e.trusted)
	h := Hop{Name: HopNetworkGate, Outcome: Allowed, Rule: d.Rule, Change: gateChange(n, v, o, via, caller, d, e.trusted(caller.AppID))}
	if !d.Allowed {
		h.Outcome = Denied
	}
	return h, d, o
}

// gateChange is what would change the gate's decision d.
func gateChange(n *scopevault.Network, v *scopevault.Vault, o netgate.Origin, via *scopevault.Placement, caller *scopevault.Caller, d scopevault.Decision, trusted bool) string {
	bypass := "AzureServices"
	if v.NetworkACLs != nil && v.NetworkACLs.Bypass != "" {
		bypass = v.NetworkACLs.Bypass
	}
	pnaDisabled := strings.EqualFold(v.PublicNetworkAccess, "Disabled")
	if d.Allowed {
		switch {
		case o.Endpoint != nil:
			return fmt.Sprintf("reject or delete private endpoint connection %s (then public access and the firewall decide)", o.Endpoint.ID)
		case trusted && strings.EqualFold(bypass, "AzureServices") && (pnaDisabled || (v.NetworkACLs != nil && strings.EqualFold(v.NetworkACLs.DefaultAction, "Deny"))):
			return fmt.Sprintf("set networkAcls.bypass to None (az keyvault update -n %s --bypass None)", v.Name)
		case v.NetworkACLs == nil || !strings.EqualFold(v.NetworkACLs.DefaultAction, "Deny"):
			return fmt.Sprintf("set networkAcls.defaultAction to Deny or publicNetworkAccess to Disabled (az keyvault update -n %s --default-action Deny)", v.Name)
		case o.Subnet != "":
			return fmt.Sprintf("remove subnet %s from virtualNetworkRules (az keyvault network-rule remove -n %s --subnet %s)", o.Subnet, v.Name, o.Subnet)
		}
		return fmt.Sprintf("remove the ipRule admitting %s (az keyvault network-rule remove -n %s --ip-address ...)", o.Client, v.Name)
	}
	if o.Endpoint != nil {
		return fmt.Sprintf("approve private endpoint connection %s (az keyvault private-endpoint-connection approve --vault-name %s -n %s)", o.Endpoint.ID, v.Name, o.Endpoint.ID)
	}
	if trusted && !strings.EqualFold(bypass, "AzureServices") {
		return fmt.Sprintf("set networkAcls.bypass to AzureServices (az keyvault update -n %s --bypass AzureServices); private endpoints and virtualNetworkRules do not admit a trusted service's own origin", v.Name)
	}
	if d.Reason == netgate.ReasonForbiddenByConnection {
		return fmt.Sprintf("reach %s over an approved private endpoint (a subnet whose linked private DNS zone resolves it there), or set publicNetworkAccess to Enabled (az keyvault update -n %s --public-network-access Enabled) with a firewall rule admitting this client", v.Name, v.Name)
	}
	if o.Subnet != "" {
		return fmt.Sprintf("add subnet %s to virtualNetworkRules (az keyvault network-rule add -n %s --subnet %s)", o.Subnet, v.Name, o.Subnet)
	}
	if via != nil && via.Subnet != "" {
		if _, s := n.Subnet(via.Subnet); s != nil {
			return fmt.Sprintf("add the Microsoft.KeyVault service endpoint to subnet %s (az network vnet subnet update --service-endpoints Microsoft.KeyVault ...), then add it to virtualNetworkRules (az keyvault network-rule add -n %s --subnet %s)", s.Name, v.Name, via.Subnet)
		}
	}
	return fmt.Sprintf("add an ipRule admitting %s (az keyvault network-rule add -n %s --ip-address %s/32)", o.Client, v.Name, o.Client)
}

// authzChange is what would change an authorization decision.
func authzChange(v *scopevault.Vault, c *scopevault.Caller, d scopevault.Decision) string {
	who := c.ObjectID
	if strings.EqualFold(c.AppID, scopevault.AzureDatabricksAppID) {
		who = scopevault.AzureDatabricksAppID
	}
	if d.Allowed {
		if d.AssignmentID != "" {
			return "delete role assignment " + d.AssignmentID
		}
		return fmt.Sprintf("remove the access policy's secret get permission (az keyvault delete-policy -n %s --object-id %s)", v.Name, c.ObjectID)
	}
	if v.EnableRBACAuthorization {
		return fmt.Sprintf("grant Key Vault Secrets User on the vault to %s (az role assignment create --assignee %s --role \"Key Vault Secrets User\" --scope %s)",
			principalName(c), who, v.ResourceID())
	}
	perms := "get"
	if who == scopevault.AzureDatabricksAppID {
		perms = "get list"
	}
	return fmt.Sprintf("add an access policy giving %s secret %s (az keyvault set-policy -n %s --object-id %s --secret-permissions %s)",
		principalName(c), perms, v.Name, c.ObjectID, perms)
}

// secretState is the secret state hop's rule for a Get that succeeded.
func secretStateRule(sv *scopevault.SecretValue, now time.Time) (rule, change string) {
	ver := sv.Version
	rule = fmt.Sprintf("secret %s exists and its current version %s is enabled", sv.Secret.Name, ver.Version)
	change = "disable the secret's current version, or delete the secret"
	if ver.Expires != nil && !now.Before(*ver.Expires) {
		rule += fmt.Sprintf("; it expired at %s, and Key Vault still returns an expired secret", ver.Expires.UTC().Format(time.RFC3339))
	}
	if ver.NotBefore != nil && now.Before(*ver.NotBefore) {
		rule += fmt.Sprintf("; it is not valid before %s, and Key Vault returns it all the same", ver.NotBefore.UTC().Format(time.RFC3339))
	}
	return rule, change
}

func secretStateChange(err error, vault, name string) string {
	switch scopevault.ErrorReasonOf(err) {
	case "SecretDisabled":
		return fmt.Sprintf("enable the secret's current version (az keyvault secret set-attributes --vault-name %s -n %s --enabled true)", vault, name)
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return fmt.Sprintf("create the secret (az keyvault secret set --vault-name %s -n %s --file ...), or recover it if it is deleted (az keyvault secret recover)", vault, name)
	}
	return ""
}

// Direct explains caller reading secret name of vault from from: name
// resolution, network gate, vault authorization, secret state. Errors are
// about the question (no such vault, subnet or endpoint), never the answer.
func (e *Explainer) Direct(ctx context.Context, caller *scopevault.Caller, vault, name string, from From) (*Report, error) {
	if caller == nil {
		return nil, scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipal", "Name the principal to explain the read as.")
	}
	v, err := e.Vaults.Vault(ctx, vault)
	if err != nil {
		return nil, err
	}
	n, err := e.network(ctx)
	if err != nil {
		return nil, err
	}
	place, err := Locate(n, v.Name, from)
	if err != nil {
		return nil, err
	}
	r := &Report{Kind: "direct", Subject: fmt.Sprintf("%s reads secret %s of vault %s from %s", principalName(caller), name, v.Name, from)}
	r.Hops = append(r.Hops, place.Hop)

	gate, d, _ := e.gateHop(n, v, place.Client, place.Via, caller)
	if !d.Allowed {
		gate.Error = keyVaultError(scopevault.VaultDenial(d, caller, v, scopevault.OpGetSecret, place.Client))
	}
	r.Hops = append(r.Hops, gate)
	if !d.Allowed {
		r.Hops = append(r.Hops, Hop{Name: HopAuthorization, Outcome: Skipped}, Hop{Name: HopSecretState, Outcome: Skipped})
		return r.finish(), nil
	}

	ad, err := e.Authz.AuthorizeData(ctx, caller, v, scopevault.OpGetSecret, name)
	if err != nil {
		return nil, err
	}
	ah := Hop{Name: HopAuthorization, Outcome: Allowed, Rule: ruleOf(ad), Change: authzChange(v, caller, ad)}
	if !ad.Allowed {
		ah.Outcome, ah.Error = Denied, keyVaultError(scopevault.VaultDenial(ad, caller, v, scopevault.OpGetSecret, place.Client))
		r.Hops = append(r.Hops, ah, Hop{Name: HopSecretState, Outcome: Skipped})
		return r.finish(), nil
	}
	r.Hops = append(r.Hops, ah)

	sh, err := e.secretHop(ctx, v, name, keyVaultError)
	if err != nil {
		return nil, err
	}
	r.Hops = append(r.Hops, sh)
	return r.finish(), nil
}

// secretHop reads the secret as the read would (the value is dropped at
// once and never reported) and says what its state did.
func (e *Explainer) secretHop(ctx context.Context, v *scopevault.Vault, name string, render func(error) *WireError) (Hop, error) {
	sv, err := e.Vaults.Get(ctx, v, name, "")
	if internal(err) {
		return Hop{}, err
	}
	if err != nil {
		return Hop{Name: HopSecretState, Outcome: Denied, Rule: scopevault.ErrorMessageOf(err),
			Change: secretStateChange(err, v.Name, name), Error: render(err)}, nil
	}
	sv.Value = ""
	now := time.Now()
	if e.Vaults.Now != nil {
		now = e.Vaults.Now()
	}
	rule, change := secretStateRule(sv, now)
	return Hop{Name: HopSecretState, Outcome: Allowed, Rule: rule, Change: change}, nil
}

// ruleOf is a decision's rule with its model.
func ruleOf(d scopevault.Decision) string {
	switch d.Model {
	case "rbac":
		return "RBAC: " + d.Rule
	case "accesspolicy":
		return "access policy: " + d.Rule
	}
	return d.Rule
}
