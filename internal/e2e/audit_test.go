package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/server"
)

// auditKeys returns the set of "Action key" pairs of the records in dir's
// audit log, and how many lines the reader skipped.
func auditKeys(tb testing.TB, dir string, f audit.Filter) (map[string]bool, int) {
	tb.Helper()
	res, err := audit.Read(filepath.Join(dir, audit.FileName), f)
	if err != nil {
		tb.Fatalf("read audit log: %v", err)
	}
	got := map[string]bool{}
	for _, r := range res.Records {
		got[r.Action+" "+r.Key] = true
	}
	return got, res.Skipped
}

// waitAudit polls dir's audit log until it holds every want, within a
// bounded deadline: the writer's group commit runs in the background.
func waitAudit(tb testing.TB, dir string, want []string) {
	tb.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		got, _ := auditKeys(tb, dir, audit.Filter{Service: "keyvault"})
		missing := 0
		for _, w := range want {
			if !got[w] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		select {
		case <-deadline:
			tb.Fatalf("%d of %d acknowledged requests not in the audit log after 10s", missing, len(want))
		case <-tick.C:
		}
	}
}

// TestAuditSurvivesKill9: records of acknowledged requests reach the file
// within the group-commit window while the server runs; `scopevault audit`
// reads it then; a kill -9 in the middle of a write load leaves a file
// whose every line on disk either parses or is the one torn tail, and a
// restart appends after it. No secret value or token is in the file.
func TestAuditSurvivesKill9(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	proc := startProcess(t, bin, dir, nil)
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	token := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	const value = "audit-kill9-canary-c0ffee"

	var want []string
	for i := range 20 {
		name := fmt.Sprintf("acked-%d", i)
		if status, body, err := c.Do("PUT", vaultURL+"/secrets/"+name+"?api-version=7.6", token, map[string]string{"value": value}); err != nil || status != 200 {
			t.Fatalf("set: %d %s %v", status, body, err)
		}
		if status, body, err := c.Do("GET", vaultURL+"/secrets/"+name+"/?api-version=7.6", token, nil); err != nil || status != 200 {
			t.Fatalf("get: %d %s %v", status, body, err)
		}
		want = append(want, "SetSecret "+name, "GetSecret "+name)
	}
	waitAudit(t, dir, want)

	// The CLI, as typed, reads the log of a running server.
	out := run(t, dir, environ(nil), bin, "audit", "--data", dir, "--action", "GetSecret", "-o", "json")
	var recs []audit.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) < 20 {
		t.Fatalf("scopevault audit while running: %d records, %v\n%s", len(recs), err, out)
	}

	// kill -9 under a write load, so a batch may be cut short.
	var wg sync.WaitGroup
	var stop atomic.Bool
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				name := fmt.Sprintf("load-%d-%d", w, i)
				if _, _, err := c.Do("PUT", vaultURL+"/secrets/"+name+"?api-version=7.6", token, map[string]string{"value": value}); err != nil {
					return
				}
			}
		}()
	}
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for loaded := false; !loaded; {
		got, _ := auditKeys(t, dir, audit.Filter{Action: "SetSecret"})
		loaded = len(got) >= 20+100
		select {
		case <-deadline:
			t.Fatal("the write load was not recorded within 30s")
		case <-tick.C:
		}
	}
	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	proc.Wait()
	stop.Store(true)
	wg.Wait()

	got, skipped := auditKeys(t, dir, audit.Filter{})
	for _, w := range want {
		if !got[w] {
			t.Fatalf("after kill -9: %q is gone", w)
		}
	}
	if skipped > 1 {
		t.Fatalf("after kill -9: %d unreadable lines, want at most the torn tail", skipped)
	}
	// The CLI reads the log of a stopped server too.
	out = run(t, dir, environ(nil), bin, "audit", "--data", dir, "--vault", server.DefaultVault)
	if !strings.Contains(out, "acked-19") {
		t.Fatalf("scopevault audit after kill -9 lacks acked-19:\n%s", out)
	}

	// A restart appends after whatever the crash left.
	srv, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatalf("restart after kill -9: %v", err)
	}
	env = MustEnvFile(t, dir)
	c = MustClient(t, env)
	token2 := c.AdminToken(t)
	vaultURL = strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	if status, body, err := c.Do("GET", vaultURL+"/secrets/acked-0/?api-version=7.6", token2, nil); err != nil || status != 200 {
		t.Fatalf("get after restart: %d %s %v", status, body, err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, skipped2 := auditKeys(t, dir, audit.Filter{})
	if !got["GetSecret acked-0"] || !got["SetSecret acked-19"] || skipped2 != skipped {
		t.Fatalf("after restart: acked-0 read recorded %v, old records kept %v, skipped %d (was %d)",
			got["GetSecret acked-0"], got["SetSecret acked-19"], skipped2, skipped)
	}

	raw, err := os.ReadFile(filepath.Join(dir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for what, needle := range map[string]string{"secret value": value, "token": token, "token after restart": token2, "admin client secret": env["AZURE_CLIENT_SECRET"]} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("%s found in the audit log", what)
		}
	}
}

// TestAuditShutdownFlushes: a clean shutdown writes every record of the
// requests it answered, without any wait for the writer.
func TestAuditShutdownFlushes(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	token := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	var want []string
	for i := range 50 {
		name := fmt.Sprintf("flush-%d", i)
		if status, body, err := c.Do("PUT", vaultURL+"/secrets/"+name+"?api-version=7.6", token, map[string]string{"value": "v"}); err != nil || status != 200 {
			t.Fatalf("set: %d %s %v", status, body, err)
		}
		want = append(want, "SetSecret "+name)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, skipped := auditKeys(t, dir, audit.Filter{})
	for _, w := range want {
		if !got[w] {
			t.Fatalf("after shutdown: %q missing", w)
		}
	}
	if skipped != 0 {
		t.Fatalf("after a clean shutdown: %d unreadable lines", skipped)
	}
	if s := srv.Audit.Stats(); s.Failed != 0 || s.Dropped != 0 {
		t.Fatalf("audit stats: %+v", s)
	}
}

// TestAuditWorkspaceCalls: the workspace API's secrets, tokens and SCIM
// calls are in the audit log with Databricks' action names, who and where,
// and neither the secret value (raw or base64) nor a token is.
func TestAuditWorkspaceCalls(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	c := MustClient(t, env)
	host, pat := strings.TrimSuffix(env["DATABRICKS_HOST"], "/"), env["DATABRICKS_TOKEN"]
	if host == "" || pat == "" {
		t.Fatal("the env file names no DATABRICKS_HOST and DATABRICKS_TOKEN")
	}
	const value = "audit-workspace-canary-77aa"
	var minted struct {
		TokenValue string `json:"token_value"`
	}
	calls := []struct {
		method, path string
		body         any
		action       string
	}{
		{"POST", "/api/2.0/secrets/scopes/create", map[string]string{"scope": "audit-scope"}, "createScope"},
		{"POST", "/api/2.0/secrets/put", map[string]string{"scope": "audit-scope", "key": "db-password", "string_value": value}, "putSecret"},
		{"GET", "/api/2.0/secrets/get?scope=audit-scope&key=db-password", nil, "getSecret"},
		{"GET", "/api/2.0/secrets/list?scope=audit-scope", nil, "listSecrets"},
		{"POST", "/api/2.0/secrets/acls/put", map[string]string{"scope": "audit-scope", "principal": "users", "permission": "READ"}, "putAcl"},
		{"GET", "/api/2.0/secrets/get?scope=no-such-scope&key=db-password", nil, "getSecret"},
		{"POST", "/api/2.0/token/create", map[string]any{"comment": "audit", "lifetime_seconds": 600}, "generateDbToken"},
		{"GET", "/api/2.0/token/list", nil, "listDbTokens"},
		{"GET", "/api/2.0/preview/scim/v2/Me", nil, "getMe"},
		{"POST", "/api/2.0/secrets/delete", map[string]string{"scope": "audit-scope", "key": "db-password"}, "deleteSecret"},
	}
	// Each call is recorded with the status it was answered with, whether
	// it succeeded or not.
	var want []string
	for _, call := range calls {
		status, body, err := c.Do(call.method, host+call.path, pat, call.body)
		if err != nil {
			t.Fatalf("%s %s: %v", call.method, call.path, err)
		}
		if call.action == "generateDbToken" {
			if err := json.Unmarshal(body, &minted); status != 200 || err != nil || minted.TokenValue == "" {
				t.Fatalf("token/create: %d %s", status, body)
			}
		}
		svc := "secrets"
		switch {
		case strings.HasPrefix(call.path, "/api/2.0/token/"):
			svc = "accounts"
		case strings.Contains(call.path, "/scim/"):
			svc = "scim"
		}
		want = append(want, fmt.Sprintf("%s/%s %d", svc, call.action, status))
	}
	if err := srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	res, err := audit.Read(filepath.Join(srv.DataDir(), audit.FileName), audit.Filter{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Records {
		if r.Service == "keyvault" {
			continue
		}
		got = append(got, fmt.Sprintf("%s/%s %d", r.Service, r.Action, r.Status))
		if r.Workspace == "" || r.Principal == "" || r.SourceAddr == "" || r.RequestID == "" {
			t.Errorf("%s/%s: who or where missing: %+v", r.Service, r.Action, r)
		}
		if r.Service == "secrets" && r.Status == 200 && !strings.EqualFold(r.Scope, "audit-scope") {
			t.Errorf("%s: scope %q, want audit-scope", r.Action, r.Scope)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("workspace records:\ngot\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	raw, err := os.ReadFile(filepath.Join(srv.DataDir(), audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for what, needle := range map[string]string{
		"secret value": value, "secret value in base64": base64.StdEncoding.EncodeToString([]byte(value)),
		"workspace token": pat, "minted token": minted.TokenValue,
	} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("%s found in the audit log", what)
		}
	}
}
