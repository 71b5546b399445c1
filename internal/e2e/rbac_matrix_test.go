package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

// matrixRoles are the built-in roles the matrix assigns, each at every
// scope: all of them, so a role added to the definitions joins the matrix.
var matrixRoles = func() []string {
	var names []string
	for _, r := range authz.BuiltinRoles() {
		names = append(names, r.RoleName)
	}
	return names
}()

// grants is what a role definition, as the SDK read it, says about action:
// some permission block allows it (actions, or dataActions for a data
// action) and the same block does not take it away. Computed with
// authz.MatchAction, never by hand.
func grants(def *armauthorization.RoleDefinition, action string, data bool) bool {
	match := func(patterns []*string) bool {
		for _, p := range patterns {
			if authz.MatchAction(*p, action) {
				return true
			}
		}
		return false
	}
	for _, p := range def.Properties.Permissions {
		allow, deny := p.Actions, p.NotActions
		if data {
			allow, deny = p.DataActions, p.NotDataActions
		}
		if match(allow) && !match(deny) {
			return true
		}
	}
	return false
}

// matrixCase is one role assigned at one scope to its own service principal.
type matrixCase struct {
	role      string
	def       *armauthorization.RoleDefinition
	scopeName string
	scope     string
	who       sp
	armToken  string
	kvToken   string
	target    string // a group this case's principal may try to assign a role to
	purge     string // the soft-deleted vault this case may try to purge
}

// matrixOp is one management or data operation, the action it needs and the
// scope that action is checked at.
type matrixOp struct {
	name   string
	action string
	data   bool
	scope  string
	do     func(c matrixCase) (int, []byte, error)
	ok     int
}

