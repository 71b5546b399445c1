// Package explain is the hop-by-hop account of one secret read, and the
// network diagram: who can reach which vault from where. It owns no rule of
// its own: every hop is decided by the code the enforcement runs —
// netgate.PlaceIn, netgate.OriginOf and netgate.Decide for the network,
// authz for the vault's permissions, the secrets engine for the secret's
// state, and internal/workspace's own steps for a scope read (ACL, backend,
// the control plane's origin, Databricks' wrapping of a vault's 403) — so
// explain, the 403 a client gets and the diagram can never disagree.
//
// It imports the domain, netgate, authz-shaped interfaces, secrets,
// workspace and identity's names; never a wire package and never net/http.
package explain

import (
	"context"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/workspace"
)

// Outcome is what one hop did to the read.
type Outcome string

const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
	Skipped Outcome = "skipped"
)

// WireError is the error a caller gets, as the wire renders it: HTTP
// status, the body's error code (Key Vault's outer code or Databricks'
// error_code), Key Vault's innererror code, and the message.
type WireError struct {
	Status    int    `json:"status"`
	Code      string `json:"code"`
	InnerCode string `json:"innerCode,omitempty"`
	Message   string `json:"message"`
}

// Hop is one step of a read.
type Hop struct {
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
	// Rule is the rule that decided the hop.
	Rule string `json:"rule"`
	// Change is what would change the hop's outcome.
	Change string `json:"change,omitempty"`
	// Error is the error the read ends with at this hop (denied hops).
	Error *WireError `json:"error,omitempty"`
}

// Report is the account of one read.
type Report struct {
	// Kind is "scope" (a Databricks secret scope read) or "direct" (a Key
	// Vault read).
	Kind    string `json:"kind"`
	Allowed bool   `json:"allowed"`
	// Subject says what was asked: who reads what from where.
	Subject string `json:"subject"`
	Hops    []Hop  `json:"hops"`
	// Error is the error the caller gets; nil when the read succeeds.
	Error *WireError `json:"error,omitempty"`
}

// Hop names.
const (
	HopWorkspaceACL  = "workspace ACL"
	HopScopeBackend  = "scope backend"
	HopControlPlane  = "control plane to vault"
	HopResolution    = "name resolution"
	HopNetworkGate   = "network gate"
	HopAuthorization = "vault authorization"
	HopSecretState   = "secret state"
)

// Authorizer decides data-plane access (*authz.Authorizer is one).
type Authorizer interface {
	AuthorizeData(ctx context.Context, c *scopevault.Caller, v *scopevault.Vault, op scopevault.Operation, secretName string) (scopevault.Decision, error)
}

// Directory finds directory principals and their groups
// (*identity.Service is one).
type Directory interface {
	GetPrincipal(ctx context.Context, tid, oid string) (*scopevault.Principal, error)
	PrincipalByAppID(ctx context.Context, tid, appID string) (*scopevault.Principal, error)
	PrincipalByUPN(ctx context.Context, tid, upn string) (*scopevault.Principal, error)
	GroupsOf(ctx context.Context, tid, oid string) ([]string, error)
}

// Explainer explains reads. Its fields are the very services the
// enforcement uses.
type Explainer struct {
	Vaults     *secrets.Engine
	Authz      Authorizer
	Workspaces *workspace.Service
	Directory  Directory
	// Network is the network as it is now (nil: no network resources).
	Network func(context.Context) (*scopevault.Network, error)
	// Trusted reports whether an application id is a trusted Microsoft
	// service (the gate's set).
	Trusted func(appID string) bool
	// ListWorkspaces lists every workspace (rm.Manager.ListAllWorkspaces).
	ListWorkspaces func(ctx context.Context) ([]*scopevault.Workspace, error)
}

// FindWorkspace is the workspace named name (case-insensitive), or an
// ENOTFOUND; a name two subscriptions share is ambiguous.
func (e *Explainer) FindWorkspace(ctx context.Context, name string) (*scopevault.Workspace, error) {
	var all []*scopevault.Workspace
	if e.ListWorkspaces != nil {
		var err error
		if all, err = e.ListWorkspaces(ctx); err != nil {
			return nil, err
		}
	}
	var found *scopevault.Workspace
	for _, w := range all {
		if strings.EqualFold(w.Name, strings.TrimSpace(name)) {
			if found != nil {
				return nil, scopevault.Errorf(scopevault.EINVALID, "AmbiguousWorkspace", "More than one workspace is named %s.", clip(name))
			}
			found = w
		}
	}
	if found == nil {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "WorkspaceNotFound", "Workspace %s does not exist.", clip(name))
	}
	return found, nil
}

