package workspace

import (
	"context"
	"strings"

	"github.com/scopevault/scopevault"
)

// What internal/explain needs of a scope read, hop by hop. Each function is
// the very step GetSecret takes (or a thin wrapper over it), so explain
// cannot tell another story than the read itself.

// CallerAs is the workspace caller the principal named name would be: a
// group display name, a user's userName or a service principal's
// application id (Directory.Lookup's order). It provisions nothing.
func (s *Service) CallerAs(ctx context.Context, ws *scopevault.Workspace, name string) (*scopevault.WorkspaceCaller, error) {
	d, err := s.Directory(ctx, ws)
	if err != nil {
		return nil, err
	}
	p := d.Lookup(strings.TrimSpace(name))
	if p == nil || p.Kind == scopevault.WorkspaceGroup {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST",
			"Workspace %s has no user or service principal named %s.", ws.Name, clip(name))
	}
	return d.caller(ws, p), nil
}

// CallerForEntra is the workspace caller an Entra caller maps to (a user by
// its UPN, anything else by its application id), as authentication maps
// it, without provisioning one that is not there yet.
func (s *Service) CallerForEntra(ctx context.Context, ws *scopevault.Workspace, c *scopevault.Caller) (*scopevault.WorkspaceCaller, error) {
	name := strings.ToLower(c.AppID)
	kind := scopevault.WorkspaceServicePrincipal
	if c.Kind == scopevault.KindUser {
		kind = scopevault.WorkspaceUser
		if s.Identity == nil {
			return nil, errNotMember()
		}
		p, err := s.Identity.GetPrincipal(ctx, c.TenantID, c.ObjectID)
		if err != nil {
			return nil, err
		}
		name = p.UserPrincipalName
	}
	d, err := s.Directory(ctx, ws)
	if err != nil {
		return nil, err
	}
	p := d.ByName(kind, name)
	if p == nil || !p.Active {
		return nil, errNotMember()
	}
	wc := d.caller(ws, p)
	wc.Entra = c
	return wc, nil
}

// ScopeACL is a read's first hop: the names' checks and READ on the scope,
// exactly as GetSecret runs them. It returns the scope and the ACL decision.
func (s *Service) ScopeACL(ctx context.Context, c *scopevault.WorkspaceCaller, scope, key string) (*scopevault.SecretScope, scopevault.Decision, error) {
	if err := checkScopeName(scope); err != nil {
		return nil, scopevault.Decision{}, err
	}
	if err := checkSecretKey(key); err != nil {
		return nil, scopevault.Decision{}, err
	}
	e, d, err := s.readScope(ctx, c, scope)
	if err != nil {
		return nil, d, err
	}
	sc := e.scope
	return &sc, d, nil
}

// ScopeVault is the live vault behind a Key Vault-backed scope, or the
// BAD_REQUEST a read gets when it is gone.
func (s *Service) ScopeVault(ctx context.Context, sc *scopevault.SecretScope) (*scopevault.Vault, error) {
	return s.scopeVault(ctx, sc)
}

// DatabricksCaller is the AzureDatabricks principal of tenant tid as the
// vault sees the control plane's reads.
func (s *Service) DatabricksCaller(ctx context.Context, tid string) (*scopevault.Caller, error) {
	return s.databricksCaller(ctx, tid)
}

// ControlPlaneOrigin is the origin of the control plane's vault reads.
func ControlPlaneOrigin() scopevault.Origin {
	return scopevault.OriginFrom(controlPlaneContext(context.Background()))
}

// WrapVaultError is a vault's refusal as Databricks renders it.
func WrapVaultError(sc *scopevault.SecretScope, verr error) error { return wrapVaultError(sc, verr) }

// KeyVaultGetError is what a Key Vault-backed read answers when the
// vault's Get failed with err (keyVaultGet's mapping): a missing secret
// does not exist in the scope, a refusal (a disabled secret) is wrapped.
func KeyVaultGetError(sc *scopevault.SecretScope, key string, err error) error {
	switch scopevault.ErrorCodeOf(err) {
	case "":
		return nil
	case scopevault.ENOTFOUND:
		return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: %s and key: %s", sc.Name, clip(key))
	case scopevault.EFORBIDDEN:
		return wrapVaultError(sc, err)
	}
	return err
}

// ValidKeyVaultKey is keyVaultGet's check of a key against Key Vault's
// secret names, with its error.
func ValidKeyVaultKey(key string) error {
	if !scopevault.ValidSecretName(key) {
		return errKVParam("Invalid secret key '%s' for an Azure KeyVault-backed scope: Key Vault secret names have 1 to 127 letters, digits and dashes.", clip(key))
	}
	return nil
}

// Scopes are every secret scope of ws, for the diagram (no caller: the
// diagram's reader is checked on the workspace resource instead).
func (s *Service) Scopes(ctx context.Context, ws *scopevault.Workspace) ([]scopevault.SecretScope, error) {
	set, err := s.scopeSnapshot(ctx, ws.WorkspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]scopevault.SecretScope, 0, len(set.ordered))
	for _, e := range set.ordered {
		out = append(out, e.scope)
	}
	return out, nil
}
