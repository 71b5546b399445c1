package cli

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// A backup is a gzip'd tar file:
//
//	scopevault-backup.json  the manifest: format, time, version, each file's SHA-256
//	scopevault.db           the store, as of one commit, still sealed by the barrier
//	ca.pem                  the CA certificate (its key is in the store, sealed)
//	audit.log               the audit log up to its last whole line
//	master.key              only with --include-master-key
//
// The env file is left out: it holds the bootstrap admin's client secret
// and token in clear, and up writes it again from the store.
//
// The store is copied while the server runs, without an endpoint: the
// server's lock is on DIR/scopevault.lock, not on the database, and SQLite
// in WAL mode lets another process read one consistent snapshot beside the
// writer, so VACUUM INTO from a read-only handle is an online backup that
// holds no server lock and needs no credentials beyond the files' owner's.

const (
	backupManifestName = "scopevault-backup.json"
	backupFormat       = 1
)

type backupManifest struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	Version string    `json:"scopevaultVersion"`
	// Records counts the store's records (the keyring not counted) when the
	// backup could open them, which it does unless no master key was at hand.
	Records   *int              `json:"records,omitempty"`
	MasterKey bool              `json:"masterKey"`
	Files     map[string]string `json:"files"` // name -> SHA-256, hex
}

// backupFiles are the names a backup may hold besides its manifest, in
// the order they are written.
var backupFiles = []string{config.DBFile, config.CAFile, audit.FileName, config.MasterKeyFile}

func newBackupCommand() *cobra.Command {
	var (
		dataDir    string
		includeKey bool
	)
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of a data directory to FILE, while scopevault runs or not",
		Long: `Write a backup of a data directory to FILE (a gzip'd tar, created 0600).

FILE holds the store as of one commit, copied beside the running server (SQLite's
VACUUM INTO through a read-only handle: the server is not paused), the CA
certificate and the audit log. The store's values stay sealed: without the master
key the backup reveals names, not values. The master key is not in FILE unless
--include-master-key is given; keep it (DIR/master.key or SCOPEVAULT_MASTER_KEY)
apart from the backups, since a restore needs it.

Before FILE is written the copy is checked as 'scopevault check' would (SQLite's
integrity check, and every record opened when the master key is at hand), so a
damaged store is never backed up as a good one. The env file is not copied: it
holds the admin's secret in clear and 'up' writes it again.`,
		Example: `  scopevault backup /backups/scopevault-$(date +%F).tar.gz
  scopevault backup --data /srv/scopevault /backups/sv.tar.gz --include-master-key`,
		Args: oneFileArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBackup(cmd.Context(), args[0], dataDir, includeKey, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", config.DefaultDataDir, "data directory")
	cmd.Flags().BoolVar(&includeKey, "include-master-key", false, "also put the master key in FILE (then FILE opens every secret: guard it as the key)")
	return cmd
}

func runBackup(ctx context.Context, file, dir string, includeKey bool, stdout, stderr io.Writer) error {
	if _, err := os.Lstat(file); err == nil {
		return fmt.Errorf("%s exists: remove it or choose another name", file)
	}
	dbPath := filepath.Join(dir, config.DBFile)
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no scopevault data in %s (%s: %w)", dir, config.DBFile, err)
	}
	key, source, keyErr := storeMasterKey(dir)
	if includeKey && keyErr != nil {
		return fmt.Errorf("--include-master-key: %w", keyErr)
	}
	staging, err := os.MkdirTemp(filepath.Dir(file), ".scopevault-backup-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)

	st, err := sqlite.OpenReadOnly(dbPath)
	if err != nil {
		return damaged(dir, err)
	}
	err = st.BackupTo(ctx, filepath.Join(staging, config.DBFile))
	st.Close()
	if err != nil {
		return damaged(dir, err)
	}
	m := backupManifest{Format: backupFormat, Created: time.Now().UTC(), Version: strings.TrimPrefix(strings.SplitN(versionText(), "\n", 2)[0], "scopevault "), MasterKey: includeKey, Files: map[string]string{}}

	// The copy, not the live store, is what is checked: it is what FILE holds.
	records, err := checkCopy(ctx, filepath.Join(staging, config.DBFile), "the store in "+dir, key, dir)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			ee.msg += fmt.Sprintf("; no backup written: 'scopevault check --data %s' lists the damage", dir)
		}
		return err
	}
	if keyErr == nil {
		m.Records = &records
	} else {
		fmt.Fprintf(stderr, "scopevault backup: the records were not opened to check them (%v); SQLite's integrity check passed\n", keyErr)
	}
	if err := copyFileIfExists(filepath.Join(dir, config.CAFile), filepath.Join(staging, config.CAFile)); err != nil {
		return err
	}
	if err := copyWholeLines(filepath.Join(dir, audit.FileName), filepath.Join(staging, audit.FileName)); err != nil {
		return err
	}
	if includeKey {
		if err := os.WriteFile(filepath.Join(staging, config.MasterKeyFile), []byte(config.EncodeKey(key)+"\n"), 0o600); err != nil {
			return err
		}
	}
	for _, name := range backupFiles {
		sum, err := fileSHA256(filepath.Join(staging, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		m.Files[name] = sum
	}
	if err := writeBackupArchive(file, staging, m); err != nil {
		return err
	}
	if includeKey {
		fmt.Fprintf(stderr, "WARNING: %s holds the master key (from %s): anyone who can read it can read every secret. Keep it as you keep the key.\n", file, source)
	}
	what := "records not counted: no master key here"
	if m.Records != nil {
		what = fmt.Sprintf("%d records checked", *m.Records)
	}
	keyNote := "the master key is not in it: a restore needs the key from " + source
	if keyErr != nil {
		keyNote = "the master key is not in it: a restore needs the store's key"
	}
	if includeKey {
		keyNote = "the master key is in it"
	}
	fmt.Fprintf(stdout, "backup: %s (%s; %s)\n", file, what, keyNote)
	return nil
}

// oneFileArg wants exactly one positional argument, the backup file.
func oneFileArg(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("want one argument, the backup FILE (got %d)", len(args))
	}
	return nil
}

