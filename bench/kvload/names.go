package main

import (
	"context"
	"net"
	"net/url"
	"time"

	"github.com/scopevault/scopevault/client"
)

// dialNames is every connection's dialer: with up --azure-names the env
// file's AZURE_KEYVAULT_URL and DATABRICKS_HOST are Azure's names, which
// need not resolve here; the server's main address (SCOPEVAULT_URL) answers
// each of them, as scopevault's CLI reaches them (client.DialAzureNamesAt).
// Every other address is dialed as given.
var dialNames = (&net.Dialer{Timeout: 30 * time.Second}).DialContext

// routeNamesTo sends connections for Azure's names on the server's port to
// the server of base (https://host:port).
func routeNamesTo(base string) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	server := net.JoinHostPort(u.Hostname(), port)
	d := &net.Dialer{Timeout: 30 * time.Second}
	dialNames = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, p, err := net.SplitHostPort(addr); err == nil && p == port && client.IsAzureName(host) && !client.IsAzureName(u.Hostname()) {
			addr = server
		}
		return d.DialContext(ctx, network, addr)
	}
}
