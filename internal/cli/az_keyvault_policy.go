package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// Access-policy permission choices, as az offers them.
var policyChoices = map[string][]string{
	"key-permissions": {"all", "backup", "create", "decrypt", "delete", "encrypt", "get", "getrotationpolicy", "import", "list",
		"purge", "recover", "release", "restore", "rotate", "setrotationpolicy", "sign", "unwrapKey", "update", "verify", "wrapKey"},
	"secret-permissions": {"all", "backup", "delete", "get", "list", "purge", "recover", "restore", "set"},
	"certificate-permissions": {"all", "backup", "create", "delete", "deleteissuers", "get", "getissuers", "import", "list",
		"listissuers", "managecontacts", "manageissuers", "purge", "recover", "restore", "setissuers", "update"},
	"storage-permissions": {"all", "backup", "delete", "deletesas", "get", "getsas", "list", "listsas", "purge", "recover",
		"regeneratekey", "restore", "set", "setsas", "update"},
}

// checkPermissions validates a permission list against az's choices and
// drops repeats; nil (the flag not given) stays nil.
func checkPermissions(flag string, perms []string) ([]string, error) {
	if perms == nil {
		return nil, nil
	}
	choices := policyChoices[flag]
	out := []string{}
	for _, p := range perms {
		i := slices.IndexFunc(choices, func(c string) bool { return strings.EqualFold(c, p) })
		if i < 0 {
			return nil, fmt.Errorf("argument --%s: invalid choice: '%s' (choose from '%s')", flag, p, strings.Join(choices, "', '"))
		}
		if !slices.Contains(out, choices[i]) {
			out = append(out, choices[i])
		}
	}
	return out, nil
}

// policyPrincipal is who a policy is for: --object-id, --upn or --spn.
type policyPrincipal struct {
	objectID, upn, spn, appID string
}

func (pp *policyPrincipal) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&pp.objectID, "object-id", "", "object id of a user, service principal or group")
	f.StringVar(&pp.upn, "upn", "", "user principal name of a user")
	f.StringVar(&pp.spn, "spn", "", "service principal name (application id) of a service principal")
	f.StringVar(&pp.appID, "application-id", "", "application id of a compound identity (the app acting for the principal)")
}

// resolve returns the principal's object id, looking names up in Graph.
func (pp *policyPrincipal) resolve(ctx context.Context, s *session) (string, error) {
	n := 0
	for _, v := range []string{pp.objectID, pp.upn, pp.spn} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return "", errors.New("usage error: --object-id OBJECT_ID | --spn SPN | --upn UPN")
	}
	unknown := errors.New("Unable to get object id from principal name.")
	switch {
	case pp.objectID != "":
		return pp.objectID, nil
	case pp.upn != "":
		u, err := s.graph.User(ctx, pp.upn)
		if client.IsNotFound(err) {
			return "", unknown
		}
		return u.ID, err
	}
	sps, err := s.graph.ServicePrincipalsByAppID(ctx, pp.spn)
	if err == nil && len(sps) == 0 && !guidRE.MatchString(pp.spn) {
		sps, err = s.graph.ServicePrincipalsByName(ctx, pp.spn)
	}
	if err != nil {
		return "", err
	}
	if len(sps) != 1 {
		return "", unknown
	}
	return sps[0].ID, nil
}

// samePolicy says whether an access policy is the principal's, as az matches them.
func samePolicy(ap client.AccessPolicy, tenant, objectID, appID string) bool {
	return strings.EqualFold(ap.TenantID, tenant) && strings.EqualFold(ap.ObjectID, objectID) && strings.EqualFold(ap.ApplicationID, appID)
}

