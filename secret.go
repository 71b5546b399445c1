package scopevault

import (
	"regexp"
	"strings"
	"time"
)

// Limits of the secrets API, as Key Vault enforces them.
const (
	MaxSecretValueLen    = 25600 // characters
	MaxContentTypeLen    = 255
	MaxTags              = 15
	MaxTagNameLen        = 256
	MaxTagValueLen       = 256
	MaxSecretNameLen     = 127
	MaxPageSize          = 25
	MinRetentionDays     = 7
	MaxRetentionDays     = 90
	DefaultRetentionDays = 90
)

var secretNameRE = regexp.MustCompile(`^[0-9a-zA-Z-]{1,127}$`)

// ValidSecretName reports whether name is a legal secret name.
func ValidSecretName(name string) bool { return secretNameRE.MatchString(name) }

// SecretKey is the case-insensitive identity of a secret name.
func SecretKey(name string) string { return strings.ToLower(name) }

var versionRE = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

// ValidVersion reports whether v looks like a secret version id.
func ValidVersion(v string) bool { return versionRE.MatchString(v) }

// SecretAttributes are the per-version attributes a caller may set.
type SecretAttributes struct {
	Enabled   *bool      `json:"enabled,omitempty"`
	NotBefore *time.Time `json:"nbf,omitempty"`
	Expires   *time.Time `json:"exp,omitempty"`
}

// SecretVersion is one version's metadata (never its value).
type SecretVersion struct {
	Version     string            `json:"version"`
	Enabled     bool              `json:"enabled"`
	NotBefore   *time.Time        `json:"nbf,omitempty"`
	Expires     *time.Time        `json:"exp,omitempty"`
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
	ContentType string            `json:"contentType,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Previous    string            `json:"previousVersion,omitempty"`
}

// Secret is a named secret in a vault with all its versions' metadata.
// Versions are in creation order; the last one is current.
type Secret struct {
	Vault    string          `json:"vault"`
	Name     string          `json:"name"` // case as first created
	Versions []SecretVersion `json:"versions"`
	// Deleted is set while the secret is soft-deleted.
	Deleted            *time.Time `json:"deleted,omitempty"`
	ScheduledPurgeDate *time.Time `json:"scheduledPurgeDate,omitempty"`
}

// Current returns the latest version.
func (s *Secret) Current() *SecretVersion {
	if len(s.Versions) == 0 {
		return nil
	}
	return &s.Versions[len(s.Versions)-1]
}

// Version returns the named version, case-insensitively, or nil.
func (s *Secret) Version(v string) *SecretVersion {
	for i := range s.Versions {
		if strings.EqualFold(s.Versions[i].Version, v) {
			return &s.Versions[i]
		}
	}
	return nil
}

// SecretValue is a version's metadata with its value.
type SecretValue struct {
	Secret  *Secret
	Version *SecretVersion
	Value   string
}
