package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The setup every target needs is done through the wires kvload measures
// (token endpoint, ARM, Graph, Key Vault, Databricks) and is idempotent, so
// a second run on the same data directory redoes nothing costly and a run
// that stopped half-way is completed by the next.

// Role definitions kvload grants (internal/authz/builtin_roles.json).
const (
	secretsOfficerRole = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7" // Key Vault Secrets Officer
	secretsUserRole    = "4633458b-17de-408a-b874-0445c86b69e6" // Key Vault Secrets User
)

// azureDatabricksAppID is the first-party application a Key Vault-backed
// scope reads its vault as.
const azureDatabricksAppID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

// httpError is a non-2xx answer to a setup call: its status and the
// service's error code, never the request's token or body.
type httpError struct {
	Method, Path string
	Status       int
	Code         string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.Path, e.Status, e.Code)
}

// hasCode reports whether err is an answer with the service's error code
// code (ARM's RoleAssignmentExists is a 409, Databricks'
// RESOURCE_ALREADY_EXISTS a 400).
func hasCode(err error, code string) bool {
	var h *httpError
	return errors.As(err, &h) && h.Code == code
}

// call sends one JSON request; a non-2xx answer is an *httpError.
func call(c *http.Client, method, u, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		// Key Vault and ARM say {"error":{"code":...}}, Databricks {"error_code":...}.
		var e struct {
			ErrorCode string `json:"error_code"`
			Error     struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		json.Unmarshal(raw, &e)
		return &httpError{Method: method, Path: strings.SplitN(u, "?", 2)[0], Status: resp.StatusCode, Code: e.ErrorCode + e.Error.Code}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// tokenFor runs the client-credentials grant for scope.
func tokenFor(e *env, scope string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.clientID}, "client_secret": {e.secret}, "scope": {scope}}
	resp, err := e.setup.PostForm(e.base+"/"+e.tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("token request for %s failed: HTTP %d", scope, resp.StatusCode)
	}
	return out.AccessToken, nil
}

// vaultIDOf finds the ARM id of the vault at vaultURL.
func vaultIDOf(e *env, armToken, vaultURL string) (string, error) {
	var vaults struct {
		Value []struct {
			ID         string `json:"id"`
			Properties struct {
				VaultURI string `json:"vaultUri"`
			} `json:"properties"`
		} `json:"value"`
	}
	if err := call(e.setup, "GET", e.base+"/subscriptions/"+e.sub+"/providers/Microsoft.KeyVault/vaults?api-version=2024-11-01", armToken, nil, &vaults); err != nil {
		return "", err
	}
	for _, v := range vaults.Value {
		if strings.TrimSuffix(v.Properties.VaultURI, "/") == vaultURL {
			return v.ID, nil
		}
	}
	return "", fmt.Errorf("no vault at %s in subscription %s", vaultURL, e.sub)
}

// principalIDOf is the object id of the service principal of appID.
func principalIDOf(e *env, graphToken, appID string) (string, error) {
	var sps struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if err := call(e.setup, "GET", e.base+"/v1.0/servicePrincipals?%24filter="+url.QueryEscape("appId eq '"+appID+"'"), graphToken, nil, &sps); err != nil {
		return "", err
	}
	if len(sps.Value) != 1 {
		return "", fmt.Errorf("the service principal of application %s was not found", appID)
	}
	return sps.Value[0].ID, nil
}

// grant assigns role to the principal on the vault, idempotently: the
// assignment's name is derived from the three, so a second run PUTs the
// same assignment again (or meets RoleAssignmentExists, if an earlier
// setup granted the role under another name).
func grant(e *env, armToken, vaultID, role, principalID string) error {
	h := sha256.Sum256([]byte(vaultID + "\x00" + role + "\x00" + principalID))
	h[6] = h[6]&0x0f | 0x50 // a name-based (version 5 style) GUID
	h[8] = h[8]&0x3f | 0x80
	name := fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	ra := map[string]any{"properties": map[string]any{
		"roleDefinitionId": "/subscriptions/" + e.sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role,
		"principalId":      principalID, "principalType": "ServicePrincipal"}}
	err := call(e.setup, "PUT", e.base+vaultID+"/providers/Microsoft.Authorization/roleAssignments/"+name+"?api-version=2022-04-01", armToken, ra, nil)
	if hasCode(err, "RoleAssignmentExists") {
		return nil
	}
	return err
}

// listVaultName is the vault the list target pages through: one per fill
// size, so that a run with another -list-size never pages a vault of the
// wrong size. Key Vault names have at most 24 characters.
func listVaultName(n int) string { return "kvload-list-" + strconv.Itoa(n) }

// listSecretName is the i-th secret of the list vault.
func listSecretName(i int) string { return fmt.Sprintf("kvload-list-%06d", i) }

