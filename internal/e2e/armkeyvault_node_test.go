package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestJSArmKeyVault runs @azure/arm-keyvault with @azure/identity under node,
// configured only by the env file (SCOPEVAULT_ARM_ENDPOINT for the endpoint):
// create, update, list, access policies, delete, recover and purge.
func TestJSArmKeyVault(t *testing.T) {
	node := requireTool(t, "node")
	dir := filepath.Join(repoRoot(t), "internal", "e2e", "js")
	if m, _ := filepath.Glob(filepath.Join(dir, "node_modules", "@azure", "arm-keyvault", "package.json")); len(m) == 0 {
		missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	out := run(t, dir, environ(env), node, "armkeyvault.mjs", srv.Boot.ResourceGroup)
	if !strings.Contains(out, "OK: arm-keyvault vault lifecycle") {
		t.Fatalf("node output:\n%s", out)
	}
	for _, op := range []string{"checkNameAvailability", "createOrUpdate", "update", "get", "listByResourceGroup", "listBySubscription",
		"updateAccessPolicy(add)", "updateAccessPolicy(remove)", "delete", "getDeleted", "listDeleted", "createOrUpdate(recover)", "purgeDeleted", "errors"} {
		if !strings.Contains(out, "ok "+op+"\n") {
			t.Errorf("operation %s did not run:\n%s", op, out)
		}
	}
}
