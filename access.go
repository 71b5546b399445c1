package scopevault

import "time"

// Operation names one data-plane or management operation. Each maps to exactly
// one RBAC action and, for vault data, one access-policy permission (see Operations).
type Operation string

const (
	OpGetSecret            Operation = "keyvault.GetSecret"
	OpSetSecret            Operation = "keyvault.SetSecret"
	OpUpdateSecret         Operation = "keyvault.UpdateSecret"
	OpDeleteSecret         Operation = "keyvault.DeleteSecret"
	OpListSecrets          Operation = "keyvault.ListSecrets"
	OpListSecretVersions   Operation = "keyvault.ListSecretVersions"
	OpListDeletedSecrets   Operation = "keyvault.ListDeletedSecrets"
	OpGetDeletedSecret     Operation = "keyvault.GetDeletedSecret"
	OpRecoverDeletedSecret Operation = "keyvault.RecoverDeletedSecret"
	OpPurgeDeletedSecret   Operation = "keyvault.PurgeDeletedSecret"
	OpBackupSecret         Operation = "keyvault.BackupSecret"
	OpRestoreSecret        Operation = "keyvault.RestoreSecret"
)

// OperationSpec is what authorization needs to know about an operation.
type OperationSpec struct {
	// Action is the RBAC action (a dataAction for data-plane operations).
	Action string
	// DataAction is true when Action is checked against dataActions.
	DataAction bool
	// Permission is the access-policy secret permission verb.
	Permission string
	// Verb is the word Key Vault uses in messages ("get", "list", ...).
	Verb string
}

// Operations is the single table mapping operations to actions and permissions.
var Operations = map[Operation]OperationSpec{
	OpGetSecret:            {Action: "Microsoft.KeyVault/vaults/secrets/getSecret/action", DataAction: true, Permission: "get", Verb: "get"},
	OpSetSecret:            {Action: "Microsoft.KeyVault/vaults/secrets/setSecret/action", DataAction: true, Permission: "set", Verb: "set"},
	OpUpdateSecret:         {Action: "Microsoft.KeyVault/vaults/secrets/update/action", DataAction: true, Permission: "set", Verb: "set"},
	OpDeleteSecret:         {Action: "Microsoft.KeyVault/vaults/secrets/delete", DataAction: true, Permission: "delete", Verb: "delete"},
	OpListSecrets:          {Action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action", DataAction: true, Permission: "list", Verb: "list"},
	OpListSecretVersions:   {Action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action", DataAction: true, Permission: "list", Verb: "list"},
	OpListDeletedSecrets:   {Action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action", DataAction: true, Permission: "list", Verb: "list"},
	OpGetDeletedSecret:     {Action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action", DataAction: true, Permission: "list", Verb: "list"},
	OpRecoverDeletedSecret: {Action: "Microsoft.KeyVault/vaults/secrets/recover/action", DataAction: true, Permission: "recover", Verb: "recover"},
	OpPurgeDeletedSecret:   {Action: "Microsoft.KeyVault/vaults/secrets/purge/action", DataAction: true, Permission: "purge", Verb: "purge"},
	OpBackupSecret:         {Action: "Microsoft.KeyVault/vaults/secrets/backup/action", DataAction: true, Permission: "backup", Verb: "backup"},
	OpRestoreSecret:        {Action: "Microsoft.KeyVault/vaults/secrets/restore/action", DataAction: true, Permission: "restore", Verb: "restore"},
}

// RoleDefinition is an Azure role: built-in or custom.
type RoleDefinition struct {
	ID               string       `json:"id"` // GUID
	RoleName         string       `json:"roleName"`
	Description      string       `json:"description,omitempty"`
	BuiltIn          bool         `json:"builtIn"`
	AssignableScopes []string     `json:"assignableScopes"`
	Permissions      []Permission `json:"permissions"`
}

// Permission is one permission block of a role; notActions subtract only within their block.
type Permission struct {
	Actions        []string `json:"actions"`
	NotActions     []string `json:"notActions"`
	DataActions    []string `json:"dataActions"`
	NotDataActions []string `json:"notDataActions"`
}

// RoleAssignment grants a role to a principal at a scope.
type RoleAssignment struct {
	Name             string        `json:"name"`             // GUID
	Scope            string        `json:"scope"`            // ARM scope, as given
	RoleDefinitionID string        `json:"roleDefinitionId"` // role GUID
	PrincipalID      string        `json:"principalId"`
	PrincipalType    PrincipalKind `json:"principalType"`
	Description      string        `json:"description,omitempty"`
	Created          time.Time     `json:"createdOn"`
	CreatedBy        string        `json:"createdBy,omitempty"`
	// Seeded marks the grants the server makes for itself before serving
	// anyone (the bootstrap admin's): they take effect at once, whatever the
	// propagation delay, so a delay never locks the admin out.
	Seeded bool `json:"seeded,omitempty"`
}

// Decision is the outcome of an access check, carrying the rule that decided it,
// so a 403 message, explain and the audit log all render the same value.
type Decision struct {
	Allowed bool
	// Model is "rbac" or "accesspolicy" (or "network" for the network gate).
	Model string
	// Rule names what decided: the granting assignment, the access policy, or why none matched.
	Rule string
	// AssignmentID is the granting role assignment (RBAC allows).
	AssignmentID string
	// Reason is the vendor-neutral denial reason: "ForbiddenByRbac", "AccessDenied", "ForbiddenByPolicy".
	Reason string
	// Action echoes what was checked. Resource is the resource as a denial
	// message names it; data-plane decisions set it only when they deny.
	Action   string
	Resource string
}
