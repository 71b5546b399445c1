// Package client is scopevault's Go client, used by the CLI and by programs:
// token credentials against an Entra-compatible authority (client secret,
// username and password through a public client, and the App Service
// managed identity protocol), a small Azure Resource Manager REST client
// (subscriptions, resource groups, vaults with soft delete, recover and
// purge, role assignments and definitions), the Microsoft Graph calls that
// create and look up service principals, users and groups, and a Key Vault
// secrets client for every secret operation that does the 401 challenge
// dance the way the Azure SDKs do, and a Databricks workspace client (the
// Secrets API 2.0, tokens, SCIM Me) whose errors keep Databricks' error code
// and the raw body.
//
// It is hand-written REST over the standard library. It reads no
// environment variable and no file: callers pass endpoints, credentials and
// (for scopevault's local CA) extra root certificates in. It never logs,
// and no error it returns contains a client secret, a password, an identity
// header or a token. A token is sent only to the host it was asked for:
// pagination links and long-running operation locations on another host
// are refused.
package client
