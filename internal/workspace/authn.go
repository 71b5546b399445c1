package workspace

import (
	"context"
	"errors"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/store"
)

// ActionWorkspaceWrite is the ARM action whose holders (Owner, Contributor
// of the workspace resource) become workspace admins on their first call
// with an Entra token, as in Azure Databricks.
const ActionWorkspaceWrite = "Microsoft.Databricks/workspaces/write"

// ReasonInvalidToken marks a token the workspace does not accept; the wire
// renders it as Databricks' 403 "Invalid access token.".
const ReasonInvalidToken = "INVALID_TOKEN"

func errInvalidToken() error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonInvalidToken, "Invalid access token.")
}

// errNotMember refuses a valid Entra caller the workspace does not know.
func errNotMember() error {
	return scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED", "User not authorized.")
}

// databricksAudience reports whether aud names the AzureDatabricks resource.
func databricksAudience(aud string) bool {
	switch strings.ToLower(strings.TrimSuffix(aud, "/")) {
	case identity.AudienceDatabricks, "https://azuredatabricks.net":
		return true
	}
	return false
}

// Authenticate resolves a bearer token to the workspace caller it names:
// a personal access token of this workspace ("dapi" and 32 hex digits), or
// an Entra ID token for the AzureDatabricks resource from the workspace's
// tenant, mapped to the workspace user of the same userName (the UPN) or
// the service principal of the same application id. An Entra caller the
// workspace does not know yet who may write the workspace resource in ARM
// is added as an admin; any other is refused with PERMISSION_DENIED.
//
// Every other failure is EUNAUTHORIZED with reason ReasonInvalidToken; no
// error quotes the token. When nothing under ws/ changed, the lookup is in
// memory (see Directory).
func (s *Service) Authenticate(ctx context.Context, ws *scopevault.Workspace, token string) (*scopevault.WorkspaceCaller, error) {
	if ws == nil {
		return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: Authenticate without a workspace")
	}
	if strings.HasPrefix(token, patPrefix) {
		if !IsPAT(token) {
			return nil, errInvalidToken()
		}
		return s.authenticatePAT(ctx, ws, token)
	}
	return s.authenticateEntra(ctx, ws, token)
}

func (s *Service) authenticatePAT(ctx context.Context, ws *scopevault.Workspace, token string) (*scopevault.WorkspaceCaller, error) {
	d, err := s.Directory(ctx, ws)
	if err != nil {
		return nil, err
	}
	t := d.tokens[tokenHash(token)]
	if t == nil || (t.Expires != nil && !s.now().Before(*t.Expires)) {
		return nil, errInvalidToken()
	}
	p := d.byID[t.PrincipalID]
	if p == nil || !p.Active {
		return nil, errInvalidToken()
	}
	c := d.caller(ws, p)
	c.TokenID = t.ID
	return c, nil
}

func (s *Service) authenticateEntra(ctx context.Context, ws *scopevault.Workspace, token string) (*scopevault.WorkspaceCaller, error) {
	if s.Access == nil {
		return nil, errInvalidToken()
	}
	a, err := s.Access.Authenticate(ctx, token)
	if err != nil {
		if scopevault.ErrorCodeOf(err) == scopevault.EUNAUTHORIZED {
			return nil, errInvalidToken()
		}
		return nil, err
	}
	cl := a.Claims
	if !databricksAudience(cl.Audience) || !strings.EqualFold(cl.TenantID, ws.TenantID) {
		return nil, errInvalidToken()
	}
	kind, name, err := s.entraName(ctx, cl)
	if err != nil {
		return nil, err
	}
	d, err := s.Directory(ctx, ws)
	if err != nil {
		return nil, err
	}
	p := d.ByName(kind, name)
	if p == nil {
		if p, err = s.provision(ctx, ws, a.Caller, kind, name); err != nil {
			return nil, err
		}
		if d, err = s.Directory(ctx, ws); err != nil {
			return nil, err
		}
		if p = d.byID[p.ID]; p == nil {
			return nil, errNotMember()
		}
	}
	if !p.Active {
		return nil, errNotMember()
	}
	c := d.caller(ws, p)
	c.Entra = a.Caller
	return c, nil
}

// entraName is the workspace principal an Entra caller maps to: a user by
// its UPN, anything else (service principal, managed identity) by its
// application id.
func (s *Service) entraName(ctx context.Context, cl *identity.Claims) (scopevault.WorkspacePrincipalKind, string, error) {
	if cl.Kind != scopevault.KindUser {
		if cl.AppID == "" {
			return "", "", errInvalidToken()
		}
		return scopevault.WorkspaceServicePrincipal, strings.ToLower(cl.AppID), nil
	}
	if cl.UPN != "" {
		return scopevault.WorkspaceUser, cl.UPN, nil
	}
	if s.Identity == nil {
		return "", "", errInvalidToken()
	}
	p, err := s.Identity.GetPrincipal(ctx, cl.TenantID, cl.ObjectID)
	if err != nil || p.UserPrincipalName == "" {
		return "", "", errInvalidToken()
	}
	return scopevault.WorkspaceUser, p.UserPrincipalName, nil
}

