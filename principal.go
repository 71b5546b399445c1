package scopevault

import "time"

// AzureDatabricksAppID is the application id of the first-party AzureDatabricks
// application. Every tenant holds a service principal for it: it is the caller
// a Key Vault-backed secret scope reads the vault as.
const AzureDatabricksAppID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

// KeyVaultAppID is the first-party Key Vault application; tokens may carry it as aud.
const KeyVaultAppID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"

// PrincipalKind is what a directory object is.
type PrincipalKind string

const (
	KindUser             PrincipalKind = "User"
	KindGroup            PrincipalKind = "Group"
	KindServicePrincipal PrincipalKind = "ServicePrincipal"
	KindManagedIdentity  PrincipalKind = "ManagedIdentity"
)

// Tenant is a directory.
type Tenant struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	Created     time.Time `json:"created"`
}

// Principal is a directory object that can hold roles: a user, group,
// service principal or managed identity.
type Principal struct {
	TenantID    string        `json:"tenantId"`
	ObjectID    string        `json:"objectId"`
	Kind        PrincipalKind `json:"kind"`
	DisplayName string        `json:"displayName"`
	// AppID is the application (client) id of service principals and managed identities.
	AppID string `json:"appId,omitempty"`
	// UserPrincipalName is set for users.
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	// MailNickname is the mail alias of a user or group, when one was given.
	MailNickname string `json:"mailNickname,omitempty"`
	// Members holds the object ids of a group's direct members.
	Members []string `json:"members,omitempty"`
	// Credentials are client secrets (service principals) or passwords (users),
	// stored only as hashes.
	Credentials []Credential `json:"credentials,omitempty"`
	// FirstParty marks Microsoft-owned applications such as AzureDatabricks.
	FirstParty bool `json:"firstParty,omitempty"`
	// DirectoryAdmin may manage the directory (create principals, groups).
	DirectoryAdmin bool      `json:"directoryAdmin,omitempty"`
	Created        time.Time `json:"created"`
}

// Credential is a stored secret of a principal: only its hash is kept.
type Credential struct {
	KeyID       string    `json:"keyId"`
	DisplayName string    `json:"displayName,omitempty"`
	Hint        string    `json:"hint,omitempty"` // first three characters, as Entra shows
	Hash        string    `json:"hash"`           // see internal/identity for the format
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
}

// Caller is the authenticated identity behind a request, taken from a verified token.
type Caller struct {
	TenantID string
	ObjectID string
	AppID    string // appid/azp claim
	Issuer   string
	Kind     PrincipalKind
	// GroupIDs are the groups the caller belongs to (transitively), resolved by the server.
	GroupIDs []string
}

// String is the "appid=..;oid=..;iss=.." form Key Vault uses in messages.
func (c Caller) String() string {
	return "appid=" + c.AppID + ";oid=" + c.ObjectID + ";iss=" + c.Issuer
}
