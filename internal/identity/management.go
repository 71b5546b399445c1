package identity

import (
	"net/url"
	"strings"
)

// The control plane's own base URLs. An ARM SDK given only an endpoint
// (say https://localhost:8443) asks for the scope "<endpoint>/.default", as
// it does in sovereign and private clouds, whose management endpoint is
// their own; the token service treats those URLs as the management
// audience.

// SetManagementURLs sets the base URLs (scheme, host and port) at which the
// server's ARM endpoint is reached. The server calls it once, before it
// serves.
func (s *Service) SetManagementURLs(urls ...string) {
	m := make(map[string]bool, len(urls))
	for _, u := range urls {
		if k, ok := baseURLKey(u); ok {
			m[k] = true
		}
	}
	s.mgmtURLs = m
}

// ResourceAudience is the package's ResourceAudience, with the management
// URLs set by SetManagementURLs mapped to the ARM audience.
func (s *Service) ResourceAudience(resource string) (string, bool) {
	if aud, ok := ResourceAudience(resource); ok {
		return aud, true
	}
	if k, ok := baseURLKey(resource); ok && s.mgmtURLs[k] {
		return AudienceARM, true
	}
	return "", false
}

// resourceAudience is Service.ResourceAudience as a tenant-scoped error (AADSTS500011).
func (s *Service) resourceAudience(resource, tid string) (string, error) {
	aud, ok := s.ResourceAudience(resource)
	if !ok {
		return "", errResourceNotFound(resource, tid)
	}
	return aud, nil
}

// baseURLKey is the comparable form of an https base URL: lower-cased
// host and port, with no user, path (but "/"), query or fragment.
func baseURLKey(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" || u.User != nil || u.Opaque != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", false
	}
	return strings.ToLower(u.Host), true
}
