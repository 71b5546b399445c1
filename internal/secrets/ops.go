package secrets

import (
	"context"
	"maps"
	"time"
	"unicode/utf8"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// SetParams are the inputs of Set.
type SetParams struct {
	Value       string
	ContentType *string
	Tags        map[string]string
	Attributes  scopevault.SecretAttributes
}

// UpdateParams are the inputs of Update; nil fields are left unchanged.
type UpdateParams struct {
	ContentType *string
	Tags        map[string]string // nil: unchanged; non-nil (even empty): replaces
	Attributes  scopevault.SecretAttributes
}

func validateMeta(contentType *string, tags map[string]string) error {
	if contentType != nil && utf8.RuneCountInString(*contentType) > scopevault.MaxContentTypeLen {
		return scopevault.Errorf(scopevault.EINVALID, "", "Content type is too long. The maximum length is %d characters.", scopevault.MaxContentTypeLen)
	}
	if len(tags) > scopevault.MaxTags {
		return scopevault.Errorf(scopevault.EINVALID, "", "The number of tags (%d) exceeds the maximum of %d.", len(tags), scopevault.MaxTags)
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > scopevault.MaxTagNameLen {
			return scopevault.Errorf(scopevault.EINVALID, "", "Tag names must be 1 to %d characters long.", scopevault.MaxTagNameLen)
		}
		if utf8.RuneCountInString(v) > scopevault.MaxTagValueLen {
			return scopevault.Errorf(scopevault.EINVALID, "", "The value of tag '%s' is longer than %d characters.", k, scopevault.MaxTagValueLen)
		}
	}
	return nil
}

// Set creates a new version of a secret (creating the secret if needed).
func (e *Engine) Set(ctx context.Context, v *scopevault.Vault, name string, p SetParams) (*scopevault.SecretValue, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(p.Value) > scopevault.MaxSecretValueLen {
		return nil, scopevault.Errorf(scopevault.EINVALID, "SecretTooLarge", "Secret is beyond the maximum permitted length of %d characters.", scopevault.MaxSecretValueLen)
	}
	if err := validateMeta(p.ContentType, p.Tags); err != nil {
		return nil, err
	}
	now := e.now()
	ver := scopevault.SecretVersion{
		Version: newVersion(), Enabled: true, Created: now, Updated: now,
		NotBefore: p.Attributes.NotBefore, Expires: p.Attributes.Expires, Tags: maps.Clone(p.Tags),
	}
	if p.Attributes.Enabled != nil {
		ver.Enabled = *p.Attributes.Enabled
	}
	if p.ContentType != nil {
		ver.ContentType = *p.ContentType
	}
	var out *scopevault.Secret
	err := e.update(ctx, func(tx store.Tx) error {
		s, err := e.loadSecret(ctx, tx, v.Name, name)
		if err != nil {
			return err
		}
		if s != nil && s.Deleted != nil {
			return isDeletedConflict(name)
		}
		if s == nil {
			// A record whose purge date passed is removed before the name is reused.
			if err := purgeSecret(ctx, tx, v.Name, name); err != nil {
				return err
			}
			s = &scopevault.Secret{Vault: v.Name, Name: name}
		}
		if cur := s.Current(); cur != nil {
			ver.Previous = cur.Version
		}
		s.Versions = append(s.Versions, ver)
		if err := tx.Put(ctx, valueKey(v.Name, name, ver.Version), []byte(p.Value)); err != nil {
			return err
		}
		out = s
		return putJSON(ctx, tx, secretKey(v.Name, name), s)
	})
	if err != nil {
		return nil, err
	}
	return &scopevault.SecretValue{Secret: out, Version: out.Current(), Value: p.Value}, nil
}

// Get returns a version's value; version "" is the current one.
func (e *Engine) Get(ctx context.Context, v *scopevault.Vault, name, version string) (*scopevault.SecretValue, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return e.getCached(ctx, v, name, version)
}

// activeVersion finds a non-deleted secret's version ("" = current).
func (e *Engine) activeVersion(ctx context.Context, tx store.Tx, v *scopevault.Vault, name, version string) (*scopevault.Secret, *scopevault.SecretVersion, error) {
	s, err := e.loadSecret(ctx, tx, v.Name, name)
	if err != nil {
		return nil, nil, err
	}
	id := name
	if version != "" {
		id = name + "/" + version
	}
	if s == nil || s.Deleted != nil {
		return nil, nil, notFound(id)
	}
	ver := s.Current()
	if version != "" {
		ver = s.Version(version)
	}
	if ver == nil {
		return nil, nil, notFound(id)
	}
	return s, ver, nil
}

// Update changes a version's attributes, content type or tags; never its value.
func (e *Engine) Update(ctx context.Context, v *scopevault.Vault, name, version string, p UpdateParams) (*scopevault.Secret, *scopevault.SecretVersion, error) {
	if err := checkName(name); err != nil {
		return nil, nil, err
	}
	if err := validateMeta(p.ContentType, p.Tags); err != nil {
		return nil, nil, err
	}
	var s *scopevault.Secret
	var ver *scopevault.SecretVersion
	err := e.update(ctx, func(tx store.Tx) error {
		var err error
		s, ver, err = e.activeVersion(ctx, tx, v, name, version)
		if err != nil {
			return err
		}
		if p.Attributes.Enabled != nil {
			ver.Enabled = *p.Attributes.Enabled
		}
		if p.Attributes.NotBefore != nil {
			ver.NotBefore = p.Attributes.NotBefore
		}
		if p.Attributes.Expires != nil {
			ver.Expires = p.Attributes.Expires
		}
		if p.ContentType != nil {
			ver.ContentType = *p.ContentType
		}
		if p.Tags != nil {
			ver.Tags = maps.Clone(p.Tags)
		}
		ver.Updated = e.now()
		return putJSON(ctx, tx, secretKey(v.Name, name), s)
	})
	if err != nil {
		return nil, nil, err
	}
	return s, ver, nil
}

// Delete soft-deletes a secret with all its versions.
func (e *Engine) Delete(ctx context.Context, v *scopevault.Vault, name string) (*scopevault.Secret, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	var s *scopevault.Secret
	err := e.update(ctx, func(tx store.Tx) error {
		var err error
		s, _, err = e.activeVersion(ctx, tx, v, name, "")
		if err != nil {
			return err
		}
		now := e.now()
		purge := now.Add(time.Duration(v.RetentionDays()) * 24 * time.Hour)
		s.Deleted, s.ScheduledPurgeDate = &now, &purge
		return putJSON(ctx, tx, secretKey(v.Name, name), s)
	})
	return s, err
}

// deleted finds a soft-deleted secret.
func (e *Engine) deleted(ctx context.Context, tx store.Tx, v *scopevault.Vault, name string) (*scopevault.Secret, error) {
	s, err := e.loadSecret(ctx, tx, v.Name, name)
	if err != nil {
		return nil, err
	}
	if s == nil || s.Deleted == nil {
		return nil, deletedNotFound(name)
	}
	return s, nil
}

// GetDeleted returns a soft-deleted secret.
func (e *Engine) GetDeleted(ctx context.Context, v *scopevault.Vault, name string) (*scopevault.Secret, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	var s *scopevault.Secret
	err := e.view(ctx, func(tx store.Tx) error {
		var err error
		s, err = e.deleted(ctx, tx, v, name)
		return err
	})
	return s, err
}

// Recover brings a soft-deleted secret back with all its versions.
func (e *Engine) Recover(ctx context.Context, v *scopevault.Vault, name string) (*scopevault.Secret, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	var s *scopevault.Secret
	err := e.update(ctx, func(tx store.Tx) error {
		var err error
		if s, err = e.deleted(ctx, tx, v, name); err != nil {
			return err
		}
		s.Deleted, s.ScheduledPurgeDate = nil, nil
		return putJSON(ctx, tx, secretKey(v.Name, name), s)
	})
	return s, err
}

// Purge permanently removes a soft-deleted secret, unless the vault has purge protection.
func (e *Engine) Purge(ctx context.Context, v *scopevault.Vault, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		if _, err := e.deleted(ctx, tx, v, name); err != nil {
			return err
		}
		if v.EnablePurgeProtection {
			return scopevault.Errorf(scopevault.EFORBIDDEN, "",
				"Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed. Vault: %s;location=%s", v.Name, v.Location)
		}
		return purgeSecret(ctx, tx, v.Name, name)
	})
}
