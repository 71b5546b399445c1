package databricks

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/workspace"
)

// The Secrets API 2.0. POST bodies are JSON whatever the Content-Type (the
// legacy CLI sends text/json) and unknown fields are ignored; GET
// parameters come from the query string. Void calls answer {} (the legacy
// CLI parses every 2xx body), empty lists are omitted ({} for an empty
// scope), times are epoch milliseconds as JSON numbers. Which permission an
// operation needs is the engine's rule; its decision goes to the audit
// record, never a value.

// scopeJSON is one entry of scopes/list.
type scopeJSON struct {
	Name             string        `json:"name"`
	BackendType      string        `json:"backend_type"`
	KeyVaultMetadata *keyVaultJSON `json:"keyvault_metadata,omitempty"`
}

type keyVaultJSON struct {
	ResourceID string `json:"resource_id"`
	DNSName    string `json:"dns_name"`
}

type createScopeRequest struct {
	Scope                  string        `json:"scope"`
	InitialManagePrincipal string        `json:"initial_manage_principal"`
	ScopeBackendType       string        `json:"scope_backend_type"`
	BackendAzureKeyVault   *keyVaultJSON `json:"backend_azure_keyvault"`
}

type putSecretRequest struct {
	Scope       string  `json:"scope"`
	Key         string  `json:"key"`
	StringValue *string `json:"string_value"`
	BytesValue  *string `json:"bytes_value"`
}

type aclRequest struct {
	Scope      string `json:"scope"`
	Principal  string `json:"principal"`
	Permission string `json:"permission"`
}

type aclJSON struct {
	Principal  string `json:"principal"`
	Permission string `json:"permission"`
}

type secretJSON struct {
	Key                  string `json:"key"`
	LastUpdatedTimestamp int64  `json:"last_updated_timestamp"`
}

// decide copies the engine's access decision into the audit record.
func (req *request) decide(d scopevault.Decision) {
	if d.Rule == "" {
		return
	}
	req.audit.Decision, req.audit.Rule = "deny", d.Rule
	if d.Allowed {
		req.audit.Decision = "allow"
	}
}

// auditScope names the scope (and key) a call touched, bounded.
func (req *request) auditScope(scope, key string) {
	req.audit.Scope, req.audit.Key = clipParam(scope), clipParam(key)
}

func writeEmpty(w http.ResponseWriter) {
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
}

// secretValue reads put's value: exactly one of string_value (stored as
// its UTF-8) and bytes_value (base64 text of the raw bytes).
func secretValue(body *putSecretRequest) ([]byte, error) {
	switch {
	case body.StringValue != nil && body.BytesValue != nil:
		return nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Exactly one of string_value and bytes_value must be specified, not both.")
	case body.StringValue != nil:
		return []byte(*body.StringValue), nil
	case body.BytesValue != nil:
		s := strings.TrimSpace(*body.BytesValue)
		v, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			v, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
		}
		if err != nil {
			return nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "bytes_value must be base64-encoded.")
		}
		return v, nil
	}
	return nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Exactly one of string_value and bytes_value must be specified.")
}

func (h *Handler) createScope(w http.ResponseWriter, req *request) error {
	var body createScopeRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	req.auditScope(body.Scope, "")
	params := map[string]string{}
	if body.ScopeBackendType != "" {
		params["scope_backend_type"] = clipParam(body.ScopeBackendType)
	}
	if body.InitialManagePrincipal != "" {
		params["initial_manage_principal"] = clipParam(body.InitialManagePrincipal)
	}
	ns := workspace.NewScope{Name: body.Scope, InitialManagePrincipal: body.InitialManagePrincipal, Backend: body.ScopeBackendType}
	if kv := body.BackendAzureKeyVault; kv != nil {
		ns.KeyVault = &scopevault.KeyVaultMetadata{ResourceID: kv.ResourceID, DNSName: kv.DNSName}
		params["resource_id"], params["dns_name"] = clipParam(kv.ResourceID), clipParam(kv.DNSName)
	}
	if len(params) > 0 {
		req.audit.Params = params
	}
	d, err := h.cfg.Workspaces.CreateScope(req.ctx(), req.caller, ns)
	req.decide(d)
	if err != nil {
		return err
	}
	writeEmpty(w)
	return nil
}

