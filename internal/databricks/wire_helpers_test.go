package databricks_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/testkit"
)

// clock is the server's injected time source.
type clock = testkit.Clock

// wire is a running server and an HTTPS client that trusts its CA and
// reaches adb-<id>.<n>.azuredatabricks.net on the server's main address,
// as a hosts-file line from `scopevault hosts` makes it.
type wire struct {
	srv    *server.Server
	dir    string
	port   int // 0 until the first start; a restart keeps it
	clock  *clock
	client *http.Client
	env    map[string]string
	host   string // DATABRICKS_HOST
	pat    string // DATABRICKS_TOKEN
	ws     *scopevault.Workspace
}

// MustWire starts a server on a fresh data directory over TLS and stops it
// when the test ends.
func MustWire(tb testing.TB) *wire {
	tb.Helper()
	w := &wire{dir: tb.TempDir(), clock: testkit.WallClock()}
	w.start(tb)
	return w
}

func (w *wire) start(tb testing.TB) {
	tb.Helper()
	srv, err := server.Start(context.Background(), server.Config{DataDir: w.dir, Port: w.port, Now: w.clock.Now})
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	w.srv, w.port = srv, srv.Port()
	tb.Cleanup(func() { w.stop(tb) })
	main := net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port()))
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if strings.HasSuffix(strings.ToLower(host), scopevault.WorkspaceSuffix) {
				addr = main
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}
	tb.Cleanup(tr.CloseIdleConnections)
	w.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	w.env = map[string]string{}
	for _, kv := range srv.Env() {
		w.env[kv[0]] = kv[1]
	}
	w.host, w.pat = w.env["DATABRICKS_HOST"], w.env["DATABRICKS_TOKEN"]
	if w.host == "" || w.pat == "" {
		tb.Fatalf("env has no DATABRICKS_HOST/DATABRICKS_TOKEN: %v", w.env)
	}
	if w.ws, err = srv.BootWorkspace(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func (w *wire) stop(tb testing.TB) {
	if w.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.srv.Shutdown(ctx); err != nil {
		tb.Errorf("shutdown: %v", err)
	}
	w.srv = nil
}

// restart stops the server and starts it again on the same directory.
func (w *wire) restart(tb testing.TB) {
	tb.Helper()
	w.stop(tb)
	w.start(tb)
}

// response is what a call returned.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// Do sends one request; body is marshalled as JSON unless it is a string.
func (w *wire) Do(tb testing.TB, method, u, token string, body any) response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := w.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// api calls path on the default workspace's no-setup URL.
func (w *wire) api(tb testing.TB, method, path, token string, body any) response {
	tb.Helper()
	return w.Do(tb, method, w.host+path, token, body)
}

// MustStatus fails unless r has status want.
func MustStatus(tb testing.TB, r response, want int) {
	tb.Helper()
	if r.status != want {
		tb.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
}

// MustErrorCode fails unless r is a Databricks error with status and code.
func MustErrorCode(tb testing.TB, r response, status int, code any) {
	tb.Helper()
	MustStatus(tb, r, status)
	m := r.json(tb)
	if got := m["error_code"]; got != code {
		tb.Fatalf("error_code %#v, want %#v; body %s", got, code, r.body)
	}
	if m["message"] == "" || m["message"] == nil {
		tb.Fatalf("no message: %s", r.body)
	}
}

// MustEntraToken gets a token from the tenant's token endpoint by client
// credentials, as azidentity does, for scope.
func (w *wire) MustEntraToken(tb testing.TB, clientID, clientSecret, scope string) string {
	tb.Helper()
	form := url.Values{
		"client_id": {clientID}, "client_secret": {clientSecret}, "grant_type": {"client_credentials"},
		"scope": {scope},
	}
	req, err := http.NewRequest(http.MethodPost, w.srv.URL()+"/"+w.srv.Boot.TenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := w.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != http.StatusOK || tok.AccessToken == "" {
		tb.Fatalf("token endpoint: status %d, err %v", res.StatusCode, err)
	}
	return tok.AccessToken
}

// databricksScope is what SDKs ask for to call a workspace with Entra ID.
const databricksScope = scopevault.AzureDatabricksAppID + "/.default"

// sp is a directory service principal with its secret.
type sp struct {
	*scopevault.Principal
	secret string
}

func (w *wire) MustSP(tb testing.TB, name string) sp {
	tb.Helper()
	p, secret, err := w.srv.Identity.CreateServicePrincipal(context.Background(), w.srv.Boot.TenantID, name)
	if err != nil {
		tb.Fatal(err)
	}
	return sp{p, secret}
}

func (w *wire) token(tb testing.TB, p sp) string {
	tb.Helper()
	return w.MustEntraToken(tb, p.AppID, p.secret, databricksScope)
}

// readEnvFile returns the KEY=VALUE lines of the data directory's env file.
func (w *wire) readEnvFile(tb testing.TB) map[string]string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(w.dir, config.EnvFile))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && !strings.HasPrefix(line, "#") && !strings.Contains(k, " ") {
			out[k] = strings.Trim(v, "'")
		}
	}
	return out
}
