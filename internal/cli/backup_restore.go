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
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
)

func newRestoreCommand() *cobra.Command {
	var (
		dataDir, keyFile string
		force            bool
	)
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Bring a backup back into a fresh data directory",
		Long: `Restore a backup made by 'scopevault backup' into a data directory.

The directory must be new or empty; --force replaces the store of a used one
(its server must be stopped). The master key the restored server will use must
open the backup, or nothing is written: the key in FILE (--include-master-key),
else --master-key-file, else SCOPEVAULT_MASTER_KEY (which 'up' prefers over a key
file when set). A key from FILE or --master-key-file is written to
DIR/master.key (0600).

Every file is checked against the backup's SHA-256 sums, and the store as
'scopevault check' would, before anything is moved into DIR. 'up --data DIR'
then serves it: the same tenants, principals, vaults, secrets with their
versions, role assignments, workspaces and scopes, the same CA, and a new env
file.`,
		Example: `  scopevault restore /backups/sv.tar.gz --data /srv/scopevault --master-key-file /safe/master.key
  SCOPEVAULT_MASTER_KEY=... scopevault restore /backups/sv.tar.gz --data ./.scopevault`,
		Args: oneFileArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestore(cmd.Context(), args[0], dataDir, keyFile, force, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", config.DefaultDataDir, "data directory to restore into")
	cmd.Flags().StringVar(&keyFile, "master-key-file", "", "the store's master key file (for a backup made without --include-master-key)")
	cmd.Flags().BoolVar(&force, "force", false, "replace the store of a data directory that is not empty")
	return cmd
}

func runRestore(ctx context.Context, file, dir, keyFile string, force bool, stdout io.Writer) error {
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	used, err := dirInUse(dir)
	if err != nil {
		return err
	}
	if used && !force {
		return fmt.Errorf("%s is not empty: restore into a new or empty directory, or give --force to replace its store (with its server stopped)", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	lock, err := server.LockDataDir(dir)
	if err != nil {
		return fmt.Errorf("%w: stop it before restoring", err)
	}
	defer lock.Close()
	staging, err := os.MkdirTemp(dir, ".restore-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)

	m, err := extractBackup(in, staging)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}

	// The key to write into DIR, and the key the server will use.
	var writeKey []byte
	switch {
	case keyFile != "":
		if writeKey, err = readKeyFile(keyFile); err != nil {
			return err
		}
	case m.MasterKey:
		if writeKey, err = readKeyFile(filepath.Join(staging, config.MasterKeyFile)); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	useKey, source := writeKey, "the backup"
	if keyFile != "" {
		source = keyFile
	}
	if env := strings.TrimSpace(config.Env(config.MasterKeyEnv)); env != "" {
		if useKey, err = config.DecodeKey(env); err != nil {
			return fmt.Errorf("%s: %w", config.MasterKeyEnv, err)
		}
		source = config.MasterKeyEnv
	} else if useKey == nil && force {
		if k, src, err := storeMasterKey(dir); err == nil {
			useKey, source = k, src
		}
	}
	if useKey == nil {
		return &exitError{code: 1, msg: fmt.Sprintf("scopevault restore: %s holds no master key (it was made without --include-master-key) and none was given: "+
			"give the store's key with --master-key-file PATH or in %s; without it the store cannot be opened. Nothing was restored.", file, config.MasterKeyEnv)}
	}
	records, err := checkCopy(ctx, filepath.Join(staging, config.DBFile), "the store in "+file, useKey, "")
	if errors.Is(err, barrier.ErrOpen) {
		return &exitError{code: 1, msg: fmt.Sprintf("scopevault restore: the master key from %s does not open the store in %s: it is not the key this backup was made with. Nothing was restored.", source, file)}
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			ee.msg += ". Nothing was restored"
		}
		return err
	}
	if m.Records != nil && *m.Records != records {
		return fmt.Errorf("%s: the store holds %d records, its manifest says %d. Nothing was restored", file, records, *m.Records)
	}
	if err := installRestore(dir, staging, m, writeKey); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored: %s into %s (%d records, taken %s); start it with: scopevault up --data %s\n",
		file, dir, records, m.Created.Format("2006-01-02T15:04:05Z"), dir)
	if source == config.MasterKeyEnv {
		fmt.Fprintf(stdout, "the master key comes from %s: set it for 'up' too\n", config.MasterKeyEnv)
	}
	return nil
}

// dirInUse reports whether dir exists and holds anything but a lock file.
func dirInUse(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if e.Name() != config.LockFile {
			return true, nil
		}
	}
	return false, nil
}

func readKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	k, err := config.DecodeKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("master key %s: %w", path, err)
	}
	return k, nil
}

// extractBackup reads a backup's manifest and files into staging, checking
// every name, type and SHA-256 sum against the manifest.
func extractBackup(r io.Reader, staging string) (backupManifest, error) {
	var m backupManifest
	zr, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("not a scopevault backup (not gzip: %w)", err)
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != backupManifestName {
		return m, errors.New("not a scopevault backup (no manifest first)")
	}
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return m, fmt.Errorf("not a scopevault backup (manifest: %w)", err)
	}
	if m.Format != backupFormat {
		return m, fmt.Errorf("backup format %d; this scopevault reads format %d: restore it with the release that made it", m.Format, backupFormat)
	}
	if _, ok := m.Files[config.DBFile]; !ok {
		return m, errors.New("the backup has no store")
	}
	for name := range m.Files {
		if !slices.Contains(backupFiles, name) {
			return m, fmt.Errorf("the manifest names an unknown file %q", name)
		}
	}
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("damaged backup: %w", err)
		}
		want, ok := m.Files[hdr.Name]
		if !ok || seen[hdr.Name] || hdr.Typeflag != tar.TypeReg {
			return m, fmt.Errorf("damaged backup: unexpected entry %q", hdr.Name)
		}
		seen[hdr.Name] = true
		if err := extractFile(tr, filepath.Join(staging, hdr.Name), want); err != nil {
			return m, fmt.Errorf("damaged backup: %s: %w", hdr.Name, err)
		}
	}
	for name := range m.Files {
		if !seen[name] {
			return m, fmt.Errorf("damaged backup: %s is missing", name)
		}
	}
	if m.MasterKey != seen[config.MasterKeyFile] {
		return m, errors.New("damaged backup: the manifest and the files disagree on the master key")
	}
	return m, nil
}

func extractFile(r io.Reader, path, wantSum string) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), r)
	if err = errors.Join(err, out.Sync(), out.Close()); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSum {
		return errors.New("its SHA-256 differs from the manifest's")
	}
	return nil
}

// installRestore moves the checked files into dir. The old store's WAL and
// shared memory go first: SQLite would replay an old WAL into the new file.
// The env file goes too: it names the old store's admin, and up writes it.
func installRestore(dir, staging string, m backupManifest, writeKey []byte) error {
	db := filepath.Join(dir, config.DBFile)
	for _, p := range []string{db + "-wal", db + "-shm", filepath.Join(dir, config.EnvFile), filepath.Join(dir, config.MasterKeyFile+".new")} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if writeKey != nil {
		if err := config.WriteMasterKey(dir, writeKey); err != nil {
			return err
		}
	}
	for _, name := range []string{config.CAFile, audit.FileName} {
		if _, ok := m.Files[name]; !ok {
			continue
		}
		mode := os.FileMode(0o600)
		if name == config.CAFile {
			mode = 0o644 // a certificate, which clients read
		}
		if err := os.Chmod(filepath.Join(staging, name), mode); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	// The store last: a directory with it is a restored one.
	if err := os.Rename(filepath.Join(staging, config.DBFile), db); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
