package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scopevault/scopevault/client"
)

// apply's vaults, role assignments and secrets.

// vaultStep creates or updates a vault. Properties the file leaves out keep
// their defaults on create (RBAC, 90 days of soft delete, public access,
// firewall open) and what the vault has on update: an update reads the
// vault and writes it back with the file's values on top, as az's
// read-modify-write commands do. Access policies the file does not name
// are left alone (creating a Key Vault-backed scope on a policy vault adds
// one for AzureDatabricks).
func (a *applier) vaultStep(s *vaultSpec) stepFn {
	label := "Vault " + s.Name
	group := a.f.groupOf(s.Group)
	return func(ctx context.Context) (*step, error) {
		policies, err := a.policies(ctx, s)
		if err != nil {
			return nil, err
		}
		cur, err := a.s.arm.Vault(ctx, a.sub, group, s.Name)
		if applyNotFound(err) {
			p := client.VaultProperties{TenantID: a.s.tenantID(), AccessPolicies: []client.AccessPolicy{}}
			a.overlayVault(&p, s, policies)
			v := client.Vault{Location: a.locationFor(s.Location, s.Group), Properties: p}
			return planCreate(label, func(ctx context.Context) error {
				_, err := a.s.arm.CreateVault(ctx, a.sub, group, s.Name, v)
				return err
			}), nil
		}
		if err != nil {
			return nil, err
		}
		if !sameLocation(cur.Location, a.locationFor(s.Location, s.Group)) {
			return nil, fmt.Errorf("the vault is in %s, the file says %s: a vault cannot move", cur.Location, a.locationFor(s.Location, s.Group))
		}
		if on := cur.Properties.EnablePurgeProtection; on != nil && *on && s.PurgeProtection != nil && !*s.PurgeProtection {
			return nil, errors.New("purge protection is on and cannot be turned off (the file says purgeProtection: false)")
		}
		want := cur.Properties
		want.AccessPolicies = slices.Clone(cur.Properties.AccessPolicies)
		a.overlayVault(&want, s, policies)
		diffs := vaultDiffs(cur.Properties, want)
		if len(diffs) == 0 {
			return planUnchanged(label), nil
		}
		cur.Properties = want
		return planUpdate(label, differ(diffs), func(ctx context.Context) error {
			p := cur.Properties
			p.CreateMode = ""
			if p.AccessPolicies == nil {
				p.AccessPolicies = []client.AccessPolicy{}
			}
			_, err := a.s.arm.CreateVault(ctx, a.sub, group, cur.Name, client.Vault{Location: cur.Location, Tags: cur.Tags, Properties: p})
			return err
		}), nil
	}
}

// overlayVault sets the properties the file decides, with the defaults of
// a new vault for those it leaves out when p has none.
func (a *applier) overlayVault(p *client.VaultProperties, s *vaultSpec, policies []client.AccessPolicy) {
	yes := true
	sku := strings.ToLower(s.SKU)
	if sku == "" {
		sku = "standard"
		if p.SKU != nil {
			sku = p.SKU.Name
		}
	}
	p.SKU = &client.SKU{Family: "A", Name: sku}
	switch {
	case s.RBAC != nil:
		p.EnableRbacAuthorization = s.RBAC
	case p.EnableRbacAuthorization == nil:
		p.EnableRbacAuthorization = &yes
	}
	p.EnableSoftDelete = &yes
	switch {
	case s.SoftDeleteRetentionDays != nil:
		p.SoftDeleteRetentionInDays = s.SoftDeleteRetentionDays
	case p.SoftDeleteRetentionInDays == nil:
		days := 90
		p.SoftDeleteRetentionInDays = &days
	}
	if s.PurgeProtection != nil && *s.PurgeProtection {
		p.EnablePurgeProtection = &yes
	}
	if s.PublicNetworkAccess != "" {
		p.PublicNetworkAccess = canonicalChoice(s.PublicNetworkAccess, "Enabled", "Disabled")
	} else if p.PublicNetworkAccess == "" {
		p.PublicNetworkAccess = "Enabled"
	}
	if n := s.NetworkAcls; n != nil {
		acl := &client.NetworkACLs{DefaultAction: "Allow", Bypass: "AzureServices"}
		if p.NetworkACLs != nil {
			c := *p.NetworkACLs
			acl = &c
		}
		if n.DefaultAction != "" {
			acl.DefaultAction = canonicalChoice(n.DefaultAction, "Allow", "Deny")
		}
		if n.Bypass != "" {
			acl.Bypass = canonicalChoice(n.Bypass, "AzureServices", "None")
		}
		acl.IPRules = nil
		for _, ip := range n.IPRules {
			acl.IPRules = append(acl.IPRules, client.IPRule{Value: ip})
		}
		acl.VirtualNetworkRules = nil
		for _, sn := range n.VirtualNetworkRules {
			acl.VirtualNetworkRules = append(acl.VirtualNetworkRules, client.VNetRule{ID: a.subnetID(sn)})
		}
		p.NetworkACLs = acl
	}
	for _, want := range policies {
		i := slices.IndexFunc(p.AccessPolicies, func(c client.AccessPolicy) bool { return strings.EqualFold(c.ObjectID, want.ObjectID) })
		if i < 0 {
			p.AccessPolicies = append(p.AccessPolicies, want)
			continue
		}
		p.AccessPolicies[i].Permissions.Secrets = want.Permissions.Secrets
	}
}

