package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestJSArmDatabricks runs @azure/arm-databricks with @azure/identity under
// node, configured only by the env file (SCOPEVAULT_ARM_ENDPOINT and the
// client credential, no scope override): create and delete polled to done,
// get, both lists, tag update and the ARM error codes.
func TestJSArmDatabricks(t *testing.T) {
	node := requireTool(t, "node")
	dir := filepath.Join(repoRoot(t), "internal", "e2e", "js")
	if m, _ := filepath.Glob(filepath.Join(dir, "node_modules", "@azure", "arm-databricks", "package.json")); len(m) == 0 {
		missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	out := run(t, dir, environ(env), node, "armdatabricks.mjs", srv.Boot.ResourceGroup)
	if !strings.Contains(out, "OK: arm-databricks workspace lifecycle") {
		t.Fatalf("node output:\n%s", out)
	}
	for _, op := range []string{"createOrUpdate", "get", "listByResourceGroup", "listBySubscription", "update", "delete", "errors", "endpoint scope"} {
		if !strings.Contains(out, "ok "+op+"\n") {
			t.Errorf("operation %s did not run:\n%s", op, out)
		}
	}
}
