package databricks

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/workspace"
)

// maxIdentityBody bounds the body of a tokens or SCIM request.
const maxIdentityBody = 1 << 20

// readIdentityBody decodes a tokens or SCIM request body into v. The body is
// JSON whatever the Content-Type says (the legacy CLI sends text/json); an
// empty body is {}; unknown fields are ignored.
func readIdentityBody(r *http.Request, v any) error {
	raw, err := httpx.ReadBody(r, maxIdentityBody)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return scopevault.Errorf(scopevault.EINVALID, "MALFORMED_REQUEST", "The request body is larger than %d bytes.", maxIdentityBody)
	}
	if err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "MALFORMED_REQUEST", "The request body could not be read.")
	}
	return decodeIdentityJSON(raw, v)
}

func decodeIdentityJSON(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "MALFORMED_REQUEST", "Invalid JSON given in the body of the request - failed to parse given JSON")
	}
	return nil
}

// createTokenRequest is POST /api/2.0/token/create. lifetime_seconds is an
// int64: a JSON number, or a string as proto3 JSON allows.
type createTokenRequest struct {
	LifetimeSeconds json.RawMessage `json:"lifetime_seconds"`
	Comment         string          `json:"comment"`
}

// parseLifetime reads lifetime_seconds: absent, null, 0 or -1 mean the
// token never expires.
func parseLifetime(raw json.RawMessage) (time.Duration, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, scopevault.Errorf(scopevault.EINVALID, "MALFORMED_REQUEST", "Invalid value for lifetime_seconds: expected an integer.")
	}
	if n == 0 || n == -1 {
		return 0, nil
	}
	max := int64(workspace.MaxTokenLifetime / time.Second)
	if n < 0 || n > max {
		return 0, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "lifetime_seconds must be between 1 and %d, or absent for a token that does not expire.", max)
	}
	return time.Duration(n) * time.Second, nil
}

// tokenInfo is Databricks' PublicTokenInfo: times in epoch milliseconds,
// expiry_time -1 for a token that never expires.
type tokenInfo struct {
	TokenID      string `json:"token_id"`
	CreationTime int64  `json:"creation_time"`
	ExpiryTime   int64  `json:"expiry_time"`
	Comment      string `json:"comment,omitempty"`
}

func newTokenInfo(t *scopevault.PersonalAccessToken) tokenInfo {
	ti := tokenInfo{TokenID: t.ID, CreationTime: t.Created.UnixMilli(), ExpiryTime: -1, Comment: t.Comment}
	if t.Expires != nil {
		ti.ExpiryTime = t.Expires.UnixMilli()
	}
	return ti
}

func (h *Handler) createToken(w http.ResponseWriter, req *request) error {
	var body createTokenRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	lifetime, err := parseLifetime(body.LifetimeSeconds)
	if err != nil {
		return err
	}
	value, t, err := h.cfg.Workspaces.CreateToken(req.ctx(), req.caller, lifetime, body.Comment)
	if err != nil {
		return err
	}
	req.audit.Params = map[string]string{"tokenId": t.ID}
	httpx.WriteJSON(w, http.StatusOK, struct {
		TokenValue string    `json:"token_value"`
		TokenInfo  tokenInfo `json:"token_info"`
	}{value, newTokenInfo(t)})
	return nil
}

func (h *Handler) listTokens(w http.ResponseWriter, req *request) error {
	ts, err := h.cfg.Workspaces.Tokens(req.ctx(), req.caller)
	if err != nil {
		return err
	}
	out := struct {
		TokenInfos []tokenInfo `json:"token_infos,omitempty"`
	}{}
	for _, t := range ts {
		out.TokenInfos = append(out.TokenInfos, newTokenInfo(t))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) deleteToken(w http.ResponseWriter, req *request) error {
	var body struct {
		TokenID string `json:"token_id"`
	}
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	if body.TokenID == "" {
		return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Missing required field: token_id")
	}
	req.audit.Params = map[string]string{"tokenId": clipParam(body.TokenID)}
	if err := h.cfg.Workspaces.DeleteToken(req.ctx(), req.caller, body.TokenID); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// clipParam bounds a client-supplied value kept in an audit record.
func clipParam(s string) string {
	if len(s) > 128 {
		return s[:128]
	}
	return s
}

// wellKnown is GET /.well-known/databricks-config: the Go SDK reads the
// workspace id from it and then sends X-Databricks-Workspace-Id.
func (h *Handler) wellKnown(w http.ResponseWriter, req *request) error {
	host := req.r.Host
	if host == "" {
		host = req.workspace.Address
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		OIDCEndpoint string `json:"oidc_endpoint"`
		WorkspaceID  string `json:"workspace_id"`
	}{"https://" + host + "/oidc", formatID(req.workspace.WorkspaceID)})
	return nil
}

// telemetry accepts the new CLI's telemetry uploads and keeps nothing.
func (h *Handler) telemetry(w http.ResponseWriter, req *request) error {
	_, _ = httpx.ReadBody(req.r, maxIdentityBody)
	httpx.WriteJSON(w, http.StatusOK, struct {
		NumProtoSuccess int `json:"numProtoSuccess"`
	}{0})
	return nil
}
