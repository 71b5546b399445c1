package dbutils_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/client/dbutils"
	"github.com/scopevault/scopevault/internal/server"
)

// MustWorkspace starts scopevault, sets the env file's variables (and a
// fresh HOME) with t.Setenv, and returns an admin client to seed it.
func MustWorkspace(t *testing.T) (w *client.Databricks, env map[string]string) {
	t.Helper()
	s, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	env = map[string]string{}
	for _, kv := range s.Env() {
		env[kv[0]] = kv[1]
		t.Setenv(kv[0], kv[1])
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("DATABRICKS_CONFIG_FILE", "")
	t.Setenv("DATABRICKS_CONFIG_PROFILE", "")
	if w, err = client.NewDatabricks(env["DATABRICKS_HOST"], env["DATABRICKS_TOKEN"], s.CA.PEM()); err != nil {
		t.Fatal(err)
	}
	return w, env
}

func TestSecrets(t *testing.T) {
	w, env := MustWorkspace(t)
	ctx := t.Context()
	if err := w.CreateScope(ctx, client.CreateScopeRequest{Scope: "my-scope"}); err != nil {
		t.Fatal(err)
	}
	if err := w.PutSecretString(ctx, "my-scope", "db-password", "hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := w.PutSecretBytes(ctx, "my-scope", "blob", []byte{0, 0xff}); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T) {
		db, err := dbutils.New()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Secrets.Get("my-scope", "db-password"); err != nil || got != "hunter2" {
			t.Errorf("Get = %d bytes, %v", len(got), err)
		}
		if got, err := db.Secrets.GetBytes("my-scope", "blob"); err != nil || string(got) != "\x00\xff" {
			t.Errorf("GetBytes = %q, %v", got, err)
		}
		keys, err := db.Secrets.List("my-scope")
		if err != nil || len(keys) != 2 {
			t.Errorf("List = %+v, %v", keys, err)
		}
		scopes, err := db.Secrets.ListScopes()
		if err != nil || len(scopes) != 1 || scopes[0] != (dbutils.SecretScope{Name: "my-scope"}) {
			t.Errorf("ListScopes = %+v, %v", scopes, err)
		}
		_, err = db.Secrets.Get("my-scope", "nope")
		var de *client.DatabricksError
		if !errors.As(err, &de) || de.ErrorCode != "RESOURCE_DOES_NOT_EXIST" {
			t.Errorf("Get of a missing key = %v", err)
		}
	}
	t.Run("ok/env", check)

	t.Run("ok/databrickscfg", func(t *testing.T) {
		cfg := filepath.Join(os.Getenv("HOME"), ".databrickscfg")
		body := "[DEFAULT]\nhost = " + env["DATABRICKS_HOST"] + "\ntoken = " + env["DATABRICKS_TOKEN"] + "\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("DATABRICKS_HOST", "")
		t.Setenv("DATABRICKS_TOKEN", "")
		check(t)
	})

	t.Run("fail/invalid-token", func(t *testing.T) {
		t.Setenv("DATABRICKS_TOKEN", "dapi-not-a-token")
		db, err := dbutils.New()
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Secrets.Get("my-scope", "db-password")
		var de *client.DatabricksError
		if !errors.As(err, &de) || de.StatusCode != 403 {
			t.Fatalf("Get with an invalid token = %v", err)
		}
		if strings.Contains(err.Error(), "dapi-not-a-token") || strings.Contains(err.Error(), "hunter2") {
			t.Error("the error shows the token or the value")
		}
	})

	t.Run("fail/no-config", func(t *testing.T) {
		t.Setenv("HOME", t.TempDir())
		t.Setenv("DATABRICKS_HOST", "")
		t.Setenv("DATABRICKS_TOKEN", "")
		if _, err := dbutils.New(); err == nil {
			t.Error("New found a workspace in an empty environment")
		}
	})
}
