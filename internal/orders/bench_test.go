package orders_test

import (
	"testing"

	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/store"
)

// BenchmarkPlace places orders on SQLite from parallel buyers: pricing, stock
// reservation, the sealed order, the charge, the paid transition with its
// audit events and the confirmation email.
func BenchmarkPlace(b *testing.B) {
	s := newEnv(b, store.SQLite)
	v := product(b, s, "Gauze Pads", 499, 1_000_000, false).ID
	ctx, uid := buyer(b, s, 0)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := place(s, ctx, uid, "test", orders.ItemRef{VariantID: v, Quantity: 1}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if n := s.Gateway.Charges(); n != b.N {
		b.Fatalf("%d charges for %d orders", n, b.N)
	}
}
