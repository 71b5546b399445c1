package identity_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/testkit"
)

const vaultScope = "https://vault.azure.net/.default"

// guardEnv is a tenant with two users and two applications, a settable
// clock, and lockout at 3 wrong credentials for a minute.
type guardEnv struct {
	*env
	clock      *testkit.Clock
	sp1, sp2   *scopevault.Principal
	sec1, sec2 string
	hashes     atomic.Int32 // password checks run
}

func MustGuardEnv(tb testing.TB, l identity.Limits) *guardEnv {
	tb.Helper()
	ctx := context.Background()
	g := &guardEnv{env: MustEnv(tb), clock: testkit.NewClock(t0)}
	g.svc.Now = g.clock.Now
	g.svc.SetLimits(l)
	MustTenant(tb, g.svc)
	var err error
	if g.sp1, g.sec1, err = g.svc.CreateServicePrincipal(ctx, tenantA, "app1"); err != nil {
		tb.Fatal(err)
	}
	if g.sp2, g.sec2, err = g.svc.CreateServicePrincipal(ctx, tenantA, "app2"); err != nil {
		tb.Fatal(err)
	}
	for _, upn := range []string{"alice@contoso.example", "bob@contoso.example"} {
		if _, err := g.svc.CreateUser(ctx, tenantA, upn, upn, "right password"); err != nil {
			tb.Fatal(err)
		}
	}
	identity.SetPasswordCheck(g.svc, func(hash, pw string) bool {
		g.hashes.Add(1)
		return identity.CheckPassword(hash, pw)
	})
	return g
}

func (g *guardEnv) signIn(user, pw string) error {
	_, err := g.svc.Password(context.Background(), tenantA, identity.PublicClientAppID, user, pw, vaultScope)
	return err
}

func (g *guardEnv) clientToken(sp *scopevault.Principal, secret string) error {
	_, err := g.svc.ClientCredentials(context.Background(), tenantA, sp.AppID, secret, vaultScope)
	return err
}

func TestLockout(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: 3, LockoutDuration: time.Minute})
	for range 3 {
		wantReason(t, g.signIn("alice@contoso.example", "wrong"), identity.ReasonInvalidPassword)
	}
	// Locked: the right password, and any other, answer 50053 without a hash.
	before := g.hashes.Load()
	wantReason(t, g.signIn("alice@contoso.example", "right password"), identity.ReasonAccountLocked)
	wantReason(t, g.signIn("ALICE@contoso.example ", "wrong"), identity.ReasonAccountLocked)
	if got := g.hashes.Load() - before; got != 0 {
		t.Errorf("password checks while locked = %d, want 0", got)
	}
	// Another user is not affected.
	if err := g.signIn("bob@contoso.example", "right password"); err != nil {
		t.Fatalf("bob while alice is locked: %v", err)
	}
	g.clock.Advance(time.Minute - time.Second)
	wantReason(t, g.signIn("alice@contoso.example", "right password"), identity.ReasonAccountLocked)
	g.clock.Advance(time.Second)
	if err := g.signIn("alice@contoso.example", "right password"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

func TestLockoutCounting(t *testing.T) {
	tests := []struct {
		name  string
		steps []string // "wrong", "right", or "wait" (past the window)
		want  string   // the reason of a last sign-in with the right password
	}{
		{name: "ok/below-threshold", steps: []string{"wrong", "wrong"}},
		{name: "ok/success-resets", steps: []string{"wrong", "wrong", "right", "wrong", "wrong"}},
		{name: "ok/window-forgets", steps: []string{"wrong", "wrong", "wait", "wrong", "wrong"}},
		{name: "fail/threshold", steps: []string{"wrong", "wrong", "wrong"}, want: identity.ReasonAccountLocked},
		{name: "fail/threshold-in-window", steps: []string{"wrong", "wrong", "right", "wrong", "wrong", "wrong"}, want: identity.ReasonAccountLocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := MustGuardEnv(t, identity.Limits{LockoutThreshold: 3, LockoutDuration: time.Minute, LockoutWindow: 5 * time.Minute})
			for _, s := range tt.steps {
				switch s {
				case "wait":
					g.clock.Advance(5*time.Minute + time.Second)
				case "right":
					if err := g.signIn("alice@contoso.example", "right password"); err != nil {
						t.Fatal(err)
					}
				default:
					g.signIn("alice@contoso.example", "wrong")
				}
			}
			wantReason(t, g.signIn("alice@contoso.example", "right password"), tt.want)
		})
	}
}

// An unknown user name is counted and locked like a real one, so a lockout
// does not reveal who exists.
func TestLockoutUnknownUser(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: 2, LockoutDuration: time.Minute})
	for range 2 {
		wantReason(t, g.signIn("nobody@contoso.example", "x"), identity.ReasonInvalidPassword)
	}
	wantReason(t, g.signIn("nobody@contoso.example", "x"), identity.ReasonAccountLocked)
}

func TestLockoutOff(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: -1})
	for range 12 {
		g.signIn("alice@contoso.example", "wrong")
		g.clientToken(g.sp1, "wrong")
	}
	if err := g.signIn("alice@contoso.example", "right password"); err != nil {
		t.Errorf("sign-in with lockout off: %v", err)
	}
	if err := g.clientToken(g.sp1, g.sec1); err != nil {
		t.Errorf("client credentials with throttling off: %v", err)
	}
}

