package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dbxEnv is a running scopevault with its env file's environment (the
// default premium workspace's DATABRICKS_HOST and admin DATABRICKS_TOKEN),
// HOME in a temp dir so no developer ~/.databrickscfg is read.
type dbxEnv struct {
	*azEnv
	home string
}

func MustDatabricks(t *testing.T) *dbxEnv {
	t.Helper()
	e := &dbxEnv{azEnv: MustAz(t), home: t.TempDir()}
	if e.env["DATABRICKS_HOST"] == "" || !strings.HasPrefix(e.env["DATABRICKS_TOKEN"], "dapi") {
		t.Fatalf("the env file has no DATABRICKS_HOST or PAT: %v", e.env["DATABRICKS_HOST"])
	}
	t.Setenv("HOME", e.home)
	t.Setenv("DATABRICKS_CONFIG_FILE", "")
	t.Setenv("DATABRICKS_CONFIG_PROFILE", "")
	return e
}

// runCLI runs `scopevault args...` in-process as Main does (an exitError's
// message goes to stderr, its code is returned), with stdin.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := NewRootCommand()
	var out, errb bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	if err := root.ExecuteContext(t.Context()); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(&errb, ee.msg)
			}
			return out.String(), errb.String(), ee.code
		}
		fmt.Fprintln(&errb, "ERROR:", err)
		return out.String(), errb.String(), 1
	}
	return out.String(), errb.String(), 0
}

// dbx runs `scopevault databricks args...` with nothing on stdin.
func dbx(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLI(t, "", append([]string{"databricks"}, args...)...)
}

// MustDBX fails the test unless `databricks args...` exits 0; it returns stdout.
func MustDBX(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := dbx(t, args...)
	if code != 0 {
		t.Fatalf("databricks %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// MustDBXFail fails the test unless `databricks args...` exits with code
// and prints exactly wantErr on stderr.
func MustDBXFail(t *testing.T, code int, wantErr string, args ...string) {
	t.Helper()
	out, errOut, got := dbx(t, args...)
	if got != code || errOut != wantErr {
		t.Fatalf("databricks %s: exit %d, stderr %q (stdout %q); want exit %d, stderr %q", strings.Join(args, " "), got, errOut, out, code, wantErr)
	}
}
