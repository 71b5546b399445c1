package cli

import (
	"errors"
	"slices"
	"strings"
)

// Table transformers: az registers one per command that has its own -o
// table columns (table_transformer=... in the command module's loader).
// Each here mirrors one of azure-cli's, named after it; a command without
// one gets writeTable's automatic table, as in az. The transformer runs on
// the JSON result and only when no --query is given.

// tableTransform reshapes a command's result into table rows; the rows'
// columns keep the transformer's order.
type tableTransform func(v any) (any, error)

// errTableUnavailable is az's answer when a transformer cannot read the
// result (a KeyError in Python, such as a field the command left out).
var errTableUnavailable = errors.New("Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.")

// lookup reads how a transformer reads a field of a row.
type lookup int

const (
	// required is Python's r['a']['b']: a missing field fails the table.
	required lookup = iota
	// optional is r.get('a'): a missing field is null, and a null leaves the cell out.
	optional
	// orBlank is azure-cli's build_table_output: obj.get() along the path,
	// then `value or ' '`, so a false, empty or null value is a blank cell.
	orBlank
)

// column is one table column: its header and the dotted path it shows.
type column struct {
	header, path string
	how          lookup
}

// columns builds a transformer of ordered rows, one per result item (a
// single object is one row).
func columns(cols ...column) tableTransform {
	return func(v any) (any, error) {
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		rows := make([]any, 0, len(items))
		for _, item := range items {
			row := &object{vals: map[string]any{}}
			for _, c := range cols {
				val, err := c.read(item)
				if err != nil {
					return nil, err
				}
				row.keys = append(row.keys, c.header)
				row.vals[c.header] = val
			}
			rows = append(rows, row)
		}
		return rows, nil
	}
}

func (c column) read(item any) (any, error) {
	v := item
	for _, part := range strings.Split(c.path, ".") {
		m, _, isObj := asMap(v)
		val, has := m[part]
		switch {
		case isObj && has:
			v = val
		case c.how == required:
			return nil, errTableUnavailable
		default:
			v = nil
		}
	}
	if c.how == orBlank && !pyTruthy(v) {
		return "", nil // tabulate strips the ' ' to an empty cell
	}
	return v, nil
}

// pyTruthy is Python's truth of a decoded JSON value (0 is false too).
func pyTruthy(v any) bool {
	if f, ok := v.(float64); ok {
		return f != 0
	}
	return truthy(v)
}

// sortedBy orders list items by a string field, as Python's sorted(key=...)
// does before a transformer picks columns.
func sortedBy(field string, next tableTransform) tableTransform {
	return func(v any) (any, error) {
		items, ok := v.([]any)
		if ok {
			items = slices.Clone(items)
			slices.SortStableFunc(items, func(a, b any) int {
				return strings.Compare(stringField(a, field), stringField(b, field))
			})
			v = items
		}
		return next(v)
	}
}

func stringField(v any, field string) string {
	m, _, _ := asMap(v)
	s, _ := m[field].(string)
	return s
}

// role/commands.py transform_assignment_list.
var tableRoleAssignments = columns(
	column{"Principal", "principalName", required},
	column{"Role", "roleDefinitionName", required},
	column{"Scope", "scope", required},
)

// role/commands.py transform_definition_list; Type is the resource type
// (Microsoft.Authorization/roleDefinitions), as az shows it, not roleType.
var tableRoleDefinitions = columns(
	column{"Name", "roleName", required},
	column{"Type", "type", required},
	column{"Description", "description", required},
)

// role/commands.py get_graph_object_transformer('sp'): sorted by display
// name, with the object id shown (az takes id out of the skipped keys).
// scopevault's service principals carry no createdDateTime, so that
// column, empty in every row, is left out as az leaves out null cells.
var tableServicePrincipals = sortedBy("displayName", columns(
	column{"DisplayName", "displayName", optional},
	column{"Id", "id", optional},
	column{"AppId", "appId", optional},
	column{"CreatedDateTime", "createdDateTime", optional},
))

// resource/commands.py transform_resource_group_list.
var tableResourceGroups = columns(
	column{"Name", "name", required},
	column{"Location", "location", required},
	column{"Status", "properties.provisioningState", required},
)

// profile/_format.py transform_account_list.
var tableAccounts = columns(
	column{"Name", "name", required},
	column{"CloudName", "cloudName", required},
	column{"SubscriptionId", "id", required},
	column{"TenantId", "tenantId", required},
	column{"State", "state", optional},
	column{"IsDefault", "isDefault", required},
)

// keyvault/_format.py transform_secret_list(_table), for `keyvault secret
// list` only: list-versions and list-deleted have no transformer in az.
var tableSecrets = columns(
	column{"Name", "name", orBlank},
	column{"Id", "id", orBlank},
	column{"ContentType", "contentType", orBlank},
	column{"Enabled", "attributes.enabled", orBlank},
	column{"Expires", "attributes.expires", orBlank},
)
