package workspace

import (
	"context"

	"github.com/scopevault/scopevault"
)

// Authenticate resolves a bearer token (a personal access token "dapi...",
// or an Entra ID token for the AzureDatabricks resource) to the workspace
// caller it names. (Being written.)
func (s *Service) Authenticate(ctx context.Context, ws *scopevault.Workspace, token string) (*scopevault.WorkspaceCaller, error) {
	return nil, errNotBuilt("authentication")
}
