package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/scopevault/scopevault"
)

// PublicClientAppID is the app id user tokens carry when no application is
// named: the well-known public client of the Azure CLI.
const PublicClientAppID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// ClockSkew is the leeway VerifyToken allows on exp and nbf.
const ClockSkew = 5 * time.Minute

// maxTokenLen bounds what VerifyToken will parse; our tokens are ~1.5 KB.
const maxTokenLen = 16 << 10

// Issuer is the v1 issuer of tokens for tenant tid.
func Issuer(tid string) string { return "https://sts.windows.net/" + tid + "/" }

// accessClaims is the v1 access-token payload, shaped like Entra's. aud is a
// plain string (jwt.RegisteredClaims would write an array).
type accessClaims struct {
	Aud      string           `json:"aud"`
	Iss      string           `json:"iss"`
	Iat      *jwt.NumericDate `json:"iat"`
	Nbf      *jwt.NumericDate `json:"nbf"`
	Exp      *jwt.NumericDate `json:"exp"`
	AppID    string           `json:"appid"`
	Azp      string           `json:"azp,omitempty"`
	AppIDACR string           `json:"appidacr"`
	IDTyp    string           `json:"idtyp"`
	Name     string           `json:"name,omitempty"`
	OID      string           `json:"oid"`
	Sub      string           `json:"sub"`
	TID      string           `json:"tid"`
	UPN      string           `json:"upn,omitempty"`
	UniqName string           `json:"unique_name,omitempty"`
	UTI      string           `json:"uti"`
	Ver      string           `json:"ver"`
	// MIRID marks managed-identity tokens, as xms_mirid does in Entra's.
	MIRID string `json:"xms_mirid,omitempty"`
}

func (c *accessClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.Exp, nil }
func (c *accessClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.Iat, nil }
func (c *accessClaims) GetNotBefore() (*jwt.NumericDate, error)      { return c.Nbf, nil }
func (c *accessClaims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c *accessClaims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c *accessClaims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings{c.Aud}, nil }

// IssueToken signs an access token for p with audience aud (a value
// ResourceAudience returns). User tokens name PublicClientAppID as their app.
func (s *Service) IssueToken(ctx context.Context, p *scopevault.Principal, audience string) (token string, expires time.Time, err error) {
	return s.issue(p, audience, PublicClientAppID)
}

// issue signs the token; userApp is the client a user signed in through.
func (s *Service) issue(p *scopevault.Principal, audience, userApp string) (string, time.Time, error) {
	if p == nil || p.TenantID == "" || p.ObjectID == "" || audience == "" {
		return "", time.Time{}, scopevault.Errorf(scopevault.EINVALID, "", "A token needs a principal and an audience.")
	}
	now := s.now().Truncate(time.Second)
	exp := now.Add(s.lifetime())
	c := &accessClaims{
		Aud: audience, Iss: Issuer(p.TenantID),
		Iat: jwt.NewNumericDate(now), Nbf: jwt.NewNumericDate(now), Exp: jwt.NewNumericDate(exp),
		OID: p.ObjectID, Sub: p.ObjectID, TID: p.TenantID, UTI: newUTI(), Ver: "1.0",
	}
	// appidacr says how the client authenticated: 0 public client, 1 secret,
	// 2 certificate (Entra reports 2 for managed identities).
	switch p.Kind {
	case scopevault.KindUser:
		c.AppID, c.AppIDACR, c.IDTyp = userApp, "0", "user"
		c.UPN, c.UniqName, c.Name = p.UserPrincipalName, p.UserPrincipalName, p.DisplayName
	case scopevault.KindServicePrincipal:
		c.AppID, c.AppIDACR, c.IDTyp = p.AppID, "1", "app"
	case scopevault.KindManagedIdentity:
		c.AppID, c.AppIDACR, c.IDTyp = p.AppID, "2", "app"
		c.MIRID = "/tenants/" + p.TenantID + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + p.DisplayName
	default:
		return "", time.Time{}, scopevault.Errorf(scopevault.EINVALID, "", "A %s cannot hold a token.", p.Kind)
	}
	c.Azp = c.AppID
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = s.sk.kid
	t.Header["x5t"] = s.sk.kid
	signed, err := t.SignedString(s.sk.key)
	if err != nil {
		return "", time.Time{}, err
	}
	return signed, exp, nil
}

