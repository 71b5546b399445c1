package cli

import (
	"strings"
	"testing"
)

// For any --conf text, parseRunConf never panics, and every variable it
// returns either is exactly one {{secrets/<scope>/<key>}} reference or
// mentions none: a reference is never passed on unresolved inside a value.
func FuzzParseRunConf(f *testing.F) {
	f.Add([]byte("# env\nDB_PASSWORD={{secrets/s/db}}\nspark.hadoop.key {{secrets/s/k}}\n"))
	f.Add([]byte("URL=jdbc://{{secrets/s/k}}@h\n"))
	f.Add([]byte("X={{secrets/s/k}}{{secrets/s/j}}\nY={{secrets//}}\nZ={{secrets/a/b}}}\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		vars, err := parseRunConf("f.conf", raw)
		if err != nil {
			return
		}
		for _, v := range vars {
			if v.name == "" || strings.ContainsAny(v.name, " \t\x00") {
				t.Fatalf("bad name %q", v.name)
			}
			ref := "{{secrets/" + v.scope + "/" + v.key + "}}"
			switch {
			case v.scope != "":
				if v.value != ref || v.key == "" || strings.Contains(v.scope, "/") || strings.Contains(v.key, "}") {
					t.Fatalf("reference %q parsed as scope %q key %q", v.value, v.scope, v.key)
				}
			case strings.Contains(v.value, "{{secrets/"):
				t.Fatalf("value %q holds a reference that would be passed on unresolved", v.value)
			}
		}
	})
}
