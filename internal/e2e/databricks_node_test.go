package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/server"
)

// TestJSDatabricksSDK runs the unmodified @databricks/sdk-experimental under
// node against the default workspace, configured by the env file: every
// secrets method, tokens, currentUser.me(), a non-admin service principal
// added by SCIM that mints its own PAT and is refused, then allowed, by the
// scope's ACLs, and the documented error codes.
func TestJSDatabricksSDK(t *testing.T) {
	node := requireTool(t, "node")
	dir := filepath.Join(repoRoot(t), "internal", "e2e", "js")
	if m, _ := filepath.Glob(filepath.Join(dir, "node_modules", "@databricks", "sdk-experimental", "package.json")); len(m) == 0 {
		missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	c := MustClient(t, env)
	graph := c.Token(t, env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"], "https://graph.microsoft.com/.default")
	sp := MustGraphSP(t, c, srv, graph, "js-databricks-sp")
	env["SP_CLIENT_ID"], env["SP_CLIENT_SECRET"] = sp.AppID, sp.Secret
	env["VAULT_RESOURCE_ID"] = defaultVaultID(srv)
	// A home of its own, so no developer ~/.databrickscfg is read.
	env["HOME"] = t.TempDir()
	out := run(t, dir, environ(env), node, "databricks.mjs")
	if !strings.Contains(out, "OK: databricks sdk") {
		t.Fatalf("node output:\n%s", out)
	}
	for _, step := range []string{"currentUser.me", "createScope", "listScopes", "putSecret", "getSecret", "listSecrets", "acls",
		"deleteSecret", "tokens", "servicePrincipals.create", "sp minted its PAT", "sp allowed by ACL", "deleteScope",
		"error scope-exists RESOURCE_ALREADY_EXISTS", "error scope-missing RESOURCE_DOES_NOT_EXIST", "error akv-with-pat INVALID_PARAMETER_VALUE",
		"error invalid-token 403", "error sp-no-acl PERMISSION_DENIED"} {
		if !strings.Contains(out, "ok "+step) {
			t.Errorf("step %q did not run:\n%s", step, out)
		}
	}
	if strings.Contains(out, "hunter2-js") {
		t.Error("the script printed a secret value")
	}
}

// defaultVaultID is the ARM id of the vault `up` creates.
func defaultVaultID(srv *server.Server) string {
	return "/subscriptions/" + srv.Boot.SubscriptionID + "/resourceGroups/" + srv.Boot.ResourceGroup +
		"/providers/Microsoft.KeyVault/vaults/" + srv.Boot.Vault
}
