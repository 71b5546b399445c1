package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

func newRotateKeyCommand() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Rotate the master key and the data key (run while scopevault is stopped)",
		Long: `Rotate the encryption keys of a data directory.

A new data key term is added and every stored value is re-sealed with it; the
keyring is then sealed with a new master key. With a key file (the default), the
new master key replaces DIR/master.key. With SCOPEVAULT_MASTER_KEY, the new key
must be given in SCOPEVAULT_NEW_MASTER_KEY (base64, 32 bytes); set it as
SCOPEVAULT_MASTER_KEY for the next start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			lock, err := server.LockDataDir(dataDir)
			if err != nil {
				return err
			}
			defer lock.Close()
			oldKey, fromEnv, err := config.MasterKey(dataDir)
			if err != nil {
				return err
			}
			var newKey []byte
			if fromEnv {
				v := config.Env("SCOPEVAULT_NEW_MASTER_KEY")
				if v == "" {
					return fmt.Errorf("the master key comes from %s: set SCOPEVAULT_NEW_MASTER_KEY to the new key", config.MasterKeyEnv)
				}
				if newKey, err = config.DecodeKey(v); err != nil {
					return fmt.Errorf("SCOPEVAULT_NEW_MASTER_KEY: %w", err)
				}
			} else {
				newKey = barrier.NewMasterKey()
			}
			dbPath := filepath.Join(dataDir, config.DBFile)
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("no scopevault data in %s", dataDir)
			}
			st, err := sqlite.Open(dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			b, err := barrier.Open(ctx, st, oldKey)
			if err != nil {
				return err
			}
			term, err := b.Rotate(ctx, st, oldKey)
			if err != nil {
				return err
			}
			n, err := b.Reseal(ctx, st)
			if err != nil {
				return err
			}
			if !fromEnv {
				// The new key is on disk before the keyring depends on it; a
				// crash in between leaves master.key.new for the next start to try.
				pending := filepath.Join(dataDir, config.MasterKeyFile+".new")
				if err := config.WriteFileAtomic(pending, []byte(config.EncodeKey(newKey)+"\n"), 0o600); err != nil {
					return err
				}
				if err := b.Rekey(ctx, st, newKey); err != nil {
					return err
				}
				if err := os.Rename(pending, filepath.Join(dataDir, config.MasterKeyFile)); err != nil {
					return err
				}
			} else if err := b.Rekey(ctx, st, newKey); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rotated: data key term %d active, %d values re-sealed, keyring sealed with a new master key\n", term, n)
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", config.DefaultDataDir, "data directory")
	return cmd
}
