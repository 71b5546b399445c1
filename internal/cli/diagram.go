package cli

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/scopevault/scopevault/internal/config"
	"github.com/spf13/cobra"
)

func newDiagramCommand() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "diagram",
		Short: "Draw who can reach what: networks, endpoints, vaults and flows",
		Long: `Draw the network: internet clients, the Databricks control plane, each workspace
with its virtual network, the virtual networks and their subnets (service endpoints,
delegations), private endpoints (private IP, approval state), private DNS zones and
their links and records, the vaults (public access, firewall, permission model), and
the flows between them: internet to each vault, each subnet to each vault (through
the public endpoint or a private endpoint, as the subnet resolves the vault's name),
and the control plane to the vault of each Key Vault-backed scope. Each flow is drawn
allowed or denied by the vault's network gate, the same code that enforces reads.

The diagram shows only the resources you may read.

  scopevault diagram --format svg -o network.svg
  scopevault diagram --format mermaid
  scopevault diagram --format dot | dot -Tpng > network.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "svg", "mermaid", "dot", "json":
			default:
				return fmt.Errorf("--format must be svg, mermaid, dot or json")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			raw, err := s.insight(cmd.Context(), http.MethodGet, "/scopevault/diagram?format="+url.QueryEscape(format), nil)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(raw)
				return err
			}
			if err := config.WriteFileAtomic(out, raw, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "svg", "svg, mermaid, dot or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the diagram to this file (default: standard output)")
	return cmd
}
