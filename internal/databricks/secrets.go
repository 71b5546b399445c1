package databricks

import "net/http"

// The Secrets API 2.0 operations. (Being written: each answers
// NOT_IMPLEMENTED until it is.)

func (h *Handler) createScope(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) listScopes(w http.ResponseWriter, req *request) error   { return errNotBuilt(req) }
func (h *Handler) deleteScope(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) putSecret(w http.ResponseWriter, req *request) error    { return errNotBuilt(req) }
func (h *Handler) deleteSecret(w http.ResponseWriter, req *request) error { return errNotBuilt(req) }
func (h *Handler) listSecrets(w http.ResponseWriter, req *request) error  { return errNotBuilt(req) }
func (h *Handler) getSecret(w http.ResponseWriter, req *request) error    { return errNotBuilt(req) }
func (h *Handler) putACL(w http.ResponseWriter, req *request) error       { return errNotBuilt(req) }
func (h *Handler) deleteACL(w http.ResponseWriter, req *request) error    { return errNotBuilt(req) }
func (h *Handler) getACL(w http.ResponseWriter, req *request) error       { return errNotBuilt(req) }
func (h *Handler) listACLs(w http.ResponseWriter, req *request) error     { return errNotBuilt(req) }
