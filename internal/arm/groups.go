package arm

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/scopevault/scopevault"
)

type groupJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	ManagedBy  string            `json:"managedBy,omitempty"`
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

type groupIn struct {
	Location *string           `json:"location"`
	Tags     map[string]string `json:"tags"`
}

func renderGroup(g *scopevault.ResourceGroup) groupJSON {
	out := groupJSON{ID: g.ID(), Name: g.Name, Type: "Microsoft.Resources/resourceGroups", Location: g.Location, Tags: g.Tags, ManagedBy: g.ManagedBy}
	out.Properties.ProvisioningState = "Succeeded"
	return out
}

func (h *Handler) putGroup(w http.ResponseWriter, req *request) error {
	var in groupIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if in.Location == nil || strings.TrimSpace(*in.Location) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "LocationRequired", "The location property is required for this definition.")
	}
	loc, err := normalizeLocation(*in.Location)
	if err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	g, created, err := h.cfg.RM.PutGroup(req.ctx(), scopevault.ResourceGroup{
		SubscriptionID: req.sub.ID, Name: req.route.group, Location: loc, Tags: in.Tags,
	})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, renderGroup(g))
	return nil
}

func (h *Handler) getGroup(w http.ResponseWriter, req *request) error {
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderGroup(g))
	return nil
}

// checkGroup is HEAD: 204 when the group exists, 404 (no body) when not.
func (h *Handler) checkGroup(w http.ResponseWriter, req *request) error {
	if _, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteGroup removes a resource group with everything it holds, each kind
// through its provider (group_contents.go).
func (h *Handler) deleteGroup(w http.ResponseWriter, req *request) error {
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	if err := h.deleteGroupContents(req.ctx(), g); err != nil {
		return err
	}
	if err := h.cfg.RM.DeleteGroup(req.ctx(), req.sub.ID, g.Name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) listGroups(w http.ResponseWriter, req *request) error {
	all, err := h.cfg.RM.ListGroups(req.ctx(), req.sub.ID)
	if err != nil {
		return err
	}
	seen, err := visible(h, req, req.route.scope, all, func(g *scopevault.ResourceGroup) string { return g.ID() })
	if err != nil {
		return err
	}
	out := listJSON[groupJSON]{Value: []groupJSON{}}
	for _, g := range seen {
		out.Value = append(out.Value, renderGroup(g))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// normalizeLocation turns a display name ("East US") into ARM's location
// name ("eastus"), as ARM does.
func normalizeLocation(loc string) (string, error) {
	n := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(loc), " ", ""))
	if n == "" || len(n) > 64 {
		return "", errLocation(loc)
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "", errLocation(loc)
		}
	}
	return n, nil
}

func errLocation(loc string) error {
	return scopevault.Errorf(scopevault.EINVALID, "LocationNotAvailableForResourceType",
		"The provided location '%s' is not available for this resource type.", clip(loc))
}

// ARM's tag limits.
const (
	maxTags        = 50
	maxTagNameLen  = 512
	maxTagValueLen = 256
)

func validateTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidTag", "The number of tags (%d) exceeds the maximum of %d.", len(tags), maxTags)
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > maxTagNameLen || strings.ContainsAny(k, `<>%&\?/`) {
			return scopevault.Errorf(scopevault.EINVALID, "InvalidTagNameCharacters",
				"The tag name '%s' is invalid: tag names are 1 to %d characters and cannot contain '<', '>', '%%', '&', '\\', '?' or '/'.", clip(k), maxTagNameLen)
		}
		if utf8.RuneCountInString(v) > maxTagValueLen {
			return scopevault.Errorf(scopevault.EINVALID, "InvalidTag", "The value of tag '%s' is longer than %d characters.", clip(k), maxTagValueLen)
		}
	}
	return nil
}
