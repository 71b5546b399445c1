package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

// DefaultTokenLifetime is how long issued access tokens live, as Entra's default.
const DefaultTokenLifetime = time.Hour

const signingKeyPath = "core/signing"

// Service is the directory and token service.
type Service struct {
	st store.Store
	b  *barrier.Barrier
	sk *signingKey

	// Now is the clock; tests replace it.
	Now func() time.Time
	// TokenLifetime is the lifetime of issued access tokens.
	TokenLifetime time.Duration

	verified verifiedTokens
	// mgmtURLs are the control plane's own base URLs (management.go).
	mgmtURLs map[string]bool
	groups   store.Cached[*groupIndex]
	// guard holds lockout counters and the hash bound (guard.go).
	guard atomic.Pointer[guard]
	// checkPassword is the password check; tests replace it to watch how
	// many run at once.
	checkPassword func(hash, password string) bool
	// hashAdmitted, when set, is called once a sign-in holds its place in
	// the hash queue, so tests wait on that event.
	hashAdmitted func()
	// hashWaiting, when set, is called when a sign-in finds the hash
	// queue full and starts waiting for a place (tests).
	hashWaiting func()
}

// signingKey is the RSA key tokens are signed with, plus a self-signed
// certificate for it so the JWKS can carry x5c/x5t like Entra's does.
type signingKey struct {
	kid  string
	key  *rsa.PrivateKey
	cert []byte // DER
}

// storedKey is the persisted form of signingKey (sealed by the barrier).
type storedKey struct {
	Kid  string `json:"kid"`
	Key  []byte `json:"key"`  // PKCS#8 DER
	Cert []byte `json:"cert"` // X.509 DER
}

// New returns a Service over st, loading the token signing key from
// core/signing or creating and persisting one on first start. The key (and
// so its kid) stays the same across restarts, so tokens outlive the process.
func New(ctx context.Context, st store.Store, b *barrier.Barrier) (*Service, error) {
	s := &Service{st: st, b: b, Now: time.Now, TokenLifetime: DefaultTokenLifetime, checkPassword: checkPassword}
	s.SetLimits(Limits{})
	var sk *signingKey
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		sk, err = loadSigningKey(ctx, tx)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if sk == nil {
		// Generate outside the write transaction (it takes a while), then
		// keep whichever key reached the store first.
		fresh, err := newSigningKey()
		if err != nil {
			return nil, err
		}
		err = s.update(ctx, func(tx store.Tx) error {
			existing, err := loadSigningKey(ctx, tx)
			if err == nil {
				sk = existing
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			pk, err := x509.MarshalPKCS8PrivateKey(fresh.key)
			if err != nil {
				return err
			}
			sk = fresh
			return putJSON(ctx, tx, signingKeyPath, storedKey{Kid: fresh.kid, Key: pk, Cert: fresh.cert})
		})
		if err != nil {
			return nil, err
		}
	}
	s.sk = sk
	return s, nil
}

func loadSigningKey(ctx context.Context, tx store.Tx) (*signingKey, error) {
	var sk storedKey
	if err := getJSON(ctx, tx, signingKeyPath, &sk); err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(sk.Key)
	if err != nil {
		return nil, fmt.Errorf("identity: signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("identity: signing key is not RSA")
	}
	return &signingKey{kid: sk.Kid, key: rk, cert: sk.Cert}, nil
}

func newSigningKey() (*signingKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "scopevault token signing"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(20, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	// Entra's kid is the certificate's SHA-1 thumbprint, like x5t; SHA-1
	// here is an identifier, not a security boundary.
	sum := sha1.Sum(cert)
	return &signingKey{kid: base64.RawURLEncoding.EncodeToString(sum[:]), key: key, cert: cert}, nil
}

// KeyID is the kid of the signing key.
func (s *Service) KeyID() string { return s.sk.kid }

// JWK is one public key in the JWKS document.
type JWK struct {
	Kty string   `json:"kty"`
	Use string   `json:"use"`
	Kid string   `json:"kid"`
	X5t string   `json:"x5t"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
	Alg string   `json:"alg,omitempty"`
}

// JWKS returns the public signing keys, as the discovery keys endpoint serves them.
func (s *Service) JWKS() []JWK {
	pub := s.sk.key.PublicKey
	return []JWK{{
		Kty: "RSA",
		Use: "sig",
		Kid: s.sk.kid,
		X5t: s.sk.kid,
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		X5c: []string{base64.StdEncoding.EncodeToString(s.sk.cert)},
		Alg: "RS256",
	}}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// view and update run fn on a transaction wrapped by the barrier, so every
// value under dir/ and core/signing is sealed at rest.
func (s *Service) view(ctx context.Context, fn func(store.Tx) error) error {
	return s.st.View(ctx, func(tx store.Tx) error { return fn(s.b.Wrap(tx)) })
}

func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	return s.st.Update(ctx, func(tx store.Tx) error { return fn(s.b.Wrap(tx)) })
}

func getJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	b, err := tx.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("identity: decode %s: %w", key, err)
	}
	return nil
}

func putJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(ctx, key, b)
}
