// Package config is the only place that reads the environment and the data
// directory's files: flags are parsed by internal/cli, and everything else
// receives values, never looks them up.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scopevault/scopevault/internal/barrier"
)

// Names of the files in a data directory.
const (
	DBFile        = "scopevault.db"
	MasterKeyFile = "master.key"
	CAFile        = "ca.pem"
	EnvFile       = "scopevault.env"
	LockFile      = "scopevault.lock"
)

// MasterKeyEnv holds a base64 master key that overrides the key file.
const MasterKeyEnv = "SCOPEVAULT_MASTER_KEY"

// DefaultDataDir is where `up` keeps its data unless told otherwise.
const DefaultDataDir = ".scopevault"

// MasterKey returns the master key: from SCOPEVAULT_MASTER_KEY if set, else
// from DIR/master.key, which is created (0600) on first start.
func MasterKey(dir string) (key []byte, fromEnv bool, err error) {
	if v := strings.TrimSpace(os.Getenv(MasterKeyEnv)); v != "" {
		k, err := DecodeKey(v)
		if err != nil {
			return nil, true, fmt.Errorf("config: %s: %w", MasterKeyEnv, err)
		}
		return k, true, nil
	}
	path := filepath.Join(dir, MasterKeyFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k := barrier.NewMasterKey()
		if err := WriteMasterKey(dir, k); err != nil {
			return nil, false, err
		}
		return k, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("config: read master key: %w", err)
	}
	k, err := DecodeKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, false, fmt.Errorf("config: %s: %w", path, err)
	}
	return k, false, nil
}

// PendingMasterKey returns the key a rotate-key interrupted after writing
// DIR/master.key.new but before renaming it, if there is one.
func PendingMasterKey(dir string) []byte {
	raw, err := os.ReadFile(filepath.Join(dir, MasterKeyFile+".new"))
	if err != nil {
		return nil
	}
	k, err := DecodeKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil
	}
	return k
}

// DecodeKey parses a base64 (standard or URL, padded or not) 32-byte key.
func DecodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("the key must be 32 bytes, got %d", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("the key is not base64")
}

// EncodeKey renders a key for a file or the environment.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// WriteMasterKey atomically replaces DIR/master.key.
func WriteMasterKey(dir string, k []byte) error {
	return WriteFileAtomic(filepath.Join(dir, MasterKeyFile), []byte(EncodeKey(k)+"\n"), 0o600)
}

// WriteFileAtomic writes data to a temporary file, syncs it and renames it over path.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Env reads one environment variable (so that no other package calls os.Getenv).
func Env(name string) string { return os.Getenv(name) }
