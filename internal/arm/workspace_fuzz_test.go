package arm

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
)

const fuzzSub = "11111111-2222-3333-4444-555555555555"

// FuzzWorkspacePut: any body either fails with a client error or yields a
// spec every stored field of which is in its canonical form.
func FuzzWorkspacePut(f *testing.F) {
	for _, s := range []string{
		`{"location":"eastus","sku":{"name":"premium"},"properties":{"managedResourceGroupId":"/subscriptions/` + fuzzSub + `/resourceGroups/m"}}`,
		`{"location":"East US","properties":{"managedResourceGroupId":"/subscriptions/` + fuzzSub + `/resourceGroups/rg"}}`,
		`{"location":"x","properties":{"computeMode":"serverless","parameters":{"enableNoPublicIp":{"value":true}}}}`,
		`{"location":"x","properties":{"parameters":{"encryption":{"type":"Object","value":{}}}}}`,
		`{"properties":null}`, `{}`, `[]`, `{"sku":{"name":"Trial"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in workspaceIn
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		spec, err := parseWorkspacePut(&in, fuzzSub, "rg")
		if err != nil {
			if c := scopevault.ErrorCodeOf(err); c != scopevault.EINVALID {
				t.Fatalf("%q: error code %v, want EINVALID", body, c)
			}
			return
		}
		if !workspaceSKUs[spec.SKU] || spec.Location == "" || strings.ToLower(spec.Location) != spec.Location {
			t.Fatalf("%q: spec %+v", body, spec)
		}
		if spec.ManagedRG == "" && spec.ComputeMode != "Serverless" {
			t.Fatalf("%q: no managed resource group", body)
		}
		if strings.EqualFold(spec.ManagedRG, "/subscriptions/"+fuzzSub+"/resourceGroups/rg") {
			t.Fatalf("%q: managed group is the workspace's own", body)
		}
		for name, raw := range renderParameters(spec.Parameters) {
			var p struct {
				Type  string          `json:"type"`
				Value json.RawMessage `json:"value"`
			}
			if json.Unmarshal(raw, &p) != nil || p.Type != workspaceParamTypes[name] || len(p.Value) == 0 {
				t.Fatalf("%q: parameter %s renders %s", body, name, raw)
			}
		}
	})
}

// FuzzWorkspaceOpID: ids round-trip, and parsing never accepts what it
// could not have made.
func FuzzWorkspaceOpID(f *testing.F) {
	ws := &scopevault.Workspace{SubscriptionID: fuzzSub, ResourceGroup: "RG", Name: "Ws1"}
	f.Add(workspaceOpID("put", ws, time.Unix(1700000000, 0)))
	f.Add(workspaceOpID("delete", ws, time.Unix(0, 0)))
	f.Add("bm9wZQ")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		o, ok := parseWorkspaceOpID(id)
		if !ok {
			return
		}
		again := workspaceOpID(o.verb, &scopevault.Workspace{SubscriptionID: o.sub, ResourceGroup: o.group, Name: o.name}, o.at)
		if _, ok := parseWorkspaceOpID(again); !ok {
			t.Fatalf("%q parsed to %+v, which does not round-trip", id, o)
		}
	})
}

// FuzzDatabricksRoute: every Databricks path resolves to a workspace
// operation with its scope under the subscription, or to an error.
func FuzzDatabricksRoute(f *testing.F) {
	for _, s := range []string{
		"/subscriptions/" + fuzzSub + "/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws1",
		"/subscriptions/" + fuzzSub + "/resourceGroups/rg/providers/microsoft.databricks/WORKSPACES",
		"/subscriptions/" + fuzzSub + "/providers/Microsoft.Databricks/workspaces",
		"/subscriptions/" + fuzzSub + "/providers/Microsoft.Databricks/locations/eastus/operationStatuses/abc",
		"/subscriptions/" + fuzzSub + "/providers/Microsoft.Databricks/x",
	} {
		f.Add(http.MethodGet, s)
		f.Add(http.MethodPut, s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		rt, err := parseRoute(method, path)
		if err != nil {
			return
		}
		if _, ok := operations[rt.op]; !ok {
			t.Fatalf("%s %s: operation %q has no spec", method, path, rt.op)
		}
		if strings.HasPrefix(string(rt.op), "Workspaces.") && !strings.HasPrefix(strings.ToLower(rt.scope), "/subscriptions/"+strings.ToLower(rt.sub)) {
			t.Fatalf("%s %s: scope %q outside subscription %q", method, path, rt.scope, rt.sub)
		}
	})
}
