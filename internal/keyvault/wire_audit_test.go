package keyvault_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/scopevault/scopevault/internal/audit"
)

// TestAuditRecordsEveryRequest drives a vault through set, get, list, a
// denied get, delete, an unauthenticated probe and a bad api-version, then
// reads the audit log: one record per request, naming who, what, where, the
// outcome and the rule that decided, and nowhere the secret value or a token.
func TestAuditRecordsEveryRequest(t *testing.T) {
	w := MustWire(t)
	const value = "audit-canary-value-5e1b9f"
	outsider := w.MustSP(t, "", "")
	q := "?api-version=" + defaultAPIVersion
	type call struct {
		name           string
		method, path   string
		token          string
		body           any
		wantStatus     int
		wantAction     string
		wantPrincipal  string
		wantDecision   string
		wantErrorCode  string
		wantRuleFilled bool
	}
	admin := w.srv.Boot.ObjectID
	calls := []call{
		{"ok/probe", http.MethodGet, "/secrets/db-password" + q, "", nil, 401, "GetSecret", "", "", "Unauthorized", false},
		{"ok/set", http.MethodPut, "/secrets/db-password" + q, w.admin, map[string]string{"value": value}, 200, "SetSecret", admin, "allow", "", true},
		{"ok/get", http.MethodGet, "/secrets/db-password/" + q, w.admin, nil, 200, "GetSecret", admin, "allow", "", true},
		{"ok/list", http.MethodGet, "/secrets" + q, w.admin, nil, 200, "ListSecrets", admin, "allow", "", true},
		{"fail/denied", http.MethodGet, "/secrets/db-password/" + q, outsider.token, nil, 403, "GetSecret", outsider.ObjectID, "deny", "ForbiddenByRbac", true},
		{"ok/delete", http.MethodDelete, "/secrets/db-password" + q, w.admin, nil, 200, "DeleteSecret", admin, "allow", "", true},
		{"fail/api-version", http.MethodGet, "/secrets/db-password/?api-version=1999-01-01", w.admin, nil, 400, "GetSecret", admin, "", "BadParameter", false},
	}
	ids := make([]string, len(calls))
	for i, c := range calls {
		res := w.Do(t, c.method, c.path, c.token, c.body)
		if res.status != c.wantStatus {
			t.Fatalf("%s: status %d, want %d: %s", c.name, res.status, c.wantStatus, res.body)
		}
		ids[i] = res.header.Get("x-ms-request-id")
	}
	if err := w.srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.srv.DataDir(), audit.FileName)
	res, err := audit.Read(path, audit.Filter{Vault: w.vault.Name})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]audit.Record{}
	for _, r := range res.Records {
		byID[r.RequestID] = r
	}
	for i, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			r, ok := byID[ids[i]]
			if !ok {
				t.Fatalf("no audit record for request %s", ids[i])
			}
			if r.Service != "keyvault" || r.Action != c.wantAction || r.Vault != w.vault.Name || r.Status != c.wantStatus {
				t.Fatalf("got %s/%s vault %s status %d, want keyvault/%s vault %s status %d",
					r.Service, r.Action, r.Vault, r.Status, c.wantAction, w.vault.Name, c.wantStatus)
			}
			if got, want := r.Principal, c.wantPrincipal; got != want {
				t.Fatalf("principal: got %q, want %q", got, want)
			}
			if got, want := r.Decision, c.wantDecision; got != want {
				t.Fatalf("decision: got %q, want %q", got, want)
			}
			if got, want := r.Rule != "", c.wantRuleFilled; got != want {
				t.Fatalf("rule %q: filled %v, want %v", r.Rule, got, want)
			}
			if got, want := r.ErrorCode, c.wantErrorCode; got != want {
				t.Fatalf("error code: got %q, want %q", got, want)
			}
			if got, want := r.SourceAddr, "127.0.0.1"; got != want {
				t.Fatalf("source: got %q, want %q", got, want)
			}
			if c.wantAction != "ListSecrets" && r.Key != "db-password" {
				t.Fatalf("key: got %q, want db-password", r.Key)
			}
			if r.Time.IsZero() {
				t.Fatal("no time")
			}
		})
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for what, needle := range map[string]string{"secret value": value, "admin token": w.admin, "outsider token": outsider.token} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("%s found in the audit log", what)
		}
	}
}
