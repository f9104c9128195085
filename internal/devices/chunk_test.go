package devices

import (
	"math"
	"testing"
)

// TestChunkRoundTrip: what is encoded decodes the same, and a malformed
// chunk is an error, never a panic.
func TestChunkRoundTrip(t *testing.T) {
	in := []stored{{T: 1796000000, V: 104.3, F: InRange, D: "01890000-0000-7000-8000-000000000001"},
		{T: 1796000060, V: 128, W: 82.5, F: AlertHigh, D: "01890000-0000-7000-8000-000000000002"}}
	b, err := encodeChunk(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeChunk(b)
	if err != nil || len(out) != 2 || out[0] != in[0] || out[1] != in[1] {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	// The newest reading alone (the dashboard's latest value) is the last.
	if last, ok, err := lastInChunk(b); err != nil || !ok || last != in[1] {
		t.Fatalf("last: %+v %v %v", last, ok, err)
	}
	empty, _ := encodeChunk(nil)
	if _, ok, err := lastInChunk(empty); err != nil || ok {
		t.Fatalf("last of an empty chunk: %v %v", ok, err)
	}
	for _, bad := range [][]byte{nil, {2, 0}, {1, 1}, append(b[:len(b)-1:len(b)-1], 9)} {
		if _, err := decodeChunk(bad); err == nil {
			t.Errorf("decoded %v", bad)
		}
		if _, _, err := lastInChunk(bad); err == nil {
			t.Errorf("read the last of %v", bad)
		}
	}
}

// FuzzDecodeChunk: no input panics the decoder.
func FuzzDecodeChunk(f *testing.F) {
	b, _ := encodeChunk([]stored{{T: 1, V: 2, D: "01890000-0000-7000-8000-000000000001"}})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		all, err := decodeChunk(b)
		last, ok, lastErr := lastInChunk(b)
		// Where the whole chunk decodes, its last reading is the one read alone.
		if err == nil && (lastErr != nil || ok != (len(all) > 0) || (ok && !sameReading(last, all[len(all)-1]))) {
			t.Fatalf("last %+v %v %v of %+v", last, ok, lastErr, all)
		}
	})
}

// sameReading compares two readings bit for bit (a fuzzed value may be NaN).
func sameReading(a, b stored) bool {
	return a.T == b.T && math.Float64bits(a.V) == math.Float64bits(b.V) && math.Float64bits(a.W) == math.Float64bits(b.W) && a.F == b.F && a.D == b.D
}
