package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// seedStep is how many secrets one Engine.Seed call writes (progress is
// printed after each).
const seedStep = 50_000

// seedName is the name "kvload seed" gives its i-th secret (from 0).
func seedName(i int) string { return fmt.Sprintf("seed-%08d", i) }

// seedCommand fills a vault with n secrets directly through the engine,
// with the server stopped (it takes the data directory's lock):
//
//	go run ./bench/kvload seed -data DIR [-vault NAME] [-from 0] -n 1000000
func seedCommand(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dataDir := fs.String("data", config.DefaultDataDir, "data directory (scopevault must be stopped)")
	vault := fs.String("vault", "scopevault-default", "vault to fill")
	from := fs.Int("from", 0, "number of the first secret (to add to an earlier seed)")
	n := fs.Int("n", 100_000, "secrets to write")
	batch := fs.Int("batch", 5000, "secrets per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lock, err := server.LockDataDir(*dataDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	key, _, err := config.MasterKey(*dataDir)
	if err != nil {
		return err
	}
	dbPath := filepath.Join(*dataDir, config.DBFile)
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no scopevault data in %s (run up once first)", *dataDir)
	}
	st, err := sqlite.Open(dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	b, err := barrier.Open(ctx, st, key)
	if err != nil {
		return err
	}
	e := secrets.New(st, b)
	v, err := e.Vault(ctx, *vault)
	if err != nil {
		return err
	}
	start := time.Now()
	for done := 0; done < *n; done += seedStep {
		chunk := min(seedStep, *n-done)
		first := *from + done
		err := e.Seed(ctx, v, chunk, *batch, func(i int) string { return seedName(first + i) },
			func(i int) string { return fmt.Sprintf("seeded value %d", first+i) })
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "kvload seed: %d of %d secrets in %s (%.0f/s)\n", done+chunk, *n, time.Since(start).Round(time.Second), float64(done+chunk)/time.Since(start).Seconds())
	}
	fmt.Printf("seeded %d secrets into %s in %s\n", *n, v.Name, time.Since(start).Round(time.Millisecond))
	return nil
}
