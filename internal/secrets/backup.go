package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// A backup blob is magic | nonce | AES-256-GCM(JSON), sealed with this
// installation's backup key and bound to the subscription, so a blob restores
// only where Key Vault would let it (the same subscription) and any change to
// it is detected.
const (
	backupMagic   = "SVBK1"
	backupKeyPath = "core/backupkey"
)

type backupDoc struct {
	Secret scopevault.Secret `json:"secret"`
	Values map[string]string `json:"values"` // version -> value
}

func (e *Engine) backupAEAD(ctx context.Context) (cipher.AEAD, error) {
	var key []byte
	err := e.update(ctx, func(tx store.Tx) error {
		k, err := tx.Get(ctx, backupKeyPath)
		if errors.Is(err, store.ErrNotFound) {
			k = make([]byte, 32)
			if _, err := rand.Read(k); err != nil {
				return err
			}
			err = tx.Put(ctx, backupKeyPath, k)
		}
		key = k
		return err
	})
	if err != nil {
		return nil, err
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

func backupAAD(v *scopevault.Vault) []byte {
	return []byte(backupMagic + "|" + strings.ToLower(v.SubscriptionID))
}

// Backup returns an encrypted blob holding every version of a live secret.
func (e *Engine) Backup(ctx context.Context, v *scopevault.Vault, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	doc := backupDoc{Values: map[string]string{}}
	err := e.view(ctx, func(tx store.Tx) error {
		s, _, err := e.activeVersion(ctx, tx, v, name, "")
		if err != nil {
			return err
		}
		doc.Secret = *s
		for _, ver := range s.Versions {
			raw, err := tx.Get(ctx, valueKey(v.Name, name, ver.Version))
			if err != nil {
				return err
			}
			doc.Values[ver.Version] = string(raw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a, err := e.backupAEAD(ctx)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(backupMagic)+a.NonceSize())
	copy(out, backupMagic)
	if _, err := rand.Read(out[len(backupMagic):]); err != nil {
		return nil, err
	}
	return a.Seal(out, out[len(backupMagic):], plain, backupAAD(v)), nil
}

func badBackup() error {
	return scopevault.Errorf(scopevault.EINVALID, "",
		"Backup blob could not be restored: it is malformed, was modified, or was created in another subscription.")
}

// Restore recreates a secret, with its versions and values, from a backup blob.
func (e *Engine) Restore(ctx context.Context, v *scopevault.Vault, blob []byte) (*scopevault.Secret, error) {
	a, err := e.backupAEAD(ctx)
	if err != nil {
		return nil, err
	}
	if len(blob) < len(backupMagic)+a.NonceSize()+a.Overhead() || string(blob[:len(backupMagic)]) != backupMagic {
		return nil, badBackup()
	}
	n := len(backupMagic) + a.NonceSize()
	plain, err := a.Open(nil, blob[len(backupMagic):n], blob[n:], backupAAD(v))
	if err != nil {
		return nil, badBackup()
	}
	var doc backupDoc
	if err := json.Unmarshal(plain, &doc); err != nil || !scopevault.ValidSecretName(doc.Secret.Name) || len(doc.Secret.Versions) == 0 {
		return nil, badBackup()
	}
	s := doc.Secret
	s.Vault, s.Deleted, s.ScheduledPurgeDate = v.Name, nil, nil
	err = e.update(ctx, func(tx store.Tx) error {
		cur, err := e.loadSecret(ctx, tx, v.Name, s.Name)
		if err != nil {
			return err
		}
		if cur != nil && cur.Deleted != nil {
			return isDeletedConflict(s.Name)
		}
		if cur != nil {
			return scopevault.Errorf(scopevault.ECONFLICT, "SecretAlreadyExists",
				"Secret %s already exists in this vault; delete and purge it before restoring a backup.", s.Name)
		}
		if err := purgeSecret(ctx, tx, v.Name, s.Name); err != nil {
			return err
		}
		for _, ver := range s.Versions {
			val, ok := doc.Values[ver.Version]
			if !ok {
				return badBackup()
			}
			if err := tx.Put(ctx, valueKey(v.Name, s.Name, ver.Version), []byte(val)); err != nil {
				return err
			}
		}
		return putJSON(ctx, tx, secretKey(v.Name, s.Name), &s)
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}
