package cli

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
)

// The checks loading runs on each kind: required fields, values, and
// references to resources declared in the file. Each error names a line.

// required fails on the first empty field among name/value pairs.
func specRequired(r *resource, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return errAt(r.Line, "%s: the field %q is required", r.Kind, pairs[i])
		}
	}
	return nil
}

// oneOf checks an optional enumerated value (case-insensitive).
func specOneOf(r *resource, field, v string, path []string, allowed ...string) error {
	if v == "" || slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, v) }) {
		return nil
	}
	return errAt(r.fieldLine(path...), "%s: %s %q is not one of %s", r.Kind, field, v, strings.Join(allowed, ", "))
}

// find is the declared resource of a kind with a name, or nil.
func (f *applyFile) find(kind, name string) *resource {
	for _, r := range f.Resources {
		if r.Kind == kind && strings.EqualFold(r.Spec.id(), name) {
			return r
		}
	}
	return nil
}

// ref checks that a reference names a declared resource of a kind.
func (f *applyFile) ref(r *resource, field string, path []string, kind, name string) (*resource, error) {
	if t := f.find(kind, name); t != nil {
		return t, nil
	}
	return nil, errAt(r.fieldLine(path...), "%s: %s %q names no %s declared in this file", r.Kind, field, name, kind)
}

// subnetRef checks a "VNET/SUBNET" reference.
func (f *applyFile) subnetRef(r *resource, field string, path []string, ref string) error {
	vnet, subnet, ok := strings.Cut(ref, "/")
	if !ok || vnet == "" || subnet == "" {
		return errAt(r.fieldLine(path...), "%s: %s %q: want VNET/SUBNET", r.Kind, field, ref)
	}
	t, err := f.ref(r, field, path, "VirtualNetwork", vnet)
	if err != nil {
		return err
	}
	for _, s := range t.Spec.(*vnetSpec).Subnets {
		if strings.EqualFold(s.Name, subnet) {
			return nil
		}
	}
	return errAt(r.fieldLine(path...), "%s: %s %q: the virtual network %s (line %d) has no subnet %q", r.Kind, field, ref, vnet, t.Line, subnet)
}

// groupOf and locationOf apply the file's defaults.
func (f *applyFile) groupOf(g string) string {
	if g != "" {
		return g
	}
	return f.Group
}

func (f *applyFile) locationOf(l string) string {
	if l != "" {
		return l
	}
	return f.Location
}

// needGroup checks that a resource has a resource group, its own or the
// file's default, and that it is declared.
func (f *applyFile) needGroup(r *resource, g string) error {
	g = f.groupOf(g)
	if g == "" {
		return errAt(r.Line, "%s: no group: here and no default group: at the top of the file", r.Kind)
	}
	_, err := f.ref(r, "group", []string{"group"}, "ResourceGroup", g)
	return err
}

func (s *groupSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "name", s.Name); err != nil {
		return err
	}
	if f.locationOf(s.Location) == "" {
		return errAt(r.Line, "ResourceGroup: no location: here and no default location: at the top of the file")
	}
	return nil
}

func (s *userSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "userPrincipalName", s.UserPrincipalName); err != nil {
		return err
	}
	if !strings.Contains(s.UserPrincipalName, "@") {
		return errAt(r.fieldLine("userPrincipalName"), "User: userPrincipalName %q must be name@domain", s.UserPrincipalName)
	}
	if s.PasswordFrom == nil {
		return errAt(r.Line, "User: the field \"passwordFrom\" is required (env: NAME or file: PATH)")
	}
	return nil
}

func (u *userSpec) resolve(r *resource, env func(string) (string, bool)) error {
	v, err := u.PasswordFrom.read(r, []string{"passwordFrom"}, env)
	u.password = v
	return err
}

func (s *spSpec) check(f *applyFile, r *resource) error {
	return specRequired(r, "displayName", s.DisplayName)
}

