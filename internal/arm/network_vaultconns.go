package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Microsoft.KeyVault/vaults/{vault}/privateEndpointConnections/{name}: the
// vault owner's side of each private endpoint's connection (reference
// §3.5). GET, list, PUT (Approved, Rejected or Disconnected, with a
// description) and DELETE (the endpoint then shows Disconnected). The same
// objects appear in the vault's properties.privateEndpointConnections.

const peConnType = nsKeyVault + "/" + typeVaults + "/" + typePEConns

type vaultPEConnPropsJSON struct {
	PrivateEndpoint                   *idJSON        `json:"privateEndpoint,omitempty"`
	PrivateLinkServiceConnectionState *connStateJSON `json:"privateLinkServiceConnectionState,omitempty"`
	ProvisioningState                 string         `json:"provisioningState,omitempty"`
}

type vaultPEConnJSON struct {
	ID         string               `json:"id"`
	Name       string               `json:"name,omitempty"`
	Type       string               `json:"type,omitempty"`
	Location   string               `json:"location,omitempty"`
	Etag       string               `json:"etag,omitempty"`
	Properties vaultPEConnPropsJSON `json:"properties"`
}

// vaultPEConnItemJSON is the shape inside a vault's properties.
type vaultPEConnItemJSON struct {
	ID         string               `json:"id"`
	Etag       string               `json:"etag,omitempty"`
	Properties vaultPEConnPropsJSON `json:"properties"`
}

func renderVaultPEConn(v *scopevault.Vault, c *scopevault.PrivateEndpointConnection) vaultPEConnJSON {
	return vaultPEConnJSON{
		ID: v.ResourceID() + "/" + typePEConns + "/" + c.Name, Name: c.Name, Type: peConnType, Location: v.Location, Etag: c.ETag,
		Properties: vaultPEConnPropsJSON{
			PrivateEndpoint:                   &idJSON{ID: c.PrivateEndpointID},
			PrivateLinkServiceConnectionState: &connStateJSON{Status: c.Status, Description: c.Description, ActionsRequired: orNone(c.ActionsRequired)},
			ProvisioningState:                 orSucceeded(c.ProvisioningState),
		},
	}
}

func orSucceeded(s string) string {
	if s == "" {
		return provisionedOK
	}
	return s
}

// vaultPEConnItems is a vault's properties.privateEndpointConnections; nil
// when it has none, as the service omits the property.
func vaultPEConnItems(v *scopevault.Vault, net *scopevault.Network) []vaultPEConnItemJSON {
	if net == nil {
		return nil
	}
	var out []vaultPEConnItemJSON
	for _, c := range net.VaultConnections(v.Name) {
		j := renderVaultPEConn(v, c)
		out = append(out, vaultPEConnItemJSON{ID: j.ID, Etag: j.Etag, Properties: j.Properties})
	}
	return out
}

// routeVault is the route's live vault in the route's group.
func (h *Handler) routeVault(req *request) (*scopevault.Vault, error) {
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return nil, err
	}
	v, err := h.cfg.Engine.Vault(req.ctx(), req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND ||
		err == nil && (!strings.EqualFold(v.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(v.ResourceGroup, g.Name)) {
		return nil, errVaultNotFound(req.route.name, req.route.group)
	}
	return v, err
}

func (h *Handler) getVaultPEConn(w http.ResponseWriter, req *request) error {
	v, err := h.routeVault(req)
	if err != nil {
		return err
	}
	c, err := h.cfg.RM.VaultConnection(req.ctx(), v.Name, req.route.child)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderVaultPEConn(v, c))
	return nil
}

func (h *Handler) listVaultPEConns(w http.ResponseWriter, req *request) error {
	v, err := h.routeVault(req)
	if err != nil {
		return err
	}
	all, err := h.cfg.RM.VaultConnections(req.ctx(), v.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderAll(all, func(c *scopevault.PrivateEndpointConnection) vaultPEConnJSON { return renderVaultPEConn(v, c) }))
	return nil
}

type vaultPEConnIn struct {
	Etag       string `json:"etag"`
	Properties *struct {
		PrivateLinkServiceConnectionState *connStateJSON `json:"privateLinkServiceConnectionState"`
	} `json:"properties"`
}

// putVaultPEConn is the owner's answer: approve, reject or disconnect.
func (h *Handler) putVaultPEConn(w http.ResponseWriter, req *request) error {
	var in vaultPEConnIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if in.Properties == nil || in.Properties.PrivateLinkServiceConnectionState == nil || in.Properties.PrivateLinkServiceConnectionState.Status == "" {
		return badVault("The parameter 'properties.privateLinkServiceConnectionState.status' is required.")
	}
	v, err := h.routeVault(req)
	if err != nil {
		return err
	}
	st := in.Properties.PrivateLinkServiceConnectionState
	c, err := h.cfg.RM.SetVaultConnectionState(req.ctx(), v.Name, req.route.child, st.Status, st.Description)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderVaultPEConn(v, c))
	return nil
}

// deleteVaultPEConn removes the vault's side; it answers 200 with the
// connection as it was, which azcore's and core-lro's pollers take as done.
func (h *Handler) deleteVaultPEConn(w http.ResponseWriter, req *request) error {
	v, err := h.routeVault(req)
	if err != nil {
		return err
	}
	c, err := h.cfg.RM.VaultConnection(req.ctx(), v.Name, req.route.child)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.cfg.RM.DeleteVaultConnection(req.ctx(), v.Name, c.Name); err != nil {
		return err
	}
	c.Status, c.ProvisioningState = scopevault.ConnectionDisconnected, "Deleting"
	writeJSON(w, http.StatusOK, renderVaultPEConn(v, c))
	return nil
}

// network is the network snapshot a vault is rendered with; a failure to
// read it renders the vault without its connections rather than failing
// the vault's own read (it is logged).
func (h *Handler) network(req *request) *scopevault.Network {
	net, err := h.cfg.RM.Network(req.ctx())
	if err != nil {
		h.cfg.Logger.Error("arm: reading the network", "err", err)
		return nil
	}
	return net
}
