package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Microsoft.Network/networkInterfaces/{nic}: the interface Azure makes for
// each private endpoint (networkInterfaces[0].id of the endpoint). It is
// read-only and exists as long as its endpoint; how-tos read the endpoint's
// address from it (ipConfigurations[0].properties.privateIPAddress).

type nicIPConfigJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Properties struct {
		ProvisioningState               string `json:"provisioningState"`
		PrivateIPAddress                string `json:"privateIPAddress"`
		PrivateIPAllocationMethod       string `json:"privateIPAllocationMethod"`
		PrivateIPAddressVersion         string `json:"privateIPAddressVersion"`
		Subnet                          idJSON `json:"subnet"`
		Primary                         bool   `json:"primary"`
		PrivateLinkConnectionProperties struct {
			GroupID            string   `json:"groupId"`
			RequiredMemberName string   `json:"requiredMemberName"`
			Fqdns              []string `json:"fqdns"`
		} `json:"privateLinkConnectionProperties"`
	} `json:"properties"`
}

type nicJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Location   string `json:"location"`
	Etag       string `json:"etag"`
	Properties struct {
		ProvisioningState           string            `json:"provisioningState"`
		ResourceGUID                string            `json:"resourceGuid"`
		IPConfigurations            []nicIPConfigJSON `json:"ipConfigurations"`
		PrivateEndpoint             idJSON            `json:"privateEndpoint"`
		NicType                     string            `json:"nicType"`
		EnableAcceleratedNetworking bool              `json:"enableAcceleratedNetworking"`
		EnableIPForwarding          bool              `json:"enableIPForwarding"`
	} `json:"properties"`
}

const nicType = nsNetwork + "/" + typeNICs

func renderNIC(p *scopevault.PrivateEndpoint) nicJSON {
	var j nicJSON
	j.ID = nicID(p)
	j.Name, j.Type, j.Location, j.Etag = j.ID[strings.LastIndex(j.ID, "/")+1:], nicType, p.Location, etagOf(j.ID, p.Updated)
	j.Properties.ProvisioningState, j.Properties.ResourceGUID = provisionedOK, stableGUID(j.ID)
	j.Properties.PrivateEndpoint, j.Properties.NicType = idJSON{ID: p.ResourceID()}, "Standard"
	j.Properties.IPConfigurations = []nicIPConfigJSON{}
	for _, c := range p.Connections {
		var ipc nicIPConfigJSON
		ipc.Name = "privateEndpointIpConfig." + stableGUID(j.ID+"|"+c.Name)
		ipc.ID, ipc.Type = j.ID+"/ipConfigurations/"+ipc.Name, nicType+"/ipConfigurations"
		ipc.Properties.ProvisioningState, ipc.Properties.PrivateIPAddress = provisionedOK, p.PrivateIP
		ipc.Properties.PrivateIPAllocationMethod, ipc.Properties.PrivateIPAddressVersion = "Dynamic", "IPv4"
		ipc.Properties.Subnet, ipc.Properties.Primary = idJSON{ID: p.SubnetID}, true
		ipc.Properties.PrivateLinkConnectionProperties.GroupID = "vault"
		ipc.Properties.PrivateLinkConnectionProperties.RequiredMemberName = "default"
		ipc.Properties.PrivateLinkConnectionProperties.Fqdns = []string{strings.ToLower(c.VaultName()) + ".vault.azure.net"}
		j.Properties.IPConfigurations = append(j.Properties.IPConfigurations, ipc)
	}
	return j
}

// getNIC finds the private endpoint whose interface the route names.
func (h *Handler) getNIC(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	all, err := h.cfg.RM.PrivateEndpoints(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	for _, p := range all {
		if strings.EqualFold(nicID(p), req.route.scope) {
			writeJSON(w, http.StatusOK, renderNIC(p))
			return nil
		}
	}
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.Network/networkInterfaces/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", clip(req.route.name), clip(req.route.group))
}
