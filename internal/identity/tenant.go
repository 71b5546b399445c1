package identity

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Key layout under dir/ (all values sealed by the barrier):
//
//	dir/tenants/{tid}              scopevault.Tenant
//	dir/t/{tid}/p/{oid}            scopevault.Principal (credential hashes included)
//	dir/t/{tid}/app/{appid}        object id of the principal with that app id
//	dir/t/{tid}/upn/{upn}          object id of the user (upn lower-cased)
//	dir/msi/{sha256 hex}           msiRef of the identity the header belongs to
//
// Ids are stored lower-cased: Entra compares GUIDs and UPNs case-insensitively.
func tenantKey(tid string) string         { return "dir/tenants/" + tid }
func principalPrefix(tid string) string   { return "dir/t/" + tid + "/p/" }
func principalKey(tid, oid string) string { return principalPrefix(tid) + oid }
func appKey(tid, appID string) string     { return "dir/t/" + tid + "/app/" + appID }
func upnKey(tid, upn string) string       { return "dir/t/" + tid + "/upn/" + upn }
func msiKey(headerHash string) string     { return "dir/msi/" + headerHash }
func normID(id string) string             { return strings.ToLower(strings.TrimSpace(id)) }
func isNotFound(err error) bool           { return errors.Is(err, store.ErrNotFound) }
func notFound(what, id string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "", "%s '%s' was not found.", what, clip(id))
}
func invalid(format string, a ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "", format, a...)
}

// EnsureTenant creates tenant id (a GUID) unless it exists, and makes sure it
// holds the AzureDatabricks first-party service principal. It is idempotent:
// an existing tenant keeps its display name and principals.
func (s *Service) EnsureTenant(ctx context.Context, id, displayName string) (*scopevault.Tenant, error) {
	tid := normID(id)
	if !scopevault.ValidGUID(tid) {
		return nil, invalid("Tenant id '%s' is not a GUID.", clip(id))
	}
	if err := checkName("display name", displayName); err != nil {
		return nil, err
	}
	var t scopevault.Tenant
	err := s.update(ctx, func(tx store.Tx) error {
		err := getJSON(ctx, tx, tenantKey(tid), &t)
		if isNotFound(err) {
			t = scopevault.Tenant{ID: tid, DisplayName: displayName, Created: s.now()}
			err = putJSON(ctx, tx, tenantKey(tid), t)
		}
		if err != nil {
			return err
		}
		return s.ensureFirstParty(ctx, tx, tid)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ensureFirstParty adds the AzureDatabricks service principal: every real
// tenant that uses Databricks has it, and it is the identity a Key
// Vault-backed secret scope reads as. Its object id differs per tenant.
func (s *Service) ensureFirstParty(ctx context.Context, tx store.Tx, tid string) error {
	_, err := tx.Get(ctx, appKey(tid, scopevault.AzureDatabricksAppID))
	if !isNotFound(err) {
		return err
	}
	p := &scopevault.Principal{
		TenantID:    tid,
		ObjectID:    scopevault.NewGUID(),
		Kind:        scopevault.KindServicePrincipal,
		DisplayName: "AzureDatabricks",
		AppID:       scopevault.AzureDatabricksAppID,
		FirstParty:  true,
		Created:     s.now(),
	}
	return s.putPrincipal(ctx, tx, p)
}

// Tenant returns tenant id, or ENOTFOUND with Reason AADSTS90002.
func (s *Service) Tenant(ctx context.Context, id string) (*scopevault.Tenant, error) {
	var t scopevault.Tenant
	err := s.view(ctx, func(tx store.Tx) error { return s.getTenant(ctx, tx, id, &t) })
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *Service) getTenant(ctx context.Context, tx store.Tx, id string, t *scopevault.Tenant) error {
	tid := normID(id)
	if !scopevault.ValidGUID(tid) {
		return errTenantNotFound(id)
	}
	err := getJSON(ctx, tx, tenantKey(tid), t)
	if isNotFound(err) {
		return errTenantNotFound(id)
	}
	return err
}

// ListTenants returns all tenants in id order.
func (s *Service) ListTenants(ctx context.Context) ([]*scopevault.Tenant, error) {
	var out []*scopevault.Tenant
	err := s.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, "dir/tenants/", "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var t scopevault.Tenant
			if err := json.Unmarshal(kv.Value, &t); err != nil {
				return err
			}
			out = append(out, &t)
		}
		return nil
	})
	return out, err
}

// checkName validates a display name: present, bounded, printable.
func checkName(what, name string) error {
	if strings.TrimSpace(name) == "" {
		return invalid("The %s must not be empty.", what)
	}
	if len(name) > 256 {
		return invalid("The %s must be at most 256 characters.", what)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return invalid("The %s contains a control character.", what)
		}
	}
	return nil
}
