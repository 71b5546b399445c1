package cli

import (
	"time"

	"github.com/scopevault/scopevault/client"
)

// The secret shapes az prints (its keyvault _transformers): every command
// starts from the base properties {attributes, contentType, id, managed,
// name, tags}; set and show add kid and value; set-attributes, recover and
// restore add kid and a null value; delete and show-deleted add kid, a null
// value, deletedDate, recoveryId and scheduledPurgeDate; list-deleted adds
// only the last three. Datetimes are ISO 8601 with "+00:00".

type secretAttrsJSON struct {
	Created         *string `json:"created"`
	Enabled         *bool   `json:"enabled"`
	Expires         *string `json:"expires"`
	NotBefore       *string `json:"notBefore"`
	RecoverableDays *int    `json:"recoverableDays"`
	RecoveryLevel   *string `json:"recoveryLevel"`
	Updated         *string `json:"updated"`
}

// isoTime renders Unix seconds the way az prints datetimes.
func isoTime(sec *int64) *string {
	if sec == nil {
		return nil
	}
	s := pyISO(time.Unix(*sec, 0).UTC())
	return &s
}

// secretBase is transform_secret_base_properties.
func secretBase(s client.Secret) map[string]any {
	at := s.Attributes
	return map[string]any{
		"attributes": secretAttrsJSON{
			Created: isoTime(at.Created), Enabled: at.Enabled, Expires: isoTime(at.Expires), NotBefore: isoTime(at.NotBefore),
			RecoverableDays: at.RecoverableDays, RecoveryLevel: strOrNil(at.RecoveryLevel), Updated: isoTime(at.Updated),
		},
		"contentType": s.ContentType,
		"id":          s.ID,
		"managed":     s.Managed,
		"name":        s.Name(),
		"tags":        s.Tags,
	}
}

// azSecretBundle is a secret with its value (set, show).
func azSecretBundle(s client.Secret) map[string]any {
	out := secretBase(s)
	value := ""
	if s.Value != nil {
		value = *s.Value
	}
	out["kid"], out["value"] = s.Kid, value
	return out
}

// azSecretProps is a secret's properties without its value (set-attributes, recover, restore).
func azSecretProps(s client.Secret) map[string]any {
	out := secretBase(s)
	out["kid"], out["value"] = s.Kid, nil
	return out
}

// azSecretItems is a list of secrets or versions.
func azSecretItems(items []client.Secret) []map[string]any {
	out := []map[string]any{}
	for _, it := range items {
		out = append(out, secretBase(it))
	}
	return out
}

func deletedFields(out map[string]any, d client.DeletedSecret) map[string]any {
	out["deletedDate"], out["recoveryId"], out["scheduledPurgeDate"] = isoTime(d.DeletedDate), strOrNil(d.RecoveryID), isoTime(d.ScheduledPurgeDate)
	return out
}

// azDeletedSecret is a deleted secret (delete, show-deleted).
func azDeletedSecret(d client.DeletedSecret) map[string]any {
	out := azSecretProps(d.Secret)
	return deletedFields(out, d)
}

// azDeletedSecretItems is list-deleted's output.
func azDeletedSecretItems(items []client.DeletedSecret) []map[string]any {
	out := []map[string]any{}
	for _, d := range items {
		out = append(out, deletedFields(secretBase(d.Secret), d))
	}
	return out
}
