package cli

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// placeAzure gives a program Azure's own names (scopevault run --azure):
// the same mount namespace and private /etc/hosts as run --subnet
// (run_subnet.go), holding the lines scopevault hosts prints (the server's
// GET /scopevault/hosts), and the environment's vault and workspace URLs
// rewritten to those names where the env file names addresses (an up
// without --azure-names). With up --port 443 the program then uses exactly
// Azure's URLs.
func placeAzure(cmd *cobra.Command, args, env []string) ([]string, []string, func(*exec.Cmd), func(), error) {
	fail := func(format string, a ...any) ([]string, []string, func(*exec.Cmd), func(), error) {
		return nil, nil, nil, nil, &exitError{code: 1, msg: "Error: --azure: " + fmt.Sprintf(format, a...)}
	}
	mode := namespaceMode()
	if mode == nil {
		return fail("Azure's names need a private view of /etc/hosts, and no mount namespace can be made here (not root, and unprivileged user namespaces are off); add the lines of 'scopevault hosts' to /etc/hosts instead (docs/placement.md)")
	}
	ctx := cmd.Context()
	s, err := newSession()
	if err != nil {
		return fail("%v", err)
	}
	view, err := s.hostsView(ctx, "")
	if err != nil {
		return fail("%v", err)
	}
	var hosts strings.Builder
	hosts.WriteString("# scopevault: Azure's names\n")
	port := ""
	if view.Port != 443 && view.Port != 0 {
		port = ":" + strconv.Itoa(view.Port)
	}
	var from, to []string // URL prefixes to rewrite in the environment
	for _, h := range view.Hosts {
		if net.ParseIP(h.Address) == nil || len(h.Names) == 0 {
			continue
		}
		hosts.WriteString(hostLine(h) + "\n")
		if h.Kind == "vault" || h.Kind == "workspace" {
			// An env file written without --azure-names names the
			// listener's address; the program gets the name.
			from, to = append(from, "https://"+h.Address+port), append(to, "https://"+h.Names[0]+port)
		}
	}
	file, cleanup, err := writeHostsView(hosts.String())
	if err != nil {
		return fail("%v", err)
	}
	self, err := os.Executable()
	if err != nil {
		cleanup()
		return fail("%v", err)
	}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "AZURE_AUTHORITY_HOST" {
			v = "https://login.microsoftonline.com" + port + "/"
		}
		for i := range from {
			v = replaceHost(v, from[i], to[i])
		}
		out = append(out, k+"="+v)
	}
	placed := append([]string{self, inSubnetCommand, file, "--"}, args...)
	return placed, out, func(c *exec.Cmd) { c.SysProcAttr = mode }, cleanup, nil
}
