package databricks_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/audit"
)

const ownerRoleID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

const mePath = "/api/2.0/preview/scim/v2/Me"

// groupNames reads the display names of a SCIM resource's groups.
func groupNames(m map[string]any) []string {
	var out []string
	gs, _ := m["groups"].([]any)
	for _, g := range gs {
		if gm, ok := g.(map[string]any); ok {
			out = append(out, gm["display"].(string))
		}
	}
	slices.Sort(out)
	return out
}

func TestEnvFileReachesDefaultWorkspace(t *testing.T) {
	w := MustWire(t)
	env := w.readEnvFile(t)
	if env["DATABRICKS_HOST"] != w.host || env["DATABRICKS_TOKEN"] != w.pat {
		t.Fatalf("env file DATABRICKS_HOST=%q DATABRICKS_TOKEN set=%v; want %q", env["DATABRICKS_HOST"], env["DATABRICKS_TOKEN"] != "", w.host)
	}
	if !strings.HasPrefix(w.host, "https://127.2.") || !strings.HasPrefix(w.pat, "dapi") || len(w.pat) != 36 {
		t.Fatalf("DATABRICKS_HOST %q, token shape %d chars", w.host, len(w.pat))
	}
	if w.ws.Name != "scopevault-default" || !w.ws.Premium() {
		t.Fatalf("default workspace %+v", w.ws)
	}
	realHost := "https://" + w.ws.RealHost() + ":" + strconv.Itoa(w.srv.Port())
	for _, tc := range []struct{ name, base string }{
		{"ok/no-setup-url", w.host},
		{"ok/real-host-on-main-address", realHost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.Do(t, http.MethodGet, tc.base+mePath, w.pat, nil)
			MustStatus(t, r, http.StatusOK)
			m := r.json(t)
			if m["userName"] != w.srv.Boot.ClientID || m["id"] == "" {
				t.Fatalf("me = %s", r.body)
			}
			if got := groupNames(m); !slices.Equal(got, []string{"admins", "users"}) {
				t.Fatalf("groups %v", got)
			}
			if got, want := r.header.Get("X-Databricks-Org-Id"), strconv.FormatInt(w.ws.WorkspaceID, 10); got != want {
				t.Fatalf("X-Databricks-Org-Id %q, want %q", got, want)
			}
		})
	}
	t.Run("ok/well-known-anonymous", func(t *testing.T) {
		r := w.api(t, http.MethodGet, "/.well-known/databricks-config", "", nil)
		MustStatus(t, r, http.StatusOK)
		m := r.json(t)
		if m["workspace_id"] != strconv.FormatInt(w.ws.WorkspaceID, 10) || m["oidc_endpoint"] != w.host+"/oidc" {
			t.Fatalf("well-known = %s", r.body)
		}
	})
	t.Run("ok/telemetry", func(t *testing.T) {
		r := w.api(t, http.MethodPost, "/telemetry-ext", "", `{"items":[]}`)
		MustStatus(t, r, http.StatusOK)
	})
	t.Run("ok/restart-keeps-token", func(t *testing.T) {
		host, pat := w.host, w.pat
		w.restart(t)
		if w.host != host || w.pat != pat {
			t.Fatalf("after restart host %q token changed=%v", w.host, w.pat != pat)
		}
		if env := w.readEnvFile(t); env["DATABRICKS_TOKEN"] != pat {
			t.Fatal("env file token changed")
		}
		MustStatus(t, w.api(t, http.MethodGet, mePath, pat, nil), http.StatusOK)
	})
}

func TestAuthentication(t *testing.T) {
	w := MustWire(t)
	adminEntra := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, databricksScope)
	armToken := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, "https://management.azure.com/.default")

	t.Run("fail/missing", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, "", nil), http.StatusUnauthorized, "UNAUTHENTICATED")
	})
	for _, tc := range []struct{ name, token string }{
		{"fail/unknown-pat", "dapi0123456789abcdef0123456789abcdef"},
		{"fail/garbage", "not-a-token"},
		{"fail/arm-audience", armToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.api(t, http.MethodGet, mePath, tc.token, nil)
			MustErrorCode(t, r, http.StatusForbidden, float64(403))
			if got := r.header.Get("X-Databricks-Reason-Phrase"); got != "Invalid access token." {
				t.Fatalf("X-Databricks-Reason-Phrase %q", got)
			}
			if strings.Contains(string(r.body), tc.token) {
				t.Fatal("the error quotes the token")
			}
		})
	}
	t.Run("ok/entra-admin", func(t *testing.T) {
		r := w.api(t, http.MethodGet, mePath, adminEntra, nil)
		MustStatus(t, r, http.StatusOK)
		if m := r.json(t); m["userName"] != w.srv.Boot.ClientID || !slices.Contains(groupNames(m), "admins") {
			t.Fatalf("me = %s", r.body)
		}
	})
	t.Run("ok/arm-owner-becomes-admin", func(t *testing.T) {
		owner := w.MustSP(t, "ws-owner")
		if _, _, err := w.srv.Authz.CreateAssignment(context.Background(), scopevault.RoleAssignment{
			Name: scopevault.NewGUID(), Scope: w.ws.ResourceID(), RoleDefinitionID: ownerRoleID,
			PrincipalID: owner.ObjectID, PrincipalType: scopevault.KindServicePrincipal,
		}); err != nil {
			t.Fatal(err)
		}
		r := w.api(t, http.MethodGet, mePath, w.token(t, owner), nil)
		MustStatus(t, r, http.StatusOK)
		if m := r.json(t); m["userName"] != owner.AppID || !slices.Contains(groupNames(m), "admins") {
			t.Fatalf("me = %s", r.body)
		}
	})
	t.Run("fail/entra-not-member", func(t *testing.T) {
		stranger := w.MustSP(t, "stranger")
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, w.token(t, stranger), nil), http.StatusForbidden, "PERMISSION_DENIED")
	})
}

