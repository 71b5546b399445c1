package client_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/client"
)

func TestUserAndManagedIdentityCredentials(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	boot := l.srv.Boot
	u, err := l.srv.Identity.CreateUser(ctx, boot.TenantID, "dana@contoso.example", "Dana", "Dana-Pass-1")
	if err != nil {
		t.Fatal(err)
	}
	user, err := client.NewUsernamePasswordCredential(l.srv.URL()+"/", boot.TenantID, "", "dana@contoso.example", "Dana-Pass-1", l.hc)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := user.Token(ctx, "", client.ScopeARM)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.ReadClaims(tok.Token)
	if err != nil || c.ObjectID != u.ObjectID || !strings.EqualFold(c.TenantID, boot.TenantID) {
		t.Fatalf("user claims = %+v, %v", c, err)
	}
	if _, err := user.Token(ctx, "00000000-0000-0000-0000-000000000001", client.ScopeARM); err == nil {
		t.Error("the user credential accepted another tenant")
	}
	bad, _ := client.NewUsernamePasswordCredential(l.srv.URL()+"/", boot.TenantID, "", "dana@contoso.example", "wrong-pass-9", l.hc)
	_, err = bad.Token(ctx, "", client.ScopeARM)
	if client.StatusCode(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "AADSTS50126") || strings.Contains(err.Error(), "wrong-pass-9") {
		t.Fatalf("wrong password: %v", err)
	}

	mi, header, err := l.srv.Identity.CreateManagedIdentity(ctx, boot.TenantID, "worker")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := l.srv.URL() + "/msi/token"
	for _, id := range []client.ManagedIdentityID{{}, {ClientID: mi.AppID}, {ObjectID: mi.ObjectID}} {
		cred, err := client.NewManagedIdentityCredential(endpoint, header, id, l.hc)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cred.Token(ctx, "ignored-tenant", client.ScopeKeyVault)
		if err != nil {
			t.Fatalf("%+v: %v", id, err)
		}
		if c, _ := client.ReadClaims(tok.Token); c.ObjectID != mi.ObjectID || tok.ExpiresOn.Before(time.Now()) {
			t.Errorf("%+v: claims %+v, expires %v", id, c, tok.ExpiresOn)
		}
	}
	wrong, _ := client.NewManagedIdentityCredential(endpoint, "not-the-header", client.ManagedIdentityID{}, l.hc)
	if _, err := wrong.Token(ctx, "", client.ScopeARM); client.StatusCode(err) != http.StatusUnauthorized || strings.Contains(err.Error(), "not-the-header") {
		t.Fatalf("wrong header: %v", err)
	}
	other, _ := client.NewManagedIdentityCredential(endpoint, header, client.ManagedIdentityID{ClientID: boot.ClientID}, l.hc)
	if _, err := other.Token(ctx, "", client.ScopeARM); err == nil {
		t.Fatal("another identity's client id was accepted")
	}
}

func TestNewManagedIdentityCredentialValidation(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, header string
		id                     client.ManagedIdentityID
		ok                     bool
	}{
		{"ok/https", "https://id.example/msi/token", "h", client.ManagedIdentityID{}, true},
		{"ok/http-loopback", "http://127.0.0.1:41000/msi/token", "h", client.ManagedIdentityID{ClientID: "c"}, true},
		{"ok/http-localhost", "http://localhost:41000/msi/token", "h", client.ManagedIdentityID{}, true},
		{"fail/http-remote", "http://id.example/msi/token", "h", client.ManagedIdentityID{}, false},
		{"fail/no-header", "https://id.example/msi/token", "", client.ManagedIdentityID{}, false},
		{"fail/two-ids", "https://id.example/msi/token", "h", client.ManagedIdentityID{ClientID: "c", ObjectID: "o"}, false},
		{"fail/not-a-url", "::", "h", client.ManagedIdentityID{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.NewManagedIdentityCredential(tc.endpoint, tc.header, tc.id, nil)
			if got := err == nil; got != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// The identity endpoint's expires_on comes in several forms.
func TestManagedIdentityExpiresOn(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"ok/epoch-string", map[string]any{"expires_on": "1893553445"}},
		{"ok/epoch-number", map[string]any{"expires_on": 1893553445}},
		{"ok/rfc3339", map[string]any{"expires_on": "2030-01-02T03:04:05Z"}},
		{"ok/app-service-date", map[string]any{"expires_on": "01/02/2030 03:04:05 +00:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-IDENTITY-HEADER") != "h" || r.URL.Query().Get("resource") != "https://vault.azure.net" || r.URL.Query().Get("api-version") != client.MSIAPIVersion {
					http.Error(w, `{"statusCode":400,"message":"bad request"}`, http.StatusBadRequest)
					return
				}
				body := map[string]any{"access_token": "a.b.c", "token_type": "Bearer"}
				for k, v := range tc.body {
					body[k] = v
				}
				json.NewEncoder(w).Encode(body)
			}))
			defer srv.Close()
			cred, err := client.NewManagedIdentityCredential(srv.URL+"/msi/token", "h", client.ManagedIdentityID{}, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			tok, err := cred.Token(t.Context(), "", client.ScopeKeyVault)
			if err != nil || !tok.ExpiresOn.Equal(exp) {
				t.Fatalf("Token = %v, %v; want expiry %v", tok.ExpiresOn, err, exp)
			}
		})
	}
}

