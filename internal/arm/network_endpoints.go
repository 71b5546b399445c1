package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Microsoft.Network/privateEndpoints (reference §3.5) and their
// privateDnsZoneGroups. The state of each connection is read from the
// vault's side (the vault owner's answer), so an endpoint shows Pending,
// Approved, Rejected or Disconnected exactly as the network gate sees it.

type connStateJSON struct {
	Status          string `json:"status"`
	Description     string `json:"description"`
	ActionsRequired string `json:"actionsRequired"`
}

type plsConnPropsJSON struct {
	ProvisioningState                 string         `json:"provisioningState,omitempty"`
	PrivateLinkServiceID              string         `json:"privateLinkServiceId"`
	GroupIDs                          []string       `json:"groupIds"`
	RequestMessage                    string         `json:"requestMessage,omitempty"`
	PrivateLinkServiceConnectionState *connStateJSON `json:"privateLinkServiceConnectionState,omitempty"`
}

type plsConnJSON struct {
	ID         string           `json:"id,omitempty"`
	Name       string           `json:"name"`
	Type       string           `json:"type,omitempty"`
	Etag       string           `json:"etag,omitempty"`
	Properties plsConnPropsJSON `json:"properties"`
}

type customDNSJSON struct {
	FQDN        string   `json:"fqdn"`
	IPAddresses []string `json:"ipAddresses"`
}

type peIPConfigJSON struct {
	Name       string `json:"name"`
	Properties struct {
		GroupID          string `json:"groupId"`
		MemberName       string `json:"memberName"`
		PrivateIPAddress string `json:"privateIPAddress"`
	} `json:"properties"`
}

type pePropsJSON struct {
	ProvisioningState                   string           `json:"provisioningState"`
	ResourceGUID                        string           `json:"resourceGuid"`
	Subnet                              idJSON           `json:"subnet"`
	NetworkInterfaces                   []idJSON         `json:"networkInterfaces"`
	CustomNetworkInterfaceName          string           `json:"customNetworkInterfaceName,omitempty"`
	PrivateLinkServiceConnections       []plsConnJSON    `json:"privateLinkServiceConnections"`
	ManualPrivateLinkServiceConnections []plsConnJSON    `json:"manualPrivateLinkServiceConnections"`
	CustomDNSConfigs                    []customDNSJSON  `json:"customDnsConfigs"`
	IPConfigurations                    []peIPConfigJSON `json:"ipConfigurations"`
	ApplicationSecurityGroups           []idJSON         `json:"applicationSecurityGroups"`
}

type peJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Etag       string            `json:"etag"`
	Properties pePropsJSON       `json:"properties"`
}

