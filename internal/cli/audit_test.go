package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/audit"
)

// mustAuditDir writes records to DIR/audit.log the way the server does.
func mustAuditDir(t *testing.T, recs ...audit.Record) string {
	t.Helper()
	dir := t.TempDir()
	l, err := audit.Open(filepath.Join(dir, audit.FileName), audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		l.Record(r)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runTyped runs a command line as a user types it (split on spaces).
func runTyped(t *testing.T, line string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(strings.Fields(line)[1:], &out, &errb)
	return code, out.String(), errb.String()
}

func auditFixture() []audit.Record {
	now := time.Now().UTC().Truncate(time.Second)
	return []audit.Record{
		{Time: now.Add(-3 * time.Hour), RequestID: "r1", Service: "keyvault", Action: "SetSecret", Principal: "oid-admin", AppID: "app-admin",
			Vault: "kv-main", Key: "db-password", SourceAddr: "127.0.0.1", Status: 200, Decision: "allow", Rule: "Key Vault Administrator at /subscriptions/s"},
		{Time: now.Add(-2 * time.Hour), RequestID: "r2", Service: "keyvault", Action: "GetSecret", Principal: "oid-out",
			Vault: "kv-main", Key: "db-password", SourceAddr: "127.0.0.1", Status: 403, Decision: "deny", Rule: "no role assignment grants getSecret", ErrorCode: "ForbiddenByRbac"},
		{Time: now.Add(-30 * time.Minute), RequestID: "r3", Service: "secrets", Action: "getSecret", Principal: "alice@example.com",
			Workspace: "ws1", Scope: "my-scope", Key: "api-key", SourceAddr: "127.0.0.1", Status: 200, Decision: "allow", Rule: "READ on my-scope"},
		{Time: now.Add(-10 * time.Minute), RequestID: "r4", Service: "secrets", Action: "putAcl", Principal: "alice@example.com",
			Workspace: "ws1", Scope: "my-scope", Params: map[string]string{"principal": "users", "permission": "READ"}, SourceAddr: "127.0.0.1", Status: 200},
	}
}

func TestAuditCommand(t *testing.T) {
	dir := mustAuditDir(t, auditFixture()...)
	for _, tc := range []struct {
		name string
		line string
		want string // request ids, in order
	}{
		{"ok/all", "scopevault audit --data DIR -o json", "r1,r2,r3,r4"},
		{"ok/since-duration", "scopevault audit --data DIR --since 1h -o json", "r3,r4"},
		{"ok/since-time", "scopevault audit --data DIR --since " + time.Now().Add(-150*time.Minute).UTC().Format(time.RFC3339) + " -o json", "r2,r3,r4"},
		{"ok/vault", "scopevault audit --data DIR --vault KV-MAIN -o json", "r1,r2"},
		{"ok/scope", "scopevault audit --data DIR --scope my-scope -o json", "r3,r4"},
		{"ok/workspace", "scopevault audit --data DIR --workspace ws1 --action putAcl -o json", "r4"},
		{"ok/principal-app-id", "scopevault audit --data DIR --principal app-admin --output json", "r1"},
		{"ok/action", "scopevault audit --data DIR --action getsecret -o json", "r2,r3"},
		{"ok/none", "scopevault audit --data DIR --vault other -o json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runTyped(t, strings.ReplaceAll(tc.line, "DIR", dir))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var recs []audit.Record
			if err := json.Unmarshal([]byte(out), &recs); err != nil {
				t.Fatalf("output is not a JSON array: %v\n%s", err, out)
			}
			if recs == nil {
				t.Fatalf("output %q: want an array, even empty", out)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.RequestID)
			}
			if got := strings.Join(ids, ","); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAuditCommandTable(t *testing.T) {
	dir := mustAuditDir(t, auditFixture()...)
	code, out, stderr := runTyped(t, "scopevault audit --data "+dir+" --vault kv-main")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows:\n%s", out)
	}
	if got, want := strings.Fields(lines[0]), []string{"TIME", "SERVICE", "ACTION", "PRINCIPAL", "SCOPE/VAULT", "KEY", "STATUS", "DECISION", "RULE"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("header: got %v, want %v", got, want)
	}
	row := strings.Fields(lines[2])
	if got, want := strings.Join(row[1:8], " "), "keyvault GetSecret oid-out kv-main db-password 403 deny"; got != want {
		t.Fatalf("row: got %q, want %q", got, want)
	}
	if !strings.HasSuffix(lines[2], "no role assignment grants getSecret") {
		t.Fatalf("row does not end with the rule: %q", lines[2])
	}
}

func TestAuditCommandFails(t *testing.T) {
	dir := mustAuditDir(t, auditFixture()...)
	for _, tc := range []struct {
		name, line, want string
	}{
		{"fail/no-log", "scopevault audit --data " + t.TempDir(), "no audit log in"},
		{"fail/output", "scopevault audit --data " + dir + " -o yaml", "--output must be json or table"},
		{"fail/since", "scopevault audit --data " + dir + " --since yesterday", "--since yesterday: want a duration"},
		{"fail/negative-since", "scopevault audit --data " + dir + " --since -1h", "must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runTyped(t, tc.line)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want failure naming %q", code, stderr, tc.want)
			}
		})
	}
}

// TestAuditDocExamples runs every `scopevault audit` line of docs/cli.md's
// audit section as typed, against a data directory holding a log.
func TestAuditDocExamples(t *testing.T) {
	dir := mustAuditDir(t, auditFixture()...)
	n := 0
	for _, line := range strings.Split(docSection(t, "## scopevault audit"), "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "scopevault audit") {
			continue
		}
		n++
		code, _, stderr := runTyped(t, line+" --data "+dir)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", line, code, stderr)
		}
	}
	if n == 0 {
		t.Fatal("docs/cli.md's audit section shows no scopevault audit command")
	}
}
