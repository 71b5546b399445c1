package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/internal/config"
	idsvc "github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/server"
)

func newUpCommand() *cobra.Command {
	var dataDir, host, pprofAddr, logFormat string
	var readTimeout, idleTimeout time.Duration
	var maxUnauth int
	var port int
	var verbose, azureNames bool
	var propagation, lockoutDuration time.Duration
	var lockoutThreshold int
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start scopevault: identity, management plane and vault data planes over TLS",
		Long: `Start every part of scopevault in one process over TLS.

The first start on a data directory creates a local CA, a tenant, a subscription,
a bootstrap admin service principal, a default vault and a default premium
Databricks workspace, and writes DIR/scopevault.env for clients. A restart on the same directory keeps everything.
A first start that fails (a busy port) leaves no data directory behind.

up runs in the foreground until Ctrl-C (or kill PID): start it in a second terminal,
or in the background with '&', then '. DIR/scopevault.env' in the client's shell.

Clients are told each vault's and workspace's own loopback address, which needs
no setup. With --azure-names they are told Azure's own names instead, as on
Azure (vaultUri https://<vault>.vault.azure.net/); with --port 443 too, an
unmodified program then needs nothing but trust in the CA:

    sudo scopevault up --port 443 --azure-names
    . .scopevault/scopevault.env
    scopevault run --azure -- go run ./examples/defaultcred`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelInfo
			}
			logger, err := server.NewLogger(cmd.ErrOrStderr(), logFormat, level)
			if err != nil {
				return fmt.Errorf("--log-format: %w", err)
			}
			bounds, err := connBounds(readTimeout, idleTimeout, maxUnauth)
			if err != nil {
				return err
			}
			setGCPercent()
			ctx := cmd.Context()
			var prof net.Listener
			if pprofAddr != "" {
				var err error
				if prof, err = startPprof(pprofAddr); err != nil {
					return err
				}
				defer prof.Close()
			}
			fresh, existed := freshDir(dataDir)
			limits := idsvc.Limits{LockoutThreshold: lockoutThreshold, LockoutDuration: lockoutDuration}
			if lockoutThreshold <= 0 {
				limits.LockoutThreshold = -1 // the flag's 0 means off; identity's 0 means its default
			}
			if lockoutDuration <= 0 {
				return fmt.Errorf("--lockout-duration must be positive (got %s)", lockoutDuration)
			}
			srv, err := server.Start(ctx, server.Config{DataDir: dataDir, Host: host, Port: port, Logger: logger, PropagationDelay: propagation, AzureNames: azureNames, TokenLimits: limits,
				ReadTimeout: bounds.ReadTimeout, IdleTimeout: bounds.IdleTimeout, MaxUnauthenticatedConns: bounds.MaxUnauthenticatedConns})
			if err != nil {
				if fresh {
					removeHalfMade(dataDir, existed)
				}
				return upError(err, port)
			}
			printUp(cmd, srv)
			if prof != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "  profiler:      http://%s/debug/pprof/\n", prof.Addr())
			}
			<-ctx.Done()
			fmt.Fprintln(cmd.OutOrStdout(), "scopevault: shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", config.DefaultDataDir, "data directory")
	cmd.Flags().IntVar(&port, "port", 8443, "port for every listener (0 picks a free one; 443 serves the real vault host names)")
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "main listen address")
	cmd.Flags().BoolVar(&azureNames, "azure-names", false,
		"tell clients Azure's own names (https://<vault>.vault.azure.net/, adb-<id>.<n>.azuredatabricks.net, login.microsoftonline.com) in vaultUri, workspaceUrl and the env file; programs then run under 'scopevault run --azure' or with 'scopevault hosts' in /etc/hosts (docs/clients.md)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log every request (never secret values or tokens)")
	cmd.Flags().StringVar(&logFormat, "log-format", server.LogText, "log lines as text or json (one JSON object a line)")
	cmd.Flags().DurationVar(&readTimeout, "read-timeout", server.DefaultReadTimeout,
		"longest time to read one request, headers and body; a slower client is cut off (0 = no limit)")
	cmd.Flags().DurationVar(&idleTimeout, "idle-timeout", server.DefaultIdleTimeout,
		"close a keep-alive connection (HTTP/1.1 or HTTP/2) idle this long (0 = never)")
	cmd.Flags().IntVar(&maxUnauth, "max-unauthenticated-conns", server.DefaultMaxUnauthenticatedConns,
		"connections that have not yet authenticated; past it the oldest idle one is closed (0 = no cap)")
	cmd.Flags().StringVar(&pprofAddr, "pprof", "", "serve Go's profiler on this loopback HOST:PORT (off by default; docs/performance.md)")
	cmd.Flags().DurationVar(&propagation, "role-propagation-delay", 0,
		"how long a new role assignment takes to take effect, as Azure's RBAC caches do (e.g. 2m; 0 = at once)")
	cmd.Flags().IntVar(&lockoutThreshold, "lockout-threshold", idsvc.DefaultLockoutThreshold,
		"wrong passwords (a user) or client secrets (an application) within 10 minutes that lock it: AADSTS50053 for a user, 429 with Retry-After for an application (0 = off)")
	cmd.Flags().DurationVar(&lockoutDuration, "lockout-duration", idsvc.DefaultLockoutDuration,
		"how long a locked user or throttled application stays so")
	return cmd
}

