package main

// kvload --flood: the vault GET's latency idle and under a flood of wrong
// user passwords at the token endpoint. Each password attempt costs the
// server a deliberately slow hash (PBKDF2, about 100 ms of CPU), so without
// a bound on how many run at once a few dozen connections sending wrong
// passwords take every core; the figure to read is the ratio of the two
// latencies.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// floodUser is the user the flood sends wrong passwords for. kvload creates
// it through Graph at the first --flood run (with a random password it never
// sends or prints); the right password is never needed.
const floodUser = "kvload-flood@kvload.example"

// publicClientID is the Azure CLI's public client, which the resource owner
// password grant accepts without a registered application (scopevault's
// identity.PublicClientAppID, as in Entra).
const publicClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// setupFloodUser makes sure floodUser exists (a Graph GET, and a POST when
// it is not there).
func setupFloodUser(e *env) error {
	graph, err := tokenFor(e, "https://graph.microsoft.com/.default")
	if err != nil {
		return err
	}
	err = call(e.setup, "GET", e.base+"/v1.0/users/"+url.PathEscape(floodUser), graph, nil, nil)
	var h *httpError
	if !errors.As(err, &h) || h.Status != http.StatusNotFound {
		return err
	}
	nick, _, _ := strings.Cut(floodUser, "@")
	user := map[string]any{"accountEnabled": true, "displayName": "kvload password flood", "mailNickname": nick,
		"userPrincipalName": floodUser, "passwordProfile": map[string]any{"password": rand.Text(), "forceChangePasswordNextSignIn": false}}
	return call(e.setup, "POST", e.base+"/v1.0/users", graph, user, nil)
}

// floodOutcomes counts the token endpoint's answers to the flood by status
// and error code. Answers refusing the password (400 invalid_grant, a
// locked account's AADSTS50053, a 429 throttle) are what an attacker
// should get, and so are connections the server closes; a 2xx or a 5xx is
// not.
type floodOutcomes struct {
	mu       sync.Mutex
	expected map[string]int64
	errs     map[string]int64
}

func (f *floodOutcomes) add(outcome string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ok {
		f.expected[outcome]++
	} else {
		f.errs[outcome]++
	}
}

// flood sends wrong passwords from conns connections until ctx ends. Every
// other attempt names floodUser, the others a name nobody has: smart
// lockout makes a locked account cheap to refuse, but the server must still
// hash a password sent for an unknown name (the same work as for a known
// one, so that the answer's time does not tell whether the user exists),
// and a password spray over many names is what an attacker does.
func flood(ctx context.Context, e *env, conns int, out *floodOutcomes, sent *atomic.Int64) {
	tr := &http.Transport{TLSClientConfig: e.tls, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DialContext: dialNames}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	u := e.base + "/" + e.tenant + "/oauth2/v2.0/token"
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := sent.Add(1)
				user := floodUser
				if i%2 == 0 {
					user = "kvload-nobody-" + rand.Text()[:12] + "@kvload.example"
				}
				form := url.Values{"grant_type": {"password"}, "client_id": {publicClientID}, "username": {user},
					"password": {"wrong-" + rand.Text()}, "scope": {"https://vault.azure.net/.default"}}.Encode()
				req, err := http.NewRequestWithContext(ctx, "POST", u, strings.NewReader(form))
				if err != nil {
					out.add("building the request: "+err.Error(), false)
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						out.add("connection error (closed by the server?)", true)
					}
					continue
				}
				raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
				resp.Body.Close()
				switch {
				case err != nil:
					if ctx.Err() == nil {
						out.add("connection error (closed by the server?)", true)
					}
				case resp.StatusCode/100 == 2:
					out.add(fmt.Sprintf("HTTP %d: a wrong password was accepted", resp.StatusCode), false)
				case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusTooManyRequests:
					out.add(strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, errorCode(raw))), true)
				default:
					out.add(strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, errorCode(raw))), false)
				}
			}
		})
	}
	wg.Wait()
}

// runFlood measures the vault GET on conns connections for o.dur with the
// server otherwise idle, then for o.dur again while o.floodConns
// connections send wrong passwords, and prints both and their ratio.
func runFlood(e *env, o options, conns int) error {
	if o.floodConns < 1 {
		return fmt.Errorf("--flood-conns %d: want at least 1", o.floodConns)
	}
	kvToken, err := tokenFor(e, "https://vault.azure.net/.default")
	if err != nil {
		return err
	}
	if err := call(e.setup, "PUT", e.vaultURL+"/secrets/kvload-bench?api-version=7.6", kvToken, map[string]string{"value": "kvload benchmark value"}, nil); err != nil {
		return fmt.Errorf("setting the benchmark secret: %w", err)
	}
	if err := setupFloodUser(e); err != nil {
		return fmt.Errorf("creating the flood's user %s: %w", floodUser, err)
	}
	getURL := e.vaultURL + "/secrets/kvload-bench/?api-version=7.6"
	get := target{name: "get", tls: e.tls, server: true, next: func(ctx context.Context, _ int64) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", getURL, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+kvToken)
		}
		return req, err
	}}
	measure := func() (result, error) {
		s := newSession(get, conns, o.maxReq)
		defer s.close()
		s.round(o.dur, &cpuClock{})
		r := s.result()
		return r, r.err
	}
	fmt.Printf("flood: GET on %s for %s idle, then for %s while %s send wrong passwords (password grant) for %s and for names nobody has\n",
		plural(conns, "connection"), o.dur, o.dur, plural(o.floodConns, "connection"), floodUser)
	idle, err := measure()
	if err != nil {
		return fmt.Errorf("GET, idle: %w", err)
	}

	outcomes := &floodOutcomes{expected: map[string]int64{}, errs: map[string]int64{}}
	var sent atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		flood(ctx, e, o.floodConns, outcomes, &sent)
	}()
	// The GET is measured once the flood is under way: its first attempts
	// meet an idle server.
	warm := min(o.dur/5, time.Second)
	time.Sleep(warm)
	start := time.Now().Add(-warm)
	under, err := measure()
	cancel()
	<-done
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("GET under the flood: %w", err)
	}

	fmt.Printf("%-7s %9s %10s %10s\n", "phase", "get/s", "p50", "p99")
	for _, row := range []struct {
		name string
		r    result
	}{{"idle", idle}, {"flood", under}} {
		fmt.Printf("%-7s %9.0f %10s %10s\n", row.name, row.r.rps, row.r.p50.Round(time.Microsecond), row.r.p99.Round(time.Microsecond))
	}
	fmt.Printf("ratio (flood/idle): p50 %.2f, p99 %.2f\n", float64(under.p50)/float64(idle.p50), float64(under.p99)/float64(idle.p99))
	var parts []string
	var answered int64
	for _, k := range slices.Sorted(maps.Keys(outcomes.expected)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, outcomes.expected[k]))
		answered += outcomes.expected[k]
	}
	if answered == 0 {
		parts = []string{"none answered before the flood stopped"}
	}
	fmt.Printf("flood: %d password attempts answered in %s (%.0f/s): %s\n", answered, elapsed.Round(time.Millisecond), float64(answered)/elapsed.Seconds(), strings.Join(parts, ", "))
	if len(outcomes.errs) > 0 {
		var n int64
		for _, k := range slices.Sorted(maps.Keys(outcomes.errs)) {
			fmt.Printf("  unexpected: %s: %d\n", k, outcomes.errs[k])
			n += outcomes.errs[k]
		}
		return fmt.Errorf("flood: %d unexpected answers", n)
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
