package cli

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The legacy CLI's syntax, as the how-tos write it, against a
// Databricks-backed scope.
func TestDatabricksLegacySecrets(t *testing.T) {
	MustDatabricks(t)
	if out := MustDBX(t, "secrets", "create-scope", "--scope", "s1"); out != "" {
		t.Errorf("create-scope printed %q", out)
	}
	MustDBXFail(t, 1, `Error: b'{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Scope s1 already exists!"}'`+"\n",
		"secrets", "create-scope", "--scope", "s1")
	MustDBX(t, "secrets", "put", "--scope", "s1", "--key", "db-password", "--string-value", "s3cr3t")
	if _, errOut, code := runCLI(t, "from-stdin\n\n", "databricks", "secrets", "write", "--scope", "s1", "--key", "piped"); code != 0 {
		t.Fatalf("put from stdin: exit %d: %s", code, errOut)
	}
	bin := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(bin, []byte{0, 1, 2, 0xff}, 0o600); err != nil {
		t.Fatal(err)
	}
	MustDBX(t, "secrets", "put", "--scope", "s1", "--key", "blob", "--binary-file", bin)
	MustDBXFail(t, 1, "Error: At most one of ['string-value', 'binary-file'] should be provided.\n",
		"secrets", "put", "--scope", "s1", "--key", "k", "--string-value", "v", "--binary-file", bin)

	out := MustDBX(t, "secrets", "list", "--scope", "s1")
	if !regexp.MustCompile(`^Key name       Last updated\n-----------  --------------\nblob         +\d{13}\ndb-password  +\d{13}\npiped        +\d{13}\n$`).MatchString(out) {
		t.Errorf("list table:\n%s", out)
	}
	var listed struct {
		Secrets []struct {
			Key     string `json:"key"`
			Updated int64  `json:"last_updated_timestamp"`
		} `json:"secrets"`
	}
	out = MustDBX(t, "secrets", "list", "--scope", "s1", "--output", "json")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Secrets) != 3 || !strings.HasPrefix(out, "{\n  \"secrets\": [\n    {\n") {
		t.Errorf("list JSON (%v):\n%s", err, out)
	}
	if strings.Contains(out, "s3cr3t") {
		t.Error("list printed a value")
	}

	out = MustDBX(t, "secrets", "list-scopes")
	if !strings.HasPrefix(out, "Scope    Backend     KeyVault URL  \n") || !strings.Contains(out, "\ns1       DATABRICKS  N/A           \n") {
		t.Errorf("list-scopes table:\n%q", out)
	}
	if out := MustDBX(t, "secrets", "list-scopes", "--output", "JSON"); !strings.Contains(out, `"name": "s1"`) || !strings.Contains(out, `"backend_type": "DATABRICKS"`) {
		t.Errorf("list-scopes JSON:\n%s", out)
	}

	MustDBXFail(t, 2, "Usage: databricks secrets put-acl [OPTIONS]\nTry 'databricks secrets put-acl -h' for help.\n\nError: Invalid value for '--permission': 'OWNER' is not one of 'MANAGE', 'WRITE', 'READ'.\n",
		"secrets", "put-acl", "--scope", "s1", "--principal", "users", "--permission", "OWNER")
	MustDBX(t, "secrets", "write-acl", "--scope", "s1", "--principal", "users", "--permission", "READ")
	if got, want := MustDBX(t, "secrets", "get-acl", "--scope", "s1", "--principal", "users"), "Principal    Permission  \n-----------  ------------\nusers        READ        \n"; got != want {
		t.Errorf("get-acl:\n%q, want\n%q", got, want)
	}
	if got := MustDBX(t, "secrets", "get-acl", "--scope", "s1", "--principal", "users", "--output", "json"); got != "{\n  \"principal\": \"users\",\n  \"permission\": \"READ\"\n}\n" {
		t.Errorf("get-acl JSON: %q", got)
	}
	if got := MustDBX(t, "secrets", "list-acls", "--scope", "s1"); !strings.Contains(got, "\nusers ") || !strings.HasPrefix(got, "Principal") {
		t.Errorf("list-acls:\n%s", got)
	}
	MustDBX(t, "secrets", "delete-acl", "--scope", "s1", "--principal", "users")
	if got := MustDBX(t, "secrets", "list-acls", "--scope", "s1", "--output", "json"); strings.Contains(got, `"users"`) {
		t.Errorf("list-acls after delete-acl: %s", got)
	}
	MustDBX(t, "secrets", "delete", "--scope", "s1", "--key", "piped")
	_, errOut, code := dbx(t, "secrets", "delete", "--scope", "s1", "--key", "piped")
	if code != 1 || !strings.HasPrefix(errOut, `Error: b'{"error_code":"RESOURCE_DOES_NOT_EXIST"`) {
		t.Errorf("delete of a missing secret: exit %d %q", code, errOut)
	}
	MustDBXFail(t, 2, "Usage: databricks secrets list [OPTIONS]\nTry 'databricks secrets list -h' for help.\n\nError: Missing option '--scope'.\n", "secrets", "list")
	MustDBX(t, "secrets", "delete-scope", "--scope", "s1")
	if out := MustDBX(t, "secrets", "list-scopes", "-o", "json"); strings.Contains(out, `"s1"`) {
		t.Errorf("s1 is still listed: %s", out)
	}
}

