package server

import (
	"context"
	"encoding/json"
	"testing"
)

// GET /scopevault/hosts names, for each vault and workspace the caller may
// read, the address that answers as its Azure name, then the control
// plane's line; a caller who may read nothing learns only the latter.
func TestHostsEndpoint(t *testing.T) {
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
	v, err := s.Engine.Vault(ctx, boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := s.BootWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	get := func(t *testing.T, token string) (int, HostsView, []byte) {
		status, raw, _ := insightCall(t, s, "GET", "/scopevault/hosts", token, "")
		var view HostsView
		if status == 200 {
			if err := json.Unmarshal(raw, &view); err != nil {
				t.Fatal(err)
			}
		}
		return status, view, raw
	}
	t.Run("fail/no-token", func(t *testing.T) {
		if status, _, raw := get(t, ""); status != 401 {
			t.Fatalf("status %d: %s", status, raw)
		}
	})
	t.Run("ok/admin", func(t *testing.T) {
		status, view, raw := get(t, adminTok)
		if status != 200 || view.Port != s.Port() || view.AzureNames {
			t.Fatalf("status %d: %s", status, raw)
		}
		want := []HostLine{
			{Address: v.Address, Names: []string{"scopevault-default.vault.azure.net"}, Kind: "vault", Resource: v.ResourceID()},
			{Address: ws.Address, Names: []string{ws.RealHost()}, Kind: "workspace", Resource: ws.ResourceID()},
			{Address: "127.0.0.1", Names: controlNames, Kind: "control"},
		}
		if got, _ := json.Marshal(view.Hosts); string(got) != string(mustJSON(t, want)) {
			t.Fatalf("hosts:\n got %s\nwant %s", got, mustJSON(t, want))
		}
	})
	t.Run("ok/stranger-sees-only-the-control-plane", func(t *testing.T) {
		status, view, raw := get(t, strangerTok)
		if status != 200 || len(view.Hosts) != 1 || view.Hosts[0].Kind != "control" {
			t.Fatalf("status %d: %s", status, raw)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
