// Package storetest is the one conformance suite every store backend runs:
// a backend's own test calls Run (or RunWithReopen when its data outlives a
// Close) with a function that opens a new, empty store. A point of the
// store.Store contract that is not checked here is not a promise.
//
// It imports only internal/store and the standard library.
package storetest

import (
	"errors"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

func Run(t *testing.T, open func(t *testing.T) store.Store) {
	RunWithReopen(t, open, nil)
}

func RunWithReopen(t *testing.T, open func(t *testing.T) store.Store, reopen func(t *testing.T, st store.Store) store.Store) {
	newStore := func(t *testing.T) store.Store {
		t.Helper()
		st := open(t)
		t.Cleanup(func() {
			if err := st.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return st
	}
	t.Run("Get", func(t *testing.T) { testGet(t, newStore(t)) })
	t.Run("Put", func(t *testing.T) { testPut(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newStore(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("ListPages", func(t *testing.T) { testListPages(t, newStore(t)) })
	t.Run("ListSeesOwnWrites", func(t *testing.T) { testListSeesOwnWrites(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, newStore) })
	t.Run("View", func(t *testing.T) { testView(t, newStore) })
	t.Run("Panic", func(t *testing.T) { testPanic(t, newStore(t)) })
	t.Run("ConcurrentCounter", func(t *testing.T) { testConcurrentCounter(t, newStore(t)) })
	t.Run("ConsistentSnapshot", func(t *testing.T) { testConsistentSnapshot(t, newStore(t)) })
	t.Run("Generation", func(t *testing.T) { testGeneration(t, newStore(t)) })
	t.Run("Watch", func(t *testing.T) { testWatch(t, newStore(t)) })
	t.Run("Reopen", func(t *testing.T) {
		if reopen == nil {
			t.Skip("the backend gave no reopen hook")
		}
		testReopen(t, open, reopen)
	})
}

var errBoom = errors.New("storetest: fn failed on purpose")
