package keyvault_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/keyvault"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/testkit"
)

// networkInfo is what every response from a loopback client must carry.
const networkInfo = "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;"

// defaultAPIVersion is what the Go SDK (azsecrets v1.5.1) sends.
const defaultAPIVersion = "2026-04-01"

// clock is the server's injected time source.
type clock = testkit.Clock

// wire is a running server plus an HTTPS client that trusts its CA and
// reaches <vault>.vault.azure.net:<port> on the server's main address.
type wire struct {
	srv    *server.Server
	clock  *clock
	client *http.Client
	vault  *scopevault.Vault // the bootstrap RBAC vault
	base   string            // its no-setup URL, https://127.1.0.1:<port>
	admin  string            // the bootstrap admin's token, from the token endpoint
}

// MustWire starts a server on a fresh data directory over TLS and stops it
// when the test ends.
func MustWire(tb testing.TB) *wire {
	tb.Helper()
	c := testkit.WallClock()
	srv, err := server.Start(context.Background(), server.Config{DataDir: tb.TempDir(), Port: 0, Now: c.Now})
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
	})
	main := net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port()))
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()},
		// <vault>.vault.azure.net resolves to the main address, as /etc/hosts
		// would make it, and port 443 is the server's port, as if it ran there.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, _ := net.SplitHostPort(addr)
			if strings.HasSuffix(strings.ToLower(host), keyvault.VaultSuffix) {
				addr = main
			} else if port == "443" {
				addr = net.JoinHostPort(host, strconv.Itoa(srv.Port()))
			}
			return dialer.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2: true,
	}
	tb.Cleanup(tr.CloseIdleConnections)
	w := &wire{srv: srv, clock: c, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	if w.vault, err = srv.Engine.Vault(context.Background(), srv.Boot.Vault); err != nil {
		tb.Fatal(err)
	}
	w.base = strings.TrimSuffix(srv.VaultURL(w.vault), "/")
	w.admin = w.MustClientCredentialsToken(tb, srv.Boot.ClientID, srv.Boot.ClientSecret)
	return w
}

// port is the server's port as a string.
func (w *wire) port() string { return strconv.Itoa(w.srv.Port()) }

// hostBase is the vault's real-host-form URL, https://<vault>.vault.azure.net:<port>.
func (w *wire) hostBase(v *scopevault.Vault) string {
	return "https://" + v.Name + keyvault.VaultSuffix + ":" + w.port()
}

// MustClientCredentialsToken gets a token the way azidentity does: the
// resource comes from the vault's own challenge, the token from the tenant's
// /oauth2/v2.0/token endpoint.
func (w *wire) MustClientCredentialsToken(tb testing.TB, clientID, clientSecret string) string {
	tb.Helper()
	challenge := w.Do(tb, http.MethodGet, w.base+"/secrets?api-version="+defaultAPIVersion, "", nil)
	resource := challengeParam(tb, challenge.header.Get("WWW-Authenticate"), "resource")
	form := url.Values{
		"client_id": {clientID}, "client_secret": {clientSecret}, "grant_type": {"client_credentials"},
		"scope": {resource + "/.default openid offline_access profile"},
	}
	req, err := http.NewRequest(http.MethodPost, w.srv.URL()+"/"+w.srv.Boot.TenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := w.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		TokenType   string `json:"token_type"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != http.StatusOK || tok.AccessToken == "" {
		tb.Fatalf("token endpoint: status %d, err %v", res.StatusCode, err)
	}
	return tok.AccessToken
}

// challengeParam returns a parameter of a Bearer challenge, parsed the way
// the Go SDK does (space-separated, quotes and trailing commas stripped).
func challengeParam(tb testing.TB, header, name string) string {
	tb.Helper()
	for _, part := range strings.Split(strings.TrimPrefix(header, "Bearer "), " ") {
		k, v, ok := strings.Cut(part, "=")
		if ok && k == name {
			return strings.Trim(strings.TrimSuffix(v, ","), `"`)
		}
	}
	tb.Fatalf("challenge %q has no %s", header, name)
	return ""
}

// principal is a service principal with a Key Vault token.
type principal struct {
	*scopevault.Principal
	token string
}

// MustSP creates a service principal in tenant (the bootstrap tenant if "")
// and issues it a token with audience aud (Key Vault if "").
func (w *wire) MustSP(tb testing.TB, tenant, aud string) principal {
	tb.Helper()
	ctx := context.Background()
	if tenant == "" {
		tenant = w.srv.Boot.TenantID
	}
	if aud == "" {
		aud = "https://vault.azure.net"
	}
	p, _, err := w.srv.Identity.CreateServicePrincipal(ctx, tenant, "sp-"+scopevault.NewGUID()[:8])
	if err != nil {
		tb.Fatal(err)
	}
	tok, _, err := w.srv.Identity.IssueToken(ctx, p, aud)
	if err != nil {
		tb.Fatal(err)
	}
	return principal{Principal: p, token: tok}
}

