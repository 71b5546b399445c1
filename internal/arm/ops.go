package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

// op names one ARM or Graph operation, as the REST specs name them.
type op string

const (
	opListSubscriptions  op = "Subscriptions.List"
	opGetSubscription    op = "Subscriptions.Get"
	opListGroups         op = "ResourceGroups.List"
	opPutGroup           op = "ResourceGroups.CreateOrUpdate"
	opGetGroup           op = "ResourceGroups.Get"
	opCheckGroup         op = "ResourceGroups.CheckExistence"
	opDeleteGroup        op = "ResourceGroups.Delete"
	opListVaultsBySub    op = "Vaults.ListBySubscription"
	opListVaultsByGroup  op = "Vaults.ListByResourceGroup"
	opListResources      op = "Resources.List"
	opPutVault           op = "Vaults.CreateOrUpdate"
	opGetVault           op = "Vaults.Get"
	opListAssignments    op = "RoleAssignments.ListForScope"
	opPutAssignment      op = "RoleAssignments.Create"
	opGetAssignment      op = "RoleAssignments.Get"
	opDeleteAssignment   op = "RoleAssignments.Delete"
	opListRoles          op = "RoleDefinitions.List"
	opGetRole            op = "RoleDefinitions.Get"
	opCreateSP           op = "graph.ServicePrincipals.Create"
	opListSPs            op = "graph.ServicePrincipals.List"
	opGetSP              op = "graph.ServicePrincipals.Get"
	opGetUser            op = "graph.Users.Get"
	opGetDirectoryObject op = "graph.DirectoryObjects.Get"
)

// Custom roles (customroles.go), Graph directory writes (graph_*.go) and
// user-assigned managed identities (identities.go).
const (
	opPutRole               op = "RoleDefinitions.CreateOrUpdate"
	opDeleteRole            op = "RoleDefinitions.Delete"
	opCreateUser            op = "graph.Users.Create"
	opListUsers             op = "graph.Users.List"
	opCreateGroup           op = "graph.Groups.Create"
	opListGroupsGraph       op = "graph.Groups.List"
	opGetGroupGraph         op = "graph.Groups.Get"
	opListMembers           op = "graph.Groups.ListMembers"
	opAddMember             op = "graph.Groups.AddMember"
	opRemoveMember          op = "graph.Groups.RemoveMember"
	opCreateApp             op = "graph.Applications.Create"
	opListApps              op = "graph.Applications.List"
	opGetApp                op = "graph.Applications.Get"
	opPatchApp              op = "graph.Applications.Update"
	opGetMe                 op = "graph.Me.Get"
	opGetByIDs              op = "graph.DirectoryObjects.GetByIds"
	opAddPassword           op = "graph.Applications.AddPassword"
	opRemovePassword        op = "graph.Applications.RemovePassword"
	opCreateMI              op = "scopevault.ManagedIdentities.Create"
	opListMIs               op = "scopevault.ManagedIdentities.List"
	opGetMI                 op = "scopevault.ManagedIdentities.Get"
	opPutIdentity           op = "UserAssignedIdentities.CreateOrUpdate"
	opGetIdentity           op = "UserAssignedIdentities.Get"
	opDeleteIdentity        op = "UserAssignedIdentities.Delete"
	opListIdentitiesBySub   op = "UserAssignedIdentities.ListBySubscription"
	opListIdentitiesByGroup op = "UserAssignedIdentities.ListByResourceGroup"
)

// The vault lifecycle (vault_softdelete.go, access_policies.go, vault_names.go).
const (
	opPatchVault                  op = "Vaults.Update"
	opDeleteVault                 op = "Vaults.Delete"
	opUpdateAccessPolicy          op = "Vaults.UpdateAccessPolicy"
	opListDeletedVaults           op = "Vaults.ListDeleted"
	opListDeletedVaultsByLocation op = "Vaults.ListDeletedByLocation"
	opGetDeletedVault             op = "Vaults.GetDeleted"
	opPurgeDeletedVault           op = "Vaults.PurgeDeleted"
	opGetVaultOperation           op = "Vaults.GetOperationResult"
	opCheckVaultName              op = "Vaults.CheckNameAvailability"
)