func TestTokens(t *testing.T) {
	w := MustWire(t)
	create := func(t *testing.T, token string, body any) (string, map[string]any) {
		t.Helper()
		r := w.api(t, http.MethodPost, "/api/2.0/token/create", token, body)
		MustStatus(t, r, http.StatusOK)
		m := r.json(t)
		v, _ := m["token_value"].(string)
		info, _ := m["token_info"].(map[string]any)
		if !strings.HasPrefix(v, "dapi") || info == nil || info["token_id"] == "" {
			t.Fatalf("create = %s", r.body)
		}
		return v, info
	}

	t.Run("ok/create-list-delete", func(t *testing.T) {
		v, info := create(t, w.pat, map[string]any{"comment": "ci", "lifetime_seconds": 3600})
		if info["comment"] != "ci" || info["expiry_time"].(float64)-info["creation_time"].(float64) != 3600*1000 {
			t.Fatalf("token_info %v", info)
		}
		MustStatus(t, w.api(t, http.MethodGet, mePath, v, nil), http.StatusOK)
		r := w.api(t, http.MethodGet, "/api/2.0/token/list", v, nil)
		MustStatus(t, r, http.StatusOK)
		if strings.Contains(string(r.body), v) || strings.Contains(string(r.body), w.pat) {
			t.Fatal("list shows a token value")
		}
		infos, _ := r.json(t)["token_infos"].([]any)
		if len(infos) != 2 {
			t.Fatalf("token_infos = %s", r.body)
		}
		MustStatus(t, w.api(t, http.MethodPost, "/api/2.0/token/delete", w.pat, map[string]any{"token_id": info["token_id"]}), http.StatusOK)
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, v, nil), http.StatusForbidden, float64(403))
	})
	t.Run("ok/no-lifetime-never-expires", func(t *testing.T) {
		_, info := create(t, w.pat, nil)
		if info["expiry_time"] != float64(-1) {
			t.Fatalf("expiry_time %v", info["expiry_time"])
		}
	})
	t.Run("ok/text-json-content-type", func(t *testing.T) {
		r := w.api(t, http.MethodPost, "/api/2.0/token/create", w.pat, `{"comment":"legacy"}`)
		MustStatus(t, r, http.StatusOK)
	})
	t.Run("fail/expired", func(t *testing.T) {
		v, _ := create(t, w.pat, map[string]any{"lifetime_seconds": 60})
		MustStatus(t, w.api(t, http.MethodGet, mePath, v, nil), http.StatusOK)
		w.clock.Advance(61 * time.Second)
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, v, nil), http.StatusForbidden, float64(403))
	})
	t.Run("fail/delete-unknown", func(t *testing.T) {
		id := strings.Repeat("ab", 32)
		r := w.api(t, http.MethodPost, "/api/2.0/token/delete", w.pat, map[string]any{"token_id": id})
		MustErrorCode(t, r, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST")
		if m := r.json(t); m["message"] != "Token "+id+" does not exist!" {
			t.Fatalf("message %q", m["message"])
		}
	})
	t.Run("fail/bad-json", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodPost, "/api/2.0/token/create", w.pat, `{"comment":`), http.StatusBadRequest, "MALFORMED_REQUEST")
	})
	t.Run("fail/bad-lifetime", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodPost, "/api/2.0/token/create", w.pat, `{"lifetime_seconds":-5}`), http.StatusBadRequest, "INVALID_PARAMETER_VALUE")
	})
	t.Run("ok/entra-caller-mints-own", func(t *testing.T) {
		tok := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, databricksScope)
		v, _ := create(t, tok, map[string]any{"comment": "from entra"})
		MustStatus(t, w.api(t, http.MethodGet, mePath, v, nil), http.StatusOK)
	})
}

