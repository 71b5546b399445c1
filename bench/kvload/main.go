// Command kvload is scopevault's yardstick: it measures the hot paths of a
// running scopevault over TLS beside a bare Go TLS server it starts in its
// own process (same certificate type, a fixed body of a secret bundle's
// size), so every figure is a ratio measured side by side. For each
// connection count it reports requests per second, p50 and p99 latency,
// the server's CPU-seconds per 1,000 requests, and the ratio to bare.
//
//	. .scopevault/scopevault.env && go run ./bench/kvload
//	go run ./bench/kvload seed -data DIR -n 1000000   (server stopped)
//
// Targets: bare, healthz, get (a secret GET with a bearer token), set (a new
// version of one of 1,000 secrets), list (a page of 25 of a vault holding
// -list-size secrets), token (client credentials), arm-get (the vault
// through ARM), scope-get (a Databricks secrets/get through a Key
// Vault-backed scope). It sends traffic only to the URLs in the env file
// (loopback) and its own loopback baseline, for a bounded time per level.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare-server" {
		if err := bareServerCommand(); err != nil {
			fmt.Fprintln(os.Stderr, "kvload bare-server:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "seed" {
		if err := seedCommand(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "kvload seed:", err)
			os.Exit(1)
		}
		return
	}
	conns := flag.String("c", "1,64,256", "connection counts to measure")
	dur := flag.Duration("d", 5*time.Second, "duration of each measurement")
	maxReq := flag.Int("n", 2_000_000, "upper bound on requests per measurement")
	targets := flag.String("t", defaultTargets, "targets to measure, comma-separated (also get-seeded, with -seeded)")
	dataDir := flag.String("data", "", "the server's data directory, for its CPU time (default: the directory of SSL_CERT_FILE)")
	listSize := flag.Int("list-size", 10_000, "secrets in the vault the list target pages through")
	seeded := flag.Int("seeded", 0, "secrets \"kvload seed\" wrote into the default vault: adds the get-seeded target, a GET of one of them at random")
	flag.Parse()
	if *seeded > 0 && !strings.Contains(*targets, "get-seeded") {
		*targets += ",get-seeded"
	}
	if err := run(*conns, *targets, *dataDir, *dur, *maxReq, *listSize, *seeded); err != nil {
		fmt.Fprintln(os.Stderr, "kvload:", err)
		os.Exit(1)
	}
}

var allTargets = []string{"bare", "bare-inproc", "healthz", "get", "get-seeded", "set", "list", "token", "arm-get", "scope-get"}

// defaultTargets is every target but get-seeded (which needs a seeded vault).
const defaultTargets = "bare,bare-inproc,healthz,get,set,list,token,arm-get,scope-get"

// env is what the env file gives kvload.
type env struct {
	base, vaultURL, tenant, sub, clientID, secret string
	tls                                           *tls.Config
	setup                                         *http.Client
}

