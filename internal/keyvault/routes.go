package keyvault

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// route is a parsed data-plane request: the operation and its path parameters.
type route struct {
	op      scopevault.Operation
	name    string
	version string
}

// parseRoute maps method and path to an operation. Repeated slashes are
// collapsed (some SDKs emit "//"); literal segments win over names, so
// POST /secrets/restore is the restore operation.
func parseRoute(method, path string) (route, bool) {
	var segs []string
	for _, s := range strings.Split(path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		return route{}, false
	}
	coll := strings.ToLower(segs[0])
	switch {
	case coll == "secrets":
		return secretsRoute(method, segs[1:])
	case coll == "deletedsecrets":
		return deletedRoute(method, segs[1:])
	}
	return route{}, false
}

func secretsRoute(method string, rest []string) (route, bool) {
	switch len(rest) {
	case 0:
		if method == http.MethodGet {
			return route{op: scopevault.OpListSecrets}, true
		}
	case 1:
		switch {
		case method == http.MethodPost && strings.EqualFold(rest[0], "restore"):
			return route{op: scopevault.OpRestoreSecret}, true
		case method == http.MethodPut:
			return route{op: scopevault.OpSetSecret, name: rest[0]}, true
		case method == http.MethodGet:
			return route{op: scopevault.OpGetSecret, name: rest[0]}, true
		case method == http.MethodPatch:
			return route{op: scopevault.OpUpdateSecret, name: rest[0]}, true
		case method == http.MethodDelete:
			return route{op: scopevault.OpDeleteSecret, name: rest[0]}, true
		}
	case 2:
		switch {
		case method == http.MethodGet && strings.EqualFold(rest[1], "versions"):
			return route{op: scopevault.OpListSecretVersions, name: rest[0]}, true
		case method == http.MethodPost && strings.EqualFold(rest[1], "backup"):
			return route{op: scopevault.OpBackupSecret, name: rest[0]}, true
		case method == http.MethodGet:
			return route{op: scopevault.OpGetSecret, name: rest[0], version: rest[1]}, true
		case method == http.MethodPatch:
			return route{op: scopevault.OpUpdateSecret, name: rest[0], version: rest[1]}, true
		}
	}
	return route{}, false
}

func deletedRoute(method string, rest []string) (route, bool) {
	switch len(rest) {
	case 0:
		if method == http.MethodGet {
			return route{op: scopevault.OpListDeletedSecrets}, true
		}
	case 1:
		switch method {
		case http.MethodGet:
			return route{op: scopevault.OpGetDeletedSecret, name: rest[0]}, true
		case http.MethodDelete:
			return route{op: scopevault.OpPurgeDeletedSecret, name: rest[0]}, true
		}
	case 2:
		if method == http.MethodPost && strings.EqualFold(rest[1], "recover") {
			return route{op: scopevault.OpRecoverDeletedSecret, name: rest[0]}, true
		}
	}
	return route{}, false
}

// supportedAPIVersions are the Key Vault data-plane versions served.
var supportedAPIVersions = map[string]bool{
	"7.0": true, "7.1": true, "7.2": true, "7.3": true, "7.4": true, "7.5": true, "7.6": true,
	"2025-07-01": true, "2026-04-01": true,
}

const latestAPIVersion = "2026-04-01"
