package arm

import (
	"context"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Microsoft.Network/privateDnsZones (api-version 2024-06-01, the one
// armprivatedns v1.3 sends; 2018-09-01 and 2020-06-01 have the same
// shapes): zones (location "global"), their virtualNetworkLinks and A
// record sets. Zone and link writes are long-running in Azure; answering
// with provisioningState "Succeeded" ends the clients' pollers at once.

type zonePropsJSON struct {
	MaxNumberOfRecordSets                          int64  `json:"maxNumberOfRecordSets"`
	MaxNumberOfVirtualNetworkLinks                 int64  `json:"maxNumberOfVirtualNetworkLinks"`
	MaxNumberOfVirtualNetworkLinksWithRegistration int64  `json:"maxNumberOfVirtualNetworkLinksWithRegistration"`
	NumberOfRecordSets                             int64  `json:"numberOfRecordSets"`
	NumberOfVirtualNetworkLinks                    int64  `json:"numberOfVirtualNetworkLinks"`
	NumberOfVirtualNetworkLinksWithRegistration    int64  `json:"numberOfVirtualNetworkLinksWithRegistration"`
	ProvisioningState                              string `json:"provisioningState"`
	InternalID                                     string `json:"internalId"`
}

type zoneJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Etag       string            `json:"etag"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties zonePropsJSON     `json:"properties"`
}

type linkJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Etag       string            `json:"etag"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties struct {
		VirtualNetwork          idJSON `json:"virtualNetwork"`
		RegistrationEnabled     bool   `json:"registrationEnabled"`
		VirtualNetworkLinkState string `json:"virtualNetworkLinkState"`
		ProvisioningState       string `json:"provisioningState"`
	} `json:"properties"`
}

type aRecordJSON struct {
	IPv4Address string `json:"ipv4Address"`
}

type soaRecordJSON struct {
	Email        string `json:"email"`
	ExpireTime   int64  `json:"expireTime"`
	Host         string `json:"host"`
	MinimumTTL   int64  `json:"minimumTtl"`
	RefreshTime  int64  `json:"refreshTime"`
	RetryTime    int64  `json:"retryTime"`
	SerialNumber int64  `json:"serialNumber"`
}

type recordSetJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Etag       string `json:"etag"`
	Properties struct {
		Metadata         map[string]string `json:"metadata,omitempty"`
		TTL              int64             `json:"ttl"`
		FQDN             string            `json:"fqdn"`
		IsAutoRegistered bool              `json:"isAutoRegistered"`
		ARecords         []aRecordJSON     `json:"aRecords,omitempty"`
		SOARecord        *soaRecordJSON    `json:"soaRecord,omitempty"`
	} `json:"properties"`
}

type zoneIn struct {
	Location *string           `json:"location"`
	Tags     map[string]string `json:"tags"`
}

