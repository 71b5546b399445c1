package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRunVar(t *testing.T) {
	for _, tc := range []struct {
		name, in          string
		scope, key, value string
		spark, fail       bool
	}{
		{name: "ok/reference", in: "DB_PASSWORD={{secrets/my-keyvault-scope/db-password}}", scope: "my-keyvault-scope", key: "db-password", value: "{{secrets/my-keyvault-scope/db-password}}"},
		{name: "ok/plain", in: "MODE=dev", value: "dev"},
		{name: "ok/empty-value", in: "EMPTY=", value: ""},
		{name: "ok/spark", in: "spark.password={{secrets/s/k}}", scope: "s", key: "k", value: "{{secrets/s/k}}", spark: true},
		{name: "fail/partial-reference", in: "URL=jdbc://u:{{secrets/s/k}}@h", fail: true},
		{name: "fail/two-references", in: "X={{secrets/s/a}}{{secrets/s/b}}", fail: true},
		{name: "fail/extra-slash", in: "X={{secrets/s/k/x}}x", fail: true},
		{name: "fail/no-equals", in: "NAME", fail: true},
		{name: "fail/no-name", in: "={{secrets/s/k}}", fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := parseRunVar(tc.in)
			if tc.fail {
				if err == nil {
					t.Fatalf("got %+v, want an error", v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.scope != tc.scope || v.key != tc.key || v.value != tc.value || v.spark != tc.spark {
				t.Errorf("got %+v", v)
			}
		})
	}
}

func TestParseRunConf(t *testing.T) {
	vars, err := parseRunConf("c.conf", []byte("# cluster env\n\nDB_PASSWORD={{secrets/s/db}}\nspark.hadoop.key {{secrets/s/spark}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vars) != 2 || vars[0].name != "DB_PASSWORD" || vars[0].key != "db" || !vars[1].spark || vars[1].key != "spark" {
		t.Errorf("got %+v", vars)
	}
	if _, err := parseRunConf("c.conf", []byte("OK=1\nbroken line\n")); err == nil || !strings.Contains(err.Error(), "c.conf:2:") {
		t.Errorf("got %v, want an error naming c.conf:2", err)
	}
}

// scopevault run resolves references through the workspace, runs the
// program with them, redacts its output and passes its exit code on.
func TestRun(t *testing.T) {
	requireTool(t, "sh")
	MustDatabricks(t)
	const password = "correct-horse-battery"
	MustDBX(t, "secrets", "create-scope", "--scope", "app")
	MustDBX(t, "secrets", "put", "--scope", "app", "--key", "db-password", "--string-value", password)
	MustDBX(t, "secrets", "put", "--scope", "app", "--key", "api-key", "--string-value", "k-123456")

	out, errOut, code := runCLI(t, "", "run", "--env", "DB_PASSWORD={{secrets/app/db-password}}", "--",
		"sh", "-c", `echo "connecting with $DB_PASSWORD"`)
	if code != 0 || out != "connecting with [REDACTED]\n" {
		t.Errorf("run: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	// stderr too, a value split across two writes, and the exit code.
	conf := filepath.Join(t.TempDir(), "env.conf")
	if err := os.WriteFile(conf, []byte("# env\nAPI_KEY={{secrets/app/api-key}}\nspark.db.password {{secrets/app/db-password}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI(t, "", "run", "--conf", conf, "--env", "DB_PASSWORD={{secrets/app/db-password}}", "--env", "MODE=dev", "--",
		"sh", "-c", `printf '%s' "${DB_PASSWORD%battery}"; printf '%s\n' battery; echo "key=$API_KEY mode=$MODE spark=${spark_db_password:-unset}" >&2; exit 7`)
	if code != 7 {
		t.Errorf("exit %d, want 7", code)
	}
	if out != "[REDACTED]\n" || errOut != "key=[REDACTED] mode=dev spark=unset\n" {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}

	// Failures name the reference, never a value.
	_, errOut, code = runCLI(t, "", "run", "--env", "X={{secrets/app/missing}}", "--", "true")
	if code != 1 || !strings.HasPrefix(errOut, "Error: X: {{secrets/app/missing}}: RESOURCE_DOES_NOT_EXIST") {
		t.Errorf("missing secret: exit %d %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "", "run", "--env", "URL=db://u:{{secrets/app/db-password}}@h", "--", "true")
	if code != 1 || !strings.Contains(errOut, "must be the whole value") {
		t.Errorf("partial reference: exit %d %q", code, errOut)
	}
	if _, _, code = runCLI(t, "", "run", "--", "scopevault-no-such-program"); code != 127 {
		t.Errorf("a missing program: exit %d, want 127", code)
	}
}