// newUTI is a token's unique id: 16 random bytes, base64url like Entra's.
func newUTI() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Claims are the verified facts of an access token. Whether its audience and
// tenant fit the resource is for the caller to decide.
type Claims struct {
	Audience  string
	Issuer    string
	TenantID  string
	ObjectID  string
	AppID     string
	Kind      scopevault.PrincipalKind
	UPN       string
	IssuedAt  time.Time
	NotBefore time.Time
	Expires   time.Time
}

// Caller returns the authenticated caller the claims describe (without groups;
// the server resolves those with GroupsOf).
func (c *Claims) Caller() *scopevault.Caller {
	return &scopevault.Caller{TenantID: c.TenantID, ObjectID: c.ObjectID, AppID: c.AppID, Issuer: c.Issuer, Kind: c.Kind}
}

// VerifyToken checks raw's RS256 signature against our signing key and its
// lifetime against Now (with ClockSkew), and returns its claims. Errors are
// EUNAUTHORIZED and never quote the token.
func (s *Service) VerifyToken(ctx context.Context, raw string) (*Claims, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return nil, errToken("The access token is missing or malformed.")
	}
	// A token's signature is checked once: the cache maps the token's hash to
	// its claims, and the lifetime is still checked on every use.
	key := tokenHash(raw)
	now := s.now()
	s.verified.mu.Lock()
	c, ok := s.verified.m[key]
	s.verified.mu.Unlock()
	if ok && !now.Before(c.NotBefore.Add(-ClockSkew)) && now.Before(c.Expires.Add(ClockSkew)) {
		cp := *c
		return &cp, nil
	}
	c, err := s.verifyToken(raw)
	if err != nil {
		return nil, err
	}
	s.verified.mu.Lock()
	if s.verified.m == nil || len(s.verified.m) >= maxVerifiedTokens {
		s.verified.m = make(map[[32]byte]*Claims)
	}
	s.verified.m[key] = c
	s.verified.mu.Unlock()
	cp := *c
	return &cp, nil
}

// tokenHash is SHA-256 of raw without copying the token to the heap (a
// []byte conversion or io.WriteString would, about 1.2 KB per request):
// it goes through the hash in stack-sized pieces.
func tokenHash(raw string) [32]byte {
	h := sha256.New()
	var buf [512]byte
	for len(raw) > 0 {
		n := copy(buf[:], raw)
		h.Write(buf[:n])
		raw = raw[n:]
	}
	var key [32]byte
	h.Sum(key[:0])
	return key
}

// maxVerifiedTokens bounds the verification cache; when full it starts over.
const maxVerifiedTokens = 8192

// verifiedTokens caches verified claims by token hash.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[[32]byte]*Claims
}

func (s *Service) verifyToken(raw string) (*Claims, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return nil, errToken("The access token is missing or malformed.")
	}
	var c accessClaims
	_, err := jwt.ParseWithClaims(raw, &c, s.keyFunc,
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithLeeway(ClockSkew),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(),
		jwt.WithNotBeforeRequired(),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonTokenExpired, "The access token has expired.")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return nil, errToken("The access token is not yet valid.")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, errToken("The access token signature is invalid.")
	case err != nil:
		return nil, errToken("The access token is malformed.")
	}
	kind := scopevault.KindServicePrincipal
	switch {
	case c.IDTyp == "user":
		kind = scopevault.KindUser
	case c.MIRID != "":
		kind = scopevault.KindManagedIdentity
	}
	if !scopevault.ValidGUID(c.TID) || !scopevault.ValidGUID(c.OID) || c.Iss != Issuer(c.TID) || c.Aud == "" {
		return nil, errToken("The access token has an invalid issuer, tenant, object id or audience.")
	}
	return &Claims{
		Audience: c.Aud, Issuer: c.Iss, TenantID: c.TID, ObjectID: c.OID, AppID: c.AppID, Kind: kind, UPN: c.UPN,
		IssuedAt: timeOf(c.Iat), NotBefore: timeOf(c.Nbf), Expires: timeOf(c.Exp),
	}, nil
}

// keyFunc accepts only our key; a token naming another kid cannot verify.
func (s *Service) keyFunc(t *jwt.Token) (any, error) {
	if kid, _ := t.Header["kid"].(string); kid != s.sk.kid {
		return nil, jwt.ErrTokenUnverifiable
	}
	return &s.sk.key.PublicKey, nil
}

func errToken(msg string) *scopevault.Error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonInvalidToken, "%s", msg)
}

func timeOf(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.UTC()
}
