package keyvault_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// wireCase is one request and the exact response it must get.
type wireCase struct {
	name   string
	method string
	url    string // absolute, or a path on the bootstrap vault
	token  string
	body   any
	// want
	status   int
	code     string   // error.code ("" for success)
	inner    string   // error.innererror.code ("" = absent)
	message  string   // exact error.message when set
	contains []string // substrings of error.message
	check    func(t *testing.T, r *resp)
}

func (w *wire) run(t *testing.T, tt wireCase) {
	t.Helper()
	r := w.Do(t, tt.method, tt.url, tt.token, tt.body)
	if got, want := r.status, tt.status; got != want {
		t.Fatalf("status: got %d, want %d\n%s", got, want, r.body)
	}
	// Every response, success or failure, names the request and the network.
	if r.header.Get("x-ms-request-id") == "" {
		t.Error("no x-ms-request-id header")
	}
	if got, want := r.header.Get("x-ms-keyvault-network-info"), networkInfo; got != want {
		t.Errorf("x-ms-keyvault-network-info: got %q, want %q", got, want)
	}
	if r.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if r.status >= 400 {
		if got, want := r.header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
			t.Errorf("content type: got %q, want %q", got, want)
		}
		code, inner, msg := r.errorOf(t)
		if code != tt.code || inner != tt.inner {
			t.Errorf("error: got %s/%s, want %s/%s (%q)", code, inner, tt.code, tt.inner, msg)
		}
		if tt.message != "" && msg != tt.message {
			t.Errorf("message:\n got %q\nwant %q", msg, tt.message)
		}
		for _, s := range tt.contains {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q does not contain %q", msg, s)
			}
		}
	} else if len(r.body) > 0 {
		checkIntegerTimes(t, r.body)
	}
	if tt.check != nil {
		tt.check(t, r)
	}
}

