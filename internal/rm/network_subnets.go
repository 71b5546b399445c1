package rm

import (
	"context"
	"errors"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// One subnet at a time; the network's record holds them, so each write
// validates the whole network again.

func errSubnetNotFound(n *scopevault.VirtualNetwork, name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "NotFound", "Resource %s not found.", clipName(n.SubnetID(name)))
}

// PutSubnet creates or replaces one subnet of a virtual network.
func (m *Manager) PutSubnet(ctx context.Context, sub, group, vnet string, s scopevault.Subnet) (*scopevault.Subnet, bool, error) {
	key := resKey(vnetsPrefix, sub, group, vnet)
	created := false
	var out scopevault.Subnet
	err := m.update(ctx, func(tx store.Tx) error {
		var n scopevault.VirtualNetwork
		if err := getJSON(ctx, tx, key, &n); err != nil {
			return err
		}
		old := n
		old.Subnets = append([]scopevault.Subnet(nil), n.Subnets...)
		if cur := n.Subnet(s.Name); cur != nil {
			s.Name = cur.Name
			*cur = s
		} else {
			created = true
			n.Subnets = append(n.Subnets, s)
		}
		if err := m.checkSubnetChanges(ctx, tx, &old, &n); err != nil {
			return err
		}
		if err := normalizeVNet(&n); err != nil {
			return err
		}
		n.Updated = m.Now().UTC()
		out = *n.Subnet(s.Name)
		return putJSON(ctx, tx, key, n)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, errNotFound(providerVNets, group, vnet)
	}
	if err != nil {
		return nil, false, err
	}
	return &out, created, nil
}

// Subnet returns one subnet of a virtual network.
func (m *Manager) Subnet(ctx context.Context, sub, group, vnet, name string) (*scopevault.Subnet, error) {
	n, err := m.VirtualNetwork(ctx, sub, group, vnet)
	if err != nil {
		return nil, err
	}
	s := n.Subnet(name)
	if s == nil {
		return nil, errSubnetNotFound(n, name)
	}
	return s, nil
}

// DeleteSubnet removes a subnet; refused while something uses it.
func (m *Manager) DeleteSubnet(ctx context.Context, sub, group, vnet, name string) error {
	key := resKey(vnetsPrefix, sub, group, vnet)
	err := m.update(ctx, func(tx store.Tx) error {
		var n scopevault.VirtualNetwork
		if err := getJSON(ctx, tx, key, &n); err != nil {
			return err
		}
		s := n.Subnet(name)
		if s == nil {
			return errSubnetNotFound(&n, name)
		}
		user, err := subnetUser(ctx, tx, n.SubnetID(s.Name), "")
		if err != nil {
			return err
		}
		if user != "" {
			return errSubnetInUse(s.Name, user)
		}
		kept := n.Subnets[:0]
		for _, x := range n.Subnets {
			if !strings.EqualFold(x.Name, name) {
				kept = append(kept, x)
			}
		}
		n.Subnets = kept
		n.Updated = m.Now().UTC()
		return putJSON(ctx, tx, key, n)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound(providerVNets, group, vnet)
	}
	return err
}
