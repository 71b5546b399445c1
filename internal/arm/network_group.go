package arm

import (
	"context"

	"github.com/scopevault/scopevault"
)

// Deleting a resource group deletes its network resources (group_contents.go):
// endpoints first (they hold subnets and zone records), then zones with
// their links, then networks. Workspaces go before all of them, so their
// subnets are free by then.

func ignoreNotFound(err error) error {
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil
	}
	return err
}

func (h *Handler) deletePEsIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	all, err := h.cfg.RM.PrivateEndpoints(ctx, g.SubscriptionID, g.Name)
	if err != nil {
		return err
	}
	for _, p := range all {
		if err := ignoreNotFound(h.cfg.RM.DeletePrivateEndpoint(ctx, p.SubscriptionID, p.ResourceGroup, p.Name)); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) deleteZonesIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	all, err := h.cfg.RM.PrivateDNSZones(ctx, g.SubscriptionID, g.Name)
	if err != nil {
		return err
	}
	for _, z := range all {
		for _, l := range z.Links {
			if err := ignoreNotFound(h.cfg.RM.DeleteVNetLink(ctx, z.SubscriptionID, z.ResourceGroup, z.Name, l.Name)); err != nil {
				return err
			}
		}
		if err := ignoreNotFound(h.cfg.RM.DeletePrivateDNSZone(ctx, z.SubscriptionID, z.ResourceGroup, z.Name)); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) deleteVNetsIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	all, err := h.cfg.RM.VirtualNetworks(ctx, g.SubscriptionID, g.Name)
	if err != nil {
		return err
	}
	for _, n := range all {
		if err := ignoreNotFound(h.cfg.RM.DeleteVirtualNetwork(ctx, n.SubscriptionID, n.ResourceGroup, n.Name)); err != nil {
			return err
		}
	}
	return nil
}
