// Package sqlite is the embedded store backend: one SQLite file holding the
// key space in a single table, in WAL mode with synchronous=FULL so that an
// Update that returned is on disk. It stores opaque bytes only.
//
// It must not import the barrier or any wire package.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/scopevault/scopevault/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// maxConns bounds the pool: one writer at a time plus concurrent readers.
const maxConns = 8

// Store is a store.Store over one SQLite file.
type Store struct {
	db *sql.DB
	// writeSlot serializes writers in-process: SQLite allows one writer, and
	// queueing here avoids SQLITE_BUSY retries between our own goroutines.
	// It is a channel rather than a mutex so that a waiting Update gives up
	// when its ctx ends.
	writeSlot chan struct{}
	// gens counts commits per top-level key segment (see store.Store.Generation).
	gensMu   sync.Mutex
	gens     map[string]uint64
	watchers []func(keys []string)
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path.
func Open(path string) (*Store, error) {
	// The path is handed to SQLite as a plain file name, not a file: URI, so
	// '#', '%' and spaces in it mean themselves. The driver splits its own
	// parameters off at the first '?', so a path cannot contain one; and an
	// empty or ":memory:" name would give every pooled connection a private
	// database.
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: %q is not a usable database file path", path)
	}
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	// Keep the connections once opened: each new one re-runs the pragmas.
	db.SetMaxIdleConns(maxConns)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID`); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: create schema: %w", err)
	}
	return &Store{db: db, writeSlot: make(chan struct{}, 1), gens: map[string]uint64{}}, nil
}

// Generation returns the count of commits that wrote under segment.
// Only this process's commits are counted: one server owns a data directory.
func (s *Store) Generation(segment string) uint64 {
	s.gensMu.Lock()
	defer s.gensMu.Unlock()
	return s.gens[segment]
}

// Watch registers fn to be told the keys of every commit (store.Store.Watch).
func (s *Store) Watch(fn func(keys []string)) {
	s.gensMu.Lock()
	defer s.gensMu.Unlock()
	s.watchers = append(s.watchers, fn)
}

// committed moves the generations of the segments keys belong to, then
// tells the watchers, all before the Update returns.
func (s *Store) committed(keys []string) {
	s.gensMu.Lock()
	seen := ""
	for _, k := range keys {
		seg := store.Segment(k)
		if seg == seen {
			continue
		}
		seen = seg
		s.gens[seg]++
	}
	watchers := s.watchers
	s.gensMu.Unlock()
	for _, fn := range watchers {
		fn(keys)
	}
}

// Close closes the database. Calling it again does nothing.
func (s *Store) Close() error { return s.db.Close() }

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	// A deferred BEGIN takes no lock a writer waits on (WAL); the first read
	// fixes the snapshot fn sees until the ROLLBACK.
	return s.run(ctx, "BEGIN DEFERRED", true, fn)
}

// Update runs fn in a write transaction and commits if fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	select {
	case s.writeSlot <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("sqlite: waiting to write: %w", ctx.Err())
	}
	defer func() { <-s.writeSlot }()
	// IMMEDIATE takes the write lock up front, so the transaction cannot fail
	// with SQLITE_BUSY halfway through fn when another process writes.
	return s.run(ctx, "BEGIN IMMEDIATE", false, fn)
}

// run runs fn between begin and COMMIT (or ROLLBACK when readOnly or fn
// fails) on a connection of its own.
//
// What must stay true: a connection goes back to the pool only after its
// ROLLBACK or COMMIT succeeded. On every other way out (BEGIN reported an
// error though it may have taken effect, fn panicked, COMMIT or ROLLBACK
// failed) the connection is discarded, and closing it ends whatever
// transaction it still holds. Otherwise the next caller could inherit an
// open transaction: a reader pinned to an old snapshot, or a writer holding
// the write lock forever.
func (s *Store) run(ctx context.Context, begin string, readOnly bool, fn func(store.Tx) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: conn: %w", err)
	}
	clean := false
	defer func() {
		if !clean {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	t := &tx{q: conn, readOnly: readOnly}
	ferr := fn(t)
	end := "ROLLBACK"
	if ferr == nil && !readOnly {
		end = "COMMIT"
		if err := ctx.Err(); err != nil {
			end, ferr = "ROLLBACK", fmt.Errorf("sqlite: not committed: %w", err)
		}
	}
	// The end runs even when ctx is done: an interrupted COMMIT or ROLLBACK
	// would leave the outcome unknown.
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), end); err != nil {
		if ferr != nil {
			return ferr
		}
		return fmt.Errorf("sqlite: %s: %w", strings.ToLower(end), err)
	}
	clean = true
	if end == "COMMIT" && len(t.touched) > 0 {
		s.committed(t.touched)
	}
	return ferr
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type tx struct {
	q        querier
	readOnly bool
	touched  []string // keys written, in order (repeats possible)
}

func (t *tx) touch(key string) { t.touched = append(t.touched, key) }

var errReadOnly = errors.New("sqlite: write in a read-only transaction")

func (t *tx) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := t.q.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get: %w", err)
	}
	return v, nil
}

func (t *tx) Put(ctx context.Context, key string, value []byte) error {
	if t.readOnly {
		return errReadOnly
	}
	if value == nil {
		value = []byte{}
	}
	t.touch(key)
	if _, err := t.q.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, key, value); err != nil {
		return fmt.Errorf("sqlite: put: %w", err)
	}
	return nil
}

func (t *tx) Delete(ctx context.Context, key string) error {
	if t.readOnly {
		return errReadOnly
	}
	t.touch(key)
	if _, err := t.q.ExecContext(ctx, `DELETE FROM kv WHERE k = ?`, key); err != nil {
		return fmt.Errorf("sqlite: delete: %w", err)
	}
	return nil
}

func (t *tx) List(ctx context.Context, prefix, after string, limit int) ([]store.KV, error) {
	q := `SELECT k, v FROM kv WHERE k >= ? AND k > ?`
	args := []any{prefix, after}
	if upper, ok := prefixEnd(prefix); ok {
		q += ` AND k < ?`
		args = append(args, upper)
	}
	q += ` ORDER BY k`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := t.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list: %w", err)
	}
	defer rows.Close()
	var out []store.KV
	for rows.Next() {
		var kv store.KV
		if err := rows.Scan(&kv.Key, &kv.Value); err != nil {
			return nil, fmt.Errorf("sqlite: list scan: %w", err)
		}
		if !strings.HasPrefix(kv.Key, prefix) {
			continue
		}
		out = append(out, kv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list: %w", err)
	}
	return out, nil
}

// prefixEnd returns the smallest string greater than every string with the prefix.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