func TestWire(t *testing.T) {
	w := MustWire(t)
	b := w.srv.Boot
	port := w.port()
	authority := w.srv.URL() + "/" + b.TenantID
	q := "?api-version=" + defaultAPIVersion

	exists := w.MustSet(t, w.vault, "Exists", secrets.SetParams{Value: "v1"})
	w.MustSet(t, w.vault, "disabled-one", secrets.SetParams{Value: "v", Attributes: scopevault.SecretAttributes{Enabled: new(false)}})
	w.MustSet(t, w.vault, "deleted-one", secrets.SetParams{Value: "v"})
	w.MustDelete(t, w.vault, "deleted-one")

	protected, protectedBase := w.MustVault(t, "kv-protected", func(v *scopevault.Vault) { v.EnablePurgeProtection = true })
	w.MustSet(t, protected, "gone", secrets.SetParams{Value: "v"})
	w.MustDelete(t, protected, "gone")

	lister, stranger := w.MustSP(t, "", ""), w.MustSP(t, "", "")
	policy, policyBase := w.MustVault(t, "kv-policy", func(v *scopevault.Vault) {
		v.EnableRBACAuthorization = false
		v.AccessPolicies = []scopevault.AccessPolicy{{TenantID: b.TenantID, ObjectID: lister.ObjectID,
			Permissions: scopevault.Permissions{Secrets: []string{"list"}}}}
	})
	w.MustSet(t, policy, "s", secrets.SetParams{Value: "v"})

	noRole := w.MustSP(t, "", "")
	armToken := w.MustAdminToken(t, "https://management.core.windows.net/")
	otherTenant := scopevault.NewGUID()
	if _, err := w.srv.Identity.EnsureTenant(t.Context(), otherTenant, "other"); err != nil {
		t.Fatal(err)
	}
	foreigner := w.MustSP(t, otherTenant, "")
	iss := "https://sts.windows.net/" + b.TenantID + "/"

	notFound := func(id string) string {
		return "A secret with (name/id) " + id + " was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
	}

	tests := []wireCase{
		// Authentication: the 401 challenge the SDKs parse.
		{name: "fail/no-token", method: "GET", url: "/secrets/exists" + q, status: 401, code: "Unauthorized",
			message: "AKV10000: Request is missing a Bearer or PoP token.",
			check: func(t *testing.T, r *resp) {
				got, want := r.header.Get("WWW-Authenticate"), `Bearer authorization="`+authority+`", resource="https://1.0.1:`+port+`"`
				if got != want {
					t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, want)
				}
			}},
		{name: "fail/no-token-body-less-put", method: "PUT", url: "/secrets/new-one" + q, status: 401, code: "Unauthorized",
			message: "AKV10000: Request is missing a Bearer or PoP token."},
		{name: "fail/no-token-real-host-form", method: "GET", url: w.hostBase(w.vault) + "/secrets/exists" + q, status: 401, code: "Unauthorized",
			check: func(t *testing.T, r *resp) {
				got, want := r.header.Get("WWW-Authenticate"), `Bearer authorization="`+authority+`", resource="https://vault.azure.net:`+port+`"`
				if got != want {
					t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, want)
				}
			}},
		// A vault URL with an explicit :443 keeps it in Host; the Go SDK then
		// compares "<host>:443" with the resource, so the port must stay.
		{name: "fail/no-token-explicit-443", method: "GET", url: "https://127.1.0.1:443/secrets/exists" + q, status: 401, code: "Unauthorized",
			check: func(t *testing.T, r *resp) {
				got, want := r.header.Get("WWW-Authenticate"), `Bearer authorization="`+authority+`", resource="https://1.0.1:443"`
				if got != want {
					t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, want)
				}
			}},
		{name: "fail/no-token-real-host-form-explicit-443", method: "GET", url: "https://" + b.Vault + ".vault.azure.net:443/secrets/exists" + q, status: 401, code: "Unauthorized",
			check: func(t *testing.T, r *resp) {
				got, want := r.header.Get("WWW-Authenticate"), `Bearer authorization="`+authority+`", resource="https://vault.azure.net:443"`
				if got != want {
					t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, want)
				}
			}},
		{name: "fail/garbage-token", method: "GET", url: "/secrets/exists" + q, token: "not-a-jwt", status: 401, code: "Unauthorized",
			contains: []string{"AKV10001: "}},
		{name: "fail/tampered-token", method: "GET", url: "/secrets/exists" + q, token: w.admin[:len(w.admin)-4] + "AAAA", status: 401, code: "Unauthorized",
			contains: []string{"AKV10001: "}},
		{name: "fail/arm-audience", method: "GET", url: "/secrets/exists" + q, token: armToken, status: 401, code: "Unauthorized",
			message: "AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.core.windows.net/."},
		{name: "fail/other-tenant", method: "GET", url: "/secrets/exists" + q, token: foreigner.token, status: 401, code: "Unauthorized",
			message: "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/" + b.TenantID + "/, found https://sts.windows.net/" + otherTenant + "/."},

		// api-version.
		{name: "fail/unknown-api-version", method: "GET", url: "/secrets/exists?api-version=7.9", token: w.admin, status: 400, code: "BadParameter",
			message: "The specified version (7.9) is not recognized. Consider using the latest supported version (2026-04-01)."},
		{name: "fail/missing-api-version", method: "GET", url: "/secrets/exists", token: w.admin, status: 400, code: "BadParameter"},
		{name: "fail/empty-api-version", method: "GET", url: "/secrets/exists?api-version=", token: w.admin, status: 400, code: "BadParameter"},
		{name: "ok/api-version-percent-encoded-name", method: "GET", url: "/secrets/exists/?api%2Dversion=2025-07-01", token: w.admin, status: 200},

		// Names and bodies.
		{name: "fail/invalid-name", method: "GET", url: "/secrets/a_b" + q, token: w.admin, status: 400, code: "BadParameter",
			message: "The request URI contains an invalid name: a_b"},
		{name: "fail/invalid-name-put", method: "PUT", url: "/secrets/a_b" + q, token: w.admin, body: map[string]string{"value": "v"}, status: 400, code: "BadParameter",
			message: "The request URI contains an invalid name: a_b"},
		{name: "fail/name-128-chars", method: "GET", url: "/secrets/" + strings.Repeat("n", 128) + q, token: w.admin, status: 400, code: "BadParameter"},
		{name: "ok/max-size", method: "PUT", url: "/secrets/max-size" + q, token: w.admin, body: map[string]string{"value": strings.Repeat("x", 25600)}, status: 200},
		{name: "fail/too-large", method: "PUT", url: "/secrets/too-large" + q, token: w.admin, body: map[string]string{"value": strings.Repeat("x", 25601)},
			status: 400, code: "BadParameter", inner: "SecretTooLarge", message: "Secret is beyond the maximum permitted length of 25600 characters."},
		{name: "ok/15-tags", method: "PUT", url: "/secrets/tags15" + q, token: w.admin, body: map[string]any{"value": "v", "tags": tags(15)}, status: 200},
		{name: "fail/16-tags", method: "PUT", url: "/secrets/tags16" + q, token: w.admin, body: map[string]any{"value": "v", "tags": tags(16)}, status: 400, code: "BadParameter"},
		{name: "fail/missing-value", method: "PUT", url: "/secrets/no-value" + q, token: w.admin, body: map[string]any{"contentType": "x"}, status: 400, code: "BadParameter"},
		{name: "fail/null-value", method: "PUT", url: "/secrets/no-value" + q, token: w.admin, body: `{"value":null}`, status: 400, code: "BadParameter"},
		{name: "fail/empty-body", method: "PUT", url: "/secrets/no-value" + q, token: w.admin, body: "", status: 400, code: "BadParameter"},
		{name: "fail/invalid-json", method: "PUT", url: "/secrets/bad-json" + q, token: w.admin, body: `{"value":`, status: 400, code: "BadParameter"},
		{name: "fail/value-not-a-string", method: "PUT", url: "/secrets/bad-json" + q, token: w.admin, body: `{"value":1}`, status: 400, code: "BadParameter"},
		{name: "fail/float-nbf", method: "PUT", url: "/secrets/bad-json" + q, token: w.admin, body: `{"value":"v","attributes":{"nbf":1.5}}`, status: 400, code: "BadParameter"},

		// Missing objects.
		{name: "fail/not-found", method: "GET", url: "/secrets/missing" + q, token: w.admin, status: 404, code: "SecretNotFound", message: notFound("missing")},
		{name: "fail/not-found-version", method: "GET", url: "/secrets/missing/00000000000000000000000000000000" + q, token: w.admin, status: 404,
			code: "SecretNotFound", message: notFound("missing/00000000000000000000000000000000")},
		{name: "fail/unknown-version", method: "GET", url: "/secrets/exists/00000000000000000000000000000000" + q, token: w.admin, status: 404,
			code: "SecretNotFound", message: notFound("exists/00000000000000000000000000000000")},
		{name: "fail/deleted-not-found", method: "GET", url: "/deletedsecrets/x" + q, token: w.admin, status: 404, code: "SecretNotFound",
			message: "Deleted Secret not found: x"},
		{name: "fail/get-soft-deleted", method: "GET", url: "/secrets/deleted-one" + q, token: w.admin, status: 404, code: "SecretNotFound", message: notFound("deleted-one")},

		// State conflicts and refusals.
		{name: "fail/set-on-deleted-name", method: "PUT", url: "/secrets/deleted-one" + q, token: w.admin, body: map[string]string{"value": "v"},
			status: 409, code: "Conflict", inner: "ObjectIsDeletedButRecoverable",
			message: "Secret deleted-one is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."},
		{name: "fail/disabled", method: "GET", url: "/secrets/disabled-one/" + q, token: w.admin, status: 403, code: "Forbidden", inner: "SecretDisabled",
			message: "Operation get is not allowed on a disabled secret."},
		{name: "fail/purge-protected", method: "DELETE", url: protectedBase + "/deletedsecrets/gone" + q, token: w.admin, status: 403, code: "Forbidden",
			message: `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed. Vault: kv-protected;location=eastus`},
		{name: "ok/recover-purge-protected", method: "POST", url: protectedBase + "/deletedsecrets/gone/recover" + q, token: w.admin, status: 200},

		// Paging parameters.
		{name: "fail/maxresults-26", method: "GET", url: "/secrets" + q + "&maxresults=26", token: w.admin, status: 400, code: "BadParameter"},
		{name: "fail/maxresults-0", method: "GET", url: "/secrets" + q + "&maxresults=0", token: w.admin, status: 400, code: "BadParameter"},
		{name: "fail/maxresults-not-a-number", method: "GET", url: "/secrets" + q + "&maxresults=ten", token: w.admin, status: 400, code: "BadParameter"},
		{name: "ok/maxresults-25", method: "GET", url: "/secrets" + q + "&maxresults=25", token: w.admin, status: 200},
		{name: "fail/bad-skiptoken", method: "GET", url: "/secrets" + q + "&%24skiptoken=%21%21%21", token: w.admin, status: 400, code: "BadParameter"},
		{name: "fail/bad-versions-skiptoken", method: "GET", url: "/secrets/exists/versions" + q + "&$skiptoken=eA", token: w.admin, status: 400, code: "BadParameter"},

		// RBAC: a caller with no role.
		{name: "fail/rbac-no-role", method: "GET", url: "/secrets/Exists" + q, token: noRole.token, status: 403, code: "Forbidden", inner: "ForbiddenByRbac",
			message: "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n" +
				"Caller: appid=" + noRole.AppID + ";oid=" + noRole.ObjectID + ";iss=" + iss + "\r\n" +
				"Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n" +
				"Resource: '/subscriptions/" + b.SubscriptionID + "/resourcegroups/" + strings.ToLower(b.ResourceGroup) + "/providers/microsoft.keyvault/vaults/" + strings.ToLower(b.Vault) + "/secrets/Exists'\r\n" +
				"Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: " + b.Vault + ";location=" + b.Location + "\r\n"},
		{name: "fail/rbac-no-role-list", method: "GET", url: "/secrets" + q, token: noRole.token, status: 403, code: "Forbidden", inner: "ForbiddenByRbac",
			contains: []string{"Action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'", "Resource: '/subscriptions/" + b.SubscriptionID + "/resourcegroups/"}},

		// Access policies.
		{name: "ok/policy-list", method: "GET", url: policyBase + "/secrets" + q, token: lister.token, status: 200},
		{name: "fail/policy-without-get", method: "GET", url: policyBase + "/secrets/s" + q, token: lister.token, status: 403, code: "Forbidden", inner: "AccessDenied",
			message: "The user, group or application 'appid=" + lister.AppID + ";oid=" + lister.ObjectID + ";iss=" + iss +
				"' does not have secrets get permission on key vault 'kv-policy;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287"},
		{name: "fail/policy-without-set", method: "PUT", url: policyBase + "/secrets/s" + q, token: lister.token, body: map[string]string{"value": "v"},
			status: 403, code: "Forbidden", inner: "AccessDenied", contains: []string{"does not have secrets set permission"}},
		{name: "fail/not-in-any-policy", method: "GET", url: policyBase + "/secrets/s" + q, token: stranger.token, status: 403, code: "Forbidden", inner: "AccessDenied",
			message: "Access denied. Caller was not found on any access policy.\r\nCaller: appid=" + stranger.AppID + ";oid=" + stranger.ObjectID +
				";numgroups=0;iss=" + iss + "\r\nVault: kv-policy;location=eastus"},
		{name: "fail/rbac-roles-ignored-on-policy-vault", method: "GET", url: policyBase + "/secrets/s" + q, token: w.admin, status: 403, code: "Forbidden", inner: "AccessDenied",
			contains: []string{"Caller was not found on any access policy"}},

		// Shapes of successful responses.
		{name: "ok/get", method: "GET", url: "/secrets/exists" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var got struct {
				Value string `json:"value"`
				ID    string `json:"id"`
			}
			r.JSON(t, &got)
			if want := w.base + "/secrets/Exists/" + exists.Version.Version; got.ID != want {
				t.Errorf("id: got %q, want %q (stored case, request host)", got.ID, want)
			}
			if got.Value != "v1" {
				t.Errorf("value: got %q, want %q", got.Value, "v1")
			}
			if n := checkIntegerTimes(t, r.body); n < 2 {
				t.Errorf("saw %d time fields, want created and updated", n)
			}
		}},
		{name: "ok/get-trailing-slash", method: "GET", url: "/secrets/exists/" + q, token: w.admin, status: 200},
		{name: "ok/get-version", method: "GET", url: "/secrets/exists/" + exists.Version.Version + q, token: w.admin, status: 200},
		{name: "ok/double-slashes-collapse", method: "GET", url: "//secrets//exists" + q, token: w.admin, status: 200},
		{name: "ok/real-host-form", method: "GET", url: w.hostBase(w.vault) + "/secrets/exists" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var got struct {
				ID string `json:"id"`
			}
			r.JSON(t, &got)
			if want := w.hostBase(w.vault) + "/secrets/Exists/" + exists.Version.Version; got.ID != want {
				t.Errorf("id: got %q, want %q", got.ID, want)
			}
		}},
		{name: "ok/empty-list", method: "GET", url: protectedBase + "/deletedsecrets" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			for _, want := range []string{`"value":[]`, `"nextLink":null`} {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("body %s lacks %s", r.body, want)
				}
			}
		}},
		{name: "ok/list-deleted", method: "GET", url: "/deletedsecrets" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			if n := checkIntegerTimes(t, r.body); n < 4 {
				t.Errorf("saw %d time fields, want created, updated, deletedDate, scheduledPurgeDate", n)
			}
		}},
		{name: "ok/get-deleted", method: "GET", url: "/deletedsecrets/deleted-one" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var got struct {
				Value      *string `json:"value"`
				RecoveryID string  `json:"recoveryId"`
			}
			r.JSON(t, &got)
			if got.Value != nil {
				t.Error("a deleted secret bundle carries its value")
			}
			if want := w.base + "/deletedsecrets/deleted-one"; got.RecoveryID != want {
				t.Errorf("recoveryId: got %q, want %q", got.RecoveryID, want)
			}
		}},
	}
	for _, v := range []string{"7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"} {
		tests = append(tests, wireCase{name: "ok/api-version-" + v, method: "GET", url: "/secrets/exists/?api-version=" + v, token: w.admin, status: 200})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { w.run(t, tt) })
	}
}

func tags(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[string(rune('a'+i))] = "v"
	}
	return m
}
