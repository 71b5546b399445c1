package scopevault

import (
	"errors"
	"fmt"
)

// ErrorCode is the closed set of failure kinds. Wire packages map each code
// to their vendor's status and error code; Reason refines it where a vendor
// distinguishes more cases (Key Vault's innererror codes, AADSTS numbers).
type ErrorCode string

const (
	EINVALID      ErrorCode = "invalid"      // the request is malformed or breaks a limit
	ENOTFOUND     ErrorCode = "not_found"    // the addressed object does not exist
	ECONFLICT     ErrorCode = "conflict"     // the object's state forbids the operation
	EFORBIDDEN    ErrorCode = "forbidden"    // authenticated, but not allowed
	EUNAUTHORIZED ErrorCode = "unauthorized" // no valid credential
	ETHROTTLED    ErrorCode = "throttled"    // too many requests
	EINTERNAL     ErrorCode = "internal"     // a fault of ours; never shown in detail
)

// Error is the one domain error. Message is safe to show to the caller and
// must never contain a secret value, client secret or token.
type Error struct {
	Code    ErrorCode
	Reason  string // vendor-neutral refinement, e.g. "SecretTooLarge", "ObjectIsDeletedButRecoverable"
	Message string
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of err, or EINTERNAL for anything that is not an *Error.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorReasonOf returns the reason of err, or "".
func ErrorReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// ErrorMessageOf returns the client-safe message of err; internal errors get a generic text.
func ErrorMessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "An internal error occurred."
}
