package main

// kvload --soak: a long run of a mix of requests at a fraction of the mix's
// measured maximum rate, which reports throughput over time, unexpected
// outcomes by kind and the server's resident memory, so that a slow leak or
// an error that shows only after minutes of load is seen.

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakKind is one kind of request of the mix. want is the status every
// answer must have; a 4xx must also carry Key Vault's error shape (an
// error code), since bad input always gets the vendor's error.
type soakKind struct {
	name   string
	weight int // of 100
	want   int
	next   func(ctx context.Context, i int64) (*http.Request, error)
}

// The mix: mostly reads, as a vault's traffic is, some writes, lists and
// token requests, and about one request in ten that is refused (a wrong
// token, a bad body), so that the error paths run as long as the good ones.
// The weights add up to 100.
var soakWeights = []struct {
	name   string
	weight int
}{{"get", 70}, {"set", 10}, {"list", 8}, {"token", 2}, {"bad-token", 5}, {"bad-body", 5}}

// bearer is the Key Vault token the mix sends, renewed during a soak longer
// than a token's lifetime.
type bearer struct{ v atomic.Pointer[string] }

func (b *bearer) get() string    { return *b.v.Load() }
func (b *bearer) set(tok string) { b.v.Store(&tok) }

// forged is tok with one character of its signature changed: a well-formed
// JWT whose signature does not verify. The character is taken from inside
// the signature, where every base64url character carries six bits (the last
// one may carry padding bits a decoder ignores).
func forged(tok string) string {
	i := len(tok) - 10
	if i < 0 {
		return "x"
	}
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func soakKinds(e *env, tok *bearer, listURL string) []soakKind {
	auth := func(req *http.Request, err error) (*http.Request, error) {
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+tok.get())
		}
		return req, err
	}
	// A secret's versions are one record in the store, rewritten by every
	// set, so a set costs more the more versions its secret has (five times
	// the CPU at 80 versions): the soak gives each secret eight versions,
	// then moves on to the next, so that a long soak measures the same set
	// throughout. The run's start time in the names keeps a second soak on
	// the same data directory off the first one's secrets.
	run := strconv.FormatInt(time.Now().Unix(), 36)
	var sets atomic.Int64
	put := func(ctx context.Context, name, body string) (*http.Request, error) {
		u := e.vaultURL + "/secrets/" + name + "?api-version=7.6"
		req, err := auth(http.NewRequestWithContext(ctx, "PUT", u, strings.NewReader(body)))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}
	getURL := e.vaultURL + "/secrets/kvload-bench/?api-version=7.6"
	tokenForm := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.clientID}, "client_secret": {e.secret},
		"scope": {"https://vault.azure.net/.default"}}.Encode()
	badBodies := []string{`{"value":`, `{"value":42}`, `{}`}
	kinds := map[string]soakKind{
		"get": {want: 200, next: func(ctx context.Context, _ int64) (*http.Request, error) {
			return auth(http.NewRequestWithContext(ctx, "GET", getURL, nil))
		}},
		"set": {want: 200, next: func(ctx context.Context, i int64) (*http.Request, error) {
			n := sets.Add(1) - 1
			return put(ctx, fmt.Sprintf("kvload-soak-%s-%07d", run, n/8), `{"value":"kvload soak value `+strconv.FormatInt(i, 10)+`"}`)
		}},
		"list": {want: 200, next: func(ctx context.Context, _ int64) (*http.Request, error) {
			return auth(http.NewRequestWithContext(ctx, "GET", listURL+"/secrets?maxresults=25&api-version=7.6", nil))
		}},
		"token": {want: 200, next: func(ctx context.Context, _ int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "POST", e.base+"/"+e.tenant+"/oauth2/v2.0/token", strings.NewReader(tokenForm))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return req, err
		}},
		// A malformed token, a token whose signature does not verify, and
		// none at all: each is Key Vault's 401.
		"bad-token": {want: 401, next: func(ctx context.Context, i int64) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", getURL, nil)
			if err != nil {
				return nil, err
			}
			switch i % 3 {
			case 0:
				req.Header.Set("Authorization", "Bearer not-a-token")
			case 1:
				req.Header.Set("Authorization", "Bearer "+forged(tok.get()))
			}
			return req, nil
		}},
		// Truncated JSON, a value of the wrong type, no value: each is
		// Key Vault's 400 BadParameter.
		"bad-body": {want: 400, next: func(ctx context.Context, i int64) (*http.Request, error) {
			return put(ctx, fmt.Sprintf("kvload-set-%04d", i%1000), badBodies[i%int64(len(badBodies))])
		}},
	}
	var out []soakKind
	for _, w := range soakWeights {
		k := kinds[w.name]
		k.name, k.weight = w.name, w.weight
		out = append(out, k)
	}
	return out
}

