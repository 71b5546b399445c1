package identity

import (
	"context"

	"github.com/scopevault/scopevault/internal/store"
)

// SetDirectoryAdmin grants or revokes the right to manage the directory
// (create principals and groups), as Entra's directory roles do.
func (s *Service) SetDirectoryAdmin(ctx context.Context, tid, oid string, admin bool) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, tid, oid)
		if err != nil {
			return err
		}
		p.DirectoryAdmin = admin
		return s.putPrincipal(ctx, tx, p)
	})
}