// Databricks workspaces (workspaces.go).
const (
	opPutWorkspace          op = "Workspaces.CreateOrUpdate"
	opGetWorkspace          op = "Workspaces.Get"
	opPatchWorkspace        op = "Workspaces.Update"
	opDeleteWorkspace       op = "Workspaces.Delete"
	opListWorkspacesByGroup op = "Workspaces.ListByResourceGroup"
	opListWorkspacesBySub   op = "Workspaces.ListBySubscription"
	opGetWorkspaceOperation op = "Workspaces.GetOperationStatus"
)

// Microsoft.Network (network_*.go, privatedns*.go) and the vaults' private
// endpoint connections (network_vaultconns.go).
const (
	opPutVNet           op = "VirtualNetworks.CreateOrUpdate"
	opGetVNet           op = "VirtualNetworks.Get"
	opDeleteVNet        op = "VirtualNetworks.Delete"
	opListVNetsByGroup  op = "VirtualNetworks.List"
	opListVNetsBySub    op = "VirtualNetworks.ListAll"
	opPutSubnet         op = "Subnets.CreateOrUpdate"
	opGetSubnet         op = "Subnets.Get"
	opDeleteSubnet      op = "Subnets.Delete"
	opListSubnets       op = "Subnets.List"
	opPutPE             op = "PrivateEndpoints.CreateOrUpdate"
	opGetPE             op = "PrivateEndpoints.Get"
	opDeletePE          op = "PrivateEndpoints.Delete"
	opListPEsByGroup    op = "PrivateEndpoints.List"
	opListPEsBySub      op = "PrivateEndpoints.ListBySubscription"
	opPutZoneGroup      op = "PrivateDnsZoneGroups.CreateOrUpdate"
	opGetZoneGroup      op = "PrivateDnsZoneGroups.Get"
	opDeleteZoneGroup   op = "PrivateDnsZoneGroups.Delete"
	opListZoneGroups    op = "PrivateDnsZoneGroups.List"
	opPutZone           op = "PrivateZones.CreateOrUpdate"
	opGetZone           op = "PrivateZones.Get"
	opDeleteZone        op = "PrivateZones.Delete"
	opListZonesByGroup  op = "PrivateZones.ListByResourceGroup"
	opListZonesBySub    op = "PrivateZones.List"
	opPutVNetLink       op = "VirtualNetworkLinks.CreateOrUpdate"
	opGetVNetLink       op = "VirtualNetworkLinks.Get"
	opDeleteVNetLink    op = "VirtualNetworkLinks.Delete"
	opListVNetLinks     op = "VirtualNetworkLinks.List"
	opPutARecord        op = "RecordSets.CreateOrUpdate"
	opGetARecord        op = "RecordSets.Get"
	opDeleteARecord     op = "RecordSets.Delete"
	opListARecords      op = "RecordSets.ListByType"
	opListRecordSets    op = "RecordSets.List"
	opGetVaultPEConn    op = "PrivateEndpointConnections.Get"
	opPutVaultPEConn    op = "PrivateEndpointConnections.Put"
	opDeleteVaultPEConn op = "PrivateEndpointConnections.Delete"
	opListVaultPEConns  op = "PrivateEndpointConnections.ListByResource"
	opPatchVNet         op = "VirtualNetworks.UpdateTags"
	opPatchZone         op = "PrivateZones.Update"
	opPatchVNetLink     op = "VirtualNetworkLinks.Update"
	opPatchARecord      op = "RecordSets.Update"
	opGetNIC            op = "NetworkInterfaces.Get"
)

// gate says how and where an operation's action is checked.
type gate int

