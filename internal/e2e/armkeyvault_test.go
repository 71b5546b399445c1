package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/server"
)

// The vault lifecycle through the unmodified Go management client
// (armkeyvault v1.5.0, api-version 2024-11-01) over TLS, with tokens for the
// management audience from azidentity; the data plane of the vaults it
// creates is checked with azsecrets.

const kvLocation = "eastus"

// kvMgmt is what the lifecycle tests share.
type kvMgmt struct {
	srv    *server.Server
	http   *http.Client
	cred   *azidentity.ClientSecretCredential
	vaults *armkeyvault.VaultsClient
	rest   *client // raw ARM calls the SDK under test does not make
	token  string  // the admin's ARM token, for rest
}

func MustKVMgmt(tb testing.TB) *kvMgmt {
	tb.Helper()
	srv := MustServer(tb)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()}}}
	cred, err := azidentity.NewClientSecretCredential(srv.Boot.TenantID, srv.Boot.ClientID, srv.Boot.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"}, Transport: hc},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		tb.Fatal(err)
	}
	vaults, err := armkeyvault.NewVaultsClient(srv.Boot.SubscriptionID, cred, &arm.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud: cloud.Configuration{
				ActiveDirectoryAuthorityHost: srv.URL() + "/",
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: srv.URL(), Audience: "https://management.core.windows.net/"},
				},
			},
			Transport: hc,
		},
		DisableRPRegistration: true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	rest := MustClient(tb, MustEnvFile(tb, srv.DataDir()))
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.core.windows.net//.default"}})
	if err != nil {
		tb.Fatal(err)
	}
	return &kvMgmt{srv: srv, http: hc, cred: cred, vaults: vaults, rest: rest, token: tok.Token}
}

// createParams is a standard vault in the vault tenant; mod adjusts its properties.
func (m *kvMgmt) createParams(mod func(*armkeyvault.VaultProperties)) armkeyvault.VaultCreateOrUpdateParameters {
	p := &armkeyvault.VaultProperties{
		TenantID: to(m.srv.Boot.TenantID),
		SKU:      &armkeyvault.SKU{Family: to(armkeyvault.SKUFamilyA), Name: to(armkeyvault.SKUNameStandard)},
	}
	if mod != nil {
		mod(p)
	}
	return armkeyvault.VaultCreateOrUpdateParameters{Location: to(kvLocation), Properties: p}
}

// Create runs BeginCreateOrUpdate to the end.
func (m *kvMgmt) Create(ctx context.Context, group, name string, params armkeyvault.VaultCreateOrUpdateParameters) (*armkeyvault.Vault, error) {
	poller, err := m.vaults.BeginCreateOrUpdate(ctx, group, name, params, nil)
	if err != nil {
		return nil, err
	}
	res, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Second})
	if err != nil {
		return nil, err
	}
	return &res.Vault, nil
}

func (m *kvMgmt) MustCreate(tb testing.TB, name string, mod func(*armkeyvault.VaultProperties)) *armkeyvault.Vault {
	tb.Helper()
	v, err := m.Create(tb.Context(), m.srv.Boot.ResourceGroup, name, m.createParams(mod))
	if err != nil {
		tb.Fatalf("create %s: %v", name, err)
	}
	return v
}

// Purge runs BeginPurgeDeleted to the end.
func (m *kvMgmt) Purge(ctx context.Context, name string) error {
	poller, err := m.vaults.BeginPurgeDeleted(ctx, name, kvLocation, nil)
	if err != nil {
		return err
	}
	_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Second})
	return err
}

