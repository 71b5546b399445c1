package workspace

import (
	"context"
	"encoding/json"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/identity"
)

// SecretMetadata is what listing a scope shows of one secret.
type SecretMetadata struct {
	Key     string
	Updated time.Time
}

// The action whose holders may change a vault's access policies: Databricks
// adds its own policy on the creator's behalf, so the creator needs it.
const actionWriteAccessPolicies = "Microsoft.KeyVault/vaults/accessPolicies/write"

// controlPlaneContext is where a Key Vault-backed read leaves the caller's
// request and becomes the Databricks control plane's own call to the vault.
// The network gate reads the request's origin from the context: here the
// control plane gets its own (it is not in the customer's VNet, and passes
// a firewall only as a trusted service).
func controlPlaneContext(ctx context.Context) context.Context {
	return scopevault.WithOrigin(ctx, scopevault.Origin{RemoteAddr: netip.AddrPortFrom(ControlPlaneAddr, 443), RemoteIP: ControlPlaneAddr.String()})
}

// ControlPlaneAddr is the address the Databricks control plane's vault
// reads come from: its own, public origin, in no customer VNet and through
// no private endpoint, whatever address the user's request to the
// workspace came from. Virtual network rules and private endpoints do not
// admit it; bypass AzureServices does, since it reads as the trusted
// service AzureDatabricks (an ipRules entry naming it does too, as
// allow-listing the control plane's addresses does on Azure).
var ControlPlaneAddr = netip.MustParseAddr("127.254.0.1")

func errKVParam(format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", format, args...)
}

// parseVaultID splits /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}.
func parseVaultID(id string) (sub, group, name string, ok bool) {
	p := strings.Split(strings.TrimSuffix(strings.TrimSpace(id), "/"), "/")
	if len(p) != 9 || p[0] != "" || !strings.EqualFold(p[1], "subscriptions") || !strings.EqualFold(p[3], "resourceGroups") ||
		!strings.EqualFold(p[5], "providers") || !strings.EqualFold(p[6], "Microsoft.KeyVault") || !strings.EqualFold(p[7], "vaults") ||
		p[2] == "" || p[4] == "" || !scopevault.ValidVaultName(p[8]) {
		return "", "", "", false
	}
	return p[2], p[4], p[8], true
}

// dnsNames reports whether dns is a URL of vault v: the Azure form
// https://<name>.vault.azure.net/ (as the how-to writes it) or the vault's
// local address, https://<address>:<port>/. The port is not compared.
func dnsNames(dns string, v *scopevault.Vault) bool {
	u, err := url.Parse(strings.TrimSpace(dns))
	if err != nil || !strings.EqualFold(u.Scheme, "https") || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == strings.ToLower(v.Name)+".vault.azure.net" || (v.Address != "" && host == v.Address)
}

// prepareKeyVaultScope checks the metadata of a new AZURE_KEYVAULT scope and
// does what Databricks does on creation. The caller must hold an Entra ID
// token (Databricks needs it to act on the vault for the user); resource_id
// and dns_name must name one live vault of the workspace's tenant. On an
// access-policy vault it adds a policy giving AzureDatabricks secret get and
// list, when the creator may write the vault's policies; on an RBAC vault it
// adds nothing (someone must assign AzureDatabricks "Key Vault Secrets User").
func (s *Service) prepareKeyVaultScope(ctx context.Context, c *scopevault.WorkspaceCaller, meta *scopevault.KeyVaultMetadata) (*scopevault.KeyVaultMetadata, error) {
	if c == nil || c.Entra == nil {
		return nil, errKVParam("Scope with Azure KeyVault must have userAADToken defined!")
	}
	if meta == nil || (meta.ResourceID == "" && meta.DNSName == "") {
		return nil, errKVParam("Scope with Azure KeyVault must have AzureKeyVaultSecretScopeMetadata defined!")
	}
	sub, group, name, ok := parseVaultID(meta.ResourceID)
	if !ok {
		return nil, errKVParam("The Azure KeyVault resource id '%s' is not valid: it must be /subscriptions/<subscription id>/resourceGroups/<resource group>/providers/Microsoft.KeyVault/vaults/<vault name>.", clip(meta.ResourceID))
	}
	v, err := s.Vaults.Vault(ctx, name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || (err == nil && (!strings.EqualFold(v.SubscriptionID, sub) || !strings.EqualFold(v.ResourceGroup, group))) {
		return nil, errKVParam("The Azure KeyVault '%s' does not exist.", clip(meta.ResourceID))
	}
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(v.TenantID, c.Workspace.TenantID) {
		return nil, errKVParam("The Azure KeyVault '%s' belongs to another tenant than this workspace.", clip(meta.ResourceID))
	}
	if !dnsNames(meta.DNSName, v) {
		return nil, errKVParam("The DNS name '%s' is not the Azure KeyVault '%s': use https://%s.vault.azure.net/.", clip(meta.DNSName), v.Name, strings.ToLower(v.Name))
	}
	if !v.EnableRBACAuthorization {
		if err := s.grantDatabricks(ctx, c.Entra, v, meta.DNSName); err != nil {
			return nil, err
		}
	}
	return &scopevault.KeyVaultMetadata{ResourceID: strings.TrimSpace(meta.ResourceID), DNSName: strings.TrimSpace(meta.DNSName)}, nil
}

// grantDatabricks adds (or completes) the access policy giving the tenant's
// AzureDatabricks principal secret get and list, acting for creator.
func (s *Service) grantDatabricks(ctx context.Context, creator *scopevault.Caller, v *scopevault.Vault, dns string) error {
	d, err := s.Authz.AuthorizeManagement(ctx, creator, actionWriteAccessPolicies, v.ResourceID())
	if err != nil {
		return err
	}
	if !d.Allowed {
		return scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED",
			"Unable to grant read/list permission to Databricks service principal to KeyVault '%s': Unknown error with status code 403", clip(dns))
	}
	dbx, err := s.Identity.PrincipalByAppID(ctx, v.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		return err
	}
	_, err = s.Vaults.UpdateVault(ctx, v.Name, func(v *scopevault.Vault) error {
		for i, p := range v.AccessPolicies {
			if strings.EqualFold(p.ObjectID, dbx.ObjectID) && strings.EqualFold(p.TenantID, v.TenantID) && p.ApplicationID == "" {
				v.AccessPolicies[i].Permissions.Secrets = addPermissions(p.Permissions.Secrets, "get", "list")
				return nil
			}
		}
		v.AccessPolicies = append(v.AccessPolicies, scopevault.AccessPolicy{TenantID: v.TenantID, ObjectID: dbx.ObjectID,
			Permissions: scopevault.Permissions{Secrets: []string{"get", "list"}}})
		return nil
	})
	return err
}

