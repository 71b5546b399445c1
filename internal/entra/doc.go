// Package entra is the Microsoft Entra ID wire: the OpenID metadata, JWKS,
// instance discovery and user realm documents, the v2 and v1 OAuth2 token
// endpoints, and the App Service managed identity endpoint, in the shapes
// MSAL and azidentity expect. It renders identity's errors as AADSTS bodies.
//
// It is a thin translation layer over internal/identity and the domain; it
// must not import another wire package or the store. The authority base URL
// is taken from the request's Host, so the same handler serves whatever name
// and port it is reached by. Secrets and tokens are never logged.
package entra
