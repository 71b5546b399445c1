package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scopevault/scopevault/internal/store"
)

// The store's records are the domain types' JSON. Their shape is versioned
// as a whole: the store holds the schema version it was written with
// (core/schema), and Start brings an older store up to SchemaVersion by
// running the migrations below in order, in one transaction, before
// anything reads a record; it refuses a store written by a newer build.
//
// One version for the store, not one per record: every migration runs over
// the whole store at start, so no read path ever meets two shapes of one
// type, and a record costs no bytes for it. A change to a stored type's
// JSON that old records cannot decode into must add a migration and raise
// SchemaVersion; internal/e2e's TestStoreFixture opens a data directory
// written by an earlier release (internal/e2e/testdata/datadir-v1) and reads
// every kind of record back, so such a change cannot pass silently.

// SchemaVersion is the store schema this build writes and reads.
const SchemaVersion = 1

const schemaPath = "core/schema"

// migrations[i] turns a store of schema i into one of schema i+1. Schema 0
// is a store made before versions were recorded; its records are already
// schema 1's.
var migrations = []func(ctx context.Context, tx store.Tx) error{
	0: func(context.Context, store.Tx) error { return nil },
}

type schemaRecord struct {
	Version int `json:"version"`
}

// migrateSchema reads the store's schema version, refuses a newer one and
// migrates an older one (a fresh store is written as SchemaVersion).
func (s *Server) migrateSchema(ctx context.Context) (from int, err error) {
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		sealed := s.Barrier.Wrap(tx)
		raw, err := sealed.Get(ctx, schemaPath)
		recorded := err == nil
		switch {
		case err == nil:
			var rec schemaRecord
			if err := json.Unmarshal(raw, &rec); err != nil || rec.Version < 1 {
				return fmt.Errorf("server: the store's schema record is damaged; restore a backup (docs/operations.md)")
			}
			from = rec.Version
		case errors.Is(err, store.ErrNotFound):
			// No record: a store from before versions (it has a
			// bootstrap record) is schema 0; an empty one is new.
			from = SchemaVersion
			if _, err := sealed.Get(ctx, bootstrapPath); err == nil {
				from = 0
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		default:
			return err
		}
		if from > SchemaVersion {
			return fmt.Errorf("server: the data directory %s holds store schema %d, written by a newer scopevault; this build reads schema %d and older: run the newer release, or restore a backup made with this one",
				s.cfg.DataDir, from, SchemaVersion)
		}
		for v := from; v < SchemaVersion; v++ {
			if err := migrations[v](ctx, tx); err != nil {
				return fmt.Errorf("server: migrate the store from schema %d to %d: %w", v, v+1, err)
			}
		}
		if recorded && from == SchemaVersion {
			return nil
		}
		raw, _ = json.Marshal(schemaRecord{Version: SchemaVersion})
		return sealed.Put(ctx, schemaPath, raw)
	})
	return from, err
}
