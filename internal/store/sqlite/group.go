package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/scopevault/scopevault/internal/store"
)

// Group commit. SQLite takes one writer at a time and every durable commit
// waits for an fsync, so concurrent Updates queued one fsync each behind
// the other (a set of a secret at 64 connections waited ~50 ms). Now the
// Updates that wait while a commit is in flight run together, one after
// the other in one transaction, each inside a savepoint of its own, and
// the transaction commits once: one fsync for the batch.
//
// What each Update still sees: fn runs alone (no other fn runs during it)
// and sees every write committed before it, and the writes of the fns run
// before it in its batch, as if they had committed first; when fn fails,
// panics, or its ctx ends, its savepoint is rolled back and nothing it
// wrote is kept, while the batch's other Updates go on; Update returns
// only after the batch's COMMIT, so a nil error still means durable. A
// failed COMMIT fails every Update of the batch.

// maxBatch bounds the Updates committed together.
const maxBatch = 256

// pending is one Update waiting for, or in, a batch.
type pending struct {
	ctx     context.Context
	fn      func(store.Tx) error
	taken   bool // by a leader: it can no longer withdraw
	done    chan error
	touched []string
	panicV  any // what fn panicked with, re-panicked in the caller
}

// writeQueue holds the Updates waiting for the next batch.
type writeQueue struct {
	mu      sync.Mutex
	waiting []*pending
	leading bool // a goroutine is running batches
}

// Update runs fn in a write transaction and commits if fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.readOnly {
		return errReadOnly
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: waiting to write: %w", err)
	}
	p := &pending{ctx: ctx, fn: fn, done: make(chan error, 1)}
	q := &s.writes
	q.mu.Lock()
	q.waiting = append(q.waiting, p)
	if q.leading {
		q.mu.Unlock()
		select {
		case err := <-p.done:
			return p.result(err)
		case <-ctx.Done():
			q.mu.Lock()
			if !p.taken {
				// Still queued: withdraw, nothing ran.
				for i, w := range q.waiting {
					if w == p {
						q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
						break
					}
				}
				q.mu.Unlock()
				return fmt.Errorf("sqlite: waiting to write: %w", ctx.Err())
			}
			q.mu.Unlock()
			// In a running batch: its outcome is decided there.
			return p.result(<-p.done)
		}
	}
	q.leading = true
	q.mu.Unlock()
	// Lead: run batches until none is waiting; this Update is in the first.
	for {
		q.mu.Lock()
		n := min(len(q.waiting), maxBatch)
		batch := append([]*pending(nil), q.waiting[:n]...)
		q.waiting = q.waiting[n:]
		for _, b := range batch {
			b.taken = true
		}
		if n == 0 {
			q.leading = false
			q.mu.Unlock()
			break
		}
		q.mu.Unlock()
		s.runBatch(batch)
	}
	return p.result(<-p.done)
}

// result re-panics with what fn panicked with, in the caller's goroutine.
func (p *pending) result(err error) error {
	if p.panicV != nil {
		panic(p.panicV)
	}
	return err
}

// runBatch runs the batch's fns in one IMMEDIATE transaction, each in a
// savepoint, commits once and answers each Update.
func (s *Store) runBatch(batch []*pending) {
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		for _, p := range batch {
			p.done <- fmt.Errorf("sqlite: conn: %w", err)
		}
		return
	}
	defer conn.Close()
	results := make([]error, len(batch))
	var committedKeys []string
	conn.Raw(func(dc any) (rerr error) {
		clean := false
		defer func() {
			if !clean {
				s.forget(dc)
				rerr = driver.ErrBadConn
			}
		}()
		fail := func(err error) {
			for i := range results {
				if results[i] == nil {
					results[i] = err
				}
			}
		}
		st, err := s.statements(dc)
		if err != nil {
			fail(err)
			return err
		}
		exec := func(stmt driver.Stmt) error {
			_, err := stmt.(driver.StmtExecContext).ExecContext(ctx, nil)
			return err
		}
		if err := exec(st.beginImmediate); err != nil {
			fail(fmt.Errorf("sqlite: begin: %w", err))
			return err
		}
		// A lone Update needs no savepoint: its failure rolls back the
		// whole transaction, which holds nothing else.
		lone := len(batch) == 1
		var ok []int
		for i, p := range batch {
			if err := p.ctx.Err(); err != nil {
				results[i] = fmt.Errorf("sqlite: not committed: %w", err)
				continue
			}
			if !lone {
				if err := exec(st.savepoint); err != nil {
					fail(fmt.Errorf("sqlite: savepoint: %w", err))
					exec(st.rollback)
					return err
				}
			}
			t := &tx{st: st}
			ferr := runFn(p, t)
			if ferr == nil && p.panicV == nil {
				if err := p.ctx.Err(); err != nil {
					ferr = fmt.Errorf("sqlite: not committed: %w", err)
				}
			}
			undo := st.rollbackTo
			if lone {
				undo = st.rollback
			}
			if ferr != nil || p.panicV != nil {
				results[i] = ferr
				if err := exec(undo); err != nil {
					fail(fmt.Errorf("sqlite: rollback: %w", err))
					exec(st.rollback)
					return err
				}
				if lone {
					clean = true // the transaction ended with the ROLLBACK
					return nil
				}
			} else {
				p.touched = t.touched
				ok = append(ok, i)
			}
			if !lone {
				if err := exec(st.release); err != nil {
					fail(fmt.Errorf("sqlite: release: %w", err))
					exec(st.rollback)
					return err
				}
			}
		}
		if err := exec(st.commit); err != nil {
			fail(fmt.Errorf("sqlite: commit: %w", err))
			return err
		}
		clean = true
		for _, i := range ok {
			committedKeys = append(committedKeys, batch[i].touched...)
		}
		return nil
	})
	if len(committedKeys) > 0 {
		s.committed(committedKeys)
	}
	for i, p := range batch {
		p.done <- results[i]
	}
}

// runFn calls p.fn, catching a panic so that the batch can roll back only
// this Update's savepoint; the caller re-panics.
func runFn(p *pending, t *tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			p.panicV = v
			err = errPanicked
		}
	}()
	return p.fn(t)
}

var errPanicked = errors.New("sqlite: the update panicked")
