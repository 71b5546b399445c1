package rm_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkNetworkSnapshot is what the network gate pays on every
// data-plane request to see the network: the cached snapshot (rebuilt only
// after a network write), and one connection's lookup in it, here with 20
// endpoints in one network.
func BenchmarkNetworkSnapshot(b *testing.B) {
	ctx := context.Background()
	m := MustNetManager(b)
	MustVNet(b, m, vnet1())
	for i := range 20 {
		if _, _, err := m.PutPrivateEndpoint(ctx, pe(fmt.Sprintf("pe%d", i), "pe", fmt.Sprintf("kv%d", i), false), yes); err != nil {
			b.Fatal(err)
		}
	}
	n, err := m.Network(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("snapshot", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := m.Network(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	id, vault := n.Endpoints[7].ResourceID(), n.Endpoints[7].Connections[0].VaultName()
	b.Run("connection", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n.Connection(vault, id) == nil {
				b.Fatal("no connection")
			}
		}
	})
}
