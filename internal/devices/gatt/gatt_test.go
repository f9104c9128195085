package gatt

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// Vector is one test vector of testdata/vectors.json: the bytes of a
// characteristic's value and what parsing them gives (or that it fails).
type vector struct {
	Name  string          `json:"name"`
	Char  string          `json:"char"`
	Hex   string          `json:"hex"`
	Want  json.RawMessage `json:"want"`
	Error bool            `json:"error"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func decodeHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return b
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	seen := map[string]bool{}
	for _, v := range vs {
		seen[v.Char] = true
		got, err := ParseJSON(v.Char, decodeHex(t, v.Hex))
		if v.Error {
			if err == nil {
				t.Errorf("%s: parsed to %s, want an error", v.Name, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(v.Want, &w); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %s\nwant %s", v.Name, got, v.Want)
		}
	}
	for _, c := range Characteristics {
		if !seen[c] {
			t.Errorf("no vector for %s", c)
		}
	}
}

func TestSFloat(t *testing.T) {
	for raw, want := range map[uint16]string{
		0x0072: "114", 0xF048: "7.2", 0xB068: "0.00104", 0xC03D: "0.0061", 0x0FFF: "-1", 0xFF9C: "-10",
		0x1001: "10", 0x7001: "10000000", 0x8001: "1e-8", 0x0000: "0", 0xF7FF: "204.7", 0x0803: "-2045",
		0x07FF: `"NaN"`, 0x0800: `"NRes"`, 0x07FE: `"+INF"`, 0x0802: `"-INF"`, 0x0801: `"reserved"`,
	} {
		got, _ := json.Marshal(SFloat(raw))
		if string(got) != want {
			t.Errorf("SFloat(%#04x) = %s, want %s", raw, got, want)
		}
	}
}

func TestFloat32(t *testing.T) {
	for raw, want := range map[uint32]string{
		0xFF00016E: "36.6", 0x00FFFFFF: "-1", 0x02000005: "500", 0xFE7FFFFD: "83886.05",
		0x007FFFFF: `"NaN"`, 0x00800000: `"NRes"`, 0x007FFFFE: `"+INF"`, 0x00800002: `"-INF"`, 0x00800001: `"reserved"`,
		0x017FFFFF: "83886070",
	} {
		got, _ := json.Marshal(Float32(raw))
		if string(got) != want {
			t.Errorf("Float32(%#08x) = %s, want %s", raw, got, want)
		}
	}
	if v, ok := Float32(0xFF00016E).Number(); !ok || v != 36.6 {
		t.Errorf("Number() = %v, %v", v, ok)
	}
	if _, ok := Float32(0x007FFFFF).Number(); ok {
		t.Error("NaN is a number")
	}
}

func TestDateTime(t *testing.T) {
	for _, c := range []struct {
		d      DateTime
		offset int
		want   string
	}{
		{DateTime{2024, 2, 29, 23, 59, 59}, 1, "2024-03-01T00:00:59"},
		{DateTime{2026, 1, 1, 0, 5, 0}, -10, "2025-12-31T23:55:00"},
		{DateTime{2026, 3, 29, 1, 30, 0}, 0, "2026-03-29T01:30:00"},
		{DateTime{2100, 2, 29, 0, 0, 0}, 0, ""},
		{DateTime{2026, 13, 1, 0, 0, 0}, 0, ""},
		{DateTime{2026, 4, 31, 0, 0, 0}, 0, ""},
		{DateTime{2026, 4, 30, 24, 0, 0}, 0, ""},
		{DateTime{0, 4, 30, 1, 0, 0}, 0, ""},
	} {
		if got := c.d.Local(c.offset); got != c.want {
			t.Errorf("%v %+d: %q, want %q", c.d, c.offset, got, c.want)
		}
	}
}

func TestRACPRequests(t *testing.T) {
	if !bytes.Equal(AllRecords(), []byte{1, 1}) {
		t.Errorf("AllRecords = % x", AllRecords())
	}
	if got := RecordsFrom(0x1234); !bytes.Equal(got, []byte{1, 3, 1, 0x34, 0x12}) {
		t.Errorf("RecordsFrom = % x", got)
	}
	if got := CountFrom(21); !bytes.Equal(got, []byte{4, 3, 1, 21, 0}) {
		t.Errorf("CountFrom = % x", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(&testing.T{}) {
		b, err := hex.DecodeString(strings.ReplaceAll(v.Hex, " ", ""))
		if err == nil {
			f.Add(v.Char, b)
		}
	}
	f.Fuzz(func(t *testing.T, char string, b []byte) {
		out, err := ParseJSON(char, b)
		if err != nil {
			return
		}
		// Whatever parses gives valid JSON (no NaN or infinity as a number)
		// and parses the same way twice.
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %s", out)
		}
		again, _ := ParseJSON(char, b)
		if !bytes.Equal(out, again) {
			t.Fatalf("%s then %s", out, again)
		}
	})
}