// connBounds turns up's connection flags into the server's: a flag's 0
// means no bound, which the server spells as a negative value (its 0 is
// its default); a negative flag is refused.
func connBounds(read, idle time.Duration, maxUnauth int) (server.Config, error) {
	var c server.Config
	switch {
	case read < 0:
		return c, fmt.Errorf("--read-timeout must not be negative (got %s)", read)
	case idle < 0:
		return c, fmt.Errorf("--idle-timeout must not be negative (got %s)", idle)
	case maxUnauth < 0:
		return c, fmt.Errorf("--max-unauthenticated-conns must not be negative (got %d)", maxUnauth)
	}
	c.ReadTimeout, c.IdleTimeout, c.MaxUnauthenticatedConns = cmp.Or(read, -1), cmp.Or(idle, -1), cmp.Or(maxUnauth, -1)
	return c, nil
}

// freshDir reports whether dir does not exist yet or is empty (a first
// start), and whether it exists. A first start that fails takes away what it
// made, so the next `up` is a first start again rather than a restart on
// half a bootstrap.
func freshDir(dir string) (fresh, existed bool) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, false
	}
	return err == nil && len(entries) == 0, true
}

// removeHalfMade empties a data directory a failed first start made: the
// directory itself when it did not exist, its contents when it was empty.
func removeHalfMade(dir string, existed bool) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
	if !existed {
		_ = os.Remove(dir)
	}
}

// upError says in words what a failed listen means and what to do.
func upError(err error, port int) error {
	var op *net.OpError
	addr := fmt.Sprint(port)
	if errors.As(err, &op) && op.Addr != nil {
		addr = op.Addr.String()
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%s is busy: another program (perhaps another scopevault up) listens there; stop it, or choose another port with --port (0 picks a free one)\n(%w)", addr, err)
	case errors.Is(err, syscall.EACCES) && port > 0 && port < 1024:
		return fmt.Errorf("cannot listen on %s: port %d needs root (or CAP_NET_BIND_SERVICE); run as root or choose --port 8443\n(%w)", addr, port, err)
	}
	return err
}

func printUp(cmd *cobra.Command, srv *server.Server) {
	out := cmd.OutOrStdout()
	env := filepath.Join(srv.DataDir(), config.EnvFile)
	fmt.Fprintf(out, "scopevault is up\n")
	fmt.Fprintf(out, "  control plane (identity, ARM): %s\n", srv.URL())
	for _, kv := range srv.Env() {
		if kv[0] == "AZURE_KEYVAULT_URL" {
			fmt.Fprintf(out, "  default vault %-16s %s\n", srv.Boot.Vault+":", kv[1])
		}
		if kv[0] == "DATABRICKS_HOST" {
			fmt.Fprintf(out, "  default workspace %s: %s\n", srv.Boot.Workspace, kv[1])
		}
	}
	fmt.Fprintf(out, "  tenant:        %s\n", srv.Boot.TenantID)
	fmt.Fprintf(out, "  subscription:  %s\n", srv.Boot.SubscriptionID)
	fmt.Fprintf(out, "  admin client:  %s\n", srv.Boot.ClientID)
	fmt.Fprintf(out, "  CA bundle:     %s\n", srv.CAFile())
	fmt.Fprintf(out, "  client env:    . %s\n", env)
	if srv.AzureNames() {
		fmt.Fprintf(out, "  Azure's names: clients are told them; run programs with 'scopevault run --azure -- CMD',\n")
		fmt.Fprintf(out, "                 or add 'scopevault hosts' to /etc/hosts (the scopevault CLI needs neither)\n")
	}
}

// upGCPercent is the garbage collector's target unless GOGC says otherwise.
// A request allocates a few KB that die at once and the live heap is small,
// so Go's default (100) collected many times a second under load: 200
// halves that. upMemoryLimit (unless GOMEMLIMIT is set) keeps the extra
// headroom from growing with a large live heap: near it, the collector runs
// as often as it must (docs/performance.md).
const (
	upGCPercent   = 200
	upMemoryLimit = 48 << 20
)

func setGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(upGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(upMemoryLimit)
	}
}
