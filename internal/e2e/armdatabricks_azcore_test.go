package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// The Go armdatabricks module is not served by the module proxy this
// project builds with, so this test makes its calls the way its generated
// WorkspacesClient does (api-version 2024-05-01): azcore's ARM client and
// pipeline, azidentity's credential, runtime.NewPoller over each
// long-running response and PollUntilDone. The cloud configuration names
// the server as both the endpoint and the audience, as a client given only
// an endpoint does, so the token is asked for "<endpoint>/.default".

const dbxGoAPI = "2024-05-01"

type goWorkspace struct {
	ID       string            `json:"id,omitempty"`
	Name     string            `json:"name,omitempty"`
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags,omitempty"`
	SKU      *struct {
		Name string `json:"name"`
	} `json:"sku,omitempty"`
	Properties struct {
		ManagedResourceGroupID string `json:"managedResourceGroupId,omitempty"`
		ProvisioningState      string `json:"provisioningState,omitempty"`
		WorkspaceID            string `json:"workspaceId,omitempty"`
		WorkspaceURL           string `json:"workspaceUrl,omitempty"`
	} `json:"properties"`
}

type goWorkspaceList struct {
	Value    []goWorkspace `json:"value"`
	NextLink string        `json:"nextLink"`
}

type dbxClient struct {
	t      *testing.T
	client *arm.Client
	sub    string
}

func MustDatabricksClient(t *testing.T) (*dbxClient, string) {
	t.Helper()
	srv := MustServer(t)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()}}}
	cred, err := azidentity.NewClientSecretCredential(srv.Boot.TenantID, srv.Boot.ClientID, srv.Boot.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"}, Transport: hc},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	c, err := arm.NewClient("armdatabricks.WorkspacesClient", "v1.2.0", cred, &arm.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud: cloud.Configuration{
				ActiveDirectoryAuthorityHost: srv.URL() + "/",
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: srv.URL(), Audience: srv.URL()},
				},
			},
			Transport: hc,
		},
		DisableRPRegistration: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &dbxClient{t: t, client: c, sub: srv.Boot.SubscriptionID}, srv.Boot.ResourceGroup
}

func (c *dbxClient) path(group, name string) string {
	p := "/subscriptions/" + url.PathEscape(c.sub) + "/resourceGroups/" + url.PathEscape(group) + "/providers/Microsoft.Databricks/workspaces"
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

// send is one generated-client call: the request, then the status check
// the generated code makes.
func (c *dbxClient) send(ctx context.Context, method, path string, body any, ok ...int) (*http.Response, error) {
	req, err := runtime.NewRequest(ctx, method, runtime.JoinPaths(c.client.Endpoint(), path))
	if err != nil {
		return nil, err
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", dbxGoAPI)
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header["Accept"] = []string{"application/json"}
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return nil, err
		}
	}
	resp, err := c.client.Pipeline().Do(req)
	if err != nil {
		return nil, err
	}
	if !runtime.HasStatusCode(resp, ok...) {
		return nil, runtime.NewResponseError(resp)
	}
	return resp, nil
}

// begin is a Begin... method followed by PollUntilDone.
func begin[T any](ctx context.Context, c *dbxClient, method, path string, body any, ok ...int) (T, error) {
	var zero T
	resp, err := c.send(ctx, method, path, body, ok...)
	if err != nil {
		return zero, err
	}
	poller, err := runtime.NewPoller[T](resp, c.client.Pipeline(), nil)
	if err != nil {
		return zero, err
	}
	return poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Second})
}

func (c *dbxClient) get(ctx context.Context, group, name string) (goWorkspace, error) {
	var out goWorkspace
	resp, err := c.send(ctx, http.MethodGet, c.path(group, name), nil, http.StatusOK)
	if err != nil {
		return out, err
	}
	return out, runtime.UnmarshalAsJSON(resp, &out)
}

func (c *dbxClient) list(ctx context.Context, path string) ([]goWorkspace, error) {
	resp, err := c.send(ctx, http.MethodGet, path, nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	var page goWorkspaceList
	return page.Value, runtime.UnmarshalAsJSON(resp, &page)
}

func TestGoWorkspaceLifecycleWithAzcorePollers(t *testing.T) {
	ctx := t.Context()
	c, group := MustDatabricksClient(t)
	body := func(mod func(*goWorkspace)) *goWorkspace {
		w := &goWorkspace{Location: "eastus", Tags: map[string]string{"env": "go"}}
		w.SKU = &struct {
			Name string `json:"name"`
		}{"premium"}
		w.Properties.ManagedResourceGroupID = "/subscriptions/" + c.sub + "/resourceGroups/databricks-rg-ws-go"
		if mod != nil {
			mod(w)
		}
		return w
	}

	created, err := begin[goWorkspace](ctx, c, http.MethodPut, c.path(group, "ws-go"), body(nil), http.StatusOK, http.StatusCreated)
	if err != nil {
		t.Fatal(err)
	}
	if created.Properties.ProvisioningState != "Succeeded" || len(created.Properties.WorkspaceID) != 16 || created.Properties.WorkspaceURL == "" {
		t.Fatalf("created = %+v", created)
	}
	got, err := c.get(ctx, group, "ws-go")
	if err != nil || got.Properties.WorkspaceID != created.Properties.WorkspaceID {
		t.Fatalf("get = %+v, %v", got, err)
	}
	for name, path := range map[string]string{
		"ok/list-by-group":        c.path(group, ""),
		"ok/list-by-subscription": "/subscriptions/" + c.sub + "/providers/Microsoft.Databricks/workspaces",
	} {
		l, err := c.list(ctx, path)
		found := false
		for _, w := range l {
			found = found || w.Name == "ws-go"
		}
		if err != nil || !found {
			t.Errorf("%s = %+v, %v", name, l, err)
		}
	}
	updated, err := begin[goWorkspace](ctx, c, http.MethodPatch, c.path(group, "ws-go"), map[string]any{"tags": map[string]string{"env": "prod"}},
		http.StatusOK, http.StatusAccepted)
	if err != nil || updated.Tags["env"] != "prod" {
		t.Fatalf("update = %+v, %v", updated, err)
	}
	if _, err := begin[struct{}](ctx, c, http.MethodDelete, c.path(group, "ws-go"), nil, http.StatusOK, http.StatusAccepted, http.StatusNoContent); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var re *azcore.ResponseError
	if _, err := c.get(ctx, group, "ws-go"); !errors.As(err, &re) || re.StatusCode != 404 || re.ErrorCode != "ResourceNotFound" {
		t.Fatalf("get after delete: %v", err)
	}

	for _, tc := range []struct {
		name string
		mod  func(*goWorkspace)
		code string
	}{
		{"fail/bad-sku", func(w *goWorkspace) { w.SKU.Name = "gold" }, "InvalidSku"},
		{"fail/no-managed-group", func(w *goWorkspace) { w.Properties.ManagedResourceGroupID = "" }, "InvalidRequestContent"},
		{"fail/no-location", func(w *goWorkspace) { w.Location = "" }, "LocationRequired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := begin[goWorkspace](ctx, c, http.MethodPut, c.path(group, "ws-bad"), body(tc.mod), http.StatusOK, http.StatusCreated)
			if !errors.As(err, &re) || re.StatusCode != 400 || re.ErrorCode != tc.code {
				t.Fatalf("err = %v, want 400 %s", err, tc.code)
			}
		})
	}
}
