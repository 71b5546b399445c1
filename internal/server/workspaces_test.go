package server

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

func MustStart(tb testing.TB, dir string) *Server {
	tb.Helper()
	s, err := Start(context.Background(), Config{DataDir: dir, Port: 0})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

func TestWorkspaceListenersAndResolution(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustStart(t, dir)
	boot := s.Boot
	ws, _, err := s.RM.CreateOrUpdateWorkspace(ctx, scopevault.Workspace{
		Name: "ws-server", SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup, Location: "eastus",
		TenantID: boot.TenantID, SKU: "premium", ManagedResourceGroupID: "/subscriptions/" + boot.SubscriptionID + "/resourceGroups/m",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureWorkspaceListener(ws); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(s.Port())
	if got, want := s.WorkspaceURL(ws), "https://"+ws.Address+":"+port; got != want {
		t.Errorf("WorkspaceURL = %q, want %q", got, want)
	}
	if !s.isWorkspaceAddr(ws.Address) || s.isVaultAddr(ws.Address) {
		t.Errorf("%s: workspace %v, vault %v", ws.Address, s.isWorkspaceAddr(ws.Address), s.isVaultAddr(ws.Address))
	}
	v, err := s.Engine.Vault(ctx, boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	if s.isWorkspaceAddr(v.Address) || !s.isVaultAddr(v.Address) {
		t.Errorf("vault address %s taken for a workspace's", v.Address)
	}

	addr := netip.MustParseAddr(ws.Address)
	for _, c := range []struct {
		name  string
		host  string
		local netip.Addr
		want  int64 // 0: ENOTFOUND
	}{
		{"ok/real-host", ws.RealHost(), netip.Addr{}, ws.WorkspaceID},
		{"ok/real-host-port", ws.RealHost() + ":" + port, netip.MustParseAddr("127.0.0.1"), ws.WorkspaceID},
		{"ok/address", ws.Address + ":" + port, addr, ws.WorkspaceID},
		{"ok/host-wins", ws.RealHost(), netip.MustParseAddr(v.Address), ws.WorkspaceID},
		{"fail/unknown-id", "adb-1234567890123456.7.azuredatabricks.net", addr, 0},
		{"fail/vault-address", "localhost", netip.MustParseAddr(v.Address), 0},
		{"fail/nothing", "localhost", netip.Addr{}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.resolveWorkspace(ctx, c.host, c.local)
			switch {
			case c.want == 0 && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND:
				t.Errorf("= %v, %v; want ENOTFOUND", got, err)
			case c.want != 0 && (err != nil || got.WorkspaceID != c.want):
				t.Errorf("= %v, %v; want workspace %d", got, err, c.want)
			}
		})
	}

	// A restart listens on every workspace's address again.
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	s = MustStart(t, dir)
	if !s.isWorkspaceAddr(ws.Address) {
		t.Fatal("no workspace listener after a restart")
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(ws.Address, strconv.Itoa(s.Port())), 5*time.Second)
	if err != nil {
		t.Fatalf("dial the workspace address after a restart: %v", err)
	}
	c.Close()
}

// Deleting a workspace through ARM drops what it held: its admin's token
// stops working.
func TestWorkspaceDeleteDropsData(t *testing.T) {
	ctx := context.Background()
	s := MustStart(t, t.TempDir())
	boot := s.Boot
	ws, err := s.BootWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Workspaces.TokenValid(ctx, ws, boot.DatabricksToken) {
		t.Fatal("the default workspace's admin token does not work")
	}
	p, err := s.Identity.GetPrincipal(ctx, boot.TenantID, boot.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.Identity.IssueToken(ctx, p, identity.AudienceARM)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.URL()+ws.ResourceID()+"?api-version=2026-01-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool()}}}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || res.Header.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("DELETE = %d %v", res.StatusCode, res.Header)
	}
	if s.Workspaces.TokenValid(ctx, ws, boot.DatabricksToken) {
		t.Error("the deleted workspace's token still works")
	}
}
