package client_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/client"
)

func TestClientSecretCredential(t *testing.T) {
	l := MustLive(t)
	boot := l.srv.Boot
	tok, err := l.cred.Token(t.Context(), "", client.ScopeARM)
	if err != nil || tok.Token == "" || tok.ExpiresOn.IsZero() {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	n := l.rec.CountPath("/oauth2/v2.0/token")
	again, err := l.cred.Token(t.Context(), strings.ToUpper(boot.TenantID), client.ScopeARM)
	if err != nil || again.Token != tok.Token {
		t.Fatalf("second Token = %v, want the cached one", err)
	}
	if got := l.rec.CountPath("/oauth2/v2.0/token"); got != n {
		t.Errorf("cached token fetched again (%d requests, want %d)", got, n)
	}
	if _, err := l.cred.Token(t.Context(), "00000000-0000-0000-0000-000000000001", client.ScopeARM); err == nil {
		t.Error("credential accepted another tenant")
	}

	wrong := "wrong-secret-value-123"
	bad, err := client.NewClientSecretCredential(l.srv.URL()+"/", boot.TenantID, boot.ClientID, wrong, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Token(t.Context(), "", client.ScopeARM)
	var re *client.ResponseError
	if !errors.As(err, &re) || re.Code != "invalid_client" || !strings.Contains(re.Message, "AADSTS7000215") {
		t.Fatalf("bad secret: %v", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error text %q leaks the secret or trace lines", err)
	}
}

func TestNewCredentialValidation(t *testing.T) {
	for _, tc := range []struct {
		name, authority, tenant, clientID, secret string
	}{
		{"fail/http-authority", "http://localhost/", "t", "c", "s"},
		{"fail/no-tenant", "https://localhost/", "", "c", "s"},
		{"fail/no-client", "https://localhost/", "t", "", "s"},
		{"fail/no-secret", "https://localhost/", "t", "c", ""},
		{"fail/tenant-with-slash", "https://localhost/", "t/../x", "c", "s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := client.NewClientSecretCredential(tc.authority, tc.tenant, tc.clientID, tc.secret, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestARMClient(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	boot := l.srv.Boot
	a, err := client.NewARM(l.armURL, l.cred, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := a.Subscriptions(ctx)
	if err != nil || len(subs) != 1 || subs[0].SubscriptionID != boot.SubscriptionID {
		t.Fatalf("Subscriptions = %+v, %v", subs, err)
	}
	g, err := a.CreateResourceGroup(ctx, boot.SubscriptionID, "rg-client", "westeurope", map[string]string{"team": "data"})
	if err != nil || g.Name != "rg-client" || g.Location != "westeurope" || g.Tags["team"] != "data" {
		t.Fatalf("CreateResourceGroup = %+v, %v", g, err)
	}
	yes, days := true, 7
	v, err := a.CreateVault(ctx, boot.SubscriptionID, "rg-client", "kv-client", client.Vault{
		Location: "westeurope",
		Properties: client.VaultProperties{TenantID: boot.TenantID, SKU: &client.SKU{Family: "A", Name: "standard"},
			EnableRbacAuthorization: &yes, SoftDeleteRetentionInDays: &days},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Properties.VaultURI == "" || v.Properties.ProvisioningState != "Succeeded" || v.ResourceGroup() != "rg-client" || *v.Properties.SoftDeleteRetentionInDays != 7 {
		t.Fatalf("CreateVault = %+v", v)
	}
	found, err := a.FindVault(ctx, boot.SubscriptionID, "KV-CLIENT")
	if err != nil || found.ID != v.ID {
		t.Fatalf("FindVault = %+v, %v", found, err)
	}
	if _, err := a.FindVault(ctx, boot.SubscriptionID, "kv-absent"); !client.IsNotFound(err) {
		t.Fatalf("FindVault(absent) = %v", err)
	}
	if _, err := a.Vault(ctx, boot.SubscriptionID, boot.ResourceGroup, "kv-client"); !client.IsNotFound(err) {
		t.Fatalf("Vault in the wrong group = %v", err)
	}

	roles, err := a.RoleDefinitionsByName(ctx, "/subscriptions/"+boot.SubscriptionID, "Key Vault Secrets User")
	if err != nil || len(roles) != 1 {
		t.Fatalf("RoleDefinitionsByName = %+v, %v", roles, err)
	}
	name := client.NewAssignmentName()
	ra, err := a.CreateRoleAssignment(ctx, v.ID, name, client.RoleAssignmentProperties{
		RoleDefinitionID: roles[0].ID, PrincipalID: boot.ObjectID, PrincipalType: "ServicePrincipal",
	})
	if err != nil || ra.Name != name || !strings.EqualFold(ra.Properties.Scope, v.ID) {
		t.Fatalf("CreateRoleAssignment = %+v, %v", ra, err)
	}
	list, err := a.RoleAssignments(ctx, v.ID, "principalId eq '"+boot.ObjectID+"'")
	if err != nil || len(list) < 2 { // the subscription Owner and this one
		t.Fatalf("RoleAssignments = %+v, %v", list, err)
	}
	if deleted, err := a.DeleteRoleAssignment(ctx, v.ID, name); err != nil || !deleted {
		t.Fatalf("DeleteRoleAssignment = %v, %v", deleted, err)
	}
	if deleted, err := a.DeleteRoleAssignment(ctx, v.ID, name); err != nil || deleted {
		t.Fatalf("second DeleteRoleAssignment = %v, %v", deleted, err)
	}

	_, err = a.CreateResourceGroup(ctx, boot.SubscriptionID, "rg-client", "eastus", nil)
	var re *client.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusConflict || re.Code != "InvalidResourceGroupLocation" {
		t.Fatalf("moving a group: %v", err)
	}
	if got := err.Error(); !strings.HasPrefix(got, "(InvalidResourceGroupLocation) ") {
		t.Errorf("Error() = %q", got)
	}
}

func TestGraphClient(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	g, err := client.NewGraph(l.armURL, l.cred, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := g.CreateServicePrincipal(ctx, "pipeline")
	if err != nil || len(sp.PasswordCredentials) != 1 || sp.PasswordCredentials[0].SecretText == nil {
		t.Fatalf("CreateServicePrincipal = %+v, %v", sp, err)
	}
	found, err := g.ServicePrincipalsByAppID(ctx, sp.AppID)
	if err != nil || len(found) != 1 || found[0].ID != sp.ID || found[0].PasswordCredentials[0].SecretText != nil {
		t.Fatalf("ServicePrincipalsByAppID = %+v, %v", found, err)
	}
	obj, err := g.DirectoryObject(ctx, sp.ID)
	if err != nil || obj.PrincipalType() != "ServicePrincipal" {
		t.Fatalf("DirectoryObject = %+v, %v", obj, err)
	}
	cred, err := client.NewClientSecretCredential(l.srv.URL()+"/", l.srv.Boot.TenantID, sp.AppID, *sp.PasswordCredentials[0].SecretText, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	// The new principal authenticates but, holding no directory role, may not create principals.
	g2, _ := client.NewGraph(l.armURL, cred, l.hc)
	_, err = g2.CreateServicePrincipal(ctx, "not-allowed")
	var re *client.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusForbidden || re.Code != "Authorization_RequestDenied" {
		t.Fatalf("non-admin create: %v", err)
	}
}

func TestSecretsChallengeDance(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	vaultURL := ""
	for _, kv := range l.srv.Env() {
		if kv[0] == "AZURE_KEYVAULT_URL" {
			vaultURL = kv[1]
		}
	}
	s, err := client.NewSecrets(vaultURL, l.cred, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	start := l.rec.Len()
	ct := "text/plain"
	set, err := s.SetSecret(ctx, "db-password", client.SetSecretParams{Value: "s3cr3t", ContentType: &ct, Tags: map[string]string{"env": "dev"}})
	if err != nil || set.Value == nil || *set.Value != "s3cr3t" || set.Name() != "db-password" || set.Version() == "" {
		t.Fatalf("SetSecret = %+v, %v", set, err)
	}
	var vaultReqs []recorded
	for _, r := range l.rec.Since(start) {
		if !strings.Contains(r.Path, "/oauth2/") {
			vaultReqs = append(vaultReqs, r)
		}
	}
	if len(vaultReqs) != 2 || vaultReqs[0].Auth || vaultReqs[0].Body || vaultReqs[0].Status != 401 || !vaultReqs[1].Auth || !vaultReqs[1].Body || vaultReqs[1].Status != 200 {
		t.Fatalf("challenge dance = %+v, want an anonymous body-less probe (401) then the authorized PUT", vaultReqs)
	}
	got, err := s.GetSecret(ctx, "DB-PASSWORD", "")
	if err != nil || *got.Value != "s3cr3t" || *got.ContentType != ct {
		t.Fatalf("GetSecret = %+v, %v", got, err)
	}
	if old, err := s.GetSecret(ctx, "db-password", set.Version()); err != nil || *old.Value != "s3cr3t" {
		t.Fatalf("GetSecret(version) = %+v, %v", old, err)
	}
	for i := range 30 {
		if _, err := s.SetSecret(ctx, fmt.Sprintf("bulk-%02d", i), client.SetSecretParams{Value: "v"}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.ListSecrets(ctx)
	if err != nil || len(list) != 31 {
		t.Fatalf("ListSecrets = %d items, %v (want 31 across pages)", len(list), err)
	}
	for _, it := range list {
		if it.Value != nil {
			t.Fatalf("list item %s carries a value", it.ID)
		}
	}
	_, err = s.GetSecret(ctx, "absent", "")
	var re *client.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound || re.Code != "SecretNotFound" {
		t.Fatalf("GetSecret(absent) = %v", err)
	}
}

func TestParseChallengeRefusesForeignResource(t *testing.T) {
	for _, tc := range []struct {
		name, header, host string
		ok                 bool
	}{
		{"ok/loopback", `Bearer authorization="https://localhost:8443/t1", resource="https://1.0.1:8443"`, "127.1.0.1:8443", true},
		{"ok/azure", `Bearer authorization="https://login.microsoftonline.com/t1", resource="https://vault.azure.net"`, "kv.vault.azure.net", true},
		{"ok/scope", `Bearer authorization="https://login.microsoftonline.com/t1", scope="https://vault.azure.net/.default"`, "kv.vault.azure.net", true},
		{"fail/foreign-resource", `Bearer authorization="https://login.microsoftonline.com/t1", resource="https://management.azure.com"`, "kv.vault.azure.net", false},
		{"fail/port-mismatch", `Bearer authorization="https://localhost:8443/t1", resource="https://1.0.1:9443"`, "127.1.0.1:8443", false},
		{"fail/no-tenant", `Bearer authorization="https://login.microsoftonline.com/", resource="https://vault.azure.net"`, "kv.vault.azure.net", false},
		{"fail/basic", `Basic realm="x"`, "kv.vault.azure.net", false},
		{"fail/empty", ``, "kv.vault.azure.net", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := client.ParseChallengeForTest(tc.header, tc.host)
			if got := err == nil; got != tc.ok {
				t.Fatalf("parse = %+v, %v; want ok=%v", ch, err, tc.ok)
			}
			if tc.ok && ch[0] != "t1" {
				t.Errorf("tenant = %q", ch[0])
			}
		})
	}
}

func FuzzParseChallenge(f *testing.F) {
	f.Add(`Bearer authorization="https://localhost:8443/t1", resource="https://1.0.1:8443"`, "127.1.0.1:8443")
	f.Add(`Bearer authorization="https://login.microsoftonline.com/t1", scope="https://vault.azure.net/.default"`, "kv.vault.azure.net")
	f.Fuzz(func(t *testing.T, header, host string) {
		ch, err := client.ParseChallengeForTest(header, host)
		if err != nil {
			return
		}
		if ch[0] == "" || !strings.HasSuffix(ch[1], "/.default") {
			t.Fatalf("parse(%q) = %q", header, ch)
		}
	})
}
