package barrier

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/scopevault/scopevault/internal/store"
)

// Every record is sealed with its own key as associated data (the barrier
// binding), so a record whose key or value changed by one byte no longer
// opens: a damaged key row shows as a record that fails at its (new) key,
// and the record that was there is gone. Opening every record is thus a
// complete check of the store's content, which SQLite's own checks are not
// (they see the b-tree's structure, not the bytes of a key that stays in
// order, nor any byte of a value). Open runs it before it returns, so a
// damaged store is refused at start instead of served as wrong answers
// (404 for a secret that is there); Check runs it for scopevault check.

// ErrDamaged marks a store holding records that do not open.
var ErrDamaged = errors.New("barrier: the store is damaged")

// DamagedError names the records that do not open at their keys. It holds
// keys (names and ids), never a value.
type DamagedError struct {
	// Count is how many records failed; Keys are the first of them.
	Count int
	Keys  []string
}

func (e *DamagedError) Error() string {
	const show = 5
	keys := make([]string, 0, show)
	for _, k := range e.Keys[:min(len(e.Keys), show)] {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	if e.Count > len(keys) {
		keys = append(keys, fmt.Sprintf("and %d more", e.Count-len(keys)))
	}
	return fmt.Sprintf("barrier: the store is damaged: %d record(s) do not open at their keys (%s): the database was changed outside scopevault, "+
		"or the disk is failing. Restore the data directory from a backup (docs/operations.md); 'scopevault check' lists every damaged record",
		e.Count, strings.Join(keys, ", "))
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// Report is what Check found.
type Report struct {
	// Records is how many records were read, the keyring not counted.
	Records int
	// ByTerm counts the records that opened, by the data key term sealing them.
	ByTerm map[uint32]int
	// Damaged holds the keys of the records that did not open (at most
	// maxDamagedKeys of them), DamagedCount how many there were.
	Damaged      []string
	DamagedCount int
}

// maxDamagedKeys bounds the keys a Report keeps: a store read with the
// wrong data keys would otherwise list every key it has.
const maxDamagedKeys = 10000

// checkPage is how many records Check reads per List call.
const checkPage = 1024

// Check opens every record of st at its own key, in one read transaction
// (a consistent snapshot even while a server writes), and reports those
// that fail. The error is for a store that cannot be read at all.
func (b *Barrier) Check(ctx context.Context, st store.Store) (Report, error) {
	var rep Report
	err := st.View(ctx, func(tx store.Tx) error {
		rep = Report{ByTerm: map[uint32]int{}}
		after := ""
		for {
			kvs, err := tx.List(ctx, "", after, checkPage)
			if err != nil {
				return err
			}
			for _, kv := range kvs {
				after = kv.Key
				if kv.Key == KeyringPath {
					continue // opened with the master key by Open
				}
				rep.Records++
				if _, err := b.Open(kv.Key, kv.Value); err != nil {
					rep.DamagedCount++
					if len(rep.Damaged) < maxDamagedKeys {
						rep.Damaged = append(rep.Damaged, kv.Key)
					}
					continue
				}
				rep.ByTerm[binary.BigEndian.Uint32(kv.Value[:4])]++
			}
			if len(kvs) < checkPage {
				return nil
			}
		}
	})
	if err != nil {
		return Report{}, fmt.Errorf("barrier: check: %w", err)
	}
	return rep, nil
}

// Load reads st's keyring with masterKey in a read transaction; unlike
// Open it creates nothing and opens no record, so it works on a store
// opened read-only beside a running server. Tools that examine a store
// without serving it (scopevault check, backup, restore) use it, then Check.
func Load(ctx context.Context, st store.Store, masterKey []byte) (*Barrier, error) {
	master, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	var (
		kr     keyring
		sealed []byte
	)
	err = st.View(ctx, func(tx store.Tx) error {
		raw, err := tx.Get(ctx, KeyringPath)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoKeyring
		}
		if err != nil {
			return err
		}
		sealed = raw
		kr, err = openKeyring(master, raw)
		return err
	})
	if err != nil {
		return nil, err
	}
	b := &Barrier{}
	if err := b.load(kr, sealed); err != nil {
		return nil, err
	}
	return b, nil
}

// verify is Open's check: nil, or a *DamagedError.
func (b *Barrier) verify(ctx context.Context, st store.Store) error {
	rep, err := b.Check(ctx, st)
	if err != nil {
		return err
	}
	if rep.DamagedCount > 0 {
		return &DamagedError{Count: rep.DamagedCount, Keys: rep.Damaged}
	}
	return nil
}
