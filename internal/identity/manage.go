package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// CheckMailNickname reports whether nickname can be a mail alias: 1 to 64
// characters, none of them white space or one of @()\[]";:<>, as in Entra.
func CheckMailNickname(nickname string) error {
	if nickname == "" || len(nickname) > 64 || strings.ContainsAny(nickname, " \t\r\n@()\\[]\";:<>,") {
		return invalid("The mail nickname '%s' is not valid.", clip(nickname))
	}
	return nil
}

// SetMailNickname sets the mail alias of a user or group.
func (s *Service) SetMailNickname(ctx context.Context, tenantID, objectID, nickname string) error {
	if err := CheckMailNickname(nickname); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, tenantID, objectID)
		if err != nil {
			return err
		}
		if p.Kind != scopevault.KindUser && p.Kind != scopevault.KindGroup {
			return invalid("Only users and groups have a mail nickname.")
		}
		p.MailNickname = nickname
		return putJSON(ctx, tx, principalKey(p.TenantID, p.ObjectID), p)
	})
}

// RemoveMember takes memberObjectID out of the group's direct members.
// Removing an object that is not a direct member is a not-found error, as in
// Entra; membership through a nested group is untouched.
func (s *Service) RemoveMember(ctx context.Context, tenantID, groupObjectID, memberObjectID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		g, err := s.getPrincipal(ctx, tx, tenantID, groupObjectID)
		if err != nil {
			return err
		}
		if g.Kind != scopevault.KindGroup {
			return invalid("Object '%s' is not a group.", g.ObjectID)
		}
		i := slices.Index(g.Members, normID(memberObjectID))
		if i < 0 {
			return notFound("Member", memberObjectID)
		}
		g.Members = slices.Delete(g.Members, i, i+1)
		return putJSON(ctx, tx, principalKey(g.TenantID, g.ObjectID), g)
	})
}

// RemoveClientSecret deletes the client secret keyID of a service principal;
// tokens already issued with it stay valid until they expire, as in Entra.
func (s *Service) RemoveClientSecret(ctx context.Context, tenantID, objectID, keyID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, tenantID, objectID)
		if err != nil {
			return err
		}
		if p.Kind != scopevault.KindServicePrincipal {
			return invalid("Client secrets can only be removed from service principals.")
		}
		if p.FirstParty {
			return scopevault.Errorf(scopevault.EFORBIDDEN, "", "Credentials of the first-party application '%s' cannot be changed.", p.DisplayName)
		}
		i := slices.IndexFunc(p.Credentials, func(c scopevault.Credential) bool {
			return strings.EqualFold(c.KeyID, keyID) && strings.HasPrefix(c.Hash, "sha256$")
		})
		if i < 0 {
			return notFound("Key credential", keyID)
		}
		p.Credentials = slices.Delete(p.Credentials, i, i+1)
		return putJSON(ctx, tx, principalKey(p.TenantID, p.ObjectID), p)
	})
}

// DeleteManagedIdentity removes a managed identity: its identity header
// stops working at once and it leaves every group. Role assignments naming
// it stay, as in Azure, where they show as an unknown principal.
func (s *Service) DeleteManagedIdentity(ctx context.Context, tenantID, objectID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, tenantID, objectID)
		if err != nil {
			return err
		}
		if p.Kind != scopevault.KindManagedIdentity {
			return invalid("Object '%s' is not a managed identity.", p.ObjectID)
		}
		for _, c := range p.Credentials {
			if hex, ok := strings.CutPrefix(c.Hash, "sha256$"); ok {
				if err := tx.Delete(ctx, msiKey(hex)); err != nil && !isNotFound(err) {
					return err
				}
			}
		}
		all, err := s.listPrincipals(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		for _, g := range all {
			if i := slices.Index(g.Members, p.ObjectID); i >= 0 {
				g.Members = slices.Delete(g.Members, i, i+1)
				if err := putJSON(ctx, tx, principalKey(g.TenantID, g.ObjectID), g); err != nil {
					return err
				}
			}
		}
		for _, k := range []string{appKey(p.TenantID, p.AppID), principalKey(p.TenantID, p.ObjectID)} {
			if err := tx.Delete(ctx, k); err != nil && !isNotFound(err) {
				return err
			}
		}
		return nil
	})
}
