package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HostLine is one hosts-file line making Azure's names reach scopevault.
type HostLine struct {
	Address  string   `json:"address"`
	Names    []string `json:"names"`
	Kind     string   `json:"kind"` // "vault", "workspace" or "control"
	Resource string   `json:"resource,omitempty"`
}

// HostsView is scopevault's hosts-file view: the lines Azure's names need.
type HostsView struct {
	Port       int        `json:"port"`
	AzureNames bool       `json:"azureNames"` // the server tells clients Azure's names (up --azure-names)
	Hosts      []HostLine `json:"hosts"`
}

// Hosts asks scopevault which loopback address answers as each Azure name:
// the vaults and workspaces the caller may read, and the control plane.
func (a *ARM) Hosts(ctx context.Context) (HostsView, error) {
	var v HostsView
	_, err := a.rest.do(ctx, http.MethodGet, "/scopevault/hosts", nil, nil, &v)
	return v, err
}

// azureControlNames are the control-plane names scopevault answers as.
var azureControlNames = map[string]bool{"login.microsoftonline.com": true, "management.azure.com": true, "graph.microsoft.com": true}

// IsAzureName reports whether host (no port) is one of the names
// scopevault answers as: <vault>.vault.azure.net,
// <workspace>.azuredatabricks.net, login.microsoftonline.com,
// management.azure.com or graph.microsoft.com.
func IsAzureName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return azureControlNames[h] || strings.HasSuffix(h, ".vault.azure.net") || strings.HasSuffix(h, ".azuredatabricks.net")
}

// DialAzureNamesAt makes hc reach every Azure name (IsAzureName) at the
// server of serverURL (scopevault's control plane, e.g. https://localhost:8443)
// instead of resolving it: the server answers each name on its main address
// as it does on the name's own listener, and TLS still checks the name. This
// is how scopevault's own CLI works with up --azure-names when the names do
// not resolve to scopevault on this machine. hc's transport must be an
// *http.Transport.
func DialAzureNamesAt(hc *http.Client, serverURL string) error {
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		return fmt.Errorf("client: cannot route Azure's names: the HTTP transport is %T", hc.Transport)
	}
	tr = tr.Clone()
	dial, err := AzureNamesDialer(serverURL, tr.DialContext)
	if err != nil {
		return err
	}
	tr.DialContext = dial
	hc.Transport = tr
	return nil
}

// DialFunc is an http.Transport's DialContext.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// AzureNamesDialer wraps dial (nil: a plain dialer) so that a connection to
// an Azure name (IsAzureName) on the server's port goes to the server of
// serverURL instead; every other address is dialed as given.
func AzureNamesDialer(serverURL string, dial DialFunc) (DialFunc, error) {
	u, err := url.Parse(serverURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: the server URL %q is not an https URL", serverURL)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	server := net.JoinHostPort(u.Hostname(), port)
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, p, err := net.SplitHostPort(addr); err == nil && IsAzureName(host) && p == port {
			addr = server
		}
		return dial(ctx, network, addr)
	}, nil
}
