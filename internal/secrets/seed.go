package secrets

import (
	"context"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Seed writes n new secrets named name(0) ... name(n-1) into v, each with
// one version holding value(i), batch secrets per transaction: the load
// command's way to fill a vault with a million secrets in minutes rather
// than hours of one-fsync-per-secret Sets. The records are exactly what
// Set writes. A name that exists already is an error (nothing of its
// batch is kept).
func (e *Engine) Seed(ctx context.Context, v *scopevault.Vault, n, batch int, name, value func(i int) string) error {
	if batch <= 0 {
		batch = 5000
	}
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		now := e.now()
		err := e.update(ctx, func(tx store.Tx) error {
			for i := start; i < end; i++ {
				name := name(i)
				if err := checkName(name); err != nil {
					return err
				}
				if _, err := tx.Get(ctx, secretKey(v.Name, name)); err == nil {
					return scopevault.Errorf(scopevault.ECONFLICT, "", "secret %s exists already", name)
				}
				ver := scopevault.SecretVersion{Version: newVersion(), Enabled: true, Created: now, Updated: now}
				if err := tx.Put(ctx, valueKey(v.Name, name, ver.Version), []byte(value(i))); err != nil {
					return err
				}
				s := &scopevault.Secret{Vault: v.Name, Name: name, Versions: []scopevault.SecretVersion{ver}}
				if err := putJSON(ctx, tx, secretKey(v.Name, name), s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