// The seed's create-scope, verbatim, with a PAT: refused as Databricks refuses it.
func TestDatabricksSeedCreateScopeWithPAT(t *testing.T) {
	MustDatabricks(t)
	MustDBXFail(t, 1, `Error: b'{"error_code":"INVALID_PARAMETER_VALUE","message":"Scope with Azure KeyVault must have userAADToken defined!"}'`+"\n",
		"secrets", "create-scope", "--scope", "my-keyvault-scope", "--scope-backend-type", "AZURE_KEYVAULT",
		"--resource-id", "/subscriptions/<sub-id>/resourceGroups/<rg-name>/providers/Microsoft.KeyVault/vaults/<kv-name>",
		"--dns-name", "https://<kv-name>.vault.azure.net/")
	MustDBXFail(t, 2, "Usage: databricks secrets create-scope [OPTIONS]\nTry 'databricks secrets create-scope -h' for help.\n\nError: Invalid value for '--scope-backend-type': 'azure_keyvault' is not one of 'AZURE_KEYVAULT', 'DATABRICKS'.\n",
		"secrets", "create-scope", "--scope", "x", "--scope-backend-type", "azure_keyvault")
}

// The new CLI's positional syntax.
func TestDatabricksNewSecrets(t *testing.T) {
	MustDatabricks(t)
	MustDBX(t, "secrets", "create-scope", "s2")
	MustDBX(t, "secrets", "create-scope", "--json", `{"scope":"s3","initial_manage_principal":"users"}`)
	MustDBXFail(t, 1, "Error: when --json flag is specified, no positional arguments are allowed. Provide 'scope' in your JSON input\n",
		"secrets", "create-scope", "s4", "--json", `{"scope":"s4"}`)
	MustDBXFail(t, 1, "Error: Scope s2 already exists!\n", "secrets", "create-scope", "s2")
	MustDBX(t, "secrets", "put-secret", "s2", "k1", "--string-value", "hello")
	if _, errOut, code := runCLI(t, "line1\nline2\n", "databricks", "secrets", "put-secret", "s2", "k2"); code != 0 {
		t.Fatalf("put-secret from stdin: exit %d %s", code, errOut)
	}
	MustDBX(t, "secrets", "put-secret", "s2", "k3", "--bytes-value", "raw")
	MustDBXFail(t, 1, "Error: cannot specify both --bytes-value and --string-value\n", "secrets", "put-secret", "s2", "k", "--bytes-value", "a", "--string-value", "b")
	for key, want := range map[string]string{"k1": "hello", "k2": "line1\nline2\n", "k3": "raw"} {
		var got struct{ Key, Value string }
		if err := json.Unmarshal([]byte(MustDBX(t, "secrets", "get-secret", "s2", key)), &got); err != nil {
			t.Fatal(err)
		}
		v, _ := base64.StdEncoding.DecodeString(got.Value)
		if got.Key != key || string(v) != want {
			t.Errorf("get-secret %s = %q %q, want %q", key, got.Key, v, want)
		}
	}
	if out := MustDBX(t, "secrets", "list-secrets", "s2"); !regexp.MustCompile(`^Key +Last Updated Timestamp\nk1 +\d{13}\nk2 +\d{13}\nk3 +\d{13}\n$`).MatchString(out) {
		t.Errorf("list-secrets:\n%s", out)
	}
	var keys []map[string]any
	if err := json.Unmarshal([]byte(MustDBX(t, "secrets", "list-secrets", "s2", "-o", "json")), &keys); err != nil || len(keys) != 3 {
		t.Errorf("list-secrets -o json: %v %v", keys, err)
	}
	if out := MustDBX(t, "secrets", "list-scopes", "-o", "text"); !strings.HasPrefix(out, "Scope  Backend Type\n") || !strings.Contains(out, "s2     DATABRICKS\n") {
		t.Errorf("list-scopes -o text:\n%s", out)
	}
	MustDBX(t, "secrets", "delete-secret", "s2", "k3")
	MustDBXFail(t, 1, "Error: accepts 2 arg(s), received 1\n", "secrets", "delete-secret", "s2")
	MustDBX(t, "secrets", "put-acl", "s2", "users", "WRITE")
	if got := MustDBX(t, "secrets", "get-acl", "s2", "users"); got != "{\n  \"principal\": \"users\",\n  \"permission\": \"WRITE\"\n}\n" {
		t.Errorf("get-acl: %q", got)
	}
	var acls []map[string]string
	if err := json.Unmarshal([]byte(MustDBX(t, "secrets", "list-acls", "s2")), &acls); err != nil || len(acls) == 0 {
		t.Errorf("list-acls: %v %v", acls, err)
	}
	MustDBX(t, "secrets", "delete-acl", "s2", "users")
	MustDBXFail(t, 1, "Error: give the scope either as --scope (legacy syntax) or as an argument (new syntax), not both\n", "secrets", "delete-scope", "s2", "--scope", "s2")
	MustDBX(t, "secrets", "delete-scope", "s2")
	MustDBX(t, "secrets", "delete-scope", "s3")
}

