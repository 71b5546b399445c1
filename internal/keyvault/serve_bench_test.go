package keyvault_test

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// BenchmarkServeGet is the whole server-side GET path (dispatch, token,
// authorization, cached read, response, audit record) without the network:
// its allocs/op are the request path's own.
func BenchmarkServeGet(b *testing.B) {
	w := MustWire(b)
	w.MustSet(b, w.vault, "bench", secrets.SetParams{Value: "kvload benchmark value"})
	req := httptest.NewRequest("GET", w.base+"/secrets/bench/?api-version=7.6", nil)
	req.Header.Set("Authorization", "Bearer "+w.admin)
	port, _ := strconv.Atoi(w.port())
	// As the server's connContext makes it, addresses formatted once.
	o := scopevault.Origin{RemoteAddr: netip.MustParseAddrPort("127.0.0.1:50000"), LocalAddr: netip.AddrPortFrom(netip.MustParseAddr("127.1.0.1"), uint16(port)),
		RemoteIP: "127.0.0.1", LocalIP: "127.1.0.1"}
	req = req.WithContext(scopevault.WithOrigin(context.Background(), o))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	}
}
