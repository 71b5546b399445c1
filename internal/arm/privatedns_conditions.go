package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Conditional writes of private DNS resources, as the service honours them:
// If-None-Match: * creates only (az's creates send it), If-Match: <etag>
// changes only the version the client read (If-Match: * only an existing
// resource). A failed condition is 412 PreconditionFailed.

// errPreconditionFailed carries the 412; render has no status for it, so
// the handlers answer it themselves (writePrecondition).
type errPreconditionFailed struct{ msg string }

func (e *errPreconditionFailed) Error() string { return e.msg }

// checkConditions compares the request's conditions with the current etag
// of the resource ("" when it does not exist).
func checkConditions(r *http.Request, kind, name, etag string) error {
	if inm := strings.TrimSpace(r.Header.Get("If-None-Match")); inm == "*" && etag != "" {
		return &errPreconditionFailed{"The " + kind + " '" + clip(name) + "' already exists (If-None-Match: *)."}
	}
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	switch {
	case im == "":
	case etag == "":
		return &errPreconditionFailed{"The " + kind + " '" + clip(name) + "' does not exist (If-Match: " + clip(im) + ")."}
	case im != "*" && im != etag:
		return &errPreconditionFailed{"The etag " + clip(im) + " of " + kind + " '" + clip(name) + "' is not its current one; read it again."}
	}
	return nil
}

// writePrecondition answers a failed condition with 412 in ARM's shape and
// reports whether it did.
func writePrecondition(w http.ResponseWriter, err error) bool {
	e, ok := err.(*errPreconditionFailed)
	if !ok {
		return false
	}
	writeJSON(w, http.StatusPreconditionFailed, errorJSON{Error: errorBody{Code: "PreconditionFailed", Message: e.msg}})
	return true
}

// zoneETag, linkETag and recordETag are a resource's current etag, "" when
// it does not exist; other failures are returned.
func (h *Handler) zoneETag(req *request) (string, error) {
	z, err := h.cfg.RM.PrivateDNSZone(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return renderZone(z).Etag, nil
}

func (h *Handler) linkETag(req *request) (string, error) {
	z, err := h.cfg.RM.PrivateDNSZone(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return "", err // the zone must exist: its 404 is the answer
	}
	for i := range z.Links {
		if strings.EqualFold(z.Links[i].Name, req.route.child) {
			return renderLink(z, &z.Links[i]).Etag, nil
		}
	}
	return "", nil
}

func (h *Handler) recordETag(req *request) (string, error) {
	z, err := h.cfg.RM.PrivateDNSZone(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return "", err
	}
	for i := range z.A {
		if strings.EqualFold(z.A[i].Name, req.route.child) {
			return renderARecord(z, &z.A[i]).Etag, nil
		}
	}
	return "", nil
}

// conditional runs the request's conditions against etag(); it answers a
// failed one itself (done is true then).
func conditional(w http.ResponseWriter, req *request, kind, name string, etag func(*request) (string, error)) (done bool, err error) {
	if req.r.Header.Get("If-None-Match") == "" && req.r.Header.Get("If-Match") == "" {
		return false, nil
	}
	cur, err := etag(req)
	if err != nil {
		return false, err
	}
	if err := checkConditions(req.r, kind, name, cur); err != nil {
		return writePrecondition(w, err), nil
	}
	return false, nil
}
