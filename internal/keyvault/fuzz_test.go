package keyvault

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// segments is the oracle's view of a path: non-empty segments, "//" collapsed.
func segments(path string) []string {
	var out []string
	for _, s := range strings.Split(path, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func FuzzParseRoute(f *testing.F) {
	for _, seed := range []struct{ method, path string }{
		{"GET", "/secrets"},
		{"GET", "/secrets/"},
		{"GET", "/secrets/name"},
		{"GET", "/secrets/name/"},
		{"GET", "/secrets/name/0123456789abcdef0123456789abcdef"},
		{"GET", "/secrets/name/versions"},
		{"GET", "/secrets/versions/versions"},
		{"GET", "/secrets/restore"},
		{"PUT", "/secrets/name"},
		{"PATCH", "/secrets/name/"},
		{"PATCH", "/secrets/name/v"},
		{"DELETE", "/secrets/name"},
		{"POST", "/secrets/restore"},
		{"POST", "/secrets/RESTORE/"},
		{"POST", "//secrets//restore"},
		{"POST", "/secrets/name/backup"},
		{"POST", "/secrets/backup/backup"},
		{"POST", "/secrets/restore/backup"},
		{"GET", "/deletedsecrets"},
		{"GET", "/deletedSecrets/name"},
		{"DELETE", "/deletedsecrets/name"},
		{"POST", "/deletedsecrets/name/recover"},
		{"POST", "/deletedsecrets/recover/recover"},
		{"GET", "/"},
		{"GET", ""},
		{"GET", "/keys/k"},
		{"get", "/secrets"},
		{"POST", "/secrets/a%2Fb/backup"},
		{"GET", "/secrets/a/b/c/d"},
	} {
		f.Add(seed.method, seed.path)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		rt, ok := parseRoute(method, path)
		if !ok {
			if rt != (route{}) {
				t.Fatalf("refused route carries data: %+v", rt)
			}
			return
		}
		if _, known := scopevault.Operations[rt.op]; !known {
			t.Fatalf("unknown operation %q", rt.op)
		}
		if strings.Contains(rt.name, "/") || strings.Contains(rt.version, "/") {
			t.Fatalf("path parameter holds a slash: %+v", rt)
		}
		segs := segments(path)
		if len(segs) == 0 {
			t.Fatalf("empty path routed to %+v", rt)
		}

		// Literal segments win over names and versions.
		coll := strings.ToLower(segs[0])
		switch {
		case coll == "secrets" && len(segs) == 2 && method == http.MethodPost && strings.EqualFold(segs[1], "restore"):
			if got, want := rt, (route{op: scopevault.OpRestoreSecret}); got != want {
				t.Fatalf("POST %s: got %+v, want %+v", path, got, want)
			}
		case coll == "secrets" && len(segs) == 3 && method == http.MethodGet && strings.EqualFold(segs[2], "versions"):
			if got, want := rt, (route{op: scopevault.OpListSecretVersions, name: segs[1]}); got != want {
				t.Fatalf("GET %s: got %+v, want %+v", path, got, want)
			}
		case coll == "secrets" && len(segs) == 3 && method == http.MethodPost && strings.EqualFold(segs[2], "backup"):
			if got, want := rt, (route{op: scopevault.OpBackupSecret, name: segs[1]}); got != want {
				t.Fatalf("POST %s: got %+v, want %+v", path, got, want)
			}
		case coll == "deletedsecrets" && len(segs) == 3 && method == http.MethodPost && strings.EqualFold(segs[2], "recover"):
			if got, want := rt, (route{op: scopevault.OpRecoverDeletedSecret, name: segs[1]}); got != want {
				t.Fatalf("POST %s: got %+v, want %+v", path, got, want)
			}
		}

		// The operation names an object the path really addresses.
		switch rt.op {
		case scopevault.OpListSecrets, scopevault.OpListDeletedSecrets, scopevault.OpRestoreSecret:
			if rt.name != "" || rt.version != "" {
				t.Fatalf("vault-wide operation with parameters: %+v", rt)
			}
		default:
			if len(segs) < 2 || rt.name != segs[1] {
				t.Fatalf("%s %s: name %q is not the second segment", method, path, rt.name)
			}
		}
		if rt.version != "" && (len(segs) != 3 || rt.version != segs[2]) {
			t.Fatalf("%s %s: version %q is not the third segment", method, path, rt.version)
		}
		if len(segs) > 3 {
			t.Fatalf("%s %s: %d segments routed to %+v", method, path, len(segs), rt)
		}
	})
}

// resourceHost is the host (with port) of a challenge resource URL.
func resourceHost(t *testing.T, resource string) string {
	t.Helper()
	u, err := url.Parse(resource)
	if err != nil || u.Scheme != "https" || u.Path != "" || u.Host == "" {
		t.Fatalf("challenge resource %q is not https://host[:port]", resource)
	}
	return u.Host
}

// goSDKAccepts is the Go SDK's challenge-resource check: the request Host
// (with port) must end with "." + the resource Host (with port).
func goSDKAccepts(t *testing.T, host string) {
	t.Helper()
	res := challengeResource(host)
	if rh := resourceHost(t, res); !strings.HasSuffix(host, "."+rh) {
		t.Fatalf("host %q, challenge resource %q: the Go SDK refuses it (host must end with %q)", host, res, "."+rh)
	}
}

func FuzzChallengeResource(f *testing.F) {
	f.Add("127.1.0.1:8443", uint8(1), uint8(0), uint8(1), uint16(8443), "scopevault-default")
	f.Add("kv.vault.azure.net:443", uint8(255), uint8(255), uint8(254), uint16(443), "KV")
	f.Add("[::1]:8443", uint8(0), uint8(0), uint8(0), uint16(0), "a")
	f.Add("localhost", uint8(10), uint8(20), uint8(30), uint16(1), "0-0")
	f.Add(":", uint8(0), uint8(0), uint8(1), uint16(65535), "")
	f.Add("a.b.c.d.vault.azure.net", uint8(0), uint8(0), uint8(1), uint16(65535), "x.y")
	f.Add("127.1.0.1:", uint8(0), uint8(0), uint8(1), uint16(65535), "my.vault")
	f.Fuzz(func(t *testing.T, raw string, b1, b2, b3 uint8, port uint16, name string) {
		// Anything a client can put in Host never panics, and the result is
		// an https URL that adds nothing able to break the header's quoting.
		res := challengeResource(raw)
		if !strings.HasPrefix(res, "https://") {
			t.Fatalf("host %q: challenge resource %q is not https", raw, res)
		}
		if !strings.ContainsAny(raw, "\" \\") && strings.ContainsAny(res, "\" \\") {
			t.Fatalf("host %q: challenge resource %q gained a quote, space or backslash", raw, res)
		}

		// A vault's no-setup address: 127.b1.b2.b3[:port].
		ip := netip.AddrFrom4([4]byte{127, b1, b2, b3}).String()
		goSDKAccepts(t, ip)
		if port != 0 {
			goSDKAccepts(t, ip+":"+strconv.Itoa(int(port)))
		}

		// The real host form: <name>.vault.azure.net[:port].
		if name != "" && len(name) <= 63 && isHostLabel(name) {
			for _, h := range []string{name + VaultSuffix, name + strings.ToUpper(VaultSuffix)} {
				goSDKAccepts(t, h)
				if port != 0 {
					goSDKAccepts(t, h+":"+strconv.Itoa(int(port)))
				}
			}
		}
	})
}

func isHostLabel(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func FuzzDecodeSetBody(f *testing.F) {
	for _, seed := range []string{
		`{"value":"s3cret"}`,
		`{"value":"v","contentType":"text/plain","tags":{"a":"b"},"attributes":{"enabled":false,"nbf":1493938289,"exp":1893456000}}`,
		`{"value":null}`,
		`{"value":1}`,
		`{"attributes":{"nbf":1.5}}`,
		`{"attributes":{"exp":-9223372036854775808}}`,
		`{"attributes":{"exp":9223372036854775807}}`,
		`{"tags":{"":""}}`,
		`[]`,
		`null`,
		``,
		`   `,
		`{`,
		`{"value":"\u0000\ud800"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPut, "/secrets/x", bytes.NewReader(body))
		var in setIn
		err := decode(r, &in)
		if err != nil {
			if got, want := scopevault.ErrorCodeOf(err), scopevault.EINVALID; got != want {
				t.Fatalf("decode error code: got %s, want %s (%v)", got, want, err)
			}
			return
		}
		_ = in.Attributes.domain()

		r = httptest.NewRequest(http.MethodPatch, "/secrets/x", bytes.NewReader(body))
		var up updateIn
		if err := decode(r, &up); err == nil {
			_ = up.Attributes.domain()
		}
	})
}

func FuzzDecodeBase64URL(f *testing.F) {
	f.Add([]byte("backup blob"), "U1ZCSzE")
	f.Add([]byte{}, "")
	f.Add([]byte{0xfb, 0xff, 0xfe}, "-_-_")
	f.Add([]byte{0xfb, 0xff}, "+/+/==")
	f.Add([]byte{0}, "  QQ==  ")
	f.Add([]byte{1, 2, 3, 4, 5}, "====")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		// Arbitrary input never panics.
		_, _ = decodeBase64URL(s)

		// What the SDKs send (unpadded base64url), and leniently padded and
		// standard-alphabet forms, all decode to the same bytes.
		for name, enc := range map[string]*base64.Encoding{
			"raw-url": base64.RawURLEncoding, "url": base64.URLEncoding,
			"raw-std": base64.RawStdEncoding, "std": base64.StdEncoding,
		} {
			got, err := decodeBase64URL(enc.EncodeToString(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%s: got %x, want %x", name, got, data)
			}
		}
	})
}
