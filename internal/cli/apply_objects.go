package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/scopevault/scopevault/client"
)

// apply's directory objects (users, groups, service principals, through
// Microsoft Graph) and Databricks secret scopes and their ACLs (through
// the workspace's Secrets API, with the signed-in principal's Entra ID
// token, which a Key Vault-backed scope needs).

// databricksResource is the AzureDatabricks application: a token for it
// is what the workspace APIs accept.
const databricksResource = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

func (a *applier) userStep(s *userSpec) stepFn {
	label := "User " + s.UserPrincipalName
	return func(ctx context.Context) (*step, error) {
		_, err := a.s.graph.User(ctx, s.UserPrincipalName)
		switch {
		case err == nil:
			return planUnchanged(label), nil
		case !applyNotFound(err):
			return nil, err
		}
		display := s.DisplayName
		if display == "" {
			display, _, _ = strings.Cut(s.UserPrincipalName, "@")
		}
		nick, _, _ := strings.Cut(s.UserPrincipalName, "@")
		return planCreate(label, func(ctx context.Context) error {
			_, err := a.s.graph.CreateUser(ctx, client.NewUser{AccountEnabled: true, DisplayName: display,
				UserPrincipalName: s.UserPrincipalName, MailNickname: nick,
				PasswordProfile: client.PasswordProfile{Password: s.password}})
			return err
		}), nil
	}
}

func (a *applier) spStep(s *spSpec) stepFn {
	label := "ServicePrincipal " + s.DisplayName
	return func(ctx context.Context) (*step, error) {
		sps, err := a.s.graph.ServicePrincipalsByName(ctx, s.DisplayName)
		if err != nil {
			return nil, err
		}
		if len(sps) > 0 {
			return planUnchanged(label), nil
		}
		return planCreate(label, func(ctx context.Context) error {
			_, err := a.s.graph.CreateServicePrincipal(ctx, s.DisplayName)
			return err
		}), nil
	}
}

// adGroupStep creates a security group and adds the members the file
// names that it lacks; members it has and the file does not name stay.
func (a *applier) adGroupStep(s *adGroupSpec) stepFn {
	label := "Group " + s.DisplayName
	return func(ctx context.Context) (*step, error) {
		groups, err := a.s.graph.Groups(ctx, "displayName eq "+client.ODataString(s.DisplayName))
		if err != nil {
			return nil, err
		}
		if len(groups) > 1 {
			return nil, fmt.Errorf("%d groups are named %q", len(groups), s.DisplayName)
		}
		var have []client.DirectoryObject
		if len(groups) == 1 {
			if have, err = a.s.graph.GroupMembers(ctx, groups[0].ID); err != nil {
				return nil, err
			}
		}
		var add []string
		for _, m := range s.Members {
			id, _, err := a.principal(ctx, m)
			if err != nil {
				return nil, err
			}
			if id == "" {
				if a.dryRun && a.declaredPrincipal(m) {
					add = append(add, m)
					continue
				}
				return nil, fmt.Errorf("member %q: no user, group or service principal by that name", m)
			}
			if !slices.ContainsFunc(have, func(o client.DirectoryObject) bool { return strings.EqualFold(o.ID, id) }) {
				add = append(add, id)
			}
		}
		addAll := func(ctx context.Context, gid string) error {
			for i, id := range add {
				if err := a.s.graph.AddGroupMember(ctx, gid, id); err != nil {
					return fmt.Errorf("%d of %d members added; adding %s: %w", i, len(add), id, err)
				}
			}
			return nil
		}
		if len(groups) == 0 {
			return planCreate(label, func(ctx context.Context) error {
				nick := strings.Map(func(r rune) rune {
					if r == ' ' {
						return -1
					}
					return r
				}, s.DisplayName)
				g, err := a.s.graph.CreateGroup(ctx, client.NewGroup{DisplayName: s.DisplayName, MailNickname: nick, SecurityEnabled: true})
				if err != nil {
					return err
				}
				if err := addAll(ctx, g.ID); err != nil {
					// Say what is done: the group exists, some members may not be in it.
					return fmt.Errorf("the group was created (object id %s), but adding its members failed: %w", g.ID, err)
				}
				return nil
			}), nil
		}
		if len(add) == 0 {
			return planUnchanged(label), nil
		}
		return planUpdate(label, fmt.Sprintf("%d member(s) to add", len(add)), func(ctx context.Context) error { return addAll(ctx, groups[0].ID) }), nil
	}
}

