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

// deleteEach deletes each of the group's resources of one kind; one that
// is gone by then is no error.
func deleteEach[T any](ctx context.Context, g *scopevault.ResourceGroup, fetch func(ctx context.Context, sub, group string) ([]T, error), del func(T) error) error {
	all, err := fetch(ctx, g.SubscriptionID, g.Name)
	if err != nil {
		return err
	}
	for _, it := range all {
		if err := ignoreNotFound(del(it)); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) deletePEsIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	return deleteEach(ctx, g, h.cfg.RM.PrivateEndpoints, func(p *scopevault.PrivateEndpoint) error {
		return h.cfg.RM.DeletePrivateEndpoint(ctx, p.SubscriptionID, p.ResourceGroup, p.Name)
	})
}

func (h *Handler) deleteZonesIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	return deleteEach(ctx, g, h.cfg.RM.PrivateDNSZones, func(z *scopevault.PrivateDNSZone) error {
		for _, l := range z.Links {
			if err := ignoreNotFound(h.cfg.RM.DeleteVNetLink(ctx, z.SubscriptionID, z.ResourceGroup, z.Name, l.Name)); err != nil {
				return err
			}
		}
		return h.cfg.RM.DeletePrivateDNSZone(ctx, z.SubscriptionID, z.ResourceGroup, z.Name)
	})
}

func (h *Handler) deleteVNetsIn(ctx context.Context, g *scopevault.ResourceGroup) error {
	return deleteEach(ctx, g, h.cfg.RM.VirtualNetworks, func(n *scopevault.VirtualNetwork) error {
		return h.cfg.RM.DeleteVirtualNetwork(ctx, n.SubscriptionID, n.ResourceGroup, n.Name)
	})
}
