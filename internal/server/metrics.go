package server

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Metrics, served at GET /metrics on the control plane in Prometheus' text
// exposition format (version 0.0.4), written here with the standard
// library: the format is a few lines of text per series, and the
// client_golang module would bring a dozen dependencies for it.
//
// Labels name wires, operations and statuses only, each from a closed set
// (the wires' operation tables, the token service's routes): never a vault,
// secret, principal or path, so the number of series stays bounded and a
// scrape reveals traffic, not data. docs/operations.md lists the series.
//
// /metrics answers loopback clients only, without authentication, as
// /healthz does: a Prometheus scraper on the same host needs no token (our
// tokens expire within hours, which a scrape configuration cannot follow),
// and a client from another address (up --host with a non-loopback address)
// gets 403. OpenBao asks for a token unless unauthenticated_metrics_access is
// set; here the loopback check stands in for that setting.

// latencyBuckets are the histogram bounds in seconds: a cached Key Vault
// read takes well under a millisecond, a token with a password hash about
// 100 ms.
var latencyBuckets = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// histogram counts observations per bucket (not cumulative; the writer sums).
type histogram struct {
	counts [len(latencyBuckets) + 1]atomic.Uint64 // the last is +Inf
	sumNs  atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	i := sort.SearchFloat64s(latencyBuckets[:], d.Seconds())
	h.counts[i].Add(1)
	h.sumNs.Add(int64(d))
}

// requestKey and opKey are a request series' labels.
type requestKey struct {
	wire, op string
	status   int
}

type opKey struct{ wire, op string }

// metrics holds every series. Its maps are sync.Maps: each key is stored
// once and then only read, on every request.
type metrics struct {
	requests sync.Map // requestKey -> *atomic.Uint64
	latency  sync.Map // opKey -> *histogram
	tokens   sync.Map // operation -> *atomic.Uint64
	storeTx  [2]histogram
	conns    *connTracker
}

// Store transaction kinds, the index into storeTx.
const (
	txView = iota
	txUpdate
)

func loadOrNew[K comparable, V any](m *sync.Map, k K) *V {
	if v, ok := m.Load(k); ok {
		return v.(*V)
	}
	v, _ := m.LoadOrStore(k, new(V))
	return v.(*V)
}

// observeRequest counts one answered request and its latency.
func (m *metrics) observeRequest(wire, op string, status int, d time.Duration) {
	if op == "" {
		op = "unknown"
	}
	loadOrNew[requestKey, atomic.Uint64](&m.requests, requestKey{wire, op, status}).Add(1)
	loadOrNew[opKey, histogram](&m.latency, opKey{wire, op}).observe(d)
}

// tokenIssued counts a token the token service issued.
func (m *metrics) tokenIssued(op string) {
	loadOrNew[string, atomic.Uint64](&m.tokens, op).Add(1)
}

// timedStore is the store with each transaction's latency measured (the
// whole View or Update, commit included). Unwrap gives the backend.
type timedStore struct {
	store.Store
	m *metrics
}

func (s timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.View(ctx, fn)
	s.m.storeTx[txView].observe(time.Since(start))
	return err
}

func (s timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Update(ctx, fn)
	s.m.storeTx[txUpdate].observe(time.Since(start))
	return err
}

// Unwrap is the backend under the measurement.
func (s timedStore) Unwrap() store.Store { return s.Store }

// serveMetrics writes every series; loopback clients only (see above).
func (m *metrics) serveMetrics(w http.ResponseWriter, r *http.Request) {
	o := scopevault.OriginFrom(r.Context())
	if !o.RemoteAddr.Addr().Unmap().IsLoopback() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":{"code":"Forbidden","message":"/metrics answers loopback clients only."}}`+"\n")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	m.write(bw)
	bw.Flush()
}

