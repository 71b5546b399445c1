package secrets_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/testkit"
)

const (
	tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	sub      = "11111111-2222-3333-4444-555555555555"
	otherSub = "66666666-7777-8888-9999-000000000000"
)

// clock is the engine's injected time source; tests move it instead of sleeping.
type clock = testkit.Clock

// testEngine is an engine over a real SQLite file and a real barrier.
type testEngine struct {
	*secrets.Engine
	clock *clock
	dir   string
}

// MustEngine returns an engine over a fresh SQLite file in tb.TempDir(),
// sealed by a barrier with a fresh master key, with an injected clock.
func MustEngine(tb testing.TB) *testEngine {
	tb.Helper()
	dir := tb.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "scopevault.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(context.Background(), st, barrier.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	e := secrets.New(st, b)
	c := testkit.NewClock(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))
	e.Now = c.Now
	return &testEngine{Engine: e, clock: c, dir: dir}
}

// MustVault creates a vault; mod may adjust it before creation.
func (e *testEngine) MustVault(tb testing.TB, name string, mod ...func(*scopevault.Vault)) *scopevault.Vault {
	tb.Helper()
	v := scopevault.Vault{
		Name: name, SubscriptionID: sub, ResourceGroup: "rg", Location: "eastus",
		TenantID: tenant, SKU: "standard", EnableRBACAuthorization: true,
	}
	for _, m := range mod {
		m(&v)
	}
	out, err := e.CreateVault(context.Background(), v)
	if err != nil {
		tb.Fatalf("create vault %s: %v", name, err)
	}
	return out
}

// MustSet sets a secret version and returns it.
func (e *testEngine) MustSet(tb testing.TB, v *scopevault.Vault, name, value string) *scopevault.SecretValue {
	tb.Helper()
	sv, err := e.Set(context.Background(), v, name, secrets.SetParams{Value: value})
	if err != nil {
		tb.Fatalf("set %s: %v", name, err)
	}
	return sv
}

// MustDelete soft-deletes a secret.
func (e *testEngine) MustDelete(tb testing.TB, v *scopevault.Vault, name string) *scopevault.Secret {
	tb.Helper()
	s, err := e.Delete(context.Background(), v, name)
	if err != nil {
		tb.Fatalf("delete %s: %v", name, err)
	}
	return s
}

// MustBackup backs a secret up.
func (e *testEngine) MustBackup(tb testing.TB, v *scopevault.Vault, name string) []byte {
	tb.Helper()
	blob, err := e.Backup(context.Background(), v, name)
	if err != nil {
		tb.Fatalf("backup %s: %v", name, err)
	}
	return blob
}

// wantErr checks err is a *scopevault.Error with code and reason ("" = no reason).
func wantErr(tb testing.TB, err error, code scopevault.ErrorCode, reason string) *scopevault.Error {
	tb.Helper()
	var e *scopevault.Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v, want *scopevault.Error %s/%s", err, code, reason)
	}
	if got, want := e.Code, code; got != want {
		tb.Fatalf("error code: got %s, want %s (%v)", got, want, err)
	}
	if got, want := e.Reason, reason; got != want {
		tb.Fatalf("error reason: got %q, want %q (%v)", got, want, err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// names returns the names of secrets, in order.
func names(ss []*scopevault.Secret) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}
