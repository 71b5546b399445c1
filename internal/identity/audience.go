package identity

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
)

// Audiences scopevault issues tokens for: the aud claim Entra puts in v1 tokens.
const (
	AudienceKeyVault   = "https://vault.azure.net"
	AudienceARM        = "https://management.core.windows.net/"
	AudienceDatabricks = scopevault.AzureDatabricksAppID
	AudienceGraph      = "https://graph.microsoft.com"
)

// ResourceAudience maps a resource (a scope without "/.default", or a v1
// resource / MSI resource parameter) to the audience of the token issued for it.
//
// Key Vault is accepted in three spellings: its URI (any port, because a
// vault's challenge names its own host and port), its first-party app id,
// and scopevault's loopback form https://a.b.c:port: a vault listening at
// https://127.a.b.c:port challenges with that resource so the Go SDK's
// check "request host ends with .resource host" passes.
func ResourceAudience(resource string) (aud string, ok bool) {
	r := strings.TrimSpace(resource)
	switch strings.ToLower(strings.TrimSuffix(r, "/")) {
	case scopevault.KeyVaultAppID:
		return AudienceKeyVault, true
	case scopevault.AzureDatabricksAppID:
		return AudienceDatabricks, true
	}
	u, err := url.Parse(r)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.User != nil || u.Opaque != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", false
	}
	host, port, hasPort := strings.Cut(strings.ToLower(u.Host), ":")
	if hasPort && !validPort(port) {
		return "", false
	}
	switch {
	case host == "vault.azure.net":
		return AudienceKeyVault, true
	case loopbackVaultHost(host):
		// With or without a port: a vault at https://127.a.b.c/ (port 443)
		// challenges with https://a.b.c.
		return AudienceKeyVault, true
	case hasPort:
		// Only vaults are addressed with a port; the other resources are names.
		return "", false
	case host == "management.azure.com", host == "management.core.windows.net":
		return AudienceARM, true
	case host == "azuredatabricks.net":
		return AudienceDatabricks, true
	case host == "graph.microsoft.com":
		return AudienceGraph, true
	}
	return "", false
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// loopbackVaultHost reports whether host is three canonical decimal octets ("a.b.c").
func loopbackVaultHost(host string) bool {
	parts := strings.Split(host, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || strings.ContainsAny(p, "+-") {
			return false
		}
	}
	return true
}

// oidcScopes are added by MSAL to every request and mean nothing for an access token.
var oidcScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true}

// ScopeResource returns the resource named by an OAuth2 v2 scope parameter:
// exactly one "<resource>/.default" besides the ignored OIDC scopes.
// "https://management.core.windows.net//.default" names "https://management.core.windows.net/".
func ScopeResource(scope string) (string, error) {
	var resource string
	n := 0
	for _, f := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(f)] {
			continue
		}
		n++
		resource = f
	}
	if n != 1 {
		return "", errInvalidScope(strings.TrimSpace(scope))
	}
	r, ok := strings.CutSuffix(resource, "/.default")
	if !ok || r == "" {
		return "", errInvalidScope(resource)
	}
	return r, nil
}
