package databricks

import (
	"net/http"
	"strings"
)

// op names one workspace API operation.
type op string

// Secrets API 2.0 (secrets.go).
const (
	opCreateScope  op = "secrets.CreateScope"
	opListScopes   op = "secrets.ListScopes"
	opDeleteScope  op = "secrets.DeleteScope"
	opPutSecret    op = "secrets.PutSecret"
	opDeleteSecret op = "secrets.DeleteSecret"
	opListSecrets  op = "secrets.ListSecrets"
	opGetSecret    op = "secrets.GetSecret"
	opPutACL       op = "secrets.PutAcl"
	opDeleteACL    op = "secrets.DeleteAcl"
	opGetACL       op = "secrets.GetAcl"
	opListACLs     op = "secrets.ListAcls"
)

// Tokens, SCIM and the well-known configuration (identity.go).
const (
	opCreateToken   op = "tokens.Create"
	opListTokens    op = "tokens.List"
	opDeleteToken   op = "tokens.Delete"
	opMe            op = "scim.Me"
	opListUsers     op = "scim.ListUsers"
	opCreateUser    op = "scim.CreateUser"
	opGetUser       op = "scim.GetUser"
	opDeleteUser    op = "scim.DeleteUser"
	opListSPs       op = "scim.ListServicePrincipals"
	opCreateSP      op = "scim.CreateServicePrincipal"
	opGetSP         op = "scim.GetServicePrincipal"
	opDeleteSP      op = "scim.DeleteServicePrincipal"
	opListGroups    op = "scim.ListGroups"
	opCreateGroup   op = "scim.CreateGroup"
	opGetGroup      op = "scim.GetGroup"
	opPatchGroup    op = "scim.PatchGroup"
	opUpdateUser    op = "scim.UpdateUser"
	opUpdateSP      op = "scim.UpdateServicePrincipal"
	opUpdateGroup   op = "scim.UpdateGroup"
	opDeleteGroup   op = "scim.DeleteGroup"
	opWellKnown     op = "workspace.WellKnownConfig"
	opTelemetryPost op = "workspace.Telemetry"
)

// opSpec is what the pipeline needs to know about an operation.
type opSpec struct {
	// Service and Action name the call in the audit log, as Databricks'
	// audit log names them (service "secrets", action "getSecret"). An
	// empty Action is not audited (the anonymous well-known calls).
	Service, Action string
	// Anonymous operations need no token.
	Anonymous bool
	run       func(*Handler, http.ResponseWriter, *request) error
}

// operations is the single table of the workspace API. Which permission
// each secrets operation needs (READ, WRITE, MANAGE, admin) is the engine's
// rule (internal/workspace), checked before it touches anything.
var operations = map[op]opSpec{
	opCreateScope:  {Service: "secrets", Action: "createScope", run: (*Handler).createScope},
	opListScopes:   {Service: "secrets", Action: "listScopes", run: (*Handler).listScopes},
	opDeleteScope:  {Service: "secrets", Action: "deleteScope", run: (*Handler).deleteScope},
	opPutSecret:    {Service: "secrets", Action: "putSecret", run: (*Handler).putSecret},
	opDeleteSecret: {Service: "secrets", Action: "deleteSecret", run: (*Handler).deleteSecret},
	opListSecrets:  {Service: "secrets", Action: "listSecrets", run: (*Handler).listSecrets},
	opGetSecret:    {Service: "secrets", Action: "getSecret", run: (*Handler).getSecret},
	opPutACL:       {Service: "secrets", Action: "putAcl", run: (*Handler).putACL},
	opDeleteACL:    {Service: "secrets", Action: "deleteAcl", run: (*Handler).deleteACL},
	opGetACL:       {Service: "secrets", Action: "getAcl", run: (*Handler).getACL},
	opListACLs:     {Service: "secrets", Action: "listAcls", run: (*Handler).listACLs},

	opCreateToken: {Service: "accounts", Action: "generateDbToken", run: (*Handler).createToken},
	opListTokens:  {Service: "accounts", Action: "listDbTokens", run: (*Handler).listTokens},
	opDeleteToken: {Service: "accounts", Action: "revokeDbToken", run: (*Handler).deleteToken},

	opMe:          {Service: "scim", Action: "getMe", run: (*Handler).me},
	opListUsers:   {Service: "scim", Action: "listUsers", run: (*Handler).listUsers},
	opCreateUser:  {Service: "scim", Action: "createUser", run: (*Handler).createUser},
	opGetUser:     {Service: "scim", Action: "getUser", run: (*Handler).getUser},
	opDeleteUser:  {Service: "scim", Action: "deleteUser", run: (*Handler).deleteUser},
	opListSPs:     {Service: "scim", Action: "listServicePrincipals", run: (*Handler).listSPs},
	opCreateSP:    {Service: "scim", Action: "createServicePrincipal", run: (*Handler).createSP},
	opGetSP:       {Service: "scim", Action: "getServicePrincipal", run: (*Handler).getSP},
	opDeleteSP:    {Service: "scim", Action: "deleteServicePrincipal", run: (*Handler).deleteSP},
	opListGroups:  {Service: "scim", Action: "listGroups", run: (*Handler).listGroups},
	opCreateGroup: {Service: "scim", Action: "createGroup", run: (*Handler).createGroup},
	opGetGroup:    {Service: "scim", Action: "getGroup", run: (*Handler).getGroup},
	opPatchGroup:  {Service: "scim", Action: "patchGroup", run: (*Handler).patchGroup},
	opUpdateUser:  {Service: "scim", Action: "updateUser", run: (*Handler).updateUser},
	opUpdateSP:    {Service: "scim", Action: "updateServicePrincipal", run: (*Handler).updateSP},
	opUpdateGroup: {Service: "scim", Action: "updateGroup", run: (*Handler).updateGroup},
	opDeleteGroup: {Service: "scim", Action: "deleteGroup", run: (*Handler).deleteGroup},

	opWellKnown:     {Anonymous: true, run: (*Handler).wellKnown},
	opTelemetryPost: {Anonymous: true, run: (*Handler).telemetry},
}

