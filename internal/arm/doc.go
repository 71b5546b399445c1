// Package arm is the Azure Resource Manager wire: subscriptions, resource
// groups, Key Vault vaults (with their private endpoint connections), role
// assignments, role definitions (built-in and custom), user-assigned managed
// identities, Databricks workspaces and the network (virtual networks,
// subnets, private endpoints, private DNS zones), plus the Microsoft
// Graph directory calls `az` and tests need (users, groups and membership,
// service principals and their secrets, directory objects, and
// scopevault's managed identities) under /v1.0/.
//
// Every request passes one pipeline (handler.go): authenticate (a bearer token
// for ARM's or Graph's audience), check api-version, resolve the operation
// (ops.go maps each operation to the one action it needs), check the
// subscription and its tenant, authorize, operate. Failures are
// *scopevault.Error values rendered in errors.go, the only place that writes
// an error body.
//
// It imports the domain and the services it fronts (internal/rm,
// internal/secrets, internal/authz, internal/identity); it must never import
// another wire package (internal/keyvault, internal/entra, internal/databricks).
package arm
