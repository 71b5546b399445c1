package identity

import (
	"context"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Token is an issued access token and what a token response reports about it.
type Token struct {
	AccessToken string
	Audience    string
	// Resource is the resource as the client named it (echoed by v1 and MSI responses).
	Resource  string
	ClientID  string // appid claim
	NotBefore time.Time
	Expires   time.Time
	Principal *scopevault.Principal
}

// ClientCredentials is the client_credentials grant: a service principal
// proves itself with a client secret and receives a token for scope.
func (s *Service) ClientCredentials(ctx context.Context, tenantID, clientID, clientSecret, scope string) (*Token, error) {
	p, err := s.clientByAppID(ctx, tenantID, clientID)
	if err != nil {
		return nil, err
	}
	if clientSecret == "" {
		return nil, errMissingSecret()
	}
	// A throttled application is refused before its secret is looked at;
	// only a wrong secret counts (a missing or expired one is no guess).
	g, now := s.guard.Load(), s.now()
	k := guardAppKey(p.TenantID, p.ObjectID)
	if until := g.lockedUntil(k, now); !until.IsZero() {
		return nil, errClientThrottled(p.AppID, until.Sub(now))
	}
	if err := s.checkClientSecret(p, clientSecret); err != nil {
		if scopevault.ErrorReasonOf(err) == ReasonInvalidSecret {
			g.fail(k, now)
		}
		return nil, err
	}
	g.succeed(k)
	resource, err := ScopeResource(scope)
	if err != nil {
		return nil, err
	}
	return s.grant(p, resource, PublicClientAppID)
}

// checkClientSecret compares against every secret of p in constant time per
// secret; only managed (non-first-party) service principals hold secrets.
func (s *Service) checkClientSecret(p *scopevault.Principal, secret string) error {
	if p.Kind != scopevault.KindServicePrincipal {
		return errInvalidSecret(p.AppID)
	}
	now := s.now()
	matched, expired := false, false
	for _, c := range p.Credentials {
		if !strings.HasPrefix(c.Hash, "sha256$") || !checkSecret(c.Hash, secret) {
			continue
		}
		if now.Before(c.Start) || !c.End.IsZero() && now.After(c.End) {
			expired = true
			continue
		}
		matched = true
	}
	switch {
	case matched:
		return nil
	case expired:
		return errSecretExpired(p.AppID)
	}
	return errInvalidSecret(p.AppID)
}

// Password is the resource owner password grant: a user signs in with UPN
// and password through client clientID (PublicClientAppID or an application
// of the tenant). An unknown user and a wrong password fail alike (AADSTS50126)
// and take as long, so the endpoint does not reveal which users exist.
//
// A locked user name (guard.go) answers AADSTS50053 before any hashing, so a
// locked account costs nothing and the right password does not get in until
// the lockout ends; unknown names are counted and locked alike.
func (s *Service) Password(ctx context.Context, tenantID, clientID, username, password, scope string) (*Token, error) {
	if !strings.EqualFold(clientID, PublicClientAppID) {
		if _, err := s.clientByAppID(ctx, tenantID, clientID); err != nil {
			return nil, err
		}
	} else if _, err := s.Tenant(ctx, tenantID); err != nil {
		return nil, err
	}
	g := s.guard.Load()
	k := guardUserKey(normID(tenantID), strings.ToLower(strings.TrimSpace(username)))
	if !g.lockedUntil(k, s.now()).IsZero() {
		return nil, errAccountLocked()
	}
	u, err := s.PrincipalByUPN(ctx, tenantID, username)
	if err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		return nil, err
	}
	hash := dummyPasswordHash()
	if u != nil && u.Kind == scopevault.KindUser {
		for _, c := range u.Credentials {
			if strings.HasPrefix(c.Hash, "pbkdf2-sha256$") {
				hash = c.Hash
			}
		}
	}
	release, err := g.acquireHash(ctx, s.hashWaiting, s.hashAdmitted)
	if err != nil {
		return nil, err
	}
	// The lockout may have begun while this sign-in waited for its slot.
	if !g.lockedUntil(k, s.now()).IsZero() {
		release()
		return nil, errAccountLocked()
	}
	ok := s.checkPassword(hash, password)
	release()
	if !ok || u == nil || u.Kind != scopevault.KindUser {
		g.fail(k, s.now())
		return nil, errInvalidPassword()
	}
	g.succeed(k)
	resource, err := ScopeResource(scope)
	if err != nil {
		return nil, err
	}
	return s.grant(u, resource, normID(clientID))
}

// ManagedIdentityToken serves the App Service managed identity protocol: the
// identity header names the identity; client_id / object_id, when given,
// must name that same identity.
func (s *Service) ManagedIdentityToken(ctx context.Context, identityHeader, resource, clientID, objectID string) (*Token, error) {
	if identityHeader == "" {
		return nil, scopevault.Errorf(scopevault.EINVALID, ReasonMSIMissingHeader, "The X-IDENTITY-HEADER header is required.")
	}
	var p *scopevault.Principal
	err := s.view(ctx, func(tx store.Tx) error {
		var ref msiRef
		err := getJSON(ctx, tx, msiKey(sha256Hex(identityHeader)), &ref)
		if isNotFound(err) {
			return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonMSIUnknownHeader, "The X-IDENTITY-HEADER does not identify a managed identity.")
		}
		if err != nil {
			return err
		}
		p, err = s.getPrincipal(ctx, tx, ref.TenantID, ref.ObjectID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if clientID != "" && !strings.EqualFold(clientID, p.AppID) || objectID != "" && !strings.EqualFold(objectID, p.ObjectID) {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, ReasonMSIIdentityDiffer, "No managed identity with the requested client_id or object_id is assigned to this environment.")
	}
	if resource == "" {
		return nil, MissingParameter("resource")
	}
	return s.grant(p, resource, PublicClientAppID)
}

// clientByAppID resolves a client id in a tenant: 90002 for an unknown
// tenant, 700016 for an unknown application.
func (s *Service) clientByAppID(ctx context.Context, tenantID, clientID string) (*scopevault.Principal, error) {
	if clientID == "" {
		return nil, MissingParameter("client_id")
	}
	p, err := s.PrincipalByAppID(ctx, tenantID, clientID)
	if scopevault.ErrorReasonOf(err) == ReasonTenantNotFound {
		return nil, err
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil, errAppNotFound(clientID, normID(tenantID))
	}
	return p, err
}

// grant issues a token for p to resource, after mapping it to an audience.
func (s *Service) grant(p *scopevault.Principal, resource, userApp string) (*Token, error) {
	aud, err := s.resourceAudience(resource, p.TenantID)
	if err != nil {
		return nil, err
	}
	raw, exp, err := s.issue(p, aud, userApp)
	if err != nil {
		return nil, err
	}
	appID := p.AppID
	if p.Kind == scopevault.KindUser {
		appID = userApp
	}
	return &Token{
		AccessToken: raw, Audience: aud, Resource: resource, ClientID: appID,
		NotBefore: exp.Add(-s.lifetime()), Expires: exp, Principal: p,
	}, nil
}

func (s *Service) lifetime() time.Duration {
	if s.TokenLifetime <= 0 {
		return DefaultTokenLifetime
	}
	return s.TokenLifetime
}
