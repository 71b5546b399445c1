// Command kvload is scopevault's yardstick: it measures the hot paths of a
// running scopevault over TLS beside a bare Go TLS server it starts itself
// (same certificate type, a fixed body of a secret bundle's size), so every
// figure is a ratio measured side by side. For each connection count it
// reports requests per second, p50 and p99 latency, the serving process's
// CPU-seconds per 1,000 requests (scopevault's pid is in its data
// directory's lock file), and the ratio to bare.
//
//	. .scopevault/scopevault.env && go run ./bench/kvload
//	go run ./bench/kvload seed -data DIR -n 1000000   (server stopped)
//
// Targets: bare (the baseline in a child process), bare-inproc (the same in
// kvload's own process), healthz, get (a secret GET with a bearer token),
// set (a new version of one of 1,000 secrets), list (a page of 25 of a
// vault holding -list-size secrets), token (client credentials), arm-get
// (the vault through ARM), scope-get (a Databricks secrets/get through a
// Key Vault-backed scope), get-seeded (with -seeded). It sends traffic only
// to the URLs in the env file (loopback) and its own loopback baseline,
// for a bounded time per level, and never prints a secret or a token.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault/internal/config"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare-server" {
		if err := bareServerCommand(); err != nil {
			fmt.Fprintln(os.Stderr, "kvload bare-server:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "seed" {
		if err := seedCommand(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "kvload seed:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.StringVar(&o.conns, "c", "1,64,256", "connection counts to measure")
	flag.DurationVar(&o.dur, "d", 5*time.Second, "duration of each measurement")
	flag.IntVar(&o.maxReq, "n", 2_000_000, "upper bound on requests per measurement")
	flag.StringVar(&o.targets, "t", defaultTargets, "targets to measure, comma-separated (also get-seeded, with -seeded)")
	flag.StringVar(&o.dataDir, "data", "", "the server's data directory, for its pid and so its CPU time (default: the directory of SSL_CERT_FILE)")
	flag.IntVar(&o.listSize, "list-size", 10_000, "secrets in the vault the list target pages through")
	flag.IntVar(&o.seeded, "seeded", 0, "secrets \"kvload seed\" wrote into the default vault: adds the get-seeded target, a GET of one of them at random")
	flag.DurationVar(&o.soak, "soak", 0, "run the soak for this long instead of the table: the mix of get, set, list, token, wrong tokens and bad bodies at --rate-fraction of its measured maximum, on one connection count (-c, default 64)")
	flag.Float64Var(&o.rateFraction, "rate-fraction", 0.8, "with --soak: the fraction of the mix's measured maximum rate to run at")
	flag.DurationVar(&o.probe, "probe", 5*time.Second, "with --soak: how long to measure the mix's maximum rate first")
	flag.DurationVar(&o.interval, "interval", 10*time.Second, "with --soak: print a line of throughput, latency, errors and the server's memory this often")
	flag.BoolVar(&o.flood, "flood", false, "instead of the table: the GET's latency (-c connections, default 1) for -d idle, then for -d under a flood of wrong user passwords at the token endpoint")
	flag.IntVar(&o.floodConns, "flood-conns", 64, "with --flood: connections sending wrong passwords")
	flag.Parse()
	flag.Visit(func(f *flag.Flag) {
		o.explicit = o.explicit || f.Name == "t"
		o.connsGiven = o.connsGiven || f.Name == "c"
	})
	if o.seeded > 0 && !strings.Contains(o.targets, "get-seeded") {
		o.targets += ",get-seeded"
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "kvload:", err)
		os.Exit(1)
	}
}

var allTargets = []string{"bare", "bare-inproc", "healthz", "get", "get-net", "get-seeded", "set", "list", "token", "arm-get", "scope-get"}

// defaultTargets is every target but get-seeded (which needs a seeded vault).
const defaultTargets = "bare,bare-inproc,healthz,get,get-net,set,list,token,arm-get,scope-get"

// env is what the env file gives kvload.
type env struct {
	base, vaultURL, tenant, sub, clientID, secret string
	tls                                           *tls.Config
	setup                                         *http.Client
}

func readEnv() (*env, error) {
	get := func(k string) (string, error) {
		if v := os.Getenv(k); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s is not set: source .scopevault/scopevault.env first", k)
	}
	var vals [7]string
	for i, k := range []string{"SCOPEVAULT_URL", "AZURE_KEYVAULT_URL", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "SSL_CERT_FILE"} {
		v, err := get(k)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	pem, err := os.ReadFile(vals[6])
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	e := &env{base: strings.TrimSuffix(vals[0], "/"), vaultURL: strings.TrimSuffix(vals[1], "/"), tenant: vals[2], sub: vals[3],
		clientID: vals[4], secret: vals[5], tls: &tls.Config{RootCAs: pool}}
	routeNamesTo(e.base)
	e.setup = &http.Client{Transport: &http.Transport{TLSClientConfig: e.tls, MaxIdleConnsPerHost: 64, DialContext: dialNames}, Timeout: 60 * time.Second}
	return e, nil
}

// options are the command line's.
type options struct {
	conns, targets, dataDir string
	dur                     time.Duration
	maxReq, listSize        int
	seeded                  int
	// explicit: -t was given, so a target the env file cannot serve is an
	// error rather than left out.
	explicit bool
	// The soak and the flood run instead of the table, on one connection
	// count: -c when given (connsGiven), or their own default.
	soak, probe, interval time.Duration
	rateFraction          float64
	flood                 bool
	floodConns            int
	connsGiven            bool
}

// oneCount is the connection count of the soak or the flood: -c when given
// (one number), else def.
func oneCount(o options, def int) (int, error) {
	if !o.connsGiven {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(o.conns))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("-c %q: --soak and --flood take one connection count", o.conns)
	}
	return n, nil
}

func run(o options) error {
	e, err := readEnv()
	if err != nil {
		return err
	}
	if o.dataDir == "" {
		// up writes the CA bundle SSL_CERT_FILE names into its data directory.
		o.dataDir = filepath.Dir(os.Getenv("SSL_CERT_FILE"))
	}
	cpu := newCPUClock(o.dataDir)
	if cpu.pid == "" {
		fmt.Fprintf(os.Stderr, "kvload: no server pid in %s: the cpu-s/1k column is \"-\"\n", filepath.Join(o.dataDir, config.LockFile))
	}
	switch {
	case o.soak > 0 && o.flood:
		return errors.New("--soak and --flood are two runs: give one")
	case (o.soak > 0 || o.flood) && o.explicit:
		return errors.New("--soak and --flood send their own requests: -t does not apply")
	case o.soak > 0:
		conns, err := oneCount(o, 64)
		if err != nil {
			return err
		}
		return runSoak(e, cpu, o, conns)
	case o.flood:
		conns, err := oneCount(o, 1)
		if err != nil {
			return err
		}
		return runFlood(e, o, conns)
	}
	dur, maxReq := o.dur, o.maxReq
	want := map[string]bool{}
	for _, t := range strings.Split(o.targets, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(allTargets, t) {
			return fmt.Errorf("unknown target %q (targets: %s)", t, strings.Join(allTargets, ", "))
		}
		want[t] = true
	}
	var levels []int
	for _, f := range strings.Split(o.conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bad connection count %q", f)
		}
		levels = append(levels, n)
	}
	targets, cleanup, err := buildTargets(e, want, o)
	defer cleanup()
	if err != nil {
		return err
	}
	fmt.Printf("%-6s %-11s %10s %10s %10s %9s %6s\n", "conns", "target", "req/s", "p50", "p99", "cpu-s/1k", "/bare")
	// Each target's time is cut into rounds of about a second, taken in
	// turn with the other targets', so that a drift of the machine's speed
	// (other work, a noisy neighbour) falls on all of them alike.
	rounds := max(1, int(dur/time.Second))
	for _, n := range levels {
		sessions := make([]*session, len(targets))
		clocks := make([]*cpuClock, len(targets))
		for i, t := range targets {
			sessions[i] = newSession(t, n, maxReq)
			clocks[i] = cpu
			if t.cpu != nil {
				clocks[i] = t.cpu
			} else if !t.server {
				clocks[i] = &cpuClock{}
			}
		}
		for range rounds {
			for i, s := range sessions {
				s.round(dur/time.Duration(rounds), clocks[i])
			}
		}
		bare := 0.0
		for i, t := range targets {
			sessions[i].close()
			r := sessions[i].result()
			if r.err != nil {
				return fmt.Errorf("%s at %d connections: %w", t.name, n, r.err)
			}
			if t.name == "bare" {
				bare = r.rps
			}
			cpuCol, ratio := "-", "-"
			if r.cpuPer1k >= 0 {
				cpuCol = fmt.Sprintf("%.3f", r.cpuPer1k)
			}
			if bare > 0 {
				ratio = fmt.Sprintf("%.2f", r.rps/bare)
			}
			fmt.Printf("%-6d %-11s %10.0f %10s %10s %9s %6s\n", n, t.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), cpuCol, ratio)
		}
	}
	return nil
}

