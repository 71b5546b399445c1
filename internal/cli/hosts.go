package cli

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/client"
)

func newHostsCommand() *cobra.Command {
	var subscription string
	cmd := &cobra.Command{
		Use:   "hosts",
		Short: "Print hosts-file lines that point the real vault host names at scopevault",
		Long: `Print the hosts-file lines that make Azure's names reach scopevault: one per vault
(<vault>.vault.azure.net to the vault's own loopback address), one per workspace
(adb-<id>.<n>.azuredatabricks.net), and login.microsoftonline.com, management.azure.com
and graph.microsoft.com to the server's main address. With 'up --port 443' the real URLs
(https://<vault>.vault.azure.net/) then work with the SDKs' checks left on:

    scopevault hosts | sudo tee -a /etc/hosts

It lists the vaults through the management API, with the credentials of the
environment ('. .scopevault/scopevault.env') or of 'scopevault az login'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := newSession()
			if err != nil {
				return err
			}
			sub, err := s.subscriptionID(ctx, subscription)
			if err != nil {
				return err
			}
			vaults, err := s.arm.Vaults(ctx, sub, "")
			if err != nil {
				return err
			}
			sort.Slice(vaults, func(i, j int) bool { return vaults[i].Name < vaults[j].Name })
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "# scopevault vaults")
			for _, v := range vaults {
				addr := "127.0.0.1"
				if u, err := url.Parse(v.Properties.VaultURI); err == nil {
					if ip := net.ParseIP(u.Hostname()); ip != nil {
						addr = ip.String()
					}
				}
				fmt.Fprintf(out, "%s\t%s.vault.azure.net\n", addr, strings.ToLower(v.Name))
			}
			workspaces, err := s.arm.Workspaces(ctx, sub, "")
			if err != nil {
				return err
			}
			fmt.Fprintln(out, "# scopevault workspaces")
			for _, line := range workspaceHostLines(workspaces) {
				fmt.Fprintln(out, line)
			}
			fmt.Fprintln(out, "# scopevault's token service, ARM and Graph, answering as Azure's")
			fmt.Fprintln(out, controlHostLine(s.prof.ServerURL))
			return nil
		},
	}
	cmd.Flags().StringVar(&subscription, "subscription", "", "subscription name or id (default: the environment's)")
	return cmd
}

// workspaceHostLines maps each workspace's real host name to the address of
// its workspaceUrl (its own loopback address), sorted by name.
func workspaceHostLines(workspaces []client.Workspace) []string {
	sort.Slice(workspaces, func(i, j int) bool { return workspaces[i].Name < workspaces[j].Name })
	var lines []string
	for _, w := range workspaces {
		id, err := strconv.ParseInt(w.Properties.WorkspaceID, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		addr := "127.0.0.1"
		host := w.Properties.WorkspaceURL // host:port, or host alone on port 443
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if ip := net.ParseIP(host); ip != nil {
			addr = ip.String()
		}
		ws := scopevault.Workspace{WorkspaceID: id}
		lines = append(lines, addr+"\t"+ws.RealHost())
	}
	return lines
}

// azureControlNames are the names the control plane answers as: the token
// service, ARM and Graph.
var azureControlNames = []string{"login.microsoftonline.com", "management.azure.com", "graph.microsoft.com"}

// controlHostLine maps Azure's control-plane names to the server's main
// address (the host of its URL; localhost is 127.0.0.1).
func controlHostLine(serverURL string) string {
	addr := "127.0.0.1"
	if u, err := url.Parse(serverURL); err == nil {
		if ip := net.ParseIP(u.Hostname()); ip != nil {
			addr = ip.String()
		}
	}
	return addr + "\t" + strings.Join(azureControlNames, " ")
}