func readEnv() (*env, error) {
	get := func(k string) (string, error) {
		if v := os.Getenv(k); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s is not set: source .scopevault/scopevault.env first", k)
	}
	var vals [7]string
	for i, k := range []string{"SCOPEVAULT_URL", "AZURE_KEYVAULT_URL", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "SSL_CERT_FILE"} {
		v, err := get(k)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	pem, err := os.ReadFile(vals[6])
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	e := &env{base: strings.TrimSuffix(vals[0], "/"), vaultURL: strings.TrimSuffix(vals[1], "/"), tenant: vals[2], sub: vals[3],
		clientID: vals[4], secret: vals[5], tls: &tls.Config{RootCAs: pool}}
	e.setup = &http.Client{Transport: &http.Transport{TLSClientConfig: e.tls, MaxIdleConnsPerHost: 64}, Timeout: 60 * time.Second}
	return e, nil
}

func run(connList, targetList, dataDir string, dur time.Duration, maxReq, listSize, seeded int) error {
	e, err := readEnv()
	if err != nil {
		return err
	}
	if dataDir == "" {
		dataDir = filepath.Dir(os.Getenv("SSL_CERT_FILE"))
	}
	cpu := newCPUClock(dataDir)
	want := map[string]bool{}
	for _, t := range strings.Split(targetList, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(allTargets, t) {
			return fmt.Errorf("unknown target %q (targets: %s)", t, strings.Join(allTargets, ", "))
		}
		want[t] = true
	}
	var levels []int
	for _, f := range strings.Split(connList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bad connection count %q", f)
		}
		levels = append(levels, n)
	}
	targets, cleanup, err := buildTargets(e, want, listSize, seeded)
	defer cleanup()
	if err != nil {
		return err
	}
	fmt.Printf("%-6s %-11s %10s %10s %10s %9s %6s\n", "conns", "target", "req/s", "p50", "p99", "cpu-s/1k", "/bare")
	// Each target's time is cut into rounds of about a second, taken in
	// turn with the other targets', so that a drift of the machine's speed
	// (other work, a noisy neighbour) falls on all of them alike.
	rounds := max(1, int(dur/time.Second))
	for _, n := range levels {
		sessions := make([]*session, len(targets))
		clocks := make([]*cpuClock, len(targets))
		for i, t := range targets {
			sessions[i] = newSession(t, n, maxReq)
			clocks[i] = cpu
			if t.cpu != nil {
				clocks[i] = t.cpu
			} else if !t.server {
				clocks[i] = &cpuClock{}
			}
		}
		for range rounds {
			for i, s := range sessions {
				s.round(dur/time.Duration(rounds), clocks[i])
			}
		}
		bare := 0.0
		for i, t := range targets {
			sessions[i].close()
			r := sessions[i].result()
			if r.err != nil {
				return fmt.Errorf("%s at %d connections: %w", t.name, n, r.err)
			}
			if t.name == "bare" {
				bare = r.rps
			}
			cpuCol, ratio := "-", "-"
			if r.cpuPer1k >= 0 {
				cpuCol = fmt.Sprintf("%.3f", r.cpuPer1k)
			}
			if bare > 0 {
				ratio = fmt.Sprintf("%.2f", r.rps/bare)
			}
			fmt.Printf("%-6d %-11s %10.0f %10s %10s %9s %6s\n", n, t.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), cpuCol, ratio)
		}
	}
	return nil
}