// TestRoleScopeOperationMatrix assigns each built-in role at subscription,
// resource group, vault and secret scope, each to its own service
// principal, and runs every management operation (ARM) and data operation
// (the vault's data plane, over HTTPS) as each. The expected outcome comes
// from the role definitions the server serves and scope inheritance; a
// denial must be ARM's 403 AuthorizationFailed or Key Vault's 403
// ForbiddenByRbac.
func TestRoleScopeOperationMatrix(t *testing.T) {
	srv := MustServer(t)
	c := MustClient(t, MustEnvFile(t, srv.DataDir()))
	admin := MustAdminCredential(t, srv)
	rc := MustRBACClients(t, srv, admin)
	adminARM, adminGraph := MustToken(t, admin, armScope), MustToken(t, admin, graphScope)
	tenant, subID := srv.Boot.TenantID, srv.Boot.SubscriptionID
	base := srv.URL()

	sub := "/subscriptions/" + subID
	rg := sub + "/resourceGroups/rg-matrix"
	vault := rg + "/providers/Microsoft.KeyVault/vaults/kv-matrix"
	const secret = "s-matrix"
	secretScope := vault + "/secrets/" + secret
	MustARM(t, c, http.MethodPut, base+rg+"?"+rgAPI, adminARM, map[string]any{"location": location}, http.StatusCreated)
	created := MustARM(t, c, http.MethodPut, base+vault+"?"+kvAPI, adminARM, vaultBody(tenant, true, nil), http.StatusCreated)
	data := created["properties"].(map[string]any)["vaultUri"].(string)
	officer := rc.MustRole(t, sub, "Key Vault Secrets Officer")
	rc.MustAssign(t, vault, *officer.ID, srv.Boot.ObjectID)
	MustARM(t, c, http.MethodPut, data+"secrets/"+secret+"?"+dataAPI, MustToken(t, admin, vaultScope), map[string]string{"value": "v0"}, http.StatusOK)

	ops := []matrixOp{
		{name: "vault-read", action: "Microsoft.KeyVault/vaults/read", scope: vault, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				return c.Do(http.MethodGet, base+vault+"?"+kvAPI, mc.armToken, nil)
			}},
		{name: "vault-write", action: "Microsoft.KeyVault/vaults/write", scope: vault, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				body := vaultBody(tenant, true, nil)
				delete(body["properties"].(map[string]any), "enableRbacAuthorization") // switching the model needs more
				body["tags"] = map[string]string{"writer": mc.who.ObjectID}
				return c.Do(http.MethodPut, base+vault+"?"+kvAPI, mc.armToken, body)
			}},
		{name: "accessPolicies-write", action: "Microsoft.KeyVault/vaults/accessPolicies/write", scope: vault, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				body := map[string]any{"properties": map[string]any{"accessPolicies": []any{secretPolicy(tenant, mc.target, "get")}}}
				return c.Do(http.MethodPut, base+vault+"/accessPolicies/add?"+kvAPI, mc.armToken, body)
			}},
		{name: "roleAssignments-write", action: "Microsoft.Authorization/roleAssignments/write", scope: vault, ok: 201,
			do: func(mc matrixCase) (int, []byte, error) {
				// Key Vault Secrets User is one of the roles Key Vault Data
				// Access Administrator's condition lets it assign, so the
				// role definition's actions alone decide here.
				body := map[string]any{"properties": map[string]any{
					"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/" + authz.RoleKeyVaultSecretsUser,
					"principalId":      mc.target, "principalType": "Group",
				}}
				return c.Do(http.MethodPut, base+vault+"/providers/Microsoft.Authorization/roleAssignments/"+scopevault.NewGUID()+"?"+authAPI, mc.armToken, body)
			}},
		{name: "deletedVaults-purge", action: "Microsoft.KeyVault/locations/deletedVaults/purge/action", ok: 202,
			// A deleted vault belongs to the subscription and location, so
			// only subscription-wide grants reach it.
			scope: sub + "/providers/Microsoft.KeyVault/locations/" + location + "/deletedVaults/{purge}",
			do: func(mc matrixCase) (int, []byte, error) {
				return c.Do(http.MethodPost, base+sub+"/providers/Microsoft.KeyVault/locations/"+location+"/deletedVaults/"+mc.purge+"/purge?"+kvAPI, mc.armToken, nil)
			}},
		{name: "secret-get", action: scopevault.Operations[scopevault.OpGetSecret].Action, data: true, scope: secretScope, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				return c.Do(http.MethodGet, data+"secrets/"+secret+"?"+dataAPI, mc.kvToken, nil)
			}},
		{name: "secret-set", action: scopevault.Operations[scopevault.OpSetSecret].Action, data: true, scope: secretScope, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				return c.Do(http.MethodPut, data+"secrets/"+secret+"?"+dataAPI, mc.kvToken, map[string]string{"value": "by " + mc.who.ObjectID})
			}},
		{name: "secret-list", action: scopevault.Operations[scopevault.OpListSecrets].Action, data: true, scope: vault, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				return c.Do(http.MethodGet, data+"secrets?"+dataAPI, mc.kvToken, nil)
			}},
		{name: "secret-versions", action: scopevault.Operations[scopevault.OpListSecretVersions].Action, data: true, scope: secretScope, ok: 200,
			do: func(mc matrixCase) (int, []byte, error) {
				return c.Do(http.MethodGet, data+"secrets/"+secret+"/versions?"+dataAPI, mc.kvToken, nil)
			}},
	}
	op := func(name string) matrixOp {
		for _, o := range ops {
			if o.name == name {
				return o
			}
		}
		t.Fatalf("no operation %q", name)
		return matrixOp{}
	}
	allowed := func(mc matrixCase, o matrixOp) bool {
		return authz.IsAncestorOrSelf(mc.scope, strings.ReplaceAll(o.scope, "{purge}", mc.purge)) && grants(mc.def, o.action, o.data)
	}

	// One principal per role and scope, made and granted through the wire.
	scopes := []struct{ name, scope string }{{"subscription", sub}, {"resource-group", rg}, {"vault", vault}, {"secret", secretScope}}
	var cases []matrixCase
	for i, role := range matrixRoles {
		def := rc.MustRole(t, sub, role)
		for j, s := range scopes {
			who := MustGraphSP(t, c, srv, adminGraph, fmt.Sprintf("matrix-%d-%d", i, j))
			rc.MustAssign(t, s.scope, *def.ID, who.ObjectID)
			target := MustGraph(t, c, srv, http.MethodPost, "/v1.0/groups", adminGraph, map[string]any{"displayName": fmt.Sprintf("target-%d-%d", i, j)}, http.StatusCreated)
			mc := matrixCase{role: role, def: def, scopeName: s.name, scope: s.scope, who: who, target: target["id"].(string),
				purge:    fmt.Sprintf("kv-purge-%d-%d", i, j),
				armToken: c.Token(t, who.AppID, who.Secret, armScope), kvToken: c.Token(t, who.AppID, who.Secret, vaultScope)}
			if allowed(mc, op("deletedVaults-purge")) {
				// Something to purge, so an allowed purge succeeds.
				v := rg + "/providers/Microsoft.KeyVault/vaults/" + mc.purge
				MustARM(t, c, http.MethodPut, base+v+"?"+kvAPI, adminARM, vaultBody(tenant, true, nil), http.StatusCreated)
				MustARM(t, c, http.MethodDelete, base+v+"?"+kvAPI, adminARM, nil, http.StatusOK)
			}
			cases = append(cases, mc)
		}
	}

	t.Run("matrix", func(t *testing.T) {
		for _, mc := range cases {
			t.Run(mc.role+"@"+mc.scopeName, func(t *testing.T) {
				t.Parallel()
				for _, o := range ops {
					want, name := o.ok, "ok/"+o.name
					if !allowed(mc, o) {
						want, name = http.StatusForbidden, "fail/forbidden/"+o.name
					}
					t.Run(name, func(t *testing.T) {
						status, raw, err := o.do(mc)
						if err != nil {
							t.Fatal(err)
						}
						if status != want {
							t.Fatalf("status = %d, want %d: %s", status, want, raw)
						}
						if want != http.StatusForbidden {
							return
						}
						code, inner := errorCodes(raw)
						switch {
						case o.data && (code != "Forbidden" || inner != "ForbiddenByRbac"):
							t.Errorf("data-plane denial = %q/%q, want Forbidden/ForbiddenByRbac: %s", code, inner, raw)
						case !o.data && code != "AuthorizationFailed":
							t.Errorf("management denial = %q, want AuthorizationFailed: %s", code, raw)
						}
					})
				}
			})
		}
	})

	// The two behaviours the documentation warns about, asserted outright.
	kvContributor := func(scopeName string) matrixCase {
		for _, mc := range cases {
			if mc.role == "Key Vault Contributor" && mc.scopeName == scopeName {
				return mc
			}
		}
		t.Fatal("no Key Vault Contributor case")
		return matrixCase{}
	}
	t.Run("ok/key-vault-contributor-writes-an-rbac-vault-but-reads-no-secret", func(t *testing.T) {
		mc := kvContributor("vault")
		if status, raw, _ := op("vault-write").do(mc); status != http.StatusOK {
			t.Fatalf("vault write: %d %s", status, raw)
		}
		status, raw, _ := op("secret-get").do(mc)
		if code, inner := errorCodes(raw); status != http.StatusForbidden || inner != "ForbiddenByRbac" {
			t.Fatalf("secret read: %d %s/%s", status, code, inner)
		}
	})
	t.Run("ok/key-vault-contributor-grants-itself-access-on-an-access-policy-vault", func(t *testing.T) {
		apVault := rg + "/providers/Microsoft.KeyVault/vaults/kv-matrix-ap"
		created := MustARM(t, c, http.MethodPut, base+apVault+"?"+kvAPI, adminARM,
			vaultBody(tenant, false, []any{secretPolicy(tenant, srv.Boot.ObjectID, "get", "set")}), http.StatusCreated)
		apData := created["properties"].(map[string]any)["vaultUri"].(string)
		MustARM(t, c, http.MethodPut, apData+"secrets/ap?"+dataAPI, MustToken(t, admin, vaultScope), map[string]string{"value": "policy-guarded"}, http.StatusOK)

		who := MustGraphSP(t, c, srv, adminGraph, "kv-contributor-ap")
		rc.MustAssign(t, apVault, *rc.MustRole(t, sub, "Key Vault Contributor").ID, who.ObjectID)
		armTok, kvTok := c.Token(t, who.AppID, who.Secret, armScope), c.Token(t, who.AppID, who.Secret, vaultScope)
		status, raw, _ := c.Do(http.MethodGet, apData+"secrets/ap?"+dataAPI, kvTok, nil)
		if _, inner := errorCodes(raw); status != http.StatusForbidden || inner != "AccessDenied" {
			t.Fatalf("before its access policy: %d %s", status, raw)
		}
		MustARM(t, c, http.MethodPut, base+apVault+"/accessPolicies/add?"+kvAPI, armTok,
			map[string]any{"properties": map[string]any{"accessPolicies": []any{secretPolicy(tenant, who.ObjectID, "get")}}}, http.StatusOK)
		got := MustARM(t, c, http.MethodGet, apData+"secrets/ap?"+dataAPI, kvTok, nil, http.StatusOK)
		if got["value"] != "policy-guarded" {
			t.Fatalf("secret = %v", got)
		}
	})
	t.Run("fail/data-access-administrator-cannot-assign-owner", func(t *testing.T) {
		var mc matrixCase
		for _, x := range cases {
			if x.role == "Key Vault Data Access Administrator" && x.scopeName == "vault" {
				mc = x
			}
		}
		body := map[string]any{"properties": map[string]any{
			"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/" + authz.RoleOwner,
			"principalId":      mc.target, "principalType": "Group",
		}}
		status, raw, _ := c.Do(http.MethodPut, base+vault+"/providers/Microsoft.Authorization/roleAssignments/"+scopevault.NewGUID()+"?"+authAPI, mc.armToken, body)
		if code, _ := errorCodes(raw); status != http.StatusForbidden || code != "AuthorizationFailed" {
			t.Fatalf("assign Owner: %d %s", status, raw)
		}
	})
}
