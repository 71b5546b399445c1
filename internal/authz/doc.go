// Package authz turns role assignments and access policies into
// scopevault.Decisions. It owns the built-in and custom role definitions and
// the role assignments, stored under the authz/ prefix through the barrier,
// and evaluates them the way Azure RBAC and Key Vault access policies do.
//
// Every decision carries the rule that decided it, so the 403 message, explain
// and the audit log render the same value.
//
// It must not import net/http or any wire package (internal/arm,
// internal/keyvault, internal/databricks, ...): wire packages call it.
package authz