func addPermissions(have []string, want ...string) []string {
	out := append([]string(nil), have...)
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) || strings.EqualFold(h, "all") {
				found = true
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// databricksCallers caches each tenant's AzureDatabricks object id: it is
// fixed for the tenant's life, so only its groups are looked up per read.
type databricksCallers struct {
	mu  sync.Mutex
	oid map[string]string
}

// databricksCaller is the AzureDatabricks first-party principal of tenant
// tid, as the vault sees the control plane: an app-only caller.
func (s *Service) databricksCaller(ctx context.Context, tid string) (*scopevault.Caller, error) {
	s.dbx.mu.Lock()
	oid := s.dbx.oid[tid]
	s.dbx.mu.Unlock()
	if oid == "" {
		p, err := s.Identity.PrincipalByAppID(ctx, tid, scopevault.AzureDatabricksAppID)
		if err != nil {
			return nil, err
		}
		oid = p.ObjectID
		s.dbx.mu.Lock()
		if s.dbx.oid == nil {
			s.dbx.oid = map[string]string{}
		}
		s.dbx.oid[tid] = oid
		s.dbx.mu.Unlock()
	}
	groups, err := s.Identity.GroupsOf(ctx, tid, oid)
	if err != nil {
		return nil, err
	}
	return &scopevault.Caller{TenantID: tid, ObjectID: oid, AppID: scopevault.AzureDatabricksAppID,
		Issuer: identity.Issuer(tid), Kind: scopevault.KindServicePrincipal, GroupIDs: groups}, nil
}

// scopeVault is the live vault behind an AZURE_KEYVAULT scope.
func (s *Service) scopeVault(ctx context.Context, sc *scopevault.SecretScope) (*scopevault.Vault, error) {
	if sc.KeyVault == nil {
		return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: scope %s has no Key Vault metadata", sc.Name)
	}
	sub, group, name, ok := parseVaultID(sc.KeyVault.ResourceID)
	v, err := s.Vaults.Vault(ctx, name)
	if !ok || scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND ||
		(err == nil && (!strings.EqualFold(v.SubscriptionID, sub) || !strings.EqualFold(v.ResourceGroup, group))) {
		return nil, scopevault.Errorf(scopevault.EINVALID, "BAD_REQUEST",
			"The Azure KeyVault %s behind scope %s does not exist anymore.", clip(sc.KeyVault.DNSName), sc.Name)
	}
	return v, err
}

// wrapVaultError renders a vault's refusal the way Databricks does: its
// PERMISSION_DENIED quotes the vault's own status and error body.
func wrapVaultError(sc *scopevault.SecretScope, verr error) error {
	type inner struct {
		Code string `json:"code"`
	}
	var body struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError *inner `json:"innererror,omitempty"`
		} `json:"error"`
	}
	body.Error.Code = "Forbidden"
	body.Error.Message = scopevault.ErrorMessageOf(verr)
	if r := scopevault.ErrorReasonOf(verr); r != "" {
		body.Error.InnerError = &inner{Code: r}
	}
	raw, _ := json.Marshal(body)
	return scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED",
		"Invalid permissions on the specified KeyVault %s. Wrapped Message: Status code 403, %s", sc.KeyVault.DNSName, raw)
}

