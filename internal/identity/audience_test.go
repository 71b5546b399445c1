package identity_test

import (
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/identity"
)

func TestResourceAudience(t *testing.T) {
	const (
		kv  = identity.AudienceKeyVault
		arm = identity.AudienceARM
		dbx = identity.AudienceDatabricks
	)
	tests := []struct {
		name, resource, aud string
	}{
		{"ok/vault", "https://vault.azure.net", kv},
		{"ok/vault-slash", "https://vault.azure.net/", kv},
		{"ok/vault-port", "https://vault.azure.net:8443", kv},
		{"ok/vault-port-slash", "https://vault.azure.net:8443/", kv},
		{"ok/vault-upper", "HTTPS://Vault.Azure.NET", kv},
		{"ok/vault-app-id", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", kv},
		{"ok/vault-app-id-upper", "CFA8B339-82A2-471A-A3C9-0FC0BE7A4093", kv},
		{"ok/loopback-vault", "https://0.0.1:8443", kv},
		{"ok/loopback-vault-slash", "https://255.10.3:443/", kv},
		{"ok/arm", "https://management.azure.com", arm},
		{"ok/arm-slash", "https://management.azure.com/", arm},
		{"ok/arm-core", "https://management.core.windows.net/", arm},
		{"ok/arm-core-no-slash", "https://management.core.windows.net", arm},
		{"ok/databricks-app-id", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d", dbx},
		{"ok/databricks-uri", "https://azuredatabricks.net", dbx},
		{"ok/graph", "https://graph.microsoft.com", identity.AudienceGraph},
		{"ok/graph-slash", "https://graph.microsoft.com/", identity.AudienceGraph},
		{"fail/empty", "", ""},
		{"fail/http", "http://vault.azure.net", ""},
		{"fail/other-host", "https://example.com", ""},
		{"fail/vault-subdomain", "https://kv1.vault.azure.net", ""},
		{"fail/vault-path", "https://vault.azure.net/secrets", ""},
		{"fail/vault-query", "https://vault.azure.net?x=1", ""},
		{"fail/vault-userinfo", "https://u@vault.azure.net", ""},
		{"fail/vault-port-zero", "https://vault.azure.net:0", ""},
		{"fail/vault-port-big", "https://vault.azure.net:65536", ""},
		{"fail/vault-empty-port", "https://vault.azure.net:", ""},
		{"ok/loopback-no-port", "https://1.0.1", kv}, // a vault at https://127.1.0.1/ (port 443) challenges so
		{"fail/loopback-four-octets", "https://127.0.0.1:8443", ""},
		{"fail/loopback-octet-too-big", "https://0.0.256:8443", ""},
		{"fail/loopback-leading-zero", "https://0.0.01:8443", ""},
		{"fail/loopback-sign", "https://0.+1.1:8443", ""},
		{"fail/arm-port", "https://management.azure.com:443", ""},
		{"fail/default-suffix", "https://vault.azure.net/.default", ""},
		{"fail/other-guid", "00000000-0000-0000-0000-000000000000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := identity.ResourceAudience(tt.resource)
			if got != tt.aud || ok != (tt.aud != "") {
				t.Errorf("ResourceAudience(%q) = %q, %v; want %q", tt.resource, got, ok, tt.aud)
			}
		})
	}
}

func TestScopeResource(t *testing.T) {
	tests := []struct {
		name, scope, resource string
	}{
		{"ok", "https://vault.azure.net/.default", "https://vault.azure.net"},
		{"ok/msal-oidc-scopes", "https://vault.azure.net/.default openid offline_access profile", "https://vault.azure.net"},
		{"ok/azcore-arm", "https://management.core.windows.net//.default", "https://management.core.windows.net/"},
		{"ok/guid", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"},
		{"fail/empty", "", ""},
		{"fail/only-oidc", "openid profile offline_access", ""},
		{"fail/no-default", "https://vault.azure.net", ""},
		{"fail/two", "https://vault.azure.net/.default https://graph.microsoft.com/.default", ""},
		{"fail/bare-default", "/.default", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.ScopeResource(tt.scope)
			if tt.resource == "" {
				wantReason(t, err, identity.ReasonInvalidScope)
				return
			}
			if err != nil || got != tt.resource {
				t.Errorf("ScopeResource(%q) = %q, %v; want %q", tt.scope, got, err, tt.resource)
			}
		})
	}
}

func FuzzResourceAudience(f *testing.F) {
	for _, s := range []string{"https://vault.azure.net", "https://1.2.3:8443/", "https://management.core.windows.net/", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "https://[::1]:1", "https://%zz"} {
		f.Add(s)
	}
	allowed := map[string]bool{identity.AudienceKeyVault: true, identity.AudienceARM: true, identity.AudienceDatabricks: true, identity.AudienceGraph: true}
	f.Fuzz(func(t *testing.T, resource string) {
		aud, ok := identity.ResourceAudience(resource)
		if ok != allowed[aud] {
			t.Fatalf("ResourceAudience(%q) = %q, %v", resource, aud, ok)
		}
		// A recognized resource is recognized with or without one trailing slash.
		if ok && !strings.HasSuffix(resource, "/") {
			if aud2, ok2 := identity.ResourceAudience(resource + "/"); !ok2 || aud2 != aud {
				t.Fatalf("ResourceAudience(%q/) = %q, %v; want %q", resource, aud2, ok2, aud)
			}
		}
		if ok {
			// The scope form of a recognized resource names it back.
			if r, err := identity.ScopeResource(resource + "/.default"); err == nil && strings.TrimSpace(r) != strings.TrimSpace(resource) && !strings.ContainsAny(resource, " \t\r\n\v\f") {
				t.Fatalf("ScopeResource(%q/.default) = %q", resource, r)
			}
		}
	})
}