func (a *azCLI) keyvaultSetPolicyCommand() *cobra.Command {
	var name, group string
	var pp policyPrincipal
	perms := map[string]*[]string{}
	cmd := &cobra.Command{
		Use:   "set-policy",
		Short: "Give a principal permissions on an access-policy vault",
		Long: `Create or change a principal's access policy on a vault that uses access policies
(--enable-rbac-authorization false). The permission types given replace the
principal's permissions of that type; types not given are kept. Like az, this reads
the vault and writes it back with PUT.`,
		Example: `  az keyvault set-policy -n kv-legacy --spn $APP_ID --secret-permissions get list
  az keyvault set-policy -n kv-legacy --upn alice@contoso.example --secret-permissions all
  az keyvault set-policy -n kv-legacy --object-id $GROUP_ID --secret-permissions get list set delete`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("the following arguments are required: --name/-n")
			}
			given := map[string][]string{}
			for flag, p := range perms {
				if cmd.Flags().Changed(flag) {
					v, err := checkPermissions(flag, *p)
					if err != nil {
						return err
					}
					given[flag] = v
				}
			}
			if len(given) == 0 {
				return errors.New("usage error: [--key-permissions PERM] [--secret-permissions PERM] [--certificate-permissions PERM] [--storage-permissions PERM]")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			objectID, err := pp.resolve(ctx, s)
			if err != nil {
				return err
			}
			v, err := s.vault(ctx, sub, group, name)
			if err != nil {
				return err
			}
			if v.Properties.EnableRbacAuthorization != nil && *v.Properties.EnableRbacAuthorization {
				return errors.New("Cannot set policies to a vault with '--enable-rbac-authorization' specified")
			}
			tenant := v.Properties.TenantID
			i := slices.IndexFunc(v.Properties.AccessPolicies, func(ap client.AccessPolicy) bool { return samePolicy(ap, tenant, objectID, pp.appID) })
			if i < 0 {
				v.Properties.AccessPolicies = append(v.Properties.AccessPolicies, client.AccessPolicy{TenantID: tenant, ObjectID: objectID, ApplicationID: pp.appID})
				i = len(v.Properties.AccessPolicies) - 1
			}
			ap := &v.Properties.AccessPolicies[i].Permissions
			for flag, dst := range map[string]*[]string{"key-permissions": &ap.Keys, "secret-permissions": &ap.Secrets,
				"certificate-permissions": &ap.Certificates, "storage-permissions": &ap.Storage} {
				if p, ok := given[flag]; ok {
					*dst = p
				}
			}
			out, err := putVault(cmd, s, sub, v)
			if err != nil {
				return err
			}
			return a.print(cmd, azVault(out))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "name of the key vault")
	f.StringVarP(&group, "resource-group", "g", "", "name of the resource group (default: found by name)")
	pp.flags(cmd)
	var names []string
	for flag, choices := range policyChoices {
		p := new([]string)
		perms[flag] = p
		f.StringArrayVar(p, flag, nil, "space-separated permissions: "+strings.Join(choices, " "))
		names = append(names, flag)
	}
	return a.withNargs(cmd, names...)
}

func (a *azCLI) keyvaultDeletePolicyCommand() *cobra.Command {
	var name, group string
	var pp policyPrincipal
	cmd := &cobra.Command{
		Use:     "delete-policy",
		Short:   "Remove a principal's access policy from a vault",
		Example: `  az keyvault delete-policy -n kv-legacy --spn $APP_ID`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("the following arguments are required: --name/-n")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			objectID, err := pp.resolve(ctx, s)
			if err != nil {
				return err
			}
			v, err := s.vault(ctx, sub, group, name)
			if err != nil {
				return err
			}
			if v.Properties.EnableRbacAuthorization != nil && *v.Properties.EnableRbacAuthorization {
				return errors.New("Cannot delete policies to a vault with '--enable-rbac-authorization' specified")
			}
			before := len(v.Properties.AccessPolicies)
			tenant := v.Properties.TenantID
			v.Properties.AccessPolicies = slices.DeleteFunc(v.Properties.AccessPolicies, func(ap client.AccessPolicy) bool { return samePolicy(ap, tenant, objectID, pp.appID) })
			if len(v.Properties.AccessPolicies) == before {
				return errors.New("No matching policies found")
			}
			out, err := putVault(cmd, s, sub, v)
			if err != nil {
				return err
			}
			return a.print(cmd, azVault(out))
		},
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the key vault")
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group (default: found by name)")
	pp.flags(cmd)
	return cmd
}

// sameIPRule compares firewall rules the way the service stores them: a
// bare address is its /32, a range its masked prefix.
func sameIPRule(a, b string) bool {
	pa, errA := ipPrefix(a)
	pb, errB := ipPrefix(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return pa == pb
}

func ipPrefix(s string) (netip.Prefix, error) {
	if addr, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	return p.Masked(), err
}

// networkRuleArgs are network-rule add/remove's rule flags.
type networkRuleArgs struct {
	name, group, subnet, vnet string
	ips                       []string
}

func (r *networkRuleArgs) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&r.name, "name", "n", "", "name of the key vault")
	f.StringVarP(&r.group, "resource-group", "g", "", "name of the resource group (default: found by name)")
	f.StringArrayVar(&r.ips, "ip-address", nil, "IPv4 addresses or CIDR ranges, space-separated")
	f.StringVar(&r.subnet, "subnet", "", "subnet resource id, or a subnet name with --vnet-name")
	f.StringVar(&r.vnet, "vnet-name", "", "virtual network of a --subnet given by name (in the vault's resource group)")
}