// soakSchedule maps a request's number to its kind: 100 slots filled by
// weight, visited in the order i*37 mod 100 (37 is prime to 100, so every
// slot comes once in 100 requests) so that a kind's requests are spread out
// rather than sent in a block.
func soakSchedule(kinds []soakKind) func(i int64) *soakKind {
	var slots []int
	for k, kind := range kinds {
		for range kind.weight {
			slots = append(slots, k)
		}
	}
	return func(i int64) *soakKind { return &kinds[slots[(i*37)%int64(len(slots))]] }
}

// tally counts one phase's outcomes: expected ones by kind, unexpected ones
// (the errors) by kind and outcome, and the latencies of the good requests
// of the current interval.
type tally struct {
	mu       sync.Mutex
	ok       map[string]int64
	errs     map[string]int64
	n, nerrs int64 // this interval's requests and errors
	lat      []time.Duration
	// byKind are the latencies of each kind's expected answers over the
	// whole phase (8 bytes a request: 15 MB for a 10-minute soak at
	// 3,000 requests a second).
	byKind map[string][]time.Duration
}

func newTally() *tally {
	return &tally{ok: map[string]int64{}, errs: map[string]int64{}, byKind: map[string][]time.Duration{}}
}

func (t *tally) record(k *soakKind, bad string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	switch {
	case bad != "":
		t.errs[k.name+": "+bad]++
		t.nerrs++
	default:
		t.ok[k.name]++
		t.byKind[k.name] = append(t.byKind[k.name], d)
		if k.want/100 == 2 {
			t.lat = append(t.lat, d)
		}
	}
}

// interval returns and resets the current interval's counts.
func (t *tally) interval() (n, nerrs int64, lat []time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, nerrs, lat = t.n, t.nerrs, t.lat
	t.n, t.nerrs, t.lat = 0, 0, nil
	return n, nerrs, lat
}

func (t *tally) errors() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var sum int64
	for _, n := range t.errs {
		sum += n
	}
	return sum
}

// pacer spaces requests every `every` apart, shared by all workers. A
// worker that finds the schedule behind the clock goes at once: a lag of up
// to catchUp (the scheduling jitter of a busy machine) is made up that way,
// a longer one is forgotten, so that a slow second is not followed by a
// burst at full speed.
type pacer struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

const catchUp = 100 * time.Millisecond

func (p *pacer) wait(ctx context.Context) bool {
	if p == nil {
		return ctx.Err() == nil
	}
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if floor := now.Add(-catchUp); at.Before(floor) {
		at = floor
	}
	p.next = at.Add(p.every)
	p.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return ctx.Err() == nil
}

