package secrets

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// DefaultCacheBytes bounds the read cache of sealed secrets.
const DefaultCacheBytes = 16 << 20

// secretEntry is what the read cache keeps of one secret: whether it is
// live, its current version's id, and for each version read so far a
// sealed bundle (the version's metadata, the secret's name and the value,
// sealed by the barrier under a cache path). Ids are names, not secrets;
// everything else is opened again on every hit, so the cache never holds a
// value or a record in clear, and a hit decodes one version, not the
// secret's whole version list.
type secretEntry struct {
	live     bool
	current  string   // the current version's id, as stored
	versions []bundle // the versions read so far, usually one
}

// bundle is one version's sealed bundle and the path it is sealed under.
type bundle struct {
	version string // lower-cased
	path    string
	sealed  []byte
}

// find returns the bundle of a version (any case).
func (e secretEntry) find(version string) (bundle, bool) {
	for _, b := range e.versions {
		if b.version == version || strings.EqualFold(b.version, version) {
			return b, true
		}
	}
	return bundle{}, false
}

// entrySize estimates what an entry costs in memory, map and allocation
// overheads included, so that the bound is a bound on the heap.
func entrySize(e secretEntry) int {
	n := 160 + len(e.current)
	for _, v := range e.versions {
		n += 96 + len(v.version) + len(v.path) + len(v.sealed)
	}
	return n
}

// cacheEntryOf maps a written key to the secret it changes:
// kv/{vault}/s/{name} and kv/{vault}/v/{name}/{version} both change the
// entry {vault}/{name}. Any other key under kv/ drops the whole cache.
func cacheEntryOf(key string) (string, bool, bool) {
	rest, ok := strings.CutPrefix(key, "kv/")
	if !ok {
		return "", false, false
	}
	vault, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return "", false, true
	}
	switch {
	case strings.HasPrefix(rest, "s/"):
		return vault + "/" + rest[2:], true, false
	case strings.HasPrefix(rest, "v/"):
		name, _, ok := strings.Cut(rest[2:], "/")
		if !ok {
			return "", false, true
		}
		return vault + "/" + name, true, false
	}
	return "", false, true
}

func entryKey(vault, name string) string {
	return scopevault.VaultKey(vault) + "/" + scopevault.SecretKey(name)
}

