// Package server is scopevault's composition root: it opens the data
// directory, builds the store, barrier, identity, authorization and engines,
// and serves every wire protocol over TLS on one port — the control plane on
// the main address and each vault's data plane on its own loopback address.
//
// It is the one place (with internal/cli) that imports several wire packages.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/rm"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/tlsx"
	"github.com/scopevault/scopevault/internal/workspace"
)

// Config is what `up` needs.
type Config struct {
	DataDir string
	// Host is the main listen address (default 127.0.0.1).
	Host string
	// Port is the one port every listener uses; 0 picks a free one.
	Port int
	// MasterKey, if nil, comes from config.MasterKey(DataDir).
	MasterKey []byte
	Logger    *slog.Logger
	// Now is the clock (tests inject one).
	Now func() time.Time
	// PropagationDelay is how long a new role assignment takes to affect
	// decisions, emulating Azure's RBAC caches so clients can test their
	// retries. Zero (the default) means at once. The bootstrap admin's
	// roles are exempt.
	PropagationDelay time.Duration
	// AzureNames makes the URLs clients are told (vaultUri, workspaceUrl,
	// the env file's, the challenge's authority) Azure's own names:
	// https://<vault>.vault.azure.net/, adb-<id>.<n>.azuredatabricks.net and
	// https://login.microsoftonline.com, which then must resolve to this
	// server (scopevault run --azure, or scopevault hosts in /etc/hosts).
	// Off, they are this server's loopback addresses, which need no setup.
	// The control plane's own URL (SCOPEVAULT_URL) stays an address either
	// way: the scopevault CLI reaches Azure's names through it.
	AzureNames bool
	// ReadTimeout bounds reading one request, headers and body; zero is
	// DefaultReadTimeout, negative none. IdleTimeout ends keep-alive
	// connections (HTTP/1.1 and HTTP/2) idle that long; zero is
	// DefaultIdleTimeout, negative none. MaxUnauthenticatedConns caps the
	// connections that have not yet authenticated (conns.go); zero is
	// DefaultMaxUnauthenticatedConns, negative no cap.
	ReadTimeout             time.Duration
	IdleTimeout             time.Duration
	MaxUnauthenticatedConns int
	// TokenLimits are the token endpoint's smart lockout, client throttling
	// and password-hashing bound; zero fields take identity's defaults
	// (10 wrong credentials lock for 60 s), a negative threshold turns
	// lockout and throttling off.
	TokenLimits identity.Limits
}

// Server is a running scopevault.
type Server struct {
	cfg      Config
	Store    store.Store
	Barrier  *barrier.Barrier
	Identity *identity.Service
	Authz    *authz.Authorizer
	// Access is the one access path (authenticate, network gate, authorize)
	// every wire and the workspace's Key Vault-backed scopes share.
	Access *access.Pipeline
	Engine *secrets.Engine
	RM     *rm.Manager
	CA     *tlsx.CA
	Boot   *Bootstrap
	// Audit is the durable audit log (DIR/audit.log) every wire records
	// its calls in; it is closed after in-flight requests finish.
	Audit *audit.Log
	// Workspaces is the Databricks workspace engine (databricks.go).
	Workspaces *workspace.Service

	databricks http.Handler
	port       int
	lock       *os.File
	http       *http.Server
	keyvault   http.Handler
	control    http.Handler
	mu         sync.Mutex
	listeners  map[string]net.Listener
	// workspaceAddrs are the listener addresses that serve workspaces
	// (workspaces.go); every other loopback listener is a vault's.
	workspaceAddrs map[string]bool
	// places are the listeners that stand for places in the simulated
	// network (network.go).
	places     placements
	netChanged chan struct{}
	stopped    chan struct{} // closed when the server stops
	stopOnce   sync.Once
	wg         sync.WaitGroup
	closed     bool

	// conns tracks every listener's connections (conns.go); metrics are
	// served at /metrics (metrics.go); phase is for /readyz (health.go).
	conns   *connTracker
	metrics *metrics
	phase   atomic.Int32
}

