// Package barrier is the encryption barrier between scopevault and its store:
// every value is sealed with AES-256-GCM under a data key term, the storage
// path bound as associated data, so a value copied to another path fails to
// open. The keyring (all terms) is itself sealed with the master key.
//
// Wire format of a sealed value: term (4 bytes, big endian) | version byte (1) | nonce (12) | ciphertext+tag.
//
// It imports only internal/store and the standard library.
package barrier

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/scopevault/scopevault/internal/store"
)

const (
	// KeyringPath is where the keyring lives, sealed with the master key.
	KeyringPath = "core/keyring"
	// version is the format byte after the term.
	version    byte = 1
	headerLen       = 4 + 1
	nonceLen        = 12
	masterTerm      = 0 // term number reserved for values sealed with the master key
	keyLen          = 32
)

var (
	// ErrOpen is returned when a value cannot be opened: wrong key, wrong path, or tampering.
	ErrOpen = errors.New("barrier: value cannot be opened (wrong key, wrong path or tampered)")
	// ErrReserved is returned by a Wrap'd Tx for the keyring path, which only
	// the barrier itself reads and writes.
	ErrReserved = errors.New("barrier: the keyring path is reserved")
	// ErrNoKeyring is returned by Open for a store that holds data but no
	// keyring: a fresh keyring over it would leave every value unreadable.
	ErrNoKeyring = errors.New("barrier: the store holds data but no keyring: it is damaged or not a scopevault store; " +
		"restore the data directory from a backup (docs/operations.md)")
	// ErrKeyringChanged is returned by Rekey when the stored keyring is not
	// the one this Barrier last loaded or wrote (another replica rotated or
	// rekeyed); overwriting it would drop that change. Open the barrier again.
	ErrKeyringChanged = errors.New("barrier: the stored keyring changed since this barrier loaded it")
)

// Barrier seals and opens values. It is safe for concurrent use.
type Barrier struct {
	mu      sync.RWMutex
	active  uint32
	aeads   map[uint32]cipher.AEAD
	keyring keyring
	// sealedKeyring is the keyring as stored when this Barrier last read or
	// wrote it; Rekey compares it with the store before overwriting.
	sealedKeyring []byte
}

type keyring struct {
	Active uint32    `json:"active"`
	Terms  []termKey `json:"terms"`
}

type termKey struct {
	Term    uint32    `json:"term"`
	Key     []byte    `json:"key"`
	Created time.Time `json:"created"`
}

// NewMasterKey returns a fresh random 256-bit master key.
func NewMasterKey() []byte {
	k := make([]byte, keyLen)
	if _, err := rand.Read(k); err != nil {
		panic("barrier: no randomness: " + err.Error())
	}
	return k
}

