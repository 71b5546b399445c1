package server

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/scopevault/scopevault"
)

// Workspaces are served like vaults: each has its own loopback address on
// the shared port, so https://<address>:<port>/ reaches its workspace API
// with no DNS setup, and the real adb-<id>.<n>.azuredatabricks.net host
// works wherever names resolve to scopevault.

// EnsureWorkspaceListener starts listening on a workspace's loopback address.
func (s *Server) EnsureWorkspaceListener(ws *scopevault.Workspace) error {
	if ws.Address == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workspaceAddrs == nil {
		s.workspaceAddrs = map[string]bool{}
	}
	// Marked before listening: a listener on this address is never taken
	// for a vault's, even while it starts.
	s.workspaceAddrs[ws.Address] = true
	if s.closed || s.listeners[ws.Address] != nil {
		return nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ws.Address, strconv.Itoa(s.port)))
	if err != nil {
		return fmt.Errorf("server: workspace %s: listen on %s: %w", ws.Name, ws.Address, err)
	}
	s.listeners[ws.Address] = l
	if s.http != nil {
		s.serve(l)
	}
	return nil
}

// startWorkspaceListeners listens for every existing workspace (at Start).
func (s *Server) startWorkspaceListeners(ctx context.Context) error {
	all, err := s.RM.ListAllWorkspaces(ctx)
	if err != nil {
		return err
	}
	for _, ws := range all {
		if err := s.EnsureWorkspaceListener(ws); err != nil {
			return err
		}
	}
	return nil
}

// WorkspaceURL is a workspace's URL as clients are told it: its no-setup
// https://<address>:<port>, or with AzureNames its real host name.
func (s *Server) WorkspaceURL(ws *scopevault.Workspace) string {
	return "https://" + s.workspaceHost(ws)
}

// workspaceHost is what ARM renders as properties.workspaceUrl: host and
// port, no scheme, as Azure's "adb-<id>.<n>.azuredatabricks.net".
func (s *Server) workspaceHost(ws *scopevault.Workspace) string {
	if s.cfg.AzureNames {
		return ws.RealHost() + s.portSuffix()
	}
	if ws.Address == "" {
		return ws.RealHost()
	}
	return s.hostPort(ws.Address)
}

// isWorkspaceAddr reports whether addr is a workspace's listener address.
func (s *Server) isWorkspaceAddr(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workspaceAddrs[addr]
}

// resolveWorkspace names the workspace a request is for: by its real host
// name (adb-<id>.<n>.azuredatabricks.net, where names resolve to
// scopevault), else by the loopback address the connection arrived on. The
// host decides first because both name the workspace the client meant; the
// address is taken from the listener, never from a header.
func (s *Server) resolveWorkspace(ctx context.Context, host string, local netip.Addr) (*scopevault.Workspace, error) {
	if id, ok := scopevault.WorkspaceIDFromHost(host); ok {
		return s.RM.WorkspaceByID(ctx, id)
	}
	if local.IsValid() {
		return s.RM.WorkspaceByAddress(ctx, local)
	}
	return nil, scopevault.Errorf(scopevault.ENOTFOUND, "WorkspaceNotFound", "The request names no workspace.")
}

// workspaceDeleted drops what a deleted workspace held: its principals,
// tokens, scopes and secrets. Its listener stays; the address goes to the
// next workspace created.
func (s *Server) workspaceDeleted(ws *scopevault.Workspace) error {
	if s.Workspaces == nil {
		return nil
	}
	return s.Workspaces.DeleteWorkspaceData(context.Background(), ws)
}