// provision adds an Entra caller who may write the workspace resource as a
// workspace admin. It is off the hot path: it runs once per new caller.
func (s *Service) provision(ctx context.Context, ws *scopevault.Workspace, caller *scopevault.Caller, kind scopevault.WorkspacePrincipalKind, name string) (*scopevault.WorkspacePrincipal, error) {
	if s.Authz == nil {
		return nil, errNotMember()
	}
	d, err := s.Authz.AuthorizeManagement(ctx, caller, ActionWorkspaceWrite, ws.ResourceID())
	if err != nil {
		return nil, err
	}
	if !d.Allowed {
		return nil, errNotMember()
	}
	p := &scopevault.WorkspacePrincipal{Kind: kind, Name: name, EntraObjectID: caller.ObjectID, Active: true}
	if s.Identity != nil {
		if e, err := s.Identity.GetPrincipal(ctx, caller.TenantID, caller.ObjectID); err == nil {
			p.DisplayName = e.DisplayName
		}
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if err := s.ensureBuiltins(ctx, tx, ws.WorkspaceID); err != nil {
			return err
		}
		existing, err := s.principalByName(ctx, tx, ws.WorkspaceID, kind, name)
		switch {
		case err == nil:
			// Another request provisioned it meanwhile.
			p = existing
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := s.insertPrincipal(ctx, tx, ws.WorkspaceID, p); err != nil {
			return err
		}
		return s.addToGroup(ctx, tx, ws.WorkspaceID, scopevault.GroupAdmins, p.ID)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// BootstrapAdmin makes the directory service principal p an admin of ws
// (adding it if needed) and mints it a personal access token that never
// expires: the DATABRICKS_TOKEN of the env file.
func (s *Service) BootstrapAdmin(ctx context.Context, ws *scopevault.Workspace, p *scopevault.Principal) (string, error) {
	if ws == nil || p == nil || p.AppID == "" {
		return "", scopevault.Errorf(scopevault.EINVALID, "", "workspace: the bootstrap admin needs a workspace and a service principal")
	}
	var pat string
	err := s.update(ctx, func(tx store.Tx) error {
		if err := s.ensureBuiltins(ctx, tx, ws.WorkspaceID); err != nil {
			return err
		}
		sp, err := s.principalByName(ctx, tx, ws.WorkspaceID, scopevault.WorkspaceServicePrincipal, p.AppID)
		if errors.Is(err, store.ErrNotFound) {
			sp = &scopevault.WorkspacePrincipal{Kind: scopevault.WorkspaceServicePrincipal, Name: strings.ToLower(p.AppID),
				DisplayName: p.DisplayName, EntraObjectID: p.ObjectID, Active: true}
			err = s.insertPrincipal(ctx, tx, ws.WorkspaceID, sp)
		}
		if err != nil {
			return err
		}
		if err := s.addToGroup(ctx, tx, ws.WorkspaceID, scopevault.GroupAdmins, sp.ID); err != nil {
			return err
		}
		pat, _, err = s.mintToken(ctx, tx, ws.WorkspaceID, sp.ID, 0, "scopevault bootstrap admin")
		return err
	})
	if err != nil {
		return "", err
	}
	return pat, nil
}

// DeleteWorkspaceData drops everything stored for ws: identities, tokens
// (and their hash index entries), scopes, secrets and ACLs. ARM calls it
// when the workspace resource is deleted.
func (s *Service) DeleteWorkspaceData(ctx context.Context, ws *scopevault.Workspace) error {
	if ws == nil {
		return nil
	}
	prefix := wsPrefix(ws.WorkspaceID)
	err := s.update(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, tokenPrefix(ws.WorkspaceID), "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var t scopevault.PersonalAccessToken
			if err := getJSON(ctx, tx, kv.Key, &t); err != nil {
				return err
			}
			if err := tx.Delete(ctx, tokenHashKey(t.Hash)); err != nil {
				return err
			}
		}
		for {
			kvs, err := tx.List(ctx, prefix, "", 1000)
			if err != nil {
				return err
			}
			if len(kvs) == 0 {
				return nil
			}
			for _, kv := range kvs {
				if err := tx.Delete(ctx, kv.Key); err != nil {
					return err
				}
			}
		}
	})
	if err != nil {
		return err
	}
	s.dirs.drop(ws.WorkspaceID)
	return nil
}
