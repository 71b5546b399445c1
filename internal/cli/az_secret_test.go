package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A secret's life as a user types it: versions, attributes, soft delete,
// recover, purge, backup and restore.
func TestAzSecretLifecycle(t *testing.T) {
	e := MustAz(t)
	v := e.srv.Boot.Vault // the bootstrap admin is its Key Vault Administrator
	first := e.MustJSON(t, "keyvault", "secret", "set", "--vault-name", v, "-n", "db-password", "--value", "one")
	for _, k := range []string{"attributes", "contentType", "id", "kid", "managed", "name", "tags", "value"} {
		if _, ok := first[k]; !ok {
			t.Errorf("secret set output lacks %q: %v", k, first)
		}
	}
	firstID := first["id"].(string)
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", v, "-n", "db-password", "--value", "two")

	versions := e.MustJSONList(t, "keyvault", "secret", "list-versions", "--vault-name", v, "-n", "db-password")
	if len(versions) != 2 {
		t.Fatalf("list-versions = %v", versions)
	}
	for _, it := range versions {
		if _, has := it["value"]; has || it["name"] != "db-password" || !strings.Contains(it["id"].(string), "/secrets/db-password/") {
			t.Errorf("version item = %v", it)
		}
		if _, has := it["kid"]; has {
			t.Errorf("list items carry no kid in az: %v", it)
		}
	}
	if got := e.MustRun(t, "keyvault", "secret", "list-versions", "--vault-name", v, "-n", "db-password", "--maxresults", "1", "--query", "length(@)"); got != "1\n" {
		t.Errorf("--maxresults 1 = %q", got)
	}

	// Disable the first version (by its id) and give it tags and an expiry.
	upd := e.MustJSON(t, "keyvault", "secret", "set-attributes", "--id", firstID, "--enabled", "false",
		"--expires", "2031-01-02T03:04:05Z", "--tags", "owner=data", "env=prod", "--content-type", "text/plain")
	if get(upd, "attributes.enabled") != false || get(upd, "attributes.expires") != "2031-01-02T03:04:05+00:00" ||
		get(upd, "tags.env") != "prod" || get(upd, "tags.owner") != "data" || get(upd, "contentType") != "text/plain" || upd["id"] != firstID {
		t.Fatalf("set-attributes = %v", upd)
	}
	if val, ok := upd["value"]; !ok || val != nil {
		t.Errorf("set-attributes prints value null, got %v (present %v)", val, ok)
	}
	e.MustFail(t, "SecretDisabled", "keyvault", "secret", "show", "--id", firstID)
	enabled := strings.Fields(e.MustRun(t, "keyvault", "secret", "list-versions", "--vault-name", v, "-n", "db-password", "--query", "[?attributes.enabled].id", "-o", "tsv"))
	if len(enabled) != 1 || enabled[0] == firstID {
		t.Errorf("enabled versions = %v", enabled)
	}
	// Without --version, set-attributes changes the latest version.
	e.MustRun(t, "keyvault", "secret", "set-attributes", "--vault-name", v, "-n", "db-password", "--tags", "latest=yes")
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", v, "-n", "db-password", "--query", "[value, tags.latest]", "-o", "tsv"); got != "two\nyes\n" {
		t.Errorf("latest after set-attributes = %q", got)
	}

	// Backup before deleting: the blob restores every version.
	bak := filepath.Join(t.TempDir(), "db-password.bak")
	if out := e.MustRun(t, "keyvault", "secret", "backup", "--vault-name", v, "-n", "db-password", "-f", bak); out != "" {
		t.Errorf("backup printed %q", out)
	}
	blob, err := os.ReadFile(bak)
	if err != nil || len(blob) == 0 || bytes.Contains(blob, []byte("two")) {
		t.Fatalf("backup file: %d bytes, %v (it must not hold the value in clear)", len(blob), err)
	}
	if st, _ := os.Stat(bak); st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode = %v", st.Mode().Perm())
	}

	del := e.MustJSON(t, "keyvault", "secret", "delete", "--vault-name", v, "-n", "db-password")
	recoveryID, _ := del["recoveryId"].(string)
	if !strings.HasSuffix(recoveryID, "/deletedsecrets/db-password") || del["name"] != "db-password" {
		t.Fatalf("delete = %v", del)
	}
	for _, k := range []string{"deletedDate", "scheduledPurgeDate"} {
		if d, _ := del[k].(string); !strings.HasSuffix(d, "+00:00") {
			t.Errorf("delete %s = %v", k, del[k])
		}
	}
	if val, ok := del["value"]; !ok || val != nil {
		t.Errorf("delete prints value null, got %v", val)
	}
	e.MustFail(t, "SecretNotFound", "keyvault", "secret", "show", "--vault-name", v, "-n", "db-password")
	if names := strings.Fields(e.MustRun(t, "keyvault", "secret", "list-deleted", "--vault-name", v, "--query", "[].name", "-o", "tsv")); !slices.Equal(names, []string{"db-password"}) {
		t.Errorf("list-deleted = %v", names)
	}
	shown := e.MustJSON(t, "keyvault", "secret", "show-deleted", "--id", recoveryID)
	if shown["recoveryId"] != recoveryID || get(shown, "tags.latest") != "yes" {
		t.Errorf("show-deleted --id = %v", shown)
	}
	e.MustFail(t, "ObjectIsDeletedButRecoverable", "keyvault", "secret", "set", "--vault-name", v, "-n", "db-password", "--value", "three")

	rec := e.MustJSON(t, "keyvault", "secret", "recover", "--vault-name", v, "-n", "db-password")
	if rec["name"] != "db-password" || rec["value"] != nil {
		t.Errorf("recover = %v", rec)
	}
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", v, "-n", "db-password", "--query", "value", "-o", "tsv"); got != "two\n" {
		t.Errorf("after recover = %q", got)
	}
	// An id on the vault's real host name (as Azure writes ids) works too.
	if got := e.MustRun(t, "keyvault", "secret", "show", "--id", "https://"+v+".vault.azure.net/secrets/db-password", "--query", "value", "-o", "tsv"); got != "two\n" {
		t.Errorf("show --id on the vault's host name = %q", got)
	}

	// Delete and purge, then restore from the backup.
	e.MustRun(t, "keyvault", "secret", "delete", "--vault-name", v, "-n", "db-password", "-o", "none")
	if out := e.MustRun(t, "keyvault", "secret", "purge", "--id", recoveryID); out != "" {
		t.Errorf("purge printed %q", out)
	}
	if got := e.MustRun(t, "keyvault", "secret", "list-deleted", "--vault-name", v, "--query", "length(@)"); got != "0\n" {
		t.Errorf("list-deleted after purge = %q", got)
	}
	res := e.MustJSON(t, "keyvault", "secret", "restore", "--vault-name", v, "-f", bak)
	if res["name"] != "db-password" || res["value"] != nil {
		t.Errorf("restore = %v", res)
	}
	if got := e.MustRun(t, "keyvault", "secret", "list-versions", "--vault-name", v, "-n", "db-password", "--query", "length(@)"); got != "2\n" {
		t.Errorf("versions after restore = %q", got)
	}
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", v, "-n", "db-password", "--query", "value", "-o", "tsv"); got != "two\n" {
		t.Errorf("value after restore = %q", got)
	}
	e.MustFail(t, "SecretAlreadyExists", "keyvault", "secret", "restore", "--vault-name", v, "-f", bak)
}

