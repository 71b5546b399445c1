package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/explain"
)

// The seed's setup, built by apply -f examples/seed.yaml on a fresh server,
// draws: every resource and every flow of the diagram is text in the SVG,
// and the control plane's read of the seed's scope is there, decided.
func TestDiagramOfTheSeed(t *testing.T) {
	MustAz(t)
	t.Setenv("DB_PASSWORD", "seed-db-password")
	t.Setenv("API_KEY", "seed-api-key")
	t.Setenv("HOME", t.TempDir())
	mustCLI(t, "apply", "-f", "../../examples/seed.yaml")

	var g explain.Diagram
	if err := json.Unmarshal([]byte(mustCLI(t, "diagram", "--format", "json")), &g); err != nil {
		t.Fatal(err)
	}
	svg := mustCLI(t, "diagram")
	kinds := map[string]int{}
	for _, n := range g.Nodes {
		kinds[n.Kind]++
		for _, text := range append([]string{n.Label}, n.Details...) {
			if !strings.Contains(svg, xmlText(text)) {
				t.Errorf("the SVG lacks %q", text)
			}
		}
	}
	for _, k := range []string{explain.NodeWorkspace, explain.NodeVNet, explain.NodeSubnet, explain.NodePrivateEndpoint, explain.NodeDNSZone, explain.NodeVault} {
		if kinds[k] == 0 {
			t.Errorf("the seed's diagram has no %s: %v", k, kinds)
		}
	}
	controlPlane := 0
	for _, f := range g.Flows {
		if !strings.Contains(svg, xmlText(f.Label)) || !strings.Contains(svg, xmlText(f.Rule)) {
			t.Errorf("the SVG lacks flow %q or its rule", f.Label)
		}
		if strings.HasPrefix(f.Label, "control plane -> ") {
			controlPlane++
		}
	}
	if controlPlane == 0 {
		t.Errorf("no control-plane flow for the seed's Key Vault-backed scope among %d flows", len(g.Flows))
	}
	if strings.Contains(svg, "seed-db-password") || strings.Contains(svg, "seed-api-key") {
		t.Error("the diagram shows a secret's value")
	}
}
