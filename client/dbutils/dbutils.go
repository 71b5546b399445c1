// Package dbutils is dbutils.secrets for Go programs: the calls a
// Databricks notebook makes (get, getBytes, list, listScopes), over a
// workspace's REST API.
//
// Unlike package client, this package is meant for user programs and so
// reads the environment and files itself: New finds the workspace as the
// Databricks CLIs do — DATABRICKS_HOST and DATABRICKS_TOKEN, else the
// ~/.databrickscfg profile named by DATABRICKS_CONFIG_PROFILE (or
// [DEFAULT]; the file may be moved with DATABRICKS_CONFIG_FILE) — and
// trusts the CA bundle named by SSL_CERT_FILE besides the system roots.
// Values are never logged and never appear in an error.
package dbutils

import (
	"context"
	"fmt"
	"os"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/config"
)

// DBUtils mirrors a notebook's dbutils; only Secrets is provided.
type DBUtils struct {
	Secrets *Secrets
}

// Secrets is dbutils.secrets.
type Secrets struct {
	w *client.Databricks
	// Context bounds each call (context.Background() if nil).
	Context context.Context
}

// SecretMetadata is what Secrets.List returns for each secret.
type SecretMetadata struct {
	Key string
}

// SecretScope is what Secrets.ListScopes returns for each scope.
type SecretScope struct {
	Name string
}

// New configures DBUtils from the environment or ~/.databrickscfg.
func New() (*DBUtils, error) {
	c, err := config.ResolveDatabricks(os.Getenv, "")
	if err != nil {
		return nil, fmt.Errorf("dbutils: %w", err)
	}
	return NewWithToken(c.Host, c.Token, c.CAPEM)
}

// NewWithToken configures DBUtils for host and token, trusting extraRoots
// (PEM, may be nil) besides the system roots.
func NewWithToken(host, token string, extraRoots []byte) (*DBUtils, error) {
	w, err := client.NewDatabricks(host, token, extraRoots)
	if err != nil {
		return nil, fmt.Errorf("dbutils: %w", err)
	}
	return &DBUtils{Secrets: &Secrets{w: w}}, nil
}

func (s *Secrets) ctx() context.Context {
	if s.Context != nil {
		return s.Context
	}
	return context.Background()
}

// Get returns a secret's value as a string (its bytes as UTF-8).
func (s *Secrets) Get(scope, key string) (string, error) {
	b, err := s.GetBytes(scope, key)
	return string(b), err
}

// GetBytes returns a secret's value.
func (s *Secrets) GetBytes(scope, key string) ([]byte, error) {
	b, err := s.w.GetSecret(s.ctx(), scope, key)
	if err != nil {
		return nil, fmt.Errorf("dbutils.secrets.get(%s, %s): %w", scope, key, err)
	}
	return b, nil
}

// List lists a scope's keys.
func (s *Secrets) List(scope string) ([]SecretMetadata, error) {
	items, err := s.w.ListSecrets(s.ctx(), scope)
	if err != nil {
		return nil, fmt.Errorf("dbutils.secrets.list(%s): %w", scope, err)
	}
	out := make([]SecretMetadata, len(items))
	for i, it := range items {
		out[i] = SecretMetadata{Key: it.Key}
	}
	return out, nil
}

// ListScopes lists the workspace's scopes.
func (s *Secrets) ListScopes() ([]SecretScope, error) {
	scopes, err := s.w.ListScopes(s.ctx())
	if err != nil {
		return nil, fmt.Errorf("dbutils.secrets.listScopes(): %w", err)
	}
	out := make([]SecretScope, len(scopes))
	for i, sc := range scopes {
		out[i] = SecretScope{Name: sc.Name}
	}
	return out, nil
}
