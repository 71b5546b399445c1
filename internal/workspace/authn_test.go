package workspace_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/testkit"
	"github.com/scopevault/scopevault/internal/workspace"
)

// Built-in Azure roles.
const (
	ownerRoleID       = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	contributorRoleID = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	readerRoleID      = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
)

type clock = testkit.Clock

// fixture is a workspace engine over real SQLite, with a directory, an
// authorizer and the shared access pipeline.
type fixture struct {
	svc   *workspace.Service
	id    *identity.Service
	authz *authz.Authorizer
	clock *clock
	ws    *scopevault.Workspace
	admin *scopevault.Principal // directory SP, workspace admin
	pat   string                // admin's PAT
}

// engine is the workspace engine over real SQLite with its neighbours: a
// directory with one tenant, an authorizer, the Key Vault engine and the
// shared access pipeline, all on one injected clock.
type engine struct {
	svc    *workspace.Service
	id     *identity.Service
	authz  *authz.Authorizer
	vaults *secrets.Engine
	clock  *clock
	tid    string
}

func mustEngine(tb testing.TB) *engine {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "scopevault.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	c := testkit.NewClock(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))
	id, err := identity.New(ctx, st, b)
	if err != nil {
		tb.Fatal(err)
	}
	id.Now = c.Now
	az := authz.New(st, b)
	az.Now = c.Now
	tid := scopevault.NewGUID()
	if _, err := id.EnsureTenant(ctx, tid, "test"); err != nil {
		tb.Fatal(err)
	}
	vaults := secrets.New(st, b)
	vaults.Now = c.Now
	svc := workspace.New(st, b)
	svc.Now, svc.Identity, svc.Authz, svc.Vaults = c.Now, id, az, vaults
	svc.Access = &access.Pipeline{Verifier: id, Authorizer: az}
	return &engine{svc: svc, id: id, authz: az, vaults: vaults, clock: c, tid: tid}
}

func mustFixture(tb testing.TB) *fixture {
	tb.Helper()
	e := mustEngine(tb)
	f := &fixture{svc: e.svc, id: e.id, authz: e.authz, clock: e.clock}
	f.ws = &scopevault.Workspace{Name: "ws1", SubscriptionID: scopevault.NewGUID(), ResourceGroup: "rg", TenantID: e.tid, SKU: "premium", WorkspaceID: 1234567890123456}
	var err error
	f.admin, _, err = e.id.CreateServicePrincipal(context.Background(), e.tid, "admin")
	if err != nil {
		tb.Fatal(err)
	}
	if f.pat, err = e.svc.BootstrapAdmin(context.Background(), f.ws, f.admin); err != nil {
		tb.Fatal(err)
	}
	return f
}

func (f *fixture) mustCaller(tb testing.TB, token string) *scopevault.WorkspaceCaller {
	tb.Helper()
	c, err := f.svc.Authenticate(context.Background(), f.ws, token)
	if err != nil {
		tb.Fatalf("Authenticate: %v", err)
	}
	return c
}

