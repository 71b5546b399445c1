package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestJSArmNetwork runs @azure/arm-network, @azure/arm-privatedns and
// @azure/arm-keyvault with @azure/identity under node, configured only by
// the env file: a virtual network with subnets, private endpoints (automatic,
// and manual approved by the vault's owner), a private DNS zone with a link
// and a zone group filling its A record, read back and deleted.
func TestJSArmNetwork(t *testing.T) {
	node := requireTool(t, "node")
	dir := filepath.Join(repoRoot(t), "internal", "e2e", "js")
	for _, pkg := range []string{"arm-network", "arm-privatedns"} {
		if m, _ := filepath.Glob(filepath.Join(dir, "node_modules", "@azure", pkg, "package.json")); len(m) == 0 {
			missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
		}
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	out := run(t, dir, environ(env), node, "armnetwork.mjs", srv.Boot.ResourceGroup)
	if !strings.Contains(out, "OK: arm-network and arm-privatedns") {
		t.Fatalf("node output:\n%s", out)
	}
	for _, op := range []string{"virtualNetworks.createOrUpdate", "subnets", "privateEndpoints.createOrUpdate", "privateEndpointConnections.put", "privateEndpointConnections.delete",
		"privateZones and virtualNetworkLinks", "privateDnsZoneGroups.createOrUpdate", "read back", "delete"} {
		if !strings.Contains(out, "ok "+op+"\n") {
			t.Errorf("step %s did not run:\n%s", op, out)
		}
	}
}
