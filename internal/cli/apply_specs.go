package cli

// The kinds' fields: their yaml tags are the names a file uses
// (apply_checks.go checks them; docs/walkthrough.md lists them).

type groupSpec struct {
	Name     string `yaml:"name"`
	Location string `yaml:"location"`
}

type userSpec struct {
	UserPrincipalName string       `yaml:"userPrincipalName"`
	DisplayName       string       `yaml:"displayName"`
	PasswordFrom      *valueSource `yaml:"passwordFrom"`
	password          string
}

type spSpec struct {
	DisplayName string `yaml:"displayName"`
}

type adGroupSpec struct {
	DisplayName string   `yaml:"displayName"`
	Members     []string `yaml:"members"`
}

type vnetSpec struct {
	Name            string       `yaml:"name"`
	Group           string       `yaml:"group"`
	Location        string       `yaml:"location"`
	AddressPrefixes []string     `yaml:"addressPrefixes"`
	Subnets         []subnetSpec `yaml:"subnets"`
}

type subnetSpec struct {
	Name             string   `yaml:"name"`
	AddressPrefix    string   `yaml:"addressPrefix"`
	ServiceEndpoints []string `yaml:"serviceEndpoints"`
	Delegations      []string `yaml:"delegations"`
}

type zoneSpec struct {
	Name  string     `yaml:"name"`
	Group string     `yaml:"group"`
	Links []linkSpec `yaml:"links"`
}

type linkSpec struct {
	Name                string `yaml:"name"`
	VNet                string `yaml:"vnet"`
	RegistrationEnabled bool   `yaml:"registrationEnabled"`
}

type workspaceSpec struct {
	Name                 string `yaml:"name"`
	Group                string `yaml:"group"`
	Location             string `yaml:"location"`
	SKU                  string `yaml:"sku"`
	VNet                 string `yaml:"vnet"`
	PublicSubnet         string `yaml:"publicSubnet"`
	PrivateSubnet        string `yaml:"privateSubnet"`
	ManagedResourceGroup string `yaml:"managedResourceGroup"`
}

type vaultSpec struct {
	Name                    string         `yaml:"name"`
	Group                   string         `yaml:"group"`
	Location                string         `yaml:"location"`
	SKU                     string         `yaml:"sku"`
	RBAC                    *bool          `yaml:"rbac"`
	SoftDeleteRetentionDays *int           `yaml:"softDeleteRetentionDays"`
	PurgeProtection         *bool          `yaml:"purgeProtection"`
	PublicNetworkAccess     string         `yaml:"publicNetworkAccess"`
	NetworkAcls             *networkSpec   `yaml:"networkAcls"`
	AccessPolicies          []policySpecKV `yaml:"accessPolicies"`
}

type networkSpec struct {
	DefaultAction       string   `yaml:"defaultAction"`
	Bypass              string   `yaml:"bypass"`
	IPRules             []string `yaml:"ipRules"`
	VirtualNetworkRules []string `yaml:"virtualNetworkRules"`
}

type policySpecKV struct {
	Assignee string   `yaml:"assignee"`
	Secrets  []string `yaml:"secrets"`
}

type peSpec struct {
	Name           string         `yaml:"name"`
	Group          string         `yaml:"group"`
	Location       string         `yaml:"location"`
	Subnet         string         `yaml:"subnet"`
	Vault          string         `yaml:"vault"`
	Manual         bool           `yaml:"manual"`
	Approve        bool           `yaml:"approve"`
	RequestMessage string         `yaml:"requestMessage"`
	DNSZoneGroup   *zoneGroupSpec `yaml:"dnsZoneGroup"`
}

type zoneGroupSpec struct {
	Name  string   `yaml:"name"`
	Zones []string `yaml:"zones"`
}

type roleSpec struct {
	Role     string `yaml:"role"`
	Assignee string `yaml:"assignee"`
	Scope    string `yaml:"scope"`
}

type secretSpec struct {
	Vault       string       `yaml:"vault"`
	Name        string       `yaml:"name"`
	Value       *string      `yaml:"value"`
	ValueFrom   *valueSource `yaml:"valueFrom"`
	ContentType string       `yaml:"contentType"`
	value       string
}

// valueSource is where a secret's value comes from: an environment
// variable or a file, so that it is never written in the file itself.
type valueSource struct {
	Env  string `yaml:"env"`
	File string `yaml:"file"`
}

type scopeSpec struct {
	Workspace              string `yaml:"workspace"`
	Name                   string `yaml:"name"`
	Backend                string `yaml:"backend"`
	Vault                  string `yaml:"vault"`
	InitialManagePrincipal string `yaml:"initialManagePrincipal"`
}

type aclSpec struct {
	Workspace  string `yaml:"workspace"`
	Scope      string `yaml:"scope"`
	Principal  string `yaml:"principal"`
	Permission string `yaml:"permission"`
}

func (s *groupSpec) id() string     { return s.Name }
func (s *userSpec) id() string      { return s.UserPrincipalName }
func (s *spSpec) id() string        { return s.DisplayName }
func (s *adGroupSpec) id() string   { return s.DisplayName }
func (s *vnetSpec) id() string      { return s.Name }
func (s *zoneSpec) id() string      { return s.Name }
func (s *workspaceSpec) id() string { return s.Name }
func (s *vaultSpec) id() string     { return s.Name }
func (s *peSpec) id() string        { return s.Name }
func (s *roleSpec) id() string      { return s.Role + " for " + s.Assignee + " on " + s.Scope }
func (s *secretSpec) id() string    { return s.Vault + "/" + s.Name }
func (s *scopeSpec) id() string     { return s.Workspace + "/" + s.Name }
func (s *aclSpec) id() string       { return s.Workspace + "/" + s.Scope + "/" + s.Principal }
