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
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scopevault/scopevault/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// maxConns bounds the pool: one writer at a time plus concurrent readers.
// Each connection keeps its own page cache (2 MB), and with most reads
// served by the engine's cache four were as fast as eight under load
// while keeping the resident size under 100 MB at 100,000 secrets.
const maxConns = 4

// Store is a store.Store over one SQLite file.
type Store struct {
	db   *sql.DB
	path string
	// readOnly is set by OpenReadOnly: Update fails at once.
	readOnly bool
	// writes queues Updates for group commit (group.go): one writer at a
	// time in-process, so our own goroutines never meet SQLITE_BUSY.
	writes writeQueue
	// gens counts commits per top-level key segment (see store.Store.Generation).
	// gens holds a *atomic.Uint64 per segment: read on every request
	// (store.Cached), so a read takes no lock.
	gens     sync.Map
	gensMu   sync.Mutex // guards watchers and orders commits' counting
	watchers []func(keys []string)
	// stmts are the prepared statements of each driver connection.
	stmtsMu sync.Mutex
	stmts   map[any]*stmts
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
	if err := secureFiles(path); err != nil {
		return nil, err
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
		return nil, classify(path, fmt.Errorf("sqlite: create schema: %w", err))
	}
	// Before anything reads a record (check.go).
	if err := checkDB(context.Background(), db, path, false); err != nil {
		db.Close()
		return nil, err
	}
	if err := chmodSidecars(path); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, path: path, stmts: map[any]*stmts{}}, nil
}

// OpenReadOnly opens an existing database file for reading only, beside a
// server that may be writing it: WAL mode lets a reader in another process
// see one consistent snapshot per transaction while the writer goes on.
// scopevault check and backup use it; Update fails.
func OpenReadOnly(path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: %q is not a usable database file path", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// query_only refuses writes; the file itself stays opened read-write
	// because a WAL reader must be able to write the shared-memory index.
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, classify(path, fmt.Errorf("sqlite: open: %w", err))
	}
	return &Store{db: db, path: path, readOnly: true, stmts: map[any]*stmts{}}, nil
}

// Generation returns the count of commits that wrote under segment.
// Only this process's commits are counted: one server owns a data directory.
func (s *Store) Generation(segment string) uint64 {
	if g, ok := s.gens.Load(segment); ok {
		return g.(*atomic.Uint64).Load()
	}
	return 0
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
		g, _ := s.gens.LoadOrStore(seg, new(atomic.Uint64))
		g.(*atomic.Uint64).Add(1)
	}
	watchers := s.watchers
	s.gensMu.Unlock()
	for _, fn := range watchers {
		fn(keys)
	}
}

// Close closes the database. Calling it again does nothing.
func (s *Store) Close() error {
	s.stmtsMu.Lock()
	conns := make([]any, 0, len(s.stmts))
	for dc := range s.stmts {
		conns = append(conns, dc)
	}
	s.stmtsMu.Unlock()
	for _, dc := range conns {
		s.forget(dc) // finalized first, so closing a connection frees it at once
	}
	return s.db.Close()
}

