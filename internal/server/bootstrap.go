package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/store"
)

// Bootstrap is what the first start creates: a tenant, a subscription, an
// admin service principal (Owner of the subscription, directory admin) and a
// default RBAC vault the admin administers.
type Bootstrap struct {
	TenantID       string `json:"tenantId"`
	SubscriptionID string `json:"subscriptionId"`
	ClientID       string `json:"clientId"`
	ObjectID       string `json:"objectId"`
	// ClientSecret is kept only sealed in the store; it is written out to the
	// env file, the one file meant to hand the credential to clients.
	ClientSecret  string `json:"clientSecret"`
	ResourceGroup string `json:"resourceGroup"`
	Vault         string `json:"vault"`
	Location      string `json:"location"`
	// Workspace is the default Databricks workspace and DatabricksToken its
	// admin's personal access token, sealed like ClientSecret for the env
	// file (databricks.go). Both are empty in records made before workspaces.
	Workspace       string `json:"workspace,omitempty"`
	DatabricksToken string `json:"databricksToken,omitempty"`
}

const bootstrapPath = "core/bootstrap"

// Names of what the first start creates.
const (
	DefaultResourceGroup = "scopevault"
	DefaultVault         = "scopevault-default"
	DefaultLocation      = "eastus"
	ownerRoleID          = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	kvAdminRoleID        = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
)

func (s *Server) bootstrap(ctx context.Context) (*Bootstrap, error) {
	var boot Bootstrap
	err := s.Store.View(ctx, func(tx store.Tx) error {
		raw, err := s.Barrier.Wrap(tx).Get(ctx, bootstrapPath)
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &boot)
	})
	if err == nil {
		return &boot, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	boot = Bootstrap{TenantID: scopevault.NewGUID(), SubscriptionID: scopevault.NewGUID(), ResourceGroup: DefaultResourceGroup, Vault: DefaultVault, Location: DefaultLocation}
	if _, err := s.Identity.EnsureTenant(ctx, boot.TenantID, "scopevault"); err != nil {
		return nil, err
	}
	sp, secret, err := s.Identity.CreateServicePrincipal(ctx, boot.TenantID, "scopevault-admin")
	if err != nil {
		return nil, err
	}
	if err := s.Identity.SetDirectoryAdmin(ctx, boot.TenantID, sp.ObjectID, true); err != nil {
		return nil, err
	}
	boot.ClientID, boot.ObjectID, boot.ClientSecret = sp.AppID, sp.ObjectID, secret
	m := s.RM
	if err := m.PutSubscription(ctx, scopevault.Subscription{ID: boot.SubscriptionID, DisplayName: "scopevault", TenantID: boot.TenantID}); err != nil {
		return nil, err
	}
	if _, _, err := m.PutGroup(ctx, scopevault.ResourceGroup{SubscriptionID: boot.SubscriptionID, Name: boot.ResourceGroup, Location: boot.Location}); err != nil {
		return nil, err
	}
	v, err := s.Engine.CreateVault(ctx, scopevault.Vault{
		Name: boot.Vault, SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup, Location: boot.Location,
		TenantID: boot.TenantID, SKU: "standard", EnableRBACAuthorization: true, PublicNetworkAccess: "Enabled",
	})
	if err != nil {
		return nil, err
	}
	subScope := "/subscriptions/" + boot.SubscriptionID
	for _, ra := range []scopevault.RoleAssignment{
		{Name: scopevault.NewGUID(), Scope: subScope, RoleDefinitionID: ownerRoleID, PrincipalID: sp.ObjectID, PrincipalType: scopevault.KindServicePrincipal, Description: "scopevault bootstrap admin"},
		{Name: scopevault.NewGUID(), Scope: v.ResourceID(), RoleDefinitionID: kvAdminRoleID, PrincipalID: sp.ObjectID, PrincipalType: scopevault.KindServicePrincipal, Description: "scopevault bootstrap admin"},
	} {
		if _, _, err := s.Authz.SeedAssignment(ctx, ra); err != nil {
			return nil, fmt.Errorf("server: bootstrap role assignment: %w", err)
		}
	}
	raw, _ := json.Marshal(boot)
	if err := s.Store.Update(ctx, func(tx store.Tx) error { return s.Barrier.Wrap(tx).Put(ctx, bootstrapPath, raw) }); err != nil {
		return nil, err
	}
	return &boot, nil
}

// Env is the client environment: what sourcing scopevault.env sets.
func (s *Server) Env() [][2]string {
	ca := s.CAFile()
	vaultURL := ""
	if v, err := s.Engine.Vault(context.Background(), s.Boot.Vault); err == nil {
		vaultURL = s.VaultURL(v)
	}
	env := [][2]string{
		{"SCOPEVAULT_URL", s.URL()},
		{"SCOPEVAULT_ARM_ENDPOINT", s.URL()},
		{"AZURE_AUTHORITY_HOST", s.AuthorityURL() + "/"},
		{"AZURE_TENANT_ID", s.Boot.TenantID},
		{"AZURE_SUBSCRIPTION_ID", s.Boot.SubscriptionID},
		{"AZURE_CLIENT_ID", s.Boot.ClientID},
		{"AZURE_CLIENT_SECRET", s.Boot.ClientSecret},
		{"AZURE_KEYVAULT_URL", vaultURL},
		{"SSL_CERT_FILE", ca},
		{"NODE_EXTRA_CA_CERTS", ca},
		{"REQUESTS_CA_BUNDLE", ca},
	}
	return append(env, s.databricksEnv()...)
}

// CAFile is the absolute path of the CA bundle.
func (s *Server) CAFile() string {
	p, err := filepath.Abs(filepath.Join(s.cfg.DataDir, config.CAFile))
	if err != nil {
		return filepath.Join(s.cfg.DataDir, config.CAFile)
	}
	return p
}

func (s *Server) writeEnvFile() error {
	var b strings.Builder
	b.WriteString("# scopevault client environment. Use it with: . " + filepath.Join(s.cfg.DataDir, config.EnvFile) + "\n")
	b.WriteString("# It holds the bootstrap admin's client secret: keep it private (mode 0600).\n")
	var names []string
	for _, kv := range s.Env() {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], shellQuote(kv[1]))
		names = append(names, kv[0])
	}
	// KEY=VALUE lines stay readable by dotenv tools; the export line makes
	// sourcing hand them to child processes.
	b.WriteString("export " + strings.Join(names, " ") + "\n")
	return config.WriteFileAtomic(filepath.Join(s.cfg.DataDir, config.EnvFile), []byte(b.String()), 0o600)
}

func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:~@%+=,", r))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
