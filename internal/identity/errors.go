package identity

import (
	"fmt"

	"github.com/scopevault/scopevault"
)

// Reasons carried by identity errors: the AADSTS number Entra reports for the
// same failure. Wire packages map them to their OAuth error and status.
const (
	ReasonMissingParameter  = "AADSTS900144" // invalid_request
	ReasonUnsupportedGrant  = "AADSTS70003"  // unsupported_grant_type
	ReasonTenantNotFound    = "AADSTS90002"  // invalid_request
	ReasonAppNotFound       = "AADSTS700016" // unauthorized_client
	ReasonInvalidSecret     = "AADSTS7000215"
	ReasonMissingSecret     = "AADSTS7000218" // invalid_client
	ReasonSecretExpired     = "AADSTS7000222" // invalid_client
	ReasonInvalidScope      = "AADSTS70011"   // invalid_scope
	ReasonResourceNotFound  = "AADSTS500011"  // invalid_resource
	ReasonInvalidPassword   = "AADSTS50126"   // invalid_grant
	ReasonAccountLocked     = "AADSTS50053"   // invalid_grant: smart lockout
	ReasonThrottled         = "AADSTS50196"   // 429 with Retry-After
	ReasonInvalidToken      = "InvalidToken"
	ReasonTokenExpired      = "TokenExpired"
	ReasonMSIMissingHeader  = "MSIMissingIdentityHeader"
	ReasonMSIUnknownHeader  = "MSIUnknownIdentityHeader"
	ReasonMSIIdentityDiffer = "MSIIdentityNotFound"
)

// Entra's messages, without the "AADSTSnnnn: " prefix and trace lines
// (the wire adds those). They name ids and resources, never secrets.

// MissingParameter is the error for a required request parameter that is absent.
func MissingParameter(name string) *scopevault.Error {
	return scopevault.Errorf(scopevault.EINVALID, ReasonMissingParameter,
		"The request body must contain the following parameter: '%s'.", name)
}

// UnsupportedGrant is the error for a grant_type scopevault does not implement.
func UnsupportedGrant(grant string) *scopevault.Error {
	return scopevault.Errorf(scopevault.EINVALID, ReasonUnsupportedGrant,
		"The app requested an unsupported grant type '%s'.", clip(grant))
}

func errTenantNotFound(tid string) *scopevault.Error {
	return scopevault.Errorf(scopevault.ENOTFOUND, ReasonTenantNotFound,
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. "+
			"Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", clip(tid))
}

func errAppNotFound(appID, tid string) *scopevault.Error {
	return scopevault.Errorf(scopevault.ENOTFOUND, ReasonAppNotFound,
		"Application with identifier '%s' was not found in the directory '%s'. "+
			"This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. "+
			"You may have sent your authentication request to the wrong tenant.", clip(appID), tid)
}

func errInvalidSecret(appID string) *scopevault.Error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonInvalidSecret,
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "+
			"not the client secret ID, for a secret added to app '%s'.", appID)
}

func errMissingSecret() *scopevault.Error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonMissingSecret,
		"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

func errSecretExpired(appID string) *scopevault.Error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonSecretExpired,
		"The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app.", appID)
}

func errInvalidScope(scope string) *scopevault.Error {
	if scope == "" {
		return scopevault.Errorf(scopevault.EINVALID, ReasonInvalidScope,
			"The provided request must include a 'scope' input parameter.")
	}
	return scopevault.Errorf(scopevault.EINVALID, ReasonInvalidScope,
		"The provided value for the input parameter 'scope' is not valid. The scope '%s' is not valid. "+
			"Client credential flows must have a single scope value with /.default suffixed to the resource identifier.", clip(scope))
}

func errResourceNotFound(resource, tid string) *scopevault.Error {
	return scopevault.Errorf(scopevault.EINVALID, ReasonResourceNotFound,
		"The resource principal named %s was not found in the tenant named %s. "+
			"This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. "+
			"You might have sent your authentication request to the wrong tenant.", clip(resource), tid)
}

func errInvalidPassword() *scopevault.Error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, ReasonInvalidPassword,
		"Error validating credentials due to invalid username or password.")
}

// clip bounds caller-supplied text echoed in messages, so a huge parameter
// cannot bloat an error body or a log line.
func clip(s string) string {
	const max = 256
	if len(s) > max {
		return fmt.Sprintf("%s...", s[:max])
	}
	return s
}