func canonicalChoice(v string, choices ...string) string {
	for _, c := range choices {
		if strings.EqualFold(c, v) {
			return c
		}
	}
	return v
}

// vaultDiffs names the properties that differ between two vaults.
func vaultDiffs(cur, want client.VaultProperties) []string {
	var d []string
	b := func(p *bool) bool { return p != nil && *p }
	i := func(p *int) int {
		if p == nil {
			return 90
		}
		return *p
	}
	if cur.SKU == nil || !strings.EqualFold(cur.SKU.Name, want.SKU.Name) {
		d = append(d, "sku")
	}
	if b(cur.EnableRbacAuthorization) != b(want.EnableRbacAuthorization) {
		d = append(d, "enableRbacAuthorization")
	}
	if i(cur.SoftDeleteRetentionInDays) != i(want.SoftDeleteRetentionInDays) {
		d = append(d, "softDeleteRetentionInDays")
	}
	if b(cur.EnablePurgeProtection) != b(want.EnablePurgeProtection) {
		d = append(d, "enablePurgeProtection")
	}
	if !strings.EqualFold(orDefaultStr(cur.PublicNetworkAccess, "Enabled"), orDefaultStr(want.PublicNetworkAccess, "Enabled")) {
		d = append(d, "publicNetworkAccess")
	}
	ca, wa := orOpen(cur.NetworkACLs), orOpen(want.NetworkACLs)
	if !strings.EqualFold(ca.DefaultAction, wa.DefaultAction) {
		d = append(d, "networkAcls.defaultAction")
	}
	if !strings.EqualFold(ca.Bypass, wa.Bypass) {
		d = append(d, "networkAcls.bypass")
	}
	if !sameElements(ca.IPRules, wa.IPRules, func(x, y client.IPRule) bool { return sameIPRule(x.Value, y.Value) }) {
		d = append(d, "networkAcls.ipRules")
	}
	if !sameElements(ca.VirtualNetworkRules, wa.VirtualNetworkRules, func(x, y client.VNetRule) bool { return strings.EqualFold(x.ID, y.ID) }) {
		d = append(d, "networkAcls.virtualNetworkRules")
	}
	if !sameElements(cur.AccessPolicies, want.AccessPolicies, func(x, y client.AccessPolicy) bool {
		return strings.EqualFold(x.ObjectID, y.ObjectID) && sameElements(x.Permissions.Secrets, y.Permissions.Secrets, strings.EqualFold)
	}) {
		d = append(d, "accessPolicies")
	}
	return d
}

func orDefaultStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orOpen(n *client.NetworkACLs) client.NetworkACLs {
	if n == nil {
		return client.NetworkACLs{DefaultAction: "Allow", Bypass: "AzureServices"}
	}
	c := *n
	c.DefaultAction = orDefaultStr(c.DefaultAction, "Allow")
	c.Bypass = orDefaultStr(c.Bypass, "AzureServices")
	return c
}

