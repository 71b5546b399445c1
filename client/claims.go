package client

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Claims are the identity claims of an access token.
type Claims struct {
	TenantID string `json:"tid"`
	ObjectID string `json:"oid"`
	AppID    string `json:"appid"`
	AZP      string `json:"azp"`
	UPN      string `json:"upn"`
	// PreferredUsername is the v2 token's user name.
	PreferredUsername string `json:"preferred_username"`
}

// ReadClaims reads the payload of a JWT access token without verifying it.
// It is for a client learning who it signed in as (the tenant and object id
// the token was issued for, as az reads them); a token's signature is the
// resource server's to check, and nothing here may be used to decide trust.
func ReadClaims(token string) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("client: the access token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Claims{}, fmt.Errorf("client: the access token's payload is not base64url")
	}
	var c Claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return Claims{}, fmt.Errorf("client: the access token's payload is not JSON")
	}
	return c, nil
}
