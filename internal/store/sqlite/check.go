package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// A damaged file must never be served as wrong answers: one flipped byte
// in a key of the table once let the server start and answer 404 for
// secrets that were there. Open therefore runs SQLite's quick check (the
// b-tree structure: page links, cell bounds, key order, free list) before
// anything reads a record; Check runs the full integrity check on demand
// (scopevault check). Neither can see a byte changed inside a value or
// inside a key that stays in order: the barrier's check, which opens every
// record at its own key, finds those.

// ErrDamaged marks a database file SQLite's own checks find damaged.
var ErrDamaged = errors.New("sqlite: the database file is damaged")

// DamagedError says what SQLite found wrong with the file. Its lines are
// SQLite's (page and cell numbers, never a record's content).
type DamagedError struct {
	Path     string
	Problems []string
}

func (e *DamagedError) Error() string {
	const show = 5
	probs := e.Problems
	more := ""
	if len(probs) > show {
		more = fmt.Sprintf(" (and %d more)", len(probs)-show)
		probs = probs[:show]
	}
	return fmt.Sprintf("sqlite: the database file %s is damaged: %s%s. It was changed outside scopevault, or the disk is failing: "+
		"restore the data directory from a backup (docs/operations.md); 'scopevault check' reports every damaged record",
		e.Path, strings.Join(probs, "; "), more)
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// Check runs SQLite's integrity_check (full) or quick_check and returns a
// *DamagedError naming what it found, or nil for a sound file.
func (s *Store) Check(ctx context.Context, full bool) error {
	return checkDB(ctx, s.db, s.path, full)
}

func checkDB(ctx context.Context, db *sql.DB, path string, full bool) error {
	pragma := "PRAGMA quick_check"
	if full {
		pragma = "PRAGMA integrity_check"
	}
	rows, err := db.QueryContext(ctx, pragma)
	if err != nil {
		return classify(path, fmt.Errorf("sqlite: %s: %w", pragma, err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlite: %s: %w", pragma, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(path, fmt.Errorf("sqlite: %s: %w", pragma, err))
	}
	if len(problems) > 0 {
		return &DamagedError{Path: path, Problems: problems}
	}
	return nil
}

// SQLite's primary result codes for a damaged file.
const (
	codeCorrupt = 11 // SQLITE_CORRUPT: "database disk image is malformed"
	codeNotADB  = 26 // SQLITE_NOTADB: "file is not a database"
)

// classify turns SQLite's own result codes for a damaged file into a
// *DamagedError; other errors pass unchanged.
func classify(path string, err error) error {
	var coded interface{ Code() int }
	if err == nil || !errors.As(err, &coded) {
		return err
	}
	switch coded.Code() & 0xff { // the low byte is the primary code
	case codeCorrupt:
		return &DamagedError{Path: path, Problems: []string{"SQLite reads it as malformed"}}
	case codeNotADB:
		return &DamagedError{Path: path, Problems: []string{"SQLite does not read it as a database"}}
	}
	return err
}

// secureFiles makes the database and its WAL and shared-memory files
// readable by their owner only, whatever the umask or the directory's mode:
// the values are sealed, but the keys name every vault, secret and principal.
// SQLite creates the WAL and shared-memory files with the database file's
// mode, so creating that one 0600 covers the others; the chmods repair
// files an older build left readable.
func secureFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	err = f.Chmod(0o600)
	f.Close()
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return chmodSidecars(path)
}

// chmodSidecars sets the WAL and shared-memory files, where they exist, to 0600.
func chmodSidecars(path string) error {
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	return nil
}