// routes maps "METHOD path" to an operation.
var routes = map[string]op{
	"POST /api/2.0/secrets/scopes/create": opCreateScope,
	"GET /api/2.0/secrets/scopes/list":    opListScopes,
	"POST /api/2.0/secrets/scopes/delete": opDeleteScope,
	"POST /api/2.0/secrets/put":           opPutSecret,
	"POST /api/2.0/secrets/delete":        opDeleteSecret,
	"GET /api/2.0/secrets/list":           opListSecrets,
	"GET /api/2.0/secrets/get":            opGetSecret,
	"POST /api/2.0/secrets/acls/put":      opPutACL,
	"POST /api/2.0/secrets/acls/delete":   opDeleteACL,
	"GET /api/2.0/secrets/acls/get":       opGetACL,
	"GET /api/2.0/secrets/acls/list":      opListACLs,

	"POST /api/2.0/token/create": opCreateToken,
	"GET /api/2.0/token/list":    opListTokens,
	"POST /api/2.0/token/delete": opDeleteToken,

	"GET /api/2.0/preview/scim/v2/Me":                 opMe,
	"GET /api/2.0/preview/scim/v2/Users":              opListUsers,
	"POST /api/2.0/preview/scim/v2/Users":             opCreateUser,
	"GET /api/2.0/preview/scim/v2/ServicePrincipals":  opListSPs,
	"POST /api/2.0/preview/scim/v2/ServicePrincipals": opCreateSP,
	"GET /api/2.0/preview/scim/v2/Groups":             opListGroups,
	"POST /api/2.0/preview/scim/v2/Groups":            opCreateGroup,

	"GET /.well-known/databricks-config": opWellKnown,
	"POST /telemetry-ext":                opTelemetryPost,
}

// idRoutes maps "METHOD prefix" to the operation on the object whose id
// ends the path (/api/2.0/preview/scim/v2/Users/{id}).
var idRoutes = map[string]op{
	"GET /api/2.0/preview/scim/v2/Users/":                opGetUser,
	"DELETE /api/2.0/preview/scim/v2/Users/":             opDeleteUser,
	"GET /api/2.0/preview/scim/v2/ServicePrincipals/":    opGetSP,
	"DELETE /api/2.0/preview/scim/v2/ServicePrincipals/": opDeleteSP,
	"GET /api/2.0/preview/scim/v2/Groups/":               opGetGroup,
	"PATCH /api/2.0/preview/scim/v2/Groups/":             opPatchGroup,
	"PUT /api/2.0/preview/scim/v2/Users/":                opUpdateUser,
	"PUT /api/2.0/preview/scim/v2/ServicePrincipals/":    opUpdateSP,
	"PUT /api/2.0/preview/scim/v2/Groups/":               opUpdateGroup,
	"DELETE /api/2.0/preview/scim/v2/Groups/":            opDeleteGroup,
}

// parseRoute resolves a request to its operation (and the id ending the
// path, for idRoutes). A trailing slash is ignored.
func parseRoute(method, path string) (op, string, bool) {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	if o, ok := routes[method+" "+path]; ok {
		return o, "", true
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", "", false
	}
	id := path[i+1:]
	if id == "" {
		return "", "", false
	}
	if o, ok := idRoutes[method+" "+path[:i+1]]; ok {
		return o, id, true
	}
	return "", "", false
}
