package cli

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/config"
)

// scopevault apply -f FILE.yaml: create or update what a file declares,
// through the same REST APIs the az and databricks commands use.
func newApplyCommand() *cobra.Command {
	var file string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "apply -f FILE.yaml",
		Short: "Create or update resources declared in a YAML file",
		Long: `Create or update what a YAML file declares: resource groups, users, groups,
service principals, virtual networks, private DNS zones and links, Databricks
workspaces, vaults (with their network settings), private endpoints, role
assignments, secrets, secret scopes and scope ACLs. Each resource is
created when missing, updated when it differs and left alone when it is as
declared, so a second apply changes nothing. --dry-run prints the plan and
changes nothing. Secret values come from the environment or files
(valueFrom: {env: NAME} or {file: PATH}) and are never printed.

When a vault's network refuses this machine, apply reaches its data plane
from a subnet the file admits to it (a private endpoint's subnet, else a
subnet in its virtual network rules), as 'scopevault run --subnet' would.
docs/walkthrough.md describes the file; examples/seed.yaml is one.`,
		Example: `  scopevault apply -f examples/seed.yaml --dry-run
  DB_PASSWORD=... API_KEY=... scopevault apply -f examples/seed.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return errors.New("the following arguments are required: -f/--file")
			}
			f, err := loadApplyFile(file, func(name string) (string, bool) {
				v := config.Env(name)
				if v == "" {
					_, ok := os.LookupEnv(name)
					return v, ok
				}
				return v, true
			})
			if err != nil {
				return err
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			sub, err := s.subscriptionID(cmd.Context(), "")
			if err != nil {
				return err
			}
			a := &applier{s: s, sub: sub, f: f, dryRun: dryRun, out: cmd.OutOrStdout(),
				dbx: map[string]*client.Databricks{}, routes: map[string]*vaultRoute{}, creating: map[string]bool{}}
			return a.run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the YAML file to apply")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan (create, update or unchanged per resource) and change nothing")
	return cmd
}