// workspaceClient is the Secrets API client of a declared workspace, with
// the signed-in principal's Entra ID token.
func (a *applier) workspaceClient(ctx context.Context, name string) (*client.Databricks, error) {
	if w := a.dbx[strings.ToLower(name)]; w != nil {
		return w, nil
	}
	r := a.declared("Workspace", name)
	ws, err := a.s.arm.Workspace(ctx, a.sub, a.f.groupOf(r.Spec.(*workspaceSpec).Group), r.Spec.(*workspaceSpec).Name)
	if err != nil {
		return nil, err
	}
	if ws.Properties.WorkspaceURL == "" {
		return nil, fmt.Errorf("the workspace %s has no workspaceUrl yet", name)
	}
	tok, err := a.s.cred.Token(ctx, "", resourceScope(databricksResource))
	if err != nil {
		return nil, err
	}
	var pem []byte
	if a.s.prof.CAFile != "" {
		if pem, err = os.ReadFile(a.s.prof.CAFile); err != nil {
			return nil, err
		}
	}
	w, err := client.NewDatabricks("https://"+ws.Properties.WorkspaceURL, tok.Token, pem)
	if err != nil {
		return nil, err
	}
	if err := dialNamesAt(w, a.s.prof.ServerURL); err != nil {
		return nil, err
	}
	a.dbx[strings.ToLower(name)] = w
	return w, nil
}

func (a *applier) scopeStep(s *scopeSpec) stepFn {
	label := "SecretScope " + s.Workspace + "/" + s.Name
	backend := strings.ToUpper(s.Backend)
	if backend == "" {
		backend = client.BackendDatabricks
	}
	return func(ctx context.Context) (*step, error) {
		req := client.CreateScopeRequest{Scope: s.Name, InitialManagePrincipal: s.InitialManagePrincipal}
		var vaultID string
		if backend == client.BackendAzureKeyVault {
			vaultID = a.vaultID(s.Vault)
			req.ScopeBackendType = backend
			req.BackendAzureKeyVault = &client.AzureKeyVaultMetadata{ResourceID: vaultID, DNSName: "https://" + strings.ToLower(s.Vault) + vaultSuffix + "/"}
		}
		if a.willCreate("Workspace", s.Workspace) {
			return planCreate(label, nil), nil
		}
		w, err := a.workspaceClient(ctx, s.Workspace)
		if err != nil {
			return nil, err
		}
		scopes, err := w.ListScopes(ctx)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(scopes, func(sc client.SecretScope) bool { return sc.Name == s.Name })
		if i < 0 {
			return planCreate(label, func(ctx context.Context) error { return w.CreateScope(ctx, req) }), nil
		}
		cur := scopes[i]
		if !strings.EqualFold(orDefaultStr(cur.BackendType, client.BackendDatabricks), backend) ||
			backend == client.BackendAzureKeyVault && (cur.KeyvaultMetadata == nil || !strings.EqualFold(cur.KeyvaultMetadata.ResourceID, vaultID)) {
			return nil, fmt.Errorf("the scope exists with another backend or vault; a scope's backend cannot change (delete it with 'scopevault databricks secrets delete-scope --scope %s' first)", s.Name)
		}
		return planUnchanged(label), nil
	}
}

func (a *applier) aclStep(s *aclSpec) stepFn {
	label := "ScopeACL " + s.Workspace + "/" + s.Scope + " " + s.Principal
	perm := strings.ToUpper(s.Permission)
	return func(ctx context.Context) (*step, error) {
		if a.willCreate("Workspace", s.Workspace) || a.willCreate("SecretScope", s.Workspace+"/"+s.Scope) {
			return planCreate(label, nil), nil
		}
		w, err := a.workspaceClient(ctx, s.Workspace)
		if err != nil {
			return nil, err
		}
		put := func(ctx context.Context) error { return w.PutACL(ctx, s.Scope, s.Principal, perm) }
		cur, err := w.GetACL(ctx, s.Scope, s.Principal)
		switch {
		case applyNotFound(err):
			return planCreate(label, put), nil
		case err != nil:
			return nil, err
		case !strings.EqualFold(cur.Permission, perm):
			return planUpdate(label, "permission "+cur.Permission+" -> "+perm, put), nil
		}
		return planUnchanged(label), nil
	}
}
