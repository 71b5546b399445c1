package secrets

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Page is one page of a listing. Next is the opaque cursor of the next page, "" at the end.
type Page[T any] struct {
	Items []T
	Next  string
}

// ListSecrets lists the vault's live secrets in case-insensitive name order.
// after is a cursor from a previous page ("" for the first).
func (e *Engine) ListSecrets(ctx context.Context, v *scopevault.Vault, after string, limit int) (Page[*scopevault.Secret], error) {
	return e.listRecords(ctx, v, after, limit, func(s *scopevault.Secret) bool { return s.Deleted == nil })
}

// ListDeleted lists the vault's soft-deleted secrets.
func (e *Engine) ListDeleted(ctx context.Context, v *scopevault.Vault, after string, limit int) (Page[*scopevault.Secret], error) {
	return e.listRecords(ctx, v, after, limit, func(s *scopevault.Secret) bool { return s.Deleted != nil })
}

func (e *Engine) listRecords(ctx context.Context, v *scopevault.Vault, after string, limit int, keep func(*scopevault.Secret) bool) (Page[*scopevault.Secret], error) {
	limit = clampLimit(limit)
	prefix := secretPrefix(v.Name)
	cursor := ""
	if after != "" {
		cursor = prefix + strings.ToLower(after)
	}
	var page Page[*scopevault.Secret]
	err := e.view(ctx, func(tx store.Tx) error {
		for {
			batch, err := tx.List(ctx, prefix, cursor, 2*limit)
			if err != nil {
				return err
			}
			for _, kv := range batch {
				var s scopevault.Secret
				if err := json.Unmarshal(kv.Value, &s); err != nil {
					return err
				}
				cursor = kv.Key
				if e.expired(&s) || !keep(&s) {
					continue
				}
				if len(page.Items) == limit {
					// There is at least one more item: the page ends at the last kept one.
					page.Next = scopevault.SecretKey(page.Items[limit-1].Name)
					return nil
				}
				page.Items = append(page.Items, &s)
			}
			if len(batch) < 2*limit {
				return nil
			}
		}
	})
	return page, err
}

// ListVersions lists a live secret's versions in creation order.
func (e *Engine) ListVersions(ctx context.Context, v *scopevault.Vault, name, after string, limit int) (*scopevault.Secret, Page[scopevault.SecretVersion], error) {
	var page Page[scopevault.SecretVersion]
	if err := checkName(name); err != nil {
		return nil, page, err
	}
	limit = clampLimit(limit)
	start := 0
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 {
			return nil, page, scopevault.Errorf(scopevault.EINVALID, "", "The skip token is invalid.")
		}
		start = n
	}
	var s *scopevault.Secret
	err := e.view(ctx, func(tx store.Tx) error {
		var err error
		s, _, err = e.activeVersion(ctx, tx, v, name, "")
		return err
	})
	if err != nil {
		return nil, page, err
	}
	if start > len(s.Versions) {
		start = len(s.Versions)
	}
	end := min(start+limit, len(s.Versions))
	page.Items = s.Versions[start:end]
	if end < len(s.Versions) {
		page.Next = strconv.Itoa(end)
	}
	return s, page, nil
}

func clampLimit(limit int) int {
	if limit <= 0 || limit > scopevault.MaxPageSize {
		return scopevault.MaxPageSize
	}
	return limit
}