// Open loads the keyring from st, opening it with masterKey; on an empty
// store it creates a keyring with one data key term. It then opens every
// record (check.go) and fails with a *DamagedError if any does not open.
func Open(ctx context.Context, st store.Store, masterKey []byte) (*Barrier, error) {
	master, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	var (
		kr     keyring
		sealed []byte
	)
	err = st.Update(ctx, func(tx store.Tx) error {
		raw, err := tx.Get(ctx, KeyringPath)
		if errors.Is(err, store.ErrNotFound) {
			// Only an empty store gets a new keyring. Over existing data (the
			// keyring deleted, or the wrong file) it would seal new values
			// under keys unrelated to the old ones, and no error would say so.
			some, err := tx.List(ctx, "", "", 1)
			if err != nil {
				return err
			}
			if len(some) > 0 {
				return ErrNoKeyring
			}
			kr = keyring{Active: 1, Terms: []termKey{{Term: 1, Key: NewMasterKey(), Created: time.Now().UTC()}}}
			sealed, err = putKeyring(ctx, tx, master, kr)
			return err
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
	// Every record must open before anything is served (check.go).
	if err := b.verify(ctx, st); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Barrier) load(kr keyring, sealed []byte) error {
	aeads := make(map[uint32]cipher.AEAD, len(kr.Terms))
	for _, t := range kr.Terms {
		if t.Term == masterTerm {
			return errors.New("barrier: keyring has a data key at the master key's term")
		}
		if _, dup := aeads[t.Term]; dup {
			return fmt.Errorf("barrier: keyring has term %d twice", t.Term)
		}
		a, err := newAEAD(t.Key)
		if err != nil {
			return err
		}
		aeads[t.Term] = a
	}
	if _, ok := aeads[kr.Active]; !ok {
		return errors.New("barrier: keyring has no active term")
	}
	b.mu.Lock()
	b.aeads, b.active, b.keyring, b.sealedKeyring = aeads, kr.Active, kr, sealed
	b.mu.Unlock()
	return nil
}

// putKeyring seals kr with the master key, stores it and returns what it stored.
func putKeyring(ctx context.Context, tx store.Tx, master cipher.AEAD, kr keyring) ([]byte, error) {
	plain, err := json.Marshal(kr)
	if err != nil {
		return nil, err
	}
	sealed := seal(master, masterTerm, KeyringPath, plain)
	return sealed, tx.Put(ctx, KeyringPath, sealed)
}

// openKeyring opens the stored keyring with the master key.
func openKeyring(master cipher.AEAD, sealed []byte) (keyring, error) {
	plain, err := open(master, KeyringPath, sealed, masterTerm)
	if err != nil {
		// AES-GCM cannot tell a wrong key from a damaged keyring record.
		return keyring{}, fmt.Errorf("barrier: the master key does not open this store's keyring (%w): "+
			"either it is not the key this store was sealed with (the data directory's master.key, or SCOPEVAULT_MASTER_KEY), or the keyring record is damaged. "+
			"Use the store's own master key, or restore a backup together with its key (docs/operations.md)", err)
	}
	var kr keyring
	if err := json.Unmarshal(plain, &kr); err != nil {
		return keyring{}, fmt.Errorf("barrier: keyring: %w", err)
	}
	return kr, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != keyLen {
		return nil, fmt.Errorf("barrier: key must be %d bytes, got %d", keyLen, len(key))
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

// ActiveTerm is the term new values are sealed with.
func (b *Barrier) ActiveTerm() uint32 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.active
}

// Seal encrypts plain for storage at path with the active term.
func (b *Barrier) Seal(path string, plain []byte) []byte {
	b.mu.RLock()
	a, term := b.aeads[b.active], b.active
	b.mu.RUnlock()
	return seal(a, term, path, plain)
}

// Open decrypts a value stored at path; any tampering, or a value moved from another path, fails with ErrOpen.
func (b *Barrier) Open(path string, sealed []byte) ([]byte, error) {
	if len(sealed) < headerLen+nonceLen {
		return nil, ErrOpen
	}
	term := binary.BigEndian.Uint32(sealed[:4])
	b.mu.RLock()
	a, ok := b.aeads[term]
	b.mu.RUnlock()
	if !ok {
		return nil, ErrOpen
	}
	return open(a, path, sealed, term)
}

func seal(a cipher.AEAD, term uint32, path string, plain []byte) []byte {
	out := make([]byte, headerLen+nonceLen, headerLen+nonceLen+len(plain)+a.Overhead())
	binary.BigEndian.PutUint32(out[:4], term)
	out[4] = version
	if _, err := rand.Read(out[headerLen:]); err != nil {
		panic("barrier: no randomness: " + err.Error())
	}
	// The header is authenticated with the path so neither can be swapped.
	return a.Seal(out, out[headerLen:], plain, aad(out[:headerLen], path))
}

func open(a cipher.AEAD, path string, sealed []byte, term uint32) ([]byte, error) {
	if len(sealed) < headerLen+nonceLen || binary.BigEndian.Uint32(sealed[:4]) != term || sealed[4] != version {
		return nil, ErrOpen
	}
	plain, err := a.Open(nil, sealed[headerLen:headerLen+nonceLen], sealed[headerLen+nonceLen:], aad(sealed[:headerLen], path))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

func aad(header []byte, path string) []byte {
	b := make([]byte, 0, len(header)+len(path))
	return append(append(b, header...), path...)
}

// Rotate adds a new data key term and makes it active; old terms still open
// existing values. It returns the new term. masterKey must open the stored
// keyring: Rotate seals the new keyring with it.
func (b *Barrier) Rotate(ctx context.Context, st store.Store, masterKey []byte) (uint32, error) {
	master, err := newAEAD(masterKey)
	if err != nil {
		return 0, err
	}
	var (
		next   keyring
		sealed []byte
	)
	err = st.Update(ctx, func(tx store.Tx) error {
		// Start from the stored keyring, not this Barrier's copy. Opening it
		// proves masterKey is the master key (sealing the keyring with any
		// other key would lock everyone out), and a term another replica
		// added since this Barrier loaded is kept rather than dropped.
		raw, err := tx.Get(ctx, KeyringPath)
		if err != nil {
			return fmt.Errorf("barrier: read keyring: %w", err)
		}
		kr, err := openKeyring(master, raw)
		if err != nil {
			return err
		}
		next = keyring{Active: kr.Active, Terms: slices.Clone(kr.Terms)}
		for _, t := range next.Terms {
			next.Active = max(next.Active, t.Term)
		}
		next.Active++
		next.Terms = append(next.Terms, termKey{Term: next.Active, Key: NewMasterKey(), Created: time.Now().UTC()})
		sealed, err = putKeyring(ctx, tx, master, next)
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := b.load(next, sealed); err != nil {
		return 0, err
	}
	return next.Active, nil
}

// Rekey seals the keyring with a new master key; the data keys are unchanged.
// It fails with ErrKeyringChanged if the stored keyring is not the one this
// Barrier last loaded or wrote.
func (b *Barrier) Rekey(ctx context.Context, st store.Store, newMasterKey []byte) error {
	master, err := newAEAD(newMasterKey)
	if err != nil {
		return err
	}
	var sealed []byte
	err = st.Update(ctx, func(tx store.Tx) error {
		b.mu.RLock()
		kr, loaded := b.keyring, b.sealedKeyring
		b.mu.RUnlock()
		// Without the old master key the stored keyring cannot be opened to
		// merge, so the only safe overwrite is of exactly what was loaded.
		raw, err := tx.Get(ctx, KeyringPath)
		if err != nil {
			return fmt.Errorf("barrier: read keyring: %w", err)
		}
		if !bytes.Equal(raw, loaded) {
			return ErrKeyringChanged
		}
		sealed, err = putKeyring(ctx, tx, master, kr)
		return err
	})
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.sealedKeyring = sealed
	b.mu.Unlock()
	return nil
}

// resealPage is how many keys Reseal reads and rewrites per transaction.
const resealPage = 256

// Reseal rewrites every value not sealed with the active term, so old terms
// can be retired. It returns how many values it rewrote. It works a page of
// keys per transaction, so it neither holds the write lock for the whole
// store nor loads it into memory; a Reseal cut short can simply run again.
func (b *Barrier) Reseal(ctx context.Context, st store.Store) (int, error) {
	n, after := 0, ""
	for {
		var (
			listed, rewritten int
			last              string
		)
		err := st.Update(ctx, func(tx store.Tx) error {
			listed, rewritten = 0, 0
			kvs, err := tx.List(ctx, "", after, resealPage)
			if err != nil {
				return err
			}
			listed = len(kvs)
			active := b.ActiveTerm()
			for _, kv := range kvs {
				last = kv.Key
				if reserved(kv.Key) || len(kv.Value) < 4 || binary.BigEndian.Uint32(kv.Value[:4]) == active {
					continue
				}
				plain, err := b.Open(kv.Key, kv.Value)
				if err != nil {
					return fmt.Errorf("barrier: reseal %q: %w", kv.Key, err)
				}
				if err := tx.Put(ctx, kv.Key, b.Seal(kv.Key, plain)); err != nil {
					return err
				}
				rewritten++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += rewritten
		if listed < resealPage {
			return n, nil
		}
		after = last
	}
}

// Terms lists the keyring's terms (for status output).
func (b *Barrier) Terms() []uint32 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]uint32, 0, len(b.keyring.Terms))
	for _, t := range b.keyring.Terms {
		out = append(out, t.Term)
	}
	slices.Sort(out)
	return out
}
