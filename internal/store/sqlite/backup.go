package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"
)

// BackupTo writes a consistent copy of the database to dest, a file that
// must not exist yet, created 0600. It runs SQLite's VACUUM INTO in one
// read transaction: the copy is the store as of one commit, even while a
// server (this process or another, through OpenReadOnly) keeps writing,
// and writers are not held up. The copy holds the values as stored, that
// is, still sealed by the barrier.
func (s *Store) BackupTo(ctx context.Context, dest string) error {
	if dest == "" || strings.ContainsRune(dest, '?') || strings.HasPrefix(dest, "file:") || strings.HasPrefix(dest, ":memory:") {
		return fmt.Errorf("sqlite: %q is not a usable backup file path", dest)
	}
	// VACUUM INTO accepts an empty file; creating it first fixes its mode,
	// which SQLite would otherwise take from the umask.
	f, err := os.OpenFile(dest, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	if err := s.vacuumInto(ctx, dest); err != nil {
		os.Remove(dest)
		return classify(s.path, fmt.Errorf("sqlite: backup: %w", err))
	}
	return nil
}

// vacuumInto runs VACUUM INTO on a connection of its own. SQLite counts
// writing the copy as a write even though the database is only read, so
// a read-only Store lifts query_only on that connection for the statement
// and discards the connection afterwards rather than trust a reset.
func (s *Store) vacuumInto(ctx context.Context, dest string) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.readOnly {
		defer conn.Raw(func(any) error { return driver.ErrBadConn })
		if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, dest)
	return err
}
