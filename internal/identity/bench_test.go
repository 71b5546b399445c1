package identity_test

import (
	"context"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
)

// BenchmarkVerifyToken is a token seen before: the verification cache's
// path (a hash of the token, a lookup, the lifetime check).
func BenchmarkVerifyToken(b *testing.B) {
	e, sp, _ := benchSP(b)
	ctx := context.Background()
	tok, _, err := e.svc.IssueToken(ctx, sp, "https://vault.azure.net")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.svc.VerifyToken(ctx, tok); err != nil { // the first, full check
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer() // the setup above is not the measure
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.svc.VerifyToken(ctx, tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyTokenFirst is a token's first verification: RS256
// signature, claims, the cache entry. The cache belongs to the Service and
// has no switch, so each token is verified once by each of verifiers
// Services over the same store and key; signing the next token (about 1 ms,
// twenty times a verification) is left out of the measure.
func BenchmarkVerifyTokenFirst(b *testing.B) {
	e, sp, _ := benchSP(b)
	ctx := context.Background()
	bar, err := barrier.Open(ctx, e.st, e.key)
	if err != nil {
		b.Fatal(err)
	}
	const verifiers = 32
	svcs := make([]*identity.Service, verifiers)
	for i := range svcs {
		if svcs[i], err = identity.New(ctx, e.st, bar); err != nil {
			b.Fatal(err)
		}
		svcs[i].Now = e.svc.Now
	}
	var tok string
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i%verifiers == 0 {
			b.StopTimer()
			if tok, _, err = e.svc.IssueToken(ctx, sp, "https://vault.azure.net"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := svcs[i%verifiers].VerifyToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkIssueAndVerify is a fresh token each time: RS256 signing and
// the first, full verification (signature, claims).
func BenchmarkIssueAndVerify(b *testing.B) {
	e, sp, _ := benchSP(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tok, _, err := e.svc.IssueToken(ctx, sp, "https://vault.azure.net")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.VerifyToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientCredentials is the token endpoint's work for a service
// principal with a client secret: lookup, secret check, RS256 signing.
func BenchmarkClientCredentials(b *testing.B) {
	e, sp, secret := benchSP(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.ClientCredentials(ctx, tenantA, sp.AppID, secret, "https://vault.azure.net/.default"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupsOf resolves a member's transitive groups (cached per
// directory generation).
func BenchmarkGroupsOf(b *testing.B) {
	e, sp, _ := benchSP(b)
	ctx := context.Background()
	outer, err := e.svc.CreateGroup(ctx, tenantA, "outer")
	if err != nil {
		b.Fatal(err)
	}
	inner, err := e.svc.CreateGroup(ctx, tenantA, "inner")
	if err != nil {
		b.Fatal(err)
	}
	if err := e.svc.AddMember(ctx, tenantA, outer.ObjectID, inner.ObjectID); err != nil {
		b.Fatal(err)
	}
	if err := e.svc.AddMember(ctx, tenantA, inner.ObjectID, sp.ObjectID); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		gs, err := e.svc.GroupsOf(ctx, tenantA, sp.ObjectID)
		if err != nil || len(gs) != 2 {
			b.Fatalf("groups %v, %v", gs, err)
		}
	}
}

// benchSP is a tenant with one service principal and its client secret.
func benchSP(b *testing.B) (*env, *scopevault.Principal, string) {
	e := MustEnv(b)
	MustTenant(b, e.svc)
	sp, secret, err := e.svc.CreateServicePrincipal(context.Background(), tenantA, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return e, sp, secret
}
