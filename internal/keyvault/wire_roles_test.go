package keyvault_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/secrets"
)

// roleGrants is what the role definition says about action, evaluated with
// authz.MatchAction: some permission block allows it and does not exclude it.
func roleGrants(def scopevault.RoleDefinition, action string) bool {
	matches := func(patterns []string) bool {
		for _, p := range patterns {
			if authz.MatchAction(p, action) {
				return true
			}
		}
		return false
	}
	for _, p := range def.Permissions {
		if matches(p.DataActions) && !matches(p.NotDataActions) {
			return true
		}
	}
	return false
}

func builtinRole(tb testing.TB, name string) scopevault.RoleDefinition {
	tb.Helper()
	for _, r := range authz.BuiltinRoles() {
		if r.RoleName == name {
			return r
		}
	}
	tb.Fatalf("no built-in role %q", name)
	return scopevault.RoleDefinition{}
}

// Every built-in Key Vault role against every secrets operation over the
// wire: 403 ForbiddenByRbac exactly where the role's dataActions do not grant.
func TestWireRoleMatrix(t *testing.T) {
	ctx := context.Background()
	w := MustWire(t)
	v := w.vault
	q := "?api-version=" + defaultAPIVersion

	roles := []string{
		"Key Vault Administrator", "Key Vault Reader", "Key Vault Secrets Officer", "Key Vault Secrets User",
		"Key Vault Certificate User", "Key Vault Certificates Officer", "Key Vault Crypto Officer",
		"Key Vault Contributor", "Key Vault Data Access Administrator",
	}
	type op struct {
		op     scopevault.Operation
		method string
		path   string // {i} is the role's index
		body   func(i int) any
		status int // when allowed
	}
	blobs := map[int]string{}
	ops := []op{
		{op: scopevault.OpGetSecret, method: "GET", path: "/secrets/m-{i}/", status: 200},
		{op: scopevault.OpSetSecret, method: "PUT", path: "/secrets/s-{i}", body: func(int) any { return map[string]string{"value": "v"} }, status: 200},
		{op: scopevault.OpUpdateSecret, method: "PATCH", path: "/secrets/m-{i}", body: func(int) any { return map[string]string{"contentType": "x"} }, status: 200},
		{op: scopevault.OpListSecrets, method: "GET", path: "/secrets", status: 200},
		{op: scopevault.OpListSecretVersions, method: "GET", path: "/secrets/m-{i}/versions", status: 200},
		{op: scopevault.OpBackupSecret, method: "POST", path: "/secrets/m-{i}/backup", status: 200},
		{op: scopevault.OpDeleteSecret, method: "DELETE", path: "/secrets/x-{i}", status: 200},
		{op: scopevault.OpListDeletedSecrets, method: "GET", path: "/deletedsecrets", status: 200},
		{op: scopevault.OpGetDeletedSecret, method: "GET", path: "/deletedsecrets/d-{i}", status: 200},
		{op: scopevault.OpRecoverDeletedSecret, method: "POST", path: "/deletedsecrets/d-{i}/recover", status: 200},
		{op: scopevault.OpPurgeDeletedSecret, method: "DELETE", path: "/deletedsecrets/p-{i}", status: 204},
		{op: scopevault.OpRestoreSecret, method: "POST", path: "/secrets/restore", body: func(i int) any { return map[string]string{"value": blobs[i]} }, status: 200},
	}
	if got, want := len(ops), len(scopevault.Operations); got != want {
		t.Fatalf("the matrix covers %d operations, the table has %d", got, want)
	}

	for i, roleName := range roles {
		def := builtinRole(t, roleName)
		// State each operation needs to succeed when allowed, made as the engine.
		name := func(prefix string) string { return fmt.Sprintf("%s-%d", prefix, i) }
		for _, n := range []string{"m", "x", "d", "p", "r"} {
			w.MustSet(t, v, name(n), secrets.SetParams{Value: "v"})
		}
		w.MustDelete(t, v, name("d"))
		w.MustDelete(t, v, name("p"))
		blob, err := w.srv.Engine.Backup(ctx, v, name("r"))
		if err != nil {
			t.Fatal(err)
		}
		blobs[i] = base64.RawURLEncoding.EncodeToString(blob)
		w.MustDelete(t, v, name("r"))
		if err := w.srv.Engine.Purge(ctx, v, name("r")); err != nil {
			t.Fatal(err)
		}
		sp := w.MustSP(t, "", "")
		w.MustAssign(t, def.ID, sp.ObjectID, v.ResourceID())

		t.Run(roleName, func(t *testing.T) {
			for _, o := range ops {
				action := scopevault.Operations[o.op].Action
				tt := wireCase{method: o.method, url: strings.ReplaceAll(o.path, "{i}", strconv.Itoa(i)) + q, token: sp.token, status: o.status}
				if o.body != nil {
					tt.body = o.body(i)
				}
				name := "ok/" + string(o.op)
				if !roleGrants(def, action) {
					name = "fail/forbidden-by-rbac/" + string(o.op)
					tt.status, tt.code, tt.inner = 403, "Forbidden", "ForbiddenByRbac"
					tt.contains = []string{"Action: '" + action + "'", "Caller: appid=" + sp.AppID + ";oid=" + sp.ObjectID + ";"}
				}
				t.Run(name, func(t *testing.T) { w.run(t, tt) })
			}
		})
	}
}
