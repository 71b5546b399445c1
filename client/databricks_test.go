package client_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/client"
)

// MustWorkspace is a client for the default workspace, as its admin (the
// env file's DATABRICKS_HOST and DATABRICKS_TOKEN).
func (l *live) MustWorkspace(t *testing.T) (w *client.Databricks, host, token string) {
	t.Helper()
	for _, kv := range l.srv.Env() {
		switch kv[0] {
		case "DATABRICKS_HOST":
			host = kv[1]
		case "DATABRICKS_TOKEN":
			token = kv[1]
		}
	}
	w, err := client.NewDatabricks(host, token, l.srv.CA.PEM())
	if err != nil {
		t.Fatal(err)
	}
	return w, host, token
}

func TestDatabricksSecrets(t *testing.T) {
	l := MustLive(t)
	w, _, _ := l.MustWorkspace(t)
	ctx := t.Context()
	if err := w.CreateScope(ctx, client.CreateScopeRequest{Scope: "s1"}); err != nil {
		t.Fatal(err)
	}
	var de *client.DatabricksError
	if err := w.CreateScope(ctx, client.CreateScopeRequest{Scope: "s1"}); !errors.As(err, &de) ||
		de.ErrorCode != "RESOURCE_ALREADY_EXISTS" || de.StatusCode != 400 || de.Message != "Scope s1 already exists!" {
		t.Fatalf("second CreateScope = %v, want RESOURCE_ALREADY_EXISTS 400", err)
	}
	if !bytes.HasPrefix(de.Body, []byte(`{"error_code":"RESOURCE_ALREADY_EXISTS"`)) {
		t.Errorf("Body = %s", de.Body)
	}
	if err := w.PutSecretString(ctx, "s1", "pw", "s3cr3t-é"); err != nil {
		t.Fatal(err)
	}
	blob := []byte{0, 1, 0xfe, 0xff}
	if err := w.PutSecretBytes(ctx, "s1", "blob", blob); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]byte{"pw": []byte("s3cr3t-é"), "blob": blob} {
		got, err := w.GetSecret(ctx, "s1", key)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GetSecret(%s) = %q, %v, want %q", key, got, err, want)
		}
	}
	secrets, err := w.ListSecrets(ctx, "s1")
	if err != nil || len(secrets) != 2 || secrets[0].LastUpdatedTimestamp < 1e12 {
		t.Errorf("ListSecrets = %+v, %v", secrets, err)
	}
	scopes, err := w.ListScopes(ctx)
	if err != nil || len(scopes) == 0 || scopes[0].Name != "s1" || scopes[0].BackendType != client.BackendDatabricks {
		t.Errorf("ListScopes = %+v, %v", scopes, err)
	}

	if err := w.PutACL(ctx, "s1", "users", "READ"); err != nil {
		t.Fatal(err)
	}
	if err := w.PutACL(ctx, "s1", "users", "WRITE"); err != nil { // an upsert
		t.Fatal(err)
	}
	if acl, err := w.GetACL(ctx, "s1", "users"); err != nil || acl != (client.ACLItem{Principal: "users", Permission: "WRITE"}) {
		t.Errorf("GetACL = %+v, %v", acl, err)
	}
	if items, err := w.ListACLs(ctx, "s1"); err != nil || len(items) < 2 {
		t.Errorf("ListACLs = %+v, %v (want the creator and users)", items, err)
	}
	if err := w.DeleteACL(ctx, "s1", "users"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.GetACL(ctx, "s1", "users"); !errors.As(err, &de) || de.ErrorCode != "RESOURCE_DOES_NOT_EXIST" {
		t.Errorf("GetACL after DeleteACL = %v", err)
	}

	if err := w.DeleteSecret(ctx, "s1", "pw"); err != nil {
		t.Fatal(err)
	}
	_, err = w.GetSecret(ctx, "s1", "pw")
	if !errors.As(err, &de) || de.ErrorCode != "RESOURCE_DOES_NOT_EXIST" || de.StatusCode != 404 {
		t.Errorf("GetSecret after DeleteSecret = %v", err)
	}
	if err := w.DeleteScope(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ListSecrets(ctx, "s1"); !errors.As(err, &de) || de.Message != "Scope s1 does not exist!" {
		t.Errorf("ListSecrets after DeleteScope = %v", err)
	}
}

func TestDatabricksTokensAndMe(t *testing.T) {
	l := MustLive(t)
	w, host, token := l.MustWorkspace(t)
	ctx := t.Context()
	me, err := w.Me(ctx)
	if err != nil || me.UserName == "" || !me.Active {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	created, err := w.CreateToken(ctx, "ci", 3600)
	if err != nil || !strings.HasPrefix(created.TokenValue, "dapi") || created.TokenInfo.Comment != "ci" ||
		created.TokenInfo.ExpiryTime-created.TokenInfo.CreationTime != 3600*1000 {
		t.Fatalf("CreateToken = %+v, %v", created.TokenInfo, err)
	}
	infos, err := w.ListTokens(ctx)
	if err != nil || len(infos) < 2 {
		t.Fatalf("ListTokens = %+v, %v", infos, err)
	}
	minted, err := client.NewDatabricks(host, created.TokenValue, l.srv.CA.PEM())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := minted.Me(ctx); err != nil {
		t.Fatalf("Me with the minted token: %v", err)
	}
	if err := w.DeleteToken(ctx, created.TokenInfo.TokenID); err != nil {
		t.Fatal(err)
	}
	// An invalid token: Databricks sends error_code as the number 403.
	_, err = minted.ListScopes(ctx)
	var de *client.DatabricksError
	if !errors.As(err, &de) || de.ErrorCode != "403" || de.StatusCode != 403 || de.Message != "Invalid access token." {
		t.Fatalf("ListScopes with a revoked token = %#v", err)
	}
	for _, secret := range []string{created.TokenValue, token} {
		if strings.Contains(err.Error(), secret) {
			t.Error("the error shows a token")
		}
	}
}

func TestNewDatabricksRefuses(t *testing.T) {
	for _, tc := range []struct{ name, host, token string }{
		{"fail/http", "http://127.0.0.1:1", "dapi1"},
		{"fail/path", "https://h/api", "dapi1"},
		{"fail/no-token", "https://h", ""},
		{"fail/userinfo", "https://u:p@h", "dapi1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := client.NewDatabricks(tc.host, tc.token, nil); err == nil {
				t.Errorf("NewDatabricks(%q) accepted it", tc.host)
			} else if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Error("the error shows the token")
			}
		})
	}
}
