package arm

import (
	"net/http"
)

// Routes of the Microsoft.Network provider (reference §3.5, §4.1):
//
//	/subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Network/virtualNetworks
//	.../resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}[/subnets[/{subnet}]]
//	/subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Network/privateEndpoints
//	.../resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{pe}[/privateDnsZoneGroups[/{name}]]
//	/subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Network/privateDnsZones
//	.../resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{zone}[/virtualNetworkLinks[/{link}]]
//	.../privateDnsZones/{zone}/A[/{name}], .../privateDnsZones/{zone}/ALL (and /recordsets)
//
// The route's name is the top resource's, child the nested one's; kind is a
// record type. Every scope is the full id of what is addressed, so a grant
// on a network covers its subnets as in Azure.

const (
	nsNetwork       = "Microsoft.Network"
	typeVNets       = "virtualNetworks"
	typeSubnets     = "subnets"
	typePEs         = "privateEndpoints"
	typeZoneGroups  = "privateDnsZoneGroups"
	typeZones       = "privateDnsZones"
	typeVNetLinks   = "virtualNetworkLinks"
	typeRecordA     = "A"
	typeRecordsAll  = "ALL"
	typeRecordSets  = "recordsets"
	typePEConns     = "privateEndpointConnections"
	typeNICs        = "networkInterfaces"
	locationGlobal  = "global"
	provisionedOK   = "Succeeded"
	networkProvider = "/" + segProviders + "/" + nsNetwork + "/"
)

func networkScope(sub, group, typ, name string) string {
	return groupScope(sub, group) + networkProvider + typ + "/" + name
}

// networkSubRoute handles /subscriptions/{sub}/providers/Microsoft.Network/{rest}.
func networkSubRoute(method, sub string, rest []string) (route, error) {
	rt := route{sub: sub, scope: subScope(sub)}
	if len(rest) == 1 {
		switch {
		case eq(rest[0], typeVNets):
			return methods(method, rt, map[string]op{http.MethodGet: opListVNetsBySub})
		case eq(rest[0], typePEs):
			return methods(method, rt, map[string]op{http.MethodGet: opListPEsBySub})
		case eq(rest[0], typeZones):
			return methods(method, rt, map[string]op{http.MethodGet: opListZonesBySub})
		}
	}
	return route{}, errResourceType(rest, nsNetwork)
}

// networkGroupRoute handles .../resourceGroups/{rg}/providers/Microsoft.Network/{rest}.
func networkGroupRoute(method string, rt route, rest []string) (route, error) {
	if len(rest) == 0 {
		return route{}, errResourceType(rest, nsNetwork)
	}
	typ := rest[0]
	if len(rest) == 1 {
		switch {
		case eq(typ, typeVNets):
			return methods(method, rt, map[string]op{http.MethodGet: opListVNetsByGroup})
		case eq(typ, typePEs):
			return methods(method, rt, map[string]op{http.MethodGet: opListPEsByGroup})
		case eq(typ, typeZones):
			return methods(method, rt, map[string]op{http.MethodGet: opListZonesByGroup})
		}
		return route{}, errResourceType(rest, nsNetwork)
	}
	rt.name = rest[1]
	switch {
	case eq(typ, typeVNets):
		rt.scope = networkScope(rt.sub, rt.group, typeVNets, rt.name)
		return childRoute(method, rt, rest[2:], typeSubnets,
			map[string]op{http.MethodPut: opPutVNet, http.MethodGet: opGetVNet, http.MethodDelete: opDeleteVNet, http.MethodPatch: opPatchVNet},
			map[string]op{http.MethodGet: opListSubnets},
			map[string]op{http.MethodPut: opPutSubnet, http.MethodGet: opGetSubnet, http.MethodDelete: opDeleteSubnet})
	case eq(typ, typePEs):
		rt.scope = networkScope(rt.sub, rt.group, typePEs, rt.name)
		return childRoute(method, rt, rest[2:], typeZoneGroups,
			map[string]op{http.MethodPut: opPutPE, http.MethodGet: opGetPE, http.MethodDelete: opDeletePE},
			map[string]op{http.MethodGet: opListZoneGroups},
			map[string]op{http.MethodPut: opPutZoneGroup, http.MethodGet: opGetZoneGroup, http.MethodDelete: opDeleteZoneGroup})
	case eq(typ, typeZones):
		rt.scope = networkScope(rt.sub, rt.group, typeZones, rt.name)
		return zoneRoute(method, rt, rest[2:])
	case eq(typ, typeNICs) && len(rest) == 2:
		// Only private endpoints' interfaces exist here, read-only.
		rt.scope = networkScope(rt.sub, rt.group, typeNICs, rt.name)
		return methods(method, rt, map[string]op{http.MethodGet: opGetNIC})
	}
	return route{}, errResourceType(rest, nsNetwork)
}

// childRoute resolves a resource ({rest} empty), its children's collection
// or one child.
func childRoute(method string, rt route, rest []string, child string, self, list, one map[string]op) (route, error) {
	switch {
	case len(rest) == 0:
		return methods(method, rt, self)
	case len(rest) == 1 && eq(rest[0], child):
		return methods(method, rt, list)
	case len(rest) == 2 && eq(rest[0], child):
		rt.child, rt.scope = rest[1], rt.scope+"/"+child+"/"+rest[1]
		return methods(method, rt, one)
	}
	return route{}, errResourceType(rest, nsNetwork)
}

// zoneRoute resolves a private DNS zone and what hangs off it.
func zoneRoute(method string, rt route, rest []string) (route, error) {
	switch {
	case len(rest) == 0:
		return methods(method, rt, map[string]op{http.MethodPut: opPutZone, http.MethodGet: opGetZone, http.MethodDelete: opDeleteZone, http.MethodPatch: opPatchZone})
	case eq(rest[0], typeVNetLinks):
		return childRoute(method, rt, rest, typeVNetLinks, nil,
			map[string]op{http.MethodGet: opListVNetLinks},
			map[string]op{http.MethodPut: opPutVNetLink, http.MethodGet: opGetVNetLink, http.MethodDelete: opDeleteVNetLink, http.MethodPatch: opPatchVNetLink})
	case len(rest) == 1 && (eq(rest[0], typeRecordsAll) || eq(rest[0], typeRecordSets)):
		return methods(method, rt, map[string]op{http.MethodGet: opListRecordSets})
	case eq(rest[0], typeRecordA) && len(rest) <= 2:
		rt.kind = typeRecordA
		return childRoute(method, rt, rest, typeRecordA, nil,
			map[string]op{http.MethodGet: opListARecords},
			map[string]op{http.MethodPut: opPutARecord, http.MethodGet: opGetARecord, http.MethodDelete: opDeleteARecord, http.MethodPatch: opPatchARecord})
	case len(rest) <= 2 && isRecordType(rest[0]):
		return route{}, errRecordType(rest[0])
	}
	return route{}, errResourceType(rest, nsNetwork)
}
