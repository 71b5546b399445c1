package explain_test

import (
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/explain"
)

func sampleDiagram() *explain.Diagram {
	return &explain.Diagram{
		Nodes: []explain.Node{
			{ID: "n0", Kind: explain.NodeInternet, Label: "Internet clients"},
			{ID: "n1", Kind: explain.NodeVNet, Label: `vnet "a<b>&c"`, Details: []string{"address space 10.0.0.0/16"}},
			{ID: "n2", Kind: explain.NodeSubnet, Label: "subnet a/s1", Parent: "n1", Details: []string{"service endpoint Microsoft.KeyVault"}},
			{ID: "n3", Kind: explain.NodeVault, Label: "vault kv", Details: []string{"public access Disabled"}},
			{ID: "n4", Kind: explain.NodeDNSZone, Label: "private DNS zone privatelink.vaultcore.azure.net", Details: []string{"A kv -> 10.0.1.4"}},
		},
		Flows: []explain.Flow{
			{From: "n0", To: "n3", Label: "internet -> kv: denied (ForbiddenByConnection)", Reason: "ForbiddenByConnection", Rule: `public network access is "Disabled"`},
			{From: "n2", To: "n3", Label: "subnet a/s1 -> kv via private endpoint pe: allowed", Allowed: true, Rule: "approved"},
		},
		Links: []explain.Link{{From: "n4", To: "n1", Label: "linked to"}},
	}
}

// TestRenderers: the SVG is well-formed XML holding every label, detail and
// flow; Mermaid and DOT keep their syntax whatever the names hold.
func TestRenderers(t *testing.T) {
	g := sampleDiagram()
	svg := g.SVG()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
			text.WriteByte('\n')
		}
	}
	for _, n := range g.Nodes {
		for _, s := range append([]string{n.Label}, n.Details...) {
			if !strings.Contains(text.String(), s) {
				t.Errorf("the SVG's text lacks %q", s)
			}
		}
	}
	for _, f := range g.Flows {
		if !strings.Contains(text.String(), f.Label) || !strings.Contains(text.String(), f.Rule) {
			t.Errorf("the SVG's text lacks flow %q or its rule", f.Label)
		}
	}

	mm := g.Mermaid()
	for _, want := range []string{"flowchart LR\n", `subgraph n1["vnet #quot;a#lt;b#gt;&c#quot;<br/>address space 10.0.0.0/16"]`, "    n2[", "  end\n",
		`n0 -.->|"internet -#gt; kv: denied (ForbiddenByConnection)"| n3`, `n2 -->|"subnet a/s1 -#gt; kv via private endpoint pe: allowed"| n3`,
		`n4 ---|"linked to"| n1`, "linkStyle 1 stroke:#2a7d2a", "linkStyle 0 stroke:#c0392b", "n3[(", "n0(["} {
		if !strings.Contains(mm, want) {
			t.Errorf("mermaid lacks %q:\n%s", want, mm)
		}
	}
	dot := g.DOT()
	for _, want := range []string{"digraph scopevault {", `subgraph cluster_n1 {`, `label="vnet \"a<b>&c\"\naddress space 10.0.0.0/16";`,
		`n0 -> n3 [label="internet -> kv: denied (ForbiddenByConnection)", color="#c0392b"`, "style=dashed", `n4 -> n1 [label="linked to", dir=none`} {
		if !strings.Contains(dot, want) {
			t.Errorf("dot lacks %q:\n%s", want, dot)
		}
	}
	if strings.Count(dot, "{") != strings.Count(dot, "}") {
		t.Errorf("dot braces unbalanced")
	}
	// Graphviz itself reads it (.ci/run installs it; in CI its absence fails).
	bin, err := exec.LookPath("dot")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal("CI: graphviz (dot) is not installed")
	}
	if err == nil {
		cmd := exec.Command(bin, "-Tsvg")
		cmd.Stdin = strings.NewReader(dot)
		if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "Warning") || strings.Contains(string(out), "Error") {
			t.Errorf("graphviz: %v\n%.500s", err, out)
		}
	}
}

