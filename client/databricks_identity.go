package client

import (
	"context"
	"net/http"
)

// TokenInfo describes a personal access token (never its value). Times are
// epoch milliseconds; ExpiryTime is -1 for a token that does not expire.
type TokenInfo struct {
	TokenID      string `json:"token_id"`
	CreationTime int64  `json:"creation_time,omitempty"`
	ExpiryTime   int64  `json:"expiry_time,omitempty"`
	Comment      string `json:"comment,omitempty"`
}

// CreatedToken is token/create's answer: the new token's value, shown once.
type CreatedToken struct {
	TokenValue string    `json:"token_value"`
	TokenInfo  TokenInfo `json:"token_info"`
}

// CreateToken mints a personal access token for the caller. A zero
// lifetime sends none (the workspace's default applies).
func (w *Databricks) CreateToken(ctx context.Context, comment string, lifetimeSeconds int64) (CreatedToken, error) {
	in := struct {
		LifetimeSeconds int64  `json:"lifetime_seconds,omitempty"`
		Comment         string `json:"comment,omitempty"`
	}{lifetimeSeconds, comment}
	var out CreatedToken
	err := w.call(ctx, http.MethodPost, "/api/2.0/token/create", nil, in, &out)
	return out, err
}

// ListTokens lists the caller's tokens.
func (w *Databricks) ListTokens(ctx context.Context) ([]TokenInfo, error) {
	var out struct {
		TokenInfos []TokenInfo `json:"token_infos"`
	}
	err := w.call(ctx, http.MethodGet, "/api/2.0/token/list", nil, nil, &out)
	return out.TokenInfos, err
}

// DeleteToken revokes one of the caller's tokens.
func (w *Databricks) DeleteToken(ctx context.Context, tokenID string) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/token/delete", nil, map[string]string{"token_id": tokenID}, nil)
}

// SCIMUser is the part of SCIM Me a client needs. For a service principal
// UserName is its application id.
type SCIMUser struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName,omitempty"`
	Active      bool   `json:"active"`
	Groups      []struct {
		Display string `json:"display"`
		Value   string `json:"value"`
	} `json:"groups,omitempty"`
}

// Me returns the caller as the workspace knows it.
func (w *Databricks) Me(ctx context.Context) (SCIMUser, error) {
	var out SCIMUser
	err := w.call(ctx, http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil, nil, &out)
	return out, err
}
