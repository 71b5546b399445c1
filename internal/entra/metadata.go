package entra

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scopevault/scopevault"
)

const reasonInvalidInstance = "AADSTS50049"

// tenantBase resolves the {tenant} path value to a known tenant and returns
// the authority base for it (https://{host}/{tid}).
func (h *handler) tenantBase(r *http.Request) (string, string, error) {
	t, err := h.svc.Tenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return "", "", err
	}
	return authority(r) + "/" + t.ID, t.ID, nil
}

// openIDConfigV2 is the tenant discovery document MSAL reads before its first
// token request; it requires issuer, authorization_endpoint and token_endpoint
// and checks the issuer's host against the authority's.
func (h *handler) openIDConfigV2(w http.ResponseWriter, r *http.Request) error {
	base, _, err := h.tenantBase(r)
	if err != nil {
		return err
	}
	doc := commonConfig(r)
	doc["issuer"] = base + "/v2.0"
	doc["token_endpoint"] = base + "/oauth2/v2.0/token"
	doc["authorization_endpoint"] = base + "/oauth2/v2.0/authorize"
	doc["device_authorization_endpoint"] = base + "/oauth2/v2.0/devicecode"
	doc["end_session_endpoint"] = base + "/oauth2/v2.0/logout"
	doc["jwks_uri"] = base + "/discovery/v2.0/keys"
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// openIDConfigV1 is the v1 document; v1 tokens' issuer is sts.windows.net.
func (h *handler) openIDConfigV1(w http.ResponseWriter, r *http.Request) error {
	base, tid, err := h.tenantBase(r)
	if err != nil {
		return err
	}
	doc := commonConfig(r)
	doc["issuer"] = "https://sts.windows.net/" + tid + "/"
	doc["token_endpoint"] = base + "/oauth2/token"
	doc["authorization_endpoint"] = base + "/oauth2/authorize"
	doc["device_authorization_endpoint"] = base + "/oauth2/devicecode"
	doc["end_session_endpoint"] = base + "/oauth2/logout"
	doc["jwks_uri"] = base + "/discovery/keys"
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func commonConfig(r *http.Request) map[string]any {
	return map[string]any{
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"claims_supported": []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
			"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"request_uri_parameter_supported": false,
		"http_logout_supported":           true,
		"frontchannel_logout_supported":   true,
		"tenant_region_scope":             "WW",
		"cloud_instance_name":             "microsoftonline.com",
		"cloud_graph_host_name":           "graph.windows.net",
		"msgraph_host":                    "graph.microsoft.com",
		"rbac_url":                        "https://pas.windows.net",
		"userinfo_endpoint":               authority(r) + "/oidc/userinfo",
	}
}

// keys is the JWKS access tokens verify against.
func (h *handler) keys(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := h.tenantBase(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": h.svc.JWKS()})
	return nil
}

// instanceDiscovery answers MSAL's instance discovery for the authority named
// in authorization_endpoint, with this host as its only alias. MSAL asks only
// for hosts it does not trust and only when discovery is not disabled.
func (h *handler) instanceDiscovery(w http.ResponseWriter, r *http.Request) error {
	ae, err := url.Parse(r.URL.Query().Get("authorization_endpoint"))
	segs := []string{}
	if err == nil {
		segs = strings.Split(strings.Trim(ae.Path, "/"), "/")
	}
	if err != nil || ae.Scheme != "https" || ae.Host == "" || len(segs) == 0 || segs[0] == "" {
		return scopevault.Errorf(scopevault.EINVALID, reasonInvalidInstance,
			"The authority host is not valid: authorization_endpoint must be https://{host}/{tenant}/oauth2/v2.0/authorize.")
	}
	host := ae.Host
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": "https://" + host + "/" + url.PathEscape(segs[0]) + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host,
			"preferred_cache":   host,
			"aliases":           []string{host},
		}},
	})
	return nil
}

// userRealm tells MSAL's username/password flow that every account is
// managed (cloud-only), so it posts the password to the token endpoint
// instead of going to a federation server.
func (h *handler) userRealm(w http.ResponseWriter, r *http.Request) error {
	user := r.PathValue("user")
	_, domain, ok := strings.Cut(user, "@")
	kind := "Managed"
	if !ok || domain == "" {
		kind, domain = "Unknown", "unknown"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ver":                 "1.0",
		"account_type":        kind,
		"domain_name":         domain,
		"cloud_instance_name": "microsoftonline.com",
		"cloud_audience_urn":  "urn:federation:MicrosoftOnline",
	})
	return nil
}
