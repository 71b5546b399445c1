package cli

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The file `scopevault apply` reads. One YAML document:
//
//	location: eastus          # default location of every resource
//	group: rg-seed            # default resource group
//	resources:
//	  - kind: Vault
//	    name: kv-seed
//	    ...
//
// Every resource is a mapping with a kind; the kinds and their fields are
// the spec types below (their yaml tags are the field names). Loading
// checks everything that can be checked without the server: known kinds
// and fields, required fields, values, names unique per kind, and that
// every reference names a resource declared in the file. Each error names
// the line it is about.

// applyFile is a loaded, checked file.
type applyFile struct {
	Name      string
	Location  string
	Group     string
	Resources []*resource
}

// resource is one entry of resources:.
type resource struct {
	Kind string
	Line int
	Spec spec
	node *yaml.Node
}

// spec is one kind's fields.
type spec interface {
	// id is the resource's name, unique within its kind ("kv-seed/db-password").
	id() string
	// check validates the fields and references; f has every resource loaded.
	check(f *applyFile, r *resource) error
}

// kinds maps a kind to a new empty spec, in the order apply works through
// them: each kind comes after everything it may refer to.
var kinds = []struct {
	name string
	new  func() spec
}{
	{"ResourceGroup", func() spec { return &groupSpec{} }},
	{"User", func() spec { return &userSpec{} }},
	{"ServicePrincipal", func() spec { return &spSpec{} }},
	{"Group", func() spec { return &adGroupSpec{} }},
	{"VirtualNetwork", func() spec { return &vnetSpec{} }},
	{"PrivateDnsZone", func() spec { return &zoneSpec{} }},
	{"Workspace", func() spec { return &workspaceSpec{} }},
	{"Vault", func() spec { return &vaultSpec{} }},
	{"PrivateEndpoint", func() spec { return &peSpec{} }},
	{"RoleAssignment", func() spec { return &roleSpec{} }},
	{"Secret", func() spec { return &secretSpec{} }},
	{"SecretScope", func() spec { return &scopeSpec{} }},
	{"ScopeACL", func() spec { return &aclSpec{} }},
}

func kindOrder(kind string) int {
	return slices.IndexFunc(kinds, func(k struct {
		name string
		new  func() spec
	}) bool {
		return k.name == kind
	})
}

func kindNames() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// lineError is a problem at a line of the file.
type lineError struct {
	file string
	line int
	msg  string
}

func (e *lineError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return e.file + ": " + e.msg
}

func errAt(line int, format string, a ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, a...)}
}

// yamlLineRE finds the line yaml.v3 names in its errors.
var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// loadApplyFile reads and checks a file.
func loadApplyFile(path string, env func(string) (string, bool)) (*applyFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseApplyFile(path, raw, env)
}

