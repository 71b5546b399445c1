// Package scopevault is the domain of scopevault: vaults, secrets, principals,
// access decisions and the one error type every wire package renders.
//
// It knows no vendor wire format and no technology: it must not import
// net/http, database/sql or any package under internal/. Wire packages
// (internal/keyvault, internal/entra, internal/arm, ...) translate between
// their vendor's shapes and these types.
package scopevault
