package explain

import (
	"fmt"
	"strings"
)

// Formats the diagram renders to.
var Formats = []string{"svg", "mermaid", "dot", "json"}

// nodeText is a node's label with its details, one per line.
func nodeText(nd Node) []string { return append([]string{nd.Label}, nd.Details...) }

// children are the nodes drawn inside parent, by parent id.
func (g *Diagram) children() map[string][]Node {
	out := map[string][]Node{}
	for _, nd := range g.Nodes {
		if nd.Parent != "" {
			out[nd.Parent] = append(out[nd.Parent], nd)
		}
	}
	return out
}

// Mermaid renders a flowchart: virtual networks are subgraphs holding
// their subnets; flows are solid (allowed) or dotted (denied) arrows;
// structural links are plain lines.
func (g *Diagram) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	esc := strings.NewReplacer("#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "\r\n", " ", "\n", " ", "\r", " ").Replace
	q := func(s string) string { return `"` + esc(s) + `"` }
	label := func(nd Node) string {
		lines := nodeText(nd)
		for i := range lines {
			lines[i] = esc(lines[i])
		}
		return `"` + strings.Join(lines, "<br/>") + `"`
	}
	kids := g.children()
	for _, nd := range g.Nodes {
		switch {
		case nd.Parent != "":
			continue
		case nd.Kind == NodeVNet:
			fmt.Fprintf(&b, "  subgraph %s[%s]\n", nd.ID, label(nd))
			for _, c := range kids[nd.ID] {
				fmt.Fprintf(&b, "    %s[%s]\n", c.ID, label(c))
			}
			b.WriteString("  end\n")
		case nd.Kind == NodeVault:
			fmt.Fprintf(&b, "  %s[(%s)]\n", nd.ID, label(nd))
		case nd.Kind == NodeInternet || nd.Kind == NodeControlPlane:
			fmt.Fprintf(&b, "  %s([%s])\n", nd.ID, label(nd))
		default:
			fmt.Fprintf(&b, "  %s[%s]\n", nd.ID, label(nd))
		}
	}
	i := 0
	var allowed, denied []string
	for _, f := range g.Flows {
		arrow := "-->"
		if !f.Allowed {
			arrow = "-.->"
			denied = append(denied, fmt.Sprint(i))
		} else {
			allowed = append(allowed, fmt.Sprint(i))
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", f.From, arrow, q(f.Label), f.To)
		i++
	}
	for _, l := range g.Links {
		fmt.Fprintf(&b, "  %s ---|%s| %s\n", l.From, q(l.Label), l.To)
		i++
	}
	if len(allowed) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#2a7d2a,stroke-width:2px\n", strings.Join(allowed, ","))
	}
	if len(denied) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#c0392b,stroke-width:2px\n", strings.Join(denied, ","))
	}
	return b.String()
}

// DOT renders a Graphviz digraph: virtual networks are clusters.
func (g *Diagram) DOT() string {
	var b strings.Builder
	q := func(s string) string {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
	}
	b.WriteString("digraph scopevault {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\", fontsize=11];\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	shape := map[string]string{NodeVault: "cylinder", NodeInternet: "ellipse", NodeControlPlane: "ellipse", NodeDNSZone: "note", NodePrivateEndpoint: "component"}
	node := func(indent string, nd Node) {
		s := shape[nd.Kind]
		if s == "" {
			s = "box"
		}
		fmt.Fprintf(&b, "%s%s [label=%s, shape=%s];\n", indent, nd.ID, q(strings.Join(nodeText(nd), "\n")), s)
	}
	kids := g.children()
	for _, nd := range g.Nodes {
		switch {
		case nd.Parent != "":
		case nd.Kind == NodeVNet:
			fmt.Fprintf(&b, "  subgraph cluster_%s {\n    label=%s;\n", nd.ID, q(strings.Join(nodeText(nd), "\n")))
			fmt.Fprintf(&b, "    %s [label=%s, shape=point];\n", nd.ID, q(nd.Label))
			for _, c := range kids[nd.ID] {
				node("    ", c)
			}
			b.WriteString("  }\n")
		default:
			node("  ", nd)
		}
	}
	for _, f := range g.Flows {
		color, style := "#2a7d2a", "solid"
		if !f.Allowed {
			color, style = "#c0392b", "dashed"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s, color=%q, fontcolor=%q, style=%s];\n", f.From, f.To, q(f.Label), color, color, style)
	}
	for _, l := range g.Links {
		fmt.Fprintf(&b, "  %s -> %s [label=%s, dir=none, color=\"#888888\", fontcolor=\"#555555\"];\n", l.From, l.To, q(l.Label))
	}
	b.WriteString("}\n")
	return b.String()
}
