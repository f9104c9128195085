package devices

import (
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
	for _, bad := range [][]byte{nil, {2, 0}, {1, 1}, append(b[:len(b)-1:len(b)-1], 9)} {
		if _, err := decodeChunk(bad); err == nil {
			t.Errorf("decoded %v", bad)
		}
	}
}

// FuzzDecodeChunk: no input panics the decoder.
func FuzzDecodeChunk(f *testing.F) {
	b, _ := encodeChunk([]stored{{T: 1, V: 2, D: "01890000-0000-7000-8000-000000000001"}})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = decodeChunk(b) })
}
