package workspace_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/workspace"
)

const (
	kvSecretsUserRoleID = "4633458b-17de-408a-b874-0445c86b69e6"
	testValue           = "s3cr3t-value-never-shown"
)

// scopeFixture is a workspace engine over real SQLite with a directory, an
// authorizer, the shared access pipeline and the Key Vault engine, a
// premium workspace with its bootstrap admin, and users bob (in group
// "data") and carol.
type scopeFixture struct {
	svc    *workspace.Service
	id     *identity.Service
	authz  *authz.Authorizer
	vaults *secrets.Engine
	clock  *clock
	ws     *scopevault.Workspace
	admin  *scopevault.WorkspaceCaller
	bob    *scopevault.WorkspaceCaller
	carol  *scopevault.WorkspaceCaller
}

func mustScopeFixture(tb testing.TB, sku string) *scopeFixture {
	tb.Helper()
	ctx := context.Background()
	e := mustEngine(tb)
	svc := e.svc
	f := &scopeFixture{svc: svc, id: e.id, authz: e.authz, vaults: e.vaults, clock: e.clock}
	f.ws = &scopevault.Workspace{Name: "ws1", SubscriptionID: scopevault.NewGUID(), ResourceGroup: "rg", TenantID: e.tid, SKU: sku, WorkspaceID: 1234567890123456}
	sp, _, err := e.id.CreateServicePrincipal(ctx, e.tid, "admin")
	if err != nil {
		tb.Fatal(err)
	}
	pat, err := svc.BootstrapAdmin(ctx, f.ws, sp)
	if err != nil {
		tb.Fatal(err)
	}
	if f.admin, err = svc.Authenticate(ctx, f.ws, pat); err != nil {
		tb.Fatal(err)
	}
	bob := f.mustPrincipal(tb, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "bob@example.com"})
	carol := f.mustPrincipal(tb, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "carol@example.com"})
	f.mustPrincipal(tb, workspace.NewPrincipal{Kind: scopevault.WorkspaceGroup, DisplayName: "data", Members: []string{bob.ID}})
	f.bob, f.carol = f.caller(tb, bob), f.caller(tb, carol)
	return f
}

func (f *scopeFixture) mustPrincipal(tb testing.TB, np workspace.NewPrincipal) *scopevault.WorkspacePrincipal {
	tb.Helper()
	p, err := f.svc.CreatePrincipal(context.Background(), f.admin, np)
	if err != nil {
		tb.Fatalf("create principal %+v: %v", np, err)
	}
	return p
}

// caller is p as Authenticate would give it (groups from the directory).
func (f *scopeFixture) caller(tb testing.TB, p *scopevault.WorkspacePrincipal) *scopevault.WorkspaceCaller {
	tb.Helper()
	d, err := f.svc.Directory(context.Background(), f.ws)
	if err != nil {
		tb.Fatal(err)
	}
	return &scopevault.WorkspaceCaller{Workspace: f.ws, Principal: p, Groups: d.Groups(p.ID)}
}

func (f *scopeFixture) mustScope(tb testing.TB, c *scopevault.WorkspaceCaller, ns workspace.NewScope) {
	tb.Helper()
	if _, err := f.svc.CreateScope(context.Background(), c, ns); err != nil {
		tb.Fatalf("create scope %s: %v", ns.Name, err)
	}
}

func (f *scopeFixture) mustPut(tb testing.TB, c *scopevault.WorkspaceCaller, scope, key, value string) {
	tb.Helper()
	if _, err := f.svc.PutSecret(context.Background(), c, scope, key, []byte(value)); err != nil {
		tb.Fatalf("put %s/%s: %v", scope, key, err)
	}
}

func (f *scopeFixture) mustACL(tb testing.TB, c *scopevault.WorkspaceCaller, scope, principal, perm string) {
	tb.Helper()
	if _, err := f.svc.PutACL(context.Background(), c, scope, principal, perm); err != nil {
		tb.Fatalf("put acl %s %s %s: %v", scope, principal, perm, err)
	}
}

// wantMessage checks err's reason and exact message, and that no value leaks.
func wantMessage(tb testing.TB, err error, reason, message string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want %s %q", reason, message)
	}
	if got := scopevault.ErrorReasonOf(err); got != reason {
		tb.Fatalf("reason %q (%v), want %q", got, err, reason)
	}
	if got := scopevault.ErrorMessageOf(err); got != message {
		tb.Fatalf("message\n got %q\nwant %q", got, message)
	}
	if strings.Contains(err.Error(), testValue) {
		tb.Fatal("an error carries a secret value")
	}
}

