package arm

import (
	"context"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// The shapes every network resource's wire shares: a list of a group's or
// a subscription's resources, and a body drawn with the network snapshot.

// listVisible is the part of a list that is the same for every kind: the
// group, when the route names one, must exist; then the caller sees the
// resources it may read (visible).
func listVisible[T any](h *Handler, req *request, fetch func(ctx context.Context, sub, group string) ([]T, error), id func(T) string) ([]T, error) {
	if req.route.group != "" {
		if _, err := h.netGroup(req); err != nil {
			return nil, err
		}
	}
	all, err := fetch(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return nil, err
	}
	return visible(h, req, req.route.scope, all, id)
}

// renderAll is a list's body: each item rendered, `[]` when there is none.
func renderAll[T, J any](items []T, render func(T) J) listJSON[J] {
	out := listJSON[J]{Value: []J{}}
	for _, it := range items {
		out.Value = append(out.Value, render(it))
	}
	return out
}

// elems points at each element of s, for lists of a parent's children.
func elems[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// writeNet writes a body that is drawn with the network snapshot (a
// subnet's endpoints, an endpoint's connection states, ...).
func writeNet[J any](h *Handler, w http.ResponseWriter, req *request, status int, render func(net *scopevault.Network) J) error {
	net, err := h.cfg.RM.Network(req.ctx())
	if err != nil {
		return err
	}
	writeJSON(w, status, render(net))
	return nil
}

// writeNetList writes a list of resources drawn with the network snapshot.
func writeNetList[T, J any](h *Handler, w http.ResponseWriter, req *request, items []T, render func(T, *scopevault.Network) J) error {
	return writeNet(h, w, req, http.StatusOK, func(net *scopevault.Network) listJSON[J] {
		return renderAll(items, func(it T) J { return render(it, net) })
	})
}

// regional checks what a regional network resource's PUT carries: a
// location ARM knows, which it returns normalized, and valid tags.
func regional(loc *string, tags map[string]string) (string, error) {
	if loc == nil || strings.TrimSpace(*loc) == "" {
		return "", scopevault.Errorf(scopevault.EINVALID, "LocationRequired", "The location property is required for this definition.")
	}
	l, err := normalizeLocation(*loc)
	if err != nil {
		return "", err
	}
	return l, validateTags(tags)
}
