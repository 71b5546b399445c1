package identity_test

import (
	"testing"

	"github.com/scopevault/scopevault/internal/identity"
)

func TestServiceResourceAudience(t *testing.T) {
	s := new(identity.Service)
	s.SetManagementURLs("https://localhost:8443", "https://127.0.0.1:8443/", "not a url", "http://localhost:80")
	for _, tt := range []struct {
		name, resource, aud string
	}{
		{"ok/endpoint", "https://localhost:8443", identity.AudienceARM},
		{"ok/endpoint-slash", "https://127.0.0.1:8443/", identity.AudienceARM},
		{"ok/vault-still", "https://vault.azure.net", identity.AudienceKeyVault},
		{"fail/other-port", "https://localhost:8444", ""},
		{"fail/http-never-set", "http://localhost:80", ""},
		{"fail/query", "https://localhost:8443?x=1", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.ResourceAudience(tt.resource)
			if got != tt.aud || ok != (tt.aud != "") {
				t.Errorf("ResourceAudience(%q) = %q, %v; want %q", tt.resource, got, ok, tt.aud)
			}
		})
	}
	if _, ok := new(identity.Service).ResourceAudience("https://localhost:8443"); ok {
		t.Error("a service with no management URLs maps a loopback endpoint")
	}
}

// FuzzServiceResourceAudience: the management URLs add the ARM audience
// for exactly the configured endpoint and change nothing else.
func FuzzServiceResourceAudience(f *testing.F) {
	for _, s := range []string{"https://localhost:8443", "https://localhost:8443/", "https://LocalHost:8443", "https://localhost:8443/x", "https://vault.azure.net", ""} {
		f.Add(s)
	}
	s := new(identity.Service)
	s.SetManagementURLs("https://localhost:8443")
	f.Fuzz(func(t *testing.T, resource string) {
		aud, ok := s.ResourceAudience(resource)
		base, baseOK := identity.ResourceAudience(resource)
		switch {
		case baseOK && (aud != base || !ok):
			t.Fatalf("%q: %q, want the package's %q", resource, aud, base)
		case !baseOK && ok && aud != identity.AudienceARM:
			t.Fatalf("%q: audience %q", resource, aud)
		}
	})
}