const (
	// gateScope: AuthorizeManagement(action, route scope) before the handler runs.
	gateScope gate = iota
	// gateItems: lists; the handler keeps the items the caller may read
	// (an allow at the list scope covers them all) and refuses when it may read none.
	gateItems
	// gateSubscription: readable by anyone holding any role in the subscription,
	// as ARM lists a subscription to a caller with only a resource-group role.
	gateSubscription
	// gateRoleAssignment: the handler calls AuthorizeRoleAssignment with the
	// assignment's role, so conditional delegation (Key Vault Data Access
	// Administrator) is honoured.
	gateRoleAssignment
	// gateTenant: any authenticated caller of the tenant (role definitions are
	// directory-wide metadata every principal may read).
	gateTenant
	// gateDirectoryRead: Graph reads; Entra's default member permissions.
	gateDirectoryRead
	// gateDirectoryAdmin: Graph writes; only principals with DirectoryAdmin.
	gateDirectoryAdmin
)

// opSpec is what the pipeline needs to know about an operation.
type opSpec struct {
	// Action is the one RBAC action (or Entra directory permission) the operation needs.
	Action string
	Gate   gate
	run    func(*Handler, http.ResponseWriter, *request) error
}

// operations is the single table mapping operations to actions.
var operations = map[op]opSpec{
	opListSubscriptions: {Action: "Microsoft.Resources/subscriptions/read", Gate: gateItems, run: (*Handler).listSubscriptions},
	opGetSubscription:   {Action: "Microsoft.Resources/subscriptions/read", Gate: gateSubscription, run: (*Handler).getSubscription},
	opListGroups:        {Action: "Microsoft.Resources/subscriptions/resourceGroups/read", Gate: gateItems, run: (*Handler).listGroups},
	opPutGroup:          {Action: "Microsoft.Resources/subscriptions/resourceGroups/write", Gate: gateScope, run: (*Handler).putGroup},
	opGetGroup:          {Action: "Microsoft.Resources/subscriptions/resourceGroups/read", Gate: gateScope, run: (*Handler).getGroup},
	opCheckGroup:        {Action: "Microsoft.Resources/subscriptions/resourceGroups/read", Gate: gateScope, run: (*Handler).checkGroup},
	opDeleteGroup:       {Action: "Microsoft.Resources/subscriptions/resourceGroups/delete", Gate: gateScope, run: (*Handler).deleteGroup},
	opListVaultsBySub:   {Action: "Microsoft.KeyVault/vaults/read", Gate: gateItems, run: (*Handler).listVaults},
	opListVaultsByGroup: {Action: "Microsoft.KeyVault/vaults/read", Gate: gateItems, run: (*Handler).listVaults},
	opListResources:     {Action: "Microsoft.KeyVault/vaults/read", Gate: gateItems, run: (*Handler).listResources},
	opPutVault:          {Action: "Microsoft.KeyVault/vaults/write", Gate: gateScope, run: (*Handler).putVault},
	opGetVault:          {Action: "Microsoft.KeyVault/vaults/read", Gate: gateScope, run: (*Handler).getVault},

	opPatchVault:                  {Action: "Microsoft.KeyVault/vaults/write", Gate: gateScope, run: (*Handler).patchVault},
	opDeleteVault:                 {Action: "Microsoft.KeyVault/vaults/delete", Gate: gateScope, run: (*Handler).deleteVault},
	opUpdateAccessPolicy:          {Action: "Microsoft.KeyVault/vaults/accessPolicies/write", Gate: gateScope, run: (*Handler).updateAccessPolicy},
	opListDeletedVaults:           {Action: "Microsoft.KeyVault/deletedVaults/read", Gate: gateItems, run: (*Handler).listDeletedVaults},
	opListDeletedVaultsByLocation: {Action: "Microsoft.KeyVault/locations/deletedVaults/read", Gate: gateItems, run: (*Handler).listDeletedVaults},
	opGetDeletedVault:             {Action: "Microsoft.KeyVault/locations/deletedVaults/read", Gate: gateScope, run: (*Handler).getDeletedVault},
	opPurgeDeletedVault:           {Action: "Microsoft.KeyVault/locations/deletedVaults/purge/action", Gate: gateScope, run: (*Handler).purgeDeletedVault},
	// Polling a purge: anyone holding a role in the subscription, like the
	// subscription itself, so a Key Vault Purge Operator can follow its own purge.
	opGetVaultOperation: {Action: "Microsoft.KeyVault/locations/operationResults/read", Gate: gateSubscription, run: (*Handler).getVaultOperation},
	opCheckVaultName:    {Action: "Microsoft.KeyVault/checkNameAvailability/read", Gate: gateScope, run: (*Handler).checkVaultName},

	opListAssignments:    {Action: "Microsoft.Authorization/roleAssignments/read", Gate: gateScope, run: (*Handler).listAssignments},
	opPutAssignment:      {Action: "Microsoft.Authorization/roleAssignments/write", Gate: gateRoleAssignment, run: (*Handler).putAssignment},
	opGetAssignment:      {Action: "Microsoft.Authorization/roleAssignments/read", Gate: gateScope, run: (*Handler).getAssignment},
	opDeleteAssignment:   {Action: "Microsoft.Authorization/roleAssignments/delete", Gate: gateRoleAssignment, run: (*Handler).deleteAssignment},
	opListRoles:          {Action: "Microsoft.Authorization/roleDefinitions/read", Gate: gateTenant, run: (*Handler).listRoles},
	opGetRole:            {Action: "Microsoft.Authorization/roleDefinitions/read", Gate: gateTenant, run: (*Handler).getRole},
	opCreateSP:           {Action: "microsoft.directory/servicePrincipals/create", Gate: gateDirectoryAdmin, run: (*Handler).createServicePrincipal},
	opListSPs:            {Action: "microsoft.directory/servicePrincipals/standard/read", Gate: gateDirectoryRead, run: (*Handler).listServicePrincipals},
	opGetSP:              {Action: "microsoft.directory/servicePrincipals/standard/read", Gate: gateDirectoryRead, run: (*Handler).getServicePrincipal},
	opGetUser:            {Action: "microsoft.directory/users/standard/read", Gate: gateDirectoryRead, run: (*Handler).getUser},
	opGetDirectoryObject: {Action: "microsoft.directory/directoryObjects/standard/read", Gate: gateDirectoryRead, run: (*Handler).getDirectoryObject},

	// Custom roles: the handler also checks the action at every assignable scope.
	opPutRole:               {Action: "Microsoft.Authorization/roleDefinitions/write", Gate: gateScope, run: (*Handler).putRole},
	opDeleteRole:            {Action: "Microsoft.Authorization/roleDefinitions/delete", Gate: gateScope, run: (*Handler).deleteRole},
	opCreateUser:            {Action: "microsoft.directory/users/create", Gate: gateDirectoryAdmin, run: (*Handler).createUser},
	opListUsers:             {Action: "microsoft.directory/users/standard/read", Gate: gateDirectoryRead, run: (*Handler).listUsers},
	opCreateGroup:           {Action: "microsoft.directory/groups/create", Gate: gateDirectoryAdmin, run: (*Handler).createGroup},
	opListGroupsGraph:       {Action: "microsoft.directory/groups/standard/read", Gate: gateDirectoryRead, run: (*Handler).listGraphGroups},
	opGetGroupGraph:         {Action: "microsoft.directory/groups/standard/read", Gate: gateDirectoryRead, run: (*Handler).getGraphGroup},
	opListMembers:           {Action: "microsoft.directory/groups/members/read", Gate: gateDirectoryRead, run: (*Handler).listMembers},
	opAddMember:             {Action: "microsoft.directory/groups/members/update", Gate: gateDirectoryAdmin, run: (*Handler).addMember},
	opRemoveMember:          {Action: "microsoft.directory/groups/members/update", Gate: gateDirectoryAdmin, run: (*Handler).removeMember},
	opCreateApp:             {Action: "microsoft.directory/applications/create", Gate: gateDirectoryAdmin, run: (*Handler).createApplication},
	opListApps:              {Action: "microsoft.directory/applications/standard/read", Gate: gateDirectoryRead, run: (*Handler).listApplications},
	opGetApp:                {Action: "microsoft.directory/applications/standard/read", Gate: gateDirectoryRead, run: (*Handler).getApplication},
	opPatchApp:              {Action: "microsoft.directory/applications/basic/update", Gate: gateDirectoryAdmin, run: (*Handler).patchApplication},
	opGetByIDs:              {Action: "microsoft.directory/directoryObjects/standard/read", Gate: gateDirectoryRead, run: (*Handler).getByIDs},
	opGetMe:                 {Action: "microsoft.directory/users/standard/read", Gate: gateDirectoryRead, run: (*Handler).getMe},
	opAddPassword:           {Action: "microsoft.directory/applications/credentials/update", Gate: gateDirectoryAdmin, run: (*Handler).addPassword},
	opRemovePassword:        {Action: "microsoft.directory/applications/credentials/update", Gate: gateDirectoryAdmin, run: (*Handler).removePassword},
	opCreateMI:              {Action: "microsoft.directory/servicePrincipals/create", Gate: gateDirectoryAdmin, run: (*Handler).createManagedIdentity},
	opListMIs:               {Action: "microsoft.directory/servicePrincipals/standard/read", Gate: gateDirectoryRead, run: (*Handler).listManagedIdentities},
	opGetMI:                 {Action: "microsoft.directory/servicePrincipals/standard/read", Gate: gateDirectoryRead, run: (*Handler).getManagedIdentity},
	opPutIdentity:           {Action: "Microsoft.ManagedIdentity/userAssignedIdentities/write", Gate: gateScope, run: (*Handler).putIdentity},
	opGetIdentity:           {Action: "Microsoft.ManagedIdentity/userAssignedIdentities/read", Gate: gateScope, run: (*Handler).getIdentity},
	opDeleteIdentity:        {Action: "Microsoft.ManagedIdentity/userAssignedIdentities/delete", Gate: gateScope, run: (*Handler).deleteIdentity},
	opListIdentitiesBySub:   {Action: "Microsoft.ManagedIdentity/userAssignedIdentities/read", Gate: gateItems, run: (*Handler).listIdentities},
	opListIdentitiesByGroup: {Action: "Microsoft.ManagedIdentity/userAssignedIdentities/read", Gate: gateItems, run: (*Handler).listIdentities},

	opPutWorkspace:          {Action: "Microsoft.Databricks/workspaces/write", Gate: gateScope, run: (*Handler).putWorkspace},
	opGetWorkspace:          {Action: "Microsoft.Databricks/workspaces/read", Gate: gateScope, run: (*Handler).getWorkspace},
	opPatchWorkspace:        {Action: "Microsoft.Databricks/workspaces/write", Gate: gateScope, run: (*Handler).patchWorkspace},
	opDeleteWorkspace:       {Action: "Microsoft.Databricks/workspaces/delete", Gate: gateScope, run: (*Handler).deleteWorkspace},
	opListWorkspacesByGroup: {Action: "Microsoft.Databricks/workspaces/read", Gate: gateItems, run: (*Handler).listWorkspaces},
	opListWorkspacesBySub:   {Action: "Microsoft.Databricks/workspaces/read", Gate: gateItems, run: (*Handler).listWorkspaces},
	// Polling: anyone holding a role in the subscription, as for a vault purge.
	opGetWorkspaceOperation: {Action: "Microsoft.Databricks/locations/operationstatuses/read", Gate: gateSubscription, run: (*Handler).getWorkspaceOperation},

	opPutVNet:          {Action: "Microsoft.Network/virtualNetworks/write", Gate: gateScope, run: (*Handler).putVNet},
	opGetVNet:          {Action: "Microsoft.Network/virtualNetworks/read", Gate: gateScope, run: (*Handler).getVNet},
	opDeleteVNet:       {Action: "Microsoft.Network/virtualNetworks/delete", Gate: gateScope, run: (*Handler).deleteVNet},
	opListVNetsByGroup: {Action: "Microsoft.Network/virtualNetworks/read", Gate: gateItems, run: (*Handler).listVNets},
	opListVNetsBySub:   {Action: "Microsoft.Network/virtualNetworks/read", Gate: gateItems, run: (*Handler).listVNets},
	opPutSubnet:        {Action: "Microsoft.Network/virtualNetworks/subnets/write", Gate: gateScope, run: (*Handler).putSubnet},
	opGetSubnet:        {Action: "Microsoft.Network/virtualNetworks/subnets/read", Gate: gateScope, run: (*Handler).getSubnet},
	opDeleteSubnet:     {Action: "Microsoft.Network/virtualNetworks/subnets/delete", Gate: gateScope, run: (*Handler).deleteSubnet},
	opListSubnets:      {Action: "Microsoft.Network/virtualNetworks/subnets/read", Gate: gateScope, run: (*Handler).listSubnets},
	// A private endpoint's PUT also needs subnets/join/action on its subnet
	// (checked by the handler, LinkedAuthorizationFailed), and approves its
	// connection itself only when the caller holds the vault's
	// privateEndpointConnectionsApproval/action.
	opPutPE:             {Action: "Microsoft.Network/privateEndpoints/write", Gate: gateScope, run: (*Handler).putPE},
	opGetPE:             {Action: "Microsoft.Network/privateEndpoints/read", Gate: gateScope, run: (*Handler).getPE},
	opDeletePE:          {Action: "Microsoft.Network/privateEndpoints/delete", Gate: gateScope, run: (*Handler).deletePE},
	opListPEsByGroup:    {Action: "Microsoft.Network/privateEndpoints/read", Gate: gateItems, run: (*Handler).listPEs},
	opListPEsBySub:      {Action: "Microsoft.Network/privateEndpoints/read", Gate: gateItems, run: (*Handler).listPEs},
	opPutZoneGroup:      {Action: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write", Gate: gateScope, run: (*Handler).putZoneGroup},
	opGetZoneGroup:      {Action: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read", Gate: gateScope, run: (*Handler).getZoneGroup},
	opDeleteZoneGroup:   {Action: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/delete", Gate: gateScope, run: (*Handler).deleteZoneGroup},
	opListZoneGroups:    {Action: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read", Gate: gateScope, run: (*Handler).listZoneGroups},
	opPutZone:           {Action: "Microsoft.Network/privateDnsZones/write", Gate: gateScope, run: (*Handler).putZone},
	opGetZone:           {Action: "Microsoft.Network/privateDnsZones/read", Gate: gateScope, run: (*Handler).getZone},
	opDeleteZone:        {Action: "Microsoft.Network/privateDnsZones/delete", Gate: gateScope, run: (*Handler).deleteZone},
	opListZonesByGroup:  {Action: "Microsoft.Network/privateDnsZones/read", Gate: gateItems, run: (*Handler).listZones},
	opListZonesBySub:    {Action: "Microsoft.Network/privateDnsZones/read", Gate: gateItems, run: (*Handler).listZones},
	opPutVNetLink:       {Action: "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write", Gate: gateScope, run: (*Handler).putVNetLink},
	opGetVNetLink:       {Action: "Microsoft.Network/privateDnsZones/virtualNetworkLinks/read", Gate: gateScope, run: (*Handler).getVNetLink},
	opDeleteVNetLink:    {Action: "Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete", Gate: gateScope, run: (*Handler).deleteVNetLink},
	opListVNetLinks:     {Action: "Microsoft.Network/privateDnsZones/virtualNetworkLinks/read", Gate: gateScope, run: (*Handler).listVNetLinks},
	opPutARecord:        {Action: "Microsoft.Network/privateDnsZones/A/write", Gate: gateScope, run: (*Handler).putARecord},
	opGetARecord:        {Action: "Microsoft.Network/privateDnsZones/A/read", Gate: gateScope, run: (*Handler).getARecord},
	opDeleteARecord:     {Action: "Microsoft.Network/privateDnsZones/A/delete", Gate: gateScope, run: (*Handler).deleteARecord},
	opListARecords:      {Action: "Microsoft.Network/privateDnsZones/A/read", Gate: gateScope, run: (*Handler).listARecords},
	opListRecordSets:    {Action: "Microsoft.Network/privateDnsZones/recordsets/read", Gate: gateScope, run: (*Handler).listRecordSets},
	opGetVaultPEConn:    {Action: "Microsoft.KeyVault/vaults/privateEndpointConnections/read", Gate: gateScope, run: (*Handler).getVaultPEConn},
	opPutVaultPEConn:    {Action: "Microsoft.KeyVault/vaults/privateEndpointConnections/write", Gate: gateScope, run: (*Handler).putVaultPEConn},
	opDeleteVaultPEConn: {Action: "Microsoft.KeyVault/vaults/privateEndpointConnections/delete", Gate: gateScope, run: (*Handler).deleteVaultPEConn},
	opListVaultPEConns:  {Action: "Microsoft.KeyVault/vaults/privateEndpointConnections/read", Gate: gateScope, run: (*Handler).listVaultPEConns},
	opPatchVNet:         {Action: "Microsoft.Network/virtualNetworks/write", Gate: gateScope, run: (*Handler).patchVNet},
	opPatchZone:         {Action: "Microsoft.Network/privateDnsZones/write", Gate: gateScope, run: (*Handler).patchZone},
	opPatchVNetLink:     {Action: "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write", Gate: gateScope, run: (*Handler).patchVNetLink},
	opPatchARecord:      {Action: "Microsoft.Network/privateDnsZones/A/write", Gate: gateScope, run: (*Handler).patchARecord},
	opGetNIC:            {Action: "Microsoft.Network/networkInterfaces/read", Gate: gateScope, run: (*Handler).getNIC},
}

// gate runs the pipeline's part of the operation's check; gateItems and
// gateRoleAssignment are finished by the handler, which knows the objects.
func (h *Handler) gate(req *request) error {
	switch req.spec.Gate {
	case gateScope:
		if err := h.authorize(req, req.route.scope); err != nil {
			return err
		}
		// After the allow, so a caller without one learns nothing.
		return h.checkDenyAssignment(req, req.route.scope)
	case gateSubscription:
		ok, err := h.holdsRoleIn(req, req.route.scope)
		if err != nil || ok {
			return err
		}
		return h.authorize(req, req.route.scope)
	case gateDirectoryAdmin:
		p, err := h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.caller.ObjectID)
		if err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
			return err
		}
		if p == nil || !p.DirectoryAdmin {
			return scopevault.Errorf(scopevault.EFORBIDDEN, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		}
	}
	// gateTenant, gateDirectoryRead: authentication already bound the
	// caller to its tenant, and every lookup below is made in that tenant.
	return nil
}

// authorize checks the operation's action at scope and renders a denial as
// ARM's AuthorizationFailed.
func (h *Handler) authorize(req *request, scope string) error {
	ok, err := h.allowed(req, scope)
	if err != nil || ok {
		return err
	}
	return denied(req.caller, req.spec.Action, scope)
}

// allowed reports whether the caller may perform the operation's action at scope.
func (h *Handler) allowed(req *request, scope string) (bool, error) {
	d, err := h.cfg.Authz.AuthorizeManagement(req.ctx(), req.caller, req.spec.Action, scope)
	if err != nil {
		return false, err
	}
	return d.Allowed, nil
}

// holdsRoleIn reports whether the caller (or one of its groups) holds any
// role assignment at, above or below scope.
func (h *Handler) holdsRoleIn(req *request, scope string) (bool, error) {
	ras, err := h.cfg.Authz.ListAssignments(req.ctx(), authz.ListFilter{Scope: scope})
	if err != nil {
		return false, err
	}
	for _, ra := range ras {
		if isCallerOrGroup(req.caller, ra.PrincipalID) {
			return true, nil
		}
	}
	return false, nil
}

func isCallerOrGroup(c *scopevault.Caller, principalID string) bool {
	if strings.EqualFold(principalID, c.ObjectID) {
		return true
	}
	for _, g := range c.GroupIDs {
		if strings.EqualFold(principalID, g) {
			return true
		}
	}
	return false
}

// denied is ARM's 403 for a management action.
func denied(c *scopevault.Caller, action, scope string) error {
	return scopevault.Errorf(scopevault.EFORBIDDEN, "AuthorizationFailed",
		"The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
		c.ObjectID, c.ObjectID, action, scope)
}
