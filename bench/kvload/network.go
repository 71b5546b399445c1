package main

import (
	"fmt"
	"strings"
)

// The get-net target is the direct GET through the vault's network gate
// with rules set: a vault with defaultAction Deny, bypass None, a handful
// of public ipRules and a virtualNetworkRule for one subnet (which has the
// Microsoft.KeyVault service endpoint), read by a client placed in that
// subnet, so every request is decided by the rules rather than waved
// through. Compared with get (a vault with no rules, over its public
// listener), it prices the gate.

const (
	netVaultName = "kvload-net"
	netVNetName  = "kvload-vnet"
	netSubnet    = "apps"
	apiNetwork   = "2024-05-01"
)

// setupNetwork makes the network, the locked-down vault and the benchmark
// secret (idempotently) and returns the secret's URL through the subnet's
// view of the vault.
func setupNetwork(e *env) (string, string, error) {
	armToken, err := tokenFor(e, "https://management.azure.com/.default")
	if err != nil {
		return "", "", err
	}
	defaultID, err := vaultIDOf(e, armToken, e.vaultURL)
	if err != nil {
		return "", "", err
	}
	i := strings.Index(defaultID, "/providers/")
	if i < 0 {
		return "", "", fmt.Errorf("unexpected vault id %s", defaultID)
	}
	group := defaultID[:i]
	vnetID := group + "/providers/Microsoft.Network/virtualNetworks/" + netVNetName
	subnetID := vnetID + "/subnets/" + netSubnet
	vnet := map[string]any{"location": "eastus", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []string{"10.99.0.0/16"}},
		"subnets": []any{map[string]any{"name": netSubnet, "properties": map[string]any{
			"addressPrefix":    "10.99.1.0/24",
			"serviceEndpoints": []any{map[string]string{"service": "Microsoft.KeyVault"}},
		}}},
	}}
	if err := call(e.setup, "PUT", e.base+vnetID+"?api-version="+apiNetwork, armToken, vnet, nil); err != nil {
		return "", "", fmt.Errorf("virtual network: %w", err)
	}
	var ipRules []any
	for _, r := range []string{"203.0.113.0/24", "198.51.100.0/24", "192.0.2.10", "100.64.1.0/24", "52.10.0.0/16", "40.1.2.3"} {
		ipRules = append(ipRules, map[string]string{"value": r})
	}
	vaultID := group + "/providers/Microsoft.KeyVault/vaults/" + netVaultName
	body := map[string]any{"location": "eastus", "properties": map[string]any{"tenantId": e.tenant,
		"sku": map[string]string{"family": "A", "name": "standard"}, "enableRbacAuthorization": true,
		"networkAcls": map[string]any{"defaultAction": "Deny", "bypass": "None", "ipRules": ipRules,
			"virtualNetworkRules": []any{map[string]string{"id": subnetID}}}}}
	if err := call(e.setup, "PUT", e.base+vaultID+"?api-version=2024-11-01", armToken, body, nil); err != nil {
		return "", "", fmt.Errorf("vault %s: %w", netVaultName, err)
	}
	graph, err := tokenFor(e, "https://graph.microsoft.com/.default")
	if err != nil {
		return "", "", err
	}
	admin, err := principalIDOf(e, graph, e.clientID)
	if err != nil {
		return "", "", err
	}
	if err := grant(e, armToken, vaultID, secretsOfficerRole, admin); err != nil {
		return "", "", err
	}
	var placed struct {
		Port   int `json:"port"`
		Vaults []struct {
			Vault   string `json:"vault"`
			Address string `json:"address"`
		} `json:"vaults"`
	}
	if err := call(e.setup, "POST", e.base+"/scopevault/placement", armToken, map[string]string{"subnet": subnetID}, &placed); err != nil {
		return "", "", fmt.Errorf("placing kvload in %s: %w", subnetID, err)
	}
	for _, v := range placed.Vaults {
		if strings.EqualFold(v.Vault, netVaultName) {
			base := fmt.Sprintf("https://%s:%d", v.Address, placed.Port)
			kvToken, err := tokenFor(e, "https://vault.azure.net/.default")
			if err != nil {
				return "", "", err
			}
			if err := call(e.setup, "PUT", base+"/secrets/kvload-bench?api-version=7.6", kvToken, map[string]string{"value": "kvload benchmark value"}, nil); err != nil {
				return "", "", fmt.Errorf("setting the benchmark secret from the subnet: %w", err)
			}
			return base + "/secrets/kvload-bench/?api-version=7.6", kvToken, nil
		}
	}
	return "", "", fmt.Errorf("the placement in %s has no view of %s", subnetID, netVaultName)
}