func (h *Handler) listScopes(w http.ResponseWriter, req *request) error {
	scopes, err := h.cfg.Workspaces.ListScopes(req.ctx(), req.caller)
	if err != nil {
		return err
	}
	req.decide(scopevault.Decision{Allowed: true, Rule: "any workspace user may list scopes"})
	out := struct {
		Scopes []scopeJSON `json:"scopes,omitempty"`
	}{}
	for _, sc := range scopes {
		j := scopeJSON{Name: sc.Name, BackendType: string(sc.Backend)}
		if sc.KeyVault != nil {
			j.KeyVaultMetadata = &keyVaultJSON{ResourceID: sc.KeyVault.ResourceID, DNSName: sc.KeyVault.DNSName}
		}
		out.Scopes = append(out.Scopes, j)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) deleteScope(w http.ResponseWriter, req *request) error {
	var body struct {
		Scope string `json:"scope"`
	}
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	req.auditScope(body.Scope, "")
	d, err := h.cfg.Workspaces.DeleteScope(req.ctx(), req.caller, body.Scope)
	req.decide(d)
	if err != nil {
		return err
	}
	writeEmpty(w)
	return nil
}

func (h *Handler) putSecret(w http.ResponseWriter, req *request) error {
	var body putSecretRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	req.auditScope(body.Scope, body.Key)
	value, err := secretValue(&body)
	if err != nil {
		return err
	}
	d, err := h.cfg.Workspaces.PutSecret(req.ctx(), req.caller, body.Scope, body.Key, value)
	req.decide(d)
	if err != nil {
		return err
	}
	writeEmpty(w)
	return nil
}

func (h *Handler) deleteSecret(w http.ResponseWriter, req *request) error {
	var body struct {
		Scope string `json:"scope"`
		Key   string `json:"key"`
	}
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	req.auditScope(body.Scope, body.Key)
	d, err := h.cfg.Workspaces.DeleteSecret(req.ctx(), req.caller, body.Scope, body.Key)
	req.decide(d)
	if err != nil {
		return err
	}
	writeEmpty(w)
	return nil
}

func (h *Handler) listSecrets(w http.ResponseWriter, req *request) error {
	scope := req.r.URL.Query().Get("scope")
	req.auditScope(scope, "")
	secrets, d, err := h.cfg.Workspaces.ListSecrets(req.ctx(), req.caller, scope)
	req.decide(d)
	if err != nil {
		return err
	}
	out := struct {
		Secrets []secretJSON `json:"secrets,omitempty"`
	}{}
	for _, s := range secrets {
		out.Secrets = append(out.Secrets, secretJSON{Key: s.Key, LastUpdatedTimestamp: s.Updated.UnixMilli()})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getSecret(w http.ResponseWriter, req *request) error {
	q := req.r.URL.Query()
	scope, key := q.Get("scope"), q.Get("key")
	req.auditScope(scope, key)
	value, d, err := h.cfg.Workspaces.GetSecret(req.ctx(), req.caller, scope, key)
	req.decide(d)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}{key, base64.StdEncoding.EncodeToString(value)})
	return nil
}

func (h *Handler) putACL(w http.ResponseWriter, req *request) error {
	var body aclRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	req.auditScope(body.Scope, "")
	req.audit.Params = map[string]string{"principal": clipParam(body.Principal), "permission": clipParam(body.Permission)}
	d, err := h.cfg.Workspaces.PutACL(req.ctx(), req.caller, body.Scope, body.Principal, body.Permission)
	req.decide(d)
	if err != nil {
		return err
	}
	writeEmpty(w)
	return nil
}

func (h *Handler) deleteACL(w http.ResponseWriter, req *request) error {
	var body aclRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	req.auditScope(body.Scope, "")
	req.audit.Params = map[string]string{"principal": clipParam(body.Principal)}
	d, err := h.cfg.Workspaces.DeleteACL(req.ctx(), req.caller, body.Scope, body.Principal)
	req.decide(d)
	if err != nil {
		return err
	}
	writeEmpty(w)
	return nil
}

func (h *Handler) getACL(w http.ResponseWriter, req *request) error {
	q := req.r.URL.Query()
	scope, principal := q.Get("scope"), q.Get("principal")
	req.auditScope(scope, "")
	req.audit.Params = map[string]string{"principal": clipParam(principal)}
	a, d, err := h.cfg.Workspaces.GetACL(req.ctx(), req.caller, scope, principal)
	req.decide(d)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, aclJSON{a.Principal, string(a.Permission)})
	return nil
}

func (h *Handler) listACLs(w http.ResponseWriter, req *request) error {
	scope := req.r.URL.Query().Get("scope")
	req.auditScope(scope, "")
	acls, d, err := h.cfg.Workspaces.ListACLs(req.ctx(), req.caller, scope)
	req.decide(d)
	if err != nil {
		return err
	}
	out := struct {
		Items []aclJSON `json:"items,omitempty"`
	}{}
	for _, a := range acls {
		out.Items = append(out.Items, aclJSON{a.Principal, string(a.Permission)})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
