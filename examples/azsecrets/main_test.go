package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/scopevault/scopevault/internal/server"
)

// Whichever step fails, the example leaves no secret behind: none live,
// none deleted-but-recoverable.
func TestCleanupWhicheverStepFails(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	for _, kv := range srv.Env() {
		t.Setenv(kv[0], kv[1])
	}
	cred, err := azidentity.NewClientSecretCredential(os.Getenv("AZURE_TENANT_ID"), os.Getenv("AZURE_CLIENT_ID"),
		os.Getenv("AZURE_CLIENT_SECRET"), &azidentity.ClientSecretCredentialOptions{DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	vault, err := azsecrets.NewClient(os.Getenv("AZURE_KEYVAULT_URL"), cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, at := range []string{"SetSecret", "GetSecret(version)", "BackupSecret", "DeleteSecret", "GetDeletedSecret",
		"RecoverDeletedSecret", "PurgeDeletedSecret", "RestoreSecret", "GetSecret(restored)", ""} {
		t.Run("at/"+at, func(t *testing.T) {
			failAt = at
			t.Cleanup(func() { failAt = "" })
			err := run(ctx)
			if (err == nil) != (at == "") {
				t.Fatalf("run with a failure at %q: %v", at, err)
			}
			for pager := vault.NewListSecretPropertiesPager(nil); pager.More(); {
				page, err := pager.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range page.Value {
					t.Errorf("secret %s left behind", s.ID.Name())
				}
			}
			for pager := vault.NewListDeletedSecretPropertiesPager(nil); pager.More(); {
				page, err := pager.NextPage(ctx)
				var re *azcore.ResponseError
				if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range page.Value {
					t.Errorf("deleted secret %s left behind (not purged)", s.ID.Name())
				}
			}
		})
	}
}