func TestDatabricksTokens(t *testing.T) {
	MustDatabricks(t)
	var created struct {
		TokenValue string `json:"token_value"`
		TokenInfo  struct {
			TokenID string `json:"token_id"`
			Comment string `json:"comment"`
		} `json:"token_info"`
	}
	if err := json.Unmarshal([]byte(MustDBX(t, "tokens", "create", "--comment", "ci", "--lifetime-seconds", "3600")), &created); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.TokenValue, "dapi") || created.TokenInfo.Comment != "ci" {
		t.Fatalf("tokens create: %+v", created.TokenInfo)
	}
	list := MustDBX(t, "tokens", "list")
	if !strings.Contains(list, created.TokenInfo.TokenID) || strings.Contains(list, created.TokenValue) {
		t.Errorf("tokens list:\n%s", list)
	}
	// The new token works, then is revoked.
	t.Setenv("DATABRICKS_TOKEN", created.TokenValue)
	MustDBX(t, "secrets", "list-scopes")
	if got := MustDBX(t, "tokens", "revoke", "--token-id", created.TokenInfo.TokenID); got != "{}\n" {
		t.Errorf("tokens revoke printed %q", got)
	}
	MustDBXFail(t, 1, legacy403+"\n", "secrets", "list-scopes")
	MustDBXFail(t, 1, "Error: Invalid access token.\n", "secrets", "list-secrets", "x")
}

func TestDatabricksTokensDelete(t *testing.T) {
	MustDatabricks(t)
	var created struct {
		TokenInfo struct {
			TokenID string `json:"token_id"`
		} `json:"token_info"`
	}
	json.Unmarshal([]byte(MustDBX(t, "tokens", "create")), &created)
	if got := MustDBX(t, "tokens", "delete", created.TokenInfo.TokenID); got != "" {
		t.Errorf("tokens delete printed %q", got)
	}
	if strings.Contains(MustDBX(t, "tokens", "list"), created.TokenInfo.TokenID) {
		t.Error("the deleted token is still listed")
	}
}

func TestDatabricksConfigure(t *testing.T) {
	e := MustDatabricks(t)
	host, token := e.env["DATABRICKS_HOST"], e.env["DATABRICKS_TOKEN"]
	out, errOut, code := runCLI(t, host+"\n"+token+"\n", "databricks", "configure", "--token")
	if code != 0 {
		t.Fatalf("configure: exit %d %s", code, errOut)
	}
	if strings.Contains(out, token) || strings.Contains(errOut, token) {
		t.Error("configure printed the token")
	}
	if !strings.Contains(out, "Databricks Host (should begin with https://): ") || !strings.Contains(out, "Token: ") {
		t.Errorf("configure prompts: %q", out)
	}
	path := filepath.Join(e.home, ".databrickscfg")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(raw), "[DEFAULT]\nhost = "+host+"\ntoken = "+token+"\n"; got != want {
		t.Errorf("~/.databrickscfg:\n%s\nwant\n%s", got, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("~/.databrickscfg mode %v", st.Mode().Perm())
	}
	// Without the env variables, the file is used.
	t.Setenv("DATABRICKS_HOST", "")
	t.Setenv("DATABRICKS_TOKEN", "")
	MustDBX(t, "secrets", "list-scopes")

	// --aad-token takes the token from $DATABRICKS_AAD_TOKEN, into a named profile.
	t.Setenv("DATABRICKS_AAD_TOKEN", "not-a-valid-token")
	if _, errOut, code := runCLI(t, host+"\n", "databricks", "configure", "--aad-token", "--profile", "aad"); code != 0 {
		t.Fatalf("configure --aad-token: exit %d %s", code, errOut)
	}
	raw, _ = os.ReadFile(path)
	if !strings.Contains(string(raw), "\n[aad]\nhost = "+host+"\ntoken = not-a-valid-token\n") {
		t.Errorf("~/.databrickscfg:\n%s", raw)
	}
	MustDBXFail(t, 1, legacy403+"\n", "secrets", "list-scopes", "--profile", "aad")
	MustDBXFail(t, 1, "Error: profile nope does not exist in "+path+"\n", "secrets", "list-scopes", "--profile", "nope")
	if _, errOut, code := runCLI(t, "http://insecure\n", "databricks", "configure", "--token"); code != 1 || errOut != "Error: the host must begin with https://\n" {
		t.Errorf("configure with an http host: exit %d %q", code, errOut)
	}
}