func TestClientThrottle(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: 3, LockoutDuration: time.Minute})
	for range 3 {
		wantReason(t, g.clientToken(g.sp1, "wrong"), identity.ReasonInvalidSecret)
	}
	g.clock.Advance(20 * time.Second)
	err := g.clientToken(g.sp1, g.sec1)
	wantReason(t, err, identity.ReasonThrottled)
	th, ok := errors.AsType[*identity.Throttled](err)
	if !ok {
		t.Fatalf("err %v is not *identity.Throttled", err)
	}
	if got, want := th.RetryAfterSeconds(), 40; got != want {
		t.Errorf("Retry-After = %d s, want %d", got, want)
	}
	if got, want := scopevault.ErrorCodeOf(err), scopevault.ETHROTTLED; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	// The other application is not affected.
	if err := g.clientToken(g.sp2, g.sec2); err != nil {
		t.Fatalf("app2 while app1 is throttled: %v", err)
	}
	// A missing secret is no guess and does not count.
	for range 3 {
		wantReason(t, g.clientToken(g.sp2, ""), identity.ReasonMissingSecret)
	}
	if err := g.clientToken(g.sp2, g.sec2); err != nil {
		t.Fatalf("app2 after missing secrets: %v", err)
	}
	g.clock.Advance(40 * time.Second)
	if err := g.clientToken(g.sp1, g.sec1); err != nil {
		t.Fatalf("app1 after Retry-After: %v", err)
	}
}

// TestHashBound holds password checks in the hook: with one slot and a queue
// of two, checks never overlap, and a fourth sign-in is refused at once.
func TestHashBound(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: -1, HashConcurrency: 1, HashQueue: 2, HashWait: -1})
	var running, most atomic.Int32
	admitted := make(chan struct{}, 3)
	proceed := make(chan struct{})
	identity.OnHashAdmitted(g.svc, func() { admitted <- struct{}{} })
	identity.SetPasswordCheck(g.svc, func(hash, pw string) bool {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-proceed
		running.Add(-1)
		return identity.CheckPassword(hash, pw)
	})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() { errs <- g.signIn("alice@contoso.example", "wrong") })
	}
	for range 3 {
		<-admitted // one check runs (held), two wait for the slot
	}
	err := g.signIn("bob@contoso.example", "right password")
	wantReason(t, err, identity.ReasonThrottled)
	if th, ok := errors.AsType[*identity.Throttled](err); !ok || th.RetryAfterSeconds() != 1 {
		t.Errorf("busy sign-in: %v, want Throttled with Retry-After 1", err)
	}
	for range 3 {
		proceed <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		wantReason(t, err, identity.ReasonInvalidPassword)
	}
	if got := most.Load(); got != 1 {
		t.Errorf("password checks at once = %d, want 1", got)
	}
	if got := identity.Admitted(g.svc); got != 0 {
		t.Errorf("places held after the flood = %d, want 0", got)
	}
	identity.OnHashAdmitted(g.svc, nil)
	identity.SetPasswordCheck(g.svc, identity.CheckPassword)
	if err := g.signIn("bob@contoso.example", "right password"); err != nil {
		t.Errorf("after the flood: %v", err)
	}
}

// A sign-in whose caller gives up while queued leaves and frees its place.
func TestHashQueueCancel(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: -1, HashConcurrency: 1, HashQueue: 1})
	admitted, proceed := make(chan struct{}, 2), make(chan struct{})
	identity.OnHashAdmitted(g.svc, func() { admitted <- struct{}{} })
	identity.SetPasswordCheck(g.svc, func(hash, pw string) bool {
		<-proceed
		return false
	})
	done := make(chan error, 1)
	go func() { done <- g.signIn("alice@contoso.example", "wrong") }()
	<-admitted
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	go func() {
		_, err := g.svc.Password(ctx, tenantA, identity.PublicClientAppID, "bob@contoso.example", "x", vaultScope)
		queued <- err
	}()
	<-admitted
	cancel()
	wantReason(t, <-queued, identity.ReasonThrottled)
	if got := identity.Admitted(g.svc); got != 1 {
		t.Errorf("places held after the cancel = %d, want 1", got)
	}
	proceed <- struct{}{}
	wantReason(t, <-done, identity.ReasonInvalidPassword)
}

// A sign-in that finds the hash queue full waits for a place (HashWait)
// rather than being refused at once, so a flood's refusals cannot become a
// request flood of their own; it runs once a place frees.
func TestHashWaitAdmits(t *testing.T) {
	g := MustGuardEnv(t, identity.Limits{LockoutThreshold: -1, HashConcurrency: 1, HashQueue: 1, HashWait: time.Hour})
	admitted, waiting, proceed := make(chan struct{}, 3), make(chan struct{}, 1), make(chan struct{})
	identity.OnHashAdmitted(g.svc, func() { admitted <- struct{}{} })
	identity.OnHashWaiting(g.svc, func() { waiting <- struct{}{} })
	identity.SetPasswordCheck(g.svc, func(hash, pw string) bool {
		<-proceed
		return false
	})
	errs := make(chan error, 3)
	go func() { errs <- g.signIn("alice@contoso.example", "wrong") }()
	<-admitted // running, held
	go func() { errs <- g.signIn("bob@contoso.example", "wrong") }()
	<-admitted // queued
	go func() { errs <- g.signIn("carol@contoso.example", "wrong") }()
	<-waiting // the queue is full: the third waits for a place
	for range 3 {
		proceed <- struct{}{}
	}
	for range 3 {
		wantReason(t, <-errs, identity.ReasonInvalidPassword)
	}
	if got := identity.Admitted(g.svc); got != 0 {
		t.Errorf("places held after the sign-ins = %d, want 0", got)
	}
}
