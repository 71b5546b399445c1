package workspace

import (
	"context"
	"time"

	"github.com/scopevault/scopevault"
)

// SecretMetadata is what listing a scope shows of one secret.
type SecretMetadata struct {
	Key     string
	Updated time.Time
}

// prepareKeyVaultScope checks the metadata of a new AZURE_KEYVAULT scope
// (the caller must hold an Entra token; resource_id and dns_name must name
// one live vault) and does what Databricks does on creation: on an
// access-policy vault it grants AzureDatabricks get and list. It returns
// the metadata to store. (Being written.)
func (s *Service) prepareKeyVaultScope(ctx context.Context, c *scopevault.WorkspaceCaller, meta *scopevault.KeyVaultMetadata) (*scopevault.KeyVaultMetadata, error) {
	return nil, errNotBuilt("Azure Key Vault-backed scopes")
}

// keyVaultGet reads a secret of an AZURE_KEYVAULT scope from its vault as
// AzureDatabricks, through the shared access path. (Being written.)
func (s *Service) keyVaultGet(ctx context.Context, sc *scopevault.SecretScope, key string) ([]byte, error) {
	return nil, errNotBuilt("Azure Key Vault-backed scopes")
}

// keyVaultList lists the secrets of an AZURE_KEYVAULT scope's vault as
// AzureDatabricks, through the shared access path. (Being written.)
func (s *Service) keyVaultList(ctx context.Context, sc *scopevault.SecretScope) ([]SecretMetadata, error) {
	return nil, errNotBuilt("Azure Key Vault-backed scopes")
}