// sameSet says two lists hold the same elements, in any order.
func sameElements[T any](a, b []T, eq func(x, y T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
	for _, x := range a {
		j := slices.IndexFunc(b, func(y T) bool { return eq(x, y) })
		for j >= 0 && used[j] {
			k := slices.IndexFunc(b[j+1:], func(y T) bool { return eq(x, y) })
			if k < 0 {
				j = -1
				break
			}
			j += k + 1
		}
		if j < 0 {
			return false
		}
		used[j] = true
	}
	return true
}

// policies resolves the file's access policies to object ids.
func (a *applier) policies(ctx context.Context, s *vaultSpec) ([]client.AccessPolicy, error) {
	var out []client.AccessPolicy
	for _, p := range s.AccessPolicies {
		id, _, err := a.principal(ctx, p.Assignee)
		if err != nil {
			return nil, err
		}
		if id == "" {
			if a.dryRun && a.declaredPrincipal(p.Assignee) {
				id = "(" + p.Assignee + ", to be created)"
			} else {
				return nil, fmt.Errorf("access policy: no user, group or service principal %q", p.Assignee)
			}
		}
		secrets, _ := checkPermissions("secret-permissions", p.Secrets)
		out = append(out, client.AccessPolicy{TenantID: a.s.tenantID(), ObjectID: id,
			Permissions: client.Permissions{Keys: []string{}, Secrets: secrets, Certificates: []string{}}})
	}
	return out, nil
}

// principal resolves an assignee: "me" (the signed-in principal), a user
// principal name, an app id or object id, a service principal's or a
// group's display name. It returns "" when there is none.
func (a *applier) principal(ctx context.Context, name string) (id, typ string, err error) {
	g := a.s.graph
	switch {
	case name == "me":
		if a.me == "" {
			c, err := a.s.callerClaims(ctx)
			if err != nil {
				return "", "", err
			}
			a.me, a.meType = c.ObjectID, "ServicePrincipal"
			if c.UPN != "" || c.PreferredUsername != "" {
				a.meType = "User"
			}
		}
		return a.me, a.meType, nil
	case strings.Contains(name, "@"):
		u, err := g.User(ctx, name)
		if applyNotFound(err) {
			return "", "", nil
		}
		return u.ID, "User", err
	case guidRE.MatchString(name):
		sps, err := g.ServicePrincipalsByAppID(ctx, name)
		if err != nil {
			return "", "", err
		}
		if len(sps) == 1 {
			return sps[0].ID, "ServicePrincipal", nil
		}
		obj, err := g.DirectoryObject(ctx, name)
		if applyNotFound(err) {
			return "", "", nil
		}
		return obj.ID, obj.PrincipalType(), err
	}
	sps, err := g.ServicePrincipalsByName(ctx, name)
	if err != nil {
		return "", "", err
	}
	if len(sps) > 1 {
		return "", "", fmt.Errorf("%d service principals are named %q; name it by app id", len(sps), name)
	}
	if len(sps) == 1 {
		return sps[0].ID, "ServicePrincipal", nil
	}
	groups, err := g.Groups(ctx, "displayName eq "+client.ODataString(name))
	if err != nil {
		return "", "", err
	}
	if len(groups) > 1 {
		return "", "", fmt.Errorf("%d groups are named %q; name it by object id", len(groups), name)
	}
	if len(groups) == 1 {
		return groups[0].ID, "Group", nil
	}
	return "", "", nil
}

// declaredPrincipal says the file declares a directory object by that name.
func (a *applier) declaredPrincipal(name string) bool {
	return a.declared("User", name) != nil || a.declared("ServicePrincipal", name) != nil || a.declared("Group", name) != nil
}

// roleScope is a role assignment's scope as a resource id.
func (a *applier) roleScope(s *roleSpec) string {
	if s.Scope == "subscription" {
		return "/subscriptions/" + a.sub
	}
	if strings.HasPrefix(s.Scope, "/") {
		return s.Scope
	}
	kind, name, _ := strings.Cut(s.Scope, "/")
	switch kind {
	case "vault":
		return a.vaultID(name)
	case "group":
		return a.groupID(name)
	case "workspace":
		return a.workspaceID(name)
	}
	return a.vnetID(name)
}

func (a *applier) roleStep(s *roleSpec) stepFn {
	label := "RoleAssignment " + s.Role + " for " + s.Assignee + " on " + s.Scope
	return func(ctx context.Context) (*step, error) {
		scope := a.roleScope(s)
		pid, ptype, err := a.principal(ctx, s.Assignee)
		if err != nil {
			return nil, err
		}
		if pid == "" {
			if a.dryRun && a.declaredPrincipal(s.Assignee) {
				return planCreate(label, nil), nil
			}
			return nil, fmt.Errorf("no user, group or service principal %q", s.Assignee)
		}
		roleID, err := resolveRole(ctx, a.s, "/subscriptions/"+a.sub, a.sub, s.Role)
		if err != nil {
			return nil, err
		}
		create := planCreate(label, func(ctx context.Context) error {
			_, err := a.s.arm.CreateRoleAssignment(ctx, scope, client.NewAssignmentName(), client.RoleAssignmentProperties{
				RoleDefinitionID: roleID, PrincipalID: pid, PrincipalType: ptype})
			return err
		})
		list, err := a.s.arm.RoleAssignments(ctx, scope, "principalId eq '"+pid+"'")
		if applyNotFound(err) {
			return create, nil
		}
		if err != nil {
			return nil, err
		}
		for _, ra := range list {
			if strings.EqualFold(guidOf(ra.Properties.RoleDefinitionID), guidOf(roleID)) && strings.EqualFold(ra.Properties.PrincipalID, pid) &&
				strings.EqualFold(strings.TrimSuffix(ra.Properties.Scope, "/"), strings.TrimSuffix(scope, "/")) {
				return planUnchanged(label), nil
			}
		}
		return create, nil
	}
}