type linkIn struct {
	Location   *string           `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties *struct {
		VirtualNetwork      *idJSON `json:"virtualNetwork"`
		RegistrationEnabled bool    `json:"registrationEnabled"`
	} `json:"properties"`
}

type recordSetIn struct {
	Properties *struct {
		TTL      *int64        `json:"ttl"`
		ARecords []aRecordJSON `json:"aRecords"`
	} `json:"properties"`
}

const (
	zoneType      = nsNetwork + "/" + typeZones
	linkType      = zoneType + "/" + typeVNetLinks
	defaultZoneTT = 3600
)

// DNS record types a private zone has; scopevault serves A only.
var recordTypes = map[string]bool{"a": true, "aaaa": true, "cname": true, "mx": true, "ptr": true, "soa": true, "srv": true, "txt": true}

func isRecordType(s string) bool { return recordTypes[strings.ToLower(s)] }

func errRecordType(t string) error {
	return badNetwork("UnsupportedRecordType", "The record type '%s' is not supported by scopevault; private DNS zones here hold A record sets.", clip(t))
}

// checkGlobal accepts a missing location or "global", the only location of
// private DNS resources.
func checkGlobal(loc *string) error {
	if loc == nil || strings.EqualFold(strings.TrimSpace(*loc), locationGlobal) {
		return nil
	}
	return scopevault.Errorf(scopevault.EINVALID, "LocationNotAvailableForResourceType",
		"The provided location '%s' is not available for resource type 'Microsoft.Network/privateDnsZones'. List of available regions for the resource type is 'global'.", clip(*loc))
}

func renderZone(z *scopevault.PrivateDNSZone) zoneJSON {
	var reg int64
	for _, l := range z.Links {
		if l.RegistrationEnabled {
			reg++
		}
	}
	return zoneJSON{
		ID: z.ResourceID(), Name: z.Name, Type: zoneType, Etag: etagOf(z.ResourceID(), z.Updated), Location: locationGlobal, Tags: z.Tags,
		Properties: zonePropsJSON{
			MaxNumberOfRecordSets: 25000, MaxNumberOfVirtualNetworkLinks: 1000, MaxNumberOfVirtualNetworkLinksWithRegistration: 100,
			NumberOfRecordSets: int64(len(z.A)) + 1, NumberOfVirtualNetworkLinks: int64(len(z.Links)), NumberOfVirtualNetworkLinksWithRegistration: reg,
			ProvisioningState: provisionedOK, InternalID: stableGUID(z.ResourceID() + "|" + z.Created.String()),
		},
	}
}

func renderLink(z *scopevault.PrivateDNSZone, l *scopevault.VNetLink) linkJSON {
	var j linkJSON
	j.ID = z.ResourceID() + "/" + typeVNetLinks + "/" + l.Name
	j.Name, j.Type, j.Etag, j.Location, j.Tags = l.Name, linkType, etagOf(j.ID, z.Updated), locationGlobal, l.Tags
	j.Properties.VirtualNetwork = idJSON{ID: l.VirtualNetworkID}
	j.Properties.RegistrationEnabled = l.RegistrationEnabled
	j.Properties.VirtualNetworkLinkState = "Completed"
	j.Properties.ProvisioningState = provisionedOK
	return j
}

func renderARecord(z *scopevault.PrivateDNSZone, r *scopevault.ARecordSet) recordSetJSON {
	var j recordSetJSON
	j.ID = z.ResourceID() + "/" + typeRecordA + "/" + r.Name
	j.Name, j.Type, j.Etag = r.Name, zoneType+"/"+typeRecordA, etagOf(j.ID+"|"+strings.Join(r.IPv4, ","), z.Updated)
	j.Properties.TTL, j.Properties.FQDN = r.TTL, r.Name+"."+z.Name+"."
	j.Properties.ARecords = []aRecordJSON{}
	for _, ip := range r.IPv4 {
		j.Properties.ARecords = append(j.Properties.ARecords, aRecordJSON{IPv4Address: ip})
	}
	return j
}

// renderSOA is the zone's SOA record set, which Azure makes with the zone.
func renderSOA(z *scopevault.PrivateDNSZone) recordSetJSON {
	var j recordSetJSON
	j.ID = z.ResourceID() + "/SOA/@"
	j.Name, j.Type, j.Etag = "@", zoneType+"/SOA", etagOf(j.ID, z.Created)
	j.Properties.TTL, j.Properties.FQDN = 3600, z.Name+"."
	j.Properties.SOARecord = &soaRecordJSON{Email: "azureprivatedns-host.microsoft.com", ExpireTime: 2419200, Host: "azureprivatedns.net",
		MinimumTTL: 10, RefreshTime: 3600, RetryTime: 300, SerialNumber: 1}
	return j
}

func (h *Handler) putZone(w http.ResponseWriter, req *request) error {
	var in zoneIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if err := checkGlobal(in.Location); err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	g, err := h.netGroup(req)
	if err != nil {
		return err
	}
	if done, err := conditional(w, req, "private DNS zone", req.route.name, h.zoneETag); done || err != nil {
		return err
	}
	z, created, err := h.cfg.RM.PutPrivateDNSZone(req.ctx(), scopevault.PrivateDNSZone{Name: req.route.name, SubscriptionID: req.sub.ID, ResourceGroup: g.Name, Tags: in.Tags})
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), renderZone(z))
	return nil
}

// zone loads the route's zone, after its group.
func (h *Handler) zone(req *request) (*scopevault.PrivateDNSZone, error) {
	if _, err := h.netGroup(req); err != nil {
		return nil, err
	}
	return h.cfg.RM.PrivateDNSZone(req.ctx(), req.sub.ID, req.route.group, req.route.name)
}

func (h *Handler) getZone(w http.ResponseWriter, req *request) error {
	z, err := h.zone(req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderZone(z))
	return nil
}

func (h *Handler) deleteZone(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeletePrivateDNSZone(req.ctx(), req.sub.ID, req.route.group, req.route.name))
}

func (h *Handler) listZones(w http.ResponseWriter, req *request) error {
	seen, err := listVisible(h, req, h.cfg.RM.PrivateDNSZones, (*scopevault.PrivateDNSZone).ResourceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderAll(seen, renderZone))
	return nil
}

func (h *Handler) putVNetLink(w http.ResponseWriter, req *request) error {
	var in linkIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if err := checkGlobal(in.Location); err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	if in.Properties == nil || in.Properties.VirtualNetwork == nil || in.Properties.VirtualNetwork.ID == "" {
		return badNetwork("BadRequest", "The virtual network link '%s' needs properties.virtualNetwork.id.", clip(req.route.child))
	}
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	if err := h.checkLinked(req, "Microsoft.Network/virtualNetworks/join/action", in.Properties.VirtualNetwork.ID, "properties.virtualNetwork.id"); err != nil {
		return err
	}
	if done, err := conditional(w, req, "virtual network link", req.route.child, h.linkETag); done || err != nil {
		return err
	}
	_, created, err := h.cfg.RM.PutVNetLink(req.ctx(), req.sub.ID, req.route.group, req.route.name, scopevault.VNetLink{
		Name: req.route.child, VirtualNetworkID: in.Properties.VirtualNetwork.ID, RegistrationEnabled: in.Properties.RegistrationEnabled, Tags: in.Tags,
	})
	if err != nil {
		return err
	}
	return h.writeLink(w, req, createdStatus(created))
}

// writeZoneChild writes the route's child of a zone (a link, a record set)
// as it is now; when the zone has none of that name, the store's own read
// of it gives the not-found error.
func writeZoneChild[T, J any](h *Handler, w http.ResponseWriter, req *request, status int, children func(*scopevault.PrivateDNSZone) []T,
	name func(*T) string, render func(*scopevault.PrivateDNSZone, *T) J, read func(ctx context.Context, sub, group, zone, name string) (*T, error)) error {
	z, err := h.zone(req)
	if err != nil {
		return err
	}
	all := children(z)
	for i := range all {
		if strings.EqualFold(name(&all[i]), req.route.child) {
			writeJSON(w, status, render(z, &all[i]))
			return nil
		}
	}
	_, err = read(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child)
	return err
}

func (h *Handler) writeLink(w http.ResponseWriter, req *request, status int) error {
	return writeZoneChild(h, w, req, status, func(z *scopevault.PrivateDNSZone) []scopevault.VNetLink { return z.Links },
		func(l *scopevault.VNetLink) string { return l.Name }, renderLink, h.cfg.RM.VNetLink)
}

func (h *Handler) getVNetLink(w http.ResponseWriter, req *request) error {
	return h.writeLink(w, req, http.StatusOK)
}

func (h *Handler) deleteVNetLink(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeleteVNetLink(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child))
}

func (h *Handler) listVNetLinks(w http.ResponseWriter, req *request) error {
	z, err := h.zone(req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderAll(elems(z.Links), func(l *scopevault.VNetLink) linkJSON { return renderLink(z, l) }))
	return nil
}

func (h *Handler) putARecord(w http.ResponseWriter, req *request) error {
	var in recordSetIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	r := scopevault.ARecordSet{Name: req.route.child, TTL: defaultZoneTT}
	if p := in.Properties; p != nil {
		if p.TTL != nil {
			r.TTL = *p.TTL
		}
		for _, a := range p.ARecords {
			r.IPv4 = append(r.IPv4, a.IPv4Address)
		}
	}
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	if done, err := conditional(w, req, "record set", req.route.child, h.recordETag); done || err != nil {
		return err
	}
	_, created, err := h.cfg.RM.PutARecordSet(req.ctx(), req.sub.ID, req.route.group, req.route.name, r)
	if err != nil {
		return err
	}
	return h.writeARecord(w, req, createdStatus(created))
}

func (h *Handler) writeARecord(w http.ResponseWriter, req *request, status int) error {
	return writeZoneChild(h, w, req, status, func(z *scopevault.PrivateDNSZone) []scopevault.ARecordSet { return z.A },
		func(r *scopevault.ARecordSet) string { return r.Name }, renderARecord, h.cfg.RM.ARecordSet)
}

func (h *Handler) getARecord(w http.ResponseWriter, req *request) error {
	return h.writeARecord(w, req, http.StatusOK)
}

func (h *Handler) deleteARecord(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeleteARecordSet(req.ctx(), req.sub.ID, req.route.group, req.route.name, req.route.child))
}

func (h *Handler) listARecords(w http.ResponseWriter, req *request) error {
	return h.listRecords(w, req, false)
}

func (h *Handler) listRecordSets(w http.ResponseWriter, req *request) error {
	return h.listRecords(w, req, true)
}

// listRecords lists the zone's A record sets, with its SOA when all types
// are asked for.
func (h *Handler) listRecords(w http.ResponseWriter, req *request, all bool) error {
	z, err := h.zone(req)
	if err != nil {
		return err
	}
	out := renderAll(elems(z.A), func(r *scopevault.ARecordSet) recordSetJSON { return renderARecord(z, r) })
	if all {
		out.Value = append(out.Value, renderSOA(z))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
