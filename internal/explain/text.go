package explain

import (
	"fmt"
	"strings"
)

// Text renders a report for people: a heading with the verdict, one line
// per hop (outcome, the rule that decided it, what would change it), and
// the error the caller gets.
func (r *Report) Text() string {
	var b strings.Builder
	verdict := "ALLOWED"
	if !r.Allowed {
		verdict = "DENIED"
	}
	fmt.Fprintf(&b, "%s: %s\n", verdict, r.Subject)
	width := 0
	for _, h := range r.Hops {
		width = max(width, len(h.Name))
	}
	for i, h := range r.Hops {
		line := fmt.Sprintf("%d. %-*s  %-7s  %s", i+1, width, h.Name, h.Outcome, oneLine(h.Rule))
		if h.Change != "" && h.Outcome != Skipped {
			line += "  | to change: " + oneLine(h.Change)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if r.Error != nil {
		code := r.Error.Code
		if r.Error.InnerCode != "" {
			code += " (" + r.Error.InnerCode + ")"
		}
		fmt.Fprintf(&b, "error: %d %s: %s\n", r.Error.Status, code, oneLine(r.Error.Message))
	}
	return b.String()
}

// oneLine folds Key Vault's CRLF-separated messages onto one line.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.TrimSpace(strings.Join(strings.Fields(s), " "))
}
