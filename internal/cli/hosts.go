package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

func newHostsCommand() *cobra.Command {
	var subscription string
	cmd := &cobra.Command{
		Use:   "hosts",
		Short: "Print hosts-file lines that point Azure's host names at scopevault",
		Long: `Print the hosts-file lines that make Azure's names reach scopevault: one per vault
(<vault>.vault.azure.net to the vault's own loopback address), one per workspace
(adb-<id>.<n>.azuredatabricks.net), and login.microsoftonline.com, management.azure.com
and graph.microsoft.com to the server's main address. With 'up --port 443' the real URLs
(https://<vault>.vault.azure.net/) then work with the SDKs' checks left on:

    scopevault hosts | sudo tee -a /etc/hosts

'scopevault run --azure -- CMD' gives one program these lines without touching
/etc/hosts. The server lists the vaults and workspaces the caller may read; the
caller is the environment's ('. .scopevault/scopevault.env') or 'scopevault az login's.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := newSession()
			if err != nil {
				return err
			}
			view, err := s.hostsView(ctx, subscription)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, kind := range []struct{ kind, title string }{
				{"vault", "# scopevault vaults"},
				{"workspace", "# scopevault workspaces"},
				{"control", "# scopevault's token service, ARM and Graph, answering as Azure's"},
			} {
				fmt.Fprintln(out, kind.title)
				for _, h := range view.Hosts {
					if h.Kind == kind.kind {
						fmt.Fprintln(out, hostLine(h))
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&subscription, "subscription", "", "only the vaults and workspaces of this subscription (name or id)")
	return cmd
}

// hostsView asks the server for its hosts-file view, keeping only the
// vaults and workspaces of subscription when one is given.
func (s *session) hostsView(ctx context.Context, subscription string) (client.HostsView, error) {
	view, err := s.arm.Hosts(ctx)
	if err != nil || subscription == "" {
		return view, err
	}
	sub, err := s.subscriptionID(ctx, subscription)
	if err != nil {
		return view, err
	}
	prefix := "/subscriptions/" + strings.ToLower(sub) + "/"
	kept := view.Hosts[:0]
	for _, h := range view.Hosts {
		if h.Kind == "control" || strings.HasPrefix(strings.ToLower(h.Resource), prefix) {
			kept = append(kept, h)
		}
	}
	view.Hosts = kept
	return view, nil
}

// hostLine is one hosts-file line: the address, a tab, the names.
func hostLine(h client.HostLine) string {
	return h.Address + "\t" + strings.Join(h.Names, " ")
}
