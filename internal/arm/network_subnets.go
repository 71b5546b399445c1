package arm

import (
	"net/http"

	"github.com/scopevault/scopevault"
)

// Subnets on their own (the network's PUT carries them inline too).

func (h *Handler) putSubnet(w http.ResponseWriter, req *request) error {
	var in subnetIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	s, err := parseSubnet(req.route.child, in.Properties)
	if err != nil {
		return err
	}
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	_, created, err := h.cfg.RM.PutSubnet(req.ctx(), req.sub.ID, req.route.group, req.route.name, s)
	if err != nil {
		return err
	}
	return h.writeSubnet(w, req, createdStatus(created))
}

// writeSubnet renders the route's subnet as it is now.
func (h *Handler) writeSubnet(w http.ResponseWriter, req *request, status int) error {
	n, err := h.cfg.RM.VirtualNetwork(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	s := n.Subnet(req.route.child)
	if s == nil {
		return scopevault.Errorf(scopevault.ENOTFOUND, "NotFound", "Resource %s not found.", clip(n.SubnetID(req.route.child)))
	}
	return writeNet(h, w, req, status, func(net *scopevault.Network) subnetJSON { return renderSubnet(n, s, net) })
}

func (h *Handler) getSubnet(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	return h.writeSubnet(w, req, http.StatusOK)
}

func (h *Handler) deleteSubnet(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeleteSubnet(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child))
}

func (h *Handler) listSubnets(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	n, err := h.cfg.RM.VirtualNetwork(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	return writeNetList(h, w, req, elems(n.Subnets), func(s *scopevault.Subnet, net *scopevault.Network) subnetJSON {
		return renderSubnet(n, s, net)
	})
}
