package arm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/scopevault/scopevault"
)

// groupContents is the one registry of what a resource group holds.
// Deleting a group deletes each kind, in this order, through the same code
// its own DELETE runs, so a kind added to the control plane is deleted with
// its group by adding one row here. Role assignments at and under the group
// go last, once nothing below can hold new ones.
//
// It is filled in init because deleting a workspace deletes its managed
// resource group, through this same registry.
var groupContents []groupContent

type groupContent struct {
	kind     string
	deleteIn func(h *Handler, ctx context.Context, g *scopevault.ResourceGroup) error
}

func init() {
	groupContents = []groupContent{
		{workspaceType, (*Handler).deleteWorkspacesIn},
		{peType, (*Handler).deletePEsIn},
		{zoneType, (*Handler).deleteZonesIn},
		{vnetType, (*Handler).deleteVNetsIn},
		{nsKeyVault + "/" + typeVaults, (*Handler).deleteVaultsIn},
		{userAssignedType, (*Handler).deleteIdentitiesIn},
		{nsAuthorization + "/" + typeAssignments, (*Handler).deleteAssignmentsIn},
	}
}

// deleteGroupContents empties g. A failure stops it; the group stays, and
// deleting it again picks up where this stopped.
func (h *Handler) deleteGroupContents(ctx context.Context, g *scopevault.ResourceGroup) error {
	for _, c := range groupContents {
		if err := c.deleteIn(h, ctx, g); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) deleteWorkspacesIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	all, err := h.cfg.RM.ListWorkspaces(ctx, g.SubscriptionID, g.Name)
	if err != nil {
		return err
	}
	for _, ws := range all {
		if err := h.removeWorkspace(ctx, ws); err != nil {
			return err
		}
	}
	return nil
}

// deleteVaultsIn soft-deletes the group's vaults: they stay recoverable
// under their subscription and location, as in Azure.
func (h *Handler) deleteVaultsIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	all, err := h.cfg.Engine.ListVaults(ctx)
	if err != nil {
		return err
	}
	for _, v := range all {
		if v.Deleted != nil || !strings.EqualFold(v.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(v.ResourceGroup, g.Name) {
			continue
		}
		if _, err := h.cfg.Engine.DeleteVault(ctx, v.SubscriptionID, v.ResourceGroup, v.Name); err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
			return err
		}
	}
	return nil
}

func (h *Handler) deleteIdentitiesIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	all, err := h.cfg.RM.ListIdentities(ctx, g.SubscriptionID, g.Name)
	if err != nil {
		return err
	}
	for _, u := range all {
		if err := h.removeIdentity(ctx, u.SubscriptionID, u.ResourceGroup, u.Name); err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
			return err
		}
	}
	return nil
}

func (h *Handler) deleteAssignmentsIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	_, err := h.cfg.Authz.DeleteAssignmentsUnder(ctx, g.ID())
	return err
}

// checkDenyAssignment refuses any write, delete or action at or under a
// group another resource manages (a workspace's managed resource group),
// whatever roles the caller holds, as the deny assignment Azure places on
// such a group does; reads stay allowed. The managing resource changes the
// group through its provider, never through this gate.
func (h *Handler) checkDenyAssignment(req *request, scope string) error {
	if strings.HasSuffix(req.spec.Action, "/read") {
		return nil
	}
	segs := segments(scope)
	if len(segs) < 4 || !eq(segs[0], segSubscriptions) || !eq(segs[2], segResourceGroups) {
		return nil
	}
	g, err := h.cfg.RM.Group(req.ctx(), segs[1], segs[3])
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil
	}
	if err != nil || g.ManagedBy == "" {
		return err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(g.ManagedBy)))
	return scopevault.Errorf(scopevault.EFORBIDDEN, "DenyAssignmentAuthorizationFailed",
		"The client '%s' with object id '%s' has permission to perform action '%s' on scope '%s'; however, the access is denied because of the deny assignment with name 'System deny assignment created by Azure Databricks %s' and Id '%s' at scope '%s'.",
		req.caller.ObjectID, req.caller.ObjectID, req.spec.Action, clip(scope), g.ManagedBy, hex.EncodeToString(sum[:16]), g.ID())
}
