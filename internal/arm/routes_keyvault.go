package arm

import (
	"net/http"
	"strings"
)

// Routes of the Microsoft.KeyVault provider (reference §1.1).

const (
	typeDeletedVaults    = "deletedVaults"
	typeLocations        = "locations"
	typeOperationResults = "operationResults"
	segAccessPolicies    = "accessPolicies"
	segPurge             = "purge"
	segCheckName         = "checkNameAvailability"
)

// keyVaultScope is /subscriptions/{sub}/providers/Microsoft.KeyVault.
func keyVaultScope(sub string) string {
	return subScope(sub) + "/" + segProviders + "/" + nsKeyVault
}

func locationScope(sub, location string) string {
	return keyVaultScope(sub) + "/" + typeLocations + "/" + location
}

// deletedVaultScope is a soft-deleted vault's id: deleted vaults belong to
// the subscription and location, not to a resource group.
func deletedVaultScope(sub, location, name string) string {
	return locationScope(sub, location) + "/" + typeDeletedVaults + "/" + name
}

// keyVaultSubRoute handles /subscriptions/{sub}/providers/Microsoft.KeyVault/{rest}.
func keyVaultSubRoute(method, sub string, rest []string) (route, error) {
	rt := route{sub: sub, scope: subScope(sub)}
	switch {
	case len(rest) == 1 && eq(rest[0], typeVaults):
		return methods(method, rt, map[string]op{http.MethodGet: opListVaultsBySub})
	case len(rest) == 1 && eq(rest[0], typeDeletedVaults):
		return methods(method, rt, map[string]op{http.MethodGet: opListDeletedVaults})
	case len(rest) == 1 && eq(rest[0], segCheckName):
		return methods(method, rt, map[string]op{http.MethodPost: opCheckVaultName})
	case len(rest) >= 3 && eq(rest[0], typeLocations):
		rt.location = rest[1]
		rt.scope = locationScope(sub, rt.location)
		switch {
		case len(rest) == 3 && eq(rest[2], typeDeletedVaults):
			return methods(method, rt, map[string]op{http.MethodGet: opListDeletedVaultsByLocation})
		case len(rest) == 4 && eq(rest[2], typeDeletedVaults):
			rt.name, rt.scope = rest[3], deletedVaultScope(sub, rt.location, rest[3])
			return methods(method, rt, map[string]op{http.MethodGet: opGetDeletedVault})
		case len(rest) == 5 && eq(rest[2], typeDeletedVaults) && eq(rest[4], segPurge):
			rt.name, rt.scope = rest[3], deletedVaultScope(sub, rt.location, rest[3])
			return methods(method, rt, map[string]op{http.MethodPost: opPurgeDeletedVault})
		case len(rest) == 4 && eq(rest[2], typeOperationResults):
			rt.kind = rest[3]
			return methods(method, rt, map[string]op{http.MethodGet: opGetVaultOperation})
		}
	}
	return route{}, errResourceType(rest, nsKeyVault)
}

// keyVaultGroupRoute handles
// /subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.KeyVault/{rest};
// rt carries the subscription, group and group scope.
func keyVaultGroupRoute(method string, rt route, rest []string) (route, error) {
	if len(rest) == 0 || !eq(rest[0], typeVaults) {
		return route{}, errResourceType(rest, nsKeyVault)
	}
	switch len(rest) {
	case 1:
		return methods(method, rt, map[string]op{http.MethodGet: opListVaultsByGroup})
	case 2:
		rt.name, rt.scope = rest[1], vaultScope(rt.sub, rt.group, rest[1])
		return methods(method, rt, map[string]op{
			http.MethodPut: opPutVault, http.MethodGet: opGetVault, http.MethodPatch: opPatchVault, http.MethodDelete: opDeleteVault,
		})
	case 3:
		if eq(rest[2], typePEConns) {
			rt.name, rt.scope = rest[1], vaultScope(rt.sub, rt.group, rest[1])+"/"+typePEConns
			return methods(method, rt, map[string]op{http.MethodGet: opListVaultPEConns})
		}
	case 4:
		if eq(rest[2], typePEConns) {
			rt.name, rt.child, rt.scope = rest[1], rest[3], vaultScope(rt.sub, rt.group, rest[1])+"/"+typePEConns+"/"+rest[3]
			return methods(method, rt, map[string]op{http.MethodGet: opGetVaultPEConn, http.MethodPut: opPutVaultPEConn, http.MethodDelete: opDeleteVaultPEConn})
		}
		if eq(rest[2], segAccessPolicies) {
			rt.name, rt.scope, rt.kind = rest[1], vaultScope(rt.sub, rt.group, rest[1]), strings.ToLower(rest[3])
			return methods(method, rt, map[string]op{http.MethodPut: opUpdateAccessPolicy})
		}
	}
	return route{}, errResourceType(rest[2:], nsKeyVault)
}