// buildTargets does each target's setup once (idempotently) and returns
// the targets in measuring order.
func buildTargets(e *env, want map[string]bool, listSize, seeded int) ([]target, func(), error) {
	var out []target
	cleanup := func() {}
	get := func(u, token string) func(context.Context, int64) (*http.Request, error) {
		return func(ctx context.Context, _ int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
			if err == nil && token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return req, err
		}
	}
	var stops []func()
	cleanup = func() {
		for _, stop := range stops {
			stop()
		}
	}
	if want["bare"] {
		u, cfg, pid, stop, err := bareProcess()
		if err != nil {
			return nil, cleanup, fmt.Errorf("starting the bare baseline: %w", err)
		}
		stops = append(stops, stop)
		out = append(out, target{name: "bare", tls: cfg, cpu: &cpuClock{pid: pid}, next: get(u, "")})
	}
	if want["bare-inproc"] {
		u, cfg, _, stop, err := startBare()
		if err != nil {
			return nil, cleanup, fmt.Errorf("starting the in-process baseline: %w", err)
		}
		stops = append(stops, stop)
		out = append(out, target{name: "bare-inproc", tls: cfg, next: get(u, "")})
	}
	if want["healthz"] {
		out = append(out, target{name: "healthz", tls: e.tls, server: true, next: get(e.base+"/healthz", "")})
	}
	var kvToken string
	if want["get"] || want["get-seeded"] || want["set"] || want["list"] {
		var err error
		if kvToken, err = tokenFor(e.setup, e.base, e.tenant, e.clientID, e.secret, "https://vault.azure.net/.default"); err != nil {
			return nil, cleanup, err
		}
	}
	if want["get"] || want["scope-get"] {
		if err := call(e.setup, "PUT", e.vaultURL+"/secrets/kvload-bench?api-version=7.6", kvTokenOr(e, kvToken), map[string]string{"value": "kvload benchmark value"}, nil); err != nil {
			return nil, cleanup, fmt.Errorf("setting the benchmark secret: %w", err)
		}
	}
	if want["get"] {
		out = append(out, target{name: "get", tls: e.tls, server: true, next: get(e.vaultURL+"/secrets/kvload-bench/?api-version=7.6", kvToken)})
	}
	if want["get-seeded"] {
		if seeded <= 0 {
			return nil, cleanup, errors.New("get-seeded needs -seeded N")
		}
		out = append(out, target{name: "get-seeded", tls: e.tls, server: true, next: func(ctx context.Context, i int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", e.vaultURL+"/secrets/"+seedName(mrand.IntN(seeded))+"/?api-version=7.6", nil)
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+kvToken)
			}
			return req, err
		}})
	}
	if want["set"] {
		out = append(out, target{name: "set", tls: e.tls, server: true, next: func(ctx context.Context, i int64) (*http.Request, error) {
			u := fmt.Sprintf("%s/secrets/kvload-set-%04d?api-version=7.6", e.vaultURL, i%1000)
			req, err := http.NewRequestWithContext(ctx, "PUT", u, strings.NewReader(`{"value":"kvload set value `+strconv.FormatInt(i, 10)+`"}`))
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+kvToken)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}})
	}
	if want["list"] {
		listURL, err := setupList(e, kvToken, listSize)
		if err != nil {
			return nil, cleanup, fmt.Errorf("setting up the list vault: %w", err)
		}
		out = append(out, target{name: "list", tls: e.tls, server: true, next: get(listURL+"/secrets?maxresults=25&api-version=7.6", kvToken)})
	}
	if want["token"] {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.clientID}, "client_secret": {e.secret},
			"scope": {"https://vault.azure.net/.default"}}.Encode()
		u := e.base + "/" + e.tenant + "/oauth2/v2.0/token"
		out = append(out, target{name: "token", tls: e.tls, server: true, next: func(ctx context.Context, _ int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "POST", u, strings.NewReader(form))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return req, err
		}})
	}
	if want["arm-get"] {
		armToken, err := tokenFor(e.setup, e.base, e.tenant, e.clientID, e.secret, "https://management.azure.com/.default")
		if err != nil {
			return nil, cleanup, err
		}
		vaultID, err := vaultIDOf(e, armToken, e.vaultURL)
		if err != nil {
			return nil, cleanup, err
		}
		out = append(out, target{name: "arm-get", tls: e.tls, server: true, next: get(e.base+vaultID+"?api-version=2024-11-01", armToken)})
	}
	if want["scope-get"] {
		host, pat := os.Getenv("DATABRICKS_HOST"), os.Getenv("DATABRICKS_TOKEN")
		if host == "" || pat == "" {
			if !want["get-seeded"] && len(want) == len(allTargets)-1 {
				return out, cleanup, nil // the default: measure what the env file allows
			}
			return nil, cleanup, errors.New("scope-get needs DATABRICKS_HOST and DATABRICKS_TOKEN")
		}
		scopeURL, err := setupScope(e.setup, e.base, e.tenant, e.clientID, e.secret, strings.TrimSuffix(host, "/"), e.vaultURL)
		if err != nil {
			return nil, cleanup, fmt.Errorf("setting up the Key Vault-backed scope: %w", err)
		}
		out = append(out, target{name: "scope-get", tls: e.tls, server: true, next: get(scopeURL, pat)})
	}
	return out, cleanup, nil
}

