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
	CloudName        string      `json:"cloudName,omitempty"`
	EnvironmentName  string      `json:"environmentName,omitempty"`
	HomeTenantID     string      `json:"homeTenantId"`
	ID               string      `json:"id"`
	IsDefault        bool        `json:"isDefault"`
	ManagedByTenants []struct{}  `json:"managedByTenants"`
	Name             string      `json:"name"`
	State            string      `json:"state"`
	TenantID         string      `json:"tenantId"`
	User             accountUser `json:"user"`
}

// account renders a subscription as az does: `az login` and `az account
// list` name the cloud cloudName, `az account show` environmentName.
func account(sub client.Subscription, user accountUser, isDefault bool) accountJSON {
	return accountJSON{CloudName: "AzureCloud", HomeTenantID: sub.TenantID, ID: sub.SubscriptionID, IsDefault: isDefault,
		ManagedByTenants: []struct{}{}, Name: sub.DisplayName, State: sub.State, TenantID: sub.TenantID, User: user}
}

// loginFlags are az login's flags.
type loginFlags struct {
	sp, identity, allowNoSubs          bool
	username, password, tenant         string
	miClientID, miObjectID, miResource string
}

func (a *azCLI) loginCommand() *cobra.Command {
	var f loginFlags
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in as a service principal, a user or a managed identity",
		Long: `Log in and save the account for later commands, as az does:

  az login --service-principal -u APP_ID -p SECRET --tenant TENANT   client secret
  az login -u USER@DOMAIN -p PASSWORD [--tenant TENANT]              user (password grant
                                                                     through az's public client)
  az login --identity [--client-id ID | --object-id ID | --resource-id ID]
                                                                     managed identity, through
                                                                     IDENTITY_ENDPOINT/IDENTITY_HEADER

The server is found through SCOPEVAULT_ARM_ENDPOINT (or SCOPEVAULT_URL) and
AZURE_AUTHORITY_HOST; SSL_CERT_FILE names its CA bundle. The account is saved in
$SCOPEVAULT_CONFIG_DIR (default ~/.config/scopevault)/az-profile.json, mode 0600.
It holds what signing in again needs — the client secret, or the user's password —
and never a token; a managed identity's header secret is not saved (it is read from
IDENTITY_HEADER on every command).`,
		Example: `  az login --service-principal -u $AZURE_CLIENT_ID -p $AZURE_CLIENT_SECRET --tenant $AZURE_TENANT_ID
  az login -u alice@contoso.example -p "$ALICE_PASSWORD"
  az login --identity --client-id $MI_CLIENT_ID`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.profile(cmd)
			if err != nil {
				return err
			}
			return a.login(cmd, p, f.allowNoSubs)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.sp, "service-principal", false, "log in as a service principal with -u APP_ID -p SECRET --tenant TENANT")
	fl.StringVarP(&f.username, "username", "u", "", "a user principal name, or the service principal's application (client) id")
	fl.StringVarP(&f.password, "password", "p", "", "the user's password, or the service principal's client secret")
	fl.StringVarP(&f.tenant, "tenant", "t", "", "the tenant id (users: default $AZURE_TENANT_ID)")
	fl.BoolVar(&f.identity, "identity", false, "log in with the managed identity of the environment (IDENTITY_ENDPOINT, IDENTITY_HEADER)")
	fl.StringVar(&f.miClientID, "client-id", "", "with --identity: the client id of a user-assigned identity")
	fl.StringVar(&f.miObjectID, "object-id", "", "with --identity: the object id of a user-assigned identity")
	fl.StringVar(&f.miResource, "resource-id", "", "with --identity: the resource id of a user-assigned identity")
	fl.BoolVar(&f.allowNoSubs, "allow-no-subscriptions", false, "log in even when the account sees no subscription")
	return cmd
}