type peIn struct {
	Location   *string           `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties *struct {
		Subnet                              *idJSON       `json:"subnet"`
		PrivateLinkServiceConnections       []plsConnJSON `json:"privateLinkServiceConnections"`
		ManualPrivateLinkServiceConnections []plsConnJSON `json:"manualPrivateLinkServiceConnections"`
		CustomNetworkInterfaceName          string        `json:"customNetworkInterfaceName"`
		// IPConfigurations ask for a static private IP.
		IPConfigurations []peIPConfigJSON `json:"ipConfigurations"`
	} `json:"properties"`
}

const (
	peType        = nsNetwork + "/" + typePEs
	plsConnType   = peType + "/privateLinkServiceConnections"
	zoneGroupType = peType + "/" + typeZoneGroups
	// actJoinSubnet is the linked action placing anything in a subnet.
	actJoinSubnet = "Microsoft.Network/virtualNetworks/subnets/join/action"
	// actApproveConnection lets the creator of an endpoint approve its own
	// connection to a vault (auto-approval).
	actApproveConnection = "Microsoft.KeyVault/vaults/privateEndpointConnectionsApproval/action"
	actJoinZone          = "Microsoft.Network/privateDnsZones/join/action"
)

func nicID(p *scopevault.PrivateEndpoint) string {
	name := p.CustomNICName
	if name == "" {
		name = p.Name + ".nic." + stableGUID(p.ResourceID())
	}
	return groupScope(p.SubscriptionID, p.ResourceGroup) + networkProvider + typeNICs + "/" + name
}

func renderPE(p *scopevault.PrivateEndpoint, net *scopevault.Network) peJSON {
	props := pePropsJSON{
		ProvisioningState: provisionedOK, ResourceGUID: stableGUID(p.ResourceID() + "|" + p.Created.String()),
		Subnet: idJSON{ID: p.SubnetID}, NetworkInterfaces: []idJSON{{ID: nicID(p)}}, CustomNetworkInterfaceName: p.CustomNICName,
		PrivateLinkServiceConnections: []plsConnJSON{}, ManualPrivateLinkServiceConnections: []plsConnJSON{},
		CustomDNSConfigs: []customDNSJSON{}, IPConfigurations: []peIPConfigJSON{}, ApplicationSecurityGroups: []idJSON{},
	}
	for _, c := range p.Connections {
		st := net.ConnectionState(p, c)
		j := plsConnJSON{
			ID: p.ResourceID() + "/" + connCollection(c) + "/" + c.Name, Name: c.Name, Type: plsConnType, Etag: etagOf(p.ResourceID(), p.Updated),
			Properties: plsConnPropsJSON{
				ProvisioningState: provisionedOK, PrivateLinkServiceID: c.TargetID, GroupIDs: c.GroupIDs, RequestMessage: c.RequestMessage,
				PrivateLinkServiceConnectionState: &connStateJSON{Status: st.Status, Description: st.Description, ActionsRequired: orNone(st.ActionsRequired)},
			},
		}
		if c.Manual {
			props.ManualPrivateLinkServiceConnections = append(props.ManualPrivateLinkServiceConnections, j)
		} else {
			props.PrivateLinkServiceConnections = append(props.PrivateLinkServiceConnections, j)
		}
		if v := c.VaultName(); v != "" && p.PrivateIP != "" {
			props.CustomDNSConfigs = append(props.CustomDNSConfigs, customDNSJSON{FQDN: strings.ToLower(v) + ".vault.azure.net", IPAddresses: []string{p.PrivateIP}})
			var ipc peIPConfigJSON
			ipc.Name = "ipconfig-" + c.Name
			ipc.Properties.GroupID, ipc.Properties.MemberName, ipc.Properties.PrivateIPAddress = "vault", "default", p.PrivateIP
			props.IPConfigurations = append(props.IPConfigurations, ipc)
		}
	}
	return peJSON{ID: p.ResourceID(), Name: p.Name, Type: peType, Location: p.Location, Tags: p.Tags, Etag: etagOf(p.ResourceID(), p.Updated), Properties: props}
}

func connCollection(c scopevault.PrivateLinkConnection) string {
	if c.Manual {
		return "manualPrivateLinkServiceConnections"
	}
	return "privateLinkServiceConnections"
}

func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// linkedDenied is ARM's 403 for a write allowed on its own scope but not on
// a resource it links to.
func linkedDenied(c *scopevault.Caller, action, scope, linkedAction, linked string) error {
	return scopevault.Errorf(scopevault.EFORBIDDEN, "LinkedAuthorizationFailed",
		"The client '%s' with object id '%s' has permission to perform action '%s' on scope '%s'; however, it does not have permission to perform action(s) '%s' on the linked scope(s) '%s' (respectively) or the linked scope(s) are invalid.",
		c.ObjectID, c.ObjectID, action, scope, linkedAction, clip(linked))
}

// checkLinked checks a linked action at a linked scope, the resource id at
// path in the body. An id that is not a fully qualified resource id is
// LinkedInvalidPropertyId, before any authorization.
func (h *Handler) checkLinked(req *request, linkedAction, linked, path string) error {
	segs := strings.Split(linked, "/")
	if len(segs) < 9 || segs[0] != "" || !eq(segs[1], segSubscriptions) || segs[2] == "" || !eq(segs[3], segResourceGroups) ||
		segs[4] == "" || !eq(segs[5], segProviders) || strings.Contains(linked, "//") {
		return badNetwork("LinkedInvalidPropertyId",
			"Property id '%s' at path '%s' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.", clip(linked), path)
	}
	d, err := h.cfg.Authz.AuthorizeManagement(req.ctx(), req.caller, linkedAction, linked)
	if err != nil || d.Allowed {
		return err
	}
	return linkedDenied(req.caller, req.spec.Action, req.route.scope, linkedAction, linked)
}

func (h *Handler) putPE(w http.ResponseWriter, req *request) error {
	var in peIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	loc, err := regional(in.Location, in.Tags)
	if err != nil {
		return err
	}
	if in.Properties == nil || in.Properties.Subnet == nil || in.Properties.Subnet.ID == "" {
		return badNetwork("InvalidRequestFormat", "Cannot parse the request: the private endpoint needs properties.subnet.id.")
	}
	g, err := h.netGroup(req)
	if err != nil {
		return err
	}
	p := scopevault.PrivateEndpoint{
		Name: req.route.name, SubscriptionID: req.sub.ID, ResourceGroup: g.Name, Location: loc, Tags: in.Tags,
		SubnetID: in.Properties.Subnet.ID, CustomNICName: in.Properties.CustomNetworkInterfaceName,
	}
	for i, list := range [][]plsConnJSON{in.Properties.PrivateLinkServiceConnections, in.Properties.ManualPrivateLinkServiceConnections} {
		for _, c := range list {
			p.Connections = append(p.Connections, scopevault.PrivateLinkConnection{
				Name: c.Name, TargetID: c.Properties.PrivateLinkServiceID, GroupIDs: c.Properties.GroupIDs,
				RequestMessage: c.Properties.RequestMessage, Manual: i == 1,
			})
		}
	}
	for _, ipc := range in.Properties.IPConfigurations {
		if g := ipc.Properties.GroupID; g != "" && !strings.EqualFold(g, "vault") || ipc.Properties.MemberName != "" && !strings.EqualFold(ipc.Properties.MemberName, "default") {
			return badNetwork("PrivateEndpointBadRequest",
				"The ipConfiguration '%s' names group '%s' and member '%s'; a vault's private endpoint has group 'vault' and member 'default'.", clip(ipc.Name), clip(g), clip(ipc.Properties.MemberName))
		}
		if p.PrivateIP != "" && p.PrivateIP != ipc.Properties.PrivateIPAddress {
			return badNetwork("PrivateEndpointBadRequest", "A vault's private endpoint has one private IP address; the ipConfigurations name two.")
		}
		p.PrivateIP = ipc.Properties.PrivateIPAddress
	}
	if err := h.checkLinked(req, actJoinSubnet, p.SubnetID, "properties.subnet.id"); err != nil {
		return err
	}
	// Each target must be a live vault of that id; the creator's own
	// approval right on it decides whether an automatic connection is
	// approved at once (reference §3.5).
	approve := map[string]bool{}
	for _, c := range p.Connections {
		if c.VaultName() == "" {
			continue // rm refuses the id with its own message
		}
		v, err := h.cfg.Engine.Vault(req.ctx(), c.VaultName())
		if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && !strings.EqualFold(v.ResourceID(), c.TargetID) {
			return badNetwork("PrivateEndpointBadRequest",
				"Call to Microsoft.KeyVault/vaults failed. Error message: The private link resource '%s' was not found.", clip(c.TargetID))
		}
		if err != nil {
			return err
		}
		d, err := h.cfg.Authz.AuthorizeManagement(req.ctx(), req.caller, actApproveConnection, v.ResourceID())
		if err != nil {
			return err
		}
		approve[strings.ToLower(c.TargetID)] = d.Allowed
	}
	out, created, err := h.cfg.RM.PutPrivateEndpoint(req.ctx(), p, func(c scopevault.PrivateLinkConnection) bool {
		return approve[strings.ToLower(c.TargetID)]
	})
	if err != nil {
		return err
	}
	return h.writePE(w, out, createdStatus(created), req)
}

func (h *Handler) writePE(w http.ResponseWriter, p *scopevault.PrivateEndpoint, status int, req *request) error {
	return writeNet(h, w, req, status, func(net *scopevault.Network) peJSON { return renderPE(p, net) })
}

func (h *Handler) getPE(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	p, err := h.cfg.RM.PrivateEndpoint(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	return h.writePE(w, p, http.StatusOK, req)
}

func (h *Handler) deletePE(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeletePrivateEndpoint(req.ctx(), req.sub.ID, req.route.group, req.route.name))
}

func (h *Handler) listPEs(w http.ResponseWriter, req *request) error {
	seen, err := listVisible(h, req, h.cfg.RM.PrivateEndpoints, (*scopevault.PrivateEndpoint).ResourceID)
	if err != nil {
		return err
	}
	return writeNetList(h, w, req, seen, renderPE)
}
