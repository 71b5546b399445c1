package secrets_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// mixedNames returns n names whose byte order differs from their
// case-insensitive order ("B-01" < "a-00" in bytes), in case-insensitive order.
func mixedNames(n int) []string {
	out := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("%c-%02d", 'a'+i/3, i)
		if i%2 == 1 {
			name = strings.ToUpper(name)
		}
		out[i] = name
	}
	return out
}

// MustSetAll creates one version of each name, in a scrambled order.
func (e *testEngine) MustSetAll(tb testing.TB, v *scopevault.Vault, all []string) {
	tb.Helper()
	for i := range all {
		// 7 and len(all) are coprime for the sizes used here: a permutation.
		e.MustSet(tb, v, all[(i*7)%len(all)], "v")
	}
}

type lister func(ctx context.Context, v *scopevault.Vault, after string, limit int) (secrets.Page[*scopevault.Secret], error)

// collect follows cursors to the end and returns each page's names.
func collect(tb testing.TB, list lister, v *scopevault.Vault, limit int) [][]string {
	tb.Helper()
	var pages [][]string
	after := ""
	for range 100 {
		page, err := list(context.Background(), v, after, limit)
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, names(page.Items))
		if page.Next == "" {
			return pages
		}
		after = page.Next
	}
	tb.Fatal("paging did not end")
	return nil
}

func sizes(pages [][]string) []int {
	out := make([]int, len(pages))
	for i, p := range pages {
		out[i] = len(p)
	}
	return out
}

