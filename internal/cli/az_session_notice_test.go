package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// The CLI says, once and on stderr, which account and server it uses when a
// saved 'az login' and the environment disagree; otherwise stderr stays
// empty, as az's, and stdout is the command's output alone.
func TestSessionNoticeWhenProfileAndEnvDisagree(t *testing.T) {
	e := MustAz(t)
	group := func(t *testing.T) (string, string, int) {
		t.Helper()
		return runMain(t, "az", "group", "list", "--query", "length(@)")
	}
	t.Run("ok/env-only-says-nothing", func(t *testing.T) {
		out, errs, code := group(t)
		if code != 0 || errs != "" || strings.TrimSpace(out) == "" {
			t.Fatalf("code %d, stdout %q, stderr %q", code, out, errs)
		}
	})
	t.Run("ok/profile-for-another-server", func(t *testing.T) {
		if err := saveProfile(&profile{ARMEndpoint: "https://127.0.0.2:1/", AuthorityHost: "https://127.0.0.2:1/", TenantID: "t", ClientID: "c", ClientSecret: "s"}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = removeProfile() })
		out, errs, code := group(t)
		var n int
		if code != 0 || json.Unmarshal([]byte(out), &n) != nil {
			t.Fatalf("code %d, stdout %q, stderr %q", code, out, errs)
		}
		want := "WARNING: using the server the environment names (SCOPEVAULT_ARM_ENDPOINT=" + e.armURL + "), not https://127.0.0.2:1/ where 'az login' signed in"
		if !strings.HasPrefix(errs, want) || strings.Count(errs, "WARNING") != 1 {
			t.Fatalf("stderr %q, want once: %q", errs, want)
		}
		if _, errs, _ := runMain(t, "az", "group", "list", "--only-show-errors"); errs != "" {
			t.Errorf("--only-show-errors: stderr %q", errs)
		}
	})
	t.Run("fail/profile-wins-over-env-account", func(t *testing.T) {
		if err := saveProfile(&profile{ARMEndpoint: e.armURL, AuthorityHost: e.env[envAuthority], Kind: kindUser, TenantID: e.env[envTenantID],
			Username: "alice@contoso.example", Password: "not-a-real-password"}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = removeProfile() })
		out, errs, _ := group(t)
		want := "WARNING: using the account 'az login' saved (user alice@contoso.example on " + e.armURL + "), not AZURE_CLIENT_ID=" + e.env[envClientID]
		if out != "" || !strings.HasPrefix(errs, want) || strings.Count(errs, "WARNING") != 1 || strings.Contains(errs, "not-a-real-password") {
			t.Fatalf("stdout %q, stderr %q; want first %q", out, errs, want)
		}
	})
}
