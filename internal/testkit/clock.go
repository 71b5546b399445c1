// Package testkit holds what the tests of many packages share: the
// injectable clock that services take as their Now field, so tests move
// time instead of sleeping. It is for tests only and imports only the
// standard library, so any package's tests may use it.
package testkit

import (
	"sync"
	"time"
)

// Clock is a settable time source, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// WallClock returns a clock standing at the current time, to the second:
// for servers whose clients (MSAL, the SDKs) check token lifetimes
// against the real time.
func WallClock() *Clock { return NewClock(time.Now().UTC().Truncate(time.Second)) }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