// getCached is Get through the read cache: a hit opens the version's
// sealed bundle; a miss reads the record and the value in one read
// transaction, answers from them and fills the cache with what it read, so
// an entry is always one snapshot of the store.
func (e *Engine) getCached(ctx context.Context, v *scopevault.Vault, name, version string) (*scopevault.SecretValue, error) {
	ek := entryKey(v.Name, name)
	if ent, ok := e.cache.Get(ek); ok {
		if out, done, err := e.fromEntry(v, name, version, ent); done {
			return out, err
		}
	}
	t := e.cache.Ticket(ek)
	var s *scopevault.Secret
	var plain []byte
	err := e.view(ctx, func(tx store.Tx) error {
		var err error
		if s, err = e.loadSecret(ctx, tx, v.Name, name); err != nil || s == nil {
			return err
		}
		ver := pickVersion(s, version)
		if ver == nil || !ver.Enabled {
			return nil
		}
		if plain, err = tx.Get(ctx, valueKey(v.Name, name, ver.Version)); err != nil {
			return fmt.Errorf("secrets: value of %s/%s: %w", name, ver.Version, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	id := name
	if version != "" {
		id = name + "/" + version
	}
	// An absent record is not cached (nor one past its purge date, which
	// loadSecret reads as absent); a soft-deleted one is, as not live.
	if s == nil {
		return nil, notFound(id)
	}
	if s.Deleted != nil {
		e.cache.Fill(t, func(secretEntry, bool) secretEntry { return secretEntry{} })
		return nil, notFound(id)
	}
	ver := pickVersion(s, version)
	if ver == nil {
		return nil, notFound(id)
	}
	cur := s.Current()
	path := cachePath(v.Name, name, ver.Version)
	b := bundle{version: strings.ToLower(ver.Version), path: path, sealed: e.barrier.Seal(path, encodeBundle(s.Name, ver, plain))}
	e.cache.Fill(t, func(old secretEntry, ok bool) secretEntry {
		ent := secretEntry{live: true, current: cur.Version}
		if ok && old.live && old.current == cur.Version {
			for _, ob := range old.versions {
				if ob.version != b.version {
					ent.versions = append(ent.versions, ob)
				}
			}
		}
		ent.versions = append(ent.versions, b)
		return ent
	})
	if !ver.Enabled {
		return nil, errDisabled()
	}
	return &scopevault.SecretValue{Secret: &scopevault.Secret{Vault: s.Vault, Name: s.Name, Versions: []scopevault.SecretVersion{*ver}},
		Version: ver, Value: string(plain)}, nil
}

func errDisabled() error {
	return scopevault.Errorf(scopevault.EFORBIDDEN, "SecretDisabled", "Operation get is not allowed on a disabled secret.")
}

// cachePath is the associated data a cached bundle is sealed under: apart
// from every stored key, so a bundle can never be opened as stored data.
func cachePath(vault, name, version string) string {
	return "cache/" + valueKey(vault, name, strings.ToLower(version))
}

// fromEntry answers Get from an entry. done is false when the entry lacks
// the version asked for.
func (e *Engine) fromEntry(v *scopevault.Vault, name, version string, ent secretEntry) (*scopevault.SecretValue, bool, error) {
	id := name
	if version != "" {
		id = name + "/" + version
	}
	if !ent.live {
		return nil, true, notFound(id)
	}
	if version == "" {
		version = ent.current
	}
	b, ok := ent.find(version)
	if !ok {
		return nil, false, nil
	}
	raw, err := e.barrier.Open(b.path, b.sealed)
	if err != nil {
		return nil, true, err
	}
	// One allocation for the answer: the value, its secret and version.
	out := &struct {
		sv  scopevault.SecretValue
		s   scopevault.Secret
		ver [1]scopevault.SecretVersion
	}{}
	canon, value, err := decodeBundleInto(raw, &out.ver[0])
	if err != nil {
		return nil, true, err
	}
	if !out.ver[0].Enabled {
		return nil, true, errDisabled()
	}
	out.s = scopevault.Secret{Vault: v.Name, Name: canon, Versions: out.ver[:]}
	out.sv = scopevault.SecretValue{Secret: &out.s, Version: &out.ver[0], Value: value}
	return &out.sv, true, nil
}

// pickVersion is the version asked for ("" = current) of a live secret, or nil.
func pickVersion(s *scopevault.Secret, version string) *scopevault.SecretVersion {
	if s.Deleted != nil {
		return nil
	}
	if version == "" {
		return s.Current()
	}
	return s.Version(version)
}

// A bundle is encoded compactly, so that a hit costs one AES-GCM open and
// no JSON: strings as uvarint length and bytes, times as varint Unix
// seconds and uvarint nanoseconds (UTC).
func encodeBundle(name string, ver *scopevault.SecretVersion, value []byte) []byte {
	b := make([]byte, 0, 96+len(name)+len(ver.Version)+len(ver.ContentType)+len(ver.Previous)+len(value))
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	tm := func(t time.Time) {
		b = binary.AppendVarint(b, t.Unix())
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	str(name)
	str(ver.Version)
	str(ver.ContentType)
	str(ver.Previous)
	var flags byte
	if ver.Enabled {
		flags |= 1
	}
	if ver.NotBefore != nil {
		flags |= 2
	}
	if ver.Expires != nil {
		flags |= 4
	}
	b = append(b, flags)
	if ver.NotBefore != nil {
		tm(*ver.NotBefore)
	}
	if ver.Expires != nil {
		tm(*ver.Expires)
	}
	tm(ver.Created)
	tm(ver.Updated)
	b = binary.AppendUvarint(b, uint64(len(ver.Tags)))
	for k, v := range ver.Tags {
		str(k)
		str(v)
	}
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

var errBadBundle = errors.New("secrets: damaged cache bundle")

// decodeBundle decodes what encodeBundle wrote. It converts the bundle to
// a string once; the fields are substrings of it.
func decodeBundle(raw []byte) (name string, ver *scopevault.SecretVersion, value string, err error) {
	ver = &scopevault.SecretVersion{}
	name, value, err = decodeBundleInto(raw, ver)
	if err != nil {
		return "", nil, "", err
	}
	return name, ver, value, nil
}

// decodeBundleInto decodes a bundle into ver, returning the name and value.
func decodeBundleInto(raw []byte, ver *scopevault.SecretVersion) (name, value string, err error) {
	b := string(raw)
	bad := false
	uv := func() uint64 {
		var x uint64
		for i := 0; i < len(b) && i < binary.MaxVarintLen64; i++ {
			c := b[i]
			if c < 0x80 {
				if i == binary.MaxVarintLen64-1 && c > 1 {
					break
				}
				b = b[i+1:]
				return x | uint64(c)<<(7*i)
			}
			x |= uint64(c&0x7f) << (7 * i)
		}
		bad = true
		return 0
	}
	str := func() string {
		n := uv()
		if bad || n > uint64(len(b)) {
			bad = true
			return ""
		}
		s := b[:n]
		b = b[n:]
		return s
	}
	tm := func() time.Time {
		ux := uv()
		sec := int64(ux >> 1)
		if ux&1 != 0 {
			sec = ^sec
		}
		return time.Unix(sec, int64(uv())).UTC()
	}
	*ver = scopevault.SecretVersion{}
	name = str()
	ver.Version, ver.ContentType, ver.Previous = str(), str(), str()
	if bad || len(b) == 0 {
		return "", "", errBadBundle
	}
	flags := b[0]
	b = b[1:]
	ver.Enabled = flags&1 != 0
	if flags&2 != 0 {
		t := tm()
		ver.NotBefore = &t
	}
	if flags&4 != 0 {
		t := tm()
		ver.Expires = &t
	}
	ver.Created, ver.Updated = tm(), tm()
	if n := uv(); n > 0 && !bad {
		if n > uint64(len(b)) {
			return "", "", errBadBundle
		}
		ver.Tags = make(map[string]string, n)
		for range n {
			k := str()
			ver.Tags[k] = str()
		}
	}
	value = str()
	if bad {
		return "", "", errBadBundle
	}
	return name, value, nil
}