// subnetID is --subnet as a resource id.
func (r *networkRuleArgs) subnetID(sub, group string) (string, error) {
	switch {
	case r.subnet == "":
		return "", nil
	case strings.HasPrefix(r.subnet, "/") != (r.vnet == ""):
		// an id with --vnet-name, or a name without it
		return "", errors.New("incorrect usage: [--subnet ID | --subnet NAME --vnet-name NAME]")
	case strings.HasPrefix(r.subnet, "/"):
		return r.subnet, nil
	}
	return "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.Network/virtualNetworks/" + r.vnet + "/subnets/" + r.subnet, nil
}

func (a *azCLI) networkRuleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "network-rule", Short: "Manage a key vault's firewall rules"}
	cmd.AddCommand(a.networkRuleEditCommand(true), a.networkRuleEditCommand(false), a.networkRuleListCommand())
	return cmd
}

// networkRuleEditCommand is network-rule add (add=true) or remove: read the
// vault, change networkAcls, write it back, as az does.
func (a *azCLI) networkRuleEditCommand(add bool) *cobra.Command {
	var r networkRuleArgs
	use, short, example := "remove", "Remove firewall rules from a key vault", `  az keyvault network-rule remove -n kv-data --ip-address 203.0.113.7`
	if add {
		use, short, example = "add", "Add firewall rules to a key vault", `  az keyvault network-rule add -n kv-data --ip-address 203.0.113.7 198.51.100.0/24
  az keyvault network-rule add -n kv-data --subnet $SUBNET_ID`
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if r.name == "" {
				return errors.New("the following arguments are required: --name/-n")
			}
			if len(r.ips) == 0 && r.subnet == "" {
				return errors.New("usage error: [--subnet ID | --subnet NAME --vnet-name NAME] [--ip-address IP [IP ...]]")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			v, err := s.vault(cmd.Context(), sub, r.group, r.name)
			if err != nil {
				return err
			}
			subnet, err := r.subnetID(sub, v.ResourceGroup())
			if err != nil {
				return err
			}
			acl := v.Properties.NetworkACLs
			changed := false
			if add {
				if acl == nil {
					acl = &client.NetworkACLs{Bypass: "AzureServices", DefaultAction: "Allow"}
					v.Properties.NetworkACLs = acl
				}
				if subnet != "" && !slices.ContainsFunc(acl.VirtualNetworkRules, func(x client.VNetRule) bool { return strings.EqualFold(x.ID, subnet) }) {
					acl.VirtualNetworkRules = append(acl.VirtualNetworkRules, client.VNetRule{ID: subnet})
					changed = true
				}
				for _, ip := range r.ips {
					if !slices.ContainsFunc(acl.IPRules, func(x client.IPRule) bool { return sameIPRule(x.Value, ip) }) {
						acl.IPRules = append(acl.IPRules, client.IPRule{Value: ip})
						changed = true
					}
				}
			} else if acl != nil {
				n := len(acl.VirtualNetworkRules) + len(acl.IPRules)
				if subnet != "" {
					acl.VirtualNetworkRules = slices.DeleteFunc(acl.VirtualNetworkRules, func(x client.VNetRule) bool { return strings.EqualFold(x.ID, subnet) })
				}
				for _, ip := range r.ips {
					acl.IPRules = slices.DeleteFunc(acl.IPRules, func(x client.IPRule) bool { return sameIPRule(x.Value, ip) })
				}
				changed = len(acl.VirtualNetworkRules)+len(acl.IPRules) != n
			}
			if changed {
				if v, err = putVault(cmd, s, sub, v); err != nil {
					return err
				}
			}
			return a.print(cmd, azVault(v))
		},
	}
	r.flags(cmd)
	return a.withNargs(cmd, "ip-address")
}

func (a *azCLI) networkRuleListCommand() *cobra.Command {
	var name, group string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Show a key vault's network rule set",
		Example: `  az keyvault network-rule list -n kv-data --query "ipRules[].value" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, _, v, err := a.namedVault(cmd, name, group)
			if err != nil {
				return err
			}
			return a.print(cmd, azNetworkACLs(v.Properties.NetworkACLs))
		},
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the key vault")
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group (default: found by name)")
	return cmd
}
