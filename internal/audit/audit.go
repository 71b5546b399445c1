// Package audit records who did what to which secret, durably, and reads
// the record back. Every workspace secrets, tokens and SCIM call and every
// Key Vault data-plane call is one Record. A Record never holds a secret
// value, a client secret or a token: the fields below are all it has.
//
// It imports the domain only; wires hand it Records through Recorder.
package audit

import (
	"time"
)

// Record is one audited call.
type Record struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId,omitempty"`
	// Service is "keyvault" or the Databricks service name ("secrets",
	// "accounts" for tokens, "scim").
	Service string `json:"service"`
	// Action is the operation: Key Vault's ("GetSecret") or Databricks'
	// audit action name ("getSecret", "createScope", "generateDbToken").
	Action string `json:"action"`
	// Who: the principal as the service names it (a Databricks userName or
	// application id; a Key Vault caller's object id) and its app id.
	Principal string `json:"principal,omitempty"`
	AppID     string `json:"appId,omitempty"`
	// Where: the workspace and scope, or the vault; Key the secret name.
	Workspace string `json:"workspace,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Vault     string `json:"vault,omitempty"`
	Key       string `json:"key,omitempty"`
	// Params are other request parameters worth keeping (an ACL's
	// principal and permission, a token id); never a value.
	Params map[string]string `json:"params,omitempty"`
	// SourceAddr is the client address as the listener saw it.
	SourceAddr string `json:"sourceAddr,omitempty"`
	// Status is the HTTP status answered; Decision and Rule the access
	// decision that allowed or refused the call ("allow"/"deny", and the
	// rule the decision named), when one was made.
	Status   int    `json:"status"`
	Decision string `json:"decision,omitempty"`
	Rule     string `json:"rule,omitempty"`
	// ErrorCode is the vendor error code of a failed call.
	ErrorCode string `json:"errorCode,omitempty"`
}

// Recorder takes records. Record must not block the request for long and
// must never fail it: a Recorder keeps or reports its own failures.
type Recorder interface {
	Record(r Record)
}

// Discard is a Recorder that keeps nothing (tests of a single wire).
type Discard struct{}

// Record drops r.
func (Discard) Record(Record) {}
