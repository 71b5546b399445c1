package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/scopevault/scopevault/internal/server"
)

// resolvingTransport is name resolution pointed at scopevault, as a hosts-file
// line would do: *.vault.azure.net dials the given loopback address. The SDK
// itself is unmodified; TLS trusts the server's CA.
func resolvingTransport(srv *server.Server, addr string) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()},
		DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(hostport)
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(host, ".vault.azure.net") {
				hostport = net.JoinHostPort(addr, port)
			}
			return dialer.DialContext(ctx, network, hostport)
		},
	}
	return &http.Client{Transport: tr}
}

func realFormClient(t *testing.T, srv *server.Server, vaultURL, addr string) *azsecrets.Client {
	t.Helper()
	hc := resolvingTransport(srv, addr)
	cred, err := azidentity.NewClientSecretCredential(srv.Boot.TenantID, srv.Boot.ClientID, srv.Boot.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"}, Transport: hc},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	// Challenge resource verification stays on (the default).
	c, err := azsecrets.NewClient(vaultURL, cred, &azsecrets.ClientOptions{ClientOptions: policy.ClientOptions{Transport: hc}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func roundTrip(t *testing.T, c *azsecrets.Client, vaultURL string) {
	t.Helper()
	ctx := context.Background()
	v := "real-form-value"
	set, err := c.SetSecret(ctx, "real-form", azsecrets.SetSecretParameters{Value: &v}, nil)
	if err != nil {
		t.Fatalf("SetSecret via %s: %v", vaultURL, err)
	}
	if !strings.HasPrefix(string(*set.ID), strings.TrimSuffix(vaultURL, "/")+"/secrets/real-form/") {
		t.Fatalf("id %s is not under %s", *set.ID, vaultURL)
	}
	got, err := c.GetSecret(ctx, "real-form", "", nil)
	if err != nil || *got.Value != v {
		t.Fatalf("GetSecret via %s: %v", vaultURL, err)
	}
}

// TestRealHostFormAnyPort: https://<vault>.vault.azure.net:PORT/ with the Go
// SDK's port-aware challenge verification on.
func TestRealHostFormAnyPort(t *testing.T) {
	srv := MustServer(t)
	for _, addr := range []string{"127.0.0.1", "vault"} {
		t.Run("ok/"+addr, func(t *testing.T) {
			dial := addr
			if addr == "vault" {
				v, err := srv.Engine.Vault(context.Background(), srv.Boot.Vault)
				if err != nil {
					t.Fatal(err)
				}
				dial = v.Address // what `scopevault hosts` prints
			}
			url := "https://" + srv.Boot.Vault + ".vault.azure.net:" + strconv.Itoa(srv.Port()) + "/"
			roundTrip(t, realFormClient(t, srv, url, dial), url)
		})
	}
}

// TestRealHostFormPort443: exactly Azure's URL, https://<vault>.vault.azure.net/,
// when `up` may listen on 443 (root or CAP_NET_BIND_SERVICE, port free).
func TestRealHostFormPort443(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 443})
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, os.ErrPermission) {
		t.Skipf("port 443 is not available here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	url := "https://" + srv.Boot.Vault + ".vault.azure.net/"
	roundTrip(t, realFormClient(t, srv, url, "127.0.0.1"), url)

	// On 443 no URL carries ":443": the env file's authority host is the
	// OpenID metadata's, and the vault URL is its address alone.
	env := MustEnvFile(t, srv.DataDir())
	if env["AZURE_AUTHORITY_HOST"] != "https://localhost/" || strings.Contains(env["AZURE_KEYVAULT_URL"], ":443") {
		t.Errorf("env file on 443: AZURE_AUTHORITY_HOST=%q AZURE_KEYVAULT_URL=%q", env["AZURE_AUTHORITY_HOST"], env["AZURE_KEYVAULT_URL"])
	}
	if env["REQUESTS_CA_BUNDLE"] == "" {
		t.Error("the env file does not name the CA for Python's requests")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()}}}
	res, err := hc.Get("https://localhost/" + srv.Boot.TenantID + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	json.NewDecoder(res.Body).Decode(&meta)
	res.Body.Close()
	if !strings.HasPrefix(meta.TokenEndpoint, env["AZURE_AUTHORITY_HOST"]) {
		t.Errorf("the metadata's token endpoint %q is not under the env file's authority %q", meta.TokenEndpoint, env["AZURE_AUTHORITY_HOST"])
	}
	// A client that names the vault by its address without the port is
	// challenged for a resource the token service accepts.
	res, err = hc.Get(env["AZURE_KEYVAULT_URL"] + "secrets/x?api-version=7.5")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ch := res.Header.Get("WWW-Authenticate")
	i := strings.Index(ch, `resource="`)
	if res.StatusCode != http.StatusUnauthorized || i < 0 {
		t.Fatalf("challenge: %d %q", res.StatusCode, ch)
	}
	resource := ch[i+len(`resource="`):]
	resource = resource[:strings.IndexByte(resource, '"')]
	cred, err := azidentity.NewClientSecretCredential(srv.Boot.TenantID, srv.Boot.ClientID, srv.Boot.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{DisableInstanceDiscovery: true, ClientOptions: azcore.ClientOptions{
			Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: env["AZURE_AUTHORITY_HOST"]}, Transport: hc}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{resource + "/.default"}}); err != nil {
		t.Errorf("a token for the challenge's resource %q: %v", resource, err)
	}
}

// TestHostsCommand: `scopevault hosts`, run as a user would after sourcing
// the env file, prints the line that makes the real form resolve to the vault.
func TestHostsCommand(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	bin := buildBinary(t)
	out := run(t, t.TempDir(), environ(env), bin, "hosts")
	v, err := srv.Engine.Vault(context.Background(), srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{v.Address + "\t" + srv.Boot.Vault + ".vault.azure.net",
		"127.0.0.1\tlogin.microsoftonline.com management.azure.com graph.microsoft.com"} {
		if !strings.Contains(out, want+"\n") {
			t.Fatalf("hosts output lacks %q:\n%s", want, out)
		}
	}
	// The printed line is what the real-form test dials.
	url := "https://" + srv.Boot.Vault + ".vault.azure.net:" + strconv.Itoa(srv.Port()) + "/"
	roundTrip(t, realFormClient(t, srv, url, v.Address), url)
}