func TestReadClaims(t *testing.T) {
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"tid":"t1","oid":"o1","appid":"a1","upn":"u@x"}`))
	for _, tc := range []struct {
		name, token string
		ok          bool
	}{
		{"ok/jwt", "e30." + payload + ".sig", true},
		{"fail/two-parts", "e30." + payload, false},
		{"fail/not-base64", "e30.%%%.sig", false},
		{"fail/not-json", "e30." + base64.RawURLEncoding.EncodeToString([]byte("nope")) + ".sig", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.ReadClaims(tc.token)
			if got := err == nil; got != tc.ok {
				t.Fatalf("ReadClaims = %+v, %v; want ok=%v", c, err, tc.ok)
			}
			if tc.ok && (c.TenantID != "t1" || c.ObjectID != "o1" || c.AppID != "a1" || c.UPN != "u@x") {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

func FuzzReadClaims(f *testing.F) {
	f.Add("e30.eyJ0aWQiOiJ0In0.sig")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := client.ReadClaims(token)
		if err != nil && c != (client.Claims{}) {
			t.Fatalf("error with claims: %+v", c)
		}
	})
}

// staticCred hands out one token.
type staticCred struct{}

func (staticCred) Token(context.Context, string, string) (client.AccessToken, error) {
	return client.AccessToken{Token: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// A long-running operation's Location must stay on the ARM endpoint: the
// token is never sent to another host.
func TestPurgePollsOnlyTheARMHost(t *testing.T) {
	var foreignHits int
	foreign := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { foreignHits++ }))
	defer foreign.Close()
	var polls int
	arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/evil/purge"):
			w.Header().Set("Location", foreign.URL+"/op")
			w.WriteHeader(http.StatusAccepted)
		case strings.HasSuffix(r.URL.Path, "/purge"):
			w.Header().Set("Location", "https://"+r.Host+"/subscriptions/s/providers/Microsoft.KeyVault/locations/l/operationResults/op1")
			w.WriteHeader(http.StatusAccepted)
		case strings.Contains(r.URL.Path, "/operationResults/"):
			if polls++; polls < 2 {
				w.Header().Set("Location", "https://"+r.Host+r.URL.RequestURI())
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusAccepted)
				return
			}
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer arm.Close()
	a, err := client.NewARM(arm.URL, staticCred{}, arm.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PurgeDeletedVault(t.Context(), "s", "l", "kv"); err != nil || polls != 2 {
		t.Fatalf("purge = %v after %d polls", err, polls)
	}
	if err := a.PurgeDeletedVault(t.Context(), "s", "l", "evil"); err == nil || foreignHits != 0 {
		t.Fatalf("a foreign Location was followed: %v (%d hits)", err, foreignHits)
	}
}

func TestVaultLifecycleClient(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	boot := l.srv.Boot
	a, err := client.NewARM(l.armURL, l.cred, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	days := 7
	v, err := a.CreateVault(ctx, boot.SubscriptionID, boot.ResourceGroup, "kv-life", client.Vault{Location: boot.Location, Tags: map[string]string{"a": "b"},
		Properties: client.VaultProperties{TenantID: boot.TenantID, SKU: &client.SKU{Family: "A", Name: "standard"}, SoftDeleteRetentionInDays: &days}})
	if err != nil || v.SystemData == nil || v.SystemData.CreatedAt == "" {
		t.Fatalf("CreateVault = %+v, %v", v, err)
	}
	res, err := a.VaultResources(ctx, boot.SubscriptionID)
	if err != nil || len(res) != 2 || !slices.ContainsFunc(res, func(r client.GenericResource) bool { return r.ID == v.ID && r.Tags["a"] == "b" }) {
		t.Fatalf("VaultResources = %+v, %v", res, err)
	}
	if err := a.DeleteVault(ctx, boot.SubscriptionID, boot.ResourceGroup, "kv-life"); err != nil {
		t.Fatal(err)
	}
	d, err := a.FindDeletedVault(ctx, boot.SubscriptionID, "KV-LIFE")
	if err != nil || d.Properties.Location != boot.Location || !strings.EqualFold(d.Properties.VaultID, v.ID) || d.Properties.Tags["a"] != "b" {
		t.Fatalf("FindDeletedVault = %+v, %v", d, err)
	}
	if got, err := a.DeletedVault(ctx, boot.SubscriptionID, boot.Location, "kv-life"); err != nil || got.ID != d.ID {
		t.Fatalf("DeletedVault = %+v, %v", got, err)
	}
	back, err := a.RecoverVault(ctx, boot.SubscriptionID, boot.ResourceGroup, "kv-life", boot.Location, boot.TenantID)
	if err != nil || back.ID != v.ID || *back.Properties.SoftDeleteRetentionInDays != 7 {
		t.Fatalf("RecoverVault = %+v, %v", back, err)
	}
	if err := a.DeleteVault(ctx, boot.SubscriptionID, boot.ResourceGroup, "kv-life"); err != nil {
		t.Fatal(err)
	}
	if err := a.PurgeDeletedVault(ctx, boot.SubscriptionID, boot.Location, "kv-life"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FindDeletedVault(ctx, boot.SubscriptionID, "kv-life"); !client.IsNotFound(err) {
		t.Fatalf("after purge: %v", err)
	}
}

func TestSecretsLifecycleClient(t *testing.T) {
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
	first, err := s.SetSecret(ctx, "token", client.SetSecretParams{Value: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSecret(ctx, "token", client.SetSecretParams{Value: "v2"}); err != nil {
		t.Fatal(err)
	}
	versions, err := s.ListSecretVersions(ctx, "token")
	if err != nil || len(versions) != 2 {
		t.Fatalf("ListSecretVersions = %d, %v", len(versions), err)
	}
	off := false
	upd, err := s.UpdateSecret(ctx, "token", first.Version(), client.UpdateSecretParams{Attributes: &client.SecretAttributes{Enabled: &off}, Tags: map[string]string{"k": "v"}})
	if err != nil || *upd.Attributes.Enabled || upd.Tags["k"] != "v" || upd.Value != nil {
		t.Fatalf("UpdateSecret = %+v, %v", upd, err)
	}
	cleared, err := s.UpdateSecret(ctx, "token", first.Version(), client.UpdateSecretParams{Tags: map[string]string{}})
	if err != nil || len(cleared.Tags) != 0 {
		t.Fatalf("UpdateSecret(clear tags) = %+v, %v", cleared, err)
	}
	blob, err := s.BackupSecret(ctx, "token")
	if err != nil || len(blob) == 0 {
		t.Fatalf("BackupSecret = %d bytes, %v", len(blob), err)
	}
	del, err := s.DeleteSecret(ctx, "token")
	if err != nil || del.RecoveryID == "" || del.DeletedDate == nil || del.ScheduledPurgeDate == nil || del.Name() != "token" {
		t.Fatalf("DeleteSecret = %+v, %v", del, err)
	}
	if got, err := s.GetDeletedSecret(ctx, "token"); err != nil || got.RecoveryID != del.RecoveryID {
		t.Fatalf("GetDeletedSecret = %+v, %v", got, err)
	}
	list, err := s.ListDeletedSecrets(ctx)
	if err != nil || len(list) != 1 || list[0].Name() != "token" {
		t.Fatalf("ListDeletedSecrets = %+v, %v", list, err)
	}
	if rec, err := s.RecoverDeletedSecret(ctx, "token"); err != nil || rec.Name() != "token" {
		t.Fatalf("RecoverDeletedSecret = %+v, %v", rec, err)
	}
	if _, err := s.DeleteSecret(ctx, "token"); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeDeletedSecret(ctx, "token"); err != nil {
		t.Fatal(err)
	}
	res, err := s.RestoreSecret(ctx, blob)
	if err != nil || res.Name() != "token" {
		t.Fatalf("RestoreSecret = %+v, %v", res, err)
	}
	got, err := s.GetSecret(ctx, "token", "")
	if err != nil || *got.Value != "v2" {
		t.Fatalf("after restore = %+v, %v", got, err)
	}
	versions, _ = s.ListSecretVersions(ctx, "token")
	if !slices.ContainsFunc(versions, func(v client.Secret) bool { return v.Version() == first.Version() }) {
		t.Errorf("restored versions %v lack %s", versions, first.Version())
	}
}

func TestDirectoryClient(t *testing.T) {
	l := MustLive(t)
	ctx := t.Context()
	g, err := client.NewGraph(l.armURL, l.cred, l.hc)
	if err != nil {
		t.Fatal(err)
	}
	u, err := g.CreateUser(ctx, client.NewUser{AccountEnabled: true, DisplayName: "Erin", UserPrincipalName: "erin@contoso.example",
		MailNickname: "erin", PasswordProfile: client.PasswordProfile{Password: "Erin-Pass-1"}})
	if err != nil || u.ID == "" || u.UserPrincipalName != "erin@contoso.example" || !json.Valid(u.Raw) || strings.Contains(string(u.Raw), "Erin-Pass-1") {
		t.Fatalf("CreateUser = %+v, %v", u, err)
	}
	gr, err := g.CreateGroup(ctx, client.NewGroup{DisplayName: "o'brien readers", MailNickname: "readers", SecurityEnabled: true})
	if err != nil || gr.ID == "" {
		t.Fatalf("CreateGroup = %+v, %v", gr, err)
	}
	found, err := g.Groups(ctx, "displayName eq "+client.ODataString("o'brien readers"))
	if err != nil || len(found) != 1 || found[0].ID != gr.ID {
		t.Fatalf("Groups = %+v, %v", found, err)
	}
	if err := g.AddGroupMember(ctx, gr.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	obj, err := g.DirectoryObject(ctx, gr.ID)
	if err != nil || obj.PrincipalType() != "Group" {
		t.Fatalf("DirectoryObject(group) = %+v, %v", obj, err)
	}
}