func (s *adGroupSpec) check(f *applyFile, r *resource) error {
	return specRequired(r, "displayName", s.DisplayName)
}

func (s *vnetSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "name", s.Name); err != nil {
		return err
	}
	if err := f.needGroup(r, s.Group); err != nil {
		return err
	}
	if len(s.AddressPrefixes) == 0 {
		return errAt(r.Line, "VirtualNetwork: the field \"addressPrefixes\" is required")
	}
	var spaces []netip.Prefix
	for _, p := range s.AddressPrefixes {
		pp, err := netip.ParsePrefix(p)
		if err != nil {
			return errAt(r.fieldLine("addressPrefixes"), "VirtualNetwork: address prefix %q is not a CIDR prefix", p)
		}
		spaces = append(spaces, pp)
	}
	names := map[string]bool{}
	for i, sn := range s.Subnets {
		line := r.itemLine(i, "subnets")
		if sn.Name == "" || sn.AddressPrefix == "" {
			return errAt(line, "VirtualNetwork %s: every subnet needs name and addressPrefix", s.Name)
		}
		if names[strings.ToLower(sn.Name)] {
			return errAt(line, "VirtualNetwork %s: subnet %s is declared twice", s.Name, sn.Name)
		}
		names[strings.ToLower(sn.Name)] = true
		pp, err := netip.ParsePrefix(sn.AddressPrefix)
		if err != nil {
			return errAt(line, "VirtualNetwork %s: subnet %s: %q is not a CIDR prefix", s.Name, sn.Name, sn.AddressPrefix)
		}
		if !slices.ContainsFunc(spaces, func(sp netip.Prefix) bool { return sp.Bits() <= pp.Bits() && sp.Contains(pp.Addr()) }) {
			return errAt(line, "VirtualNetwork %s: subnet %s (%s) is outside the address space %s", s.Name, sn.Name, sn.AddressPrefix, strings.Join(s.AddressPrefixes, ", "))
		}
	}
	return nil
}

func (s *zoneSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "name", s.Name); err != nil {
		return err
	}
	if err := f.needGroup(r, s.Group); err != nil {
		return err
	}
	for i, l := range s.Links {
		if l.Name == "" || l.VNet == "" {
			return errAt(r.itemLine(i, "links"), "PrivateDnsZone %s: every link needs name and vnet", s.Name)
		}
		if _, err := f.ref(r, "links vnet", []string{"links"}, "VirtualNetwork", l.VNet); err != nil {
			return err
		}
	}
	return nil
}

func (s *workspaceSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "name", s.Name); err != nil {
		return err
	}
	if err := f.needGroup(r, s.Group); err != nil {
		return err
	}
	if err := specOneOf(r, "sku", s.SKU, []string{"sku"}, "standard", "premium", "trial"); err != nil {
		return err
	}
	if s.VNet == "" {
		if s.PublicSubnet != "" || s.PrivateSubnet != "" {
			return errAt(r.Line, "Workspace %s: publicSubnet and privateSubnet need vnet", s.Name)
		}
		return nil
	}
	if s.PublicSubnet == "" || s.PrivateSubnet == "" {
		return errAt(r.fieldLine("vnet"), "Workspace %s: VNet injection needs publicSubnet and privateSubnet", s.Name)
	}
	if err := f.subnetRef(r, "publicSubnet", []string{"publicSubnet"}, s.VNet+"/"+s.PublicSubnet); err != nil {
		return err
	}
	return f.subnetRef(r, "privateSubnet", []string{"privateSubnet"}, s.VNet+"/"+s.PrivateSubnet)
}

