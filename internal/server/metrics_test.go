package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// secretValue is the value opsTraffic stores; logs must never show it.
const secretValue = "s3cr3t-value-never-logged"

// opsTraffic sends one request of each kind an operator watches, over TLS,
// and returns the credentials and values it sent, which no log line may
// carry: a client secret, two tokens, a personal access token and a secret
// value.
func opsTraffic(t *testing.T, s *Server) (sent []string) {
	t.Helper()
	ctx := context.Background()
	boot := s.Boot
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool()}}}
	do := func(method, u, token, body string, want int) []byte {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, u, rd)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		} else if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, u, res.StatusCode, raw, want)
		}
		return raw
	}
	token := func(scope string) string {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {boot.ClientID},
			"client_secret": {boot.ClientSecret}, "scope": {scope}}
		raw := do("POST", s.URL()+"/"+boot.TenantID+"/oauth2/v2.0/token", "", form.Encode(), http.StatusOK)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("token: %s (%v)", raw, err)
		}
		return tok.AccessToken
	}
	kvTok := token("https://vault.azure.net/.default")
	armTok := token("https://management.azure.com/.default")

	v, err := s.Engine.Vault(ctx, boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	secretURL := s.VaultURL(v) + "secrets/db-password?api-version=7.4"
	do("PUT", secretURL, kvTok, `{"value":"`+secretValue+`"}`, http.StatusOK)
	do("GET", secretURL, kvTok, "", http.StatusOK)
	do("GET", secretURL, "", "", http.StatusUnauthorized)
	do("GET", s.URL()+"/subscriptions?api-version=2022-12-01", armTok, "", http.StatusOK)
	var dbHost string
	for _, kv := range s.Env() {
		if kv[0] == "DATABRICKS_HOST" {
			dbHost = kv[1]
		}
	}
	do("GET", dbHost+"/api/2.0/secrets/scopes/list", boot.DatabricksToken, "", http.StatusOK)
	do("GET", s.URL()+"/readyz", "", "", http.StatusOK)
	return []string{boot.ClientSecret, kvTok, armTok, boot.DatabricksToken, secretValue}
}

// scrape reads /metrics over TLS.
func scrape(t *testing.T, s *Server) string {
	t.Helper()
	status, body, hdr := insightCall(t, s, "GET", "/metrics", "", "")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	if got := hdr.Get("Content-Type"); !strings.HasPrefix(got, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", got)
	}
	return string(body)
}

// sample is one exposition line: name{labels} value.
var sample = regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? ([0-9.e+-]+)$`)

// samples parses an exposition into "name{labels}" -> value, failing on any
// line that is neither a comment nor a sample.
func samples(t *testing.T, text string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not an exposition line: %q", line)
			continue
		}
		v, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			t.Errorf("%q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

// After a few requests of every wire, /metrics counts them by wire,
// operation and status, with latency histograms, tokens issued, store
// transactions and connections.
func TestMetricsScrape(t *testing.T) {
	s := MustStart(t, t.TempDir())
	opsTraffic(t, s)
	got := samples(t, scrape(t, s))
	for _, c := range []struct {
		series string
		want   float64
	}{
		{`scopevault_http_requests_total{wire="entra",operation="Token",status="200"}`, 2},
		{`scopevault_tokens_issued_total{operation="Token"}`, 2},
		{`scopevault_http_requests_total{wire="keyvault",operation="keyvault.SetSecret",status="200"}`, 1},
		{`scopevault_http_requests_total{wire="keyvault",operation="keyvault.GetSecret",status="200"}`, 1},
		{`scopevault_http_requests_total{wire="keyvault",operation="keyvault.GetSecret",status="401"}`, 1},
		{`scopevault_http_requests_total{wire="arm",operation="Subscriptions.List",status="200"}`, 1},
		{`scopevault_http_requests_total{wire="databricks",operation="secrets.ListScopes",status="200"}`, 1},
		{`scopevault_http_requests_total{wire="control",operation="GET /readyz",status="200"}`, 1},
		{`scopevault_http_request_duration_seconds_count{wire="keyvault",operation="keyvault.GetSecret"}`, 2},
		{`scopevault_http_request_duration_seconds_bucket{wire="keyvault",operation="keyvault.GetSecret",le="+Inf"}`, 2},
		{`scopevault_http_request_duration_seconds_count{wire="entra",operation="Token"}`, 2},
		{`scopevault_unauthenticated_connections_closed_total`, 0},
	} {
		if v, ok := got[c.series]; !ok || v != c.want {
			t.Errorf("%s = %v (present %v), want %v", c.series, v, ok, c.want)
		}
	}
	for _, series := range []string{
		`scopevault_store_transaction_duration_seconds_count{kind="update"}`,
		`scopevault_store_transaction_duration_seconds_count{kind="view"}`,
		`scopevault_open_connections`,
	} {
		if got[series] < 1 {
			t.Errorf("%s = %v, want at least 1", series, got[series])
		}
	}
	// Buckets are cumulative: each at least the one before.
	prev := -1.0
	for _, le := range latencyBuckets {
		v := got[`scopevault_http_request_duration_seconds_bucket{wire="entra",operation="Token",le="`+strconv.FormatFloat(le, 'g', -1, 64)+`"}`]
		if v < prev {
			t.Errorf("bucket le=%v = %v, below the one before (%v)", le, v, prev)
		}
		prev = v
	}
	// The scrape counts itself on the next one.
	if got := samples(t, scrape(t, s))[`scopevault_http_requests_total{wire="control",operation="GET /metrics",status="200"}`]; got != 1 {
		t.Errorf("the first scrape counted %v times, want 1", got)
	}
}

// /metrics answers loopback clients only.
func TestMetricsLoopbackOnly(t *testing.T) {
	m := &metrics{}
	for _, c := range []struct {
		name, addr string
		want       int
	}{
		{"ok/ipv4", "127.0.0.1:5000", http.StatusOK},
		{"ok/ipv6", "[::1]:5000", http.StatusOK},
		{"fail/remote", "10.0.0.7:5000", http.StatusForbidden},
		{"fail/unknown", "", http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			var o scopevault.Origin
			if c.addr != "" {
				o.RemoteAddr = netip.MustParseAddrPort(c.addr)
			}
			r := httptest.NewRequest("GET", "/metrics", nil)
			r = r.WithContext(scopevault.WithOrigin(r.Context(), o))
			w := httptest.NewRecorder()
			m.serveMetrics(w, r)
			if got := w.Code; got != c.want {
				t.Errorf("status = %d, want %d", got, c.want)
			}
		})
	}
}

// Label values are quoted as the exposition format says.
func TestQuoteLabel(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"GET /healthz", `"GET /healthz"`},
		{`a"b\c` + "\n", `"a\"b\\c\n"`},
	} {
		if got := quote(c.in); got != c.want {
			t.Errorf("quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
