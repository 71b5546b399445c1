package server

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// POST /scopevault/placement places a program in a subnet for a caller
// that may join it, and answers everyone else in ARM's shape.
func TestPlacementEndpoint(t *testing.T) {
	s := MustStart(t, t.TempDir())
	ctx := context.Background()
	boot := s.Boot
	admin, err := s.Identity.GetPrincipal(ctx, boot.TenantID, boot.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err := s.Identity.CreateServicePrincipal(ctx, boot.TenantID, "stranger")
	if err != nil {
		t.Fatal(err)
	}
	const arm = "https://management.azure.com/"
	adminTok, strangerTok := mustToken(t, s, admin, arm), mustToken(t, s, stranger, arm)
	vnet, _, err := s.RM.PutVirtualNetwork(ctx, scopevault.VirtualNetwork{Name: "vnet1", SubscriptionID: boot.SubscriptionID, ResourceGroup: boot.ResourceGroup,
		Location: "eastus", AddressPrefixes: []string{"10.1.0.0/16"}, Subnets: []scopevault.Subnet{{Name: "apps", AddressPrefix: "10.1.1.0/24"}}})
	if err != nil {
		t.Fatal(err)
	}
	subnet := vnet.SubnetID("apps")
	body := `{"subnet":"` + subnet + `"}`
	for _, tt := range []struct {
		name, token, body string
		status            int
		code              string
	}{
		{"fail/no-token", "", body, 401, "AuthenticationFailed"},
		{"fail/stranger", strangerTok, body, 403, "AuthorizationFailed"},
		{"fail/no-body", adminTok, `{}`, 400, "InvalidRequestFormat"},
		{"fail/not-json", adminTok, `subnet`, 400, "InvalidRequestFormat"},
		{"fail/not-a-subnet-id", adminTok, `{"subnet":"` + vnet.ResourceID() + `"}`, 400, "InvalidResourceId"},
		{"fail/unknown-subnet", adminTok, `{"subnet":"` + vnet.SubnetID("nope") + `"}`, 404, "NotFound"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, raw, _ := insightCall(t, s, "POST", "/scopevault/placement", tt.token, tt.body)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if status != tt.status || json.Unmarshal(raw, &e) != nil || e.Error.Code != tt.code {
				t.Fatalf("got %d %s, want %d %s", status, raw, tt.status, tt.code)
			}
		})
	}

	// Placed twice, the subnet's view of a vault is the same listener;
	// it stands for the subnet, and a connection to it is placed there.
	var first Placement
	for i := range 2 {
		status, raw, _ := insightCall(t, s, "POST", "/scopevault/placement", adminTok, body)
		if status != 200 {
			t.Fatalf("status %d: %s", status, raw)
		}
		var p Placement
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
			continue
		}
		if len(p.Vaults) != len(first.Vaults) || len(p.Vaults) == 0 || p.Vaults[0].Address != first.Vaults[0].Address {
			t.Fatalf("placements differ: %+v then %+v", first, p)
		}
	}
	for _, pv := range first.Vaults {
		if pv.Via != "public endpoint" || pv.Host != strings.ToLower(pv.Vault)+".vault.azure.net" {
			t.Errorf("placed vault %+v", pv)
		}
		a := netip.MustParseAddr(pv.Address)
		p := s.placementAt(a)
		if p == nil || p.Subnet == "" || p.Vault != pv.Vault || p.PrivateIP != netip.MustParseAddr("10.1.1.4") {
			t.Errorf("the listener %s stands for %+v", a, p)
		}
	}
}
