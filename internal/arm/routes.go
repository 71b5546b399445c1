package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// dialect is the error and header vocabulary a request is answered in.
type dialect int

const (
	dialectARM dialect = iota
	dialectGraph
)

// graphVersion is the Graph path prefix served.
const graphVersion = "v1.0"

func dialectOf(path string) dialect {
	segs := segments(path)
	if len(segs) > 0 && strings.EqualFold(segs[0], graphVersion) {
		return dialectGraph
	}
	return dialectARM
}

// route is a resolved request: the operation and its path parameters.
type route struct {
	op    op
	sub   string // subscription id as written in the path ("" for tenant-level routes)
	group string // resource group name as written
	name  string // vault name, assignment name, role definition id or directory object id
	// byAppID is set for Graph's servicePrincipals(appId='...') addressing.
	byAppID bool
	// member is a group member's object id (Graph groups/{id}/members/{member}/$ref).
	member string
	// scope is the ARM scope the operation's action is checked at.
	scope string
	// location is a Key Vault location segment (deleted vaults, operation results).
	location string
	// kind is an access-policy operation kind (add, replace, remove), an
	// operation id or a DNS record type.
	kind string
	// child is a nested resource's name (a subnet, zone group, link, record
	// set or private endpoint connection); name is then its parent's.
	child string
}

// Literal path segments, in ARM's canonical casing: ids are rendered with
// these, whatever casing the client used.
const (
	segSubscriptions  = "subscriptions"
	segResourceGroups = "resourceGroups"
	segProviders      = "providers"
	nsKeyVault        = "Microsoft.KeyVault"
	nsAuthorization   = "Microsoft.Authorization"
	typeVaults        = "vaults"
	typeAssignments   = "roleAssignments"
	typeRoleDefs      = "roleDefinitions"
)

