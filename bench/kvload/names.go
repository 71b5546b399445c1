package main

import (
	"net"
	"net/url"
	"time"

	"github.com/scopevault/scopevault/client"
)

// dialNames is every connection's dialer: with up --azure-names the env
// file's AZURE_KEYVAULT_URL and DATABRICKS_HOST are Azure's names, which
// need not resolve here; the server's main address (SCOPEVAULT_URL) answers
// each of them, as scopevault's CLI reaches them (client.AzureNamesDialer).
// Every other address is dialed as given.
var dialNames client.DialFunc = (&net.Dialer{Timeout: 30 * time.Second}).DialContext

// routeNamesTo sends connections for Azure's names on the server's port to
// the server of base (https://host:port), unless base is itself an Azure
// name (which then resolves already).
func routeNamesTo(base string) {
	if u, err := url.Parse(base); err != nil || client.IsAzureName(u.Hostname()) {
		return
	}
	if d, err := client.AzureNamesDialer(base, nil); err == nil {
		dialNames = d
	}
}