func kvTokenOr(e *env, tok string) string {
	if tok != "" {
		return tok
	}
	t, _ := tokenFor(e.setup, e.base, e.tenant, e.clientID, e.secret, "https://vault.azure.net/.default")
	return t
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
	return "", fmt.Errorf("no vault at %s", vaultURL)
}

// setupList creates (once) a vault "kvload-list-<n>" in the default vault's
// resource group, grants the admin client Key Vault Secrets Officer on it,
// and fills it with n secrets by concurrent PUTs unless it already holds
// them. It returns the vault's URL.
func setupList(e *env, kvToken string, n int) (string, error) {
	armToken, err := tokenFor(e.setup, e.base, e.tenant, e.clientID, e.secret, "https://management.azure.com/.default")
	if err != nil {
		return "", err
	}
	defaultID, err := vaultIDOf(e, armToken, e.vaultURL)
	if err != nil {
		return "", err
	}
	rgID := defaultID[:strings.Index(defaultID, "/providers/")]
	name := "kvload-list-" + strconv.Itoa(n)
	vaultID := rgID + "/providers/Microsoft.KeyVault/vaults/" + name
	var v struct {
		Properties struct {
			VaultURI string `json:"vaultUri"`
		} `json:"properties"`
	}
	if err := call(e.setup, "GET", e.base+vaultID+"?api-version=2024-11-01", armToken, nil, &v); err != nil {
		body := map[string]any{"location": "eastus", "properties": map[string]any{"tenantId": e.tenant, "sku": map[string]string{"family": "A", "name": "standard"},
			"enableRbacAuthorization": true}}
		if err := call(e.setup, "PUT", e.base+vaultID+"?api-version=2024-11-01", armToken, body, &v); err != nil {
			return "", err
		}
		var sps struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
		}
		graph, err := tokenFor(e.setup, e.base, e.tenant, e.clientID, e.secret, "https://graph.microsoft.com/.default")
		if err != nil {
			return "", err
		}
		if err := call(e.setup, "GET", e.base+"/v1.0/servicePrincipals?%24filter="+url.QueryEscape("appId eq '"+e.clientID+"'"), graph, nil, &sps); err != nil || len(sps.Value) != 1 {
			return "", fmt.Errorf("finding the admin client's object id: %v", err)
		}
		ra := map[string]any{"properties": map[string]any{
			"roleDefinitionId": "/subscriptions/" + e.sub + "/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
			"principalId":      sps.Value[0].ID, "principalType": "ServicePrincipal"}}
		err = call(e.setup, "PUT", e.base+vaultID+"/providers/Microsoft.Authorization/roleAssignments/"+newGUID()+"?api-version=2022-04-01", armToken, ra, nil)
		if err != nil {
			return "", err
		}
	}
	vaultURL := strings.TrimSuffix(v.Properties.VaultURI, "/")
	last := fmt.Sprintf("%s/secrets/kvload-list-%06d?api-version=7.6", vaultURL, n-1)
	if call(e.setup, "GET", last, kvToken, nil, nil) == nil {
		return vaultURL, nil
	}
	fmt.Fprintf(os.Stderr, "kvload: filling %s with %d secrets (once)\n", name, n)
	jobs := make(chan int)
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			var first error
			for i := range jobs {
				if first != nil {
					continue
				}
				first = call(e.setup, "PUT", fmt.Sprintf("%s/secrets/kvload-list-%06d?api-version=7.6", vaultURL, i), kvToken, map[string]string{"value": "list value"}, nil)
			}
			errs <- first
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	for range 16 {
		if err := <-errs; err != nil {
			return "", err
		}
	}
	return vaultURL, nil
}

