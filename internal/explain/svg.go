package explain

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// SVG layout, in pixels. Text is 11px Helvetica; charW over-estimates a
// character's width so that boxes always hold their text.
const (
	svgMinBoxW = 220
	svgGap     = 90
	svgLineH   = 14
	svgPad     = 8
	svgMargin  = 20
	svgCharW   = 6.6
	svgTitleY  = svgMargin + 10
	svgTop     = svgMargin + 30
	svgLaneH   = 8
)

// svgColumn is the column a node kind is drawn in, left to right: where
// reads come from, then the workspaces, the networks, the endpoints and
// zones, the vaults.
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

var svgTitles = []string{"Clients", "Workspaces", "Virtual networks", "Private endpoints and DNS", "Key vaults"}

type svgBox struct{ x, y, w, h int }

// xmlText escapes s for SVG text: markup characters become entities, and
// what XML cannot hold (control characters, invalid UTF-8) becomes U+FFFD.
func xmlText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return html.EscapeString(s)
}

func textW(s string) int { return int(float64(len([]rune(s)))*svgCharW) + 1 }

// svgPorts spreads the ends of n edges over a box's side.
func (b svgBox) port(i, n int) int { return b.y + (i+1)*b.h/(n+1) }

// SVG draws the diagram by hand: a column per kind of node, each as wide
// as its longest line; virtual networks are frames around their subnets.
// Each flow is a numbered arrow from its source's right side to the
// vault's left side, through the private endpoint it passes (green
// allowed, red dashed denied); structural links are grey dotted lines.
// Below, every flow with its label and the rule that decided it, and every
// link, as text.
func (g *Diagram) SVG() string {
	kids := g.children()
	// Column widths.
	colW := make([]int, len(svgTitles))
	for i, t := range svgTitles {
		colW[i] = max(svgMinBoxW, textW(t)+4)
	}
	nodeW := func(nd Node) int {
		w := 0
		for _, l := range nodeText(nd) {
			w = max(w, textW(l))
		}
		return w + 2*svgPad
	}
	for _, nd := range g.Nodes {
		w := nodeW(nd)
		if nd.Parent != "" {
			w += 20
		}
		c := svgColumn(nd.Kind)
		colW[c] = max(colW[c], w)
	}
	colX := make([]int, len(colW))
	x := svgMargin
	for i, w := range colW {
		colX[i] = x
		x += w + svgGap
	}
	width := x - svgGap + svgMargin

	// Boxes, top to bottom in each column.
	boxes := map[string]svgBox{}
	colY := make([]int, len(colW))
	for i := range colY {
		colY[i] = svgTop
	}
	height := func(nd Node) int { return svgPad*2 + svgLineH*len(nodeText(nd)) }
	for _, nd := range g.Nodes {
		if nd.Parent != "" {
			continue
		}
		c := svgColumn(nd.Kind)
		h := height(nd)
		if nd.Kind == NodeVNet {
			y := colY[c] + h
			for _, k := range kids[nd.ID] {
				kh := height(k)
				boxes[k.ID] = svgBox{colX[c] + 10, y, colW[c] - 20, kh}
				y += kh + 8
			}
			h = y - colY[c] + 2
		}
		boxes[nd.ID] = svgBox{colX[c], colY[c], colW[c], h}
		colY[c] += h + 24
	}
	bottom := 0
	for _, y := range colY {
		bottom = max(bottom, y)
	}

	// Ports: each flow leaves its source's right side and enters each box
	// it reaches on the left, at a height of its own.
	outs, ins := map[string][]int{}, map[string][]int{}
	for i, f := range g.Flows {
		outs[f.From] = append(outs[f.From], i)
		if f.Via != "" {
			ins[f.Via] = append(ins[f.Via], i)
			outs[f.Via] = append(outs[f.Via], i)
		}
		ins[f.To] = append(ins[f.To], i)
	}
	portY := func(side map[string][]int, node string, flow int) int {
		list := side[node]
		for k, i := range list {
			if i == flow {
				return boxes[node].port(k, len(list))
			}
		}
		return boxes[node].port(0, 1)
	}

	// The legend below the drawing.
	labelW := 0
	for _, f := range g.Flows {
		labelW = max(labelW, textW(fmt.Sprintf("%d. %s", len(g.Flows), f.Label)))
	}
	ruleX := svgMargin + labelW + 30
	for _, f := range g.Flows {
		width = max(width, ruleX+textW(f.Rule)+svgMargin)
	}
	// A flow that would cross a column of boxes runs below them instead,
	// in a lane of its own: down the gap after its source's column, along
	// its lane, up the gap before the vault's.
	col := map[string]int{}
	for _, nd := range g.Nodes {
		col[nd.ID] = svgColumn(nd.Kind)
	}
	lane := map[int]int{}
	for i, f := range g.Flows {
		if f.Via == "" && col[f.To]-col[f.From] > 1 {
			lane[i] = len(lane)
		}
	}
	lanesBottom := bottom + len(lane)*svgLaneH
	legendY := lanesBottom + 20
	total := legendY + (len(g.Flows)+len(g.Links)+2)*(svgLineH+4) + 3*svgLineH + svgMargin

	var b strings.Builder
	esc := xmlText
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="11">`+"\n", width, total, width, total)
	b.WriteString(`<defs><marker id="ok" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#2a7d2a"/></marker>` +
		`<marker id="no" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#c0392b"/></marker></defs>` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	for i, title := range svgTitles {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", colX[i], svgTitleY, title)
	}

	// Structural links first, flows over them, boxes over both: a line is
	// seen between the columns, and a box's text is never crossed.
	for _, l := range g.Links {
		from, to := boxes[l.From], boxes[l.To]
		x1, y1, x2, y2 := from.x+from.w, from.y+from.h/2, to.x, to.y+to.h/2
		if to.x < from.x {
			x1, x2 = from.x, to.x+to.w
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999999" stroke-dasharray="2,3"/>`+"\n", x1, y1, x2, y2)
	}
	type mark struct{ x, y, n int }
	var marks []mark
	for i, f := range g.Flows {
		color, dash, marker := "#2a7d2a", "", "ok"
		if !f.Allowed {
			color, dash, marker = "#c0392b", ` stroke-dasharray="6,4"`, "no"
		}
		from, to := boxes[f.From], boxes[f.To]
		pts := []string{fmt.Sprintf("%d,%d", from.x+from.w, portY(outs, f.From, i))}
		if f.Via != "" {
			via := boxes[f.Via]
			pts = append(pts, fmt.Sprintf("%d,%d", via.x, portY(ins, f.Via, i)), fmt.Sprintf("%d,%d", via.x+via.w, portY(outs, f.Via, i)))
		}
		ty := portY(ins, f.To, i)
		if k, ok := lane[i]; ok {
			ly := bottom + k*svgLaneH
			xOut := from.x + from.w + 10 + (k%16)*4
			xIn := to.x - 34 - (k%12)*4
			pts = append(pts, fmt.Sprintf("%d,%d", xOut, portY(outs, f.From, i)), fmt.Sprintf("%d,%d", xOut, ly),
				fmt.Sprintf("%d,%d", xIn, ly), fmt.Sprintf("%d,%d", xIn, ty))
		}
		pts = append(pts, fmt.Sprintf("%d,%d", to.x-1, ty))
		fmt.Fprintf(&b, `<polyline class="flow" points="%s" fill="none" stroke="%s" stroke-width="1.5"%s marker-end="url(#%s)"/>`+"\n",
			strings.Join(pts, " "), color, dash, marker)
		marks = append(marks, mark{to.x - 24, ty, i + 1})
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
	for _, m := range marks {
		color := "#2a7d2a"
		if !g.Flows[m.n-1].Allowed {
			color = "#c0392b"
		}
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="8" fill="#ffffff" stroke="%s"/><text x="%d" y="%d" text-anchor="middle" font-size="9" fill="%s">%d</text>`+"\n",
			m.x, m.y, color, m.x, m.y+3, color, m.n)
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
			svgMargin, y, color, i+1, esc(f.Label), ruleX, y, esc(f.Rule))
	}
	y += svgLineH + 12
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