func TestScopeLifecycle(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	ctx := context.Background()
	f.mustScope(t, f.admin, workspace.NewScope{Name: "My-Scope"})
	f.mustScope(t, f.bob, workspace.NewScope{Name: "bobs@scope.v1", Backend: "DATABRICKS"})

	scopes, err := f.svc.ListScopes(ctx, f.carol) // every user lists every scope
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sc := range scopes {
		names = append(names, sc.Name+":"+string(sc.Backend))
	}
	if got, want := names, []string{"bobs@scope.v1:DATABRICKS", "My-Scope:DATABRICKS"}; !slices.Equal(got, want) {
		t.Fatalf("scopes %v, want %v", got, want)
	}

	f.mustPut(t, f.admin, "my-scope", "Db-Password", testValue)
	created := f.clock.Now()
	got, d, err := f.svc.GetSecret(ctx, f.admin, "MY-SCOPE", "db-password")
	if err != nil || string(got) != testValue || !d.Allowed || d.Rule != "workspace admin" {
		t.Fatalf("get: %q %+v %v", got, d, err)
	}
	f.clock.Advance(time.Minute)
	f.mustPut(t, f.admin, "My-Scope", "DB-PASSWORD", "v2")
	f.mustPut(t, f.admin, "My-Scope", "api-key", "k")
	list, _, err := f.svc.ListSecrets(ctx, f.admin, "my-scope")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "api-key" || list[1].Key != "Db-Password" || !list[1].Updated.Equal(created.Add(time.Minute)) {
		t.Fatalf("list %+v", list)
	}
	if got, _, _ := f.svc.GetSecret(ctx, f.admin, "my-scope", "db-password"); string(got) != "v2" {
		t.Fatalf("after overwrite: %q", got)
	}
	if _, err := f.svc.DeleteSecret(ctx, f.admin, "my-scope", "API-KEY"); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.GetSecret(ctx, f.admin, "my-scope", "api-key")
	wantMessage(t, err, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: My-Scope and key: api-key")

	if _, err := f.svc.DeleteScope(ctx, f.admin, "my-scope"); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.ListSecrets(ctx, f.admin, "My-Scope")
	wantMessage(t, err, "RESOURCE_DOES_NOT_EXIST", "Scope My-Scope does not exist!")
	// Re-created, it holds none of the old secrets or ACLs.
	f.mustScope(t, f.carol, workspace.NewScope{Name: "my-scope"})
	if list, _, err := f.svc.ListSecrets(ctx, f.admin, "my-scope"); err != nil || len(list) != 0 {
		t.Fatalf("re-created scope lists %+v %v", list, err)
	}
	acls, _, err := f.svc.ListACLs(ctx, f.admin, "my-scope")
	if err != nil || len(acls) != 1 || acls[0] != (scopevault.ScopeACL{Principal: "carol@example.com", Permission: "MANAGE"}) {
		t.Fatalf("acls %+v %v", acls, err)
	}
}

func TestScopeErrors(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	ctx := context.Background()
	f.mustScope(t, f.admin, workspace.NewScope{Name: "s1"})
	f.mustPut(t, f.admin, "s1", "k1", testValue)
	long := strings.Repeat("a", 129)
	tests := []struct {
		name    string
		call    func() error
		reason  string
		message string
	}{
		{"fail/scope-exists", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "S1"})
			return err
		}, "RESOURCE_ALREADY_EXISTS", "Scope S1 already exists!"},
		{"fail/scope-name-chars", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "a/b"})
			return err
		}, "INVALID_PARAMETER_VALUE", "Invalid scope name 'a/b': it must be 1 to 128 characters long and contain only alphanumeric characters, dashes, underscores, periods and '@'."},
		{"fail/scope-name-long", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: long})
			return err
		}, "INVALID_PARAMETER_VALUE", "Invalid scope name '" + long + "': it must be 1 to 128 characters long and contain only alphanumeric characters, dashes, underscores, periods and '@'."},
		{"fail/scope-missing-field", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{})
			return err
		}, "INVALID_PARAMETER_VALUE", "Missing required field: scope"},
		{"fail/initial-manage-principal", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "x", InitialManagePrincipal: "admins"})
			return err
		}, "INVALID_PARAMETER_VALUE", `Invalid initial_manage_principal 'admins': the only supported value is "users".`},
		{"fail/backend-type", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "x", Backend: "S3"})
			return err
		}, "INVALID_PARAMETER_VALUE", "Invalid scope_backend_type 'S3': it must be DATABRICKS or AZURE_KEYVAULT."},
		{"fail/akv-with-pat", func() error {
			_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "x", Backend: "AZURE_KEYVAULT"})
			return err
		}, "INVALID_PARAMETER_VALUE", "Scope with Azure KeyVault must have userAADToken defined!"},
		{"fail/scope-missing", func() error {
			_, _, err := f.svc.ListSecrets(ctx, f.admin, "nope")
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "Scope nope does not exist!"},
		{"fail/delete-scope-missing", func() error {
			_, err := f.svc.DeleteScope(ctx, f.admin, "nope")
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "Scope nope does not exist!"},
		{"fail/put-scope-missing", func() error {
			_, err := f.svc.PutSecret(ctx, f.admin, "nope", "k", []byte("v"))
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "Scope nope does not exist!"},
		{"fail/secret-missing", func() error {
			_, _, err := f.svc.GetSecret(ctx, f.admin, "s1", "k2")
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: s1 and key: k2"},
		{"fail/delete-secret-missing", func() error {
			_, err := f.svc.DeleteSecret(ctx, f.admin, "s1", "k2")
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: s1 and key: k2"},
		{"fail/key-chars", func() error {
			_, err := f.svc.PutSecret(ctx, f.admin, "s1", "a@b", []byte("v"))
			return err
		}, "INVALID_PARAMETER_VALUE", "Invalid secret key 'a@b': it must be 1 to 128 characters long and contain only alphanumeric characters, dashes, underscores and periods."},
		{"fail/key-missing", func() error {
			_, _, err := f.svc.GetSecret(ctx, f.admin, "s1", "")
			return err
		}, "INVALID_PARAMETER_VALUE", "Missing required field: key"},
		{"fail/value-too-large", func() error {
			_, err := f.svc.PutSecret(ctx, f.admin, "s1", "big", make([]byte, workspace.MaxSecretValue+1))
			return err
		}, "INVALID_PARAMETER_VALUE", "The secret value is 131073 bytes; a secret value may be at most 131072 bytes (128 KB)."},
		{"fail/read-denied", func() error {
			_, _, err := f.svc.GetSecret(ctx, f.bob, "s1", "k1")
			return err
		}, "PERMISSION_DENIED", "User bob@example.com does not have READ permission on scope s1 to perform this action."},
		{"fail/write-denied", func() error {
			_, err := f.svc.PutSecret(ctx, f.bob, "s1", "k1", []byte("x"))
			return err
		}, "PERMISSION_DENIED", "User bob@example.com does not have WRITE permission on scope s1 to perform this action."},
		{"fail/manage-denied", func() error {
			_, err := f.svc.DeleteScope(ctx, f.bob, "s1")
			return err
		}, "PERMISSION_DENIED", "User bob@example.com does not have MANAGE permission on scope s1 to perform this action."},
		{"fail/acl-permission", func() error {
			_, err := f.svc.PutACL(ctx, f.admin, "s1", "bob@example.com", "OWNER")
			return err
		}, "INVALID_PARAMETER_VALUE", "Invalid permission 'OWNER': it must be READ, WRITE or MANAGE."},
		{"fail/acl-unknown-principal", func() error {
			_, err := f.svc.PutACL(ctx, f.admin, "s1", "nobody@example.com", "READ")
			return err
		}, "INVALID_PARAMETER_VALUE", "Principal nobody@example.com does not exist in this workspace: name a user by userName, a service principal by application id or a group by display name."},
		{"fail/acl-missing", func() error {
			_, _, err := f.svc.GetACL(ctx, f.admin, "s1", "bob@example.com")
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "ACL for principal bob@example.com does not exist on scope s1!"},
		{"fail/delete-acl-missing", func() error {
			_, err := f.svc.DeleteACL(ctx, f.admin, "s1", "data")
			return err
		}, "RESOURCE_DOES_NOT_EXIST", "ACL for principal data does not exist on scope s1!"},
		{"fail/acl-principal-missing-field", func() error {
			_, _, err := f.svc.GetACL(ctx, f.admin, "s1", "")
			return err
		}, "INVALID_PARAMETER_VALUE", "Missing required field: principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantMessage(t, tt.call(), tt.reason, tt.message) })
	}
}

func TestScopeACLs(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	ctx := context.Background()
	f.mustScope(t, f.carol, workspace.NewScope{Name: "team"})
	f.mustPut(t, f.carol, "team", "k", testValue)

	read := func(c *scopevault.WorkspaceCaller) (scopevault.Decision, error) {
		_, d, err := f.svc.GetSecret(ctx, c, "team", "k")
		return d, err
	}
	write := func(c *scopevault.WorkspaceCaller) (scopevault.Decision, error) {
		return f.svc.PutSecret(ctx, c, "team", "k", []byte(testValue))
	}
	check := func(t *testing.T, name string, op func(*scopevault.WorkspaceCaller) (scopevault.Decision, error), c *scopevault.WorkspaceCaller, allowed bool, rule string) {
		t.Helper()
		d, err := op(c)
		if (err == nil) != allowed || d.Allowed != allowed || d.Rule != rule {
			t.Fatalf("%s: decision %+v err %v, want allowed=%v rule %q", name, d, err, allowed, rule)
		}
	}
	t.Run("ok/creator-manages", func(t *testing.T) {
		check(t, "carol write", write, f.carol, true, "acl carol@example.com:MANAGE")
		check(t, "bob read", read, f.bob, false, "no ACL grants READ")
	})
	t.Run("ok/group-grant", func(t *testing.T) {
		f.mustACL(t, f.carol, "team", "DATA", "read")
		check(t, "bob read", read, f.bob, true, "acl data:READ")
		check(t, "bob write", write, f.bob, false, "no ACL grants WRITE (best: acl data:READ)")
	})
	t.Run("ok/max-of-own-and-groups", func(t *testing.T) {
		f.mustACL(t, f.carol, "team", "Bob@Example.com", "WRITE")
		check(t, "bob write", write, f.bob, true, "acl bob@example.com:WRITE")
		// put-acl is an upsert: lowering bob's own entry leaves the group's READ.
		f.mustACL(t, f.carol, "team", "bob@example.com", "READ")
		check(t, "bob write", write, f.bob, false, "no ACL grants WRITE (best: acl bob@example.com:READ)")
		if a, _, err := f.svc.GetACL(ctx, f.carol, "team", "BOB@example.com"); err != nil || a.Permission != "READ" || a.Principal != "bob@example.com" {
			t.Fatalf("get acl %+v %v", a, err)
		}
	})
	t.Run("ok/users-group", func(t *testing.T) {
		f.mustACL(t, f.carol, "team", "users", "MANAGE")
		check(t, "bob write", write, f.bob, true, "acl users:MANAGE")
		if _, err := f.svc.DeleteACL(ctx, f.bob, "team", "users"); err != nil {
			t.Fatal(err)
		}
		check(t, "bob write", write, f.bob, false, "no ACL grants WRITE (best: acl bob@example.com:READ)")
	})
	t.Run("ok/admin-implicit-and-unlisted", func(t *testing.T) {
		if _, err := f.svc.DeleteACL(ctx, f.carol, "team", "carol@example.com"); err != nil {
			t.Fatal(err)
		}
		check(t, "carol read", read, f.carol, false, "no ACL grants READ")
		check(t, "admin write", write, f.admin, true, "workspace admin")
		acls, d, err := f.svc.ListACLs(ctx, f.admin, "team")
		if err != nil || d.Rule != "workspace admin" {
			t.Fatal(err)
		}
		var got []string
		for _, a := range acls {
			got = append(got, a.Principal+":"+string(a.Permission))
		}
		if want := []string{"bob@example.com:READ", "data:READ"}; !slices.Equal(got, want) {
			t.Fatalf("acls %v, want %v", got, want)
		}
	})
	t.Run("ok/initial-manage-principal-users", func(t *testing.T) {
		f.mustScope(t, f.bob, workspace.NewScope{Name: "shared", InitialManagePrincipal: "users"})
		acls, _, err := f.svc.ListACLs(ctx, f.carol, "shared")
		if err != nil || len(acls) != 1 || acls[0] != (scopevault.ScopeACL{Principal: "users", Permission: "MANAGE"}) {
			t.Fatalf("acls %+v %v", acls, err)
		}
	})
}

func TestScopeStandardTier(t *testing.T) {
	f := mustScopeFixture(t, "standard")
	ctx := context.Background()
	_, err := f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "s"})
	wantMessage(t, err, "BAD_REQUEST", `Premium Tier is disabled in this workspace. Secret scopes can only be created with initial_manage_principal "users".`)
	f.mustScope(t, f.bob, workspace.NewScope{Name: "s", InitialManagePrincipal: "users"})
	f.mustPut(t, f.carol, "s", "k", testValue) // users: MANAGE
	for name, call := range map[string]func() error{
		"put":    func() error { _, err := f.svc.PutACL(ctx, f.admin, "s", "bob@example.com", "READ"); return err },
		"get":    func() error { _, _, err := f.svc.GetACL(ctx, f.admin, "s", "users"); return err },
		"list":   func() error { _, _, err := f.svc.ListACLs(ctx, f.admin, "s"); return err },
		"delete": func() error { _, err := f.svc.DeleteACL(ctx, f.admin, "s", "users"); return err },
	} {
		t.Run("fail/acl-"+name, func(t *testing.T) {
			wantMessage(t, call(), "PERMISSION_DENIED", "ACL is not supported in your workspace.")
		})
	}
}

// The limits are lowered through the Service's fields so the test stays
// fast; production uses MaxScopes and MaxSecretsPerScope (1000 each).
func TestScopeLimits(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	f.svc.ScopeLimit, f.svc.SecretLimit = 3, 4
	ctx := context.Background()
	f.mustScope(t, f.admin, workspace.NewScope{Name: "full"})
	for i := range 4 {
		f.mustPut(t, f.admin, "full", fmt.Sprintf("k%d", i), "v")
	}
	_, err := f.svc.PutSecret(ctx, f.admin, "full", "one-more", []byte("v"))
	wantMessage(t, err, "RESOURCE_LIMIT_EXCEEDED", "Scope full already holds the maximum of 4 secrets; delete one before adding another.")
	f.mustPut(t, f.admin, "full", "K1", "an overwrite is not a new secret")
	if _, err := f.svc.DeleteSecret(ctx, f.admin, "full", "k0"); err != nil {
		t.Fatal(err)
	}
	f.mustPut(t, f.admin, "full", "one-more", "room again")
	f.mustScope(t, f.admin, workspace.NewScope{Name: "s1"})
	f.mustScope(t, f.admin, workspace.NewScope{Name: "s2"})
	_, err = f.svc.CreateScope(ctx, f.bob, workspace.NewScope{Name: "s3"})
	wantMessage(t, err, "RESOURCE_LIMIT_EXCEEDED", "This workspace already holds the maximum of 3 secret scopes; delete one before creating another.")
	if workspace.MaxScopes != 1000 || workspace.MaxSecretsPerScope != 1000 || workspace.MaxSecretValue != 128*1024 {
		t.Fatal("the documented limits moved")
	}
}

// Writers and readers at once: every write is seen by the next read (the
// snapshot is rebuilt on the store's generation), and nothing races.
func TestScopeConcurrentWritesAndReads(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	ctx := context.Background()
	f.mustScope(t, f.admin, workspace.NewScope{Name: "busy"})
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 5 {
				key := fmt.Sprintf("g%d-k%d", g, i)
				if _, err := f.svc.PutSecret(ctx, f.admin, "busy", key, []byte(key)); err != nil {
					errs <- err
					return
				}
				got, _, err := f.svc.GetSecret(ctx, f.admin, "busy", key)
				if err != nil || string(got) != key {
					errs <- fmt.Errorf("get %s after put: %q %v", key, got, err)
					return
				}
				if g == 0 && i == 2 {
					if _, err := f.svc.PutACL(ctx, f.admin, "busy", "data", "READ"); err != nil {
						errs <- err
						return
					}
					if _, _, err := f.svc.GetSecret(ctx, f.bob, "busy", key); err != nil {
						errs <- fmt.Errorf("read right after the grant: %v", err)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	list, _, err := f.svc.ListSecrets(ctx, f.admin, "busy")
	if err != nil || len(list) != 40 {
		t.Fatalf("list: %d secrets, %v", len(list), err)
	}
}
