package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/redact"
	"github.com/spf13/cobra"
)

// secretRef is a Databricks secret reference; as in Databricks it must be
// the whole value.
var secretRef = regexp.MustCompile(`^\{\{secrets/([^/]+)/([^}]+)\}\}$`)

// runVar is one variable scopevault run sets: a plain value, or a secret
// reference to resolve. Spark properties (--conf lines spark.NAME) are
// resolved and redacted but not passed to the program: there is no Spark.
type runVar struct {
	name       string
	value      string
	scope, key string // a reference when scope != ""
	spark      bool
}

// parseRunVar reads NAME=VALUE. A value that mentions {{secrets/ must be
// exactly one reference.
func parseRunVar(s string) (runVar, error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\x00") {
		return runVar{}, fmt.Errorf("%q: want NAME={{secrets/<scope>/<key>}}", s)
	}
	v := runVar{name: name, value: value, spark: strings.HasPrefix(name, "spark.")}
	if m := secretRef.FindStringSubmatch(value); m != nil {
		v.scope, v.key = m[1], m[2]
	} else if strings.Contains(value, "{{secrets/") {
		return runVar{}, fmt.Errorf("%s: a secret reference must be the whole value, {{secrets/<scope>/<key>}}", name)
	}
	return v, nil
}

// parseRunConf reads a --conf file: NAME={{secrets/s/k}} lines, Spark's
// "spark.prop {{secrets/s/k}}" lines, blank lines and # comments.
func parseRunConf(name string, raw []byte) ([]runVar, error) {
	var vars []runVar
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "spark.") && !strings.Contains(line, "=") {
			if k, v, ok := strings.Cut(line, " "); ok {
				line = k + "=" + strings.TrimSpace(v)
			}
		}
		v, err := parseRunVar(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		vars = append(vars, v)
	}
	return vars, sc.Err()
}

