package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// accessTokenJSON is az's `account get-access-token` output.
type accessTokenJSON struct {
	AccessToken  string `json:"accessToken"`
	ExpiresOn    string `json:"expiresOn"`
	ExpiresOnTS  int64  `json:"expires_on"`
	Subscription string `json:"subscription,omitempty"`
	Tenant       string `json:"tenant"`
	TokenType    string `json:"tokenType"`
}

// resourceScope is az's resource_to_scopes: "<resource>/.default", with
// exactly one slash added ("https://management.core.windows.net/" becomes
// "https://management.core.windows.net//.default", as in az).
func resourceScope(resource string) string {
	if !strings.HasSuffix(resource, "/") {
		resource += "/"
	}
	return resource + ".default"
}

func (a *azCLI) getAccessTokenCommand() *cobra.Command {
	var resource, tenant string
	var scopes []string
	cmd := &cobra.Command{
		Use:   "get-access-token",
		Short: "Get an access token for a resource",
		Long: `Get an access token for the signed-in account. Without --resource or --scope
the token is for Azure Resource Manager. The AzureDatabricks application
(--resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d) gives the Entra token a
Databricks workspace accepts.`,
		Example: `  az account get-access-token
  az account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query accessToken -o tsv
  az account get-access-token --scope https://vault.azure.net/.default`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if resource != "" && len(scopes) > 0 {
				return errors.New("usage error: --resource/--resource-type/--scope are mutually exclusive")
			}
			if len(scopes) > 1 {
				return errors.New("usage error: scopevault issues a token for one --scope at a time")
			}
			scope := client.ScopeARM
			switch {
			case len(scopes) == 1:
				scope = scopes[0]
			case resource != "":
				scope = resourceScope(resource)
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			tok, err := s.cred.Token(cmd.Context(), tenant, scope)
			if err != nil {
				return err
			}
			out := accessTokenJSON{
				AccessToken: tok.Token, ExpiresOnTS: tok.ExpiresOn.Unix(), TokenType: "Bearer",
				ExpiresOn: tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"), Tenant: tenant,
			}
			if tenant == "" {
				out.Tenant = s.tenantID()
				out.Subscription, _ = s.subscriptionID(cmd.Context(), a.subscription)
			}
			return a.print(cmd, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&resource, "resource", "", "Azure resource endpoint or application id; default: Azure Resource Manager")
	f.StringArrayVar(&scopes, "scope", nil, "the scope of the token, e.g. https://vault.azure.net/.default")
	f.StringVarP(&tenant, "tenant", "t", "", "tenant id to get the token in; default: the signed-in account's")
	return cmd
}
