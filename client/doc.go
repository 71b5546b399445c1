// Package client is scopevault's Go client, used by the CLI and by programs:
// client-credentials token acquisition from an Entra-compatible authority, a
// small Azure Resource Manager REST client (subscriptions, resource groups,
// vaults, role assignments and definitions), the Microsoft Graph calls that
// create and look up service principals, and a Key Vault secrets client that
// does the 401 challenge dance the way the Azure SDKs do.
//
// It is hand-written REST over the standard library. It reads no
// environment variable and no file: callers pass endpoints, credentials and
// (for scopevault's local CA) extra root certificates in. It never logs,
// and no error it returns contains a client secret or a token.
package client
