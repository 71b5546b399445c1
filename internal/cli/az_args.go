package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// withNargs gives the named flags of cmd az's space-separated list form:
// `--secret-permissions get list --key-permissions get` gives each flag
// every word up to the next option. pflag takes one value per flag, so the
// command parses its own arguments: the words are spread out into repeated
// flags (`--secret-permissions get --secret-permissions list ...`) before
// the usual parse. The flags must be StringArray flags.
func (a *azCLI) withNargs(cmd *cobra.Command, names ...string) *cobra.Command {
	run, check := cmd.RunE, cmd.Args
	multi := map[string]bool{}
	for _, n := range names {
		multi[n] = true
	}
	cmd.DisableFlagParsing = true
	cmd.Args = nil
	cmd.RunE = func(c *cobra.Command, raw []string) error {
		c.InheritedFlags() // merges az's global flags into c.Flags()
		if err := c.Flags().Parse(spreadNargs(raw, multi)); err != nil {
			return c.FlagErrorFunc()(c, err)
		}
		if help, _ := c.Flags().GetBool("help"); help {
			return c.Help()
		}
		if err := a.checkGlobalFlags(); err != nil {
			return err
		}
		args := c.Flags().Args()
		if check != nil {
			if err := check(c, args); err != nil {
				return err
			}
		}
		return run(c, args)
	}
	return cmd
}

// spreadNargs rewrites `--flag a b c` as `--flag a --flag b --flag c` for
// the flags in multi; everything else passes through. A word starting with
// "-" ends a list, as in az; "--" ends option parsing.
func spreadNargs(args []string, multi map[string]bool) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return append(out, args[i:]...)
		}
		name, isLong := strings.CutPrefix(arg, "--")
		if !isLong || !multi[name] {
			out = append(out, arg)
			continue
		}
		n := 0
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			out = append(out, arg, args[i])
			n++
		}
		if n == 0 {
			out = append(out, arg) // pflag reports the missing value
		}
	}
	return out
}
