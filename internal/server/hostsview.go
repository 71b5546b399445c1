package server

import (
	"context"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/scopevault/scopevault/internal/httpx"
)

// HostLine is one line of a hosts file that makes Azure's names reach this
// server: the loopback address of a listener and the names it answers as.
type HostLine struct {
	Address string   `json:"address"`
	Names   []string `json:"names"`
	// Kind is "vault", "workspace" or "control" (the token service, ARM
	// and Graph); Resource is the vault's or workspace's ARM id.
	Kind     string `json:"kind"`
	Resource string `json:"resource,omitempty"`
}

// HostsView is the answer of GET /scopevault/hosts.
type HostsView struct {
	Port int `json:"port"`
	// AzureNames says the server tells clients Azure's names (up
	// --azure-names): its URLs resolve only where these lines are in place.
	AzureNames bool       `json:"azureNames"`
	Hosts      []HostLine `json:"hosts"`
}

// controlNames are the names the control plane answers as.
var controlNames = []string{"login.microsoftonline.com", "management.azure.com", "graph.microsoft.com"}

// Hosts is the hosts-file view of the server for a caller: a line per vault
// and workspace visible(kind, resource id) admits, then the control plane's.
// Deleted vaults have no line.
func (s *Server) Hosts(ctx context.Context, visible func(ctx context.Context, typ, id string) bool) (*HostsView, error) {
	out := &HostsView{Port: s.port, AzureNames: s.cfg.AzureNames, Hosts: []HostLine{}}
	vaults, err := s.Engine.ListVaults(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(vaults, func(i, j int) bool { return vaults[i].Name < vaults[j].Name })
	for _, v := range vaults {
		if v.Deleted != nil || v.Address == "" || !visible(ctx, "Microsoft.KeyVault/vaults", v.ResourceID()) {
			continue
		}
		out.Hosts = append(out.Hosts, HostLine{Address: v.Address, Names: []string{strings.ToLower(v.Name) + ".vault.azure.net"}, Kind: "vault", Resource: v.ResourceID()})
	}
	workspaces, err := s.RM.ListAllWorkspaces(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(workspaces, func(i, j int) bool { return workspaces[i].WorkspaceID < workspaces[j].WorkspaceID })
	for _, w := range workspaces {
		if w.Address == "" || !visible(ctx, "Microsoft.Databricks/workspaces", w.ResourceID()) {
			continue
		}
		out.Hosts = append(out.Hosts, HostLine{Address: w.Address, Names: []string{w.RealHost()}, Kind: "workspace", Resource: w.ResourceID()})
	}
	main := s.cfg.Host
	if ip := net.ParseIP(main); ip == nil || ip.IsUnspecified() {
		main = "127.0.0.1"
	}
	out.Hosts = append(out.Hosts, HostLine{Address: main, Names: controlNames, Kind: "control"})
	return out, nil
}

// serveHosts is GET /scopevault/hosts: what `scopevault hosts` prints and
// `scopevault run --azure` puts in a program's private /etc/hosts. The
// caller (an ARM token, as for the insight endpoints) learns only of the
// vaults and workspaces it may read.
func (s *Server) serveHosts(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.authenticateInsight(r)
	if err != nil {
		return err
	}
	view, err := s.Hosts(r.Context(), s.readable(caller))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, view)
	return nil
}