func (e *Explainer) network(ctx context.Context) (*scopevault.Network, error) {
	if e.Network == nil {
		return &scopevault.Network{}, nil
	}
	n, err := e.Network(ctx)
	if n == nil && err == nil {
		n = &scopevault.Network{}
	}
	return n, err
}

func (e *Explainer) trusted(appID string) bool {
	return e.Trusted != nil && e.Trusted(strings.ToLower(appID))
}

// InternetAddr is the address explain gives a caller on the internet (and
// a program in a subnet without a Key Vault service endpoint, which leaves
// through its outbound address): the loopback address programs connect from.
var InternetAddr = netip.MustParseAddr("127.0.0.1")

// finish sets the report's outcome from its hops: the first denied hop
// decides and the hops after it are skipped.
func (r *Report) finish() *Report {
	r.Allowed = true
	for i := range r.Hops {
		h := &r.Hops[i]
		if !r.Allowed {
			if h.Outcome != Skipped {
				h.Outcome, h.Error = Skipped, nil
				if h.Rule == "" {
					h.Rule = "not reached"
				}
			}
			continue
		}
		if h.Outcome == Denied {
			r.Allowed, r.Error = false, h.Error
		}
	}
	return r
}

// keyVaultError renders a domain error as the Key Vault wire does.
func keyVaultError(err error) *WireError {
	if err == nil {
		return nil
	}
	reason, msg := scopevault.ErrorReasonOf(err), scopevault.ErrorMessageOf(err)
	switch scopevault.ErrorCodeOf(err) {
	case scopevault.EINVALID:
		return &WireError{Status: 400, Code: "BadParameter", InnerCode: reason, Message: msg}
	case scopevault.ENOTFOUND:
		c := reason
		if c == "" {
			c = "NotFound"
		}
		return &WireError{Status: 404, Code: c, Message: msg}
	case scopevault.ECONFLICT:
		return &WireError{Status: 409, Code: "Conflict", InnerCode: reason, Message: msg}
	case scopevault.EFORBIDDEN:
		return &WireError{Status: 403, Code: "Forbidden", InnerCode: reason, Message: msg}
	case scopevault.EUNAUTHORIZED:
		return &WireError{Status: 401, Code: "Unauthorized", Message: msg}
	}
	return &WireError{Status: 500, Code: "InternalServerError", Message: msg}
}

// databricksError renders a domain error as the Databricks wire does.
func databricksError(err error) *WireError {
	if err == nil {
		return nil
	}
	reason := scopevault.ErrorReasonOf(err)
	isCode := reason != "" && strings.ToUpper(reason) == reason
	pick := func(def string, status int) *WireError {
		if isCode {
			def = reason
		}
		return &WireError{Status: status, Code: def, Message: scopevault.ErrorMessageOf(err)}
	}
	switch scopevault.ErrorCodeOf(err) {
	case scopevault.EINVALID:
		return pick("INVALID_PARAMETER_VALUE", 400)
	case scopevault.ENOTFOUND:
		return pick("RESOURCE_DOES_NOT_EXIST", 404)
	case scopevault.ECONFLICT:
		return pick("RESOURCE_ALREADY_EXISTS", 400)
	case scopevault.EFORBIDDEN:
		return pick("PERMISSION_DENIED", 403)
	case scopevault.EUNAUTHORIZED:
		return &WireError{Status: 403, Code: "403", Message: scopevault.ErrorMessageOf(err)}
	}
	return &WireError{Status: 500, Code: "INTERNAL_ERROR", Message: scopevault.ErrorMessageOf(err)}
}

// internal reports whether err is a fault of ours (not an answer).
func internal(err error) bool {
	return err != nil && scopevault.ErrorCodeOf(err) == scopevault.EINTERNAL
}
