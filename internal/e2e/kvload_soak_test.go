package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// buildKvload builds the load command once for the test.
func buildKvload(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "kvload")
	run(tb, repoRoot(tb), environ(nil), "go", "build", "-o", bin, "./bench/kvload")
	return bin
}

// mustMatch returns the submatches of re's first match in out, or fails.
func mustMatch(tb testing.TB, out, what, re string) []string {
	tb.Helper()
	m := regexp.MustCompile(`(?m)` + re).FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("kvload output lacks %s (%s):\n%s", what, re, out)
	}
	return m
}

// TestKvloadModes runs the load command's soak and password flood briefly,
// as docs/bench.md documents them, on one server and one build.
func TestKvloadModes(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	bin := buildKvload(t)
	t.Run("soak", func(t *testing.T) { testKvloadSoak(t, bin, env) })
	t.Run("flood", func(t *testing.T) { testKvloadFlood(t, bin, env) })
	t.Run("flags", func(t *testing.T) { testKvloadModeFlags(t, bin, env) })
}

// testKvloadSoak runs the soak briefly and checks the report's shape: the
// probe, a line per interval, the requests of every kind of the mix
// answered as expected (the wrong tokens' 401s and the bad bodies' 400s
// among them), no unexpected outcome, and the server's resident memory at
// the start and the end. It asserts nothing about speed.
func testKvloadSoak(t *testing.T, bin string, env map[string]string) {
	out := run(t, t.TempDir(), environ(env), bin, "--soak", "3s", "--probe", "1s", "--interval", "1s", "-c", "4", "-list-size", "50")

	mustMatch(t, out, "the mix", `^soak: the mix, get 70% \(200\), set 10% \(200\), list 8% \(200\), token 2% \(200\), bad-token 5% \(401\), bad-body 5% \(400\), on 4 connections$`)
	mustMatch(t, out, "the probe", `^probe: 1s at full speed: \d+ req/s, 0 errors$`)
	mustMatch(t, out, "the rate", `^soak: 3s at 0\.80 of it: \d+ req/s$`)
	// The soak's lines: time, rate, p50, p99, errors, the server's RSS in MB.
	lines := regexp.MustCompile(`(?m)^\s+\d+s\s+\d+\s+\S+\s+\S+\s+0\s+\d+\.\d$`).FindAllString(out, -1)
	if len(lines) < 2 {
		t.Fatalf("kvload --soak 3s --interval 1s: want a line a second, got %d:\n%s", len(lines), out)
	}
	m := mustMatch(t, out, "the requests", `^requests: \d+ as expected in \S+ \(\d+/s\): get (\d+), set (\d+), list (\d+), token (\d+), bad-token (\d+), bad-body (\d+)$`)
	for i, kind := range []string{"get", "set", "list", "token", "bad-token", "bad-body"} {
		if n, _ := strconv.Atoi(m[i+1]); n == 0 {
			t.Errorf("the soak sent no %s request", kind)
		}
	}
	for _, kind := range []string{"get", "set", "list", "token", "bad-token", "bad-body"} {
		mustMatch(t, out, "the "+kind+" latencies", `^`+kind+`\s+\d+\s+\d+(\.\d+)?[µm]?s\s+\d+(\.\d+)?[µm]?s$`)
	}
	mustMatch(t, out, "no errors", `^errors: none$`)
	mustMatch(t, out, "the server's memory", `^rss: \d+\.\d MB before the probe, \d+\.\d MB at the soak's start, \d+\.\d MB at its end \([-+]\d+\.\d MB\)$`)
	mustMatch(t, out, "the server's CPU", `^server cpu: \d+\.\d s \(\d+\.\d\d of a core\), \d+\.\d{3} cpu-s/1k$`)
	for _, k := range []string{"AZURE_CLIENT_SECRET", "DATABRICKS_TOKEN"} {
		if v := env[k]; v != "" && strings.Contains(out, v) {
			t.Fatalf("kvload printed %s", k)
		}
	}
}

// testKvloadFlood runs the password flood briefly and checks that it prints
// the GET's latency idle and under the flood, their ratio, and what the
// token endpoint answered to the wrong passwords.
func testKvloadFlood(t *testing.T, bin string, env map[string]string) {
	out := run(t, t.TempDir(), environ(env), bin, "--flood", "-d", "1s", "--flood-conns", "4")

	mustMatch(t, out, "the plan", `^flood: GET on 1 connection for 1s idle, then for 1s while 4 connections send wrong passwords \(password grant\) for kvload-flood@kvload\.example and for names nobody has$`)
	for _, phase := range []string{"idle", "flood"} {
		mustMatch(t, out, "the "+phase+" row", `^`+phase+`\s+\d+\s+\d+(\.\d+)?[µm]?s\s+\d+(\.\d+)?[µm]?s$`)
	}
	mustMatch(t, out, "the ratio", `^ratio \(flood/idle\): p50 \d+\.\d\d, p99 \d+\.\d\d$`)
	// Every answer was a refusal: the wrong password (AADSTS50126), a
	// locked account (AADSTS50053) or a throttle (429); anything else
	// would have made kvload fail.
	mustMatch(t, out, "the flood's answers", `^flood: \d+ password attempts answered in \S+ \(\d+/s\): .*(400 invalid_grant AADSTS50126|AADSTS50053|429)`)

	// A second run finds the user the first created.
	out = run(t, t.TempDir(), environ(env), bin, "--flood", "-d", "300ms", "--flood-conns", "2", "-c", "2")
	mustMatch(t, out, "the plan on 2 connections", `^flood: GET on 2 connections for 300ms idle`)
}

// testKvloadModeFlags: the soak and the flood refuse what they cannot do,
// and every flag kvload -h lists is in docs/bench.md.
func testKvloadModeFlags(t *testing.T, bin string, env map[string]string) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"fail/both", []string{"--soak", "1s", "--flood"}, "--soak and --flood are two runs"},
		{"fail/targets", []string{"--soak", "1s", "-t", "get"}, "-t does not apply"},
		{"fail/many-counts", []string{"--flood", "-c", "1,64"}, "take one connection count"},
		{"fail/rate-fraction", []string{"--soak", "1s", "--rate-fraction", "1.5"}, "want a number in (0, 1]"},
		{"fail/flood-conns", []string{"--flood", "--flood-conns", "0"}, "want at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir, cmd.Env = t.TempDir(), environ(env)
			raw, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(raw), tc.want) {
				t.Fatalf("kvload %s: %v, want an error saying %q:\n%s", strings.Join(tc.args, " "), err, tc.want, raw)
			}
		})
	}
	help, _ := exec.Command(bin, "-h").CombinedOutput() // -h exits 2
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "bench.md"))
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(string(help), -1)
	if len(flags) < 10 {
		t.Fatalf("kvload -h lists %d flags:\n%s", len(flags), help)
	}
	var usage []string
	for line := range strings.Lines(string(doc)) {
		if strings.HasPrefix(line, "    go run ./bench/kvload") {
			usage = append(usage, line)
		}
	}
	for _, f := range flags {
		if !regexp.MustCompile(`(?m)[\s\[]--?` + regexp.QuoteMeta(f[1]) + `[\s\]]`).MatchString(strings.Join(usage, "")) {
			t.Errorf("docs/bench.md does not show -%s in a usage line", f[1])
		}
	}
}
