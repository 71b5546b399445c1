package databricks

import "github.com/scopevault/scopevault"

// The identity side of the workspace API lives in tokens.go (Tokens API,
// the well-known configuration, telemetry), scim.go (Me, Users,
// ServicePrincipals, Groups) and scim_filter.go (SCIM filters).

// errNotBuilt answers an operation still being written.
func errNotBuilt(req *request) error {
	return scopevault.Errorf(scopevault.EINVALID, "NOT_IMPLEMENTED", "%s is not implemented yet.", req.op)
}
