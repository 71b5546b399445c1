package arm

import (
	"net/http"

	"github.com/scopevault/scopevault"
)

// PATCH: a virtual network's tags (VirtualNetworks.UpdateTags), and the
// private DNS updates (a zone's tags, a link's tags and registration, a
// record set's TTL and addresses). What the body leaves out is kept. Each
// is the resource's own PUT with the merged fields, so it validates the
// same way, and answers 200 with the resource.

type tagsIn struct {
	Tags map[string]string `json:"tags"`
}

func (h *Handler) patchVNet(w http.ResponseWriter, req *request) error {
	var in tagsIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	n, err := h.cfg.RM.VirtualNetwork(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	if in.Tags != nil {
		n.Tags = in.Tags
	}
	out, _, err := h.cfg.RM.PutVirtualNetwork(req.ctx(), *n)
	if err != nil {
		return err
	}
	return writeNet(h, w, req, http.StatusOK, func(net *scopevault.Network) vnetJSON { return renderVNet(out, net) })
}

func (h *Handler) patchZone(w http.ResponseWriter, req *request) error {
	var in tagsIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	z, err := h.zone(req)
	if err != nil {
		return err
	}
	if in.Tags != nil {
		z.Tags = in.Tags
	}
	out, _, err := h.cfg.RM.PutPrivateDNSZone(req.ctx(), *z)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderZone(out))
	return nil
}

func (h *Handler) patchVNetLink(w http.ResponseWriter, req *request) error {
	var in struct {
		Tags       map[string]string `json:"tags"`
		Properties *struct {
			RegistrationEnabled *bool `json:"registrationEnabled"`
		} `json:"properties"`
	}
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	if _, err := h.zone(req); err != nil {
		return err
	}
	l, err := h.cfg.RM.VNetLink(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child)
	if err != nil {
		return err
	}
	if in.Tags != nil {
		l.Tags = in.Tags
	}
	if in.Properties != nil && in.Properties.RegistrationEnabled != nil {
		l.RegistrationEnabled = *in.Properties.RegistrationEnabled
	}
	if _, _, err := h.cfg.RM.PutVNetLink(req.ctx(), req.sub.ID, req.route.group, req.route.name, *l); err != nil {
		return err
	}
	return h.writeLink(w, req, http.StatusOK)
}

func (h *Handler) patchARecord(w http.ResponseWriter, req *request) error {
	var in struct {
		Properties *struct {
			TTL      *int64         `json:"ttl"`
			ARecords *[]aRecordJSON `json:"aRecords"`
		} `json:"properties"`
	}
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if _, err := h.zone(req); err != nil {
		return err
	}
	r, err := h.cfg.RM.ARecordSet(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child)
	if err != nil {
		return err
	}
	if p := in.Properties; p != nil {
		if p.TTL != nil {
			r.TTL = *p.TTL
		}
		if p.ARecords != nil {
			r.IPv4 = nil
			for _, a := range *p.ARecords {
				r.IPv4 = append(r.IPv4, a.IPv4Address)
			}
		}
	}
	if _, _, err := h.cfg.RM.PutARecordSet(req.ctx(), req.sub.ID, req.route.group, req.route.name, scopevault.ARecordSet{
		Name: r.Name, TTL: r.TTL, IPv4: r.IPv4, Owner: r.Owner,
	}); err != nil {
		return err
	}
	return h.writeARecord(w, req, http.StatusOK)
}
