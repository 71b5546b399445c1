package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/netgate"
)

// The simulated network on the loopback range. Two kinds of listener stand
// for places in it (scopevault.Placement), and a connection's place is the
// listener it arrived on, never a header:
//
//   - a private endpoint's listener, on the endpoint's own loopback address
//     (PrivateEndpoint.Address, 127.3.x.y), stands for its private IP: a
//     connection to it came over that endpoint;
//   - a subnet's view of a vault's public endpoint, on an address from
//     127.64.0.0/10 made when a program is first placed in the subnet
//     (scopevault run --subnet): a connection to it came from inside the
//     subnet.
//
// A program is placed in a subnet by giving it a view of name resolution in
// which <vault>.vault.azure.net names the listener its subnet reaches:
// the private endpoint's where the private DNS zones linked to the
// subnet's network resolve the vault to one, else the subnet's view of the
// public endpoint (internal/cli/run_subnet.go).

// firstViewAddr is where subnets' views of vaults start.
var firstViewAddr = netip.MustParseAddr("127.64.0.1")

type placements struct {
	mu     sync.RWMutex
	byAddr map[netip.Addr]*scopevault.Placement
	// views maps "<subnet id>|<vault>" (lower-cased) to its listener address.
	views map[string]netip.Addr
	next  netip.Addr
}

// placementAt is what the listener on addr stands for; nil for the public ones.
func (s *Server) placementAt(a netip.Addr) *scopevault.Placement {
	s.places.mu.RLock()
	defer s.places.mu.RUnlock()
	return s.places.byAddr[a]
}

// network is the network as it is now.
func (s *Server) network(ctx context.Context) (*scopevault.Network, error) {
	return s.RM.Network(ctx)
}

// listenPlacement starts a listener on addr standing for p.
func (s *Server) listenPlacement(addr netip.Addr, p *scopevault.Placement) error {
	s.places.mu.Lock()
	if s.places.byAddr == nil {
		s.places.byAddr = map[netip.Addr]*scopevault.Placement{}
	}
	// Recorded before listening: the first connection already has its place.
	s.places.byAddr[addr] = p
	s.places.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.listeners[addr.String()] != nil {
		return nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr.String(), strconv.Itoa(s.port)))
	if err != nil {
		return fmt.Errorf("server: listen on %s for %s: %w", addr, p.Vault, err)
	}
	s.listeners[addr.String()] = l
	if s.http != nil {
		s.serve(l)
	}
	return nil
}

// syncEndpoints listens on every private endpoint's address that leads to
// a vault. Called at start, before a placement and after network writes.
func (s *Server) syncEndpoints(ctx context.Context) error {
	n, err := s.network(ctx)
	if err != nil {
		return err
	}
	for _, pe := range n.Endpoints {
		addr, err := netip.ParseAddr(pe.Address)
		if err != nil || len(pe.Connections) == 0 {
			continue
		}
		vault := vaultNameOf(pe.Connections[0].TargetID)
		if vault == "" {
			continue
		}
		ip, _ := netip.ParseAddr(pe.PrivateIP)
		if err := s.listenPlacement(addr, &scopevault.Placement{Vault: vault, PrivateEndpoint: pe.ResourceID(), PrivateIP: ip}); err != nil {
			return err
		}
	}
	return nil
}

// vaultNameOf is the vault name of a Microsoft.KeyVault/vaults id, or "".
func vaultNameOf(id string) string {
	const marker = "/providers/microsoft.keyvault/vaults/"
	i := strings.LastIndex(strings.ToLower(id), marker)
	if i < 0 {
		return ""
	}
	name := id[i+len(marker):]
	if name == "" || strings.Contains(name, "/") {
		return ""
	}
	return name
}

// subnetView returns the listener address standing for the subnet's view
// of the vault's public endpoint, starting it on first use.
func (s *Server) subnetView(subnetID, vault string, ip netip.Addr) (netip.Addr, error) {
	key := strings.ToLower(subnetID) + "|" + strings.ToLower(vault)
	s.places.mu.Lock()
	if s.places.views == nil {
		s.places.views = map[string]netip.Addr{}
	}
	addr, ok := s.places.views[key]
	if !ok {
		if !s.places.next.IsValid() {
			s.places.next = firstViewAddr
		}
		for {
			addr = s.places.next
			s.places.next = addr.Next()
			if b := addr.As4(); b[3] != 0 && b[3] != 255 {
				break
			}
		}
		if b := addr.As4(); b[0] != 127 || b[1] >= 128 {
			s.places.mu.Unlock()
			return netip.Addr{}, scopevault.Errorf(scopevault.ECONFLICT, "", "no loopback address left for a subnet's view")
		}
		s.places.views[key] = addr
	}
	s.places.mu.Unlock()
	return addr, s.listenPlacement(addr, &scopevault.Placement{Vault: vault, Subnet: strings.ToLower(subnetID), PrivateIP: ip})
}

