package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// POST /v1.0/directoryObjects/getByIds: how az resolves a GUID --assignee
// (role/custom.py _get_object_stubs) and names the principals of `az role
// assignment list`. Ids that name nothing are left out, as Graph does.

// maxGetByIds is Graph's limit on ids in one call.
const maxGetByIds = 1000

type getByIDsIn struct {
	IDs   []string `json:"ids"`
	Types []string `json:"types"`
}

func (h *Handler) getByIDs(w http.ResponseWriter, req *request) error {
	var in getByIDsIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if len(in.IDs) == 0 || len(in.IDs) > maxGetByIds {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Invalid value specified for property 'ids': between 1 and %d ids are required.", maxGetByIds)
	}
	kinds := map[scopevault.PrincipalKind]bool{}
	for _, t := range in.Types {
		switch strings.ToLower(strings.TrimPrefix(strings.ToLower(t), "microsoft.graph.")) {
		case "user":
			kinds[scopevault.KindUser] = true
		case "group":
			kinds[scopevault.KindGroup] = true
		case "serviceprincipal":
			kinds[scopevault.KindServicePrincipal], kinds[scopevault.KindManagedIdentity] = true, true
		case "directoryobjectpartnerreference", "application", "device", "orgcontact":
			// Kinds scopevault has none of.
		default:
			return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
				"Invalid value specified for property 'types': '%s' is not a directory object type.", clip(t))
		}
	}
	ctxURL := graphBase + "$metadata#directoryObjects"
	out := graphListJSON[any]{ODataContext: ctxURL, Value: []any{}}
	seen := map[string]bool{}
	for _, id := range in.IDs {
		id = strings.ToLower(id)
		if seen[id] || !scopevault.ValidGUID(id) {
			continue
		}
		seen[id] = true
		p, err := h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, id)
		if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if len(kinds) > 0 && !kinds[p.Kind] {
			continue
		}
		out.Value = append(out.Value, renderDirectoryObject(p, ""))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
