package identity

import (
	"context"
	"crypto/sha256"
	"runtime"
	"sync"
	"time"

	"github.com/scopevault/scopevault"
)

// The token endpoint's defence against guessing credentials, as Entra's:
//
//   - smart lockout: after LockoutThreshold wrong passwords for one user
//     within LockoutWindow, the user is locked for LockoutDuration and every
//     sign-in, even with the right password, answers AADSTS50053;
//   - throttling: after as many wrong client secrets for one application,
//     its token requests answer 429 with Retry-After for as long;
//   - a bound on concurrent password hashing (each check is ~100 ms of CPU),
//     with a short queue; past it a sign-in answers 429 at once, so a flood
//     of wrong passwords cannot starve every other request of CPU.
//
// Counters are per principal (a user is counted by tenant and user name,
// whether or not the user exists, so a lockout reveals nothing about who
// exists), never per source address: every client of scopevault arrives from
// 127.0.0.0/8, so an address would make one client's mistakes lock out all
// the others. State is in memory: a restart forgets counters and lockouts,
// which only ever makes the service more permissive for a minute.
const (
	DefaultLockoutThreshold = 10               // Entra's default
	DefaultLockoutDuration  = 60 * time.Second // Entra's first lockout, and its Retry-After for client_credentials
	DefaultLockoutWindow    = 10 * time.Minute
	// maxTracked bounds the failure table so that guesses at random user
	// names cannot grow memory without end.
	maxTracked = 10_000
)