func (m *metrics) write(w io.Writer) {
	type reqSeries struct {
		k requestKey
		n uint64
	}
	var reqs []reqSeries
	m.requests.Range(func(k, v any) bool {
		reqs = append(reqs, reqSeries{k.(requestKey), v.(*atomic.Uint64).Load()})
		return true
	})
	slices.SortFunc(reqs, func(a, b reqSeries) int {
		return cmp.Or(cmp.Compare(a.k.wire, b.k.wire), cmp.Compare(a.k.op, b.k.op), cmp.Compare(a.k.status, b.k.status))
	})
	header(w, "scopevault_http_requests_total", "counter", "Requests answered, by wire (keyvault, arm, entra, databricks, control), operation and HTTP status.")
	for _, s := range reqs {
		fmt.Fprintf(w, "scopevault_http_requests_total{wire=%s,operation=%s,status=\"%d\"} %d\n", quote(s.k.wire), quote(s.k.op), s.k.status, s.n)
	}

	type latSeries struct {
		k opKey
		h *histogram
	}
	var lats []latSeries
	m.latency.Range(func(k, v any) bool {
		lats = append(lats, latSeries{k.(opKey), v.(*histogram)})
		return true
	})
	slices.SortFunc(lats, func(a, b latSeries) int {
		return cmp.Or(cmp.Compare(a.k.wire, b.k.wire), cmp.Compare(a.k.op, b.k.op))
	})
	header(w, "scopevault_http_request_duration_seconds", "histogram", "Time from a request's headers read to its handler's return, by wire and operation.")
	for _, s := range lats {
		writeHistogram(w, "scopevault_http_request_duration_seconds", "wire="+quote(s.k.wire)+",operation="+quote(s.k.op), s.h)
	}

	var toks []string
	m.tokens.Range(func(k, _ any) bool {
		toks = append(toks, k.(string))
		return true
	})
	slices.Sort(toks)
	header(w, "scopevault_tokens_issued_total", "counter", "Tokens the token service issued, by endpoint operation.")
	for _, op := range toks {
		v, _ := m.tokens.Load(op)
		fmt.Fprintf(w, "scopevault_tokens_issued_total{operation=%s} %d\n", quote(op), v.(*atomic.Uint64).Load())
	}

	header(w, "scopevault_store_transaction_duration_seconds", "histogram", "Store transactions' time, commit included, by kind (view, update).")
	writeHistogram(w, "scopevault_store_transaction_duration_seconds", `kind="update"`, &m.storeTx[txUpdate])
	writeHistogram(w, "scopevault_store_transaction_duration_seconds", `kind="view"`, &m.storeTx[txView])

	if t := m.conns; t != nil {
		header(w, "scopevault_open_connections", "gauge", "Open client connections, every listener.")
		fmt.Fprintf(w, "scopevault_open_connections %d\n", t.open.Load())
		header(w, "scopevault_unauthenticated_connections", "gauge", "Open connections that have not yet completed a request with a valid credential.")
		fmt.Fprintf(w, "scopevault_unauthenticated_connections %d\n", t.unauthenticated())
		header(w, "scopevault_unauthenticated_connections_closed_total", "counter", "Unauthenticated connections closed because the cap (--max-unauthenticated-conns) was reached.")
		fmt.Fprintf(w, "scopevault_unauthenticated_connections_closed_total %d\n", t.evicted.Load())
	}
}

func header(w io.Writer, name, kind, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

// writeHistogram writes h's cumulative buckets, sum and count. The count is
// the buckets' sum, so a scrape racing an observation stays consistent.
func writeHistogram(w io.Writer, name, labels string, h *histogram) {
	var cum uint64
	for i := range len(latencyBuckets) + 1 {
		cum += h.counts[i].Load()
		le := "+Inf"
		if i < len(latencyBuckets) {
			le = strconv.FormatFloat(latencyBuckets[i], 'g', -1, 64)
		}
		fmt.Fprintf(w, "%s_bucket{%s,le=\"%s\"} %d\n", name, labels, le, cum)
	}
	sum := float64(h.sumNs.Load()) / 1e9
	fmt.Fprintf(w, "%s_sum{%s} %s\n", name, labels, strconv.FormatFloat(sum, 'g', -1, 64))
	fmt.Fprintf(w, "%s_count{%s} %d\n", name, labels, cum)
}

// quote is a label value in the exposition format's quoting.
func quote(v string) string {
	if !strings.ContainsAny(v, "\\\"\n") {
		return `"` + v + `"`
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}
