package databricks

import (
	"net/http"

	"github.com/scopevault/scopevault"
)

// Tokens, SCIM and the well-known configuration. (Being written: each
// answers NOT_IMPLEMENTED until it is.)

func (h *Handler) createToken(w http.ResponseWriter, req *request) error { return errNotBuilt(req) }
func (h *Handler) listTokens(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) deleteToken(w http.ResponseWriter, req *request) error { return errNotBuilt(req) }
func (h *Handler) me(w http.ResponseWriter, req *request) error          { return errNotBuilt(req) }
func (h *Handler) listUsers(w http.ResponseWriter, req *request) error   { return errNotBuilt(req) }
func (h *Handler) createUser(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) getUser(w http.ResponseWriter, req *request) error     { return errNotBuilt(req) }
func (h *Handler) deleteUser(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) listSPs(w http.ResponseWriter, req *request) error     { return errNotBuilt(req) }
func (h *Handler) createSP(w http.ResponseWriter, req *request) error    { return errNotBuilt(req) }
func (h *Handler) getSP(w http.ResponseWriter, req *request) error       { return errNotBuilt(req) }
func (h *Handler) deleteSP(w http.ResponseWriter, req *request) error    { return errNotBuilt(req) }
func (h *Handler) listGroups(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) createGroup(w http.ResponseWriter, req *request) error { return errNotBuilt(req) }
func (h *Handler) getGroup(w http.ResponseWriter, req *request) error    { return errNotBuilt(req) }
func (h *Handler) patchGroup(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) deleteGroup(w http.ResponseWriter, req *request) error { return errNotBuilt(req) }
func (h *Handler) wellKnown(w http.ResponseWriter, req *request) error   { return errNotBuilt(req) }
func (h *Handler) telemetry(w http.ResponseWriter, req *request) error   { return errNotBuilt(req) }

func errNotBuilt(req *request) error {
	return scopevault.Errorf(scopevault.EINVALID, "NOT_IMPLEMENTED", "%s is not implemented yet.", req.op)
}
