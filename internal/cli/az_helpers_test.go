package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
)

// azEnv is a running scopevault and the environment a user gets from
// `. .scopevault/scopevault.env`, set with t.Setenv.
type azEnv struct {
	srv    *server.Server
	armURL string
	env    map[string]string
	cfgDir string
}

func MustAz(t *testing.T) *azEnv {
	t.Helper()
	s, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	e := &azEnv{srv: s, env: MustEnvFile(t, filepath.Join(s.DataDir(), config.EnvFile)), cfgDir: t.TempDir()}
	e.armURL = e.env["SCOPEVAULT_ARM_ENDPOINT"]
	for k, v := range e.env {
		t.Setenv(k, v)
	}
	t.Setenv(envConfigDir, e.cfgDir)
	return e
}

// MustEnvFile reads the KEY=VALUE lines of scopevault.env (single-quoted values unquoted).
func MustEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "export ") {
			continue
		}
		if strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") {
			v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
		}
		env[k] = v
	}
	if env["AZURE_CLIENT_SECRET"] == "" {
		t.Fatalf("%s has no AZURE_CLIENT_SECRET", path)
	}
	return env
}

// Run executes `az args...` in-process, as a user would type it, with
// nothing on stdin.
func (e *azEnv) Run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return e.RunIn(t, "", args...)
}

// RunIn is Run with stdin.
func (e *azEnv) RunIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := NewAzCommand()
	var out, errb bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(t.Context())
	return out.String(), errb.String(), err
}

// MustRun fails the test unless the command succeeds, and returns its stdout.
func (e *azEnv) MustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := e.Run(t, args...)
	if err != nil {
		t.Fatalf("az %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// MustJSON runs a command and decodes its JSON output.
func (e *azEnv) MustJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out := e.MustRun(t, args...)
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("az %s printed non-object JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// MustFail fails the test unless the command fails with an error containing want.
func (e *azEnv) MustFail(t *testing.T, want string, args ...string) {
	t.Helper()
	out, _, err := e.Run(t, args...)
	if err == nil {
		t.Fatalf("az %s succeeded: %s", strings.Join(args, " "), out)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("az %s: error %q does not contain %q", strings.Join(args, " "), err, want)
	}
}

// get walks a dotted path through decoded JSON.
func get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
