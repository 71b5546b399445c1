package secrets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// tags returns n distinct tags.
func tags(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("tag%02d", i)] = "v"
	}
	return m
}

func TestSetLimits(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-limits")

	tests := []struct {
		name       string
		secret     string
		params     secrets.SetParams
		wantReason string // "" with wantErr: EINVALID without a reason
		wantErr    bool
	}{
		{name: "ok/value-25600", params: secrets.SetParams{Value: strings.Repeat("x", 25600)}},
		{name: "ok/value-25600-multibyte", params: secrets.SetParams{Value: strings.Repeat("é", 25600)}},
		{name: "ok/value-empty", params: secrets.SetParams{Value: ""}},
		{name: "fail/value-25601", params: secrets.SetParams{Value: strings.Repeat("x", 25601)}, wantErr: true, wantReason: "SecretTooLarge"},
		{name: "ok/15-tags", params: secrets.SetParams{Value: "v", Tags: tags(15)}},
		{name: "fail/16-tags", params: secrets.SetParams{Value: "v", Tags: tags(16)}, wantErr: true},
		{name: "ok/tag-name-256", params: secrets.SetParams{Value: "v", Tags: map[string]string{strings.Repeat("n", 256): "v"}}},
		{name: "fail/tag-name-257", params: secrets.SetParams{Value: "v", Tags: map[string]string{strings.Repeat("n", 257): "v"}}, wantErr: true},
		{name: "fail/tag-name-empty", params: secrets.SetParams{Value: "v", Tags: map[string]string{"": "v"}}, wantErr: true},
		{name: "ok/tag-value-256", params: secrets.SetParams{Value: "v", Tags: map[string]string{"k": strings.Repeat("v", 256)}}},
		{name: "fail/tag-value-257", params: secrets.SetParams{Value: "v", Tags: map[string]string{"k": strings.Repeat("v", 257)}}, wantErr: true},
		{name: "ok/content-type-255", params: secrets.SetParams{Value: "v", ContentType: ptr(strings.Repeat("c", 255))}},
		{name: "fail/content-type-256", params: secrets.SetParams{Value: "v", ContentType: ptr(strings.Repeat("c", 256))}, wantErr: true},
		{name: "ok/name-1-char", secret: "a", params: secrets.SetParams{Value: "v"}},
		{name: "ok/name-127-chars", secret: strings.Repeat("n", 127), params: secrets.SetParams{Value: "v"}},
		{name: "ok/name-leading-dash", secret: "-lead", params: secrets.SetParams{Value: "v"}},
		{name: "ok/name-leading-digit", secret: "1st", params: secrets.SetParams{Value: "v"}},
		{name: "fail/name-128-chars", secret: strings.Repeat("n", 128), params: secrets.SetParams{Value: "v"}, wantErr: true},
		{name: "fail/name-underscore", secret: "a_b", params: secrets.SetParams{Value: "v"}, wantErr: true},
		{name: "fail/name-empty", secret: "", params: secrets.SetParams{Value: "v"}, wantErr: true},
		{name: "fail/name-dot", secret: "a.b", params: secrets.SetParams{Value: "v"}, wantErr: true},
		{name: "fail/name-slash", secret: "a/b", params: secrets.SetParams{Value: "v"}, wantErr: true},
		{name: "fail/name-non-ascii", secret: "ünïcode", params: secrets.SetParams{Value: "v"}, wantErr: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.secret
			if name == "" && !strings.HasPrefix(tt.name, "fail/name") {
				name = fmt.Sprintf("limit-%d", i)
			}
			sv, err := e.Set(ctx, v, name, tt.params)
			if tt.wantErr {
				wantErr(t, err, scopevault.EINVALID, tt.wantReason)
				// Nothing was stored.
				if _, err := e.Get(ctx, v, name, ""); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND && scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
					t.Errorf("a refused set left something behind: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Get(ctx, v, name, sv.Version.Version)
			if err != nil {
				t.Fatal(err)
			}
			if got.Value != tt.params.Value {
				t.Errorf("value round trip: got %d chars, want %d", len(got.Value), len(tt.params.Value))
			}
		})
	}

	t.Run("fail/too-large-message", func(t *testing.T) {
		_, err := e.Set(ctx, v, "big", secrets.SetParams{Value: strings.Repeat("x", 25601)})
		got := wantErr(t, err, scopevault.EINVALID, "SecretTooLarge")
		if want := "Secret is beyond the maximum permitted length of 25600 characters."; got.Message != want {
			t.Errorf("message: got %q, want %q", got.Message, want)
		}
	})
	t.Run("fail/invalid-name-message", func(t *testing.T) {
		_, err := e.Set(ctx, v, "a_b", secrets.SetParams{Value: "v"})
		got := wantErr(t, err, scopevault.EINVALID, "")
		if want := "The request URI contains an invalid name: a_b"; got.Message != want {
			t.Errorf("message: got %q, want %q", got.Message, want)
		}
	})
}

func TestUpdateLimits(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-update-limits")
	e.MustSet(t, v, "s", "v")

	tests := []struct {
		name    string
		params  secrets.UpdateParams
		wantErr bool
	}{
		{name: "ok/15-tags", params: secrets.UpdateParams{Tags: tags(15)}},
		{name: "fail/16-tags", params: secrets.UpdateParams{Tags: tags(16)}, wantErr: true},
		{name: "fail/tag-value-257", params: secrets.UpdateParams{Tags: map[string]string{"k": strings.Repeat("v", 257)}}, wantErr: true},
		{name: "ok/content-type-255", params: secrets.UpdateParams{ContentType: ptr(strings.Repeat("c", 255))}},
		{name: "fail/content-type-256", params: secrets.UpdateParams{ContentType: ptr(strings.Repeat("c", 256))}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.Update(ctx, v, "s", "", tt.params)
			if tt.wantErr {
				wantErr(t, err, scopevault.EINVALID, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Every engine entry point validates the name the same way.
func TestInvalidNameEverywhere(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-names")
	const bad = "a_b"
	calls := map[string]func() error{
		"Get":          func() error { _, err := e.Get(ctx, v, bad, ""); return err },
		"Update":       func() error { _, _, err := e.Update(ctx, v, bad, "", secrets.UpdateParams{}); return err },
		"Delete":       func() error { _, err := e.Delete(ctx, v, bad); return err },
		"GetDeleted":   func() error { _, err := e.GetDeleted(ctx, v, bad); return err },
		"Recover":      func() error { _, err := e.Recover(ctx, v, bad); return err },
		"Purge":        func() error { return e.Purge(ctx, v, bad) },
		"Backup":       func() error { _, err := e.Backup(ctx, v, bad); return err },
		"ListVersions": func() error { _, _, err := e.ListVersions(ctx, v, bad, "", 25); return err },
	}
	for name, call := range calls {
		t.Run("fail/"+name, func(t *testing.T) {
			got := wantErr(t, call(), scopevault.EINVALID, "")
			if want := "The request URI contains an invalid name: a_b"; got.Message != want {
				t.Errorf("message: got %q, want %q", got.Message, want)
			}
		})
	}
}
