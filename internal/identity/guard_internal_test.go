package identity

import (
	"fmt"
	"testing"
	"time"
)

// TestGuardTableBound: guesses at ever new names cannot grow the failure
// table past maxTracked, and making room never frees a locked name.
func TestGuardTableBound(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{}
	s.SetLimits(Limits{LockoutThreshold: 2, LockoutDuration: time.Minute})
	g := s.guard.Load()
	victim := guardUserKey("t", "victim")
	g.fail(victim, now)
	g.fail(victim, now)
	for i := range maxTracked + 100 {
		g.fail(guardUserKey("t", fmt.Sprint("guess", i)), now)
	}
	if got := len(g.failed); got > maxTracked {
		t.Errorf("tracked = %d, want at most %d", got, maxTracked)
	}
	if g.lockedUntil(victim, now).IsZero() {
		t.Error("a locked name was evicted to make room")
	}
	// Once the window has passed, stale entries make room at once.
	later := now.Add(DefaultLockoutWindow + time.Minute)
	g.fail(guardUserKey("t", "late"), later)
	if got := len(g.failed); got != 1 {
		t.Errorf("tracked after the window = %d, want 1", got)
	}
}