// mix runs conns workers sending the mix for dur (at the pacer's rate, or
// as fast as answers come when it is nil), recording into t.
func mix(tlsCfg *tls.Config, conns int, dur time.Duration, kinds func(int64) *soakKind, p *pacer, t *tally, counter *atomic.Int64) {
	tr := &http.Transport{TLSClientConfig: tlsCfg, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DialContext: dialNames}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for p.wait(ctx) {
				i := counter.Add(1)
				k := kinds(i)
				req, err := k.next(ctx, i)
				if err != nil {
					t.record(k, "building the request: "+err.Error(), 0)
					continue
				}
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						t.record(k, transportError(err), 0)
					}
					continue
				}
				bad := checkAnswer(k, resp)
				d := time.Since(t0)
				if bad != "" && ctx.Err() != nil {
					continue // cut off by the end of the phase
				}
				t.record(k, bad, d)
			}
		})
	}
	wg.Wait()
}

// checkAnswer reads the answer and says what is wrong with it, or "".
// Only the status and the error code are read from a body: never a value.
func checkAnswer(k *soakKind, resp *http.Response) string {
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 && k.want/100 == 2 {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return transportError(err)
		}
		return ""
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return transportError(err)
	}
	code := errorCode(raw)
	switch {
	case resp.StatusCode != k.want:
		return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, code))
	case code == "":
		return fmt.Sprintf("HTTP %d without the service's error code", resp.StatusCode)
	}
	return ""
}

// errorCode is the code of an error body: Key Vault's and ARM's
// {"error":{"code":...}}, or Entra's {"error":"...","error_codes":[n]}.
func errorCode(raw []byte) string {
	var kv struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &kv) == nil && kv.Error.Code != "" {
		return kv.Error.Code
	}
	var aad struct {
		Error string `json:"error"`
		Codes []int  `json:"error_codes"`
	}
	if json.Unmarshal(raw, &aad) != nil || aad.Error == "" {
		return ""
	}
	if len(aad.Codes) > 0 {
		return fmt.Sprintf("%s AADSTS%d", aad.Error, aad.Codes[0])
	}
	return aad.Error
}

// transportError names a failed exchange without its URL.
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "transport: timeout"
	}
	return "transport: " + err.Error()
}

func mb(b int64) string {
	if b < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}