func (s *vaultSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "name", s.Name); err != nil {
		return err
	}
	if !vaultNameRE.MatchString(s.Name) {
		return errAt(r.fieldLine("name"), "Vault: %q is not a valid vault name (3-24 letters, digits and dashes, starting with a letter)", s.Name)
	}
	if err := f.needGroup(r, s.Group); err != nil {
		return err
	}
	if err := specOneOf(r, "sku", s.SKU, []string{"sku"}, "standard", "premium"); err != nil {
		return err
	}
	if err := specOneOf(r, "publicNetworkAccess", s.PublicNetworkAccess, []string{"publicNetworkAccess"}, "Enabled", "Disabled"); err != nil {
		return err
	}
	if d := s.SoftDeleteRetentionDays; d != nil && (*d < 7 || *d > 90) {
		return errAt(r.fieldLine("softDeleteRetentionDays"), "Vault: softDeleteRetentionDays must be 7 to 90")
	}
	if n := s.NetworkAcls; n != nil {
		if err := specOneOf(r, "networkAcls.defaultAction", n.DefaultAction, []string{"networkAcls", "defaultAction"}, "Allow", "Deny"); err != nil {
			return err
		}
		if err := specOneOf(r, "networkAcls.bypass", n.Bypass, []string{"networkAcls", "bypass"}, "AzureServices", "None"); err != nil {
			return err
		}
		for i, ip := range n.IPRules {
			if _, err := ipPrefix(ip); err != nil {
				return errAt(r.itemLine(i, "networkAcls", "ipRules"), "Vault %s: ipRule %q is not an IPv4 address or CIDR range", s.Name, ip)
			}
		}
		for _, sn := range n.VirtualNetworkRules {
			if err := f.subnetRef(r, "networkAcls.virtualNetworkRules", []string{"networkAcls", "virtualNetworkRules"}, sn); err != nil {
				return err
			}
		}
	}
	for i, p := range s.AccessPolicies {
		if p.Assignee == "" {
			return errAt(r.itemLine(i, "accessPolicies"), "Vault %s: every access policy needs an assignee", s.Name)
		}
		if _, err := checkPermissions("secret-permissions", p.Secrets); err != nil {
			return errAt(r.itemLine(i, "accessPolicies"), "Vault %s: %v", s.Name, err)
		}
	}
	return nil
}

func (s *peSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "name", s.Name, "subnet", s.Subnet, "vault", s.Vault); err != nil {
		return err
	}
	if err := f.needGroup(r, s.Group); err != nil {
		return err
	}
	if err := f.subnetRef(r, "subnet", []string{"subnet"}, s.Subnet); err != nil {
		return err
	}
	if _, err := f.ref(r, "vault", []string{"vault"}, "Vault", s.Vault); err != nil {
		return err
	}
	if g := s.DNSZoneGroup; g != nil {
		if len(g.Zones) == 0 {
			return errAt(r.fieldLine("dnsZoneGroup"), "PrivateEndpoint %s: dnsZoneGroup needs zones", s.Name)
		}
		for _, z := range g.Zones {
			if _, err := f.ref(r, "dnsZoneGroup zone", []string{"dnsZoneGroup", "zones"}, "PrivateDnsZone", z); err != nil {
				return err
			}
		}
	}
	return nil
}

// roleScopeKinds are the short forms of a role assignment's scope.
var roleScopeKinds = map[string]string{"vault": "Vault", "group": "ResourceGroup", "workspace": "Workspace", "vnet": "VirtualNetwork"}

func (s *roleSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "role", s.Role, "assignee", s.Assignee, "scope", s.Scope); err != nil {
		return err
	}
	if s.Scope == "subscription" || strings.HasPrefix(s.Scope, "/") {
		return nil
	}
	kind, name, _ := strings.Cut(s.Scope, "/")
	k, ok := roleScopeKinds[kind]
	if !ok || name == "" {
		return errAt(r.fieldLine("scope"), "RoleAssignment: scope %q: want vault/NAME, group/NAME, workspace/NAME, vnet/NAME, subscription or a resource id", s.Scope)
	}
	_, err := f.ref(r, "scope", []string{"scope"}, k, name)
	return err
}

