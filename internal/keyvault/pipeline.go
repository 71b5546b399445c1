package keyvault

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
)

// request is one data-plane request moving through the pipeline.
type request struct {
	r          *http.Request
	vault      *scopevault.Vault
	caller     *scopevault.Caller
	route      route
	apiVersion string
	base       string // https://host[:port] as the client addressed us

	// For the audit record: the status written, the access decision once
	// made, and the error code of a failure.
	sw        statusWriter
	decision  scopevault.Decision
	decided   bool
	errorCode string
}

// ServeHTTP runs the pipeline: resolve vault, authenticate, check api-version,
// resolve the operation, network gate, authorize, operate; then audit the
// request whatever its outcome.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, reqID := httpx.EnsureRequestID(r)
	// The fixed headers are shared, pre-canonicalized slices: no per-request
	// canonicalization or allocation (nothing appends to or edits them in place).
	hdr := w.Header()
	for _, kv := range fixedHeaders {
		hdr[kv.key] = kv.val
	}
	hdr["X-Ms-Request-Id"] = []string{reqID}
	if id := r.Header["X-Ms-Client-Request-Id"]; len(id) > 0 && id[0] != "" {
		hdr["X-Ms-Client-Request-Id"] = id[:1:1]
	}
	hdr["X-Ms-Keyvault-Network-Info"] = h.values.of(networkInfo(r))

	req := &request{r: r}
	req.sw.ResponseWriter = w
	if err := h.serve(&req.sw, req); err != nil {
		h.writeError(&req.sw, req, err)
	}
	h.record(req)
}

// fixedHeaders are on every data-plane response, as Key Vault sends them.
var fixedHeaders = []struct {
	key string
	val []string
}{
	{"Cache-Control", []string{"no-cache"}},
	{"Pragma", []string{"no-cache"}},
	{"Expires", []string{"-1"}},
	{"X-Ms-Keyvault-Service-Version", []string{"1.9.0.0-scopevault"}},
	{"Strict-Transport-Security", []string{"max-age=31536000;includeSubDomains"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
}

// networkInfo is the x-ms-keyvault-network-info value: the client address as
// the listener saw it, never as a header claims it.
func networkInfo(r *http.Request) string {
	o := scopevault.OriginFrom(r.Context())
	addr := o.RemoteAddr.Addr().Unmap()
	if !addr.IsValid() {
		return "conn_type=Ipv4;addr=unknown;act_addr_fam=InterNetwork;"
	}
	ip := o.RemoteIP
	if ip == "" {
		ip = addr.String()
	}
	if addr.Is6() {
		return "conn_type=Ipv6;addr=" + ip + ";act_addr_fam=InterNetworkV6;"
	}
	return "conn_type=Ipv4;addr=" + ip + ";act_addr_fam=InterNetwork;"
}

// baseURL is the vault's URL as the client reached it, built from the
// vault's own names, never copied from the Host header: its real host name
// when the client named it (a Host of <vault>.vault.azure.net), else the
// address the connection arrived on. The port is the listener's. Ids and
// nextLinks are built from it.
func baseURL(r *http.Request, v *scopevault.Vault) string {
	o := scopevault.OriginFrom(r.Context())
	port := ""
	if o.LocalAddr.IsValid() && o.LocalAddr.Port() != 443 {
		port = ":" + strconv.Itoa(int(o.LocalAddr.Port()))
	}
	if name, ok := VaultNameFromHost(r.Host); ok && strings.EqualFold(name, v.Name) {
		return "https://" + strings.ToLower(v.Name) + VaultSuffix + port
	}
	if o.LocalAddr.IsValid() {
		return "https://" + o.LocalAddr.Addr().Unmap().String() + port
	}
	return "https://" + strings.ToLower(v.Name) + VaultSuffix
}

func (h *Handler) serve(w http.ResponseWriter, req *request) error {
	r := req.r
	ctx := r.Context()
	v, err := h.vaultFor(r)
	if err != nil {
		return err
	}
	req.vault = v
	req.base = baseURL(r, v)

	// 1. Authenticate. A request without a bearer token is the SDK's challenge probe.
	token, ok := bearer(r)
	if !ok {
		return errChallenge("AKV10000: Request is missing a Bearer or PoP token.")
	}
	info, err := h.cfg.Access.Authenticate(ctx, token)
	if err != nil {
		if scopevault.ErrorCodeOf(err) != scopevault.EUNAUTHORIZED {
			return err
		}
		return errChallenge("AKV10001: " + scopevault.ErrorMessageOf(err))
	}
	if !keyVaultAudience(info.Claims.Audience) {
		return errChallenge(fmt.Sprintf("AKV10022: Invalid audience. Expected https://vault.azure.net, found: %s.", info.Claims.Audience))
	}
	if !strings.EqualFold(info.Claims.TenantID, v.TenantID) {
		return errChallenge(fmt.Sprintf("AKV10032: Invalid issuer. Expected one of https://sts.windows.net/%s/, found %s.", v.TenantID, info.Claims.Issuer))
	}
	req.caller = info.Caller

	// 2. api-version.
	apiVersion := queryValue(r.URL.RawQuery, "api-version")
	if !supportedAPIVersions[apiVersion] {
		if apiVersion == "" {
			return scopevault.Errorf(scopevault.EINVALID, "", "The api-version query parameter is required.")
		}
		return scopevault.Errorf(scopevault.EINVALID, "", "The specified version (%s) is not recognized. Consider using the latest supported version (%s).", apiVersion, latestAPIVersion)
	}
	req.apiVersion = apiVersion

	// 3. Resolve the operation.
	rt, ok := parseRoute(r.Method, r.URL.EscapedPath())
	if !ok {
		return scopevault.Errorf(scopevault.EINVALID, "", "The request URI is not a valid secrets API operation: %s %s", r.Method, r.URL.Path)
	}
	if rt.name, err = unescape(rt.name); err != nil {
		return err
	}
	if rt.version, err = unescape(rt.version); err != nil {
		return err
	}
	if rt.name != "" && !scopevault.ValidSecretName(rt.name) {
		return scopevault.Errorf(scopevault.EINVALID, "", "The request URI contains an invalid name: %s", rt.name)
	}
	req.route = rt

	// 4. Network gate, then 5. authorization, in the shared access path:
	// the decision names the rule that decided.
	d, err := h.cfg.Access.CheckVault(ctx, req.caller, v, rt.op, rt.name)
	if err != nil {
		return err
	}
	req.decision, req.decided = d, true
	if !d.Allowed {
		return denied(d, req)
	}
	if d.AssignmentID != "" {
		w.Header()["X-Ms-Keyvault-Rbac-Assignment-Id"] = h.values.of(d.AssignmentID)
	}

	// 6. Operate.
	return h.operate(w, req)
}

func bearer(r *http.Request) (string, bool) {
	a := r.Header.Get("Authorization")
	if len(a) < 7 || !strings.EqualFold(a[:7], "bearer ") {
		return "", false
	}
	t := strings.TrimSpace(a[7:])
	return t, t != ""
}

func keyVaultAudience(aud string) bool {
	switch strings.TrimSuffix(strings.ToLower(aud), "/") {
	case "https://vault.azure.net", scopevault.KeyVaultAppID:
		return true
	}
	return false
}

// challengeError is a 401 that carries the WWW-Authenticate challenge.
type challengeError struct{ msg string }

func (e *challengeError) Error() string { return e.msg }

func errChallenge(msg string) error { return &challengeError{msg: msg} }

func isChallenge(err error) (*challengeError, bool) {
	var c *challengeError
	return c, errors.As(err, &c)
}
