// Command kvload measures the Key Vault GET-secret path of a running
// scopevault: throughput and p50/p99 latency over TLS with a real bearer
// token at several connection counts, beside the same server's health
// endpoint as a baseline, and the ratio between them. Where the env file
// names a workspace (DATABRICKS_HOST, DATABRICKS_TOKEN) it also measures a
// Databricks secrets/get through a Key Vault-backed scope on the same vault
// and secret ("scope-get"), and its ratio to the direct vault GET.
//
//	. .scopevault/scopevault.env && go run ./bench/kvload
//
// It sends traffic only to the URLs in the env file (loopback), for a bounded
// time per level, and stops by itself.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	conns := flag.String("c", "1,64,256", "connection counts to measure")
	dur := flag.Duration("d", 5*time.Second, "duration of each measurement")
	maxReq := flag.Int("n", 2_000_000, "upper bound on requests per measurement")
	flag.Parse()
	if err := run(*conns, *dur, *maxReq); err != nil {
		fmt.Fprintln(os.Stderr, "kvload:", err)
		os.Exit(1)
	}
}

func run(connList string, dur time.Duration, maxReq int) error {
	env := func(k string) (string, error) {
		if v := os.Getenv(k); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s is not set: source .scopevault/scopevault.env first", k)
	}
	var vals [6]string
	for i, k := range []string{"SCOPEVAULT_URL", "AZURE_KEYVAULT_URL", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "SSL_CERT_FILE"} {
		v, err := env(k)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	base, vaultURL, tenant, clientID, secret, caFile := vals[0], strings.TrimSuffix(vals[1], "/"), vals[2], vals[3], vals[4], vals[5]
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tlsCfg := &tls.Config{RootCAs: pool}

	setup := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	token, err := getToken(setup, base, tenant, clientID, secret)
	if err != nil {
		return err
	}
	req, _ := http.NewRequest("PUT", vaultURL+"/secrets/kvload-bench?api-version=7.6", bytes.NewReader([]byte(`{"value":"kvload benchmark value"}`)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := setup.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("setting the benchmark secret: HTTP %d", resp.StatusCode)
	}

	scopeURL, scopeToken := "", ""
	if host, pat := os.Getenv("DATABRICKS_HOST"), os.Getenv("DATABRICKS_TOKEN"); host != "" && pat != "" {
		if scopeURL, err = setupScope(setup, base, tenant, clientID, secret, strings.TrimSuffix(host, "/"), vaultURL); err != nil {
			return fmt.Errorf("setting up the Key Vault-backed scope: %w", err)
		}
		scopeToken = pat
	}

	fmt.Printf("%-6s %-10s %12s %10s %10s\n", "conns", "target", "req/s", "p50", "p99")
	for _, f := range strings.Split(connList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bad connection count %q", f)
		}
		health := measure(tlsCfg, n, dur, maxReq, base+"/healthz", "")
		get := measure(tlsCfg, n, dur, maxReq, vaultURL+"/secrets/kvload-bench/?api-version=7.6", token)
		if health.err != nil || get.err != nil {
			return errors.Join(health.err, get.err)
		}
		health.print(n, "healthz")
		get.print(n, "get-secret")
		fmt.Printf("%-6d %-10s %11.2fx\n", n, "ratio", get.rps/health.rps)
		if scopeURL != "" {
			sg := measure(tlsCfg, n, dur, maxReq, scopeURL, scopeToken)
			if sg.err != nil {
				return sg.err
			}
			sg.print(n, "scope-get")
			fmt.Printf("%-6d %-10s %11.2fx\n", n, "scope/get", sg.rps/get.rps)
		}
	}
	return nil
}

func getToken(c *http.Client, base, tenant, clientID, secret string) (string, error) {
	return tokenFor(c, base, tenant, clientID, secret, "https://vault.azure.net/.default")
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

type result struct {
	rps      float64
	p50, p99 time.Duration
	err      error
}

func (r result) print(conns int, target string) {
	fmt.Printf("%-6d %-10s %12.0f %10s %10s\n", conns, target, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
}

// measure runs conns workers, each on its own keep-alive connection, for dur
// (or until maxReq requests), and reports throughput and latency percentiles.
func measure(tlsCfg *tls.Config, conns int, dur time.Duration, maxReq int, u, token string) result {
	tr := &http.Transport{TLSClientConfig: tlsCfg, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		firstErr  error
		count     int
	)
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			defer func() {
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			}()
			for ctx.Err() == nil {
				mu.Lock()
				if count >= maxReq {
					mu.Unlock()
					return
				}
				count++
				mu.Unlock()
				req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						firstErr = cmpErr(firstErr, err)
						mu.Unlock()
					}
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					mu.Lock()
					firstErr = cmpErr(firstErr, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode))
					mu.Unlock()
					return
				}
				local = append(local, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		return result{err: cmpErr(firstErr, errors.New("no request completed"))}
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	return result{rps: float64(len(latencies)) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), err: firstErr}
}

func cmpErr(old, new error) error {
	if old != nil {
		return old
	}
	return new
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
