package cli

import (
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// tabulate renders rows as Python tabulate's "simple" format, which the
// legacy CLI prints: every column at least its header plus two wide,
// columns two spaces apart, a dashed rule under the headers, numeric
// columns (every cell a number) right-aligned, the others left-aligned
// and padded to the column's width.
func tabulate(w io.Writer, headers []string, rows [][]string) error {
	widths := make([]int, len(headers))
	numeric := make([]bool, len(headers))
	for i, h := range headers {
		widths[i] = len(h) + 2
		numeric[i] = len(rows) > 0
		for _, r := range rows {
			widths[i] = max(widths[i], len(r[i]))
			if _, err := strconv.ParseFloat(strings.TrimSpace(r[i]), 64); err != nil {
				numeric[i] = false
			}
		}
	}
	line := func(cells []string) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-len(c))
			if numeric[i] {
				out[i] = pad + c
			} else {
				out[i] = c + pad
			}
		}
		return strings.Join(out, "  ") + "\n"
	}
	var b strings.Builder
	b.WriteString(line(headers))
	rule := make([]string, len(headers))
	for i := range headers {
		rule[i] = strings.Repeat("-", widths[i])
	}
	b.WriteString(strings.Join(rule, "  ") + "\n")
	for _, r := range rows {
		b.WriteString(line(r))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// textTable renders the new CLI's text tables: tab-separated columns
// aligned two spaces apart.
func textTable(w io.Writer, headers []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	io.WriteString(tw, strings.Join(headers, "\t")+"\n")
	for _, r := range rows {
		io.WriteString(tw, strings.Join(r, "\t")+"\n")
	}
	return tw.Flush()
}
