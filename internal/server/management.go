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
	out := []string{s.URL(), "https://" + net.JoinHostPort("127.0.0.1", port), "https://" + net.JoinHostPort("::1", port)}
	if s.cfg.Host != "" {
		out = append(out, "https://"+net.JoinHostPort(s.cfg.Host, port))
	}
	return out
}