// runSoak measures the mix's maximum rate for o.probe, then runs the mix at
// o.rateFraction of it for o.soak, printing a line every o.interval and a
// summary. Any unexpected outcome makes it fail, after the summary.
func runSoak(e *env, cpu *cpuClock, o options, conns int) error {
	if o.rateFraction <= 0 || o.rateFraction > 1 {
		return fmt.Errorf("--rate-fraction %v: want a number in (0, 1]", o.rateFraction)
	}
	if o.interval <= 0 || o.probe <= 0 {
		return errors.New("--interval and --probe must be positive")
	}
	kvToken, err := tokenFor(e, "https://vault.azure.net/.default")
	if err != nil {
		return err
	}
	if err := call(e.setup, "PUT", e.vaultURL+"/secrets/kvload-bench?api-version=7.6", kvToken, map[string]string{"value": "kvload benchmark value"}, nil); err != nil {
		return fmt.Errorf("setting the benchmark secret: %w", err)
	}
	listURL, err := setupList(e, kvToken, o.listSize)
	if err != nil {
		return fmt.Errorf("setting up the list vault: %w", err)
	}
	tok := &bearer{}
	tok.set(kvToken)
	kinds := soakKinds(e, tok, listURL)
	schedule := soakSchedule(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d%% (%d)", k.name, k.weight, k.want))
	}
	fmt.Printf("soak: the mix, %s, on %d connections\n", strings.Join(parts, ", "), conns)

	rss0 := cpu.rss()
	var counter atomic.Int64
	probe := newTally()
	t0 := time.Now()
	mix(e.tls, conns, o.probe, schedule, nil, probe, &counter)
	n, _, _ := probe.interval()
	maxRate := float64(n) / time.Since(t0).Seconds()
	fmt.Printf("probe: %s at full speed: %.0f req/s, %d errors\n", o.probe, maxRate, probe.errors())
	rate := maxRate * o.rateFraction
	if rate < 1 {
		return fmt.Errorf("the probe completed %d requests: too few to set a rate", n)
	}
	fmt.Printf("soak: %s at %.2f of it: %.0f req/s\n", o.soak, o.rateFraction, rate)

	// A token lives an hour or more; a longer soak renews it on the way.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(15 * time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if t, err := tokenFor(e, "https://vault.azure.net/.default"); err == nil {
					tok.set(t)
				}
			}
		}
	}()

	soak := newTally()
	rss1, cpu1 := cpu.rss(), cpu.seconds()
	fmt.Printf("%8s %9s %10s %10s %7s %7s\n", "elapsed", "req/s", "p50", "p99", "errors", "rss-MB")
	report := func(elapsed, span time.Duration) {
		n, nerrs, lat := soak.interval()
		p50, p99 := percentiles(lat)
		fmt.Printf("%8s %9.0f %10s %10s %7d %7s\n", elapsed.Round(time.Second), float64(n)/span.Seconds(), p50, p99, nerrs, mb(cpu.rss()))
	}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		mix(e.tls, conns, o.soak, schedule, &pacer{next: start, every: time.Duration(float64(time.Second) / rate)}, soak, &counter)
	}()
	tick := time.NewTicker(o.interval)
	last := start
	for running := true; running; {
		select {
		case now := <-tick.C:
			report(now.Sub(start), now.Sub(last))
			last = now
		case <-done:
			tick.Stop()
			if now := time.Now(); now.Sub(last) > o.interval/10 {
				report(now.Sub(start), now.Sub(last))
			}
			running = false
		}
	}
	elapsed := time.Since(start)
	rss2, cpu2 := cpu.rss(), cpu.seconds()

	var total int64
	var counts []string
	for _, k := range kinds {
		total += soak.ok[k.name]
		counts = append(counts, fmt.Sprintf("%s %d", k.name, soak.ok[k.name]))
	}
	nerrs := soak.errors()
	fmt.Printf("requests: %d as expected in %s (%.0f/s): %s\n", total, elapsed.Round(time.Second), float64(total)/elapsed.Seconds(), strings.Join(counts, ", "))
	fmt.Printf("%-10s %9s %10s %10s\n", "kind", "answered", "p50", "p99")
	for _, k := range kinds {
		p50, p99 := percentiles(soak.byKind[k.name])
		fmt.Printf("%-10s %9d %10s %10s\n", k.name, soak.ok[k.name], p50, p99)
	}
	if nerrs == 0 {
		fmt.Println("errors: none")
	} else {
		fmt.Printf("errors: %d\n", nerrs)
		for _, k := range slices.Sorted(maps.Keys(soak.errs)) {
			fmt.Printf("  %s: %d\n", k, soak.errs[k])
		}
	}
	if rss1 < 0 || rss2 < 0 {
		fmt.Println("rss: unknown (no server pid)")
	} else {
		fmt.Printf("rss: %s MB before the probe, %s MB at the soak's start, %s MB at its end (%+.1f MB)\n", mb(rss0), mb(rss1), mb(rss2), float64(rss2-rss1)/(1<<20))
	}
	if cpu1 >= 0 && cpu2 >= 0 && total+nerrs > 0 {
		fmt.Printf("server cpu: %.1f s (%.2f of a core), %.3f cpu-s/1k\n", cpu2-cpu1, (cpu2-cpu1)/elapsed.Seconds(), (cpu2-cpu1)/float64(total+nerrs)*1000)
	}
	if nerrs > 0 {
		return fmt.Errorf("soak: %d unexpected outcomes", nerrs)
	}
	return nil
}

// percentiles are p50 and p99 of lat (which they sort), or "-".
func percentiles(lat []time.Duration) (p50, p99 string) {
	if len(lat) == 0 {
		return "-", "-"
	}
	slices.Sort(lat)
	return lat[len(lat)/2].Round(time.Microsecond).String(), lat[int(0.99*float64(len(lat)-1))].Round(time.Microsecond).String()
}