// Start opens the data directory and starts serving.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = config.DefaultDataDir
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PropagationDelay < 0 {
		return nil, fmt.Errorf("server: the role propagation delay must not be negative (got %s)", cfg.PropagationDelay)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	s := &Server{cfg: cfg, listeners: map[string]net.Listener{}, stopped: make(chan struct{})}
	s.conns = &connTracker{max: orDefault(cfg.MaxUnauthenticatedConns, DefaultMaxUnauthenticatedConns)}
	s.metrics = &metrics{conns: s.conns}
	ok := false
	defer func() {
		if !ok {
			s.closeResources()
		}
	}()
	lock, err := LockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.lock = lock
	if s.Audit, err = audit.Open(filepath.Join(cfg.DataDir, audit.FileName), audit.Options{Logger: cfg.Logger}); err != nil {
		return nil, err
	}
	if cfg.MasterKey == nil {
		if cfg.MasterKey, _, err = config.MasterKey(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	backend, err := sqlite.Open(filepath.Join(cfg.DataDir, config.DBFile))
	if err != nil {
		return nil, err
	}
	// Every transaction's latency is measured (metrics.go).
	var st store.Store = timedStore{Store: backend, m: s.metrics}
	s.Store = st
	if s.Barrier, err = barrier.Open(ctx, st, cfg.MasterKey); err != nil {
		// An interrupted rotate-key may have sealed the keyring with the
		// pending key: finish that rotation.
		pending := config.PendingMasterKey(cfg.DataDir)
		if pending == nil {
			return nil, err
		}
		if s.Barrier, err = barrier.Open(ctx, st, pending); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(cfg.DataDir, config.MasterKeyFile+".new"), filepath.Join(cfg.DataDir, config.MasterKeyFile)); err != nil {
			return nil, err
		}
	}
	// Before anything reads a record: the store's schema (schema.go).
	if _, err := s.migrateSchema(ctx); err != nil {
		return nil, err
	}
	if err := st.Update(ctx, func(tx store.Tx) error {
		s.CA, err = tlsx.LoadOrCreate(ctx, s.Barrier.Wrap(tx))
		return err
	}); err != nil {
		return nil, err
	}
	if err := config.WriteFileAtomic(filepath.Join(cfg.DataDir, config.CAFile), s.CA.PEM(), 0o644); err != nil {
		return nil, err
	}
	if s.Identity, err = identity.New(ctx, st, s.Barrier); err != nil {
		return nil, err
	}
	s.Identity.Now = cfg.Now
	s.Identity.SetLimits(cfg.TokenLimits)
	s.Authz = authz.New(st, s.Barrier)
	s.Authz.Now = cfg.Now
	s.Authz.PropagationDelay = cfg.PropagationDelay
	s.Engine = secrets.New(st, s.Barrier)
	s.Engine.Now = cfg.Now
	s.RM = rm.New(st, s.Barrier)
	s.RM.Now = cfg.Now

	main, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, fmt.Errorf("server: listen: %w", err)
	}
	s.port = main.Addr().(*net.TCPAddr).Port
	s.listeners["main"] = main
	s.Identity.SetManagementURLs(s.managementURLs()...)

	if s.Boot, err = s.bootstrap(ctx); err != nil {
		return nil, err
	}
	s.buildHandlers()
	// Bounds on every connection (conns.go says why these): the read
	// timeout covers one request's headers and body, the idle timeout a
	// keep-alive HTTP/1.1 connection between requests and an HTTP/2
	// connection without streams (net/http's HTTP/2 server takes
	// IdleTimeout); HTTP/2's WriteByteTimeout closes a peer that stops
	// reading what we send. HTTP2Config's ping health check
	// (SendPingTimeout) stays off: it finds dead peers on busy connections,
	// and here a dead peer's streams meet the read timeout, after which its
	// connection idles out; pings would only keep idle clients busy.
	readTimeout := orDefault(cfg.ReadTimeout, DefaultReadTimeout)
	s.http = &http.Server{
		Handler:           s,
		TLSConfig:         s.CA.TLSConfig(),
		ReadHeaderTimeout: headerTimeout(readTimeout),
		ReadTimeout:       readTimeout,
		IdleTimeout:       orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		HTTP2:             &http.HTTP2Config{WriteByteTimeout: readTimeout},
		ConnContext:       s.connContext,
		ConnState:         s.conns.connState,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	s.serve(main)
	vaults, err := s.Engine.ListVaults(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range vaults {
		if err := s.EnsureVaultListener(v); err != nil {
			return nil, err
		}
	}
	if err := s.ensureDefaultWorkspace(ctx); err != nil {
		return nil, err
	}
	if err := s.startWorkspaceListeners(ctx); err != nil {
		return nil, err
	}
	if err := s.syncEndpoints(ctx); err != nil {
		return nil, err
	}
	s.watchNetwork()
	if err := s.writeEnvFile(); err != nil {
		return nil, err
	}
	ok = true
	s.phase.Store(phaseServing)
	return s, nil
}

// headerTimeout bounds a request's headers: readHeaderTimeout, or the
// whole request's read timeout when that is shorter.
func headerTimeout(read time.Duration) time.Duration {
	if read > 0 {
		return min(readHeaderTimeout, read)
	}
	return readHeaderTimeout
}

// orDefault is v, or def when v is zero; a negative v means none (zero).
func orDefault[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// connContext attaches the network origin as the listener saw it, with
// what the listener stands for in the simulated network.
func (s *Server) connContext(ctx context.Context, c net.Conn) context.Context {
	var o scopevault.Origin
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		o.RemoteAddr, o.RemoteIP = ap, ap.Addr().Unmap().String()
	}
	if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
		o.LocalAddr, o.LocalIP = ap, ap.Addr().String()
		o.Via = s.placementAt(ap.Addr().Unmap())
	}
	return withConn(scopevault.WithOrigin(ctx, o), c)
}

func (s *Server) serve(l net.Listener) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.ServeTLS(s.conns.listener(l), "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("server: listener stopped", "addr", l.Addr().String(), "err", err)
		}
	}()
}