// View runs fn in a read-only transaction on a connection of its own,
// through the driver's own API with statements prepared once per
// connection (database/sql's per-call preparing and bookkeeping was most of
// a small read's cost). A deferred BEGIN takes no lock a writer waits on
// (WAL); the first read fixes the snapshot fn sees until the ROLLBACK.
// Updates run in group.go.
//
// What must stay true: a connection goes back to the pool only after its
// ROLLBACK succeeded. On every other way out (BEGIN reported an error
// though it may have taken effect, fn panicked, ROLLBACK failed) the
// connection is discarded, and closing it ends whatever transaction it
// still holds; otherwise the next caller could inherit a reader pinned to
// an old snapshot.
//
// Statements run without ctx (a cancellable context makes the driver watch
// it from a goroutine of its own for every statement); ctx is checked
// before the transaction and between statements instead.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: conn: %w", err)
	}
	defer conn.Close()
	var out error
	rawErr := conn.Raw(func(dc any) (rerr error) {
		clean := false
		defer func() {
			if !clean {
				// Discard the connection (database/sql closes it, ending
				// its transaction); its statements go with it.
				s.forget(dc)
				rerr = driver.ErrBadConn
			}
		}()
		st, err := s.statements(dc)
		if err != nil {
			out = err
			return err
		}
		bg := context.WithoutCancel(ctx)
		if _, err := st.beginDeferred.(driver.StmtExecContext).ExecContext(bg, nil); err != nil {
			out = fmt.Errorf("sqlite: begin: %w", err)
			return err
		}
		ferr := fn(&tx{st: st, readOnly: true})
		if _, err := st.rollback.(driver.StmtExecContext).ExecContext(bg, nil); err != nil {
			out = ferr
			if out == nil {
				out = fmt.Errorf("sqlite: rollback: %w", err)
			}
			return err
		}
		clean = true
		out = ferr
		return nil
	})
	if out == nil && rawErr != nil {
		out = fmt.Errorf("sqlite: %w", rawErr)
	}
	return out
}

// stmts are one connection's prepared statements.
type stmts struct {
	beginDeferred, beginImmediate, commit, rollback driver.Stmt
	get, put, del                                   driver.Stmt
	savepoint, release, rollbackTo                  driver.Stmt
	// list holds the listing statements by shape: [after][bounded][limited].
	list [2][2][2]driver.Stmt
}

// listSQL has one lower bound only: given two (k >= prefix AND k > after)
// SQLite seeks by one and filters by the other, and a page from the middle
// of 10,000 keys read every key before it.
var listSQL = [2][2][2]string{
	{
		{`SELECT k, v FROM kv WHERE k >= ? ORDER BY k`, `SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?`},
		{`SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k`, `SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT ?`},
	},
	{
		{`SELECT k, v FROM kv WHERE k > ? ORDER BY k`, `SELECT k, v FROM kv WHERE k > ? ORDER BY k LIMIT ?`},
		{`SELECT k, v FROM kv WHERE k > ? AND k < ? ORDER BY k`, `SELECT k, v FROM kv WHERE k > ? AND k < ? ORDER BY k LIMIT ?`},
	},
}

// statements returns dc's prepared statements, preparing them on first use.
func (s *Store) statements(dc any) (*stmts, error) {
	s.stmtsMu.Lock()
	st, ok := s.stmts[dc]
	s.stmtsMu.Unlock()
	if ok {
		return st, nil
	}
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, fmt.Errorf("sqlite: the driver cannot prepare statements")
	}
	st = &stmts{}
	var all []driver.Stmt
	prep := func(dst *driver.Stmt, q string) error {
		p, err := pc.PrepareContext(context.Background(), q)
		if err != nil {
			return fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		if _, ok := p.(driver.StmtExecContext); !ok {
			p.Close()
			return fmt.Errorf("sqlite: the driver's statements take no context")
		}
		*dst = p
		all = append(all, p)
		return nil
	}
	err := errors.Join(
		prep(&st.beginDeferred, "BEGIN DEFERRED"), prep(&st.beginImmediate, "BEGIN IMMEDIATE"),
		prep(&st.commit, "COMMIT"), prep(&st.rollback, "ROLLBACK"),
		prep(&st.get, `SELECT v FROM kv WHERE k = ?`),
		prep(&st.put, `INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`),
		prep(&st.del, `DELETE FROM kv WHERE k = ?`),
		prep(&st.savepoint, `SAVEPOINT u`), prep(&st.release, `RELEASE u`), prep(&st.rollbackTo, `ROLLBACK TO u`),
	)
	for a := range 2 {
		for b := range 2 {
			for l := range 2 {
				err = errors.Join(err, prep(&st.list[a][b][l], listSQL[a][b][l]))
			}
		}
	}
	if err != nil {
		for _, p := range all {
			p.Close()
		}
		return nil, err
	}
	s.stmtsMu.Lock()
	s.stmts[dc] = st
	s.stmtsMu.Unlock()
	return st, nil
}

