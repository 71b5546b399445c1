package identity

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Hash formats stored in scopevault.Credential.Hash:
//
//	sha256$<hex>                        generated client secrets and identity headers
//	pbkdf2-sha256$<iter>$<salt>$<hash>  user passwords (salt and hash base64url, no padding)
//
// Generated secrets carry ~200 bits of entropy, so a single SHA-256 cannot be
// brute-forced and a slow KDF would only cost CPU on every token request.
// Passwords are chosen by people and get PBKDF2 with a random salt.
const (
	pbkdf2Iterations = 600_000 // OWASP 2023 guidance for PBKDF2-HMAC-SHA256
	pbkdf2MaxIter    = 10_000_000
	pbkdf2KeyLen     = 32
)

// secretAlphabet is what Entra client secrets are drawn from.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"

// newClientSecret returns an Entra-shaped client secret: 40 characters,
// three random ones, a digit, "Q~", then 34 random ones.
func newClientSecret() string {
	var b strings.Builder
	b.WriteString(randomFrom(secretAlphabet[:62], 3))
	b.WriteString(randomFrom("0123456789", 1))
	b.WriteString("Q~")
	b.WriteString(randomFrom(secretAlphabet, 34))
	return b.String()
}

// newIdentityHeader returns a random App Service-style identity header.
func newIdentityHeader() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// randomFrom returns n characters drawn uniformly from alphabet.
func randomFrom(alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	// Rejection sampling keeps the draw uniform for any alphabet size.
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		rand.Read(buf)
		if int(buf[0]) >= limit {
			continue
		}
		out[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(out)
}

// sha256Hex is the index form of a high-entropy secret (dir/msi/{hash}).
func sha256Hex(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func hashSecret(secret string) string { return "sha256$" + sha256Hex(secret) }

// checkSecret reports whether secret matches a "sha256$" hash, in constant time.
func checkSecret(hash, secret string) bool {
	return subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(secret))) == 1
}

func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	dk, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, pbkdf2KeyLen)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pbkdf2Iterations, enc.EncodeToString(salt), enc.EncodeToString(dk)), nil
}

// checkPassword reports whether password matches a "pbkdf2-sha256$" hash.
// A malformed hash never matches.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > pbkdf2MaxIter {
		return false
	}
	enc := base64.RawURLEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyPasswordHash is checked against when the user does not exist, so an
// unknown user costs as much time as a wrong password.
// It is computed on first use so starting the process stays cheap.
var dummyPasswordHash = sync.OnceValue(func() string {
	h, _ := hashPassword("scopevault-dummy")
	return h
})
