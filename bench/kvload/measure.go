package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scopevault/scopevault/internal/config"
)

// target is one kind of request measured.
type target struct {
	name string
	tls  *tls.Config
	// next builds the i-th request.
	next func(ctx context.Context, i int64) (*http.Request, error)
	// server reports whether the request runs in scopevault (its CPU is
	// counted); cpu, when set, is the clock of the process that serves it
	// instead (the bare baseline's own process).
	server bool
	cpu    *cpuClock
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	cpuPer1k float64 // server CPU-seconds per 1,000 requests; <0 unknown
	err      error
}

// session is one target measured at one connection count: its client
// keeps its keep-alive connections across rounds, and its latencies, count
// and CPU time add up over them.
type session struct {
	t         target
	conns     int
	maxReq    int
	client    *http.Client
	tr        *http.Transport
	latencies []time.Duration
	elapsed   time.Duration
	cpu       float64 // server CPU-seconds over the rounds; <0 unknown
	count     atomic.Int64
	err       error
}

func newSession(t target, conns, maxReq int) *session {
	tr := &http.Transport{TLSClientConfig: t.tls, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DialContext: dialNames}
	return &session{t: t, conns: conns, maxReq: maxReq, tr: tr, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (s *session) close() { s.tr.CloseIdleConnections() }

// round runs conns workers, each on its own keep-alive connection, for dur
// (or until maxReq requests in all rounds).
func (s *session) round(dur time.Duration, cpu *cpuClock) {
	if s.err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu0 := cpu.seconds()
	start := time.Now()
	for range s.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1024)
			defer func() {
				mu.Lock()
				s.latencies = append(s.latencies, local...)
				mu.Unlock()
			}()
			fail := func(err error) {
				mu.Lock()
				if s.err == nil {
					s.err = err
				}
				mu.Unlock()
			}
			for ctx.Err() == nil {
				i := s.count.Add(1)
				if i > int64(s.maxReq) {
					return
				}
				req, err := s.t.next(ctx, i)
				if err != nil {
					fail(err)
					return
				}
				t0 := time.Now()
				resp, err := s.client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					fail(fmt.Errorf("%s: HTTP %d", s.t.name, resp.StatusCode))
					return
				}
				local = append(local, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	s.elapsed += time.Since(start)
	if cpu1 := cpu.seconds(); cpu0 >= 0 && cpu1 >= 0 && s.cpu >= 0 {
		s.cpu += cpu1 - cpu0
	} else {
		s.cpu = -1
	}
}

// result sums the rounds.
func (s *session) result() result {
	if s.err != nil {
		return result{err: s.err}
	}
	if len(s.latencies) == 0 {
		return result{err: errors.New("no request completed")}
	}
	slices.Sort(s.latencies)
	pct := func(p float64) time.Duration { return s.latencies[int(p*float64(len(s.latencies)-1))] }
	r := result{rps: float64(len(s.latencies)) / s.elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), cpuPer1k: -1}
	if s.cpu >= 0 {
		r.cpuPer1k = s.cpu / float64(len(s.latencies)) * 1000
	}
	return r
}

// cpuClock reads the scopevault server's CPU time (user + system) from
// /proc/PID/stat; the pid is in the data directory's lock file.
type cpuClock struct{ pid string }

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTicks = 100

func newCPUClock(dataDir string) *cpuClock {
	raw, err := os.ReadFile(filepath.Join(dataDir, config.LockFile))
	if err != nil {
		return &cpuClock{}
	}
	pid := strings.TrimSpace(string(raw))
	if _, err := strconv.Atoi(pid); err != nil {
		return &cpuClock{}
	}
	c := &cpuClock{pid: pid}
	if c.seconds() < 0 {
		return &cpuClock{}
	}
	return c
}

// seconds is the process's CPU time so far, or -1 when unknown.
func (c *cpuClock) seconds() float64 {
	if c.pid == "" {
		return -1
	}
	raw, err := os.ReadFile("/proc/" + c.pid + "/stat")
	if err != nil {
		return -1
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return -1
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (utime + stime) / clockTicks
}

// rss is the process's resident memory (VmRSS of /proc/PID/status) in
// bytes, or -1 when unknown. It is read from the same pid as the CPU time.
func (c *cpuClock) rss() int64 {
	if c.pid == "" {
		return -1
	}
	raw, err := os.ReadFile("/proc/" + c.pid + "/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(raw)) {
		v, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		// "VmRSS:	   52344 kB"
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return -1
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return -1
		}
		return kb << 10
	}
	return -1
}