// parseApplyFile parses and checks a file's contents. env looks up the
// variables valueFrom.env names; a file's values are read from disk.
func parseApplyFile(name string, raw []byte, env func(string) (string, bool)) (f *applyFile, err error) {
	defer func() {
		var le *lineError
		if errors.As(err, &le) && le.file == "" {
			le.file = name
		}
	}()
	// A tab in indentation is refused here, at its own line (yaml.v3
	// names the line before it).
	for i, line := range strings.Split(string(raw), "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if strings.Contains(indent, "\t") {
			return nil, errAt(i+1, "a tab in the indentation: YAML indents with spaces")
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errAt(0, "the file is empty: want a mapping with resources:")
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errAt(top.Line, "want a mapping with location:, group: and resources:")
	}
	f = &applyFile{Name: name}
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "location", "group":
			if v.Kind != yaml.ScalarNode {
				return nil, errAt(v.Line, "%s: want a string", k.Value)
			}
			if k.Value == "location" {
				f.Location = v.Value
			} else {
				f.Group = v.Value
			}
		case "resources":
			if v.Kind != yaml.SequenceNode {
				return nil, errAt(v.Line, "resources: want a list of resources")
			}
			list = v
		default:
			return nil, errAt(k.Line, "unknown field %q (want location, group, resources)", k.Value)
		}
	}
	if list == nil {
		return nil, errAt(top.Line, "no resources: list")
	}
	for _, n := range list.Content {
		r, err := loadResource(n)
		if err != nil {
			return nil, err
		}
		f.Resources = append(f.Resources, r)
	}
	seen := map[string]int{}
	for _, r := range f.Resources {
		key := r.Kind + " " + strings.ToLower(r.Spec.id())
		if line, ok := seen[key]; ok {
			return nil, errAt(r.Line, "%s %s is declared twice (first at line %d)", r.Kind, r.Spec.id(), line)
		}
		seen[key] = r.Line
	}
	for _, r := range f.Resources {
		if err := r.Spec.check(f, r); err != nil {
			return nil, err
		}
	}
	for _, r := range f.Resources {
		if s, ok := r.Spec.(*secretSpec); ok {
			if err := s.resolve(r, env); err != nil {
				return nil, err
			}
		}
		if u, ok := r.Spec.(*userSpec); ok {
			if err := u.resolve(r, env); err != nil {
				return nil, err
			}
		}
	}
	slices.SortStableFunc(f.Resources, func(a, b *resource) int { return kindOrder(a.Kind) - kindOrder(b.Kind) })
	return f, nil
}

func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		// yaml.v3 numbers a parser error's line from the construct's
		// context mark, which counts from 0 ("did not find expected ...");
		// its other errors count from 1.
		if strings.HasPrefix(m[2], "did not find expected") {
			n++
		}
		return errAt(n, "%s", m[2])
	}
	return errAt(0, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// loadResource decodes one entry of resources: into its kind's spec,
// refusing fields the kind does not have.
func loadResource(n *yaml.Node) (*resource, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n.Line, "a resource must be a mapping with kind:")
	}
	r := &resource{Line: n.Line, node: n}
	kn := mapValue(n, "kind")
	if kn == nil {
		return nil, errAt(n.Line, "a resource has no kind: (want one of %s)", kindNames())
	}
	r.Kind = kn.Value
	i := kindOrder(r.Kind)
	if i < 0 {
		return nil, errAt(kn.Line, "unknown kind %q (want one of %s)", r.Kind, kindNames())
	}
	r.Spec = kinds[i].new()
	if err := checkFields(n, reflect.TypeOf(r.Spec).Elem(), r.Kind, true); err != nil {
		return nil, err
	}
	if err := n.Decode(r.Spec); err != nil {
		return nil, yamlError(err)
	}
	return r, nil
}

// mapValue is the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// fieldLine is the line of a field of the resource, else the resource's.
func (r *resource) fieldLine(path ...string) int {
	n := r.node
	line := r.Line
	for _, p := range path {
		if n = mapValue(n, p); n == nil {
			return line
		}
		line = n.Line
	}
	return line
}

// itemLine is the line of the i-th element of a list field, else the
// field's line.
func (r *resource) itemLine(i int, path ...string) int {
	n := r.node
	for _, p := range path {
		if n = mapValue(n, p); n == nil {
			return r.fieldLine(path...)
		}
	}
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return r.fieldLine(path...)
}

// checkFields refuses keys that t (a struct) has no yaml field for,
// recursing into nested mappings and lists of mappings.
func checkFields(n *yaml.Node, t reflect.Type, what string, top bool) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			if err := checkFields(c, t, what, false); err != nil {
				return err
			}
		}
		return nil
	case n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct:
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			fields[tag] = t.Field(i).Type
		}
	}
	if top {
		fields["kind"] = reflect.TypeOf("")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			slices.Sort(names)
			return errAt(k.Line, "%s has no field %q (its fields: %s)", what, k.Value, strings.Join(names, ", "))
		}
		if err := checkFields(n.Content[i+1], ft, what+" "+k.Value, false); err != nil {
			return err
		}
	}
	return nil
}

// The kinds' specs.

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
