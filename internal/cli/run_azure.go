package cli

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault"
)

// placeAzure gives a program Azure's own names (scopevault run --azure):
// the same mount namespace and private /etc/hosts as run --subnet
// (run_subnet.go), holding the lines scopevault hosts prints, and the
// environment's scopevault URLs rewritten to those names. With up --port
// 443 the program then uses exactly Azure's URLs.
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
	sub, err := s.subscriptionID(ctx, "")
	if err != nil {
		return fail("%v", err)
	}
	vaults, err := s.arm.Vaults(ctx, sub, "")
	if err != nil {
		return fail("%v", err)
	}
	workspaces, err := s.arm.Workspaces(ctx, sub, "")
	if err != nil {
		return fail("%v", err)
	}
	var hosts strings.Builder
	hosts.WriteString("# scopevault: Azure's names\n")
	var from, to []string // URL prefixes to rewrite in the environment
	port := ""
	if u, err := url.Parse(s.prof.ServerURL); err == nil && u.Port() != "" && u.Port() != "443" {
		port = ":" + u.Port()
	}
	for _, v := range vaults {
		u, err := url.Parse(v.Properties.VaultURI)
		if err != nil || net.ParseIP(u.Hostname()) == nil {
			continue
		}
		name := strings.ToLower(v.Name) + ".vault.azure.net"
		fmt.Fprintf(&hosts, "%s\t%s\n", u.Hostname(), name)
		from, to = append(from, "https://"+u.Host), append(to, "https://"+name+port)
	}
	for _, w := range workspaces {
		id, err := strconv.ParseInt(w.Properties.WorkspaceID, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		host := w.Properties.WorkspaceURL
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if net.ParseIP(host) == nil {
			continue
		}
		real := (&scopevault.Workspace{WorkspaceID: id}).RealHost()
		fmt.Fprintf(&hosts, "%s\t%s\n", host, real)
		from, to = append(from, "https://"+w.Properties.WorkspaceURL), append(to, "https://"+real+port)
	}
	hosts.WriteString(controlHostLine(s.prof.ServerURL) + "\n")
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