// forget closes and drops the statements of a connection being discarded.
func (s *Store) forget(dc any) {
	s.stmtsMu.Lock()
	st, ok := s.stmts[dc]
	delete(s.stmts, dc)
	s.stmtsMu.Unlock()
	if !ok {
		return
	}
	for _, p := range []driver.Stmt{st.beginDeferred, st.beginImmediate, st.commit, st.rollback, st.get, st.put, st.del, st.savepoint, st.release, st.rollbackTo} {
		p.Close()
	}
	for _, byBound := range st.list {
		for _, byLimit := range byBound {
			for _, p := range byLimit {
				p.Close()
			}
		}
	}
}

type tx struct {
	st       *stmts
	readOnly bool
	touched  []string // keys written, in order (repeats possible)
}

func (t *tx) touch(key string) { t.touched = append(t.touched, key) }

var errReadOnly = errors.New("sqlite: write in a read-only transaction")

func arg(i int, v any) driver.NamedValue { return driver.NamedValue{Ordinal: i, Value: v} }

func exec(ctx context.Context, st driver.Stmt, args ...driver.NamedValue) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := st.(driver.StmtExecContext).ExecContext(context.WithoutCancel(ctx), args)
	return err
}

func query(ctx context.Context, st driver.Stmt, args ...driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, ok := st.(driver.StmtQueryContext)
	if !ok {
		return nil, errors.New("the driver's statements take no context")
	}
	return q.QueryContext(context.WithoutCancel(ctx), args)
}

// blob is a column value as bytes, copied if the driver might reuse it.
func blob(v driver.Value) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil // the driver allocates each value afresh
	case string:
		return []byte(x), nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected column type %T", v)
}

func (t *tx) Get(ctx context.Context, key string) ([]byte, error) {
	rows, err := query(ctx, t.st.get, arg(1, key))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get: %w", err)
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, store.ErrNotFound
		}
		return nil, fmt.Errorf("sqlite: get: %w", err)
	}
	v, err := blob(dest[0])
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
	// The driver copies the bytes into SQLite before ExecContext returns.
	if err := exec(ctx, t.st.put, arg(1, key), arg(2, value)); err != nil {
		return fmt.Errorf("sqlite: put: %w", err)
	}
	return nil
}

func (t *tx) Delete(ctx context.Context, key string) error {
	if t.readOnly {
		return errReadOnly
	}
	t.touch(key)
	if err := exec(ctx, t.st.del, arg(1, key)); err != nil {
		return fmt.Errorf("sqlite: delete: %w", err)
	}
	return nil
}

func (t *tx) List(ctx context.Context, prefix, after string, limit int) ([]store.KV, error) {
	// The lower bound is whichever of prefix (inclusive) and after
	// (exclusive) is the greater.
	args := []driver.NamedValue{arg(1, prefix)}
	byAfter, bounded, limited := 0, 0, 0
	if after >= prefix {
		byAfter, args[0] = 1, arg(1, after)
	}
	if upper, ok := prefixEnd(prefix); ok {
		bounded = 1
		args = append(args, arg(len(args)+1, upper))
	}
	if limit > 0 {
		limited = 1
		args = append(args, arg(len(args)+1, int64(limit)))
	}
	rows, err := query(ctx, t.st.list[byAfter][bounded][limited], args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list: %w", err)
	}
	defer rows.Close()
	var out []store.KV
	dest := make([]driver.Value, 2)
	for {
		if err := rows.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("sqlite: list: %w", err)
		}
		var kv store.KV
		switch k := dest[0].(type) {
		case string:
			kv.Key = k
		case []byte:
			kv.Key = string(k)
		default:
			return nil, fmt.Errorf("sqlite: list: unexpected key type %T", dest[0])
		}
		if kv.Value, err = blob(dest[1]); err != nil {
			return nil, fmt.Errorf("sqlite: list: %w", err)
		}
		if !strings.HasPrefix(kv.Key, prefix) {
			continue
		}
		out = append(out, kv)
	}
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
