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
		Long: `Print one hosts-file line per vault, mapping <vault>.vault.azure.net to the
vault's own loopback address, so https://<vault>.vault.azure.net/ (with 'up --port 443')
or https://<vault>.vault.azure.net:PORT/ reach scopevault with the SDKs' challenge
verification left on:

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
		if host, _, err := net.SplitHostPort(w.Properties.WorkspaceURL); err == nil && net.ParseIP(host) != nil {
			addr = net.ParseIP(host).String()
		}
		ws := scopevault.Workspace{WorkspaceID: id}
		lines = append(lines, addr+"\t"+ws.RealHost())
	}
	return lines
}
