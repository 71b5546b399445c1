package arm

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// Soft delete, deleted vaults and purge (reference §1.4). Deleting a vault
// keeps it, with its secrets, under its subscription and location until it
// is recovered (PUT with createMode recover, vaults.go) or purged. Role
// assignments at and below the vault go with the DELETE and a recover does
// not bring them back.

const deletedVaultType = "Microsoft.KeyVault/deletedVaults"

type deletedVaultPropsJSON struct {
	VaultID                string            `json:"vaultId"`
	Location               string            `json:"location"`
	DeletionDate           string            `json:"deletionDate"`
	ScheduledPurgeDate     string            `json:"scheduledPurgeDate"`
	Tags                   map[string]string `json:"tags"`
	PurgeProtectionEnabled bool              `json:"purgeProtectionEnabled"`
}

type deletedVaultJSON struct {
	ID         string                `json:"id"`
	Name       string                `json:"name"`
	Type       string                `json:"type"`
	Properties deletedVaultPropsJSON `json:"properties"`
}

func deletedVaultID(v *scopevault.Vault) string {
	return deletedVaultScope(v.SubscriptionID, v.Location, v.Name)
}

func renderDeletedVault(v *scopevault.Vault) deletedVaultJSON {
	tags := v.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	out := deletedVaultJSON{
		ID: deletedVaultID(v), Name: v.Name, Type: deletedVaultType,
		Properties: deletedVaultPropsJSON{VaultID: v.ResourceID(), Location: v.Location, Tags: tags, PurgeProtectionEnabled: v.EnablePurgeProtection},
	}
	if v.Deleted != nil {
		out.Properties.DeletionDate = v.Deleted.UTC().Format(time.RFC3339)
	}
	if v.ScheduledPurge != nil {
		out.Properties.ScheduledPurgeDate = v.ScheduledPurge.UTC().Format(time.RFC3339)
	}
	return out
}

// deleteVault soft-deletes a vault: 200 when it did, 204 when there is no
// such vault in the group.
func (h *Handler) deleteVault(w http.ResponseWriter, req *request) error {
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	v, err := h.cfg.Engine.DeleteVault(req.ctx(), req.sub.ID, g.Name, req.route.name)
	status := http.StatusOK
	scope := vaultScope(req.sub.ID, g.Name, req.route.name)
	switch {
	case scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND:
		status = http.StatusNoContent
	case err != nil:
		return err
	default:
		scope = v.ResourceID()
	}
	// Also on 204: a DELETE retried after a failure here still removes the
	// grants, which a recover must not bring back. No assignment can be made
	// at a vault that is not live, so this removes nothing else.
	if _, err := h.cfg.Authz.DeleteAssignmentsUnder(req.ctx(), scope); err != nil {
		return err
	}
	w.WriteHeader(status)
	return nil
}

// location normalizes the route's location; one that cannot be a location
// is kept as written, so lookups with it find nothing.
func (req *request) location() string {
	loc, err := normalizeLocation(req.route.location)
	if err != nil {
		return req.route.location
	}
	return loc
}

// deletedIn reports whether v is soft-deleted in the request's subscription
// (and location, when the route names one).
func (req *request) deletedIn(v *scopevault.Vault) bool {
	return v.Deleted != nil && strings.EqualFold(v.SubscriptionID, req.sub.ID) &&
		(req.route.location == "" || strings.EqualFold(v.Location, req.location()))
}

// listDeletedVaults serves the subscription-wide list and the one of a location.
func (h *Handler) listDeletedVaults(w http.ResponseWriter, req *request) error {
	all, err := h.cfg.Engine.ListDeletedVaults(req.ctx())
	if err != nil {
		return err
	}
	var mine []*scopevault.Vault
	for _, v := range all {
		if req.deletedIn(v) {
			mine = append(mine, v)
		}
	}
	seen, err := visible(h, req, req.route.scope, mine, deletedVaultID)
	if err != nil {
		return err
	}
	out := listJSON[deletedVaultJSON]{Value: []deletedVaultJSON{}}
	for _, v := range seen {
		out.Value = append(out.Value, renderDeletedVault(v))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getDeletedVault(w http.ResponseWriter, req *request) error {
	v, err := h.cfg.Engine.DeletedVault(req.ctx(), req.route.name)
	if err != nil {
		return err
	}
	if !req.deletedIn(v) {
		return errDeletedVaultNotFound(req.route.name)
	}
	writeJSON(w, http.StatusOK, renderDeletedVault(v))
	return nil
}

func errDeletedVaultNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/deletedVaults/%s' was not found.", clip(name))
}

// purgeDeletedVault purges at once and answers as the service does, 202
// with a Location to poll: azcore's and core-lro's location pollers follow
// it to a 200 (getVaultOperation).
func (h *Handler) purgeDeletedVault(w http.ResponseWriter, req *request) error {
	v, err := h.cfg.Engine.PurgeVault(req.ctx(), req.sub.ID, req.location(), req.route.name)
	if err != nil {
		return err
	}
	// Nothing should be left at the vault's scope; a recreated vault of the
	// same name must start without grants all the same.
	if _, err := h.cfg.Authz.DeleteAssignmentsUnder(req.ctx(), v.ResourceID()); err != nil {
		return err
	}
	// Nor private endpoint connections: the endpoints that led to it show
	// Disconnected.
	if err := h.cfg.RM.DeleteVaultConnections(req.ctx(), v.Name); err != nil {
		return err
	}
	w.Header().Set("Location", baseURL(req.r)+locationScope(req.sub.ID, v.Location)+"/"+typeOperationResults+"/"+purgeOpID(v)+"?api-version="+req.apiVersion)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// baseURL is the scheme and host the client reached this server at.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// A purge operation id names the purged vault and its deletion time, so the
// status needs no stored state: the operation is over once that deleted
// vault is gone (which it is before the 202 is sent).
func purgeOpID(v *scopevault.Vault) string {
	var del int64
	if v.Deleted != nil {
		del = v.Deleted.Unix()
	}
	return base64.RawURLEncoding.EncodeToString([]byte(scopevault.VaultKey(v.Name) + "|" + strconv.FormatInt(del, 10)))
}

func parsePurgeOpID(id string) (name string, deleted int64, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return "", 0, false
	}
	name, ds, found := strings.Cut(string(raw), "|")
	if !found || !scopevault.ValidVaultName(name) {
		return "", 0, false
	}
	deleted, err = strconv.ParseInt(ds, 10, 64)
	return name, deleted, err == nil
}

// getVaultOperation is the status of a purge: 202 while the deleted vault it
// names still exists, 200 once it is gone.
func (h *Handler) getVaultOperation(w http.ResponseWriter, req *request) error {
	name, deleted, ok := parsePurgeOpID(req.route.kind)
	if !ok {
		return scopevault.Errorf(scopevault.ENOTFOUND, "OperationNotFound", "The operation '%s' was not found.", clip(req.route.kind))
	}
	v, err := h.cfg.Engine.DeletedVault(req.ctx(), name)
	switch {
	case scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND:
	case err != nil:
		return err
	case req.deletedIn(v) && v.Deleted.Unix() == deleted:
		w.Header().Set("Location", baseURL(req.r)+req.r.URL.RequestURI())
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