// EnsureVaultListener starts listening on a vault's loopback address.
func (s *Server) EnsureVaultListener(v *scopevault.Vault) error {
	if v.Address == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.listeners[v.Address] != nil {
		return nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(v.Address, strconv.Itoa(s.port)))
	if err != nil {
		return fmt.Errorf("server: vault %s: listen on %s: %w", v.Name, v.Address, err)
	}
	s.listeners[v.Address] = l
	if s.http != nil {
		s.serve(l)
	}
	return nil
}

// Port is the port every listener uses.
func (s *Server) Port() int { return s.port }

// URL is the control plane's base URL (identity, ARM, health).
func (s *Server) URL() string { return "https://" + s.hostPort("localhost") }

// VaultURL is a vault's data-plane URL as clients are told it: its own
// loopback address, which needs no setup, or with AzureNames its real name.
func (s *Server) VaultURL(v *scopevault.Vault) string {
	if s.cfg.AzureNames || v.Address == "" {
		return "https://" + strings.ToLower(v.Name) + ".vault.azure.net" + s.portSuffix() + "/"
	}
	return "https://" + s.hostPort(v.Address) + "/"
}

// AuthorityURL is the token service's base URL as clients are told it (the
// env file's AZURE_AUTHORITY_HOST, Key Vault's challenge): the control
// plane's URL, or with AzureNames https://login.microsoftonline.com.
func (s *Server) AuthorityURL() string {
	if s.cfg.AzureNames {
		return "https://login.microsoftonline.com" + s.portSuffix()
	}
	return s.URL()
}

// AzureNames reports whether clients are told Azure's own names.
func (s *Server) AzureNames() bool { return s.cfg.AzureNames }

// portSuffix is ":port", or nothing on HTTPS's own 443.
func (s *Server) portSuffix() string {
	if s.port == 443 {
		return ""
	}
	return ":" + strconv.Itoa(s.port)
}

// hostPort is host with the server's port, which URLs leave out when it is
// HTTPS's own 443 (as the OpenID metadata, built from the request's Host,
// does: a client compares the two).
func (s *Server) hostPort(host string) string {
	if s.port == 443 {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(s.port))
}

// DataDir is where the server keeps its files.
func (s *Server) DataDir() string { return s.cfg.DataDir }

// Shutdown stops accepting requests, waits for in-flight ones (so every
// acknowledged write is committed) and closes the store.
func (s *Server) Shutdown(ctx context.Context) error {
	s.phase.Store(phaseStopping)
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stopped) })
	var err error
	if s.http != nil {
		err = s.http.Shutdown(ctx)
	}
	s.wg.Wait()
	return errors.Join(err, s.closeResources())
}

func (s *Server) closeResources() error {
	s.stopOnce.Do(func() { close(s.stopped) })
	var errs []error
	s.mu.Lock()
	for k, l := range s.listeners {
		l.Close()
		delete(s.listeners, k)
	}
	s.mu.Unlock()
	// The audit log closes after the last request recorded (Shutdown waits
	// for in-flight ones) and before the store.
	if s.Audit != nil {
		errs = append(errs, s.Audit.Close())
	}
	if s.Store != nil {
		errs = append(errs, s.Store.Close())
		s.Store = nil
	}
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
	return errors.Join(errs...)
}

// LockDataDir takes an exclusive lock on the data directory so two servers
// (or a server and rotate-key) never share it, and writes the holder's pid
// into the lock file.
func LockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, config.LockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("server: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("server: data directory %s is in use by another scopevault process", dir)
	}
	// The holder's pid, for tools that measure the running server (bench/kvload).
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