// newRunCommand is `scopevault run`: Databricks' secret references in
// environment variables, for a local program. Its stdout and stderr pass
// through a redactor that hides every resolved value.
func newRunCommand() *cobra.Command {
	var envs []string
	var confFile, profile, subnet string
	var azure bool
	cmd := &cobra.Command{
		Use:   "run [--env NAME={{secrets/SCOPE/KEY}}]... [--conf FILE] [--subnet VNET/SUBNET | --azure] -- CMD [ARGS...]",
		Short: "Run a program with Databricks secret references resolved into its environment, its output redacted",
		Long: `Run CMD with each NAME={{secrets/<scope>/<key>}} resolved through the workspace API
(DATABRICKS_HOST and DATABRICKS_TOKEN, or ~/.databrickscfg) and added to its environment,
as a Databricks cluster does for its environment variables. CMD's stdout and stderr are
streamed with every resolved value replaced by [REDACTED] (literal matches only, as in
Databricks). The exit code is CMD's; SIGINT and SIGTERM are passed on to it.

--conf FILE reads NAME={{secrets/s/k}} lines (# comments allowed). Spark properties
("spark.prop {{secrets/s/k}}") are resolved and redacted but not passed on: there is no
Spark here. A value that is not a reference is passed as is and not redacted.

--subnet VNET/SUBNET (or a subnet's resource id) runs CMD placed in that subnet: its
connections to vaults, including those of unmodified SDKs, come from the subnet, and
<vault>.vault.azure.net resolves through the private DNS zones linked to the subnet's
network (to a private endpoint where an approved one is linked, else to the public
endpoint from inside the subnet). CMD gets a private /etc/hosts in a mount namespace of
its own; vault URLs in its environment are rewritten (docs/placement.md).

--azure runs CMD with Azure's own names resolving to scopevault (the lines of
'scopevault hosts', in the same kind of private /etc/hosts), AZURE_AUTHORITY_HOST,
AZURE_KEYVAULT_URL and DATABRICKS_HOST rewritten to them. With 'up --port 443' the
program uses exactly Azure's URLs.`,
		Args:          cobra.MinimumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fail := func(format string, a ...any) error {
				return &exitError{code: 1, msg: "Error: " + fmt.Sprintf(format, a...)}
			}
			var vars []runVar
			if confFile != "" {
				raw, err := os.ReadFile(confFile)
				if err != nil {
					return fail("%v", err)
				}
				if vars, err = parseRunConf(confFile, raw); err != nil {
					return fail("%v", err)
				}
			}
			for _, e := range envs {
				v, err := parseRunVar(e)
				if err != nil {
					return fail("--env %v", err)
				}
				vars = append(vars, v)
			}
			secrets, err := resolveRunVars(cmd, profile, vars)
			if err != nil {
				return err
			}
			env := config.Environ()
			for _, v := range vars {
				if !v.spark {
					env = append(env, v.name+"="+v.value)
				}
			}
			var prep func(*exec.Cmd)
			if subnet != "" && azure {
				return fail("--subnet and --azure are one or the other")
			}
			if azure {
				var cleanup func()
				if args, env, prep, cleanup, err = placeAzure(cmd, args, env); err != nil {
					return err
				}
				defer cleanup()
			}
			if subnet != "" {
				var cleanup func()
				if args, env, prep, cleanup, err = placeInSubnet(cmd, subnet, args, env); err != nil {
					return err
				}
				defer cleanup()
			}
			return runRedacted(cmd, args, env, secrets, prep)
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().StringArrayVar(&envs, "env", nil, "NAME={{secrets/SCOPE/KEY}} (repeatable)")
	cmd.Flags().StringVar(&confFile, "conf", "", "a file of NAME={{secrets/SCOPE/KEY}} lines")
	cmd.Flags().StringVarP(&profile, "profile", "p", "", "the ~/.databrickscfg profile to use")
	cmd.Flags().BoolVar(&azure, "azure", false, "run CMD with Azure's own names (login.microsoftonline.com, <vault>.vault.azure.net, ...) resolving to scopevault")
	cmd.Flags().StringVar(&subnet, "subnet", "", "run CMD placed in a subnet: VNET/SUBNET or the subnet's resource id (see docs/placement.md)")
	return cmd
}

// resolveRunVars fills each reference's value and returns the values to
// redact. Errors name the reference, never a value.
func resolveRunVars(cmd *cobra.Command, profile string, vars []runVar) ([]string, error) {
	var secrets []string
	d := &dbxCLI{profile: profile}
	for i := range vars {
		v := &vars[i]
		if v.scope == "" {
			continue
		}
		w, err := d.workspace()
		if err != nil {
			return nil, err
		}
		raw, err := w.GetSecret(cmd.Context(), v.scope, v.key)
		if err != nil {
			return nil, &exitError{code: 1, msg: fmt.Sprintf("Error: %s: {{secrets/%s/%s}}: %v", v.name, v.scope, v.key, err)}
		}
		if bytes.IndexByte(raw, 0) >= 0 && !v.spark {
			return nil, &exitError{code: 1, msg: fmt.Sprintf("Error: %s: the value of {{secrets/%s/%s}} holds a NUL byte, which an environment variable cannot", v.name, v.scope, v.key)}
		}
		v.value = string(raw)
		secrets = append(secrets, v.value)
	}
	return secrets, nil
}

// runRedacted runs args with env, streaming its output through redactors,
// forwarding SIGINT and SIGTERM, and returns its exit code as an exitError
// (nil for 0).
func runRedacted(cmd *cobra.Command, args, env, secrets []string, prep func(*exec.Cmd)) error {
	stdout := redact.NewWriter(cmd.OutOrStdout(), secrets)
	stderr := redact.NewWriter(cmd.ErrOrStderr(), secrets)
	c := exec.Command(args[0], args[1:]...)
	c.Env, c.Stdin, c.Stdout, c.Stderr = env, cmd.InOrStdin(), stdout, stderr
	if prep != nil {
		prep(c)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := c.Start(); err != nil {
		code := 126
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			code = 127
		}
		return &exitError{code: code, msg: "Error: " + err.Error()}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				c.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := c.Wait()
	close(done)
	stdout.Flush()
	stderr.Flush()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			return &exitError{code: 128 + int(st.Signal())}
		}
		return &exitError{code: ee.ExitCode()}
	}
	return &exitError{code: 1, msg: "Error: " + err.Error()}
}
