package scopevault

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Workspace is an Azure Databricks workspace: its ARM properties and what its
// workspace API needs to serve it.
type Workspace struct {
	Name           string            `json:"name"` // as created; compared case-insensitively
	SubscriptionID string            `json:"subscriptionId"`
	ResourceGroup  string            `json:"resourceGroup"`
	Location       string            `json:"location"`
	TenantID       string            `json:"tenantId"`
	Tags           map[string]string `json:"tags,omitempty"`
	SKU            string            `json:"sku"` // standard | premium | trial

	// WorkspaceID is the numeric id Azure gives (adb-<WorkspaceID>.<n>.azuredatabricks.net).
	WorkspaceID            int64  `json:"workspaceId"`
	ManagedResourceGroupID string `json:"managedResourceGroupId"`
	ComputeMode            string `json:"computeMode,omitempty"` // Hybrid | Serverless
	PublicNetworkAccess    string `json:"publicNetworkAccess,omitempty"`
	RequiredNsgRules       string `json:"requiredNsgRules,omitempty"`
	// Parameters are the custom parameters (VNet injection and others) as
	// sent, {"name": {"value": ...}}; the network issue validates them.
	Parameters map[string]json.RawMessage `json:"parameters,omitempty"`

	// Address is the loopback IPv4 address the workspace API listens on: its
	// no-setup URL is https://<Address>:<port>/.
	Address   string `json:"address"`
	CreatedBy string `json:"createdBy,omitempty"` // object id of the creator
	// CreatedByApp, UpdatedBy and UpdatedByApp complete ARM's createdBy and
	// updatedBy: the application ids the token came from, the last writer.
	CreatedByApp string    `json:"createdByApp,omitempty"`
	UpdatedBy    string    `json:"updatedBy,omitempty"`
	UpdatedByApp string    `json:"updatedByApp,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// ResourceID is the workspace's ARM id.
func (w *Workspace) ResourceID() string {
	return "/subscriptions/" + w.SubscriptionID + "/resourceGroups/" + w.ResourceGroup +
		"/providers/Microsoft.Databricks/workspaces/" + w.Name
}

// Premium reports whether the workspace has the Premium features secret
// ACLs need (premium and trial SKUs do; standard does not).
func (w *Workspace) Premium() bool { return !strings.EqualFold(w.SKU, "standard") }

// RealHost is the workspace's Azure host name, adb-<id>.<n>.azuredatabricks.net.
func (w *Workspace) RealHost() string {
	return "adb-" + strconv.FormatInt(w.WorkspaceID, 10) + "." + strconv.FormatInt(w.WorkspaceID%20, 10) + WorkspaceSuffix
}

// WorkspaceSuffix is the DNS suffix of real workspace host names.
const WorkspaceSuffix = ".azuredatabricks.net"

// WorkspaceIDFromHost returns the workspace id of an
// "adb-<id>.<n>.azuredatabricks.net[:port]" host.
func WorkspaceIDFromHost(host string) (int64, bool) {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	rest, ok := strings.CutSuffix(h, WorkspaceSuffix)
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutPrefix(rest, "adb-")
	if !ok {
		return 0, false
	}
	idPart, _, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

var workspaceNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{1,62}[a-zA-Z0-9]$`)

// ValidWorkspaceName reports whether name is a legal workspace name: 3-64
// characters, alphanumerics, hyphens and underscores, starting and ending
// with an alphanumeric.
func ValidWorkspaceName(name string) bool { return workspaceNameRE.MatchString(name) }

// WorkspaceKey is the case-insensitive identity of a workspace name.
func WorkspaceKey(name string) string { return strings.ToLower(name) }

// ScopeBackend is where a secret scope keeps its secrets.
type ScopeBackend string

const (
	BackendDatabricks    ScopeBackend = "DATABRICKS"
	BackendAzureKeyVault ScopeBackend = "AZURE_KEYVAULT"
)

// KeyVaultMetadata names the vault behind an AZURE_KEYVAULT scope.
type KeyVaultMetadata struct {
	ResourceID string `json:"resource_id"`
	DNSName    string `json:"dns_name"`
}

// SecretScope is a Databricks secret scope.
type SecretScope struct {
	Name      string            `json:"name"` // first-written casing; compared case-insensitively
	Backend   ScopeBackend      `json:"backend_type"`
	KeyVault  *KeyVaultMetadata `json:"keyvault_metadata,omitempty"`
	CreatedBy string            `json:"createdBy,omitempty"` // workspace principal name
	Created   time.Time         `json:"created"`
}

// ScopeKey is the case-insensitive identity of a scope or scope secret name.
func ScopeKey(name string) string { return strings.ToLower(name) }

// ScopePermission is a secret ACL level: MANAGE ⊇ WRITE ⊇ READ.
type ScopePermission string

const (
	PermRead   ScopePermission = "READ"
	PermWrite  ScopePermission = "WRITE"
	PermManage ScopePermission = "MANAGE"
)

// Level orders permissions (READ 1 < WRITE 2 < MANAGE 3; anything else 0).
func (p ScopePermission) Level() int {
	switch p {
	case PermRead:
		return 1
	case PermWrite:
		return 2
	case PermManage:
		return 3
	}
	return 0
}

// ScopeACL is one ACL entry of a scope.
type ScopeACL struct {
	Principal  string          `json:"principal"`
	Permission ScopePermission `json:"permission"`
}

// WorkspacePrincipalKind is what a workspace identity is.
type WorkspacePrincipalKind string

const (
	WorkspaceUser             WorkspacePrincipalKind = "User"
	WorkspaceServicePrincipal WorkspacePrincipalKind = "ServicePrincipal"
	WorkspaceGroup            WorkspacePrincipalKind = "Group"
)

// Built-in workspace groups.
const (
	GroupAdmins = "admins"
	GroupUsers  = "users"
)

// WorkspacePrincipal is a user, service principal or group of a workspace.
type WorkspacePrincipal struct {
	ID   string                 `json:"id"` // numeric string, as SCIM gives it
	Kind WorkspacePrincipalKind `json:"kind"`
	// Name is how ACLs name it: a user's userName (email/UPN), a service
	// principal's application id, a group's display name.
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	// EntraObjectID links a user or service principal to its directory object.
	EntraObjectID string `json:"entraObjectId,omitempty"`
	Active        bool   `json:"active"`
	// Members are the ids of a group's direct members.
	Members []string  `json:"members,omitempty"`
	Created time.Time `json:"created"`
}

// PersonalAccessToken is a workspace PAT; only the token's hash is kept.
type PersonalAccessToken struct {
	ID          string     `json:"id"`
	PrincipalID string     `json:"principalId"`
	Comment     string     `json:"comment,omitempty"`
	Hash        string     `json:"hash"`
	Created     time.Time  `json:"created"`
	Expires     *time.Time `json:"expires,omitempty"` // nil: never
}

// WorkspaceCaller is the authenticated caller of a workspace API request.
type WorkspaceCaller struct {
	Workspace *Workspace
	Principal *WorkspacePrincipal
	// Groups are the names of every group the principal belongs to
	// (transitively), the implicit "users" included.
	Groups []string
	Admin  bool
	// Entra is the directory caller when the request carried an Entra ID
	// token; nil when it carried a personal access token.
	Entra *Caller
	// TokenID is the personal access token's id when one was used.
	TokenID string
}
