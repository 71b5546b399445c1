package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/config"
)

// accountJSON is what az prints for a subscription of the signed-in account.
type accountJSON struct {
	CloudName        string     `json:"cloudName,omitempty"`
	EnvironmentName  string     `json:"environmentName,omitempty"`
	HomeTenantID     string     `json:"homeTenantId"`
	ID               string     `json:"id"`
	IsDefault        bool       `json:"isDefault"`
	ManagedByTenants []struct{} `json:"managedByTenants"`
	Name             string     `json:"name"`
	State            string     `json:"state"`
	TenantID         string     `json:"tenantId"`
	User             struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"user"`
}

// account renders a subscription as az does: `az login` and `az account
// list` name the cloud cloudName, `az account show` environmentName.
func account(sub client.Subscription, clientID string, isDefault bool) accountJSON {
	a := accountJSON{CloudName: "AzureCloud", HomeTenantID: sub.TenantID, ID: sub.SubscriptionID, IsDefault: isDefault,
		ManagedByTenants: []struct{}{}, Name: sub.DisplayName, State: sub.State, TenantID: sub.TenantID}
	a.User.Name, a.User.Type = clientID, "servicePrincipal"
	return a
}

func (a *azCLI) loginCommand() *cobra.Command {
	var sp, allowNoSubs bool
	var username, password, tenant string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in as a service principal and save the account for later commands",
		Long: `Log in with a service principal's client secret, as 'az login --service-principal' does.

The server is found through SCOPEVAULT_ARM_ENDPOINT (or SCOPEVAULT_URL) and
AZURE_AUTHORITY_HOST; SSL_CERT_FILE names its CA bundle. The account is saved in
$SCOPEVAULT_CONFIG_DIR (default ~/.config/scopevault)/az-profile.json, mode 0600:
it holds the client secret, never a token.`,
		Example: `  az login --service-principal -u $AZURE_CLIENT_ID -p $AZURE_CLIENT_SECRET --tenant $AZURE_TENANT_ID`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !sp {
				return errors.New("scopevault supports only service principal login: use az login --service-principal -u APP_ID -p SECRET --tenant TENANT_ID")
			}
			if username == "" || password == "" || tenant == "" {
				return errors.New("usage error: --service-principal --username APP_ID --password SECRET --tenant TENANT_ID")
			}
			env := envEndpoints()
			if env.arm == "" {
				return fmt.Errorf("cannot find the scopevault server: set %s (source .scopevault/scopevault.env)", envURL)
			}
			p := &profile{ServerURL: env.server, AuthorityHost: env.authority, ARMEndpoint: env.arm, TenantID: tenant, ClientID: username, ClientSecret: password}
			if p.AuthorityHost == "" {
				p.AuthorityHost = env.arm
			}
			if env.caFile != "" {
				if abs, err := filepath.Abs(env.caFile); err == nil {
					p.CAFile = abs
				}
			}
			hc, err := httpClient(p.CAFile)
			if err != nil {
				return err
			}
			cred, err := client.NewClientSecretCredential(p.AuthorityHost, tenant, username, password, hc)
			if err != nil {
				return err
			}
			arm, err := client.NewARM(p.ARMEndpoint, cred, hc)
			if err != nil {
				return err
			}
			subs, err := arm.Subscriptions(cmd.Context())
			if err != nil {
				return err
			}
			if len(subs) == 0 && !allowNoSubs {
				return fmt.Errorf("No subscriptions found for %s.", username)
			}
			def := 0
			want := a.subscription
			if want == "" {
				want = config.Env(envSubscription)
			}
			for i, s := range subs {
				if want != "" && (strings.EqualFold(s.SubscriptionID, want) || s.DisplayName == want) {
					def = i
				}
			}
			out := []accountJSON{}
			for i, s := range subs {
				out = append(out, account(s, username, i == def))
			}
			if len(subs) > 0 {
				p.SubscriptionID, p.SubscriptionName = subs[def].SubscriptionID, subs[def].DisplayName
			}
			if err := saveProfile(p); err != nil {
				return err
			}
			return a.print(cmd, out)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&sp, "service-principal", false, "log in as a service principal")
	f.StringVarP(&username, "username", "u", "", "the service principal's application (client) id")
	f.StringVarP(&password, "password", "p", "", "the service principal's client secret")
	f.StringVarP(&tenant, "tenant", "t", "", "the tenant id")
	f.BoolVar(&allowNoSubs, "allow-no-subscriptions", false, "log in even when the principal sees no subscription")
	return cmd
}

func (a *azCLI) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the account saved by az login",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			removed, err := removeProfile()
			if err != nil {
				return err
			}
			if !removed {
				a.warn(cmd, "There are no active accounts.")
			}
			return nil
		},
	}
}

func (a *azCLI) accountCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Show the signed-in account and its subscriptions"}
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the current subscription",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := newSession()
			if err != nil {
				return err
			}
			id, err := s.subscriptionID(cmd.Context(), a.subscription)
			if err != nil {
				return err
			}
			sub, err := s.arm.Subscription(cmd.Context(), id)
			if err != nil {
				return err
			}
			out := account(sub, s.prof.ClientID, true)
			out.CloudName, out.EnvironmentName = "", "AzureCloud"
			return a.print(cmd, out)
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the subscriptions the account can see",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := newSession()
			if err != nil {
				return err
			}
			subs, err := s.arm.Subscriptions(cmd.Context())
			if err != nil {
				return err
			}
			def, _ := s.subscriptionID(cmd.Context(), "")
			out := []accountJSON{}
			for _, sub := range subs {
				out = append(out, account(sub, s.prof.ClientID, strings.EqualFold(sub.SubscriptionID, def)))
			}
			return a.print(cmd, out)
		},
	}
	cmd.AddCommand(show, list)
	return cmd
}
