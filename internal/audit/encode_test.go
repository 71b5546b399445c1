package audit

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func stdRecord(t testing.TB, r Record) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAppendRecordMatchesJSON(t *testing.T) {
	at := time.Date(2026, 11, 29, 0, 1, 2, 345678900, time.UTC)
	tests := []struct {
		name string
		r    Record
	}{
		{"ok/minimal", Record{Time: at, Service: "keyvault", Action: "Unknown", Status: 401}},
		{"ok/everything", Record{Time: at.In(time.FixedZone("z", -3600)), RequestID: "rid", Service: "secrets", Action: "getSecret",
			Principal: "a@b<c>", AppID: "app", Workspace: "ws", Scope: "s&s", Vault: "kv", Key: "k\"ey\u2028",
			Params: map[string]string{"z": "1", "permission": "READ", "é\x01": "\xff"}, SourceAddr: "127.0.0.1",
			Status: 403, Decision: "deny", Rule: "role 'X' assigned at '/s'", ErrorCode: "ForbiddenByRbac"}},
		{"ok/empty-params-omitted", Record{Time: at, Service: "s", Action: "a", Params: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := appendRecord(nil, &tt.r), stdRecord(t, tt.r); !bytes.Equal(got, want) {
				t.Fatalf("appendRecord:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// FuzzAppendRecord: any field contents encode as encoding/json encodes them.
func FuzzAppendRecord(f *testing.F) {
	f.Add("keyvault", "GetSecret", "kv", "k", "p", "v", int64(1764374400), 200)
	f.Add("", "<&>", "\xff", "\u2029", "", "", int64(-5), -1)
	f.Fuzz(func(t *testing.T, service, action, vault, key, pk, pv string, sec int64, status int) {
		r := Record{Time: time.Unix(sec%253402300799, 0).UTC(), Service: service, Action: action, Vault: vault, Key: key, Status: status}
		if y := r.Time.Year(); y < 0 || y > 9999 {
			t.Skip()
		}
		if pk != "" {
			r.Params = map[string]string{pk: pv}
		}
		if got, want := appendRecord(nil, &r), stdRecord(t, r); !bytes.Equal(got, want) {
			t.Fatalf("appendRecord:\n got %s\nwant %s", got, want)
		}
	})
}