// profile checks the flags' combination and returns the profile to try.
func (f *loginFlags) profile(cmd *cobra.Command) (*profile, error) {
	env := envEndpoints()
	if env.arm == "" {
		return nil, fmt.Errorf("cannot find the scopevault server: set %s (source .scopevault/scopevault.env)", envURL)
	}
	p := &profile{ServerURL: env.server, AuthorityHost: env.authority, ARMEndpoint: env.arm}
	if env.caFile != "" {
		if abs, err := filepath.Abs(env.caFile); err == nil {
			p.CAFile = abs
		}
	}
	miIDs := 0
	for _, v := range []string{f.miClientID, f.miObjectID, f.miResource} {
		if v != "" {
			miIDs++
		}
	}
	switch {
	case f.identity:
		if f.sp || f.password != "" || f.username != "" {
			return nil, errors.New("usage error: --identity cannot be used with --service-principal, --username or --password")
		}
		if miIDs > 1 {
			return nil, errors.New("usage error: --client-id, --object-id and --resource-id are mutually exclusive")
		}
		p.Kind, p.IdentityClientID, p.IdentityObjectID, p.IdentityResourceID = kindManagedIdentity, f.miClientID, f.miObjectID, f.miResource
	case miIDs > 0:
		return nil, errors.New("usage error: --client-id, --object-id and --resource-id need --identity")
	case f.sp:
		if f.username == "" || f.password == "" || f.tenant == "" {
			return nil, errors.New("usage error: --service-principal --username APP_ID --password SECRET --tenant TENANT_ID")
		}
		p.Kind, p.TenantID, p.ClientID, p.ClientSecret = kindServicePrincipal, f.tenant, f.username, f.password
	case f.username != "" || f.password != "":
		if f.username == "" || f.password == "" {
			return nil, errors.New("usage error: --username USER --password PASSWORD")
		}
		p.Kind, p.TenantID, p.Username, p.Password = kindUser, f.tenant, f.username, f.password
		if p.TenantID == "" {
			p.TenantID = config.Env(envTenantID)
		}
		if p.TenantID == "" {
			return nil, fmt.Errorf("usage error: --tenant TENANT_ID (or %s) is required: scopevault has no multi-tenant 'organizations' endpoint", envTenantID)
		}
	default:
		return nil, errors.New("scopevault has no browser or device-code login: use 'az login --service-principal -u APP_ID -p SECRET --tenant TENANT_ID', 'az login -u USER -p PASSWORD' or 'az login --identity'")
	}
	return p, nil
}

// login signs in with p, lists the account's subscriptions, saves p with
// the default subscription and prints the accounts. Nothing is saved when
// signing in fails.
func (a *azCLI) login(cmd *cobra.Command, p *profile, allowNoSubs bool) error {
	s := &session{prof: *p}
	if err := s.connect(); err != nil {
		return err
	}
	ctx := cmd.Context()
	if p.Kind == kindManagedIdentity {
		// The identity endpoint does not say the tenant; the token does.
		c, err := s.callerClaims(ctx)
		if err != nil {
			return err
		}
		if c.TenantID == "" {
			return errors.New("the managed identity's token names no tenant")
		}
		s.prof.TenantID = c.TenantID
	}
	subs, err := s.arm.Subscriptions(ctx)
	if err != nil {
		return err
	}
	user := s.prof.user()
	if len(subs) == 0 && !allowNoSubs {
		return fmt.Errorf("No subscriptions found for %s.", user.Name)
	}
	def := 0
	want := a.subscription
	if want == "" {
		want = config.Env(envSubscription)
	}
	for i, sub := range subs {
		if want != "" && (strings.EqualFold(sub.SubscriptionID, want) || sub.DisplayName == want) {
			def = i
		}
	}
	out := []accountJSON{}
	for i, sub := range subs {
		out = append(out, account(sub, user, i == def))
	}
	if len(subs) > 0 {
		s.prof.SubscriptionID, s.prof.SubscriptionName = subs[def].SubscriptionID, subs[def].DisplayName
	}
	if err := saveProfile(&s.prof); err != nil {
		return err
	}
	return a.print(cmd, out)
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
			out := account(sub, s.prof.user(), true)
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
				out = append(out, account(sub, s.prof.user(), strings.EqualFold(sub.SubscriptionID, def)))
			}
			return a.printTable(cmd, out, tableAccounts)
		},
	}
	cmd.AddCommand(show, list, a.getAccessTokenCommand())
	return cmd
}
