package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// insightCall makes one request to the control plane over TLS with token
// (none when "") and returns the status and body.
func insightCall(t *testing.T, s *Server, method, path, token string, body string) (int, []byte, http.Header) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool()}}}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw, res.Header
}

func mustToken(t *testing.T, s *Server, p *scopevault.Principal, aud string) string {
	t.Helper()
	tok, _, err := s.Identity.IssueToken(context.Background(), p, aud)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The insight endpoints authenticate like ARM, answer failures in ARM's
// shape, and tell a caller only of what it may read.
func TestInsightEndpoints(t *testing.T) {
	s := MustStart(t, t.TempDir())
	ctx := context.Background()
	boot := s.Boot
	admin, err := s.Identity.GetPrincipal(ctx, boot.TenantID, boot.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err := s.Identity.CreateServicePrincipal(ctx, boot.TenantID, "stranger")
	if err != nil {
		t.Fatal(err)
	}
	const arm = "https://management.azure.com/"
	adminTok, strangerTok := mustToken(t, s, admin, arm), mustToken(t, s, stranger, arm)
	vaultTok := mustToken(t, s, admin, "https://vault.azure.net")
	direct := `{"vault":"` + boot.Vault + `","secret":"nope","from":"203.0.113.9"}`

	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string // ARM error code, "" for success
	}{
		{"ok/direct", "POST", "/scopevault/explain", adminTok, direct, 200, ""},
		{"ok/scope", "POST", "/scopevault/explain", adminTok, `{"workspace":"` + boot.Workspace + `","scope":"nope","key":"k"}`, 200, ""},
		{"ok/diagram-svg", "GET", "/scopevault/diagram", adminTok, "", 200, ""},
		{"ok/diagram-json", "GET", "/scopevault/diagram?format=json", adminTok, "", 200, ""},
		{"fail/no-token", "POST", "/scopevault/explain", "", direct, 401, "AuthenticationFailed"},
		{"fail/bad-token", "GET", "/scopevault/diagram", "not-a-token", "", 401, "InvalidAuthenticationToken"},
		{"fail/vault-audience", "GET", "/scopevault/diagram", vaultTok, "", 401, "InvalidAuthenticationTokenAudience"},
		{"fail/stranger-direct", "POST", "/scopevault/explain", strangerTok, direct, 403, "AuthorizationFailed"},
		{"fail/stranger-scope", "POST", "/scopevault/explain", strangerTok, `{"workspace":"` + boot.Workspace + `","scope":"s","key":"k"}`, 403, "AuthorizationFailed"},
		{"fail/bad-json", "POST", "/scopevault/explain", adminTok, `{"vault":`, 400, "InvalidRequest"},
		{"fail/unknown-field", "POST", "/scopevault/explain", adminTok, `{"vault":"v","secret":"s","value":"x"}`, 400, "InvalidRequest"},
		{"fail/both-kinds", "POST", "/scopevault/explain", adminTok, `{"vault":"v","workspace":"w"}`, 400, "InvalidRequest"},
		{"fail/bad-from", "POST", "/scopevault/explain", adminTok, `{"vault":"` + boot.Vault + `","secret":"s","from":"a b"}`, 400, "InvalidFrom"},
		{"fail/unknown-vault", "POST", "/scopevault/explain", adminTok, `{"vault":"kv-none","secret":"s"}`, 404, "ResourceNotFound"},
		{"fail/unknown-workspace", "POST", "/scopevault/explain", adminTok, `{"workspace":"none","scope":"s","key":"k"}`, 404, "WorkspaceNotFound"},
		{"fail/unknown-as", "POST", "/scopevault/explain", adminTok, `{"vault":"` + boot.Vault + `","secret":"s","as":"nobody@example.com"}`, 404, "PrincipalNotFound"},
		{"fail/bad-format", "GET", "/scopevault/diagram?format=png", adminTok, "", 400, "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw, _ := insightCall(t, s, tt.method, tt.path, tt.token, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			if tt.code == "" {
				return
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Fatalf("body %s, want ARM error %s", raw, tt.code)
			}
			if bytes.Contains(raw, []byte(adminTok)) || bytes.Contains(raw, []byte(strangerTok)) {
				t.Fatal("an error quotes the token")
			}
		})
	}

	// The direct read's report: from 203.0.113.9 the default vault's
	// firewall lets it pass; the secret does not exist.
	_, raw, _ := insightCall(t, s, "POST", "/scopevault/explain", adminTok, direct)
	var r struct {
		Kind    string `json:"kind"`
		Allowed bool   `json:"allowed"`
		Hops    []struct{ Name, Outcome string }
		Error   *struct {
			Status int
			Code   string
		}
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Kind != "direct" || r.Allowed || len(r.Hops) != 4 || r.Hops[3].Outcome != "denied" ||
		r.Error == nil || r.Error.Status != 404 || r.Error.Code != "SecretNotFound" {
		t.Fatalf("report %s", raw)
	}

	// The diagram shows a stranger nothing it may not read: no vault, no
	// workspace, only the internet and the control plane.
	status, raw, _ := insightCall(t, s, "GET", "/scopevault/diagram?format=json", strangerTok, "")
	var g struct {
		Nodes []struct{ Kind, Label string }
		Flows []struct{ Label string }
	}
	if err := json.Unmarshal(raw, &g); status != 200 || err != nil || len(g.Nodes) != 2 || len(g.Flows) != 0 {
		t.Fatalf("the stranger's diagram: %d %s", status, raw)
	}
	_, raw, hdr := insightCall(t, s, "GET", "/scopevault/diagram", adminTok, "")
	if hdr.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(raw, []byte("vault "+boot.Vault)) || !bytes.Contains(raw, []byte("workspace "+boot.Workspace)) {
		t.Fatalf("the admin's SVG (%s) lacks the default vault or workspace", hdr.Get("Content-Type"))
	}
}
