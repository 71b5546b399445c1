package store

import (
	"hash/maphash"
	"sync"
)

// ReadCache keeps what readers derived from store reads (sealed bytes: a
// cache holds sealed values or none) so that a read whose data has not
// changed needs no transaction. Entries are named by an entry key; the
// owner's EntryOf maps each key a commit wrote to the entry it changes.
//
// Its promise: once an Update that wrote a key has returned, no reader gets
// an entry filled from before that write. It keeps it with the store's Watch
// (the commit drops the entries it touched before the Update returns) and a
// ticket per fill: a filler takes a ticket before its read transaction and
// the fill is refused when a commit touching that entry (or one of the
// entries hashing to the same stripe) landed in between, since the read may
// have seen the state before it.
type ReadCache[V any] struct {
	// EntryOf maps a written store key to the entry key it invalidates; ok
	// false means the key is not the cache's (ignored). all true drops every
	// entry (a key the owner cannot place).
	entryOf func(key string) (entry string, ok, all bool)
	size    func(V) int
	max     int

	seed    maphash.Seed
	mu      sync.Mutex
	stripes [256]uint64
	entries map[string]cached[V]
	bytes   int
}

type cached[V any] struct {
	v    V
	size int
}

// NewReadCache returns a cache holding at most maxBytes (as size counts
// them) and registers it with st's commits.
func NewReadCache[V any](st Store, maxBytes int, entryOf func(key string) (entry string, ok, all bool), size func(V) int) *ReadCache[V] {
	c := &ReadCache[V]{entryOf: entryOf, size: size, max: maxBytes, seed: maphash.MakeSeed(), entries: map[string]cached[V]{}}
	st.Watch(c.invalidate)
	return c
}

func (c *ReadCache[V]) stripe(entry string) int {
	return int(maphash.String(c.seed, entry) % uint64(len(c.stripes)))
}

// Get returns the entry, if cached.
func (c *ReadCache[V]) Get(entry string) (V, bool) {
	c.mu.Lock()
	e, ok := c.entries[entry]
	c.mu.Unlock()
	return e.v, ok
}

// Ticket is taken before the read transaction whose result will be filled.
type Ticket struct {
	entry  string
	stripe int
	seq    uint64
}

// Ticket returns a ticket for filling entry.
func (c *ReadCache[V]) Ticket(entry string) Ticket {
	s := c.stripe(entry)
	c.mu.Lock()
	defer c.mu.Unlock()
	return Ticket{entry: entry, stripe: s, seq: c.stripes[s]}
}

// Fill stores what the read taken with t found. merge receives the entry
// cached now (if any) and returns the entry to keep, so that readers can
// add to an entry (another version's value) without losing it. The fill is
// dropped when a commit touched the entry's stripe since the ticket.
func (c *ReadCache[V]) Fill(t Ticket, merge func(old V, ok bool) V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stripes[t.stripe] != t.seq {
		return
	}
	old, ok := c.entries[t.entry]
	v := merge(old.v, ok)
	n := c.size(v) + len(t.entry)
	if n > c.max/4 {
		return // an entry this large would crowd out the rest
	}
	if ok {
		c.bytes -= old.size
	}
	for c.bytes+n > c.max && len(c.entries) > 0 {
		// Evict arbitrary entries (map order is randomized): cheap, and a
		// working set larger than the cache degrades to store reads, never
		// to wrong answers.
		for k, e := range c.entries {
			delete(c.entries, k)
			c.bytes -= e.size
			break
		}
	}
	c.entries[t.entry] = cached[V]{v: v, size: n}
	c.bytes += n
}

// invalidate is the store's Watch callback.
func (c *ReadCache[V]) invalidate(keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		entry, ok, all := c.entryOf(k)
		if all {
			for i := range c.stripes {
				c.stripes[i]++
			}
			clear(c.entries)
			c.bytes = 0
			return
		}
		if !ok {
			continue
		}
		c.stripes[c.stripe(entry)]++
		if e, ok := c.entries[entry]; ok {
			delete(c.entries, entry)
			c.bytes -= e.size
		}
	}
}

// Len returns the number of cached entries (for tests and metrics).
func (c *ReadCache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Each calls fn for every cached entry (tests check what the cache holds).
func (c *ReadCache[V]) Each(fn func(entry string, v V)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		fn(k, e.v)
	}
}