func (f *fixture) mustToken(tb testing.TB, p *scopevault.Principal, aud string) string {
	tb.Helper()
	tok, _, err := f.id.IssueToken(context.Background(), p, aud)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func (f *fixture) mustSP(tb testing.TB, name string) *scopevault.Principal {
	tb.Helper()
	p, _, err := f.id.CreateServicePrincipal(context.Background(), f.ws.TenantID, name)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func (f *fixture) mustOwner(tb testing.TB, p *scopevault.Principal) {
	tb.Helper()
	if _, _, err := f.authz.CreateAssignment(context.Background(), scopevault.RoleAssignment{
		Name: scopevault.NewGUID(), Scope: f.ws.ResourceID(), RoleDefinitionID: ownerRoleID,
		PrincipalID: p.ObjectID, PrincipalType: p.Kind,
	}); err != nil {
		tb.Fatal(err)
	}
}

func wantErr(tb testing.TB, err error, code scopevault.ErrorCode, reason string) {
	tb.Helper()
	if got := scopevault.ErrorCodeOf(err); got != code {
		tb.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if got := scopevault.ErrorReasonOf(err); got != reason {
		tb.Fatalf("error %v: reason %q, want %q", err, got, reason)
	}
}

func TestAuthenticatePAT(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	c := f.mustCaller(t, f.pat)
	if !c.Admin || c.Principal.Name != f.admin.AppID || c.Principal.Kind != scopevault.WorkspaceServicePrincipal || c.Entra != nil || c.TokenID == "" {
		t.Fatalf("caller = %+v, principal %+v", c, c.Principal)
	}
	if got, want := c.Groups, []string{"admins", "users"}; !slices.Equal(got, want) {
		t.Fatalf("groups = %v, want %v", got, want)
	}

	short, tok, err := f.svc.CreateToken(ctx, c, time.Hour, "short")
	if err != nil {
		t.Fatal(err)
	}
	if !workspace.IsPAT(short) || tok.Expires == nil || tok.Hash == short {
		t.Fatalf("token %q info %+v", short, tok)
	}
	f.mustCaller(t, short)
	other := *f.ws
	other.WorkspaceID++

	for _, tc := range []struct {
		name  string
		ws    *scopevault.Workspace
		token string
	}{
		{"fail/unknown", f.ws, "dapi0123456789abcdef0123456789abcdef"},
		{"fail/malformed-dapi", f.ws, "dapi" + f.pat[4:] + "-2"},
		{"fail/uppercase", f.ws, "dapi" + "0123456789ABCDEF0123456789ABCDEF"},
		{"fail/empty", f.ws, ""},
		{"fail/garbage", f.ws, "not a token"},
		{"fail/other-workspace", &other, f.pat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Authenticate(ctx, tc.ws, tc.token)
			wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
		})
	}

	t.Run("fail/expired", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		_, err := f.svc.Authenticate(ctx, f.ws, short)
		wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
		if list, _ := f.svc.Tokens(ctx, c); len(list) != 1 {
			t.Fatalf("tokens after expiry = %d, want 1 (the bootstrap one)", len(list))
		}
	})
	t.Run("fail/revoked", func(t *testing.T) {
		v, tok, err := f.svc.CreateToken(ctx, c, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		f.mustCaller(t, v)
		if err := f.svc.DeleteToken(ctx, c, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Authenticate(ctx, f.ws, v)
		wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
		wantErr(t, f.svc.DeleteToken(ctx, c, tok.ID), scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST")
	})
	t.Run("fail/bad-lifetime", func(t *testing.T) {
		_, _, err := f.svc.CreateToken(ctx, c, -time.Second, "")
		wantErr(t, err, scopevault.EINVALID, "INVALID_PARAMETER_VALUE")
	})
}

func TestAuthenticateEntra(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()

	t.Run("ok/known-sp", func(t *testing.T) {
		c := f.mustCaller(t, f.mustToken(t, f.admin, identity.AudienceDatabricks))
		if !c.Admin || c.Entra == nil || c.Entra.ObjectID != f.admin.ObjectID || c.TokenID != "" {
			t.Fatalf("caller = %+v", c)
		}
	})
	t.Run("ok/owner-provisioned-as-admin", func(t *testing.T) {
		owner := f.mustSP(t, "owner")
		f.mustOwner(t, owner)
		c := f.mustCaller(t, f.mustToken(t, owner, identity.AudienceDatabricks))
		if !c.Admin || c.Principal.Name != owner.AppID || c.Principal.EntraObjectID != owner.ObjectID {
			t.Fatalf("caller = %+v principal %+v", c, c.Principal)
		}
		// The second call finds it.
		if c2 := f.mustCaller(t, f.mustToken(t, owner, identity.AudienceDatabricks)); c2.Principal.ID != c.Principal.ID {
			t.Fatalf("second call principal %s, want %s", c2.Principal.ID, c.Principal.ID)
		}
	})
	t.Run("ok/user-by-upn", func(t *testing.T) {
		u, err := f.id.CreateUser(ctx, f.ws.TenantID, "alice@example.com", "Alice", "pw-1")
		if err != nil {
			t.Fatal(err)
		}
		adm := f.mustCaller(t, f.pat)
		if _, err := f.svc.CreatePrincipal(ctx, adm, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "Alice@Example.com"}); err != nil {
			t.Fatal(err)
		}
		c := f.mustCaller(t, f.mustToken(t, u, identity.AudienceDatabricks))
		if c.Admin || c.Principal.Kind != scopevault.WorkspaceUser || !slices.Equal(c.Groups, []string{"users"}) {
			t.Fatalf("caller = %+v principal %+v", c, c.Principal)
		}
		// A user can mint its own token with an Entra token.
		v, _, err := f.svc.CreateToken(ctx, c, 0, "mine")
		if err != nil {
			t.Fatal(err)
		}
		if c2 := f.mustCaller(t, v); c2.Principal.ID != c.Principal.ID {
			t.Fatal("PAT names another principal")
		}
	})
	t.Run("ok/contributor-user-provisioned-as-admin", func(t *testing.T) {
		u, err := f.id.CreateUser(ctx, f.ws.TenantID, "carol@example.com", "Carol", "pw-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.authz.CreateAssignment(ctx, scopevault.RoleAssignment{
			Name: scopevault.NewGUID(), Scope: f.ws.ResourceID(), RoleDefinitionID: contributorRoleID,
			PrincipalID: u.ObjectID, PrincipalType: scopevault.KindUser,
		}); err != nil {
			t.Fatal(err)
		}
		c := f.mustCaller(t, f.mustToken(t, u, identity.AudienceDatabricks))
		if !c.Admin || c.Principal.Kind != scopevault.WorkspaceUser || c.Principal.Name != "carol@example.com" || c.Principal.DisplayName != "Carol" {
			t.Fatalf("caller = %+v principal %+v", c, c.Principal)
		}
	})
	t.Run("fail/reader-not-provisioned", func(t *testing.T) {
		r := f.mustSP(t, "reader")
		if _, _, err := f.authz.CreateAssignment(ctx, scopevault.RoleAssignment{
			Name: scopevault.NewGUID(), Scope: f.ws.ResourceID(), RoleDefinitionID: readerRoleID,
			PrincipalID: r.ObjectID, PrincipalType: scopevault.KindServicePrincipal,
		}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Authenticate(ctx, f.ws, f.mustToken(t, r, identity.AudienceDatabricks))
		wantErr(t, err, scopevault.EFORBIDDEN, "PERMISSION_DENIED")
	})
	t.Run("fail/not-member", func(t *testing.T) {
		stranger := f.mustSP(t, "stranger")
		_, err := f.svc.Authenticate(ctx, f.ws, f.mustToken(t, stranger, identity.AudienceDatabricks))
		wantErr(t, err, scopevault.EFORBIDDEN, "PERMISSION_DENIED")
	})
	t.Run("fail/wrong-audience", func(t *testing.T) {
		_, err := f.svc.Authenticate(ctx, f.ws, f.mustToken(t, f.admin, identity.AudienceARM))
		wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
	})
	t.Run("fail/other-tenant", func(t *testing.T) {
		tid := scopevault.NewGUID()
		if _, err := f.id.EnsureTenant(ctx, tid, "other"); err != nil {
			t.Fatal(err)
		}
		p, _, err := f.id.CreateServicePrincipal(ctx, tid, "foreign")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Authenticate(ctx, f.ws, f.mustToken(t, p, identity.AudienceDatabricks))
		wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
	})
	t.Run("fail/expired", func(t *testing.T) {
		tok := f.mustToken(t, f.admin, identity.AudienceDatabricks)
		f.clock.Advance(48 * time.Hour)
		_, err := f.svc.Authenticate(ctx, f.ws, tok)
		wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
	})
}

func TestDeleteWorkspaceData(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	if err := f.svc.DeleteWorkspaceData(ctx, f.ws); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Authenticate(ctx, f.ws, f.pat)
	wantErr(t, err, scopevault.EUNAUTHORIZED, workspace.ReasonInvalidToken)
	d, err := f.svc.Directory(ctx, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.List(scopevault.WorkspaceGroup)); n != 0 {
		t.Fatalf("groups left: %d", n)
	}
}

// BenchmarkAuthenticatePAT is the hot path: a PAT resolved from the cached directory.
func BenchmarkAuthenticatePAT(b *testing.B) {
	f := mustFixture(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := f.svc.Authenticate(ctx, f.ws, f.pat); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateEntra resolves a known Entra caller: the token's
// signature is checked once, the rest is in memory.
func BenchmarkAuthenticateEntra(b *testing.B) {
	f := mustFixture(b)
	ctx := context.Background()
	tok := f.mustToken(b, f.admin, identity.AudienceDatabricks)
	for b.Loop() {
		if _, err := f.svc.Authenticate(ctx, f.ws, tok); err != nil {
			b.Fatal(err)
		}
	}
}