func (s *secretSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "vault", s.Vault, "name", s.Name); err != nil {
		return err
	}
	if !secretNameRE.MatchString(s.Name) {
		return errAt(r.fieldLine("name"), "Secret: %q is not a valid secret name (1-127 letters, digits and dashes)", s.Name)
	}
	if _, err := f.ref(r, "vault", []string{"vault"}, "Vault", s.Vault); err != nil {
		return err
	}
	if (s.Value == nil) == (s.ValueFrom == nil) {
		return errAt(r.Line, "Secret %s: give exactly one of valueFrom (env: NAME or file: PATH) and value", s.id())
	}
	return nil
}

var secretNameRE = regexp.MustCompile(`^[0-9a-zA-Z-]{1,127}$`)

func (s *secretSpec) resolve(r *resource, env func(string) (string, bool)) error {
	if s.Value != nil {
		s.value = *s.Value
		return nil
	}
	v, err := s.ValueFrom.read(r, []string{"valueFrom"}, env)
	s.value = v
	return err
}

// read returns the value a valueSource names. The value itself never
// appears in an error.
func (v *valueSource) read(r *resource, path []string, env func(string) (string, bool)) (string, error) {
	line := r.fieldLine(path...)
	switch {
	case (v.Env == "") == (v.File == ""):
		return "", errAt(line, "%s %s: want exactly one of env: NAME and file: PATH", r.Kind, r.Spec.id())
	case v.Env != "":
		val, ok := env(v.Env)
		if !ok {
			return "", errAt(line, "%s %s: the environment variable %s is not set", r.Kind, r.Spec.id(), v.Env)
		}
		return val, nil
	}
	fh, err := os.Open(v.File)
	if err != nil {
		return "", errAt(line, "%s %s: read %s: %v", r.Kind, r.Spec.id(), v.File, errors.Unwrap(err))
	}
	defer fh.Close()
	raw, err := io.ReadAll(io.LimitReader(fh, maxValueFile+1))
	switch {
	case err != nil:
		return "", errAt(line, "%s %s: read %s: %v", r.Kind, r.Spec.id(), v.File, errors.Unwrap(err))
	case len(raw) > maxValueFile:
		return "", errAt(line, "%s %s: %s is larger than Key Vault's 25 KiB limit for a secret", r.Kind, r.Spec.id(), v.File)
	}
	return string(raw), nil
}

// maxValueFile bounds what valueFrom.file reads: Key Vault's limit for a
// secret value.
const maxValueFile = 25 << 10

func (s *scopeSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "workspace", s.Workspace, "name", s.Name); err != nil {
		return err
	}
	if _, err := f.ref(r, "workspace", []string{"workspace"}, "Workspace", s.Workspace); err != nil {
		return err
	}
	switch strings.ToUpper(s.Backend) {
	case "", "DATABRICKS":
		if s.Vault != "" {
			return errAt(r.fieldLine("vault"), "SecretScope %s: vault needs backend: AZURE_KEYVAULT", s.Name)
		}
	case "AZURE_KEYVAULT":
		if s.Vault == "" {
			return errAt(r.Line, "SecretScope %s: backend AZURE_KEYVAULT needs vault", s.Name)
		}
		if _, err := f.ref(r, "vault", []string{"vault"}, "Vault", s.Vault); err != nil {
			return err
		}
	default:
		return errAt(r.fieldLine("backend"), "SecretScope %s: backend %q is not DATABRICKS or AZURE_KEYVAULT", s.Name, s.Backend)
	}
	return nil
}

func (s *aclSpec) check(f *applyFile, r *resource) error {
	if err := specRequired(r, "workspace", s.Workspace, "scope", s.Scope, "principal", s.Principal, "permission", s.Permission); err != nil {
		return err
	}
	if _, err := f.ref(r, "scope", []string{"scope"}, "SecretScope", s.Workspace+"/"+s.Scope); err != nil {
		return err
	}
	return specOneOf(r, "permission", s.Permission, []string{"permission"}, "READ", "WRITE", "MANAGE")
}
