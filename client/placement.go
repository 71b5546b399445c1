package client

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// PlacedVault is how a program placed in a subnet reaches one vault.
type PlacedVault struct {
	Vault     string `json:"vault"`
	Host      string `json:"host"`    // <vault>.vault.azure.net
	Address   string `json:"address"` // the loopback listener reached
	Public    string `json:"public"`  // the vault's own address, reached from the internet
	Via       string `json:"via"`     // "private endpoint <id>" or "public endpoint"
	PrivateIP string `json:"privateIp,omitempty"`
	Zone      string `json:"zone,omitempty"`
	Record    string `json:"record,omitempty"`
}

// Placement is scopevault's answer to placing a program in a subnet.
type Placement struct {
	Subnet string        `json:"subnet"`
	Port   int           `json:"port"`
	Vaults []PlacedVault `json:"vaults"`
}

// Place asks scopevault where a program in the subnet (its resource id)
// reaches each vault. The caller needs subnets/join/action on it.
func (a *ARM) Place(ctx context.Context, subnetID string) (Placement, error) {
	var p Placement
	_, err := a.rest.do(ctx, http.MethodPost, "/scopevault/placement", nil, map[string]string{"subnet": subnetID}, &p)
	return p, err
}

// SubnetID finds a subnet by "VNET/SUBNET" in the subscription (or takes
// a full resource id as is).
func (a *ARM) SubnetID(ctx context.Context, sub, ref string) (string, error) {
	if strings.HasPrefix(ref, "/") {
		return ref, nil
	}
	vnet, subnet, ok := strings.Cut(ref, "/")
	if !ok || vnet == "" || subnet == "" || strings.Contains(subnet, "/") {
		return "", fmt.Errorf("%q: want VNET/SUBNET or a subnet's resource id", ref)
	}
	vnets, err := a.VirtualNetworks(ctx, sub, "")
	if err != nil {
		return "", err
	}
	var found []string
	for _, v := range vnets {
		if strings.EqualFold(v.Name, vnet) {
			found = append(found, v.ID+"/subnets/"+subnet)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("virtual network %q was not found in subscription %s", vnet, sub)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%d virtual networks are named %q; give the subnet's resource id", len(found), vnet)
}
