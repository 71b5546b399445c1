package scopevault_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/scopevault/scopevault"
)

// Vaults stored before rules carried their flag hold bare subnet ids; both
// forms load.
func TestVNetRuleJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []scopevault.VNetRule
	}{
		{"ok/bare-id", `["/subscriptions/s/x/subnets/a"]`, []scopevault.VNetRule{{ID: "/subscriptions/s/x/subnets/a"}}},
		{"ok/object", `[{"id":"/subscriptions/s/x/subnets/a","ignoreMissingVnetServiceEndpoint":true}]`, []scopevault.VNetRule{{ID: "/subscriptions/s/x/subnets/a", IgnoreMissingServiceEndpoint: true}}},
		{"ok/mixed", `["a",{"id":"b"}]`, []scopevault.VNetRule{{ID: "a"}, {ID: "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []scopevault.VNetRule
			if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	var bad []scopevault.VNetRule
	if err := json.Unmarshal([]byte(`[42]`), &bad); err == nil {
		t.Error("a number loaded as a rule")
	}
}
