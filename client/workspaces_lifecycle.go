package client

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The workspace lifecycle. Create and delete are long-running: the service
// answers with an Azure-AsyncOperation header naming an operation status,
// which the client polls to Succeeded unless told not to wait.

// WorkspaceAuthorization is a provider authorization of a workspace.
type WorkspaceAuthorization struct {
	PrincipalID      string `json:"principalId"`
	RoleDefinitionID string `json:"roleDefinitionId"`
}

// WorkspaceUser is who created or last updated a workspace.
type WorkspaceUser struct {
	Oid           string `json:"oid,omitempty"`
	Puid          string `json:"puid,omitempty"`
	ApplicationID string `json:"applicationId,omitempty"`
}

// ResourceGroup is the resource group in the workspace's id.
func (w Workspace) ResourceGroup() string { return ResourceGroupOf(w.ID) }

func workspacePath(sub, group, name string) string {
	return groupPath(sub, group) + "/providers/Microsoft.Databricks/workspaces/" + esc(name)
}

// CreateWorkspace creates or updates a workspace. Unless noWait, it waits
// for the operation to finish and returns the workspace as it then is;
// with noWait it returns the service's first answer.
func (a *ARM) CreateWorkspace(ctx context.Context, sub, group, name string, w Workspace, noWait bool) (Workspace, error) {
	var out Workspace
	status, h, err := a.rest.send(ctx, http.MethodPut, a.rest.base+workspacePath(sub, group, name), apiVersion(APIDatabricks), w, &out)
	if err != nil || noWait || (status != http.StatusCreated && status != http.StatusOK && status != http.StatusAccepted) {
		return out, err
	}
	if err := a.pollAsyncOperation(ctx, h); err != nil {
		return out, err
	}
	return a.Workspace(ctx, sub, group, name)
}

// Workspace gets a workspace.
func (a *ARM) Workspace(ctx context.Context, sub, group, name string) (Workspace, error) {
	var out Workspace
	_, err := a.rest.do(ctx, http.MethodGet, workspacePath(sub, group, name), apiVersion(APIDatabricks), nil, &out)
	return out, err
}

// UpdateWorkspaceTags replaces a workspace's tags (PATCH).
func (a *ARM) UpdateWorkspaceTags(ctx context.Context, sub, group, name string, tags map[string]string) (Workspace, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	var out Workspace
	_, err := a.rest.do(ctx, http.MethodPatch, workspacePath(sub, group, name), apiVersion(APIDatabricks),
		map[string]any{"tags": tags}, &out)
	return out, err
}

// DeleteWorkspace deletes a workspace and, unless noWait, waits for the
// operation to finish. Deleting a workspace that does not exist is no error.
func (a *ARM) DeleteWorkspace(ctx context.Context, sub, group, name string, noWait bool) error {
	status, h, err := a.rest.send(ctx, http.MethodDelete, a.rest.base+workspacePath(sub, group, name), apiVersion(APIDatabricks), nil, nil)
	if err != nil || noWait || status != http.StatusAccepted {
		return err
	}
	return a.pollAsyncOperation(ctx, h)
}

// operationStatus is an Azure-AsyncOperation status body.
type operationStatus struct {
	Status string `json:"status"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// pollAsyncOperation follows an Azure-AsyncOperation header until the
// status is Succeeded (nil), Failed or Canceled (an error). It waits
// Retry-After between polls (at most 30 s); without one, the first poll is
// immediate and later ones a second apart. Without the header there is
// nothing to wait for.
func (a *ARM) pollAsyncOperation(ctx context.Context, h http.Header) error {
	u := h.Get("Azure-AsyncOperation")
	if u == "" {
		return nil
	}
	for i := range maxPolls {
		wait := time.Duration(min(i, 1)) * time.Second
		if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n >= 0 {
			wait = min(time.Duration(n)*time.Second, 30*time.Second)
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		var st operationStatus
		_, next, err := a.rest.send(ctx, http.MethodGet, u, nil, nil, &st)
		if err != nil {
			return err
		}
		switch strings.ToLower(st.Status) {
		case "succeeded":
			return nil
		case "failed", "canceled":
			re := &ResponseError{StatusCode: http.StatusOK, Code: st.Status, Message: "The operation " + strings.ToLower(st.Status) + "."}
			if st.Error != nil {
				re.Code, re.Message = st.Error.Code, st.Error.Message
			}
			return re
		}
		h = next
	}
	return fmt.Errorf("client: the operation did not finish after %d polls", maxPolls)
}