func segments(path string) []string {
	var out []string
	for _, s := range strings.Split(path, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func eq(a, b string) bool { return strings.EqualFold(a, b) }

func subScope(sub string) string { return "/" + segSubscriptions + "/" + sub }

func groupScope(sub, group string) string {
	return subScope(sub) + "/" + segResourceGroups + "/" + group
}

func vaultScope(sub, group, name string) string {
	return groupScope(sub, group) + "/" + segProviders + "/" + nsKeyVault + "/" + typeVaults + "/" + name
}

// parseRoute maps method and (unescaped) path to an operation. ARM compares
// literal segments case-insensitively.
func parseRoute(method, path string) (route, error) {
	segs := segments(path)
	if len(segs) > 0 && eq(segs[0], graphVersion) {
		return graphRoute(method, segs[1:])
	}
	// The Authorization provider hangs off any scope: the last
	// providers/Microsoft.Authorization pair splits scope from resource.
	for i := len(segs) - 2; i >= 0; i-- {
		if eq(segs[i], segProviders) && eq(segs[i+1], nsAuthorization) {
			return authorizationRoute(method, segs[:i], segs[i+2:])
		}
	}
	if len(segs) == 0 || !eq(segs[0], segSubscriptions) {
		return route{}, errNoRoute(path)
	}
	if len(segs) == 1 {
		return methods(method, route{scope: "/"}, map[string]op{http.MethodGet: opListSubscriptions})
	}
	sub := segs[1]
	rest := segs[2:]
	switch {
	case len(rest) == 0:
		return methods(method, route{sub: sub, scope: subScope(sub)}, map[string]op{http.MethodGet: opGetSubscription})
	case eq(rest[0], segResourceGroups):
		return groupRoute(method, sub, rest[1:])
	case eq(rest[0], "resources") && len(rest) == 1:
		return methods(method, route{sub: sub, scope: subScope(sub)}, map[string]op{http.MethodGet: opListResources})
	case eq(rest[0], segProviders) && len(rest) >= 2:
		if eq(rest[1], nsManagedIdentity) {
			return identitySubRoute(method, sub, rest[2:])
		}
		if eq(rest[1], nsDatabricks) {
			return databricksSubRoute(method, sub, rest[2:])
		}
		if eq(rest[1], nsNetwork) {
			return networkSubRoute(method, sub, rest[2:])
		}
		if !eq(rest[1], nsKeyVault) {
			return route{}, errNamespace(rest[1])
		}
		return keyVaultSubRoute(method, sub, rest[2:])
	}
	return route{}, errNoRoute(path)
}

func groupRoute(method, sub string, rest []string) (route, error) {
	if len(rest) == 0 {
		return methods(method, route{sub: sub, scope: subScope(sub)}, map[string]op{http.MethodGet: opListGroups})
	}
	group := rest[0]
	rt := route{sub: sub, group: group, scope: groupScope(sub, group)}
	rest = rest[1:]
	switch {
	case len(rest) == 0:
		return methods(method, rt, map[string]op{
			http.MethodPut: opPutGroup, http.MethodGet: opGetGroup, http.MethodHead: opCheckGroup, http.MethodDelete: opDeleteGroup,
		})
	case eq(rest[0], "resources") && len(rest) == 1:
		return methods(method, rt, map[string]op{http.MethodGet: opListResources})
	case eq(rest[0], segProviders) && len(rest) >= 2:
		if eq(rest[1], nsManagedIdentity) {
			return identityGroupRoute(method, rt, rest[2:])
		}
		if eq(rest[1], nsDatabricks) {
			return databricksGroupRoute(method, rt, rest[2:])
		}
		if eq(rest[1], nsNetwork) {
			return networkGroupRoute(method, rt, rest[2:])
		}
		if !eq(rest[1], nsKeyVault) {
			return route{}, errNamespace(rest[1])
		}
		return keyVaultGroupRoute(method, rt, rest[2:])
	}
	return route{}, errNoRoute("/" + strings.Join(rest, "/"))
}

// authorizationRoute handles {scope}/providers/Microsoft.Authorization/{type}[/{name}].
func authorizationRoute(method string, scopeSegs, rest []string) (route, error) {
	scope := "/" + strings.Join(scopeSegs, "/")
	rt := route{scope: scope}
	if len(scopeSegs) > 0 {
		if !eq(scopeSegs[0], segSubscriptions) || len(scopeSegs) < 2 {
			return route{}, scopevault.Errorf(scopevault.EINVALID, "InvalidScope",
				"The scope '%s' is not supported: scopes are '/' or start with /subscriptions/{subscriptionId}.", clip(scope))
		}
		rt.sub = scopeSegs[1]
	}
	if len(rest) == 0 || len(rest) > 2 {
		return route{}, errResourceType(rest, nsAuthorization)
	}
	if len(rest) == 2 {
		rt.name = rest[1]
	}
	switch {
	case eq(rest[0], typeAssignments) && len(rest) == 1:
		return methods(method, rt, map[string]op{http.MethodGet: opListAssignments})
	case eq(rest[0], typeAssignments):
		return methods(method, rt, map[string]op{http.MethodPut: opPutAssignment, http.MethodGet: opGetAssignment, http.MethodDelete: opDeleteAssignment})
	case eq(rest[0], typeRoleDefs) && len(rest) == 1:
		return methods(method, rt, map[string]op{http.MethodGet: opListRoles})
	case eq(rest[0], typeRoleDefs):
		return methods(method, rt, map[string]op{http.MethodGet: opGetRole, http.MethodPut: opPutRole, http.MethodDelete: opDeleteRole})
	}
	return route{}, errResourceType(rest, nsAuthorization)
}

// methods picks the operation for method among those the path supports.
func methods(method string, rt route, byMethod map[string]op) (route, error) {
	o, ok := byMethod[method]
	if !ok {
		return route{}, scopevault.Errorf(scopevault.EINVALID, reasonMethodNotAllowed,
			"The requested resource does not support http method '%s'.", clip(method))
	}
	rt.op = o
	return rt, nil
}

const reasonMethodNotAllowed = "MethodNotAllowed"

func errNoRoute(path string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "InvalidRequestUri", "No route matches the request URI '%s'.", clip(path))
}

func errNamespace(ns string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", clip(ns))
}

func errResourceType(rest []string, ns string) error {
	t := ""
	if len(rest) > 0 {
		t = rest[0]
	}
	return scopevault.Errorf(scopevault.ENOTFOUND, "InvalidResourceType",
		"The resource type '%s' could not be found in the namespace '%s'.", clip(t), ns)
}
