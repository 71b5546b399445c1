// Package access is the one access path every wire uses: a bearer token
// becomes a Caller (with its groups), and a caller's vault operation passes
// the network gate, then authorization, giving the Decision that names the
// rule that decided it. The Key Vault wire, Key Vault-backed secret scopes,
// the ARM wire's authentication, and later explain and the portal call this
// code; none re-implements it.
//
// It imports the domain and the identity and authorization services; it
// never imports a wire package.
package access

import (
	"context"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// Verifier checks a token and resolves a principal's groups
// (*identity.Service is one).
type Verifier interface {
	VerifyToken(ctx context.Context, raw string) (*identity.Claims, error)
	GroupsOf(ctx context.Context, tid, oid string) ([]string, error)
}

// Authorizer decides data-plane access by RBAC or access policies
// (*authz.Authorizer is one).
type Authorizer interface {
	AuthorizeData(ctx context.Context, c *scopevault.Caller, v *scopevault.Vault, op scopevault.Operation, secretName string) (scopevault.Decision, error)
}

// Gate is a vault's network gate. It reads the request's network origin
// from ctx (scopevault.OriginFrom), never from anything a client can set.
type Gate interface {
	CheckNetwork(ctx context.Context, c *scopevault.Caller, v *scopevault.Vault) (scopevault.Decision, error)
}

// Pipeline is the access path. Gate may be nil: then every origin passes.
type Pipeline struct {
	Verifier   Verifier
	Authorizer Authorizer
	Gate       Gate
}

// Authenticated is a verified token and the caller it names, groups resolved.
type Authenticated struct {
	Claims *identity.Claims
	Caller *scopevault.Caller
}

// Authenticate verifies a bearer token and resolves the caller's groups.
// Whether the token's audience and tenant fit the resource is the wire's to
// decide: each renders that failure in its own vendor's words. Errors are
// EUNAUTHORIZED (never quoting the token) or internal.
func (p *Pipeline) Authenticate(ctx context.Context, token string) (*Authenticated, error) {
	claims, err := p.Verifier.VerifyToken(ctx, token)
	if err != nil {
		return nil, err
	}
	caller := claims.Caller()
	if caller.GroupIDs, err = p.Verifier.GroupsOf(ctx, claims.TenantID, claims.ObjectID); err != nil {
		return nil, err
	}
	return &Authenticated{Claims: claims, Caller: caller}, nil
}

// CheckVault runs a caller's vault operation through the network gate, then
// authorization, in that order (a request the network refuses learns
// nothing of the vault's permissions). The returned decision is the one
// that decided: the gate's denial, else the authorizer's answer.
func (p *Pipeline) CheckVault(ctx context.Context, c *scopevault.Caller, v *scopevault.Vault, op scopevault.Operation, secretName string) (scopevault.Decision, error) {
	if p.Gate != nil {
		d, err := p.Gate.CheckNetwork(ctx, c, v)
		if err != nil || !d.Allowed {
			return d, err
		}
	}
	return p.Authorizer.AuthorizeData(ctx, c, v, op, secretName)
}
