package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// The generic resource list (Microsoft.Resources, api-version 2015-11-01 and
// later): GET /subscriptions/{sub}[/resourceGroups/{rg}]/resources with
// $filter=resourceType eq '...'. armkeyvault's NewListPager and the JS
// client's vaults.list() page through it. Vaults are the resources served.

// genericResourceJSON is GenericResourceExpanded's slice that lists return.
type genericResourceJSON struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags"`
}

// resourceTypeFilter parses "resourceType eq 'X'" (the one filter the
// clients send); "" means no filter.
func resourceTypeFilter(f string) (string, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return "", nil
	}
	const prefix = "resourcetype eq '"
	if !strings.HasPrefix(strings.ToLower(f), prefix) || !strings.HasSuffix(f, "'") || len(f) <= len(prefix) {
		return "", scopevault.Errorf(scopevault.EINVALID, "InvalidFilterInQueryString",
			"Invalid $filter '%s'. Supported: resourceType eq 'Microsoft.KeyVault/vaults'.", clip(f))
	}
	return f[len(prefix) : len(f)-1], nil
}

func (h *Handler) listResources(w http.ResponseWriter, req *request) error {
	typ, err := resourceTypeFilter(req.r.URL.Query().Get("$filter"))
	if err != nil {
		return err
	}
	out := listJSON[genericResourceJSON]{Value: []genericResourceJSON{}}
	if typ != "" && !strings.EqualFold(typ, nsKeyVault+"/"+typeVaults) {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	vaults, err := h.vaultsIn(req, req.route.group)
	if err != nil {
		return err
	}
	seen, err := visible(h, req, req.route.scope, vaults, func(v *scopevault.Vault) string { return v.ResourceID() })
	if err != nil {
		return err
	}
	for _, v := range seen {
		tags := v.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		out.Value = append(out.Value, genericResourceJSON{ID: v.ResourceID(), Name: v.Name, Type: nsKeyVault + "/" + typeVaults, Location: v.Location, Tags: tags})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
