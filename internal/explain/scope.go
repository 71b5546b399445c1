package explain

import (
	"context"
	"fmt"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/netgate"
	"github.com/scopevault/scopevault/internal/workspace"
)

// notOnPath marks the hops a Databricks-backed scope never takes.
const notOnPath = "not on this path: a Databricks-backed scope keeps its secrets in the workspace"

// Scope explains workspace caller c reading key of scope (dbutils.secrets.get,
// GET /api/2.0/secrets/get): the workspace ACL, the scope's backend, and for
// a Key Vault-backed scope the control plane's call to the vault, its
// network gate, the vault's authorization of AzureDatabricks and the
// secret's state. Each hop runs the step GetSecret runs.
func (e *Explainer) Scope(ctx context.Context, c *scopevault.WorkspaceCaller, scope, key string) (*Report, error) {
	if c == nil || c.Principal == nil || c.Workspace == nil {
		return nil, scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipal", "Name the workspace principal to explain the read as.")
	}
	r := &Report{Kind: "scope", Subject: fmt.Sprintf("%s reads %s/%s in workspace %s", c.Principal.Name, scope, key, c.Workspace.Name)}
	skipRest := func(names ...string) *Report {
		for _, n := range names {
			r.Hops = append(r.Hops, Hop{Name: n, Outcome: Skipped})
		}
		return r.finish()
	}
	sc, d, err := e.Workspaces.ScopeACL(ctx, c, scope, key)
	if internal(err) {
		return nil, err
	}
	acl := Hop{Name: HopWorkspaceACL, Outcome: Allowed, Rule: d.Rule}
	if err != nil {
		acl.Outcome, acl.Error = Denied, databricksError(err)
		if acl.Rule == "" {
			acl.Rule = scopevault.ErrorMessageOf(err)
		}
		switch scopevault.ErrorCodeOf(err) {
		case scopevault.EFORBIDDEN:
			acl.Change = fmt.Sprintf("grant READ on scope %s to %s (databricks secrets put-acl %s %s READ)", scope, c.Principal.Name, scope, c.Principal.Name)
		case scopevault.ENOTFOUND:
			acl.Change = fmt.Sprintf("create scope %s (databricks secrets create-scope %s)", scope, scope)
		}
		r.Hops = append(r.Hops, acl)
		return skipRest(HopScopeBackend, HopControlPlane, HopNetworkGate, HopAuthorization, HopSecretState), nil
	}
	if c.Admin {
		acl.Change = "remove " + c.Principal.Name + " from the admins group"
	} else {
		acl.Change = fmt.Sprintf("remove the ACL that grants it (databricks secrets delete-acl %s ...)", sc.Name)
	}
	r.Hops = append(r.Hops, acl)

	if sc.Backend != scopevault.BackendAzureKeyVault {
		r.Hops = append(r.Hops, Hop{Name: HopScopeBackend, Outcome: Allowed,
			Rule: fmt.Sprintf("scope %s is Databricks-backed: the workspace holds its secrets, no vault, network gate or vault authorization is involved", sc.Name)})
		for _, n := range []string{HopControlPlane, HopNetworkGate, HopAuthorization} {
			r.Hops = append(r.Hops, Hop{Name: n, Outcome: Skipped, Rule: notOnPath})
		}
		_, _, err := e.Workspaces.GetSecret(ctx, c, scope, key)
		if internal(err) {
			return nil, err
		}
		h := Hop{Name: HopSecretState, Outcome: Allowed, Rule: fmt.Sprintf("secret %s exists in scope %s", key, sc.Name),
			Change: fmt.Sprintf("delete it (databricks secrets delete-secret %s %s)", sc.Name, key)}
		if err != nil {
			h = Hop{Name: HopSecretState, Outcome: Denied, Rule: scopevault.ErrorMessageOf(err), Error: databricksError(err),
				Change: fmt.Sprintf("put the secret (databricks secrets put-secret %s %s)", sc.Name, key)}
		}
		r.Hops = append(r.Hops, h)
		return r.finish(), nil
	}

	backend := Hop{Name: HopScopeBackend, Outcome: Allowed}
	v, err := e.Workspaces.ScopeVault(ctx, sc)
	if err == nil {
		err = workspace.ValidKeyVaultKey(key)
	}
	if internal(err) {
		return nil, err
	}
	if err != nil {
		backend.Outcome, backend.Rule, backend.Error = Denied, scopevault.ErrorMessageOf(err), databricksError(err)
		r.Hops = append(r.Hops, backend)
		return skipRest(HopControlPlane, HopNetworkGate, HopAuthorization, HopSecretState), nil
	}
	backend.Rule = fmt.Sprintf("scope %s is Azure Key Vault-backed: vault %s (%s)", sc.Name, v.Name, sc.KeyVault.DNSName)
	r.Hops = append(r.Hops, backend)

	dbx, err := e.Workspaces.DatabricksCaller(ctx, v.TenantID)
	if err != nil {
		return nil, err
	}
	origin := workspace.ControlPlaneOrigin()
	client := origin.RemoteAddr.Addr()
	r.Hops = append(r.Hops, Hop{Name: HopControlPlane, Outcome: Allowed,
		Rule: fmt.Sprintf("the Databricks control plane reads %s as AzureDatabricks (appid=%s;oid=%s) from its own origin %s: not from the workspace's virtual network, and through no private endpoint",
			v.Name, dbx.AppID, dbx.ObjectID, client),
		Change: "nothing: the control plane's origin is fixed; only bypass AzureServices (a trusted service) or an ipRule naming its address admits it through a firewall"})

	n, err := e.network(ctx)
	if err != nil {
		return nil, err
	}
	gate, d, _ := e.gateHop(n, v, client, origin.Via, dbx)
	if !d.Allowed {
		gate.Error = databricksError(workspace.WrapVaultError(sc, scopevault.VaultDenial(d, dbx, v, scopevault.OpGetSecret, client)))
		r.Hops = append(r.Hops, gate)
		return skipRest(HopAuthorization, HopSecretState), nil
	}
	r.Hops = append(r.Hops, gate)

	ad, err := e.Authz.AuthorizeData(ctx, dbx, v, scopevault.OpGetSecret, key)
	if err != nil {
		return nil, err
	}
	ah := Hop{Name: HopAuthorization, Outcome: Allowed, Rule: ruleOf(ad), Change: authzChange(v, dbx, ad)}
	if !ad.Allowed {
		ah.Outcome = Denied
		ah.Error = databricksError(workspace.WrapVaultError(sc, scopevault.VaultDenial(ad, dbx, v, scopevault.OpGetSecret, client)))
		r.Hops = append(r.Hops, ah)
		return skipRest(HopSecretState), nil
	}
	r.Hops = append(r.Hops, ah)

	sh, err := e.secretHop(ctx, v, key, func(err error) *WireError {
		return databricksError(workspace.KeyVaultGetError(sc, key, err))
	})
	if err != nil {
		return nil, err
	}
	r.Hops = append(r.Hops, sh)
	return r.finish(), nil
}

// controlPlaneOrigin is the gate's view of the control plane's reads.
func controlPlaneOrigin(n *scopevault.Network, vault string) netgate.Origin {
	o := workspace.ControlPlaneOrigin()
	return netgate.OriginOf(n, vault, o.RemoteAddr.Addr().Unmap(), o.Via)
}
