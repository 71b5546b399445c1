package arm

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Zone groups.

type zoneRecordJSON struct {
	RecordType        string   `json:"recordType"`
	RecordSetName     string   `json:"recordSetName"`
	FQDN              string   `json:"fqdn"`
	TTL               int64    `json:"ttl"`
	IPAddresses       []string `json:"ipAddresses"`
	ProvisioningState string   `json:"provisioningState"`
}

type zoneConfigJSON struct {
	Name       string `json:"name"`
	Properties struct {
		PrivateDNSZoneID string           `json:"privateDnsZoneId"`
		RecordSets       []zoneRecordJSON `json:"recordSets,omitempty"`
	} `json:"properties"`
}

type zoneGroupJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Etag       string `json:"etag"`
	Properties struct {
		ProvisioningState     string           `json:"provisioningState"`
		PrivateDNSZoneConfigs []zoneConfigJSON `json:"privateDnsZoneConfigs"`
	} `json:"properties"`
}

type zoneGroupIn struct {
	Properties *struct {
		PrivateDNSZoneConfigs []struct {
			Name       string `json:"name"`
			Properties *struct {
				PrivateDNSZoneID string `json:"privateDnsZoneId"`
			} `json:"properties"`
		} `json:"privateDnsZoneConfigs"`
	} `json:"properties"`
}

// renderZoneGroup shows each zone's record sets that hold the endpoint's IP.
func renderZoneGroup(p *scopevault.PrivateEndpoint, g *scopevault.DNSZoneGroup, net *scopevault.Network) zoneGroupJSON {
	var out zoneGroupJSON
	out.ID = p.ResourceID() + "/" + typeZoneGroups + "/" + g.Name
	out.Name, out.Type, out.Etag = g.Name, zoneGroupType, etagOf(out.ID, p.Updated)
	out.Properties.ProvisioningState = provisionedOK
	out.Properties.PrivateDNSZoneConfigs = []zoneConfigJSON{}
	for _, c := range g.Configs {
		var cj zoneConfigJSON
		cj.Name = c.Name
		cj.Properties.PrivateDNSZoneID = c.ZoneID
		for _, z := range net.Zones {
			if !strings.EqualFold(z.ResourceID(), c.ZoneID) {
				continue
			}
			for _, r := range z.A {
				for _, ip := range r.IPv4 {
					if ip == p.PrivateIP && p.TargetsVault(r.Name) {
						cj.Properties.RecordSets = append(cj.Properties.RecordSets, zoneRecordJSON{
							RecordType: "A", RecordSetName: r.Name, FQDN: r.Name + "." + z.Name, TTL: r.TTL,
							IPAddresses: r.IPv4, ProvisioningState: provisionedOK,
						})
					}
				}
			}
		}
		out.Properties.PrivateDNSZoneConfigs = append(out.Properties.PrivateDNSZoneConfigs, cj)
	}
	return out
}

func (h *Handler) putZoneGroup(w http.ResponseWriter, req *request) error {
	var in zoneGroupIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	g := scopevault.DNSZoneGroup{Name: req.route.child}
	if in.Properties != nil {
		for _, c := range in.Properties.PrivateDNSZoneConfigs {
			if c.Properties == nil || c.Properties.PrivateDNSZoneID == "" {
				return badNetwork("InvalidRequestFormat", "Cannot parse the request: privateDnsZoneConfigs '%s' has no properties.privateDnsZoneId.", clip(c.Name))
			}
			g.Configs = append(g.Configs, scopevault.DNSZoneConfig{Name: c.Name, ZoneID: c.Properties.PrivateDNSZoneID})
		}
	}
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	for i, c := range g.Configs {
		if err := h.checkLinked(req, actJoinZone, c.ZoneID, fmt.Sprintf("properties.privateDnsZoneConfigs[%d].properties.privateDnsZoneId", i)); err != nil {
			return err
		}
	}
	_, missing := h.cfg.RM.DNSZoneGroup(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child)
	if _, err := h.cfg.RM.PutDNSZoneGroup(req.ctx(), req.sub.ID, req.route.group, req.route.name, g); err != nil {
		return err
	}
	return h.writeZoneGroup(w, req, createdStatus(missing != nil))
}

func (h *Handler) writeZoneGroup(w http.ResponseWriter, req *request, status int) error {
	p, err := h.cfg.RM.PrivateEndpoint(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	g, err := h.cfg.RM.DNSZoneGroup(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child)
	if err != nil {
		return err
	}
	return writeNet(h, w, req, status, func(net *scopevault.Network) zoneGroupJSON { return renderZoneGroup(p, g, net) })
}

func (h *Handler) getZoneGroup(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	return h.writeZoneGroup(w, req, http.StatusOK)
}

func (h *Handler) deleteZoneGroup(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeleteDNSZoneGroup(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child))
}

func (h *Handler) listZoneGroups(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	p, err := h.cfg.RM.PrivateEndpoint(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	return writeNetList(h, w, req, elems(p.DNSZoneGroups), func(g *scopevault.DNSZoneGroup, net *scopevault.Network) zoneGroupJSON {
		return renderZoneGroup(p, g, net)
	})
}