// Secrets is an azsecrets client for a vault's no-setup URL: an address
// cannot match the challenge resource, hence no verification.
func (m *kvMgmt) Secrets(tb testing.TB, v *armkeyvault.Vault) *azsecrets.Client {
	tb.Helper()
	c, err := azsecrets.NewClient(*v.Properties.VaultURI, m.cred, &azsecrets.ClientOptions{
		ClientOptions:                        azcore.ClientOptions{Transport: m.http, Retry: policy.RetryOptions{MaxRetries: -1}},
		DisableChallengeResourceVerification: true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func (m *kvMgmt) secretPolicy(perms ...armkeyvault.SecretPermissions) armkeyvault.VaultAccessPolicyParameters {
	var ps []*armkeyvault.SecretPermissions
	for _, p := range perms {
		ps = append(ps, to(p))
	}
	return armkeyvault.VaultAccessPolicyParameters{Properties: &armkeyvault.VaultAccessPolicyProperties{
		AccessPolicies: []*armkeyvault.AccessPolicyEntry{{
			TenantID: to(m.srv.Boot.TenantID), ObjectID: to(m.srv.Boot.ObjectID),
			Permissions: &armkeyvault.Permissions{Secrets: ps},
		}},
	}}
}

// sdkError is the status, error code and raw body of an SDK call's error.
func sdkError(err error) (status int, code, body string) {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return 0, "", ""
	}
	raw, _ := runtime.Payload(re.RawResponse)
	return re.StatusCode, re.ErrorCode, string(raw)
}

func to[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// policySecrets is the secret permissions of objectID in v's access policies.
func policySecrets(v *armkeyvault.Vault, objectID string) []string {
	for _, ap := range v.Properties.AccessPolicies {
		if deref(ap.ObjectID) != objectID {
			continue
		}
		var out []string
		for _, p := range ap.Permissions.Secrets {
			out = append(out, string(*p))
		}
		return out
	}
	return nil
}

func TestArmKeyVaultLifecycle(t *testing.T) {
	m := MustKVMgmt(t)
	ctx := t.Context()
	boot := m.srv.Boot
	const name = "kv-sdk-life"

	avail, err := m.vaults.CheckNameAvailability(ctx, armkeyvault.VaultCheckNameAvailabilityParameters{Name: to(name), Type: to("Microsoft.KeyVault/vaults")}, nil)
	if err != nil || !deref(avail.NameAvailable) {
		t.Fatalf("CheckNameAvailability before create = %+v, %v", avail.CheckNameAvailabilityResult, err)
	}

	// Create: api-version 2024-11-01 defaults to the access-policy model.
	v := m.MustCreate(t, name, func(p *armkeyvault.VaultProperties) {
		p.SoftDeleteRetentionInDays = to[int32](7)
		p.PublicNetworkAccess = to("enabled")
		p.NetworkACLs = &armkeyvault.NetworkRuleSet{
			Bypass: to(armkeyvault.NetworkRuleBypassOptionsAzureServices), DefaultAction: to(armkeyvault.NetworkRuleActionAllow),
			IPRules: []*armkeyvault.IPRule{{Value: to("203.0.113.7")}},
		}
	})
	if got := deref(v.Properties.EnableRbacAuthorization); got {
		t.Errorf("enableRbacAuthorization = %v, want false for api-version 2024-11-01", got)
	}
	if got := deref(v.Properties.ProvisioningState); got != armkeyvault.VaultProvisioningStateSucceeded {
		t.Errorf("provisioningState = %q", got)
	}
	if got := deref(v.Properties.NetworkACLs.IPRules[0].Value); got != "203.0.113.7/32" {
		t.Errorf("ip rule = %q, want 203.0.113.7/32", got)
	}
	if got := deref(v.Properties.PublicNetworkAccess); got != "Enabled" {
		t.Errorf("publicNetworkAccess = %q, want Enabled", got)
	}

	// The new vault's data plane is served at once.
	if _, err := m.Secrets(t, v).GetSecret(ctx, "absent", "", nil); err == nil {
		t.Fatal("GetSecret on a vault without policies succeeded")
	} else if status, code, _ := sdkError(err); status != http.StatusForbidden {
		t.Fatalf("data plane before any policy: %d %s (%v)", status, code, err)
	}

	taken, err := m.vaults.CheckNameAvailability(ctx, armkeyvault.VaultCheckNameAvailabilityParameters{Name: to(name), Type: to("Microsoft.KeyVault/vaults")}, nil)
	if err != nil || deref(taken.NameAvailable) || deref(taken.Reason) != armkeyvault.ReasonAlreadyExists {
		t.Errorf("CheckNameAvailability after create = %+v, %v", taken.CheckNameAvailabilityResult, err)
	}
	invalid, err := m.vaults.CheckNameAvailability(ctx, armkeyvault.VaultCheckNameAvailabilityParameters{Name: to("1-bad--name"), Type: to("Microsoft.KeyVault/vaults")}, nil)
	if err != nil || deref(invalid.Reason) != armkeyvault.ReasonAccountNameInvalid {
		t.Errorf("CheckNameAvailability of a bad name = %+v, %v", invalid.CheckNameAvailabilityResult, err)
	}

	// Update (PATCH): what it names changes, the rest stays.
	up, err := m.vaults.Update(ctx, boot.ResourceGroup, name, armkeyvault.VaultPatchParameters{
		Tags:       map[string]*string{"env": to("test")},
		Properties: &armkeyvault.VaultPatchProperties{EnabledForDeployment: to(true)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if deref(up.Tags["env"]) != "test" || !deref(up.Properties.EnabledForDeployment) || deref(up.Properties.SoftDeleteRetentionInDays) != 7 || len(up.Properties.NetworkACLs.IPRules) != 1 {
		t.Errorf("after Update: tags %v enabledForDeployment %v retention %v ipRules %d",
			up.Tags, deref(up.Properties.EnabledForDeployment), deref(up.Properties.SoftDeleteRetentionInDays), len(up.Properties.NetworkACLs.IPRules))
	}
	got, err := m.vaults.Get(ctx, boot.ResourceGroup, name, nil)
	if err != nil || deref(got.Tags["env"]) != "test" || deref(got.ID) != deref(v.ID) {
		t.Fatalf("Get = %+v, %v", got.Vault, err)
	}

	var byGroup, bySub []string
	for pager := m.vaults.NewListByResourceGroupPager(boot.ResourceGroup, nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Value {
			byGroup = append(byGroup, *x.Name)
		}
	}
	for pager := m.vaults.NewListBySubscriptionPager(&armkeyvault.VaultsClientListBySubscriptionOptions{Top: to[int32](10)}); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Value {
			bySub = append(bySub, *x.Name)
		}
	}
	// NewListPager goes through the generic resources list (Microsoft.Resources).
	var generic []string
	for pager := m.vaults.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Value {
			if deref(x.Type) != "Microsoft.KeyVault/vaults" {
				t.Errorf("generic list type %q", deref(x.Type))
			}
			generic = append(generic, *x.Name)
		}
	}
	for _, want := range []string{name, boot.Vault} {
		if !slices.Contains(byGroup, want) || !slices.Contains(bySub, want) || !slices.Contains(generic, want) {
			t.Errorf("%s missing: by group %v, by subscription %v, generic %v", want, byGroup, bySub, generic)
		}
	}

	// Access policies: add grants the data plane, remove takes it back.
	if _, err := m.vaults.UpdateAccessPolicy(ctx, boot.ResourceGroup, name, armkeyvault.AccessPolicyUpdateKindAdd,
		m.secretPolicy(armkeyvault.SecretPermissionsGet, armkeyvault.SecretPermissionsSet, armkeyvault.SecretPermissionsList), nil); err != nil {
		t.Fatal(err)
	}
	secrets := m.Secrets(t, v)
	if _, err := secrets.SetSecret(ctx, "s1", azsecrets.SetSecretParameters{Value: to("kept across recover")}, nil); err != nil {
		t.Fatalf("SetSecret with an access policy: %v", err)
	}
	if _, err := m.vaults.UpdateAccessPolicy(ctx, boot.ResourceGroup, name, armkeyvault.AccessPolicyUpdateKindRemove,
		m.secretPolicy(armkeyvault.SecretPermissionsSet), nil); err != nil {
		t.Fatal(err)
	}
	got, err = m.vaults.Get(ctx, boot.ResourceGroup, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if perms := policySecrets(&got.Vault, boot.ObjectID); !slices.Equal(perms, []string{"get", "list"}) {
		t.Errorf("secret permissions after remove = %v, want [get list]", perms)
	}
	if _, err := secrets.SetSecret(ctx, "s2", azsecrets.SetSecretParameters{Value: to("x")}, nil); err == nil {
		t.Error("SetSecret succeeded after its permission was removed")
	}

	// A role assignment at the vault scope goes with the DELETE.
	assignment := *v.ID + "/providers/Microsoft.Authorization/roleAssignments/" + scopevault.NewGUID() + "?api-version=2022-04-01"
	status, raw, err := m.rest.Do(http.MethodPut, m.srv.URL()+assignment, m.token, map[string]any{"properties": map[string]any{
		"roleDefinitionId": "/subscriptions/" + boot.SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/21090545-7ca7-4776-b22c-e363652d74d2",
		"principalId":      boot.ObjectID, "principalType": "ServicePrincipal",
	}})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("role assignment at the vault: %d %v %s", status, err, raw)
	}

	if _, err := m.vaults.Delete(ctx, boot.ResourceGroup, name, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.vaults.Delete(ctx, boot.ResourceGroup, name, nil); err != nil {
		t.Errorf("second Delete (204): %v", err)
	}
	if _, err := m.vaults.Get(ctx, boot.ResourceGroup, name, nil); err == nil {
		t.Error("Get after Delete succeeded")
	} else if status, code, _ := sdkError(err); status != http.StatusNotFound || code != "ResourceNotFound" {
		t.Errorf("Get after Delete: %d %s", status, code)
	}
	if _, err := secrets.GetSecret(ctx, "s1", "", nil); err == nil {
		t.Error("the data plane still serves a deleted vault")
	}
	deleted, err := m.vaults.GetDeleted(ctx, name, kvLocation, nil)
	if err != nil {
		t.Fatal(err)
	}
	dp := deleted.Properties
	if deref(dp.VaultID) != deref(v.ID) || deref(dp.PurgeProtectionEnabled) || !dp.ScheduledPurgeDate.Equal(dp.DeletionDate.Add(7*24*time.Hour)) {
		t.Errorf("GetDeleted = vaultId %s purgeProtection %v deleted %v purge %v", deref(dp.VaultID), deref(dp.PurgeProtectionEnabled), dp.DeletionDate, dp.ScheduledPurgeDate)
	}
	var listed []string
	for pager := m.vaults.NewListDeletedPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Value {
			listed = append(listed, *x.Name)
		}
	}
	if !slices.Equal(listed, []string{name}) {
		t.Errorf("NewListDeletedPager = %v", listed)
	}

	// Creating over the soft-deleted name is a ConflictError; recover brings
	// the vault and its secrets back, but not the role assignment.
	if _, err := m.Create(ctx, boot.ResourceGroup, name, m.createParams(nil)); err == nil {
		t.Fatal("create over a soft-deleted vault succeeded")
	} else if status, code, body := sdkError(err); status != http.StatusConflict || code != "ConflictError" {
		t.Errorf("create over a soft-deleted vault: %d %s %s", status, code, body)
	}
	rec, err := m.Create(ctx, boot.ResourceGroup, name, m.createParams(func(p *armkeyvault.VaultProperties) {
		p.CreateMode = to(armkeyvault.CreateModeRecover)
	}))
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	if deref(rec.Properties.SoftDeleteRetentionInDays) != 7 || deref(rec.Tags["env"]) != "test" {
		t.Errorf("recovered vault: retention %v tags %v", deref(rec.Properties.SoftDeleteRetentionInDays), rec.Tags)
	}
	sv, err := m.Secrets(t, rec).GetSecret(ctx, "s1", "", nil)
	if err != nil || deref(sv.Value) != "kept across recover" {
		t.Fatalf("secret after recover: %v", err)
	}
	status, raw, err = m.rest.Do(http.MethodGet, m.srv.URL()+assignment, m.token, nil)
	if err != nil || status != http.StatusNotFound {
		t.Errorf("role assignment after recover: %d %v %s", status, err, raw)
	}

	// Purge: the name is free again and a new vault of that name is empty.
	if _, err := m.vaults.Delete(ctx, boot.ResourceGroup, name, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Purge(ctx, name); err != nil {
		t.Fatalf("BeginPurgeDeleted: %v", err)
	}
	if _, err := m.vaults.GetDeleted(ctx, name, kvLocation, nil); err == nil {
		t.Error("GetDeleted after purge succeeded")
	}
	again, err := m.vaults.CheckNameAvailability(ctx, armkeyvault.VaultCheckNameAvailabilityParameters{Name: to(name), Type: to("Microsoft.KeyVault/vaults")}, nil)
	if err != nil || !deref(again.NameAvailable) {
		t.Errorf("CheckNameAvailability after purge = %+v, %v", again.CheckNameAvailabilityResult, err)
	}
	fresh := m.MustCreate(t, name, nil)
	if len(fresh.Properties.AccessPolicies) != 0 || len(fresh.Tags) != 0 {
		t.Errorf("a vault created after purge inherited policies %d or tags %v", len(fresh.Properties.AccessPolicies), fresh.Tags)
	}
}

// Every error the lifecycle documents, as the Go client reports it.
func TestArmKeyVaultErrors(t *testing.T) {
	m := MustKVMgmt(t)
	ctx := t.Context()
	boot := m.srv.Boot
	status, raw, err := m.rest.Do(http.MethodPut, m.srv.URL()+"/subscriptions/"+boot.SubscriptionID+"/resourceGroups/rg-other?api-version=2022-09-01", m.token, map[string]any{"location": kvLocation})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("resource group: %d %v %s", status, err, raw)
	}
	m.MustCreate(t, "kv-sdk-fixed", func(p *armkeyvault.VaultProperties) { p.SoftDeleteRetentionInDays = to[int32](30) })
	m.MustCreate(t, "kv-sdk-locked", func(p *armkeyvault.VaultProperties) { p.EnablePurgeProtection = to(true) })
	if _, err := m.vaults.Delete(ctx, boot.ResourceGroup, "kv-sdk-locked", nil); err != nil {
		t.Fatal(err)
	}
	create := func(group, name string, mod func(*armkeyvault.VaultProperties)) error {
		_, err := m.Create(ctx, group, name, m.createParams(mod))
		return err
	}
	update := func(p armkeyvault.VaultPatchProperties) error {
		_, err := m.vaults.Update(ctx, boot.ResourceGroup, "kv-sdk-fixed", armkeyvault.VaultPatchParameters{Properties: &p}, nil)
		return err
	}
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"fail/VaultNameNotValid", func() error { return create(boot.ResourceGroup, "kv--bad", nil) }, 400, "VaultNameNotValid"},
		{"fail/VaultAlreadyExists", func() error { return create("rg-other", boot.Vault, nil) }, 409, "VaultAlreadyExists"},
		{"fail/ConflictError", func() error { return create(boot.ResourceGroup, "kv-sdk-locked", nil) }, 409, "ConflictError"},
		{"fail/SoftDeletedVaultDoesNotExist", func() error {
			return create(boot.ResourceGroup, "kv-sdk-never", func(p *armkeyvault.VaultProperties) { p.CreateMode = to(armkeyvault.CreateModeRecover) })
		}, 404, "SoftDeletedVaultDoesNotExist"},
		{"fail/purge-protected", func() error { return m.Purge(ctx, "kv-sdk-locked") }, 405, "MethodNotAllowed"},
		{"fail/retention-out-of-range", func() error {
			return create(boot.ResourceGroup, "kv-sdk-x", func(p *armkeyvault.VaultProperties) { p.SoftDeleteRetentionInDays = to[int32](91) })
		}, 400, "BadRequest"},
		{"fail/private-ip-rule", func() error {
			return create(boot.ResourceGroup, "kv-sdk-x", func(p *armkeyvault.VaultProperties) {
				p.NetworkACLs = &armkeyvault.NetworkRuleSet{IPRules: []*armkeyvault.IPRule{{Value: to("10.0.0.1")}}}
			})
		}, 400, "BadRequest"},
		{"fail/ipv6-rule", func() error {
			return update(armkeyvault.VaultPatchProperties{NetworkACLs: &armkeyvault.NetworkRuleSet{IPRules: []*armkeyvault.IPRule{{Value: to("2001:db8::1")}}}})
		}, 400, "BadRequest"},
		{"fail/retention-immutable", func() error { return update(armkeyvault.VaultPatchProperties{SoftDeleteRetentionInDays: to[int32](7)}) }, 400, "BadRequest"},
		{"fail/purge-protection-irreversible", func() error {
			if err := update(armkeyvault.VaultPatchProperties{EnablePurgeProtection: to(true)}); err != nil {
				return err
			}
			return update(armkeyvault.VaultPatchProperties{EnablePurgeProtection: to(false)})
		}, 400, "BadRequest"},
		{"fail/policy-of-other-tenant", func() error {
			p := m.secretPolicy(armkeyvault.SecretPermissionsGet)
			p.Properties.AccessPolicies[0].TenantID = to(scopevault.NewGUID())
			_, err := m.vaults.UpdateAccessPolicy(ctx, boot.ResourceGroup, "kv-sdk-fixed", armkeyvault.AccessPolicyUpdateKindAdd, p, nil)
			return err
		}, 400, "BadRequest"},
		{"fail/get-missing", func() error { _, err := m.vaults.Get(ctx, boot.ResourceGroup, "kv-sdk-none", nil); return err }, 404, "ResourceNotFound"},
		{"fail/get-deleted-missing", func() error { _, err := m.vaults.GetDeleted(ctx, "kv-sdk-none", kvLocation, nil); return err }, 404, "ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("succeeded")
			}
			status, code, body := sdkError(err)
			if status != tc.status || code != tc.code {
				t.Errorf("got %d %s, want %d %s (%v)", status, code, tc.status, tc.code, body)
			}
		})
	}
}