// PlacedVault is how a program placed in a subnet reaches one vault.
type PlacedVault struct {
	Vault string `json:"vault"`
	// Host is the vault's real host name, <vault>.vault.azure.net.
	Host string `json:"host"`
	// Address is the loopback address of the listener the program reaches.
	Address string `json:"address"`
	// Public is the vault's own (public, from the internet) address.
	Public string `json:"public"`
	// Via says which: "private endpoint <id>" or "public endpoint".
	Via string `json:"via"`
	// PrivateIP is the private address the listener stands for.
	PrivateIP string `json:"privateIp,omitempty"`
	// Zone and Record name the private DNS record that resolved the name.
	Zone   string `json:"zone,omitempty"`
	Record string `json:"record,omitempty"`
}

// Placement is the answer to placing a program in a subnet.
type Placement struct {
	Subnet string        `json:"subnet"`
	Port   int           `json:"port"`
	Vaults []PlacedVault `json:"vaults"`
}

// Place places a program in the subnet: for every live vault, the listener
// its name resolves to from there.
func (s *Server) Place(ctx context.Context, subnetID string) (*Placement, error) {
	if err := s.syncEndpoints(ctx); err != nil {
		return nil, err
	}
	n, err := s.network(ctx)
	if err != nil {
		return nil, err
	}
	vnet, sub := n.Subnet(subnetID)
	if sub == nil {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "NotFound", "Subnet %s was not found.", subnetID)
	}
	vaults, err := s.Engine.ListVaults(ctx)
	if err != nil {
		return nil, err
	}
	out := &Placement{Subnet: vnet.SubnetID(sub.Name), Port: s.port, Vaults: []PlacedVault{}}
	for _, v := range vaults {
		if v.Deleted != nil {
			continue
		}
		p, res, _ := netgate.PlaceIn(n, out.Subnet, v.Name)
		pv := PlacedVault{Vault: v.Name, Host: strings.ToLower(v.Name) + ".vault.azure.net", Public: v.Address, Zone: res.Zone, Record: res.Record}
		if p.PrivateIP.IsValid() {
			pv.PrivateIP = p.PrivateIP.String()
		}
		if p.PrivateEndpoint != "" {
			pv.Via, pv.Address = "private endpoint "+p.PrivateEndpoint, res.Endpoint.Address
		} else {
			addr, err := s.subnetView(p.Subnet, v.Name, p.PrivateIP)
			if err != nil {
				return nil, err
			}
			pv.Via, pv.Address = "public endpoint", addr.String()
		}
		out.Vaults = append(out.Vaults, pv)
	}
	sort.Slice(out.Vaults, func(i, j int) bool { return out.Vaults[i].Vault < out.Vaults[j].Vault })
	return out, nil
}

// subnetJoinAction is what placing a program in a subnet needs, as placing
// a network interface there does in Azure.
const subnetJoinAction = "Microsoft.Network/virtualNetworks/subnets/join/action"

// servePlacement is POST /scopevault/placement {"subnet": "<id>"}: the
// caller (an ARM token, as for the insight endpoints) needs
// subnets/join/action on the subnet. Errors are in ARM's shape.
func (s *Server) servePlacement(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	caller, err := s.authenticateInsight(r)
	if err != nil {
		return err
	}
	var in struct {
		Subnet string `json:"subnet"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Subnet == "" {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidRequestFormat", "The body must be {\"subnet\": \"<subnet resource id>\"}.")
	}
	if _, _, ok := scopevault.ParseSubnetID(in.Subnet); !ok || len(in.Subnet) > 1024 {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidResourceId", "%q is not a subnet's resource id.", clipText(in.Subnet))
	}
	if err := s.mayRead(ctx, caller, subnetJoinAction, in.Subnet); err != nil {
		return err
	}
	p, err := s.Place(ctx, in.Subnet)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func clipText(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// watchNetwork keeps private endpoints' listeners in step with the store:
// a write under net/ wakes a goroutine that starts the new ones (the
// watcher itself must not call the store).
func (s *Server) watchNetwork() {
	s.netChanged = make(chan struct{}, 1)
	s.Store.Watch(func(keys []string) {
		for _, k := range keys {
			if strings.HasPrefix(k, "net/") {
				select {
				case s.netChanged <- struct{}{}:
				default:
				}
				return
			}
		}
	})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-s.netChanged:
			case <-s.stopped:
				return
			}
			if err := s.syncEndpoints(context.Background()); err != nil {
				s.cfg.Logger.Warn("server: private endpoint listeners", "err", err)
			}
		}
	}()
}