// checkCopy runs SQLite's integrity check on a copied database (what
// names it in messages) and, with a key, opens every record; it returns
// how many records there are. pendingDir, if set, is the data directory
// whose interrupted rotate-key key may be the one that opens it.
func checkCopy(ctx context.Context, path, what string, key []byte, pendingDir string) (int, error) {
	cp, err := sqlite.OpenReadOnly(path)
	if err != nil {
		return 0, err
	}
	defer cp.Close()
	if err := cp.Check(ctx, true); err != nil {
		var de *sqlite.DamagedError
		if errors.As(err, &de) {
			return 0, &exitError{code: 1, msg: fmt.Sprintf("scopevault: %s is damaged: SQLite finds %s", what, strings.Join(de.Problems, "; "))}
		}
		return 0, err
	}
	if key == nil {
		return 0, nil
	}
	b, err := loadKeyring(ctx, cp, pendingDir, key)
	if err != nil {
		return 0, fmt.Errorf("the keyring of %s does not open, so it could not be checked: %w", what, err)
	}
	rep, err := b.Check(ctx, cp)
	if err != nil {
		return 0, err
	}
	if rep.DamagedCount > 0 {
		return 0, &exitError{code: 1, msg: fmt.Sprintf("scopevault: %s is damaged: %d records do not open at their keys, the first %q",
			what, rep.DamagedCount, rep.Damaged[0])}
	}
	return rep.Records, nil
}

// writeBackupArchive writes the manifest and the staged files as a
// gzip'd tar to a temporary file beside file, then renames it into place,
// so FILE is either whole or absent.
func writeBackupArchive(file, staging string, m backupManifest) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	zw := gzip.NewWriter(tmp)
	tw := tar.NewWriter(zw)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		tmp.Close()
		return err
	}
	err = tw.WriteHeader(&tar.Header{Name: backupManifestName, Mode: 0o600, Size: int64(len(manifest)), ModTime: m.Created, Typeflag: tar.TypeReg})
	if err == nil {
		_, err = tw.Write(manifest)
	}
	for _, name := range backupFiles {
		if _, ok := m.Files[name]; !ok || err != nil {
			continue
		}
		err = addFile(tw, filepath.Join(staging, name), name, m.Created)
	}
	err = errors.Join(err, tw.Close(), zw.Close(), tmp.Sync(), tmp.Close())
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return os.Rename(tmp.Name(), file)
}

func addFile(tw *tar.Writer, path, name string, mod time.Time) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyFileIfExists(src, dst string) error {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// copyWholeLines copies the audit log as it is now, up to its last whole
// line: the server may be appending a record while it is read.
func copyWholeLines(src, dst string) error {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	n, err := io.Copy(out, io.LimitReader(in, fi.Size()))
	if err != nil {
		return err
	}
	end, err := lastLineEnd(out, n)
	if err != nil {
		return err
	}
	return out.Truncate(end)
}

// lastLineEnd returns the offset just past the last '\n' in the first n bytes of f.
func lastLineEnd(f io.ReaderAt, n int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := n; end > 0; {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] == '\n' {
				return start + int64(i) + 1, nil
			}
		}
		end = start
	}
	return 0, nil
}
