package keyvault_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// TestWireNetworkGate: the vault's public network access and firewall
// decide over real connections, from the address the connection came from
// (127.0.0.1 here); a forwarding header claiming another changes nothing,
// and the management plane is never blocked.
func TestWireNetworkGate(t *testing.T) {
	ctx := context.Background()
	w := MustWire(t)
	v, base := w.MustVault(t, "kv-gate", nil)
	w.MustSet(t, v, "s", secrets.SetParams{Value: "v"})
	q := "?api-version=" + defaultAPIVersion
	tests := []struct {
		name  string
		pna   string
		acls  *scopevault.NetworkACLs
		inner string // "" when the read succeeds
		first string
	}{
		{"ok/no-rules", "Enabled", nil, "", ""},
		{"ok/default-allow", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Allow", Bypass: "None"}, "", ""},
		{"ok/ip-rule-matches", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "None", IPRules: []string{"127.0.0.1/32"}}, "", ""},
		{"ok/ip-rule-single-address", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "AzureServices", IPRules: []string{"127.0.0.1"}}, "", ""},
		{"firewall/azureservices", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "AzureServices", IPRules: []string{"10.0.0.0/8"}},
			"ForbiddenByFirewall", "Client address is not authorized and caller is not a trusted service.\r\nClient address: 127.0.0.1\r\n"},
		{"firewall/none", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "None"},
			"ForbiddenByFirewall", "Client address is not authorized and caller was ignored because bypass is set to None\r\nClient address: 127.0.0.1\r\n"},
		{"connection/azureservices", "Disabled", &scopevault.NetworkACLs{DefaultAction: "Allow", Bypass: "AzureServices", IPRules: []string{"127.0.0.1/32"}},
			"ForbiddenByConnection", "Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\n"},
		{"connection/none", "Disabled", &scopevault.NetworkACLs{Bypass: "None"},
			"ForbiddenByConnection", "Connection is not an approved private link and caller was ignored because bypass is not set to 'AzureServices' and PublicNetworkAccess is set to 'Disabled'.\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := w.srv.Engine.UpdateVault(ctx, v.Name, func(v *scopevault.Vault) error {
				v.PublicNetworkAccess, v.NetworkACLs = tt.pna, tt.acls
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, forged := range []string{"", "10.1.2.3"} {
				req, _ := http.NewRequest("GET", base+"/secrets/s"+q, nil)
				req.Header.Set("Authorization", "Bearer "+w.admin)
				if forged != "" {
					req.Header.Set("X-Forwarded-For", forged)
					req.Header.Set("X-Real-IP", forged)
					req.Header.Set("Forwarded", "for="+forged)
				}
				res, err := w.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r := readResp(t, res)
				if tt.inner == "" {
					if r.status != http.StatusOK {
						t.Fatalf("forged=%q: HTTP %d %s", forged, r.status, r.body)
					}
					continue
				}
				code, inner, msg := r.errorOf(t)
				if r.status != http.StatusForbidden || code != "Forbidden" || inner != tt.inner || !strings.HasPrefix(msg, tt.first) ||
					!strings.HasSuffix(msg, "Vault: kv-gate;location="+v.Location) {
					t.Fatalf("forged=%q: HTTP %d %s %s %q", forged, r.status, code, inner, msg)
				}
			}
			// The management plane is never behind the vault's gate.
			if got, err := w.srv.Engine.Vault(ctx, v.Name); err != nil || got.Name != v.Name {
				t.Fatalf("management read: %v", err)
			}
		})
	}
}

func readResp(tb testing.TB, res *http.Response) *resp {
	tb.Helper()
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &resp{status: res.StatusCode, header: res.Header, body: raw}
}

// TestWireHostHeader: a request reaches the vault its connection arrived
// for, whatever its Host says; a Host naming another vault is refused, and
// ids are built from the vault's own names, never copied from the Host.
func TestWireHostHeader(t *testing.T) {
	w := MustWire(t)
	v, base := w.MustVault(t, "kv-host", nil)
	w.MustSet(t, v, "s", secrets.SetParams{Value: "v"})
	q := "?api-version=" + defaultAPIVersion
	tests := []struct {
		name, host string
		status     int
		idPrefix   string
	}{
		{"ok/address", "", http.StatusOK, base + "/secrets/s/"},
		{"ok/arbitrary-host-not-echoed", "evil.example", http.StatusOK, base + "/secrets/s/"},
		{"ok/arbitrary-host-with-port", "evil.example:1234", http.StatusOK, base + "/secrets/s/"},
		{"ok/own-real-name", "KV-Host.vault.azure.net:" + w.port(), http.StatusOK, "https://kv-host.vault.azure.net:" + w.port() + "/secrets/s/"},
		{"another-vaults-name", w.vault.Name + ".vault.azure.net", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+"/secrets/s"+q, nil)
			req.Header.Set("Authorization", "Bearer "+w.admin)
			if tt.host != "" {
				req.Host = tt.host
			}
			res, err := w.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := readResp(t, res)
			if r.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != http.StatusOK {
				if code, _, _ := r.errorOf(t); code != "VaultNotFound" {
					t.Fatalf("error %s: %s", code, r.body)
				}
				return
			}
			var got struct{ ID string }
			r.JSON(t, &got)
			if !strings.HasPrefix(got.ID, tt.idPrefix) || strings.Contains(got.ID, "evil") {
				t.Fatalf("id %q, want prefix %q", got.ID, tt.idPrefix)
			}
		})
	}
}
