package rm_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/rm"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

const (
	tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	sub    = "11111111-2222-3333-4444-555555555555"
)

// MustManagers returns a resource manager and a vault engine over one real
// SQLite file sealed by a real barrier, as the server builds them.
func MustManagers(tb testing.TB) (*rm.Manager, *secrets.Engine) {
	tb.Helper()
	m, e, _ := MustManagersStore(tb)
	return m, e
}

// MustManagersStore is MustManagers with a function writing one sealed key
// of the same store.
func MustManagersStore(tb testing.TB) (*rm.Manager, *secrets.Engine, func(key string) error) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "scopevault.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(context.Background(), st, barrier.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	m := rm.New(st, b)
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return now }
	e := secrets.New(st, b)
	e.Now = m.Now
	put := func(key string) error {
		return st.Update(context.Background(), func(tx store.Tx) error { return b.Wrap(tx).Put(context.Background(), key, []byte("x")) })
	}
	return m, e, put
}

func MustWorkspace(tb testing.TB, m *rm.Manager, group, name string) *scopevault.Workspace {
	tb.Helper()
	ws, _, err := m.CreateOrUpdateWorkspace(context.Background(), scopevault.Workspace{
		Name: name, SubscriptionID: sub, ResourceGroup: group, Location: "eastus", TenantID: tenant, SKU: "premium",
		ManagedResourceGroupID: "/subscriptions/" + sub + "/resourceGroups/databricks-rg-" + name,
	})
	if err != nil {
		tb.Fatalf("create workspace %s: %v", name, err)
	}
	return ws
}

func TestWorkspaceLifecycle(t *testing.T) {
	ctx := context.Background()
	m, _ := MustManagers(t)
	ws := MustWorkspace(t, m, "RG", "Ws-One")
	if got := strconv.FormatInt(ws.WorkspaceID, 10); len(got) != 16 {
		t.Errorf("workspace id %s: want 16 digits", got)
	}
	if got, want := ws.Address, "127.2.0.1"; got != want {
		t.Errorf("address = %s, want %s", got, want)
	}
	// Update: id, address, name casing and creation stay.
	upd, created, err := m.CreateOrUpdateWorkspace(ctx, scopevault.Workspace{
		Name: "ws-one", SubscriptionID: sub, ResourceGroup: "rg", Location: "eastus", SKU: "standard", Tags: map[string]string{"a": "b"},
	})
	if err != nil || created {
		t.Fatalf("update: created=%v err=%v", created, err)
	}
	if upd.WorkspaceID != ws.WorkspaceID || upd.Address != ws.Address || upd.Name != "Ws-One" || upd.SKU != "standard" {
		t.Errorf("update = %+v", upd)
	}
	got, err := m.Workspace(ctx, sub, "rg", "WS-ONE")
	if err != nil || got.Tags["a"] != "b" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	byID, err := m.WorkspaceByID(ctx, ws.WorkspaceID)
	if err != nil || byID.Name != "Ws-One" {
		t.Fatalf("by id = %+v, %v", byID, err)
	}
	byID.Tags["a"] = "mutated"
	again, _ := m.WorkspaceByID(ctx, ws.WorkspaceID)
	if again.Tags["a"] != "b" {
		t.Error("a caller's change reached the cached index")
	}
	byAddr, err := m.WorkspaceByAddress(ctx, netip.MustParseAddr(ws.Address))
	if err != nil || byAddr.WorkspaceID != ws.WorkspaceID {
		t.Fatalf("by address = %+v, %v", byAddr, err)
	}
	two := MustWorkspace(t, m, "other", "ws-two")
	if two.Address != "127.2.0.2" || two.WorkspaceID == ws.WorkspaceID {
		t.Errorf("second workspace = %s %d", two.Address, two.WorkspaceID)
	}
	for _, c := range []struct {
		name  string
		group string
		want  int
	}{{"ok/group", "rg", 1}, {"ok/subscription", "", 2}, {"ok/empty-group", "none", 0}} {
		t.Run(c.name, func(t *testing.T) {
			l, err := m.ListWorkspaces(ctx, sub, c.group)
			if err != nil || len(l) != c.want {
				t.Errorf("list = %d, %v; want %d", len(l), err, c.want)
			}
		})
	}
	if _, err := m.DeleteWorkspace(ctx, sub, "rg", "ws-one"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"fail/get":     func() error { _, err := m.Workspace(ctx, sub, "rg", "ws-one"); return err }(),
		"fail/by-id":   func() error { _, err := m.WorkspaceByID(ctx, ws.WorkspaceID); return err }(),
		"fail/by-addr": func() error { _, err := m.WorkspaceByAddress(ctx, netip.MustParseAddr(ws.Address)); return err }(),
		"fail/delete":  func() error { _, err := m.DeleteWorkspace(ctx, sub, "rg", "ws-one"); return err }(),
	} {
		if scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
			t.Errorf("%s after delete: %v, want ENOTFOUND", name, err)
		}
	}
	// The freed address goes to the next workspace.
	if three := MustWorkspace(t, m, "rg", "ws-three"); three.Address != ws.Address {
		t.Errorf("freed address not reused: %s", three.Address)
	}
}

func TestWorkspaceNameRefused(t *testing.T) {
	m, _ := MustManagers(t)
	for _, name := range []string{"", "a", "-ab", "ab-", "a b c", "ab/c"} {
		_, _, err := m.CreateOrUpdateWorkspace(context.Background(), scopevault.Workspace{Name: name, SubscriptionID: sub, ResourceGroup: "rg"})
		if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
			t.Errorf("fail/%q: %v, want EINVALID", name, err)
		}
	}
}

// Vault and workspace addresses never meet: each allocator skips the
// other's table, whichever range an address is in.
func TestWorkspaceAndVaultAddressesDisjoint(t *testing.T) {
	ctx := context.Background()
	m, e, put := MustManagersStore(t)
	// A vault already at the first workspace address, a workspace at the
	// first vault address (as after either range ran over).
	for _, key := range []string{"arm/vaultaddrs/127.2.0.1", "arm/wsaddrs/127.1.0.1"} {
		if err := put(key); err != nil {
			t.Fatal(err)
		}
	}
	ws := MustWorkspace(t, m, "rg", "ws-after-vault")
	v, err := e.CreateVault(ctx, scopevault.Vault{Name: "vault-after-ws", SubscriptionID: sub, ResourceGroup: "rg",
		Location: "eastus", TenantID: tenant, SKU: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	if ws.Address != "127.2.0.2" || v.Address != "127.1.0.2" {
		t.Errorf("workspace at %s, vault at %s; want 127.2.0.2 and 127.1.0.2", ws.Address, v.Address)
	}
}