// buildTargets does each target's setup once (idempotently) and returns
// the targets in measuring order.
func buildTargets(e *env, want map[string]bool, o options) ([]target, func(), error) {
	var out []target
	cleanup := func() {}
	get := func(u, token string) func(context.Context, int64) (*http.Request, error) {
		return func(ctx context.Context, _ int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
			if err == nil && token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return req, err
		}
	}
	var stops []func()
	cleanup = func() {
		for _, stop := range stops {
			stop()
		}
	}
	if want["bare"] {
		u, cfg, pid, stop, err := bareProcess()
		if err != nil {
			return nil, cleanup, fmt.Errorf("starting the bare baseline: %w", err)
		}
		stops = append(stops, stop)
		out = append(out, target{name: "bare", tls: cfg, cpu: &cpuClock{pid: pid}, next: get(u, "")})
	}
	if want["bare-inproc"] {
		u, cfg, _, stop, err := startBare()
		if err != nil {
			return nil, cleanup, fmt.Errorf("starting the in-process baseline: %w", err)
		}
		stops = append(stops, stop)
		out = append(out, target{name: "bare-inproc", tls: cfg, next: get(u, "")})
	}
	if want["healthz"] {
		out = append(out, target{name: "healthz", tls: e.tls, server: true, next: get(e.base+"/healthz", "")})
	}
	var kvToken string
	if want["get"] || want["get-seeded"] || want["set"] || want["list"] || want["scope-get"] {
		var err error
		if kvToken, err = tokenFor(e, "https://vault.azure.net/.default"); err != nil {
			return nil, cleanup, err
		}
	}
	if want["get"] || want["scope-get"] {
		if err := call(e.setup, "PUT", e.vaultURL+"/secrets/kvload-bench?api-version=7.6", kvToken, map[string]string{"value": "kvload benchmark value"}, nil); err != nil {
			return nil, cleanup, fmt.Errorf("setting the benchmark secret: %w", err)
		}
	}
	if want["get"] {
		out = append(out, target{name: "get", tls: e.tls, server: true, next: get(e.vaultURL+"/secrets/kvload-bench/?api-version=7.6", kvToken)})
	}
	if want["get-net"] {
		u, token, err := setupNetwork(e)
		if err != nil {
			return nil, cleanup, fmt.Errorf("setting up the network target: %w", err)
		}
		out = append(out, target{name: "get-net", tls: e.tls, server: true, next: get(u, token)})
	}
	if want["get-seeded"] {
		seeded := o.seeded
		if seeded <= 0 {
			return nil, cleanup, errors.New("get-seeded needs -seeded N")
		}
		out = append(out, target{name: "get-seeded", tls: e.tls, server: true, next: func(ctx context.Context, i int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", e.vaultURL+"/secrets/"+seedName(mrand.IntN(seeded))+"/?api-version=7.6", nil)
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+kvToken)
			}
			return req, err
		}})
	}
	if want["set"] {
		out = append(out, target{name: "set", tls: e.tls, server: true, next: func(ctx context.Context, i int64) (*http.Request, error) {
			u := fmt.Sprintf("%s/secrets/kvload-set-%04d?api-version=7.6", e.vaultURL, i%1000)
			req, err := http.NewRequestWithContext(ctx, "PUT", u, strings.NewReader(`{"value":"kvload set value `+strconv.FormatInt(i, 10)+`"}`))
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+kvToken)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}})
	}
	if want["list"] {
		listURL, err := setupList(e, kvToken, o.listSize)
		if err != nil {
			return nil, cleanup, fmt.Errorf("setting up the list vault: %w", err)
		}
		out = append(out, target{name: "list", tls: e.tls, server: true, next: get(listURL+"/secrets?maxresults=25&api-version=7.6", kvToken)})
	}
	if want["token"] {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.clientID}, "client_secret": {e.secret},
			"scope": {"https://vault.azure.net/.default"}}.Encode()
		u := e.base + "/" + e.tenant + "/oauth2/v2.0/token"
		out = append(out, target{name: "token", tls: e.tls, server: true, next: func(ctx context.Context, _ int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "POST", u, strings.NewReader(form))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return req, err
		}})
	}
	if want["arm-get"] {
		armToken, err := tokenFor(e, "https://management.azure.com/.default")
		if err != nil {
			return nil, cleanup, err
		}
		vaultID, err := vaultIDOf(e, armToken, e.vaultURL)
		if err != nil {
			return nil, cleanup, err
		}
		out = append(out, target{name: "arm-get", tls: e.tls, server: true, next: get(e.base+vaultID+"?api-version=2024-11-01", armToken)})
	}
	if want["scope-get"] {
		host, pat := os.Getenv("DATABRICKS_HOST"), os.Getenv("DATABRICKS_TOKEN")
		if host == "" || pat == "" {
			if !o.explicit {
				fmt.Fprintln(os.Stderr, "kvload: no DATABRICKS_HOST and DATABRICKS_TOKEN in the environment: scope-get left out")
				return out, cleanup, nil // the default: measure what the env file allows
			}
			return nil, cleanup, errors.New("scope-get needs DATABRICKS_HOST and DATABRICKS_TOKEN")
		}
		scopeURL, err := setupScope(e, strings.TrimSuffix(host, "/"))
		if err != nil {
			return nil, cleanup, fmt.Errorf("setting up the Key Vault-backed scope: %w", err)
		}
		out = append(out, target{name: "scope-get", tls: e.tls, server: true, next: get(scopeURL, pat)})
	}
	return out, cleanup, nil
}
