package identity

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// DefaultSecretLifetime is the validity of a client secret added without an end date.
const DefaultSecretLifetime = 365 * 24 * time.Hour

// msiRef is the value of dir/msi/{hash}: whose identity header it is.
type msiRef struct {
	TenantID string `json:"tenantId"`
	ObjectID string `json:"objectId"`
}

// CreateServicePrincipal registers an application with a new app id and
// object id and gives it one client secret, returned once in clear text.
func (s *Service) CreateServicePrincipal(ctx context.Context, tenantID, displayName string) (*scopevault.Principal, string, error) {
	if err := checkName("display name", displayName); err != nil {
		return nil, "", err
	}
	secret := newClientSecret()
	now := s.now()
	p := &scopevault.Principal{
		TenantID:    normID(tenantID),
		ObjectID:    scopevault.NewGUID(),
		Kind:        scopevault.KindServicePrincipal,
		DisplayName: displayName,
		AppID:       scopevault.NewGUID(),
		Credentials: []scopevault.Credential{secretCredential(secret, "default", now, now.Add(DefaultSecretLifetime))},
		Created:     now,
	}
	if err := s.create(ctx, p); err != nil {
		return nil, "", err
	}
	return p, secret, nil
}

// AddClientSecret adds a client secret valid until end (zero: DefaultSecretLifetime)
// to a service principal and returns it once in clear text.
func (s *Service) AddClientSecret(ctx context.Context, tenantID, objectID, displayName string, end time.Time) (string, scopevault.Credential, error) {
	now := s.now()
	if end.IsZero() {
		end = now.Add(DefaultSecretLifetime)
	}
	if !end.After(now) {
		return "", scopevault.Credential{}, invalid("The end date of a client secret must be in the future.")
	}
	if displayName != "" {
		if err := checkName("display name", displayName); err != nil {
			return "", scopevault.Credential{}, err
		}
	}
	secret := newClientSecret()
	cred := secretCredential(secret, displayName, now, end.UTC())
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, tenantID, objectID)
		if err != nil {
			return err
		}
		if p.Kind != scopevault.KindServicePrincipal {
			return invalid("Client secrets can only be added to service principals.")
		}
		if p.FirstParty {
			return scopevault.Errorf(scopevault.EFORBIDDEN, "", "Credentials of the first-party application '%s' cannot be changed.", p.DisplayName)
		}
		p.Credentials = append(p.Credentials, cred)
		return putJSON(ctx, tx, principalKey(p.TenantID, p.ObjectID), p)
	})
	if err != nil {
		return "", scopevault.Credential{}, err
	}
	return secret, cred, nil
}

func secretCredential(secret, name string, start, end time.Time) scopevault.Credential {
	return scopevault.Credential{KeyID: scopevault.NewGUID(), DisplayName: name, Hint: secret[:3], Hash: hashSecret(secret), Start: start, End: end}
}

