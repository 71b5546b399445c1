package arm_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// azcore's long-running-operation poller (what armkeyvault's
// BeginCreateOrUpdate uses) accepts the synchronous PUT: a 201 or 200 whose
// body says provisioningState Succeeded is a finished operation.
func TestVaultPutSatisfiesAzcorePoller(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	pl := runtime.NewPipeline("scopevault-test", "v0", runtime.PipelineOptions{}, &policy.ClientOptions{Transport: e.srv.Client()})
	for _, tc := range []struct {
		name   string
		status int
	}{
		{"ok/create", http.StatusCreated},
		{"ok/update", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := runtime.NewRequest(t.Context(), http.MethodPut, e.srv.URL+vaultPath("kv-poller")+"?"+armAPI)
			if err != nil {
				t.Fatal(err)
			}
			req.Raw().Header.Set("Authorization", "Bearer "+tok)
			if err := runtime.MarshalAsJSON(req, vaultBody(nil)); err != nil {
				t.Fatal(err)
			}
			res, err := pl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.status)
			}
			poller, err := runtime.NewPoller[map[string]any](res, pl, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !poller.Done() {
				t.Fatal("poller is not done after a synchronous PUT")
			}
			out, err := poller.PollUntilDone(t.Context(), &runtime.PollUntilDoneOptions{Frequency: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if got := out["name"]; got != "kv-poller" {
				t.Errorf("result name = %v", got)
			}
		})
	}
}
