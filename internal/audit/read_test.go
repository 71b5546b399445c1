package audit_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/audit"
)

func TestReadFilters(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := []audit.Record{
		{Time: t0, Service: "keyvault", Action: "GetSecret", Principal: "oid-a", AppID: "app-a", Vault: "kv1", Key: "k", RequestID: "1"},
		{Time: t0.Add(time.Minute), Service: "secrets", Action: "getSecret", Principal: "alice@example.com", Workspace: "ws1", Scope: "Scope1", Key: "k", RequestID: "2"},
		{Time: t0.Add(2 * time.Minute), Service: "secrets", Action: "putSecret", Principal: "alice@example.com", Workspace: "ws1", Scope: "scope2", Key: "k", RequestID: "3"},
		{Time: t0.Add(3 * time.Minute), Service: "keyvault", Action: "SetSecret", Principal: "oid-b", AppID: "app-b", Vault: "KV2", Key: "k", RequestID: "4"},
		{Time: t0.Add(4 * time.Minute), Service: "accounts", Action: "generateDbToken", Principal: "alice@example.com", Workspace: "ws2", RequestID: "5"},
	}
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{})
	for _, r := range recs {
		l.Record(r)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    audit.Filter
		want string
	}{
		{"ok/all", audit.Filter{}, "1,2,3,4,5"},
		{"ok/since", audit.Filter{Since: t0.Add(2 * time.Minute)}, "3,4,5"},
		{"ok/scope-any-case", audit.Filter{Scope: "scope1"}, "2"},
		{"ok/vault-any-case", audit.Filter{Vault: "kv2"}, "4"},
		{"ok/workspace", audit.Filter{Workspace: "ws1"}, "2,3"},
		{"ok/principal", audit.Filter{Principal: "alice@example.com"}, "2,3,5"},
		{"ok/principal-by-app-id", audit.Filter{Principal: "APP-A"}, "1"},
		{"ok/action-across-services", audit.Filter{Action: "getsecret"}, "1,2"},
		{"ok/service", audit.Filter{Service: "keyvault"}, "1,4"},
		{"ok/combined", audit.Filter{Principal: "alice@example.com", Workspace: "ws1", Since: t0.Add(90 * time.Second)}, "3"},
		{"fail/no-match", audit.Filter{Vault: "nope"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			for _, r := range MustRead(t, path, tc.f).Records {
				ids = append(ids, r.RequestID)
			}
			if got := strings.Join(ids, ","); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestReadSkipsGarbage: lines a crash can leave (half a record, zeros from
// unwritten blocks, an empty object) are counted, not returned.
func TestReadSkipsGarbage(t *testing.T) {
	in := `{"time":"2026-01-01T00:00:00Z","service":"keyvault","action":"GetSecret","status":200}` + "\n" +
		"\x00\x00\x00\x00\n" +
		"{}\n" +
		`{"time":"2026-01-01T00:00:01Z","service":"keyvault","action":"SetSecret","status":200}` + "\n" +
		`{"time":"2026-01-01T00:00:02Z","service":"keyv`
	res, err := audit.ReadFrom(strings.NewReader(in), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 2 || res.Skipped != 3 {
		t.Fatalf("got %d records, %d skipped; want 2, 3", len(res.Records), res.Skipped)
	}
}

func FuzzReadFrom(f *testing.F) {
	f.Add(`{"time":"2026-01-01T00:00:00Z","service":"keyvault","action":"GetSecret","status":200}` + "\n")
	f.Add("\x00\n{\n")
	f.Fuzz(func(t *testing.T, in string) {
		res, err := audit.ReadFrom(strings.NewReader(in), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			if r.Service == "" && r.Action == "" {
				t.Fatal("an empty record was returned")
			}
		}
	})
}
