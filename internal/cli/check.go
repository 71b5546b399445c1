package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

func newCheckCommand() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a data directory's store: SQLite's integrity check, the keyring and every record",
		Long: `Check the store of a data directory and report what is damaged.

It runs SQLite's full integrity check, opens the keyring with the master key
(DIR/master.key, or SCOPEVAULT_MASTER_KEY), then opens every record at its own
key: each value is sealed with its key as associated data, so a record whose key
or value changed by one byte does not open. Damaged records are named by key,
never by value. The exit code is 0 for a sound store and 1 for a damaged one or
one that could not be checked.

'up' runs SQLite's quick check and opens every record before it serves, and
refuses a damaged store; 'check' says which records are damaged. Restore a
damaged store from a backup (scopevault restore, docs/operations.md).

It is meant for a stopped server's directory. While a server holds the
directory it says so and checks one consistent snapshot read beside it.`,
		Example: `  scopevault check
  scopevault check --data /srv/scopevault`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), dataDir, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", config.DefaultDataDir, "data directory")
	return cmd
}

func runCheck(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	dbPath := filepath.Join(dir, config.DBFile)
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no scopevault data in %s (%s: %w)", dir, config.DBFile, err)
	}
	if lock, err := server.LockDataDir(dir); err == nil {
		// Held while checking, so no server starts on the directory meanwhile.
		defer lock.Close()
	} else {
		fmt.Fprintf(stderr, "scopevault check: %v (%s); checking one snapshot read beside it\n", err, lockHolder(dir))
	}
	st, err := sqlite.OpenReadOnly(dbPath)
	if err != nil {
		return damaged(dir, err)
	}
	defer st.Close()

	sound := true
	if err := st.Check(ctx, true); err != nil {
		var de *sqlite.DamagedError
		if !errors.As(err, &de) {
			return err
		}
		sound = false
		for _, p := range de.Problems {
			fmt.Fprintf(stdout, "DAMAGED  sqlite: %s\n", p)
		}
	} else {
		fmt.Fprintf(stdout, "ok       sqlite: %s passes integrity_check\n", dbPath)
	}

	key, source, err := storeMasterKey(dir)
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("scopevault check: records not checked: %v", err)}
	}
	b, err := loadKeyring(ctx, st, dir, key)
	if err != nil {
		fmt.Fprintf(stdout, "DAMAGED  keyring: %v\n", err)
		return &exitError{code: 1, msg: fmt.Sprintf("scopevault check: the keyring of %s does not open with the master key from %s; "+
			"if the key is right the store is damaged: restore it from a backup (docs/operations.md)", dir, source)}
	}
	terms := b.Terms()
	fmt.Fprintf(stdout, "ok       keyring: opens with the master key from %s; data key terms %s, active %d\n", source, joinTerms(terms), b.ActiveTerm())
	rep, err := b.Check(ctx, st)
	if err != nil {
		return damaged(dir, err)
	}
	for _, k := range rep.Damaged {
		fmt.Fprintf(stdout, "DAMAGED  record %q does not open at its key\n", k)
	}
	if more := rep.DamagedCount - len(rep.Damaged); more > 0 {
		fmt.Fprintf(stdout, "DAMAGED  and %d more records\n", more)
	}
	byTerm := make([]string, 0, len(rep.ByTerm))
	for _, t := range slices.Sorted(maps.Keys(rep.ByTerm)) {
		byTerm = append(byTerm, fmt.Sprintf("term %d: %d", t, rep.ByTerm[t]))
	}
	fmt.Fprintf(stdout, "%-8s records: %d read, %d open (%s), %d damaged\n", status(rep.DamagedCount == 0), rep.Records, rep.Records-rep.DamagedCount, strings.Join(byTerm, ", "), rep.DamagedCount)
	if !sound || rep.DamagedCount > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("scopevault check: the store in %s is damaged: restore the data directory from a backup (scopevault restore, docs/operations.md)", dir)}
	}
	fmt.Fprintf(stdout, "the store in %s is sound\n", dir)
	return nil
}

func status(ok bool) string {
	if ok {
		return "ok"
	}
	return "DAMAGED"
}

func joinTerms(terms []uint32) string {
	s := make([]string, len(terms))
	for i, t := range terms {
		s[i] = fmt.Sprint(t)
	}
	return strings.Join(s, ", ")
}

// damaged turns a store that cannot be read at all into the command's error.
func damaged(dir string, err error) error {
	if errors.Is(err, sqlite.ErrDamaged) {
		return &exitError{code: 1, msg: fmt.Sprintf("scopevault: %v", err)}
	}
	return fmt.Errorf("%s: %w", dir, err)
}

// lockHolder names the process holding dir's lock, from the pid it wrote.
func lockHolder(dir string) string {
	raw, err := os.ReadFile(filepath.Join(dir, config.LockFile))
	if pid := strings.TrimSpace(string(raw)); err == nil && pid != "" {
		return "pid " + pid
	}
	return "pid unknown"
}

// storeMasterKey finds a data directory's master key without creating one
// (config.MasterKey writes a fresh key file when there is none, right for
// a first start, wrong for a tool that only reads): SCOPEVAULT_MASTER_KEY,
// else DIR/master.key. source says where it came from.
func storeMasterKey(dir string) (key []byte, source string, err error) {
	if v := strings.TrimSpace(config.Env(config.MasterKeyEnv)); v != "" {
		k, err := config.DecodeKey(v)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", config.MasterKeyEnv, err)
		}
		return k, config.MasterKeyEnv, nil
	}
	path := filepath.Join(dir, config.MasterKeyFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("no master key: neither %s nor %s is set", path, config.MasterKeyEnv)
	}
	k, _, err := config.MasterKey(dir)
	return k, path, err
}

// loadKeyring opens st's keyring with key, or with the pending key an
// interrupted rotate-key left in dir (which the next start would finish
// with); dir "" tries no pending key.
func loadKeyring(ctx context.Context, st *sqlite.Store, dir string, key []byte) (*barrier.Barrier, error) {
	b, err := barrier.Load(ctx, st, key)
	if err != nil && errors.Is(err, barrier.ErrOpen) && dir != "" {
		if pending := config.PendingMasterKey(dir); pending != nil {
			if pb, perr := barrier.Load(ctx, st, pending); perr == nil {
				return pb, nil
			}
		}
	}
	return b, err
}
