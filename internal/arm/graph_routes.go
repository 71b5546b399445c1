package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// graphRoute maps /v1.0/{entitySet}[/{id}[/{navigation}...]] to an
// operation. Entity sets compare case-insensitively, as Graph's do. Objects
// are addressed by object id, or by Graph's alternate keys:
// servicePrincipals(appId='...'), applications(appId='...') and a user's
// userPrincipalName.
//
// scopevault/managedIdentities is scopevault's own entity set (Graph has no
// way to create a managed identity); see graph_msi.go.
func graphRoute(method string, segs []string) (route, error) {
	if len(segs) == 0 {
		return route{}, errGraphSegment("")
	}
	set, rest := segs[0], segs[1:]
	// servicePrincipals(appId='x') and applications(appId='x') stand for "set/x".
	for _, s := range []string{"servicePrincipals", "applications"} {
		if appID, ok := appIDKey(set, s); ok {
			return graphObjectRoute(method, s, route{name: appID, byAppID: true}, rest)
		}
	}
	switch {
	case eq(set, "scopevault") && len(rest) >= 1 && eq(rest[0], "managedIdentities"):
		switch len(rest) {
		case 1:
			return methods(method, route{}, map[string]op{http.MethodPost: opCreateMI, http.MethodGet: opListMIs})
		case 2:
			return methods(method, route{name: rest[1]}, map[string]op{http.MethodGet: opGetMI})
		}
	case len(rest) == 0 && eq(set, "servicePrincipals"):
		return methods(method, route{}, map[string]op{http.MethodPost: opCreateSP, http.MethodGet: opListSPs})
	case len(rest) == 0 && eq(set, "applications"):
		return methods(method, route{}, map[string]op{http.MethodPost: opCreateApp, http.MethodGet: opListApps})
	case len(rest) == 1 && eq(set, "directoryObjects") && eq(rest[0], "getByIds"):
		return methods(method, route{}, map[string]op{http.MethodPost: opGetByIDs})
	case len(rest) == 0 && eq(set, "me"):
		return methods(method, route{}, map[string]op{http.MethodGet: opGetMe})
	case len(rest) == 0 && eq(set, "users"):
		return methods(method, route{}, map[string]op{http.MethodPost: opCreateUser, http.MethodGet: opListUsers})
	case len(rest) == 0 && eq(set, "groups"):
		return methods(method, route{}, map[string]op{http.MethodPost: opCreateGroup, http.MethodGet: opListGroupsGraph})
	case len(rest) >= 1:
		return graphObjectRoute(method, set, route{name: rest[0]}, rest[1:])
	}
	return route{}, errGraphSegment(set)
}

// graphObjectRoute handles what follows one object: nothing (the object
// itself) or a navigation such as members/$ref or addPassword.
func graphObjectRoute(method, set string, rt route, nav []string) (route, error) {
	switch {
	case len(nav) == 0 && eq(set, "servicePrincipals"):
		return methods(method, rt, map[string]op{http.MethodGet: opGetSP})
	case len(nav) == 0 && eq(set, "applications"):
		return methods(method, rt, map[string]op{http.MethodGet: opGetApp, http.MethodPatch: opPatchApp})
	case len(nav) == 0 && eq(set, "users") && !rt.byAppID:
		return methods(method, rt, map[string]op{http.MethodGet: opGetUser})
	case len(nav) == 0 && eq(set, "groups") && !rt.byAppID:
		return methods(method, rt, map[string]op{http.MethodGet: opGetGroupGraph})
	case len(nav) == 0 && eq(set, "directoryObjects") && !rt.byAppID:
		return methods(method, rt, map[string]op{http.MethodGet: opGetDirectoryObject})
	case len(nav) == 1 && (eq(set, "servicePrincipals") || eq(set, "applications")) && eq(nav[0], "addPassword"):
		return methods(method, rt, map[string]op{http.MethodPost: opAddPassword})
	case len(nav) == 1 && (eq(set, "servicePrincipals") || eq(set, "applications")) && eq(nav[0], "removePassword"):
		return methods(method, rt, map[string]op{http.MethodPost: opRemovePassword})
	case eq(set, "groups") && !rt.byAppID && len(nav) >= 1 && eq(nav[0], "members"):
		switch {
		case len(nav) == 1:
			return methods(method, rt, map[string]op{http.MethodGet: opListMembers})
		case len(nav) == 2 && nav[1] == "$ref":
			return methods(method, rt, map[string]op{http.MethodPost: opAddMember})
		case len(nav) == 3 && nav[2] == "$ref":
			rt.member = nav[1]
			return methods(method, rt, map[string]op{http.MethodDelete: opRemoveMember})
		}
	}
	if len(nav) > 0 {
		return route{}, errGraphSegment(nav[0])
	}
	return route{}, errGraphSegment(set)
}

func errGraphSegment(seg string) error {
	return scopevault.Errorf(scopevault.EINVALID, "BadRequest", "Resource not found for the segment '%s'.", clip(seg))
}

// appIDKey parses Graph's alternate key form {set}(appId='...').
func appIDKey(seg, set string) (string, bool) {
	prefix := set + "(appid='"
	if len(seg) <= len(prefix)+2 || !strings.EqualFold(seg[:len(prefix)], prefix) || !strings.HasSuffix(seg, "')") {
		return "", false
	}
	return seg[len(prefix) : len(seg)-2], true
}
