// Command azsecrets is an unmodified Azure SDK for Go client: it reads only
// the standard Azure environment variables (source scopevault.env first) and
// runs every secrets operation against AZURE_KEYVAULT_URL, printing one line
// per step. The project's tests run it exactly as a user would. Whatever
// step fails, it deletes and purges the secret it created before it exits,
// so a run leaves the vault as it found it.
//
//	. .scopevault/scopevault.env && go run ./examples/azsecrets
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("OK: all 12 operations")
}

// failAt names a step to fail on purpose: the test that the cleanup runs
// whichever step fails sets it; a run of the program never does.
var failAt string

func step(name string, err error) error {
	if err == nil && name == failAt {
		err = errors.New("failed on purpose")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Println("ok", name)
	return nil
}

func run(ctx context.Context) error {
	// The authority host comes from AZURE_AUTHORITY_HOST; trust from SSL_CERT_FILE.
	cred, err := azidentity.NewClientSecretCredential(os.Getenv("AZURE_TENANT_ID"), os.Getenv("AZURE_CLIENT_ID"),
		os.Getenv("AZURE_CLIENT_SECRET"), &azidentity.ClientSecretCredentialOptions{DisableInstanceDiscovery: true})
	if err != nil {
		return err
	}
	client, err := azsecrets.NewClient(os.Getenv("AZURE_KEYVAULT_URL"), cred, nil)
	if err != nil {
		return err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "example-" + hex.EncodeToString(b[:])
	value := "s3cr3t-" + hex.EncodeToString(b[:])
	defer cleanup(ctx, client, name)

	set, err := client.SetSecret(ctx, name, azsecrets.SetSecretParameters{Value: &value}, nil)
	if err := step("SetSecret", err); err != nil {
		return err
	}
	v1 := set.ID.Version()
	value2 := value + "-v2"
	if _, err := client.SetSecret(ctx, name, azsecrets.SetSecretParameters{Value: &value2}, nil); err != nil {
		return err
	}
	got, err := client.GetSecret(ctx, name, "", nil)
	if err == nil && *got.Value != value2 {
		err = errors.New("latest value mismatch")
	}
	if err := step("GetSecret(latest)", err); err != nil {
		return err
	}
	got, err = client.GetSecret(ctx, name, v1, nil)
	if err == nil && *got.Value != value {
		err = errors.New("versioned value mismatch")
	}
	if err := step("GetSecret(version)", err); err != nil {
		return err
	}
	ct := "text/plain"
	_, err = client.UpdateSecretProperties(ctx, name, v1, azsecrets.UpdateSecretPropertiesParameters{ContentType: &ct}, nil)
	if err := step("UpdateSecretProperties", err); err != nil {
		return err
	}
	found := false
	for pager := client.NewListSecretPropertiesPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return step("ListSecretProperties", err)
		}
		for _, s := range page.Value {
			found = found || s.ID.Name() == name
		}
	}
	if err := step("ListSecretProperties", boolErr(found, "secret not listed")); err != nil {
		return err
	}
	versions := 0
	for pager := client.NewListSecretPropertiesVersionsPager(name, nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return step("ListSecretPropertiesVersions", err)
		}
		versions += len(page.Value)
	}
	if err := step("ListSecretPropertiesVersions", boolErr(versions == 2, "want 2 versions")); err != nil {
		return err
	}
	backup, err := client.BackupSecret(ctx, name, nil)
	if err := step("BackupSecret", err); err != nil {
		return err
	}
	_, err = client.DeleteSecret(ctx, name, nil)
	if err := step("DeleteSecret", err); err != nil {
		return err
	}
	_, err = client.GetDeletedSecret(ctx, name, nil)
	if err := step("GetDeletedSecret", err); err != nil {
		return err
	}
	found = false
	for pager := client.NewListDeletedSecretPropertiesPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return step("ListDeletedSecretProperties", err)
		}
		for _, s := range page.Value {
			found = found || s.ID.Name() == name
		}
	}
	if err := step("ListDeletedSecretProperties", boolErr(found, "deleted secret not listed")); err != nil {
		return err
	}
	_, err = client.RecoverDeletedSecret(ctx, name, nil)
	if err := step("RecoverDeletedSecret", err); err != nil {
		return err
	}
	if _, err := client.DeleteSecret(ctx, name, nil); err != nil {
		return err
	}
	_, err = client.PurgeDeletedSecret(ctx, name, nil)
	if err := step("PurgeDeletedSecret", err); err != nil {
		return err
	}
	_, err = client.RestoreSecret(ctx, azsecrets.RestoreSecretParameters{SecretBackup: backup.Value}, nil)
	if err := step("RestoreSecret", err); err != nil {
		return err
	}
	got, err = client.GetSecret(ctx, name, "", nil)
	if err == nil && *got.Value != value2 {
		err = errors.New("restored value mismatch")
	}
	return step("GetSecret(restored)", err)
}

// cleanup deletes and purges the example's secret, whichever step the run
// reached: a secret that is already deleted (or was never made) is not an
// error. A failure is reported but does not change the exit code.
func cleanup(ctx context.Context, client *azsecrets.Client, name string) {
	if _, err := client.DeleteSecret(ctx, name, nil); err != nil && !notFound(err) {
		fmt.Fprintln(os.Stderr, "cleanup: delete:", err)
	}
	if _, err := client.PurgeDeletedSecret(ctx, name, nil); err != nil && !notFound(err) {
		fmt.Fprintln(os.Stderr, "cleanup: purge:", err)
		return
	}
	fmt.Println("ok cleanup: deleted and purged", name)
}

func notFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

func boolErr(ok bool, msg string) error {
	if ok {
		return nil
	}
	return errors.New(msg)
}
