package keyvault

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendBundleMatchesJSON: the hand-written GET encoder writes exactly
// what encoding/json writes for the same bundle.
func TestAppendBundleMatchesJSON(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }
	yes, days := true, 90
	tests := []struct {
		name string
		b    bundleJSON
	}{
		{"ok/minimal", bundleJSON{ID: "https://v/secrets/a/1"}},
		{"ok/get", bundleJSON{Value: str("s3cr<e>t&\"\\\n\u2028\xff"), ID: "https://kv.vault.azure.net/secrets/a/0123",
			Attributes: attributesJSON{Enabled: &yes, Created: num(1764374400), Updated: num(1764374401), RecoverableDays: &days, RecoveryLevel: "Recoverable+Purgeable"}}},
		{"ok/everything", bundleJSON{Value: str(""), ID: "i", ContentType: "text/<plain>",
			Attributes: attributesJSON{Enabled: new(bool), NotBefore: num(-1), Expires: num(1 << 40), Created: num(0), Updated: num(2), RecoverableDays: new(int), RecoveryLevel: "Purgeable"},
			Tags:       map[string]string{"z": "1", "a<": "&", "é": "\x00", "": ""}, PreviousVersion: "p",
			RecoveryID: "r", DeletedDate: num(5), ScheduledPurgeDate: num(6)}},
		{"ok/empty-tags-omitted", bundleJSON{ID: "i", Tags: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(tt.b); err != nil {
				t.Fatal(err)
			}
			got := append(appendBundle(nil, &tt.b), '\n')
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("appendBundle:\n got %s\nwant %s", got, want.Bytes())
			}
		})
	}
}
