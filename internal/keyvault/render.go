package keyvault

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/jsonx"

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
	// One allocation holds every value the pointers point at.
	vals := &struct {
		enabled                    bool
		days                       int
		nbf, exp, created, updated int64
	}{enabled: ver.Enabled, days: v.RetentionDays(), created: ver.Created.Unix(), updated: ver.Updated.Unix()}
	a := attributesJSON{
		Enabled: &vals.enabled, Created: &vals.created, Updated: &vals.updated,
		RecoverableDays: &vals.days, RecoveryLevel: v.RecoveryLevel(),
	}
	if ver.NotBefore != nil {
		vals.nbf = ver.NotBefore.Unix()
		a.NotBefore = &vals.nbf
	}
	if ver.Expires != nil {
		vals.exp = ver.Expires.Unix()
		a.Expires = &vals.exp
	}
	return a
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

// appendBundle writes b as encoding/json would (HTML-escaped, members in
// field order, absent ones omitted), without reflection: it is on every
// GET. TestAppendBundleMatchesJSON holds it to encoding/json's bytes.
func appendBundle(dst []byte, b *bundleJSON) []byte {
	o := jsonx.Begin(dst)
	if b.Value != nil {
		o.String("value", *b.Value, true)
	}
	o.String("id", b.ID, true)
	if b.ContentType != "" {
		o.String("contentType", b.ContentType, true)
	}
	o.Key("attributes")
	a := jsonx.Begin(o.B)
	at := &b.Attributes
	if at.Enabled != nil {
		a.Bool("enabled", *at.Enabled)
	}
	for _, f := range []struct {
		key string
		v   *int64
	}{{"nbf", at.NotBefore}, {"exp", at.Expires}, {"created", at.Created}, {"updated", at.Updated}} {
		if f.v != nil {
			a.Int(f.key, *f.v)
		}
	}
	if at.RecoverableDays != nil {
		a.Int("recoverableDays", int64(*at.RecoverableDays))
	}
	if at.RecoveryLevel != "" {
		a.String("recoveryLevel", at.RecoveryLevel, true)
	}
	o.B = a.End()
	if len(b.Tags) > 0 {
		o.Key("tags")
		keys := slices.Sorted(maps.Keys(b.Tags))
		t := jsonx.Begin(o.B)
		for _, k := range keys {
			t.Name(k, true)
			t.B = jsonx.AppendString(t.B, b.Tags[k], true)
		}
		o.B = t.End()
	}
	if b.PreviousVersion != "" {
		o.String("previousVersion", b.PreviousVersion, true)
	}
	if b.RecoveryID != "" {
		o.String("recoveryId", b.RecoveryID, true)
	}
	if b.DeletedDate != nil {
		o.Int("deletedDate", *b.DeletedDate)
	}
	if b.ScheduledPurgeDate != nil {
		o.Int("scheduledPurgeDate", *b.ScheduledPurgeDate)
	}
	return o.End()
}

// bundleBufs are the buffers GET responses are encoded in. A buffer is
// cleared before it goes back: it held a secret value.
var bundleBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeBundle writes b as a 200 response, as writeJSON would.
func writeBundle(w http.ResponseWriter, b *bundleJSON) {
	bp := bundleBufs.Get().(*[]byte)
	buf := append(appendBundle((*bp)[:0], b), '\n')
	httpx.WriteJSONBytes(w, http.StatusOK, buf)
	clear(buf)
	*bp = buf[:0]
	bundleBufs.Put(bp)
}
