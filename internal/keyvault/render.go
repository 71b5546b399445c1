package keyvault

import (
	"time"

	"github.com/scopevault/scopevault"
)

// Wire shapes of the secrets API. Absent fields are omitted, as the service
// does; times are integer Unix seconds (a float breaks the Go SDK).

type attributesJSON struct {
	Enabled         *bool  `json:"enabled,omitempty"`
	NotBefore       *int64 `json:"nbf,omitempty"`
	Expires         *int64 `json:"exp,omitempty"`
	Created         *int64 `json:"created,omitempty"`
	Updated         *int64 `json:"updated,omitempty"`
	RecoverableDays *int   `json:"recoverableDays,omitempty"`
	RecoveryLevel   string `json:"recoveryLevel,omitempty"`
}

type bundleJSON struct {
	Value           *string           `json:"value,omitempty"`
	ID              string            `json:"id"`
	ContentType     string            `json:"contentType,omitempty"`
	Attributes      attributesJSON    `json:"attributes"`
	Tags            map[string]string `json:"tags,omitempty"`
	PreviousVersion string            `json:"previousVersion,omitempty"`
	// Deleted bundles and items.
	RecoveryID         string `json:"recoveryId,omitempty"`
	DeletedDate        *int64 `json:"deletedDate,omitempty"`
	ScheduledPurgeDate *int64 `json:"scheduledPurgeDate,omitempty"`
}

type listJSON struct {
	Value    []bundleJSON `json:"value"`
	NextLink *string      `json:"nextLink"`
}

func unix(t time.Time) *int64 {
	u := t.Unix()
	return &u
}

func unixp(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	return unix(*t)
}

func attributes(v *scopevault.Vault, ver *scopevault.SecretVersion) attributesJSON {
	enabled := ver.Enabled
	days := v.RetentionDays()
	return attributesJSON{
		Enabled: &enabled, NotBefore: unixp(ver.NotBefore), Expires: unixp(ver.Expires),
		Created: unix(ver.Created), Updated: unix(ver.Updated),
		RecoverableDays: &days, RecoveryLevel: v.RecoveryLevel(),
	}
}

// bundle renders one version; versioned ids name the version, base ids do not.
func bundle(base string, v *scopevault.Vault, s *scopevault.Secret, ver *scopevault.SecretVersion, versioned bool) bundleJSON {
	id := base + "/secrets/" + s.Name
	if versioned {
		id += "/" + ver.Version
	}
	b := bundleJSON{ID: id, ContentType: ver.ContentType, Attributes: attributes(v, ver), Tags: ver.Tags}
	if len(b.Tags) == 0 {
		b.Tags = nil
	}
	if s.Deleted != nil {
		b.RecoveryID = base + "/deletedsecrets/" + s.Name
		b.DeletedDate = unixp(s.Deleted)
		b.ScheduledPurgeDate = unixp(s.ScheduledPurgeDate)
	}
	return b
}
