package explain

import (
	"fmt"
	"html"
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
	esc := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace
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
	b.WriteString("digraph scopevault {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
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

// SVG layout.
const (
	svgColW   = 290
	svgGap    = 60
	svgBoxW   = 270
	svgLineH  = 14
	svgPad    = 8
	svgMargin = 20
)

// svgColumn is the column a node kind is drawn in, left to right: where
// reads come from, then the networks, the endpoints and zones, the vaults.
func svgColumn(kind string) int {
	switch kind {
	case NodeInternet, NodeControlPlane:
		return 0
	case NodeWorkspace:
		return 1
	case NodeVNet, NodeSubnet:
		return 2
	case NodePrivateEndpoint, NodeDNSZone:
		return 3
	}
	return 4
}

type svgBox struct{ x, y, w, h int }

// SVG draws the diagram by hand: a column per kind of node, virtual
// networks as frames around their subnets, each flow a numbered arrow
// (green allowed, red dashed denied) and, below, the list of flows and
// links with their labels and the rule that decided each flow.
func (g *Diagram) SVG() string {
	boxes := map[string]svgBox{}
	colY := make([]int, 5)
	for i := range colY {
		colY[i] = svgMargin + 30
	}
	kids := g.children()
	height := func(nd Node) int { return svgPad*2 + svgLineH*len(nodeText(nd)) }
	for _, nd := range g.Nodes {
		if nd.Parent != "" {
			continue
		}
		c := svgColumn(nd.Kind)
		x := svgMargin + c*(svgColW+svgGap)
		h := height(nd)
		if nd.Kind == NodeVNet {
			y := colY[c] + h
			for _, k := range kids[nd.ID] {
				kh := height(k)
				boxes[k.ID] = svgBox{x + 10, y, svgBoxW - 20, kh}
				y += kh + 8
			}
			h = y - colY[c] + 2
		}
		boxes[nd.ID] = svgBox{x, colY[c], svgBoxW, h}
		colY[c] += h + 20
	}
	bottom := 0
	for _, y := range colY {
		bottom = max(bottom, y)
	}
	legendY := bottom + 20
	lines := len(g.Flows) + len(g.Links) + 3
	width := svgMargin*2 + 5*svgColW + 4*svgGap
	total := legendY + lines*(svgLineH+4) + svgMargin + 40

	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="11">`+"\n", width, total, width, total)
	b.WriteString(`<defs><marker id="ok" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#2a7d2a"/></marker>` +
		`<marker id="no" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#c0392b"/></marker></defs>` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	for i, title := range []string{"Clients", "Workspaces", "Virtual networks", "Private endpoints and DNS", "Key vaults"} {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", svgMargin+i*(svgColW+svgGap), svgMargin+10, title)
	}
	fill := map[string]string{NodeInternet: "#eef3fb", NodeControlPlane: "#fdf2e3", NodeWorkspace: "#fdf2e3", NodeVNet: "#f4f9f4",
		NodeSubnet: "#e3f1e3", NodePrivateEndpoint: "#f3ecf8", NodeDNSZone: "#f7f7f7", NodeVault: "#e8f0fa"}
	for _, nd := range g.Nodes {
		bx := boxes[nd.ID]
		fmt.Fprintf(&b, `<g id="%s" class="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="#555555"/>`,
			nd.ID, nd.Kind, bx.x, bx.y, bx.w, bx.h, fill[nd.Kind])
		for i, line := range nodeText(nd) {
			weight := ""
			if i == 0 {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d"%s>%s</text>`, bx.x+svgPad, bx.y+svgPad+svgLineH*(i+1)-3, weight, esc(line))
		}
		b.WriteString("</g>\n")
	}
	edge := func(from, to svgBox) (x1, y1, x2, y2 int) {
		x1, y1 = from.x+from.w, from.y+min(from.h/2, 20)
		x2, y2 = to.x, to.y+min(to.h/2, 20)
		if to.x < from.x {
			x1, x2 = from.x, to.x+to.w
		} else if to.x == from.x {
			x1, x2 = from.x+from.w, to.x+to.w
		}
		return
	}
	for _, l := range g.Links {
		x1, y1, x2, y2 := edge(boxes[l.From], boxes[l.To])
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999999" stroke-dasharray="2,3"/>`+"\n", x1, y1, x2, y2)
	}
	for i, f := range g.Flows {
		x1, y1, x2, y2 := edge(boxes[f.From], boxes[f.To])
		color, dash, marker := "#2a7d2a", "", "ok"
		if !f.Allowed {
			color, dash, marker = "#c0392b", ` stroke-dasharray="6,4"`, "no"
		}
		fmt.Fprintf(&b, `<g class="flow"><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5"%s marker-end="url(#%s)"/>`, x1, y1, x2, y2, color, dash, marker)
		mx, my := (x1+x2)/2, (y1+y2)/2
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="8" fill="#ffffff" stroke="%s"/><text x="%d" y="%d" text-anchor="middle" font-size="9" fill="%s">%d</text></g>`+"\n",
			mx, my, color, mx, my+3, color, i+1)
	}
	y := legendY
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">Flows (decided by the vault's network gate)</text>`+"\n", svgMargin, y)
	for i, f := range g.Flows {
		y += svgLineH + 4
		color := "#2a7d2a"
		if !f.Allowed {
			color = "#c0392b"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%d. %s</text><text x="%d" y="%d" fill="#555555">%s</text>`+"\n",
			svgMargin, y, color, i+1, esc(f.Label), svgMargin+520, y, esc(f.Rule))
	}
	y += svgLineH + 8
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">Links</text>`+"\n", svgMargin, y)
	label := map[string]string{}
	for _, nd := range g.Nodes {
		label[nd.ID] = nd.Label
	}
	for _, l := range g.Links {
		y += svgLineH + 4
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555555">%s</text>`+"\n", svgMargin, y, esc(label[l.From]+" — "+l.Label+" — "+label[l.To]))
	}
	b.WriteString("</svg>\n")
	return b.String()
}