// TestReportText: one line per hop, the verdict first, the error last.
func TestReportText(t *testing.T) {
	r := &explain.Report{Kind: "direct", Subject: "app a reads secret s of vault kv from internet", Hops: []explain.Hop{
		{Name: explain.HopResolution, Outcome: explain.Allowed, Rule: "resolves publicly"},
		{Name: explain.HopNetworkGate, Outcome: explain.Denied, Rule: "public network access is Disabled", Change: "approve it",
			Error: &explain.WireError{Status: 403, Code: "Forbidden", InnerCode: "ForbiddenByConnection", Message: "Public network access is disabled.\r\nCaller: x\r\nVault: kv;location=eastus"}},
		{Name: explain.HopAuthorization, Outcome: explain.Skipped, Rule: "not reached"},
	}}
	r.Error = r.Hops[1].Error
	got := r.Text()
	want := "DENIED: app a reads secret s of vault kv from internet\n" +
		"1. name resolution      allowed  resolves publicly\n" +
		"2. network gate         denied   public network access is Disabled  | to change: approve it\n" +
		"3. vault authorization  skipped  not reached\n" +
		"error: 403 Forbidden (ForbiddenByConnection): Public network access is disabled. Caller: x Vault: kv;location=eastus\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestDiagramFlowsAgreeWithExplain: every flow of the diagram is what
// explain says of the same read (a subnet's or the internet's reader, the
// control plane's read of a scope's vault).
func TestDiagramFlowsAgreeWithExplain(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	const kv = "kv-diagram"
	v := f.mustVault(t, kv)
	if _, err := f.wsvc.CreateScope(ctx, f.admin, workspaceScope("s1", v)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pna, bypass, state string
	}{{"Disabled", "None", "Approved"}, {"Disabled", "AzureServices", "Pending"}, {"Enabled", "None", ""}, {"Enabled", "AzureServices", "Rejected"}} {
		f.set(t, kv, c.pna, &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: c.bypass,
			VirtualNetworkRules: []scopevault.VNetRule{{ID: strings.ToLower(sub1 + "/subnets/se")}}}, c.state)
		g, err := f.ex.Diagram(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]explain.Node{}
		for _, n := range g.Nodes {
			byID[n.ID] = n
		}
		seen := 0
		for _, fl := range g.Flows {
			if byID[fl.To].Label != "vault "+kv {
				continue
			}
			seen++
			var r *explain.Report
			switch from := byID[fl.From]; from.Kind {
			case explain.NodeControlPlane:
				r, err = f.ex.Scope(ctx, f.admin, "s1", "db-password")
			case explain.NodeInternet:
				r, err = f.ex.Direct(ctx, f.reader, kv, "db-password", explain.From{Kind: explain.FromInternet})
			case explain.NodeSubnet:
				r, err = f.ex.Direct(ctx, f.reader, kv, "db-password", explain.From{Kind: explain.FromSubnet, Subnet: from.Resource})
			default:
				t.Fatalf("a flow from %s", from.Kind)
			}
			if err != nil {
				t.Fatal(err)
			}
			gate := r.Hops[len(r.Hops)-3]
			if gate.Name != explain.HopNetworkGate || (gate.Outcome == explain.Allowed) != fl.Allowed || gate.Rule != fl.Rule {
				t.Fatalf("%+v: flow %q (%s) but explain's gate %s: %s", c, fl.Label, fl.Rule, gate.Outcome, gate.Rule)
			}
		}
		if seen != 1+3+1 {
			t.Fatalf("%d flows to %s, want internet, three subnets and the control plane", seen, kv)
		}
	}
}

// FuzzRender: whatever names and rules hold, the SVG is well-formed XML
// and the Mermaid and DOT labels stay inside their quotes.
func FuzzRender(f *testing.F) {
	f.Add("vault kv", "subnet a/b", `rule "x" <y> & z`)
	f.Add("\x00\x01", "\xff\xfe", "a\nb\r\nc")
	f.Fuzz(func(t *testing.T, a, b, rule string) {
		g := sampleDiagram()
		g.Nodes[0].Label, g.Nodes[2].Label, g.Nodes[3].Details = a, b, []string{rule}
		g.Flows[0].Label, g.Flows[0].Rule, g.Links[0].Label = a, rule, b
		dec := xml.NewDecoder(strings.NewReader(g.SVG()))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("the SVG is not well-formed: %v", err)
			}
		}
		for _, line := range strings.Split(g.Mermaid(), "\n") {
			if strings.Count(line, `"`)%2 != 0 {
				t.Fatalf("mermaid line with an unbalanced quote: %q", line)
			}
		}
		dot := g.DOT()
		unq := strings.ReplaceAll(strings.ReplaceAll(dot, `\\`, ""), `\"`, "")
		if strings.Count(unq, `"`)%2 != 0 {
			t.Fatalf("dot with an unbalanced quote:\n%s", dot)
		}
	})
}
