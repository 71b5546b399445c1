package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Generic ARM resources: a PUT, GET or DELETE of any resource id at a given
// api-version, for resource types this package has no typed client for
// or whose whole shape a caller wants to declare (scopevault apply). Bodies
// are the service's own JSON shapes.

// PutResource creates or updates the resource id with body and decodes the
// resource into out (nil to discard). A long-running answer (201 or 202
// with Azure-AsyncOperation) is followed to its end, and out is then the
// resource as a GET returns it.
func (a *ARM) PutResource(ctx context.Context, id, apiVer string, body, out any) error {
	p, err := scopePath(id)
	if err != nil {
		return err
	}
	var first json.RawMessage
	status, h, err := a.rest.send(ctx, http.MethodPut, a.rest.base+p, apiVersion(apiVer), body, &first)
	if err != nil {
		return err
	}
	if h.Get("Azure-AsyncOperation") != "" && (status == http.StatusCreated || status == http.StatusAccepted) {
		if err := a.pollAsyncOperation(ctx, h); err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		return a.GetResource(ctx, id, apiVer, out)
	}
	if out == nil || len(first) == 0 {
		return nil
	}
	return json.Unmarshal(first, out)
}

// GetResource reads the resource id into out.
func (a *ARM) GetResource(ctx context.Context, id, apiVer string, out any) error {
	p, err := scopePath(id)
	if err != nil {
		return err
	}
	_, err = a.rest.do(ctx, http.MethodGet, p, apiVersion(apiVer), nil, out)
	return err
}

// DeleteResource deletes the resource id, waiting for a long-running
// delete to end. Deleting a resource that does not exist is no error.
func (a *ARM) DeleteResource(ctx context.Context, id, apiVer string) error {
	p, err := scopePath(id)
	if err != nil {
		return err
	}
	status, h, err := a.rest.send(ctx, http.MethodDelete, a.rest.base+p, apiVersion(apiVer), nil, nil)
	if IsNotFound(err) {
		return nil
	}
	if err != nil || status != http.StatusAccepted {
		return err
	}
	if h.Get("Azure-AsyncOperation") != "" {
		return a.pollAsyncOperation(ctx, h)
	}
	return a.pollLocation(ctx, h)
}
