package server

import (
	"net"
	"strconv"
)

// managementURLs are the base URLs the control plane answers at. An ARM SDK
// given one of them as its endpoint asks for the scope "<url>/.default",
// which the token service maps to the management audience.
func (s *Server) managementURLs() []string {
	port := strconv.Itoa(s.port)
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if s.cfg.Host != "" {
		hosts = append(hosts, s.cfg.Host)
	}
	var out []string
	for _, h := range hosts {
		// Both spellings: a client may write the default port or leave it out.
		out = append(out, "https://"+s.hostPort(h), "https://"+net.JoinHostPort(h, port))
	}
	return out
}