// MustAdminToken issues the bootstrap admin a token with audience aud.
func (w *wire) MustAdminToken(tb testing.TB, aud string) string {
	tb.Helper()
	p, err := w.srv.Identity.GetPrincipal(context.Background(), w.srv.Boot.TenantID, w.srv.Boot.ObjectID)
	if err != nil {
		tb.Fatal(err)
	}
	tok, _, err := w.srv.Identity.IssueToken(context.Background(), p, aud)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// MustAssign assigns a role to a principal at scope.
func (w *wire) MustAssign(tb testing.TB, roleID, principalID, scope string) {
	tb.Helper()
	if _, _, err := w.srv.Authz.CreateAssignment(context.Background(), scopevault.RoleAssignment{
		Name: scopevault.NewGUID(), Scope: scope, RoleDefinitionID: roleID, PrincipalID: principalID,
		PrincipalType: scopevault.KindServicePrincipal,
	}); err != nil {
		tb.Fatalf("assign %s to %s: %v", roleID, principalID, err)
	}
}

// MustVault creates a vault in the bootstrap subscription, listening on its
// own loopback address; RBAC vaults get the admin as Key Vault Administrator.
func (w *wire) MustVault(tb testing.TB, name string, mod func(*scopevault.Vault)) (*scopevault.Vault, string) {
	tb.Helper()
	b := w.srv.Boot
	v := scopevault.Vault{Name: name, SubscriptionID: b.SubscriptionID, ResourceGroup: b.ResourceGroup, Location: b.Location,
		TenantID: b.TenantID, SKU: "standard", EnableRBACAuthorization: true, PublicNetworkAccess: "Enabled"}
	if mod != nil {
		mod(&v)
	}
	out, err := w.srv.Engine.CreateVault(context.Background(), v)
	if err != nil {
		tb.Fatal(err)
	}
	if err := w.srv.EnsureVaultListener(out); err != nil {
		tb.Fatal(err)
	}
	if out.EnableRBACAuthorization {
		w.MustAssign(tb, authz.RoleKeyVaultAdministrator, b.ObjectID, out.ResourceID())
	}
	return out, strings.TrimSuffix(w.srv.VaultURL(out), "/")
}

// MustSet sets a secret through the engine.
func (w *wire) MustSet(tb testing.TB, v *scopevault.Vault, name string, p secrets.SetParams) *scopevault.SecretValue {
	tb.Helper()
	sv, err := w.srv.Engine.Set(context.Background(), v, name, p)
	if err != nil {
		tb.Fatal(err)
	}
	return sv
}

// MustDelete soft-deletes a secret through the engine.
func (w *wire) MustDelete(tb testing.TB, v *scopevault.Vault, name string) {
	tb.Helper()
	if _, err := w.srv.Engine.Delete(context.Background(), v, name); err != nil {
		tb.Fatal(err)
	}
}

// resp is one response, read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// errorBody is Key Vault's error envelope.
type errorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError *struct {
			Code string `json:"code"`
		} `json:"innererror"`
	} `json:"error"`
}

func (r *resp) errorOf(tb testing.TB) (code, inner, message string) {
	tb.Helper()
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		tb.Fatalf("error body %q: %v", r.body, err)
	}
	if e.Error.InnerError != nil {
		inner = e.Error.InnerError.Code
	}
	return e.Error.Code, inner, e.Error.Message
}

// JSON decodes the body into v.
func (r *resp) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("body %q: %v", r.body, err)
	}
}

// Do sends one request. u is absolute or a path on the bootstrap vault;
// body is nil (none), a string (sent as is) or a value (sent as JSON).
func (w *wire) Do(tb testing.TB, method, u, token string, body any) *resp {
	tb.Helper()
	if strings.HasPrefix(u, "/") {
		u = w.base + u
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := w.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &resp{status: res.StatusCode, header: res.Header, body: raw}
}

// timeFields are the Key Vault IntDate fields.
var timeFields = map[string]bool{"created": true, "updated": true, "nbf": true, "exp": true, "deletedDate": true, "scheduledPurgeDate": true}

// checkIntegerTimes fails if any time field in a JSON body is not a JSON
// integer (a float breaks the Go SDK) and returns how many it saw.
func checkIntegerTimes(tb testing.TB, body []byte) int {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("body %q: %v", body, err)
	}
	n := 0
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, val := range x {
				if timeFields[k] {
					num, ok := val.(json.Number)
					if _, err := strconv.ParseInt(string(num), 10, 64); !ok || err != nil {
						tb.Errorf("%s is %v (%T), want a JSON integer", k, val, val)
					}
					n++
					continue
				}
				walk(val)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return n
}
