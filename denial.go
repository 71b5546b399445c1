package scopevault

import (
	"fmt"
	"net/netip"
	"strings"
)

// bypassNone: the vault's firewall ignores trusted services (Key Vault's
// default bypass is AzureServices).
func bypassNone(v *Vault) bool {
	return v.NetworkACLs != nil && strings.EqualFold(v.NetworkACLs.Bypass, "None")
}

// VaultDenial is the error Key Vault answers when a decision refuses a
// caller: its innererror code is the Reason, its message Key Vault's own
// words naming caller, action, resource and vault. The Key Vault wire
// renders it; a Key Vault-backed secret scope quotes it inside Databricks'
// PERMISSION_DENIED, as Databricks does. client is the caller's address as
// the vault's listener saw it (firewall denials name it).
func VaultDenial(d Decision, c *Caller, v *Vault, op Operation, client netip.Addr) *Error {
	caller := c.String()
	vault := v.Name + ";location=" + v.Location
	switch d.Reason {
	case "ForbiddenByRbac":
		return Errorf(EFORBIDDEN, "ForbiddenByRbac",
			"Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: %s\r\nAction: '%s'\r\nResource: '%s'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: %s\r\n",
			caller, d.Action, d.Resource, vault)
	case "AccessDenied":
		return Errorf(EFORBIDDEN, "AccessDenied",
			"Access denied. Caller was not found on any access policy.\r\nCaller: appid=%s;oid=%s;numgroups=%d;iss=%s\r\nVault: %s",
			c.AppID, c.ObjectID, len(c.GroupIDs), c.Issuer, vault)
	case "ForbiddenByPolicy":
		return Errorf(EFORBIDDEN, "AccessDenied",
			"The user, group or application '%s' does not have secrets %s permission on key vault '%s'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
			caller, Operations[op].Verb, vault)
	case "ForbiddenByFirewall":
		first := "Client address is not authorized and caller is not a trusted service."
		if bypassNone(v) {
			first = "Client address is not authorized and caller was ignored because bypass is set to None"
		}
		return Errorf(EFORBIDDEN, "ForbiddenByFirewall", "%s\r\nClient address: %s\r\nCaller: %s\r\nVault: %s", first, client, caller, vault)
	case "ForbiddenByConnection":
		first := "Public network access is disabled and request is not from a trusted service nor via an approved private link."
		if bypassNone(v) {
			first = "Connection is not an approved private link and caller was ignored because bypass is not set to 'AzureServices' and PublicNetworkAccess is set to 'Disabled'."
		}
		return Errorf(EFORBIDDEN, "ForbiddenByConnection", "%s\r\nCaller: %s\r\nVault: %s", first, caller, vault)
	}
	return &Error{Code: EFORBIDDEN, Reason: d.Reason, Message: fmt.Sprintf("Caller is not authorized to perform this operation: %s", d.Rule)}
}