// CreateUser adds a user that signs in with upn and password.
func (s *Service) CreateUser(ctx context.Context, tenantID, upn, displayName, password string) (*scopevault.Principal, error) {
	upn = strings.TrimSpace(upn)
	if at := strings.IndexByte(upn, '@'); at < 1 || at == len(upn)-1 || len(upn) > 113 || strings.ContainsAny(upn, " \t\r\n/") {
		return nil, invalid("The user principal name '%s' is not valid.", clip(upn))
	}
	if err := checkName("display name", displayName); err != nil {
		return nil, err
	}
	if password == "" || len(password) > 256 {
		return nil, invalid("The password must be 1 to 256 characters.")
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &scopevault.Principal{
		TenantID:          normID(tenantID),
		ObjectID:          scopevault.NewGUID(),
		Kind:              scopevault.KindUser,
		DisplayName:       displayName,
		UserPrincipalName: upn,
		Credentials:       []scopevault.Credential{{KeyID: scopevault.NewGUID(), DisplayName: "password", Hash: hash, Start: now}},
		Created:           now,
	}
	if err := s.create(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// CreateGroup adds an empty security group.
func (s *Service) CreateGroup(ctx context.Context, tenantID, displayName string) (*scopevault.Principal, error) {
	if err := checkName("display name", displayName); err != nil {
		return nil, err
	}
	p := &scopevault.Principal{
		TenantID:    normID(tenantID),
		ObjectID:    scopevault.NewGUID(),
		Kind:        scopevault.KindGroup,
		DisplayName: displayName,
		Created:     s.now(),
	}
	if err := s.create(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// AddMember makes memberObjectID a direct member of the group. Adding an
// existing member is a no-op; groups may nest (cycles are harmless to GroupsOf).
func (s *Service) AddMember(ctx context.Context, tenantID, groupObjectID, memberObjectID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		g, err := s.getPrincipal(ctx, tx, tenantID, groupObjectID)
		if err != nil {
			return err
		}
		if g.Kind != scopevault.KindGroup {
			return invalid("Object '%s' is not a group.", g.ObjectID)
		}
		m, err := s.getPrincipal(ctx, tx, tenantID, memberObjectID)
		if err != nil {
			return err
		}
		if m.ObjectID == g.ObjectID {
			return invalid("A group cannot be a member of itself.")
		}
		if slices.Contains(g.Members, m.ObjectID) {
			return nil
		}
		g.Members = append(g.Members, m.ObjectID)
		return putJSON(ctx, tx, principalKey(g.TenantID, g.ObjectID), g)
	})
}

// CreateManagedIdentity adds a user-assigned managed identity and returns the
// identity header that stands for it at the App Service-style MSI endpoint.
// Only the header's hash is stored (indexed at dir/msi/{hash}).
func (s *Service) CreateManagedIdentity(ctx context.Context, tenantID, name string) (*scopevault.Principal, string, error) {
	if err := checkName("name", name); err != nil {
		return nil, "", err
	}
	header := newIdentityHeader()
	now := s.now()
	p := &scopevault.Principal{
		TenantID:    normID(tenantID),
		ObjectID:    scopevault.NewGUID(),
		Kind:        scopevault.KindManagedIdentity,
		DisplayName: name,
		AppID:       scopevault.NewGUID(),
		Credentials: []scopevault.Credential{{KeyID: scopevault.NewGUID(), DisplayName: "identity header", Hash: hashSecret(header), Start: now}},
		Created:     now,
	}
	err := s.update(ctx, func(tx store.Tx) error {
		if err := s.insert(ctx, tx, p); err != nil {
			return err
		}
		return putJSON(ctx, tx, msiKey(sha256Hex(header)), msiRef{TenantID: p.TenantID, ObjectID: p.ObjectID})
	})
	if err != nil {
		return nil, "", err
	}
	return p, header, nil
}

// create stores a new principal in an existing tenant.
func (s *Service) create(ctx context.Context, p *scopevault.Principal) error {
	return s.update(ctx, func(tx store.Tx) error { return s.insert(ctx, tx, p) })
}

func (s *Service) insert(ctx context.Context, tx store.Tx, p *scopevault.Principal) error {
	var t scopevault.Tenant
	if err := s.getTenant(ctx, tx, p.TenantID, &t); err != nil {
		return err
	}
	if p.UserPrincipalName != "" {
		_, err := tx.Get(ctx, upnKey(p.TenantID, strings.ToLower(p.UserPrincipalName)))
		if err == nil {
			return scopevault.Errorf(scopevault.ECONFLICT, "", "A user with the user principal name '%s' already exists.", p.UserPrincipalName)
		}
		if !isNotFound(err) {
			return err
		}
	}
	return s.putPrincipal(ctx, tx, p)
}

// putPrincipal writes p and its app id / UPN indexes.
func (s *Service) putPrincipal(ctx context.Context, tx store.Tx, p *scopevault.Principal) error {
	if err := putJSON(ctx, tx, principalKey(p.TenantID, p.ObjectID), p); err != nil {
		return err
	}
	if p.AppID != "" {
		if err := tx.Put(ctx, appKey(p.TenantID, p.AppID), []byte(p.ObjectID)); err != nil {
			return err
		}
	}
	if p.UserPrincipalName != "" {
		return tx.Put(ctx, upnKey(p.TenantID, strings.ToLower(p.UserPrincipalName)), []byte(p.ObjectID))
	}
	return nil
}

// GetPrincipal returns the principal with object id oid.
func (s *Service) GetPrincipal(ctx context.Context, tid, oid string) (*scopevault.Principal, error) {
	var p *scopevault.Principal
	err := s.view(ctx, func(tx store.Tx) (err error) {
		p, err = s.getPrincipal(ctx, tx, tid, oid)
		return err
	})
	return p, err
}

// PrincipalByAppID returns the service principal or managed identity with app id appID.
func (s *Service) PrincipalByAppID(ctx context.Context, tid, appID string) (*scopevault.Principal, error) {
	return s.byIndex(ctx, tid, appKey(normID(tid), normID(appID)), "Application", appID)
}

// PrincipalByUPN returns the user with user principal name upn (case-insensitive).
func (s *Service) PrincipalByUPN(ctx context.Context, tid, upn string) (*scopevault.Principal, error) {
	return s.byIndex(ctx, tid, upnKey(normID(tid), strings.ToLower(strings.TrimSpace(upn))), "User", upn)
}

func (s *Service) byIndex(ctx context.Context, tid, key, what, id string) (*scopevault.Principal, error) {
	var p *scopevault.Principal
	err := s.view(ctx, func(tx store.Tx) (err error) {
		p, err = s.principalByIndex(ctx, tx, tid, key, what, id)
		return err
	})
	return p, err
}

func (s *Service) principalByIndex(ctx context.Context, tx store.Tx, tid, key, what, id string) (*scopevault.Principal, error) {
	var t scopevault.Tenant
	if err := s.getTenant(ctx, tx, tid, &t); err != nil {
		return nil, err
	}
	oid, err := tx.Get(ctx, key)
	if isNotFound(err) {
		return nil, notFound(what, id)
	}
	if err != nil {
		return nil, err
	}
	return s.getPrincipal(ctx, tx, tid, string(oid))
}

func (s *Service) getPrincipal(ctx context.Context, tx store.Tx, tid, oid string) (*scopevault.Principal, error) {
	var t scopevault.Tenant
	if err := s.getTenant(ctx, tx, tid, &t); err != nil {
		return nil, err
	}
	id := normID(oid)
	if !scopevault.ValidGUID(id) {
		return nil, notFound("Object", oid)
	}
	var p scopevault.Principal
	err := getJSON(ctx, tx, principalKey(t.ID, id), &p)
	if isNotFound(err) {
		return nil, notFound("Object", oid)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ListPrincipals returns every principal of the tenant in object id order.
func (s *Service) ListPrincipals(ctx context.Context, tid string) ([]*scopevault.Principal, error) {
	var out []*scopevault.Principal
	err := s.view(ctx, func(tx store.Tx) (err error) {
		out, err = s.listPrincipals(ctx, tx, tid)
		return err
	})
	return out, err
}

func (s *Service) listPrincipals(ctx context.Context, tx store.Tx, tid string) ([]*scopevault.Principal, error) {
	var t scopevault.Tenant
	if err := s.getTenant(ctx, tx, tid, &t); err != nil {
		return nil, err
	}
	kvs, err := tx.List(ctx, principalPrefix(t.ID), "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]*scopevault.Principal, 0, len(kvs))
	for _, kv := range kvs {
		var p scopevault.Principal
		if err := json.Unmarshal(kv.Value, &p); err != nil {
			return nil, err
		}
		out = append(out, &p)
	}
	return out, nil
}

// GroupsOf returns the object ids of every group oid belongs to, directly or
// through nested groups, sorted. An unknown oid belongs to no group. It runs
// on every data-plane request, so the membership graph is cached per tenant
// and rebuilt only when something under dir/ changed.
func (s *Service) GroupsOf(ctx context.Context, tid, oid string) ([]string, error) {
	idx, err := s.groups.Get(s.st, "dir", func() (*groupIndex, error) {
		return &groupIndex{parents: map[string]map[string][]string{}}, nil
	})
	if err != nil {
		return nil, err
	}
	parents, err := idx.tenant(normID(tid), func() (map[string][]string, error) {
		all, err := s.ListPrincipals(ctx, tid)
		if err != nil {
			return nil, err
		}
		parents := map[string][]string{} // member -> groups directly containing it
		for _, p := range all {
			for _, m := range p.Members {
				parents[m] = append(parents[m], p.ObjectID)
			}
		}
		return parents, nil
	})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	queue := []string{normID(oid)}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, g := range parents[cur] {
			if !seen[g] {
				seen[g] = true
				queue = append(queue, g)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	slices.Sort(out)
	return out, nil
}

// groupIndex holds, per tenant, which groups directly contain each member.
type groupIndex struct {
	mu      sync.Mutex
	parents map[string]map[string][]string
}

func (g *groupIndex) tenant(tid string, load func() (map[string][]string, error)) (map[string][]string, error) {
	g.mu.Lock()
	p, ok := g.parents[tid]
	g.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := load()
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.parents[tid] = p
	g.mu.Unlock()
	return p, nil
}
