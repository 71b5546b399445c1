package keyvault

import (
	"testing"

	"github.com/scopevault/scopevault"
)

func TestParseRoute(t *testing.T) {
	const ver = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name         string
		method, path string
		want         route
		wantOK       bool
	}{
		{name: "ok/list", method: "GET", path: "/secrets", want: route{op: scopevault.OpListSecrets}, wantOK: true},
		{name: "ok/list-trailing-slash", method: "GET", path: "/secrets/", want: route{op: scopevault.OpListSecrets}, wantOK: true},
		{name: "ok/get-latest", method: "GET", path: "/secrets/db", want: route{op: scopevault.OpGetSecret, name: "db"}, wantOK: true},
		{name: "ok/get-latest-sdk-form", method: "GET", path: "/secrets/db/", want: route{op: scopevault.OpGetSecret, name: "db"}, wantOK: true},
		{name: "ok/get-version", method: "GET", path: "/secrets/db/" + ver, want: route{op: scopevault.OpGetSecret, name: "db", version: ver}, wantOK: true},
		{name: "ok/double-slashes", method: "GET", path: "//secrets//db", want: route{op: scopevault.OpGetSecret, name: "db"}, wantOK: true},
		{name: "ok/set", method: "PUT", path: "/secrets/db", want: route{op: scopevault.OpSetSecret, name: "db"}, wantOK: true},
		{name: "ok/update-latest", method: "PATCH", path: "/secrets/db/", want: route{op: scopevault.OpUpdateSecret, name: "db"}, wantOK: true},
		{name: "ok/update-version", method: "PATCH", path: "/secrets/db/" + ver, want: route{op: scopevault.OpUpdateSecret, name: "db", version: ver}, wantOK: true},
		{name: "ok/delete", method: "DELETE", path: "/secrets/db", want: route{op: scopevault.OpDeleteSecret, name: "db"}, wantOK: true},
		{name: "ok/versions", method: "GET", path: "/secrets/db/versions", want: route{op: scopevault.OpListSecretVersions, name: "db"}, wantOK: true},
		{name: "ok/backup", method: "POST", path: "/secrets/db/backup", want: route{op: scopevault.OpBackupSecret, name: "db"}, wantOK: true},
		{name: "ok/restore", method: "POST", path: "/secrets/restore", want: route{op: scopevault.OpRestoreSecret}, wantOK: true},
		{name: "ok/restore-dotnet-double-slash", method: "POST", path: "//secrets//restore", want: route{op: scopevault.OpRestoreSecret}, wantOK: true},
		{name: "ok/get-secret-named-restore", method: "GET", path: "/secrets/restore", want: route{op: scopevault.OpGetSecret, name: "restore"}, wantOK: true},
		{name: "ok/versions-of-secret-named-versions", method: "GET", path: "/secrets/versions/versions", want: route{op: scopevault.OpListSecretVersions, name: "versions"}, wantOK: true},
		{name: "ok/backup-of-secret-named-restore", method: "POST", path: "/secrets/restore/backup", want: route{op: scopevault.OpBackupSecret, name: "restore"}, wantOK: true},
		{name: "ok/list-deleted", method: "GET", path: "/deletedsecrets", want: route{op: scopevault.OpListDeletedSecrets}, wantOK: true},
		{name: "ok/get-deleted-camel-case", method: "GET", path: "/deletedSecrets/db", want: route{op: scopevault.OpGetDeletedSecret, name: "db"}, wantOK: true},
		{name: "ok/purge", method: "DELETE", path: "/deletedsecrets/db", want: route{op: scopevault.OpPurgeDeletedSecret, name: "db"}, wantOK: true},
		{name: "ok/recover", method: "POST", path: "/deletedsecrets/db/recover", want: route{op: scopevault.OpRecoverDeletedSecret, name: "db"}, wantOK: true},
		{name: "fail/root", method: "GET", path: "/"},
		{name: "fail/keys", method: "GET", path: "/keys/k"},
		{name: "fail/post-secret", method: "POST", path: "/secrets/db"},
		{name: "fail/delete-version", method: "DELETE", path: "/secrets/db/" + ver},
		{name: "fail/put-version", method: "PUT", path: "/secrets/db/" + ver},
		{name: "fail/too-deep", method: "GET", path: "/secrets/db/" + ver + "/x"},
		{name: "fail/recover-with-get", method: "GET", path: "/deletedsecrets/db/recover"},
		{name: "fail/lower-case-method", method: "get", path: "/secrets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRoute(tt.method, tt.path)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("parseRoute(%s, %s): got %+v %v, want %+v %v", tt.method, tt.path, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestChallengeResource(t *testing.T) {
	tests := []struct {
		name, host, want string
	}{
		{name: "ok/vault-address", host: "127.1.0.1:8443", want: "https://1.0.1:8443"},
		{name: "ok/vault-address-no-port", host: "127.1.0.1", want: "https://1.0.1"},
		{name: "ok/vault-address-explicit-443", host: "127.1.0.1:443", want: "https://1.0.1:443"},
		{name: "ok/real-host", host: "kv.vault.azure.net", want: "https://vault.azure.net"},
		{name: "ok/real-host-port", host: "kv.vault.azure.net:8443", want: "https://vault.azure.net:8443"},
		{name: "ok/real-host-explicit-443", host: "kv.vault.azure.net:443", want: "https://vault.azure.net:443"},
		{name: "ok/real-host-upper-case", host: "KV.VAULT.AZURE.NET:8443", want: "https://VAULT.AZURE.NET:8443"},
		{name: "ok/fallback-localhost", host: "localhost:8443", want: "https://vault.azure.net"},
		{name: "ok/fallback-ipv6", host: "[::1]:8443", want: "https://vault.azure.net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := challengeResource(tt.host); got != tt.want {
				t.Errorf("challengeResource(%q): got %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}