// setupList makes sure the list vault exists in the default vault's
// resource group (an ARM PUT), that the admin client is its Key Vault
// Secrets Officer, and that it holds n secrets: it probes the last one and
// fills the vault by concurrent PUTs only when it is missing. It returns
// the vault's URL.
func setupList(e *env, kvToken string, n int) (string, error) {
	armToken, err := tokenFor(e, "https://management.azure.com/.default")
	if err != nil {
		return "", err
	}
	defaultID, err := vaultIDOf(e, armToken, e.vaultURL)
	if err != nil {
		return "", err
	}
	i := strings.Index(defaultID, "/providers/")
	if i < 0 {
		return "", fmt.Errorf("unexpected vault id %s", defaultID)
	}
	name := listVaultName(n)
	vaultID := defaultID[:i] + "/providers/Microsoft.KeyVault/vaults/" + name
	var v struct {
		Properties struct {
			VaultURI string `json:"vaultUri"`
		} `json:"properties"`
	}
	if err := call(e.setup, "GET", e.base+vaultID+"?api-version=2024-11-01", armToken, nil, &v); err != nil {
		var h *httpError
		if !errors.As(err, &h) || h.Status != http.StatusNotFound {
			return "", err
		}
		body := map[string]any{"location": "eastus", "properties": map[string]any{"tenantId": e.tenant,
			"sku": map[string]string{"family": "A", "name": "standard"}, "enableRbacAuthorization": true}}
		if err := call(e.setup, "PUT", e.base+vaultID+"?api-version=2024-11-01", armToken, body, &v); err != nil {
			return "", err
		}
	}
	graph, err := tokenFor(e, "https://graph.microsoft.com/.default")
	if err != nil {
		return "", err
	}
	admin, err := principalIDOf(e, graph, e.clientID)
	if err != nil {
		return "", err
	}
	if err := grant(e, armToken, vaultID, secretsOfficerRole, admin); err != nil {
		return "", err
	}
	vaultURL := strings.TrimSuffix(v.Properties.VaultURI, "/")
	if vaultURL == "" {
		return "", fmt.Errorf("ARM gave no vaultUri for %s", name)
	}
	if call(e.setup, "GET", vaultURL+"/secrets/"+listSecretName(n-1)+"?api-version=7.6", kvToken, nil, nil) == nil {
		return vaultURL, nil
	}
	return vaultURL, fill(e, kvToken, vaultURL, name, n)
}

// fill PUTs secrets 0..n-1 of the list vault, 16 at a time, printing its
// progress to stderr. Secrets that exist get a second version, which does
// not change what a list page reads.
func fill(e *env, kvToken, vaultURL, name string, n int) error {
	const workers = 16
	fmt.Fprintf(os.Stderr, "kvload: filling %s with %d secrets (once; later runs find them)\n", name, n)
	start := time.Now()
	var done atomic.Int64
	jobs := make(chan int)
	errs := make(chan error, workers)
	for range workers {
		go func() {
			var first error
			for i := range jobs {
				if first != nil {
					continue
				}
				first = call(e.setup, "PUT", vaultURL+"/secrets/"+listSecretName(i)+"?api-version=7.6", kvToken, map[string]string{"value": "kvload list value"}, nil)
				if d := done.Add(1); d%1000 == 0 {
					fmt.Fprintf(os.Stderr, "kvload: %d of %d in %s (%.0f/s)\n", d, n, time.Since(start).Round(time.Second), float64(d)/time.Since(start).Seconds())
				}
			}
			errs <- first
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	fmt.Fprintf(os.Stderr, "kvload: filled %s with %d secrets in %s\n", name, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// setupScope does the how-to's steps once, idempotently: it grants
// AzureDatabricks "Key Vault Secrets User" on the default vault and creates
// the Key Vault-backed scope "kvload-akv" over it (with an Entra token, as
// Databricks requires). It returns the secrets/get URL of the benchmark
// secret through that scope.
func setupScope(e *env, host string) (string, error) {
	armToken, err := tokenFor(e, "https://management.azure.com/.default")
	if err != nil {
		return "", err
	}
	graph, err := tokenFor(e, "https://graph.microsoft.com/.default")
	if err != nil {
		return "", err
	}
	dbxApp, err := principalIDOf(e, graph, azureDatabricksAppID)
	if err != nil {
		return "", err
	}
	vaultID, err := vaultIDOf(e, armToken, e.vaultURL)
	if err != nil {
		return "", err
	}
	if err := grant(e, armToken, vaultID, secretsUserRole, dbxApp); err != nil {
		return "", err
	}
	dbx, err := tokenFor(e, azureDatabricksAppID+"/.default")
	if err != nil {
		return "", err
	}
	scope := map[string]any{"scope": "kvload-akv", "scope_backend_type": "AZURE_KEYVAULT",
		"backend_azure_keyvault": map[string]string{"resource_id": vaultID, "dns_name": e.vaultURL + "/"}}
	if err := call(e.setup, "POST", host+"/api/2.0/secrets/scopes/create", dbx, scope, nil); err != nil && !hasCode(err, "RESOURCE_ALREADY_EXISTS") {
		return "", err
	}
	return host + "/api/2.0/secrets/get?scope=kvload-akv&key=kvload-bench", nil
}