// Limits configures the defence; a zero field takes its default.
type Limits struct {
	// LockoutThreshold is how many wrong credentials for one principal
	// within LockoutWindow lock it; negative turns lockout and throttling off.
	LockoutThreshold int
	// LockoutDuration is how long a locked principal stays locked.
	LockoutDuration time.Duration
	// LockoutWindow is how long a wrong credential is remembered.
	LockoutWindow time.Duration
	// HashConcurrency bounds password checks running at once; the default
	// is half the CPUs (at least one), leaving the rest to other requests.
	HashConcurrency int
	// HashQueue bounds sign-ins waiting for a hash slot; the default is
	// 4 per slot (about half a second of waiting at one slot).
	HashQueue int
	// HashWait is how long a sign-in that finds the queue full waits for a
	// place before it is refused (default 2 s; negative: refused at once).
	// Refusing at once let a flood's refusals become a request flood of
	// their own: 64 connections of wrong passwords drew about 4,000 429s a
	// second, which took the core hashing had left to other requests
	// (vault GET p99 26-32x idle in kvload --flood). Waiting holds each
	// flooding connection to a request per HashWait; the waiting costs a
	// parked goroutine, and the connections are bounded by up's
	// --max-unauthenticated-conns.
	HashWait time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.LockoutThreshold == 0 {
		l.LockoutThreshold = DefaultLockoutThreshold
	}
	if l.LockoutDuration <= 0 {
		l.LockoutDuration = DefaultLockoutDuration
	}
	if l.LockoutWindow <= 0 {
		l.LockoutWindow = DefaultLockoutWindow
	}
	if l.HashConcurrency <= 0 {
		l.HashConcurrency = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if l.HashQueue <= 0 {
		l.HashQueue = 4 * l.HashConcurrency
	}
	if l.HashWait == 0 {
		l.HashWait = DefaultHashWait
	}
	return l
}

// SetLimits replaces the limits and forgets every counter and lockout. It is
// meant for start-up, before requests arrive.
func (s *Service) SetLimits(l Limits) {
	l = l.withDefaults()
	g := &guard{
		limits: l,
		failed: map[[32]byte]*attempts{},
		admit:  make(chan struct{}, l.HashConcurrency+l.HashQueue),
		run:    make(chan struct{}, l.HashConcurrency),
	}
	s.guard.Store(g)
}

// Limits returns the limits in force, defaults filled in.
func (s *Service) Limits() Limits { return s.guard.Load().limits }

// guard is the state behind Limits.
type guard struct {
	limits Limits
	mu     sync.Mutex
	failed map[[32]byte]*attempts
	// admit holds a token for every sign-in running or waiting a hash; run
	// one for every hash running. Both are semaphores.
	admit, run chan struct{}
}

// attempts is one principal's recent wrong credentials.
type attempts struct {
	failures int
	last     time.Time // the latest wrong credential
	until    time.Time // locked until; zero when not locked
}

// Keys are hashed so that a long user name costs the table 32 bytes.
func guardUserKey(tid, upn string) [32]byte {
	return sha256.Sum256([]byte("user\x00" + tid + "\x00" + upn))
}
func guardAppKey(tid, oid string) [32]byte {
	return sha256.Sum256([]byte("app\x00" + tid + "\x00" + oid))
}

// lockedUntil returns when k's lockout ends, or zero when k is not locked.
func (g *guard) lockedUntil(k [32]byte, now time.Time) time.Time {
	if g.limits.LockoutThreshold < 0 {
		return time.Time{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if a := g.failed[k]; a != nil && now.Before(a.until) {
		return a.until
	}
	return time.Time{}
}

// fail counts a wrong credential for k, locking it at the threshold.
func (g *guard) fail(k [32]byte, now time.Time) {
	if g.limits.LockoutThreshold < 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.failed[k]
	if a == nil {
		if len(g.failed) >= maxTracked && !g.evict(now) {
			// Every tracked principal is locked: taking 10,000 lockouts
			// needs 100,000 password checks, hours of CPU at the hash bound.
			return
		}
		a = &attempts{}
		g.failed[k] = a
	}
	if !a.until.IsZero() && !now.Before(a.until) || now.Sub(a.last) > g.limits.LockoutWindow {
		*a = attempts{} // a lockout that has run out, or failures long past, start afresh
	}
	a.failures++
	a.last = now
	if a.failures >= g.limits.LockoutThreshold {
		a.until = now.Add(g.limits.LockoutDuration)
	}
}

// succeed forgets k's failures: a right credential resets the count.
func (g *guard) succeed(k [32]byte) {
	g.mu.Lock()
	delete(g.failed, k)
	g.mu.Unlock()
}

// evict makes room in a full table: first every entry that no longer
// counts, else one unlocked entry. It reports whether there is room.
func (g *guard) evict(now time.Time) bool {
	for k, a := range g.failed {
		locked := now.Before(a.until)
		if !locked && (!a.until.IsZero() || now.Sub(a.last) > g.limits.LockoutWindow) {
			delete(g.failed, k)
		}
	}
	if len(g.failed) < maxTracked {
		return true
	}
	for k, a := range g.failed {
		if a.until.IsZero() {
			delete(g.failed, k)
			return true
		}
	}
	return false
}

// DefaultHashWait is how long a sign-in waits for a place in a full hash
// queue before it is refused (Limits.HashWait).
const DefaultHashWait = 2 * time.Second

// acquireHash waits for a password hash slot. When as many sign-ins as the
// queue holds are already waiting it waits up to HashWait for a place, then
// answers the throttling error rather than queueing without bound; so does
// a caller that gives up. waiting, when not nil, is told when the sign-in
// starts waiting for a place, admitted once it holds one (tests).
func (g *guard) acquireHash(ctx context.Context, waiting, admitted func()) (release func(), err error) {
	select {
	case g.admit <- struct{}{}:
	default:
		if g.limits.HashWait < 0 {
			return nil, errHashBusy()
		}
		if waiting != nil {
			waiting()
		}
		t := time.NewTimer(g.limits.HashWait)
		defer t.Stop()
		select {
		case g.admit <- struct{}{}:
		case <-t.C:
			return nil, errHashBusy()
		case <-ctx.Done():
			return nil, errHashBusy()
		}
	}
	if admitted != nil {
		admitted()
	}
	select {
	case g.run <- struct{}{}:
	case <-ctx.Done():
		<-g.admit
		return nil, errHashBusy()
	}
	return func() { <-g.run; <-g.admit }, nil
}

// Throttled is a refusal to serve a request now, saying when to retry. It
// wraps the *scopevault.Error the wire renders.
type Throttled struct {
	Err        *scopevault.Error
	RetryAfter time.Duration
}

func (t *Throttled) Error() string { return t.Err.Error() }
func (t *Throttled) Unwrap() error { return t.Err }

// RetryAfterSeconds is the whole number of seconds to put in a Retry-After
// header (at least 1).
func (t *Throttled) RetryAfterSeconds() int {
	return max(1, int((t.RetryAfter+time.Second-1)/time.Second))
}

func errClientThrottled(appID string, retry time.Duration) error {
	return &Throttled{RetryAfter: retry, Err: scopevault.Errorf(scopevault.ETHROTTLED, ReasonThrottled,
		"The server terminated an operation because it encountered a client request loop: too many requests with an invalid client secret for app '%s'. "+
			"Retry after %d seconds with the right secret.", appID, max(1, int((retry+time.Second-1)/time.Second)))}
}

func errHashBusy() error {
	return &Throttled{RetryAfter: time.Second, Err: scopevault.Errorf(scopevault.ETHROTTLED, ReasonThrottled,
		"The server terminated an operation because it encountered a client request loop: too many sign-ins are being checked at once. Retry in a second.")}
}

func errAccountLocked() *scopevault.Error {
	return scopevault.Errorf(scopevault.ETHROTTLED, ReasonAccountLocked,
		"The account is locked, you've tried to sign in too many times with an incorrect user ID or password.")
}
