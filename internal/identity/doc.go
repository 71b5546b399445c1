// Package identity owns the directory: tenants, principals (users, groups,
// service principals, managed identities), their credentials, and the access
// tokens scopevault issues and verifies in place of Microsoft Entra ID.
//
// Everything it stores lives under dir/ and core/signing, written through the
// barrier so hashes and the signing key reach the backend only as ciphertext.
// Client secrets, identity headers and passwords are kept only as hashes.
// guard.go limits guessing them: smart lockout for users, throttling for
// applications, and a bound on concurrent password hashing.
//
// It is protocol-neutral: it must not import net/http or any wire package
// (internal/entra renders it as the Entra ID token endpoints). Failures are
// *scopevault.Error values whose Reason is the AADSTS number a real tenant
// would report ("AADSTS7000215"), so each wire can render its own shape.
package identity
