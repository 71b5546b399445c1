package keyvault_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// bundle is the part of a SecretBundle / DeletedSecretBundle the tests read.
type bundle struct {
	Value       *string           `json:"value"`
	ID          string            `json:"id"`
	ContentType string            `json:"contentType"`
	Tags        map[string]string `json:"tags"`
	Attributes  struct {
		Enabled         bool   `json:"enabled"`
		Created         int64  `json:"created"`
		RecoverableDays int    `json:"recoverableDays"`
		RecoveryLevel   string `json:"recoveryLevel"`
	} `json:"attributes"`
	RecoveryID         string `json:"recoveryId"`
	DeletedDate        int64  `json:"deletedDate"`
	ScheduledPurgeDate int64  `json:"scheduledPurgeDate"`
}

type listPage struct {
	Value    []bundle `json:"value"`
	NextLink *string  `json:"nextLink"`
}

var base64URLRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// One secret through every operation, in the order a client would run them.
func TestWireLifecycle(t *testing.T) {
	w := MustWire(t)
	q := "?api-version=" + defaultAPIVersion
	var v1, v2, blob string

	steps := []wireCase{
		{name: "ok/set", method: "PUT", url: "/secrets/Life" + q, token: w.admin, status: 200,
			body: map[string]any{"value": "one", "contentType": "text/plain", "tags": map[string]string{"a": "b"}},
			check: func(t *testing.T, r *resp) {
				var b bundle
				r.JSON(t, &b)
				v1 = b.ID[strings.LastIndex(b.ID, "/")+1:]
				if want := w.base + "/secrets/Life/" + v1; b.ID != want || !scopevault.ValidVersion(v1) {
					t.Errorf("id: got %q, want %q with a 32-hex version", b.ID, want)
				}
				if b.Value == nil || *b.Value != "one" || b.ContentType != "text/plain" || b.Tags["a"] != "b" {
					t.Errorf("bundle: got %+v", b)
				}
				if !b.Attributes.Enabled || b.Attributes.RecoveryLevel != "Recoverable+Purgeable" || b.Attributes.RecoverableDays != 90 {
					t.Errorf("attributes: got %+v", b.Attributes)
				}
			}},
		{name: "ok/set-second-version", method: "PUT", url: "/secrets/life" + q, token: w.admin, body: map[string]string{"value": "two"}, status: 200,
			check: func(t *testing.T, r *resp) {
				var b bundle
				r.JSON(t, &b)
				v2 = b.ID[strings.LastIndex(b.ID, "/")+1:]
				if !strings.HasPrefix(b.ID, w.base+"/secrets/Life/") || v2 == v1 {
					t.Errorf("id: got %q after %s", b.ID, v1)
				}
				if b.Tags != nil {
					t.Errorf("a new version inherited tags %v", b.Tags)
				}
			}},
		{name: "ok/update-first-version", method: "PATCH", token: w.admin, body: `{"attributes":{"enabled":false}}`, status: 200,
			check: func(t *testing.T, r *resp) {
				var b bundle
				r.JSON(t, &b)
				if b.Value != nil {
					t.Error("an update response carries the value")
				}
				if b.Attributes.Enabled {
					t.Error("still enabled")
				}
			}},
		{name: "fail/get-disabled-version", method: "GET", token: w.admin, status: 403, code: "Forbidden", inner: "SecretDisabled"},
		{name: "ok/versions", method: "GET", url: "/secrets/LIFE/versions" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var p listPage
			r.JSON(t, &p)
			var got []string
			for _, b := range p.Value {
				got = append(got, b.ID)
				if b.Value != nil {
					t.Error("a version item carries its value")
				}
			}
			slices.Sort(got)
			want := []string{w.base + "/secrets/Life/" + v1, w.base + "/secrets/Life/" + v2}
			slices.Sort(want)
			if !slices.Equal(got, want) || p.NextLink != nil {
				t.Errorf("versions: got %v next %v, want %v", got, p.NextLink, want)
			}
		}},
		{name: "ok/list-base-ids", method: "GET", url: "/secrets" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var p listPage
			r.JSON(t, &p)
			if len(p.Value) != 1 || p.Value[0].ID != w.base+"/secrets/Life" {
				t.Errorf("list: got %+v, want the base id only", p.Value)
			}
		}},
		{name: "ok/backup", method: "POST", url: "/secrets/life/backup" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var b struct {
				Value string `json:"value"`
			}
			r.JSON(t, &b)
			blob = b.Value
			if !base64URLRE.MatchString(blob) {
				t.Errorf("backup value is not unpadded base64url: %q", blob)
			}
			raw, err := base64.RawURLEncoding.DecodeString(blob)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), "one") && strings.Contains(string(raw), "two") {
				t.Error("the backup blob holds the values in clear")
			}
		}},
		{name: "ok/delete", method: "DELETE", url: "/secrets/life" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var b bundle
			r.JSON(t, &b)
			if want := w.base + "/deletedsecrets/Life"; b.RecoveryID != want {
				t.Errorf("recoveryId: got %q, want %q", b.RecoveryID, want)
			}
			if got, want := b.ScheduledPurgeDate-b.DeletedDate, int64(90*24*3600); got != want || b.DeletedDate != w.clock.Now().Unix() {
				t.Errorf("deletedDate %d, scheduledPurgeDate %d: want now and now+90d", b.DeletedDate, b.ScheduledPurgeDate)
			}
		}},
		{name: "fail/get-deleted-secret", method: "GET", url: "/secrets/life/" + q, token: w.admin, status: 404, code: "SecretNotFound"},
		{name: "ok/recover", method: "POST", url: "/deletedsecrets/life/recover" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var b bundle
			r.JSON(t, &b)
			if b.Value != nil || b.RecoveryID != "" {
				t.Errorf("recover response: got %+v", b)
			}
		}},
		{name: "ok/get-after-recover", method: "GET", url: "/secrets/life/" + q, token: w.admin, status: 200},
		{name: "ok/delete-again", method: "DELETE", url: "/secrets/life" + q, token: w.admin, status: 200},
		{name: "ok/purge", method: "DELETE", url: "/deletedsecrets/life" + q, token: w.admin, status: 204, check: func(t *testing.T, r *resp) {
			if len(r.body) != 0 {
				t.Errorf("purge body: got %q, want empty", r.body)
			}
		}},
		{name: "fail/get-deleted-after-purge", method: "GET", url: "/deletedsecrets/life" + q, token: w.admin, status: 404, code: "SecretNotFound",
			message: "Deleted Secret not found: life"},
		{name: "fail/purge-twice", method: "DELETE", url: "/deletedsecrets/life" + q, token: w.admin, status: 404, code: "SecretNotFound"},
		{name: "ok/restore", method: "POST", url: "/secrets/restore" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var b bundle
			r.JSON(t, &b)
			if want := w.base + "/secrets/Life/" + v2; b.ID != want {
				t.Errorf("id: got %q, want %q", b.ID, want)
			}
		}},
		{name: "ok/get-restored", method: "GET", url: "/secrets/life/" + q, token: w.admin, status: 200, check: func(t *testing.T, r *resp) {
			var b bundle
			r.JSON(t, &b)
			if b.Value == nil || *b.Value != "two" {
				t.Errorf("value: got %v, want two", b.Value)
			}
		}},
		{name: "fail/get-restored-disabled-version", method: "GET", token: w.admin, status: 403, code: "Forbidden", inner: "SecretDisabled"},
		{name: "fail/restore-existing", method: "POST", url: "/secrets/restore" + q, token: w.admin, status: 409, code: "Conflict", inner: "SecretAlreadyExists"},
		{name: "fail/restore-existing-double-slashes", method: "POST", url: "//secrets//restore" + q, token: w.admin, status: 409, code: "Conflict", inner: "SecretAlreadyExists"},
		{name: "fail/restore-not-base64", method: "POST", url: "/secrets/restore" + q, token: w.admin, body: map[string]string{"value": "!!!"}, status: 400, code: "BadParameter"},
		{name: "fail/restore-missing-value", method: "POST", url: "/secrets/restore" + q, token: w.admin, body: map[string]string{}, status: 400, code: "BadParameter"},
		{name: "ok/secret-named-restore", method: "PUT", url: "/secrets/restore" + q, token: w.admin, body: map[string]string{"value": "r"}, status: 200},
		{name: "ok/get-secret-named-restore", method: "GET", url: "/secrets/restore" + q, token: w.admin, status: 200},
		{name: "ok/secret-named-versions", method: "PUT", url: "/secrets/versions" + q, token: w.admin, body: map[string]string{"value": "v"}, status: 200},
		{name: "ok/versions-of-secret-named-versions", method: "GET", url: "/secrets/versions/versions" + q, token: w.admin, status: 200},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			// Steps that depend on earlier ones fill in versions and blobs lazily.
			switch tt.name {
			case "ok/update-first-version", "fail/get-disabled-version", "fail/get-restored-disabled-version":
				tt.url = "/secrets/life/" + v1 + q
			case "ok/restore", "fail/restore-existing", "fail/restore-existing-double-slashes":
				tt.body = map[string]string{"value": blob}
			}
			w.run(t, tt)
		})
	}

	t.Run("fail/restore-tampered", func(t *testing.T) {
		raw, err := base64.RawURLEncoding.DecodeString(blob)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 1
		w.run(t, wireCase{method: "POST", url: "/secrets/restore" + q, token: w.admin,
			body: map[string]string{"value": base64.RawURLEncoding.EncodeToString(raw)}, status: 400, code: "BadParameter"})
	})
}