func TestListSecretsPaging(t *testing.T) {
	e := MustEngine(t)
	v := e.MustVault(t, "kv-paging")
	all := mixedNames(60)
	e.MustSetAll(t, v, all)

	tests := []struct {
		name      string
		limit     int
		wantSizes []int
	}{
		{name: "ok/limit-25", limit: 25, wantSizes: []int{25, 25, 10}},
		{name: "ok/limit-7", limit: 7, wantSizes: []int{7, 7, 7, 7, 7, 7, 7, 7, 4}},
		{name: "ok/limit-1", limit: 1, wantSizes: slices.Repeat([]int{1}, 60)},
		{name: "ok/limit-0-means-25", limit: 0, wantSizes: []int{25, 25, 10}},
		{name: "ok/limit-26-clamped", limit: 26, wantSizes: []int{25, 25, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := collect(t, e.ListSecrets, v, tt.limit)
			if got, want := sizes(pages), tt.wantSizes; !slices.Equal(got, want) {
				t.Fatalf("page sizes: got %v, want %v", got, want)
			}
			if got, want := slices.Concat(pages...), all; !slices.Equal(got, want) {
				t.Errorf("order:\n got %v\nwant %v", got, want)
			}
		})
	}

	t.Run("ok/exact-multiple-has-no-empty-last-page", func(t *testing.T) {
		e := MustEngine(t)
		v := e.MustVault(t, "kv-fifty")
		e.MustSetAll(t, v, mixedNames(50))
		if got, want := sizes(collect(t, e.ListSecrets, v, 25)), []int{25, 25}; !slices.Equal(got, want) {
			t.Errorf("page sizes: got %v, want %v", got, want)
		}
	})
	t.Run("ok/empty-vault", func(t *testing.T) {
		e := MustEngine(t)
		v := e.MustVault(t, "kv-empty")
		page, err := e.ListSecrets(context.Background(), v, "", 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 || page.Next != "" {
			t.Errorf("got %v next %q, want an empty last page", names(page.Items), page.Next)
		}
	})
}

func TestListPagingWithDeletedInterleaved(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-interleaved")
	all := mixedNames(60)
	e.MustSetAll(t, v, all)
	var live, gone []string
	for i, n := range all {
		if i%3 == 1 {
			e.MustDelete(t, v, n)
			gone = append(gone, n)
		} else {
			live = append(live, n)
		}
	}

	tests := []struct {
		name      string
		list      lister
		limit     int
		want      []string
		wantSizes []int
	}{
		{name: "ok/live-limit-25", list: e.ListSecrets, limit: 25, want: live, wantSizes: []int{25, 15}},
		{name: "ok/live-limit-4", list: e.ListSecrets, limit: 4, want: live, wantSizes: slices.Repeat([]int{4}, 10)},
		{name: "ok/deleted-limit-25", list: e.ListDeleted, limit: 25, want: gone, wantSizes: []int{20}},
		{name: "ok/deleted-limit-7", list: e.ListDeleted, limit: 7, want: gone, wantSizes: []int{7, 7, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := collect(t, tt.list, v, tt.limit)
			if got, want := sizes(pages), tt.wantSizes; !slices.Equal(got, want) {
				t.Fatalf("page sizes: got %v, want %v", got, want)
			}
			if got, want := slices.Concat(pages...), tt.want; !slices.Equal(got, want) {
				t.Errorf("order:\n got %v\nwant %v", got, want)
			}
		})
	}

	t.Run("ok/long-run-of-deleted", func(t *testing.T) {
		// Many more deleted than the page size between two live secrets:
		// the engine must keep reading past whole batches of skipped records.
		e := MustEngine(t)
		v := e.MustVault(t, "kv-sparse")
		all := mixedNames(60)
		e.MustSetAll(t, v, all)
		for _, n := range all[1:59] {
			e.MustDelete(t, v, n)
		}
		pages := collect(t, e.ListSecrets, v, 1)
		if got, want := slices.Concat(pages...), []string{all[0], all[59]}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	t.Run("ok/cursor-survives-changes-between-pages", func(t *testing.T) {
		e := MustEngine(t)
		v := e.MustVault(t, "kv-moving")
		all := mixedNames(30)
		e.MustSetAll(t, v, all)
		first, err := e.ListSecrets(ctx, v, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(first.Items), all[:10]; !slices.Equal(got, want) {
			t.Fatalf("first page: got %v, want %v", got, want)
		}
		// Delete the cursor's own secret and the next two, add one before the
		// cursor (never shown again) and one after it (shown).
		for _, n := range all[9:12] {
			e.MustDelete(t, v, n)
		}
		e.MustSet(t, v, "A-00a", "v") // between "a-00" and "A-01": before the cursor
		e.MustSet(t, v, "d-09A", "v") // between "D-09" and "d-10": after the cursor
		second, err := e.ListSecrets(ctx, v, first.Next, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{"d-09A"}, all[12:21]...)
		if got := names(second.Items); !slices.Equal(got, want) {
			t.Errorf("second page:\n got %v\nwant %v", got, want)
		}
	})
}

func TestListVersionsPaging(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-version-pages")
	var want []string
	for i := range 30 {
		want = append(want, e.MustSet(t, v, "many", fmt.Sprint(i)).Version.Version)
	}

	for _, tt := range []struct {
		name      string
		limit     int
		wantSizes []int
	}{
		{name: "ok/limit-25", limit: 25, wantSizes: []int{25, 5}},
		{name: "ok/limit-10", limit: 10, wantSizes: []int{10, 10, 10}},
		{name: "ok/limit-0-means-25", limit: 0, wantSizes: []int{25, 5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var gotSizes []int
			after := ""
			for range 10 {
				s, page, err := e.ListVersions(ctx, v, "MANY", after, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				if s.Name != "many" {
					t.Errorf("secret name: got %q, want %q", s.Name, "many")
				}
				for _, ver := range page.Items {
					got = append(got, ver.Version)
				}
				gotSizes = append(gotSizes, len(page.Items))
				if page.Next == "" {
					break
				}
				after = page.Next
			}
			if !slices.Equal(gotSizes, tt.wantSizes) {
				t.Fatalf("page sizes: got %v, want %v", gotSizes, tt.wantSizes)
			}
			if !slices.Equal(got, want) {
				t.Errorf("versions out of creation order")
			}
		})
	}

	for _, bad := range []string{"x", "-1", "1.5"} {
		t.Run("fail/cursor-"+bad, func(t *testing.T) {
			_, _, err := e.ListVersions(ctx, v, "many", bad, 10)
			wantErr(t, err, scopevault.EINVALID, "")
		})
	}
	t.Run("ok/cursor-past-end", func(t *testing.T) {
		_, page, err := e.ListVersions(ctx, v, "many", "1000", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 || page.Next != "" {
			t.Errorf("got %d items next %q, want an empty last page", len(page.Items), page.Next)
		}
	})
	t.Run("fail/unknown-secret", func(t *testing.T) {
		_, _, err := e.ListVersions(ctx, v, "unknown", "", 10)
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
}
