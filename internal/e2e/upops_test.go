package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestUpOperationsFlags starts `scopevault up -v --log-format json
// --max-unauthenticated-conns 4 --read-timeout 5s --idle-timeout 1m` as
// docs/operations.md writes it: the request log is JSON lines naming the
// operation and principal and no secret or token, /metrics counts the
// requests and the token issued, and the cap closes idle connections that
// never authenticated.
func TestUpOperationsFlags(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	var log syncBuffer
	proc := startProcess(t, bin, dir, &log, "-v", "--log-format", "json",
		"--max-unauthenticated-conns", "4", "--read-timeout", "5s", "--idle-timeout", "1m")
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	admin := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	const value = "ops-flags-value-71c2"
	if status, body, err := c.Do("PUT", vaultURL+"/secrets/ops?api-version=7.6", admin, map[string]string{"value": value}); err != nil || status != 200 {
		t.Fatalf("set: %d %s %v", status, body, err)
	}

	// Idle connections that never send a request: the cap of 4 closes the
	// oldest as more arrive.
	u, err := url.Parse(env["SCOPEVAULT_URL"])
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(env["SSL_CERT_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	for range 8 {
		conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", u.Port()), &tls.Config{RootCAs: pool, ServerName: u.Hostname()})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
	}

	status, body, err := c.Do("GET", env["SCOPEVAULT_URL"]+"/metrics", "", nil)
	if err != nil || status != 200 {
		t.Fatalf("/metrics: %d %s %v", status, body, err)
	}
	metric := func(series string) float64 {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s:\n%s", series, body)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	if got := metric(`scopevault_tokens_issued_total{operation="Token"}`); got != 1 {
		t.Errorf("tokens issued = %v, want 1", got)
	}
	if got := metric(`scopevault_http_requests_total{wire="keyvault",operation="keyvault.SetSecret",status="200"}`); got != 1 {
		t.Errorf("SetSecret 200s = %v, want 1", got)
	}
	if got := metric(`scopevault_unauthenticated_connections_closed_total`); got < 4 {
		t.Errorf("connections closed by the cap = %v, want at least 4 of the 8 idle ones", got)
	}
	if got := metric(`scopevault_unauthenticated_connections`); got > 4 {
		t.Errorf("unauthenticated connections = %v, over the cap of 4", got)
	}

	// The request log is JSON lines; the secret write names its operation
	// and principal. The line of a request is written after its answer,
	// and the scrape above came after the write's answer.
	var set map[string]any
	for line := range strings.Lines(log.String()) {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if e["msg"] == "request" && e["operation"] == "keyvault.SetSecret" {
			set = e
		}
	}
	if p, _ := set["principal"].(string); p == "" || p == env["AZURE_CLIENT_ID"] {
		t.Fatalf("no SetSecret line naming the caller's object id:\n%s", log.String())
	}
	for what, secret := range map[string]string{"secret value": value, "admin token": admin, "admin secret": env["AZURE_CLIENT_SECRET"]} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the request log contains the %s", what)
		}
	}
}