// newGUID is a random assignment name.
func newGUID() string {
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func tokenFor(c *http.Client, base, tenant, clientID, secret, scope string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
	resp, err := c.PostForm(base+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("token request failed: HTTP %d", resp.StatusCode)
	}
	return out.AccessToken, nil
}

// azureDatabricksAppID is the first-party application a Key Vault-backed
// scope reads its vault as.
const azureDatabricksAppID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

// setupScope does the seed's steps 5 and 8 once, idempotently: it grants
// AzureDatabricks "Key Vault Secrets User" on the vault and creates the
// Key Vault-backed scope "kvload-akv" over it (with an Entra token, as
// Databricks requires). It returns the secrets/get URL of the benchmark
// secret through that scope.
func setupScope(c *http.Client, base, tenant, clientID, secret, host, vaultURL string) (string, error) {
	arm, err := tokenFor(c, base, tenant, clientID, secret, "https://management.azure.com/.default")
	if err != nil {
		return "", err
	}
	graph, err := tokenFor(c, base, tenant, clientID, secret, "https://graph.microsoft.com/.default")
	if err != nil {
		return "", err
	}
	var sps struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if err := call(c, "GET", base+"/v1.0/servicePrincipals?%24filter="+url.QueryEscape("appId eq '"+azureDatabricksAppID+"'"), graph, nil, &sps); err != nil {
		return "", err
	}
	if len(sps.Value) != 1 {
		return "", errors.New("the AzureDatabricks service principal was not found")
	}
	var vaults struct {
		Value []struct {
			ID         string `json:"id"`
			Properties struct {
				VaultURI string `json:"vaultUri"`
			} `json:"properties"`
		} `json:"value"`
	}
	sub := os.Getenv("AZURE_SUBSCRIPTION_ID")
	if err := call(c, "GET", base+"/subscriptions/"+sub+"/providers/Microsoft.KeyVault/vaults?api-version=2024-11-01", arm, nil, &vaults); err != nil {
		return "", err
	}
	vaultID := ""
	for _, v := range vaults.Value {
		if strings.TrimSuffix(v.Properties.VaultURI, "/") == vaultURL {
			vaultID = v.ID
		}
	}
	if vaultID == "" {
		return "", errors.New("the vault of AZURE_KEYVAULT_URL was not found")
	}
	// A fixed assignment name makes the grant idempotent: a second run gets
	// RoleAssignmentExists (409), which is fine.
	ra := map[string]any{"properties": map[string]any{
		"roleDefinitionId": "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
		"principalId":      sps.Value[0].ID, "principalType": "ServicePrincipal"}}
	err = call(c, "PUT", base+vaultID+"/providers/Microsoft.Authorization/roleAssignments/5f1b6c3e-8e1a-4c55-9d5e-6b0a6c1d2e3f?api-version=2022-04-01", arm, ra, nil)
	if err != nil && !strings.Contains(err.Error(), "HTTP 409") {
		return "", err
	}
	dbx, err := tokenFor(c, base, tenant, clientID, secret, azureDatabricksAppID+"/.default")
	if err != nil {
		return "", err
	}
	scope := map[string]any{"scope": "kvload-akv", "scope_backend_type": "AZURE_KEYVAULT",
		"backend_azure_keyvault": map[string]string{"resource_id": vaultID, "dns_name": vaultURL + "/"}}
	err = call(c, "POST", host+"/api/2.0/secrets/scopes/create", dbx, scope, nil)
	if err != nil && !strings.Contains(err.Error(), "RESOURCE_ALREADY_EXISTS") {
		return "", err
	}
	return host + "/api/2.0/secrets/get?scope=kvload-akv&key=kvload-bench", nil
}

// call sends one JSON request; a non-2xx answer is an error naming the
// status and the service's error code (never the token).
func call(c *http.Client, method, u, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, _ := json.Marshal(in)
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
		var e struct {
			ErrorCode any `json:"error_code"`
			Error     struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		json.Unmarshal(raw, &e)
		return fmt.Errorf("%s %s: HTTP %d %v%s", method, strings.SplitN(u, "?", 2)[0], resp.StatusCode, e.ErrorCode, e.Error.Code)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
