package authz

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/scopevault/scopevault"
)

// GUIDs of the built-in roles other packages name in code (seeding, the
// Databricks scope flow, tests). The full set lives in builtin_roles.json.
const (
	RoleOwner                   = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	RoleContributor             = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	RoleReader                  = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	RoleUserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
	RoleKeyVaultAdministrator   = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
	RoleKeyVaultContributor     = "f25e0fa2-a7c8-4377-a976-54943a77a395"
	RoleKeyVaultReader          = "21090545-7ca7-4776-b22c-e363652d74d2"
	RoleKeyVaultSecretsOfficer  = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
	RoleKeyVaultSecretsUser     = "4633458b-17de-408a-b874-0445c86b69e6"
	RoleKeyVaultDataAccessAdmin = "8b54135c-b56d-4d72-a534-26097cfdc8d8"
	RoleRBACAdministrator       = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
)

const roleDefinitionsSegment = "/roledefinitions/"

// builtinRolesJSON is a verbatim copy of shared/specs/keyvault-builtin-roles.json.
// It is transcribed from documentation and carries annotations ("(UNCONFIRMED
// ...)") inside action strings and, for one role, a prose string where a list
// belongs; parseBuiltinRoles cleans those rather than the file, so the copy
// can be refreshed from the spec without hand edits.
//
//go:embed builtin_roles.json
var builtinRolesJSON []byte

// role is a role definition plus what RoleDefinition cannot express: the
// condition some built-in roles put on role-assignment writes.
type role struct {
	def scopevault.RoleDefinition
	// assignable, when non-nil, restricts roleAssignments/write and /delete
	// to assignments of these role GUIDs (Key Vault Data Access Administrator).
	assignable map[string]bool
	// dataGrants is, in a snapshot, whether the role grants each Key Vault
	// data action (decided once when the snapshot is built).
	dataGrants map[string]bool
}

var (
	builtinRoles []role          // in file order
	builtinByID  map[string]role // by lower-case GUID
	guidRE       = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	guidExactRE  = regexp.MustCompile(`^` + guidRE.String() + `$`)
)

func init() {
	var err error
	builtinRoles, err = parseBuiltinRoles(builtinRolesJSON)
	if err != nil {
		// The file is embedded: a parse failure is a build defect, not a runtime condition.
		panic(err)
	}
	builtinByID = make(map[string]role, len(builtinRoles))
	for _, r := range builtinRoles {
		builtinByID[r.def.ID] = r
	}
}

type builtinFile struct {
	Roles []struct {
		RoleName         string          `json:"roleName"`
		ID               string          `json:"id"`
		Description      string          `json:"description"`
		Actions          json.RawMessage `json:"actions"`
		NotActions       json.RawMessage `json:"notActions"`
		DataActions      json.RawMessage `json:"dataActions"`
		NotDataActions   json.RawMessage `json:"notDataActions"`
		ConditionSummary string          `json:"conditionSummary"`
	} `json:"roles"`
}

func parseBuiltinRoles(data []byte) ([]role, error) {
	var f builtinFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("authz: builtin_roles.json: %w", err)
	}
	out := make([]role, 0, len(f.Roles))
	for _, r := range f.Roles {
		id := strings.ToLower(r.ID)
		if !guidExactRE.MatchString(id) || r.RoleName == "" {
			return nil, fmt.Errorf("authz: builtin_roles.json: bad role %q (%q)", r.RoleName, r.ID)
		}
		def := scopevault.RoleDefinition{
			ID: id, RoleName: r.RoleName, Description: r.Description,
			BuiltIn: true, AssignableScopes: []string{"/"},
			Permissions: []scopevault.Permission{{
				Actions:        patternList(r.Actions),
				NotActions:     patternList(r.NotActions),
				DataActions:    patternList(r.DataActions),
				NotDataActions: patternList(r.NotDataActions),
			}},
		}
		ro := role{def: def}
		if r.ConditionSummary != "" {
			// The only built-in condition we model is the "constrained
			// delegation" one: role-assignment writes limited to listed roles.
			ro.assignable = map[string]bool{}
			for _, g := range guidRE.FindAllString(r.ConditionSummary, -1) {
				ro.assignable[strings.ToLower(g)] = true
			}
		}
		out = append(out, ro)
	}
	return out, nil
}

// patternList reads an action list from the spec file. A value that is not a
// list of strings is a prose placeholder ("UNCONFIRMED ...") and grants
// nothing: failing closed beats inventing permissions. Within a list, a
// trailing " (...)" annotation is cut and pure annotations are dropped.
func patternList(raw json.RawMessage) []string {
	var in []string
	if len(raw) == 0 || json.Unmarshal(raw, &in) != nil {
		return []string{}
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if i := strings.Index(s, " ("); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "(") {
			continue
		}
		out = append(out, s)
	}
	return out
}

// BuiltinRoles returns every built-in role definition, in a stable order.
func BuiltinRoles() []scopevault.RoleDefinition {
	out := make([]scopevault.RoleDefinition, len(builtinRoles))
	for i, r := range builtinRoles {
		out[i] = cloneRole(r.def)
	}
	return out
}

// RoleGUID returns the role GUID of a role definition id in any of its forms
// ("{guid}", "/providers/Microsoft.Authorization/roleDefinitions/{guid}",
// "/subscriptions/{sub}/providers/..."), lower-cased.
func RoleGUID(roleDefinitionID string) string {
	s := strings.ToLower(strings.TrimRight(roleDefinitionID, "/"))
	if i := strings.LastIndex(s, roleDefinitionsSegment); i >= 0 {
		s = s[i+len(roleDefinitionsSegment):]
	}
	return s
}

// cloneRole deep-copies a definition so callers cannot mutate shared state.
func cloneRole(d scopevault.RoleDefinition) scopevault.RoleDefinition {
	d.AssignableScopes = append([]string{}, d.AssignableScopes...)
	perms := make([]scopevault.Permission, len(d.Permissions))
	for i, p := range d.Permissions {
		perms[i] = scopevault.Permission{
			Actions:        append([]string{}, p.Actions...),
			NotActions:     append([]string{}, p.NotActions...),
			DataActions:    append([]string{}, p.DataActions...),
			NotDataActions: append([]string{}, p.NotDataActions...),
		}
	}
	d.Permissions = perms
	return d
}
