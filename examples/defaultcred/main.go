// Command defaultcred is the shortest unmodified Azure SDK for Go program:
// DefaultAzureCredential with no options and azsecrets on AZURE_KEYVAULT_URL.
// It writes one secret and reads it back. With Azure's own names resolving to
// scopevault (scopevault run --azure, on up --port 443) it needs nothing but
// the CA trusted:
//
//	scopevault run --azure -- go run ./examples/defaultcred
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return err
	}
	vault := os.Getenv("AZURE_KEYVAULT_URL")
	client, err := azsecrets.NewClient(vault, cred, nil)
	if err != nil {
		return err
	}
	value := "written by examples/defaultcred"
	if _, err := client.SetSecret(ctx, "defaultcred-check", azsecrets.SetSecretParameters{Value: &value}, nil); err != nil {
		return err
	}
	got, err := client.GetSecret(ctx, "defaultcred-check", "", nil)
	if err != nil {
		return err
	}
	if got.Value == nil || *got.Value != value {
		return fmt.Errorf("read back a different value")
	}
	fmt.Printf("OK: DefaultAzureCredential read %s back from %s\n", *got.ID, vault)
	return nil
}