func TestAzSecretUsage(t *testing.T) {
	e := MustAz(t)
	v := e.srv.Boot.Vault
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"fail/id-and-name", "usage error: --id ID | --vault-name VAULT --name NAME", []string{"keyvault", "secret", "delete", "--id", "https://x.vault.azure.net/secrets/a", "-n", "a"}},
		{"fail/no-name", "usage error: --id ID | --vault-name VAULT --name NAME", []string{"keyvault", "secret", "recover", "--vault-name", v}},
		{"fail/versioned-id", "names a version", []string{"keyvault", "secret", "delete", "--id", "https://x.vault.azure.net/secrets/a/0123"}},
		{"fail/backup-needs-file", "--file/-f", []string{"keyvault", "secret", "backup", "--vault-name", v, "-n", "a"}},
		{"fail/restore-missing-file", "no such file", []string{"keyvault", "secret", "restore", "--vault-name", v, "-f", filepath.Join(t.TempDir(), "absent")}},
		{"fail/bad-enabled", "invalid value: 'maybe'", []string{"keyvault", "secret", "set-attributes", "--vault-name", v, "-n", "a", "--enabled", "maybe"}},
		{"fail/bad-expires", "not an ISO 8601 time", []string{"keyvault", "secret", "set-attributes", "--vault-name", v, "-n", "a", "--expires", "tomorrow"}},
		{"fail/unknown-deleted", "SecretNotFound", []string{"keyvault", "secret", "show-deleted", "--vault-name", v, "-n", "absent"}},
		{"fail/recover-live", "SecretNotFound", []string{"keyvault", "secret", "recover", "--vault-name", v, "-n", "absent"}},
	} {
		t.Run(tc.name, func(t *testing.T) { e.MustFail(t, tc.want, tc.args...) })
	}
}
