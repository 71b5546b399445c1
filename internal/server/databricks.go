package server

import (
	"context"
	"encoding/json"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/databricks"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/workspace"
)

// DefaultWorkspace is the premium workspace the first start creates in the
// default resource group; DATABRICKS_HOST and DATABRICKS_TOKEN name it.
const DefaultWorkspace = "scopevault-default"

// buildDatabricks builds the workspace engine and the workspace API
// handler. It runs after the access pipeline exists (buildHandlers).
func (s *Server) buildDatabricks() {
	w := workspace.New(s.Store, s.Barrier)
	w.Vaults, w.Access, w.Identity, w.Authz, w.RM, w.Now = s.Engine, s.Access, s.Identity, s.Authz, s.RM, s.cfg.Now
	s.Workspaces = w
	cfg := databricks.Config{Workspaces: w, Resolve: s.resolveWorkspace, Logger: s.cfg.Logger, Now: s.cfg.Now}
	if s.Audit != nil {
		cfg.Audit = s.Audit
		w.Audit = s.Audit
	}
	s.databricks = databricks.New(cfg)
}

// ensureDefaultWorkspace creates the default workspace on the first start
// (and on the first start of a data directory made before workspaces
// existed), makes the bootstrap admin its admin and keeps an admin personal
// access token sealed in the bootstrap record, so that every start writes
// the same DATABRICKS_TOKEN to the env file. A token that no longer works
// (revoked through the Tokens API) is replaced.
func (s *Server) ensureDefaultWorkspace(ctx context.Context) error {
	boot := s.Boot
	if boot.Workspace != "" {
		ws, err := s.RM.Workspace(ctx, boot.SubscriptionID, boot.ResourceGroup, boot.Workspace)
		if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
			// Deleted by its user: the env file names no workspace.
			return nil
		}
		if err != nil {
			return err
		}
		if boot.DatabricksToken != "" && s.Workspaces.TokenValid(ctx, ws, boot.DatabricksToken) {
			return nil
		}
		return s.bootstrapWorkspaceAdmin(ctx, ws)
	}
	// A data directory from before workspaces may hold one of that name
	// already: it is adopted as it is.
	ws, err := s.RM.Workspace(ctx, boot.SubscriptionID, boot.ResourceGroup, DefaultWorkspace)
	if err == nil {
		boot.Workspace = ws.Name
		return s.bootstrapWorkspaceAdmin(ctx, ws)
	}
	if scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		return err
	}
	// Its resource group may be gone (deleted in an old data directory):
	// then there is no default workspace.
	if _, err := s.RM.Group(ctx, boot.SubscriptionID, boot.ResourceGroup); scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	ws, _, err = s.RM.CreateOrUpdateWorkspace(ctx, scopevault.Workspace{
		Name: DefaultWorkspace, SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: boot.Location, TenantID: boot.TenantID, SKU: "premium",
		ManagedResourceGroupID: "/subscriptions/" + boot.SubscriptionID + "/resourceGroups/databricks-rg-" + DefaultWorkspace,
		PublicNetworkAccess:    "Enabled", RequiredNsgRules: "AllRules",
		CreatedBy: boot.ObjectID, CreatedByApp: boot.ClientID, UpdatedBy: boot.ObjectID, UpdatedByApp: boot.ClientID,
	})
	if err != nil {
		return err
	}
	boot.Workspace = ws.Name
	return s.bootstrapWorkspaceAdmin(ctx, ws)
}

// bootstrapWorkspaceAdmin makes the bootstrap admin an admin of ws, mints
// its token and seals it in the bootstrap record.
func (s *Server) bootstrapWorkspaceAdmin(ctx context.Context, ws *scopevault.Workspace) error {
	boot := s.Boot
	p, err := s.Identity.GetPrincipal(ctx, boot.TenantID, boot.ObjectID)
	if err != nil {
		return err
	}
	pat, err := s.Workspaces.BootstrapAdmin(ctx, ws, p)
	if err != nil {
		return err
	}
	boot.DatabricksToken = pat
	return s.SaveBootstrap(ctx, boot)
}

// SaveBootstrap seals boot as the bootstrap record (tests use it to
// recreate records of older versions).
func (s *Server) SaveBootstrap(ctx context.Context, boot *Bootstrap) error {
	raw, err := json.Marshal(boot)
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx store.Tx) error { return s.Barrier.Wrap(tx).Put(ctx, bootstrapPath, raw) })
}

// databricksEnv is the env file's DATABRICKS_HOST (the default workspace's
// no-setup URL) and DATABRICKS_TOKEN (the bootstrap admin's token).
func (s *Server) databricksEnv() [][2]string {
	if s.Boot.Workspace == "" || s.RM == nil {
		return nil
	}
	ws, err := s.RM.Workspace(context.Background(), s.Boot.SubscriptionID, s.Boot.ResourceGroup, s.Boot.Workspace)
	if err != nil {
		return nil
	}
	return [][2]string{
		{"DATABRICKS_HOST", s.WorkspaceURL(ws)},
		{"DATABRICKS_TOKEN", s.Boot.DatabricksToken},
	}
}

// BootWorkspace returns the default workspace the first start created.
func (s *Server) BootWorkspace(ctx context.Context) (*scopevault.Workspace, error) {
	return s.RM.Workspace(ctx, s.Boot.SubscriptionID, s.Boot.ResourceGroup, s.Boot.Workspace)
}
