package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// TestGroupCommit: concurrent Updates that commit together keep exactly
// the writes of those that succeeded; one that fails, panics or whose
// context ends keeps nothing and does not disturb the others; the watcher
// hears only what was kept.
func TestGroupCommit(t *testing.T) {
	st := MustOpen(t, filepath.Join(t.TempDir(), "g.db"))
	defer st.Close()
	var mu sync.Mutex
	heard := map[string]bool{}
	st.Watch(func(keys []string) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			heard[k] = true
		}
	})
	errBoom := errors.New("boom")
	const n = 200
	var wg sync.WaitGroup
	outcomes := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			key := fmt.Sprintf("g/%03d", i)
			var cancel context.CancelFunc
			if i%4 == 3 {
				ctx, cancel = context.WithCancel(ctx)
			}
			defer func() {
				if v := recover(); v != nil {
					outcomes[i] = "panicked"
				}
			}()
			err := st.Update(ctx, func(tx store.Tx) error {
				if err := tx.Put(ctx, key, []byte("v")); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errBoom
				case 2:
					panic("update panicked")
				case 3:
					cancel()
				}
				return nil
			})
			switch {
			case err == nil:
				outcomes[i] = "ok"
			case errors.Is(err, errBoom):
				outcomes[i] = "failed"
			case errors.Is(err, context.Canceled):
				outcomes[i] = "canceled"
			default:
				outcomes[i] = err.Error()
			}
		}()
	}
	wg.Wait()
	want := map[int]string{0: "ok", 1: "failed", 2: "panicked", 3: "canceled"}
	err := st.View(context.Background(), func(tx store.Tx) error {
		for i := range n {
			_, err := tx.Get(context.Background(), fmt.Sprintf("g/%03d", i))
			kept := err == nil
			if !kept && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if outcomes[i] != want[i%4] {
				return fmt.Errorf("update %d: %s, want %s", i, outcomes[i], want[i%4])
			}
			if kept != (i%4 == 0) || heard[fmt.Sprintf("g/%03d", i)] != kept {
				return fmt.Errorf("update %d (%s): kept %v, heard %v", i, outcomes[i], kept, heard[fmt.Sprintf("g/%03d", i)])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
