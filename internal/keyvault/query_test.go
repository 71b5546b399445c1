package keyvault

import (
	"net/url"
	"testing"
)

// FuzzQueryValue: queryValue answers as url.Values.Get on ParseQuery does.
func FuzzQueryValue(f *testing.F) {
	for _, q := range []string{"", "api-version=7.6", "a=1&api-version=7.4&api-version=7.6", "api-version", "api%2Dversion=7.6",
		"api-version=7.6;x=1", "api-version=a+b", "=&&api-version=&", "maxresults=25&api-version=2025-07-01"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		if got, want := queryValue(q, "api-version"), v.Get("api-version"); got != want {
			t.Fatalf("queryValue(%q) = %q, want %q", q, got, want)
		}
	})
}
