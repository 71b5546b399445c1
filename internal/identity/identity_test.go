package identity_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

const tenantA = "11111111-2222-3333-4444-555555555555"

// t0 is the fixed clock of every test.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	st   *sqlite.Store
	path string
	key  []byte
	svc  *identity.Service
}

// MustEnv opens a real SQLite file under a real barrier with a clock at t0.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{path: filepath.Join(tb.TempDir(), "sv.db"), key: barrier.NewMasterKey()}
	e.open(tb)
	return e
}

func (e *env) open(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(e.path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(ctx, st, e.key)
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := identity.New(ctx, st, b)
	if err != nil {
		tb.Fatal(err)
	}
	svc.Now = func() time.Time { return t0 }
	e.st, e.svc = st, svc
}

// MustTenant creates tenantA.
func MustTenant(tb testing.TB, svc *identity.Service) {
	tb.Helper()
	if _, err := svc.EnsureTenant(context.Background(), tenantA, "Contoso"); err != nil {
		tb.Fatal(err)
	}
}

func wantReason(tb testing.TB, err error, reason string) {
	tb.Helper()
	if got := scopevault.ErrorReasonOf(err); got != reason {
		tb.Fatalf("reason = %q, want %q (err %v)", got, reason, err)
	}
}

func TestEnsureTenant(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	t1, err := e.svc.EnsureTenant(ctx, tenantA, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	t2, err := e.svc.EnsureTenant(ctx, tenantA, "Other name")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := t2.DisplayName, t1.DisplayName; got != want {
		t.Errorf("display name after second EnsureTenant = %q, want %q", got, want)
	}
	dbx, err := e.svc.PrincipalByAppID(ctx, tenantA, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	if !dbx.FirstParty || dbx.DisplayName != "AzureDatabricks" || dbx.Kind != scopevault.KindServicePrincipal {
		t.Errorf("AzureDatabricks principal = %+v", dbx)
	}
	ps, err := e.svc.ListPrincipals(ctx, tenantA)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ps), 1; got != want {
		t.Errorf("principals after two EnsureTenant = %d, want %d", got, want)
	}

	const tenantB = "aaaaaaaa-2222-3333-4444-555555555555"
	if _, err := e.svc.EnsureTenant(ctx, tenantB, "Fabrikam"); err != nil {
		t.Fatal(err)
	}
	dbxB, err := e.svc.PrincipalByAppID(ctx, tenantB, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	if dbxB.ObjectID == dbx.ObjectID {
		t.Error("AzureDatabricks has the same object id in two tenants")
	}
	ts, err := e.svc.ListTenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ts), 2; got != want {
		t.Errorf("tenants = %d, want %d", got, want)
	}

	t.Run("fail/not-a-guid", func(t *testing.T) {
		_, err := e.svc.EnsureTenant(ctx, "contoso", "x")
		if got, want := scopevault.ErrorCodeOf(err), scopevault.EINVALID; got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
	})
	t.Run("fail/unknown-tenant", func(t *testing.T) {
		_, err := e.svc.Tenant(ctx, "99999999-2222-3333-4444-555555555555")
		wantReason(t, err, identity.ReasonTenantNotFound)
	})
}

func TestPrincipals(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)

	sp, secret, err := e.svc.CreateServicePrincipal(ctx, tenantA, "app1")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 40 || secret[4:6] != "Q~" {
		t.Errorf("client secret has length %d and marker %q, want 40 and Q~", len(secret), secret[4:6])
	}
	if got, want := sp.Credentials[0].Hint, secret[:3]; got != want {
		t.Errorf("hint = %q, want %q", got, want)
	}
	got, err := e.svc.PrincipalByAppID(ctx, tenantA, sp.AppID)
	if err != nil || got.ObjectID != sp.ObjectID {
		t.Fatalf("PrincipalByAppID = %v, %v", got, err)
	}

	u, err := e.svc.CreateUser(ctx, tenantA, "Alice@contoso.example", "Alice", "pa55word!")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.PrincipalByUPN(ctx, tenantA, "alice@CONTOSO.example"); err != nil || got.ObjectID != u.ObjectID {
		t.Fatalf("PrincipalByUPN = %v, %v", got, err)
	}
	if _, err := e.svc.CreateUser(ctx, tenantA, "alice@contoso.example", "Alice 2", "x"); scopevault.ErrorCodeOf(err) != scopevault.ECONFLICT {
		t.Errorf("duplicate UPN: err = %v, want ECONFLICT", err)
	}

	inner, _ := e.svc.CreateGroup(ctx, tenantA, "inner")
	outer, _ := e.svc.CreateGroup(ctx, tenantA, "outer")
	other, _ := e.svc.CreateGroup(ctx, tenantA, "other")
	for _, m := range [][2]string{{inner.ObjectID, u.ObjectID}, {outer.ObjectID, inner.ObjectID}, {inner.ObjectID, outer.ObjectID}, {inner.ObjectID, u.ObjectID}} {
		if err := e.svc.AddMember(ctx, tenantA, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	groups, err := e.svc.GroupsOf(ctx, tenantA, u.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{inner.ObjectID, outer.ObjectID}
	if inner.ObjectID > outer.ObjectID {
		want = []string{outer.ObjectID, inner.ObjectID}
	}
	if len(groups) != 2 || groups[0] != want[0] || groups[1] != want[1] {
		t.Errorf("GroupsOf = %v, want %v (not %s)", groups, want, other.ObjectID)
	}

	t.Run("fail/member-of-non-group", func(t *testing.T) {
		err := e.svc.AddMember(ctx, tenantA, sp.ObjectID, u.ObjectID)
		if got, want := scopevault.ErrorCodeOf(err), scopevault.EINVALID; got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
	})
	t.Run("fail/unknown-member", func(t *testing.T) {
		err := e.svc.AddMember(ctx, tenantA, inner.ObjectID, "00000000-0000-0000-0000-000000000000")
		if got, want := scopevault.ErrorCodeOf(err), scopevault.ENOTFOUND; got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
	})
	t.Run("fail/secret-on-first-party", func(t *testing.T) {
		dbx, _ := e.svc.PrincipalByAppID(ctx, tenantA, scopevault.AzureDatabricksAppID)
		_, _, err := e.svc.AddClientSecret(ctx, tenantA, dbx.ObjectID, "x", time.Time{})
		if got, want := scopevault.ErrorCodeOf(err), scopevault.EFORBIDDEN; got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
	})
	t.Run("fail/principal-in-unknown-tenant", func(t *testing.T) {
		_, _, err := e.svc.CreateServicePrincipal(ctx, "99999999-2222-3333-4444-555555555555", "x")
		wantReason(t, err, identity.ReasonTenantNotFound)
	})
}

// TestAtRest checks that the backend holds only ciphertext and that the
// signing key survives a restart.
func TestAtRest(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)
	sp, secret, err := e.svc.CreateServicePrincipal(ctx, tenantA, "plaintext-canary")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.svc.ClientCredentials(ctx, tenantA, sp.AppID, secret, "https://vault.azure.net/.default")
	if err != nil {
		t.Fatal(err)
	}
	err = e.st.View(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, "", "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			for _, canary := range []string{"plaintext-canary", "AzureDatabricks", "sha256$", secret, "PRIVATE"} {
				if bytes.Contains(kv.Value, []byte(canary)) {
					t.Errorf("%s holds %q in clear", kv.Key, canary)
				}
			}
		}
		if _, err := tx.Get(ctx, "core/signing"); err != nil {
			t.Errorf("core/signing: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	kid := e.svc.KeyID()
	e.st.Close()
	e.open(t)
	if got, want := e.svc.KeyID(), kid; got != want {
		t.Errorf("kid after restart = %q, want %q", got, want)
	}
	if _, err := e.svc.VerifyToken(ctx, tok.AccessToken); err != nil {
		t.Errorf("token from before restart: %v", err)
	}
}