// vaultRead is the first half of every read: the vault, the AzureDatabricks
// caller and the shared access path's decision for op. done records the
// read in the audit log as the vault's own log would show it: a Key Vault
// call by AzureDatabricks, allowed or refused and by which rule.
func (s *Service) vaultRead(ctx context.Context, sc *scopevault.SecretScope, op scopevault.Operation, key string) (_ context.Context, _ *scopevault.Vault, done func(error), _ error) {
	v, err := s.scopeVault(ctx, sc)
	if err != nil {
		return ctx, nil, nil, err
	}
	dbx, err := s.databricksCaller(ctx, v.TenantID)
	if err != nil {
		return ctx, nil, nil, err
	}
	ctx = controlPlaneContext(ctx)
	d, err := s.Access.CheckVault(ctx, dbx, v, op, key)
	if err != nil {
		return ctx, nil, nil, err
	}
	done = func(err error) { s.auditVaultRead(ctx, op, v, dbx, key, d, err) }
	if !d.Allowed {
		err := scopevault.VaultDenial(d, dbx, v, op, scopevault.OriginFrom(ctx).RemoteAddr.Addr())
		done(err)
		return ctx, nil, nil, wrapVaultError(sc, err)
	}
	return ctx, v, done, nil
}

// auditVaultRead records one control-plane read of a vault. Never a value.
func (s *Service) auditVaultRead(ctx context.Context, op scopevault.Operation, v *scopevault.Vault, dbx *scopevault.Caller, key string, d scopevault.Decision, err error) {
	if s.Audit == nil {
		return
	}
	rec := audit.Record{Time: s.now(), RequestID: scopevault.RequestIDFrom(ctx), Service: "keyvault",
		Action: strings.TrimPrefix(string(op), "keyvault."), Principal: dbx.ObjectID, AppID: dbx.AppID,
		Vault: v.Name, Key: key, Status: 200, Decision: "allow", Rule: d.Rule}
	if o := scopevault.OriginFrom(ctx); o.RemoteAddr.IsValid() {
		rec.SourceAddr = o.RemoteAddr.Addr().Unmap().String()
	}
	if !d.Allowed {
		rec.Decision = "deny"
	}
	if err != nil {
		rec.ErrorCode = scopevault.ErrorReasonOf(err)
		switch scopevault.ErrorCodeOf(err) {
		case scopevault.EFORBIDDEN:
			rec.Status = 403
		case scopevault.ENOTFOUND:
			rec.Status = 404
		case scopevault.EINVALID:
			rec.Status = 400
		default:
			rec.Status = 500
		}
	}
	s.Audit.Record(rec)
}

// keyVaultGet reads a secret of an AZURE_KEYVAULT scope from its vault as
// AzureDatabricks, through the shared access path: the network gate and
// the vault's own authorization decide, as for any caller. A disabled
// secret is refused by the vault (SecretDisabled) and so PERMISSION_DENIED
// here; an expired one is returned, as Key Vault returns it; a deleted or
// missing one does not exist.
func (s *Service) keyVaultGet(ctx context.Context, sc *scopevault.SecretScope, key string) ([]byte, error) {
	if !scopevault.ValidSecretName(key) {
		return nil, errKVParam("Invalid secret key '%s' for an Azure KeyVault-backed scope: Key Vault secret names have 1 to 127 letters, digits and dashes.", clip(key))
	}
	ctx, v, done, err := s.vaultRead(ctx, sc, scopevault.OpGetSecret, key)
	if err != nil {
		return nil, err
	}
	sv, err := s.Vaults.Get(ctx, v, key, "")
	done(err)
	switch scopevault.ErrorCodeOf(err) {
	case "":
		return []byte(sv.Value), nil
	case scopevault.ENOTFOUND:
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: %s and key: %s", sc.Name, clip(key))
	case scopevault.EFORBIDDEN:
		return nil, wrapVaultError(sc, err)
	}
	return nil, err
}

// keyVaultList lists the secrets of an AZURE_KEYVAULT scope's vault as
// AzureDatabricks: every live secret the vault lists (disabled ones too,
// as Key Vault's list shows them), with its current version's update time.
func (s *Service) keyVaultList(ctx context.Context, sc *scopevault.SecretScope) ([]SecretMetadata, error) {
	ctx, v, done, err := s.vaultRead(ctx, sc, scopevault.OpListSecrets, "")
	if err != nil {
		return nil, err
	}
	var out []SecretMetadata
	after := ""
	for {
		page, err := s.Vaults.ListSecrets(ctx, v, after, scopevault.MaxPageSize)
		if err != nil {
			done(err)
			return nil, err
		}
		for _, sec := range page.Items {
			m := SecretMetadata{Key: sec.Name}
			if cur := sec.Current(); cur != nil {
				m.Updated = cur.Updated
			}
			out = append(out, m)
		}
		if page.Next == "" {
			done(nil)
			return out, nil
		}
		after = page.Next
	}
}
