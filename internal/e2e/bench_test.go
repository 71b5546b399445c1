package e2e

import (
	"strings"
	"testing"
)

// BenchmarkGetSecret measures the hot path (token check, vault, authz, read)
// over TLS with a real bearer token, in parallel.
func BenchmarkGetSecret(b *testing.B) {
	srv := MustServer(b)
	env := MustEnvFile(b, srv.DataDir())
	c := MustClient(b, env)
	token := c.AdminToken(b)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	if status, _, err := c.Do("PUT", vaultURL+"/secrets/bench?api-version=7.6", token, map[string]string{"value": "v"}); err != nil || status != 200 {
		b.Fatal(status, err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, _, err := c.Do("GET", vaultURL+"/secrets/bench/?api-version=7.6", token, nil); err != nil || status != 200 {
				b.Error(status, err)
				return
			}
		}
	})
}
