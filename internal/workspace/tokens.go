package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Personal access token rules.
const (
	patPrefix = "dapi"
	// MaxTokensPerPrincipal is the token quota of one user or service principal.
	MaxTokensPerPrincipal = 600
	// MaxTokenLifetime bounds lifetime_seconds so expiry times stay representable.
	MaxTokenLifetime = 100 * 365 * 24 * time.Hour
	maxCommentLen    = 1024
)

func tokenPrefix(ws int64) string         { return wsPrefix(ws) + "t/" }
func tokenKey(ws int64, id string) string { return tokenPrefix(ws) + id }
func tokenHashKey(hash string) string     { return "ws/tokens/" + hash }
func tokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}
func tokenIndexValue(ws int64, id string) []byte { return []byte(strconv.FormatInt(ws, 10) + "/" + id) }

// IsPAT reports whether token has the shape of a personal access token:
// "dapi" and 32 lowercase hex digits.
func IsPAT(token string) bool {
	rest, ok := strings.CutPrefix(token, patPrefix)
	if !ok || len(rest) != 32 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func newPAT() string {
	var b [16]byte
	rand.Read(b[:])
	return patPrefix + hex.EncodeToString(b[:])
}

func newTokenID() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validTokenID(id string) bool {
	if len(id) != 64 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

func errTokenNotFound(id string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "Token %s does not exist!", clip(id))
}

// CreateToken mints a personal access token for the caller's own
// principal. lifetime 0 means it never expires. It returns the token value,
// which is never stored: only its SHA-256 hash is kept.
func (s *Service) CreateToken(ctx context.Context, c *scopevault.WorkspaceCaller, lifetime time.Duration, comment string) (string, *scopevault.PersonalAccessToken, error) {
	if c == nil || c.Principal == nil {
		return "", nil, errInvalidToken()
	}
	var value string
	var t *scopevault.PersonalAccessToken
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		value, t, err = s.mintToken(ctx, tx, c.Workspace.WorkspaceID, c.Principal.ID, lifetime, comment)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return value, t, nil
}

func (s *Service) mintToken(ctx context.Context, tx store.Tx, ws int64, principalID string, lifetime time.Duration, comment string) (string, *scopevault.PersonalAccessToken, error) {
	if lifetime < 0 || lifetime > MaxTokenLifetime {
		return "", nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "lifetime_seconds must be between 0 and %d.", int64(MaxTokenLifetime/time.Second))
	}
	if len(comment) > maxCommentLen {
		return "", nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "comment must be at most %d characters.", maxCommentLen)
	}
	own, err := s.tokensOf(ctx, tx, ws, principalID)
	if err != nil {
		return "", nil, err
	}
	quota := s.TokenQuota
	if quota <= 0 {
		quota = MaxTokensPerPrincipal
	}
	if len(own) >= quota {
		return "", nil, scopevault.Errorf(scopevault.EINVALID, "QUOTA_EXCEEDED", "Cannot create more than %d tokens.", quota)
	}
	now := s.now().Truncate(time.Millisecond)
	value := newPAT()
	t := &scopevault.PersonalAccessToken{ID: newTokenID(), PrincipalID: principalID, Comment: comment, Hash: tokenHash(value), Created: now}
	if lifetime > 0 {
		exp := now.Add(lifetime)
		t.Expires = &exp
	}
	if err := putJSON(ctx, tx, tokenKey(ws, t.ID), t); err != nil {
		return "", nil, err
	}
	if err := tx.Put(ctx, tokenHashKey(t.Hash), tokenIndexValue(ws, t.ID)); err != nil {
		return "", nil, err
	}
	return value, t, nil
}

func (s *Service) tokensOf(ctx context.Context, tx store.Tx, ws int64, principalID string) ([]*scopevault.PersonalAccessToken, error) {
	kvs, err := tx.List(ctx, tokenPrefix(ws), "", 0)
	if err != nil {
		return nil, err
	}
	var out []*scopevault.PersonalAccessToken
	for _, kv := range kvs {
		var t scopevault.PersonalAccessToken
		if err := getJSON(ctx, tx, kv.Key, &t); err != nil {
			return nil, err
		}
		if t.PrincipalID == principalID {
			out = append(out, &t)
		}
	}
	return out, nil
}

// Tokens lists the caller's own tokens that have not expired, oldest first.
func (s *Service) Tokens(ctx context.Context, c *scopevault.WorkspaceCaller) ([]*scopevault.PersonalAccessToken, error) {
	if c == nil || c.Principal == nil {
		return nil, errInvalidToken()
	}
	var out []*scopevault.PersonalAccessToken
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.tokensOf(ctx, tx, c.Workspace.WorkspaceID, c.Principal.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	out = slices.DeleteFunc(out, func(t *scopevault.PersonalAccessToken) bool { return t.Expires != nil && !now.Before(*t.Expires) })
	slices.SortFunc(out, func(a, b *scopevault.PersonalAccessToken) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// DeleteToken revokes one of the caller's own tokens. It stops working on
// the next request.
func (s *Service) DeleteToken(ctx context.Context, c *scopevault.WorkspaceCaller, id string) error {
	if c == nil || c.Principal == nil {
		return errInvalidToken()
	}
	if !validTokenID(id) {
		return errTokenNotFound(id)
	}
	ws := c.Workspace.WorkspaceID
	return s.update(ctx, func(tx store.Tx) error {
		var t scopevault.PersonalAccessToken
		err := getJSON(ctx, tx, tokenKey(ws, id), &t)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.PrincipalID != c.Principal.ID) {
			return errTokenNotFound(id)
		} else if err != nil {
			return err
		}
		return s.deleteToken(ctx, tx, ws, &t)
	})
}

func (s *Service) deleteToken(ctx context.Context, tx store.Tx, ws int64, t *scopevault.PersonalAccessToken) error {
	if err := tx.Delete(ctx, tokenHashKey(t.Hash)); err != nil {
		return err
	}
	return tx.Delete(ctx, tokenKey(ws, t.ID))
}

func (s *Service) deleteTokensOf(ctx context.Context, tx store.Tx, ws int64, principalID string) error {
	ts, err := s.tokensOf(ctx, tx, ws, principalID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := s.deleteToken(ctx, tx, ws, t); err != nil {
			return err
		}
	}
	return nil
}

// TokenValid reports whether pat is a live token of ws (the server checks
// the bootstrap admin's token on start).
func (s *Service) TokenValid(ctx context.Context, ws *scopevault.Workspace, pat string) bool {
	_, err := s.Authenticate(ctx, ws, pat)
	return err == nil
}
