package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/scopevault/scopevault/internal/server"
)

// startProcess runs `scopevault up` as a separate process on dir, with any
// extra flags, and waits until it reports that it is up. Its log goes to
// stderr, or to logTo when given.
func startProcess(tb testing.TB, bin, dir string, logTo io.Writer, extra ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"up", "--port", "0", "--data", dir}, extra...)...)
	cmd.Env = environ(nil)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if logTo != nil {
		cmd.Stderr = logTo
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "client env:") {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	tb.Fatal("scopevault up exited before it was up")
	return nil
}

func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "scopevault")
	run(tb, repoRoot(tb), environ(nil), "go", "build", "-o", bin, "./cmd/scopevault")
	return bin
}

type ack struct{ name, version, value string }

// TestKill9LosesNoAcknowledgedWrite kills the server with SIGKILL while
// writers run concurrently, restarts it on the same directory and reads back
// every write the server had acknowledged.
func TestKill9LosesNoAcknowledgedWrite(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	proc := startProcess(t, bin, dir, nil)
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	token := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")

	const writers, killAfter = 8, 300
	acks := make(chan ack, 100000)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				name := fmt.Sprintf("w%d-%d", w, i%20) // rewrite names: new versions of the same secrets too
				value := fmt.Sprintf("value-%d-%d", w, i)
				status, body, err := c.Do("PUT", vaultURL+"/secrets/"+name+"?api-version=7.6", token, map[string]string{"value": value})
				if err != nil {
					return // the server is gone
				}
				if status != 200 {
					t.Errorf("set %s: %d %s", name, status, body)
					return
				}
				var b struct{ ID string }
				if err := json.Unmarshal(body, &b); err != nil {
					return // a torn response is not an acknowledgement
				}
				acks <- ack{name: name, version: b.ID[strings.LastIndexByte(b.ID, '/')+1:], value: value}
			}
		}()
	}
	var got []ack
	for len(got) < killAfter {
		got = append(got, <-acks)
	}
	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	proc.Wait()
	wg.Wait()
	close(acks)
	for a := range acks {
		got = append(got, a)
	}

	srv, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatalf("restart after kill -9: %v", err)
	}
	defer srv.Shutdown(context.Background())
	v, err := srv.Engine.Vault(context.Background(), srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		sv, err := srv.Engine.Get(context.Background(), v, a.name, a.version)
		if err != nil {
			t.Fatalf("acknowledged write %s/%s lost: %v", a.name, a.version, err)
		}
		if sv.Value != a.value {
			t.Fatalf("acknowledged write %s/%s: got a different value", a.name, a.version)
		}
	}
	t.Logf("%d acknowledged writes survived kill -9", len(got))
}

// TestNoPlaintextAtRest writes a secret, creates a service principal and
// takes tokens, then scans every file in the data directory for any of them.
// The env file is the one place meant to hold the bootstrap credential; it is
// checked to hold nothing else.
func TestNoPlaintextAtRest(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	c := MustClient(t, env)
	token := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	value := "plaintext-canary-7d1f3c9a2b"
	if status, body, err := c.Do("PUT", vaultURL+"/secrets/canary?api-version=7.6", token, map[string]string{"value": value}); err != nil || status != 200 {
		t.Fatalf("set: %d %s %v", status, body, err)
	}
	ctx := context.Background()
	sp, spSecret, err := srv.Identity.CreateServicePrincipal(ctx, srv.Boot.TenantID, "canary-sp")
	if err != nil {
		t.Fatal(err)
	}
	spToken := c.Token(t, sp.AppID, spSecret, "https://vault.azure.net/.default")
	// Backups must not carry the value in clear either.
	if status, body, _ := c.Do("POST", vaultURL+"/secrets/canary/backup?api-version=7.6", token, nil); status != 200 || bytes.Contains(body, []byte(value)) {
		t.Fatalf("backup: %d, contains plaintext: %v", status, bytes.Contains(body, []byte(value)))
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	needles := map[string]string{
		"secret value":             value,
		"service principal secret": spSecret,
		"admin token":              token,
		"sp token":                 spToken,
		"admin client secret":      env["AZURE_CLIENT_SECRET"],
		"token signature":          token[strings.LastIndexByte(token, '.')+1:],
	}
	err = filepath.WalkDir(srv.DataDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for what, needle := range needles {
			if filepath.Base(path) == "scopevault.env" && what == "admin client secret" {
				continue
			}
			if bytes.Contains(raw, []byte(needle)) {
				t.Errorf("%s found in plaintext in %s", what, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Restart on the same directory keeps everything.
	srv2, err := server.Start(ctx, server.Config{DataDir: srv.DataDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Shutdown(ctx)
	v, err := srv2.Engine.Vault(ctx, srv2.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := srv2.Engine.Get(ctx, v, "canary", "")
	if err != nil || sv.Value != value {
		t.Fatalf("after restart: %v", err)
	}
	if srv2.Boot.ClientID != env["AZURE_CLIENT_ID"] {
		t.Fatal("restart created a new bootstrap identity")
	}
}

// TestSIGTERMShutsDownCleanly: SIGTERM ends `up` with status 0, and what was
// acknowledged before it is there after a restart.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	proc := startProcess(t, bin, dir, nil)
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	token := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	for i := range 20 {
		if status, body, err := c.Do("PUT", fmt.Sprintf("%s/secrets/term-%d?api-version=7.6", vaultURL, i), token, map[string]string{"value": fmt.Sprint(i)}); err != nil || status != 200 {
			t.Fatalf("set: %d %s %v", status, body, err)
		}
	}
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := proc.Wait(); err != nil {
		t.Fatalf("up after SIGTERM: %v (want exit status 0)", err)
	}
	proc = startProcess(t, bin, dir, nil) // the lock was released and the data is readable
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	env = MustEnvFile(t, dir)
	c = MustClient(t, env)
	token = c.AdminToken(t)
	vaultURL = strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	for i := range 20 {
		status, body, err := c.Do("GET", fmt.Sprintf("%s/secrets/term-%d/?api-version=7.6", vaultURL, i), token, nil)
		if err != nil || status != 200 || !strings.Contains(string(body), fmt.Sprintf(`"value":"%d"`, i)) {
			t.Fatalf("after restart, term-%d: %d %s %v", i, status, body, err)
		}
	}
}
