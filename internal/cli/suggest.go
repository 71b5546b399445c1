package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// unknownCommand finds the first word of args that names no subcommand of
// the group it is given to, and fails as the group's own CLI would: under
// `az` with az's words and difflib's closest choices, under `databricks`
// and the root with cobra's (the Databricks CLI's) "Did you mean this?".
// Without it, the group parsed the words after the typo as its own flags
// and said `unknown flag: --vault-name`, which hid the typo.
func unknownCommand(root *cobra.Command, args []string) error {
	cmd, rest, err := root.Find(args)
	if cmd == nil || (err == nil && cmd.Runnable()) || !cmd.HasSubCommands() {
		return nil
	}
	word, ok := firstWord(cmd, rest)
	if !ok || word == "help" || word == "completion" {
		return nil
	}
	for _, sub := range cmd.Commands() {
		if sub.Name() == word || sub.HasAlias(word) {
			return nil
		}
	}
	var choices []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			choices = append(choices, sub.Name())
		}
	}
	if prog, inAz := azProg(cmd); inAz {
		msg := fmt.Sprintf("%s: '%s' is not in the '%s' command group. See '%s --help'.", prog, word, prog, prog)
		switch close := closeMatches(word, choices, 3, 0.7); len(close) {
		case 0:
		case 1:
			msg += fmt.Sprintf("\n\nThe most similar choice to '%s' is:\n\t%s", word, close[0])
		default:
			msg += fmt.Sprintf("\n\nThe most similar choices to '%s' are:\n\t%s", word, strings.Join(close, "\n\t"))
		}
		return &exitError{code: 2, msg: "ERROR: " + msg}
	}
	prog := cmd.CommandPath() // "databricks secrets" as the Databricks CLI names itself
	if cmd.HasParent() {
		prog = strings.TrimPrefix(prog, root.Name()+" ")
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	msg := fmt.Sprintf("Error: unknown command %q for %q", word, prog)
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return &exitError{code: 1, msg: msg + fmt.Sprintf("\n\nRun '%s --help' for usage.", prog)}
}

// azProg is az's name for a command group ("az keyvault secret") when cmd
// is in the az tree.
func azProg(cmd *cobra.Command) (string, bool) {
	var path []string
	for c := cmd; c != nil; c = c.Parent() {
		path = append([]string{c.Name()}, path...)
		if c.Name() == "az" && c.HasParent() && !c.Parent().HasParent() {
			return strings.Join(path, " "), true
		}
	}
	return "", false
}

// firstWord is the first argument that is neither a flag nor a flag's
// value, reading cmd's flags (and those it inherits) for which take a value.
func firstWord(cmd *cobra.Command, args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return "", false
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return a, true
		}
		if strings.Contains(a, "=") {
			continue
		}
		var name string
		var short bool
		if n, ok := strings.CutPrefix(a, "--"); ok {
			name = n
		} else {
			name, short = a[len(a)-1:], true
		}
		f := cmd.Flags().Lookup(name)
		if short {
			f = cmd.Flags().ShorthandLookup(name)
		}
		if f == nil {
			if short {
				f = cmd.InheritedFlags().ShorthandLookup(name)
			} else {
				f = cmd.InheritedFlags().Lookup(name)
			}
		}
		if f != nil && f.NoOptDefVal == "" {
			i++ // the flag's value
		}
	}
	return "", false
}

// closeMatches is Python's difflib.get_close_matches as az calls it: the
// choices whose similarity to word (2*matches/total length, matches counted
// by difflib's longest-common-block recursion) is at least cutoff, best
// first, at most n.
func closeMatches(word string, choices []string, n int, cutoff float64) []string {
	type scored struct {
		s     string
		ratio float64
	}
	var out []scored
	for _, c := range choices {
		if r := similarity(word, c); r >= cutoff {
			out = append(out, scored{c, r})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ratio != out[j].ratio {
			return out[i].ratio > out[j].ratio
		}
		return out[i].s > out[j].s // difflib's heapq.nlargest breaks ties by the larger string
	})
	var names []string
	for i := 0; i < len(out) && i < n; i++ {
		names = append(names, out[i].s)
	}
	return names
}

// similarity is difflib.SequenceMatcher(None, a, b).ratio() without the
// junk heuristics (which only matter for strings of 200 or more).
func similarity(a, b string) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	return 2 * float64(matching(a, b)) / float64(len(a)+len(b))
}

// matching counts the characters of difflib's matching blocks: the longest
// common block, then the same on each side of it.
func matching(a, b string) int {
	if a == "" || b == "" {
		return 0
	}
	bestI, bestJ, best := 0, 0, 0
	for i := range a {
		for j := range b {
			k := 0
			for i+k < len(a) && j+k < len(b) && a[i+k] == b[j+k] {
				k++
			}
			if k > best {
				bestI, bestJ, best = i, j, k
			}
		}
	}
	if best == 0 {
		return 0
	}
	return best + matching(a[:bestI], b[:bestJ]) + matching(a[bestI+best:], b[bestJ+best:])
}
