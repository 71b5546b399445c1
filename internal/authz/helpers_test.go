package authz_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/testkit"
)

const (
	tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	sub    = "11111111-2222-3333-4444-555555555555"
	rg     = "rg-data"
	alice  = "aaaaaaaa-0000-0000-0000-000000000001"
	bob    = "bbbbbbbb-0000-0000-0000-000000000002"
	team   = "99999999-0000-0000-0000-0000000000aa"
)

// clock is an injectable time source; tests move it instead of sleeping.
type clock = testkit.Clock

// MustAuthorizer returns an Authorizer over a real SQLite file and barrier.
func MustAuthorizer(tb testing.TB) (*authz.Authorizer, *clock) {
	tb.Helper()
	a, c, _ := mustAuthorizerStore(tb)
	return a, c
}

func mustAuthorizerStore(tb testing.TB) (*authz.Authorizer, *clock, store.Store) {
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
	a := authz.New(st, b)
	c := testkit.NewClock(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))
	a.Now = c.Now
	return a, c, st
}

// rbacVault is a vault using the RBAC permission model.
func rbacVault() *scopevault.Vault {
	return &scopevault.Vault{Name: "kv-Data", SubscriptionID: sub, ResourceGroup: rg, TenantID: tenant, EnableRBACAuthorization: true}
}

func apVault(policies ...scopevault.AccessPolicy) *scopevault.Vault {
	return &scopevault.Vault{Name: "kv-ap", SubscriptionID: sub, ResourceGroup: rg, TenantID: tenant, AccessPolicies: policies}
}

func user(oid string, groups ...string) *scopevault.Caller {
	return &scopevault.Caller{TenantID: tenant, ObjectID: oid, AppID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		Issuer: "https://sts.windows.net/" + tenant + "/", GroupIDs: groups}
}

var assignmentSeq int

// MustAssign creates an assignment of roleID to principal at scope with a fresh name.
func MustAssign(tb testing.TB, a *authz.Authorizer, roleID, principal, scope string) scopevault.RoleAssignment {
	tb.Helper()
	assignmentSeq++
	ra, created, err := a.CreateAssignment(context.Background(), scopevault.RoleAssignment{
		Name:  fmt.Sprintf("00000000-0000-0000-0000-%012d", assignmentSeq),
		Scope: scope, RoleDefinitionID: roleID, PrincipalID: principal,
	})
	if err != nil || !created {
		tb.Fatalf("CreateAssignment(%s at %s): created=%v err=%v", roleID, scope, created, err)
	}
	return ra
}

// MustData runs AuthorizeData and fails the test on error.
func MustData(tb testing.TB, a *authz.Authorizer, c *scopevault.Caller, v *scopevault.Vault, op scopevault.Operation, secret string) scopevault.Decision {
	tb.Helper()
	d, err := a.AuthorizeData(context.Background(), c, v, op, secret)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// MustMgmt runs AuthorizeManagement and fails the test on error.
func MustMgmt(tb testing.TB, a *authz.Authorizer, c *scopevault.Caller, action, scope string) scopevault.Decision {
	tb.Helper()
	d, err := a.AuthorizeManagement(context.Background(), c, action, scope)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func subScope() string   { return "/subscriptions/" + sub }
func rgScope() string    { return subScope() + "/resourceGroups/" + rg }
func vaultScope() string { return rbacVault().ResourceID() }
