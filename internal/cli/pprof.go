package cli

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"runtime"
	"time"
)

// startPprof serves Go's profiler on addr, which must be a loopback
// address: profiles show function names and timings, never request data,
// but nobody off the machine has any business reading them. It is plain
// HTTP, apart from every scopevault listener, so profiling measures the
// server without adding to its TLS work. The caller closes the listener.
func startPprof(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof %q: want HOST:PORT on the loopback, e.g. 127.0.0.1:6060", addr)
	}
	if ip, err := netip.ParseAddr(host); host != "localhost" && (err != nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--pprof %q: the profiler listens on a loopback address only (127.0.0.1, ::1 or localhost)", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: %w", err)
	}
	// Sample blocking and lock contention too (off in Go by default): one
	// blocking event per 10 µs blocked, one contended lock in 100. It costs
	// a little, and only while --pprof is on.
	runtime.SetBlockProfileRate(10_000)
	runtime.SetMutexProfileFraction(100)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	// Serve returns when the caller closes the listener, at shutdown.
	go srv.Serve(l)
	return l, nil
}