// Paging over the wire: nextLinks are absolute, carry api-version, and work
// when followed verbatim or re-encoded the way the Go SDK does.
func TestWirePaging(t *testing.T) {
	w := MustWire(t)
	var want []string
	for i := range 30 {
		name := fmt.Sprintf("%c-%02d", 'a'+i/2, i)
		if i%2 == 1 {
			name = strings.ToUpper(name)
		}
		want = append(want, name)
	}
	for i := range want {
		w.MustSet(t, w.vault, want[(i*7)%len(want)], secrets.SetParams{Value: "v"})
	}
	// Interleave deleted secrets: they must not disturb the cursors.
	for i := range 10 {
		name := fmt.Sprintf("%c-%02da", 'a'+i, i)
		w.MustSet(t, w.vault, name, secrets.SetParams{Value: "v"})
		w.MustDelete(t, w.vault, name)
	}

	// follow lists from first, following nextLinks through fix; it returns
	// the ids' names and the page sizes.
	follow := func(t *testing.T, first, apiVersion string, fix func(string) string) ([]string, []int) {
		t.Helper()
		var names []string
		var sizes []int
		next := first
		for range 20 {
			r := w.Do(t, "GET", next, w.admin, nil)
			if r.status != 200 {
				t.Fatalf("GET %s: %d %s", next, r.status, r.body)
			}
			var p listPage
			r.JSON(t, &p)
			if p.Value == nil {
				t.Fatalf("page without a value array: %s", r.body)
			}
			for _, b := range p.Value {
				names = append(names, b.ID[strings.LastIndex(b.ID, "/")+1:])
			}
			sizes = append(sizes, len(p.Value))
			if p.NextLink == nil {
				if !strings.Contains(string(r.body), `"nextLink":null`) {
					t.Errorf("last page lacks \"nextLink\":null: %s", r.body)
				}
				return names, sizes
			}
			u, err := url.Parse(*p.NextLink)
			if err != nil {
				t.Fatal(err)
			}
			firstURL, _ := url.Parse(first)
			if !u.IsAbs() || u.Scheme != "https" || u.Host != firstURL.Host {
				t.Errorf("nextLink %q is not absolute on %s", *p.NextLink, firstURL.Host)
			}
			if got := u.Query().Get("api-version"); got != apiVersion {
				t.Errorf("nextLink %q: api-version %q, want %q", *p.NextLink, got, apiVersion)
			}
			next = fix(*p.NextLink)
		}
		t.Fatal("paging did not end")
		return nil, nil
	}
	verbatim := func(s string) string { return s }
	// The Go SDK re-encodes the query when it follows a nextLink: sorted, "$" as %24.
	goSDK := func(s string) string {
		u, _ := url.Parse(s)
		u.RawQuery = u.Query().Encode()
		return u.String()
	}

	tests := []struct {
		name       string
		first      string
		apiVersion string
		fix        func(string) string
		wantSizes  []int
	}{
		{name: "ok/default-page-size", first: w.base + "/secrets?api-version=2026-04-01", apiVersion: "2026-04-01", fix: verbatim, wantSizes: []int{25, 5}},
		{name: "ok/maxresults-10", first: w.base + "/secrets?api-version=7.4&maxresults=10", apiVersion: "7.4", fix: verbatim, wantSizes: []int{10, 10, 10}},
		{name: "ok/go-sdk-reencoded", first: w.base + "/secrets?api-version=2026-04-01&maxresults=7", apiVersion: "2026-04-01", fix: goSDK, wantSizes: []int{7, 7, 7, 7, 2}},
		{name: "ok/js-encoded-api-version", first: w.base + "/secrets?api%2Dversion=2025-07-01&maxresults=25", apiVersion: "2025-07-01", fix: verbatim, wantSizes: []int{25, 5}},
		{name: "ok/real-host-form", first: w.hostBase(w.vault) + "/secrets?api-version=7.6&maxresults=20", apiVersion: "7.6", fix: verbatim, wantSizes: []int{20, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, sizes := follow(t, tt.first, tt.apiVersion, tt.fix)
			if !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("page sizes: got %v, want %v", sizes, tt.wantSizes)
			}
			if !slices.Equal(names, want) {
				t.Errorf("names:\n got %v\nwant %v", names, want)
			}
		})
	}

	t.Run("ok/deleted", func(t *testing.T) {
		names, sizes := follow(t, w.base+"/deletedsecrets?api-version=7.6&maxresults=4", "7.6", verbatim)
		if got, want := sizes, []int{4, 4, 2}; !slices.Equal(got, want) {
			t.Errorf("page sizes: got %v, want %v", got, want)
		}
		if len(names) != 10 || !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Errorf("deleted names: got %v", names)
		}
	})
	t.Run("ok/versions", func(t *testing.T) {
		for range 30 {
			w.MustSet(t, w.vault, "many", secrets.SetParams{Value: "v"})
		}
		_, sizes := follow(t, w.base+"/secrets/many/versions?api-version=7.6", "7.6", verbatim)
		if got, want := sizes, []int{25, 5}; !slices.Equal(got, want) {
			t.Errorf("page sizes: got %v, want %v", got, want)
		}
	})
}
