package arm

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// Client secrets: POST /v1.0/applications/{id}/addPassword and
// /removePassword, and the same under /v1.0/servicePrincipals/{id}. In
// scopevault an application and its service principal are one object, so
// {id} may be the app id or the service principal's object id (or the
// (appId='...') alternate key); both paths change the same credentials.

type addPasswordIn struct {
	PasswordCredential *struct {
		DisplayName *string `json:"displayName"`
		EndDateTime *string `json:"endDateTime"`
	} `json:"passwordCredential"`
}

type removePasswordIn struct {
	KeyID *string `json:"keyId"`
}

// credentialOwner resolves {id} to the service principal whose secrets change.
func (h *Handler) credentialOwner(req *request) (*scopevault.Principal, error) {
	var p *scopevault.Principal
	var err error
	if !req.route.byAppID {
		p, err = h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.route.name)
	}
	if req.route.byAppID || scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		p, err = h.cfg.Identity.PrincipalByAppID(req.ctx(), req.caller.TenantID, req.route.name)
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && p.Kind != scopevault.KindServicePrincipal {
		return nil, errGraphNotFound(req.route.name)
	}
	return p, err
}

// addPassword returns the new passwordCredential with its secretText, the
// only time the secret is shown. The body is optional, as in Graph.
func (h *Handler) addPassword(w http.ResponseWriter, req *request) error {
	var in addPasswordIn
	if err := decodeOptional(req, &in); err != nil {
		return err
	}
	name, end := "", time.Time{}
	if pc := in.PasswordCredential; pc != nil {
		if pc.DisplayName != nil {
			name = *pc.DisplayName
		}
		if pc.EndDateTime != nil {
			t, err := time.Parse(time.RFC3339, *pc.EndDateTime)
			if err != nil {
				return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
					"Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.")
			}
			end = t
		}
	}
	p, err := h.credentialOwner(req)
	if err != nil {
		return err
	}
	secret, cred, err := h.cfg.Identity.AddClientSecret(req.ctx(), req.caller.TenantID, p.ObjectID, name, end)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		ODataContext string `json:"@odata.context"`
		passwordCredentialJSON
	}{graphBase + "$metadata#microsoft.graph.passwordCredential", passwordCredentialJSON{
		DisplayName: cred.DisplayName, Hint: cred.Hint, KeyID: cred.KeyID, SecretText: &secret,
		StartDateTime: graphTime(cred.Start), EndDateTime: graphTime(cred.End),
	}})
	return nil
}

// removePassword deletes one client secret by keyId: 204.
func (h *Handler) removePassword(w http.ResponseWriter, req *request) error {
	var in removePasswordIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if in.KeyID == nil || !scopevault.ValidGUID(*in.KeyID) {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Invalid value specified for property 'keyId' of resource 'PasswordCredential'.")
	}
	p, err := h.credentialOwner(req)
	if err != nil {
		return err
	}
	err = h.cfg.Identity.RemoveClientSecret(req.ctx(), req.caller.TenantID, p.ObjectID, *in.KeyID)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"No password credential found with keyId '%s'.", strings.ToLower(*in.KeyID))
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decodeOptional is graphDecode for a body that may be absent or empty.
func decodeOptional(req *request, v any) error {
	body, err := io.ReadAll(io.LimitReader(req.r.Body, maxBody+1))
	if err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest", "The request content could not be read.")
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	req.r.Body = io.NopCloser(strings.NewReader(string(body)))
	return graphDecode(req.r, v)
}