func TestTokenOfAnotherWorkspaceRefused(t *testing.T) {
	w := MustWire(t)
	ctx := context.Background()
	other, _, err := w.srv.RM.CreateOrUpdateWorkspace(ctx, scopevault.Workspace{
		Name: "other", SubscriptionID: w.srv.Boot.SubscriptionID, ResourceGroup: w.srv.Boot.ResourceGroup,
		Location: w.srv.Boot.Location, TenantID: w.srv.Boot.TenantID, SKU: "premium",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.srv.EnsureWorkspaceListener(other); err != nil {
		t.Fatal(err)
	}
	base := w.srv.WorkspaceURL(other)
	realHost := "https://" + other.RealHost() + ":" + strconv.Itoa(w.srv.Port())
	for _, b := range []string{base, realHost} {
		r := w.Do(t, http.MethodGet, b+mePath, w.pat, nil)
		MustErrorCode(t, r, http.StatusForbidden, float64(403))
	}
	// The bootstrap admin owns the subscription: its Entra token makes it an
	// admin of the new workspace on first use.
	tok := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, databricksScope)
	r := w.Do(t, http.MethodGet, base+mePath, tok, nil)
	MustStatus(t, r, http.StatusOK)
	if got := r.header.Get("X-Databricks-Org-Id"); got != strconv.FormatInt(other.WorkspaceID, 10) {
		t.Fatalf("org id %q", got)
	}
	if !slices.Contains(groupNames(r.json(t)), "admins") {
		t.Fatalf("me %s", r.body)
	}
	// Its data goes with it.
	if err := w.srv.Workspaces.DeleteWorkspaceData(ctx, other); err != nil {
		t.Fatal(err)
	}
}

func TestBootstrapRecordWithoutWorkspaceGetsOne(t *testing.T) {
	w := MustWire(t)
	ctx := context.Background()
	// A data directory made before workspaces: its bootstrap record names none.
	old := *w.srv.Boot
	old.Workspace, old.DatabricksToken = "", ""
	if err := w.srv.SaveBootstrap(ctx, &old); err != nil {
		t.Fatal(err)
	}
	pat := w.pat
	w.restart(t)
	if w.pat == "" || w.pat == pat {
		t.Fatalf("expected a new admin token after the upgrade")
	}
	MustStatus(t, w.api(t, http.MethodGet, mePath, w.pat, nil), http.StatusOK)
	if env := w.readEnvFile(t); env["DATABRICKS_TOKEN"] != w.pat || env["DATABRICKS_HOST"] != w.host {
		t.Fatal("env file lacks the new workspace settings")
	}
}

func TestRevokedBootstrapTokenIsReplacedOnStart(t *testing.T) {
	w := MustWire(t)
	r := w.api(t, http.MethodGet, "/api/2.0/token/list", w.pat, nil)
	infos, _ := r.json(t)["token_infos"].([]any)
	if len(infos) != 1 {
		t.Fatalf("token_infos %s", r.body)
	}
	id := infos[0].(map[string]any)["token_id"]
	MustStatus(t, w.api(t, http.MethodPost, "/api/2.0/token/delete", w.pat, map[string]any{"token_id": id}), http.StatusOK)
	old := w.pat
	w.restart(t)
	if w.pat == old {
		t.Fatal("the revoked token is still in the env")
	}
	MustStatus(t, w.api(t, http.MethodGet, mePath, w.pat, nil), http.StatusOK)
}

func TestAuditHoldsNoToken(t *testing.T) {
	w := MustWire(t)
	r := w.api(t, http.MethodPost, "/api/2.0/token/create", w.pat, map[string]any{"comment": "audited"})
	MustStatus(t, r, http.StatusOK)
	minted := r.json(t)["token_value"].(string)
	entra := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, databricksScope)
	MustStatus(t, w.api(t, http.MethodGet, mePath, entra, nil), http.StatusOK)
	MustErrorCode(t, w.api(t, http.MethodGet, mePath, "dapi0123456789abcdef0123456789abcdef", nil), http.StatusForbidden, float64(403))
	if err := w.srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(w.dir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	for _, want := range []string{`"generateDbToken"`, `"getMe"`} {
		if !strings.Contains(log, want) {
			t.Fatalf("audit log lacks %s:\n%s", want, log)
		}
	}
	for _, secret := range []string{w.pat, minted, entra, "dapi0123456789abcdef0123456789abcdef"} {
		if strings.Contains(log, secret) {
			t.Fatal("the audit log holds a token")
		}
	}
}
