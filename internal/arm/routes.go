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
	// scope is the ARM scope the operation's action is checked at.
	scope string
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
	case eq(rest[0], segProviders) && len(rest) >= 2:
		if !eq(rest[1], nsKeyVault) {
			return route{}, errNamespace(rest[1])
		}
		if len(rest) == 3 && eq(rest[2], typeVaults) {
			return methods(method, route{sub: sub, scope: subScope(sub)}, map[string]op{http.MethodGet: opListVaultsBySub})
		}
		return route{}, errResourceType(rest[2:], nsKeyVault)
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
	case eq(rest[0], segProviders) && len(rest) >= 2:
		if !eq(rest[1], nsKeyVault) {
			return route{}, errNamespace(rest[1])
		}
		switch {
		case len(rest) == 3 && eq(rest[2], typeVaults):
			return methods(method, rt, map[string]op{http.MethodGet: opListVaultsByGroup})
		case len(rest) == 4 && eq(rest[2], typeVaults):
			rt.name, rt.scope = rest[3], vaultScope(sub, group, rest[3])
			return methods(method, rt, map[string]op{http.MethodPut: opPutVault, http.MethodGet: opGetVault})
		}
		return route{}, errResourceType(rest[2:], nsKeyVault)
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
		return methods(method, rt, map[string]op{http.MethodGet: opGetRole})
	}
	return route{}, errResourceType(rest, nsAuthorization)
}

// graphRoute handles /v1.0/{entitySet}[/{id}] and servicePrincipals(appId='{appId}').
func graphRoute(method string, segs []string) (route, error) {
	if len(segs) == 1 {
		if appID, ok := appIDKey(segs[0]); ok {
			return methods(method, route{name: appID, byAppID: true}, map[string]op{http.MethodGet: opGetSP})
		}
	}
	switch {
	case len(segs) == 1 && eq(segs[0], "servicePrincipals"):
		return methods(method, route{}, map[string]op{http.MethodPost: opCreateSP, http.MethodGet: opListSPs})
	case len(segs) == 2 && eq(segs[0], "servicePrincipals"):
		return methods(method, route{name: segs[1]}, map[string]op{http.MethodGet: opGetSP})
	case len(segs) == 2 && eq(segs[0], "users"):
		return methods(method, route{name: segs[1]}, map[string]op{http.MethodGet: opGetUser})
	case len(segs) == 2 && eq(segs[0], "directoryObjects"):
		return methods(method, route{name: segs[1]}, map[string]op{http.MethodGet: opGetDirectoryObject})
	}
	seg := ""
	if len(segs) > 0 {
		seg = segs[0]
	}
	return route{}, scopevault.Errorf(scopevault.EINVALID, "BadRequest", "Resource not found for the segment '%s'.", clip(seg))
}

// appIDKey parses Graph's alternate key form servicePrincipals(appId='...').
func appIDKey(seg string) (string, bool) {
	const prefix = "serviceprincipals(appid='"
	if len(seg) <= len(prefix)+2 || !strings.EqualFold(seg[:len(prefix)], prefix) || !strings.HasSuffix(seg, "')") {
		return "", false
	}
	return seg[len(prefix) : len(seg)-2], true
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
