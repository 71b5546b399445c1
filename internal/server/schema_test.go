package server

import (
	"context"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// Every schema below SchemaVersion has its migration.
func TestMigrationsCoverEverySchema(t *testing.T) {
	if len(migrations) != SchemaVersion {
		t.Fatalf("%d migrations for schema %d", len(migrations), SchemaVersion)
	}
}

// The store's schema record: written on a fresh store, added to a store
// from before versions, and a newer or damaged one refuses the start.
func TestStoreSchema(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		record string // "" deletes the record
		want   string // error text; "" starts
	}{
		{"ok/current", `{"version":1}`, ""},
		{"ok/before-versions", "", ""},
		{"fail/newer", `{"version":99}`, "holds store schema 99, written by a newer scopevault; this build reads schema 1 and older"},
		{"fail/damaged", `{"version":"x"}`, "the store's schema record is damaged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Start(ctx, Config{DataDir: dir, Port: 0})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Store.Update(ctx, func(tx store.Tx) error {
				if tt.record == "" {
					return s.Barrier.Wrap(tx).Delete(ctx, schemaPath)
				}
				return s.Barrier.Wrap(tx).Put(ctx, schemaPath, []byte(tt.record))
			})
			if err != nil {
				t.Fatal(err)
			}
			s.Shutdown(ctx)
			s, err = Start(ctx, Config{DataDir: dir, Port: 0})
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					s.Shutdown(ctx)
					t.Fatalf("start: %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown(ctx)
			from, err := s.migrateSchema(ctx)
			if err != nil || from != SchemaVersion {
				t.Fatalf("after the start the store is schema %d (%v), want %d", from, err, SchemaVersion)
			}
		})
	}
}
