package devices

import (
	"encoding/binary"
	"errors"
	"math"
)

// A chunk's plaintext is binary, not JSON. Why: the 90-day chart opens
// 8,640 readings per request, and decoding JSON was most of the page's
// cost; a reading here is 14 bytes (time, two values, flag, device),
// decoded without allocating per reading.
//
//	byte 0      version (1)
//	byte 1      number of devices d
//	d × 36      the device ids (UUID text)
//	n × 14      the readings
//
// A reading is its time as uint32 unix seconds (good until 2106), the value
// and second value as float32 (readings carry one decimal), a flag byte and
// the index of its device, little-endian.
const (
	chunkVersion = 1
	idLen        = 36
	recLen       = 4 + 4 + 4 + 1 + 1
)

var flagCodes = []Flag{InRange, Below, Above, AlertLow, AlertHigh}

func flagCode(f Flag) byte {
	for i, x := range flagCodes {
		if x == f {
			return byte(i)
		}
	}
	return 0
}

// encodeChunk writes readings (sorted by time) as a chunk's plaintext.
func encodeChunk(rs []stored) ([]byte, error) {
	var devs []string
	index := map[string]byte{}
	for _, r := range rs {
		if _, ok := index[r.D]; !ok {
			if len(devs) == 255 || len(r.D) != idLen {
				return nil, errors.New("device chunk: too many devices or a bad device id")
			}
			index[r.D] = byte(len(devs)) //nolint:gosec // below 255, checked above
			devs = append(devs, r.D)
		}
	}
	out := make([]byte, 0, 2+len(devs)*idLen+len(rs)*recLen)
	out = append(out, chunkVersion, byte(len(devs))) //nolint:gosec // at most 255, checked above
	for _, d := range devs {
		out = append(out, d...)
	}
	for _, r := range rs {
		out = binary.LittleEndian.AppendUint32(out, uint32(r.T)) //nolint:gosec // a reading's time is within two years of now (Parse), far from 2106
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(r.V)))
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(r.W)))
		out = append(out, flagCode(r.F), index[r.D])
	}
	return out, nil
}

// errBadChunk is a chunk's plaintext that is not one.
var errBadChunk = errors.New("device chunk: malformed")

// decodeChunk reads a chunk's plaintext.
func decodeChunk(b []byte) ([]stored, error) {
	nd, ids, recs, ok := splitChunk(b)
	if !ok {
		return nil, errBadChunk
	}
	devs := make([]string, nd)
	for i := range devs {
		devs[i] = string(ids[i*idLen : (i+1)*idLen])
	}
	out := make([]stored, len(recs)/recLen)
	for i := range out {
		r, ok := decodeRecord(recs[i*recLen:(i+1)*recLen], nd, func(d int) string { return devs[d] })
		if !ok {
			return nil, errBadChunk
		}
		out[i] = r
	}
	return out, nil
}

// lastInChunk reads the newest reading of a chunk's plaintext (its last
// record) alone: the dashboard's latest value, which decoded every reading of
// the day for one. ok is false for a chunk without readings.
func lastInChunk(b []byte) (r stored, ok bool, err error) {
	nd, ids, recs, valid := splitChunk(b)
	if !valid {
		return stored{}, false, errBadChunk
	}
	if len(recs) == 0 {
		return stored{}, false, nil
	}
	r, valid = decodeRecord(recs[len(recs)-recLen:], nd, func(d int) string { return string(ids[d*idLen : (d+1)*idLen]) })
	if !valid {
		return stored{}, false, errBadChunk
	}
	return r, true, nil
}

// splitChunk checks a chunk's header and splits it into its number of
// devices, their ids and its records.
func splitChunk(b []byte) (nd int, ids, recs []byte, ok bool) {
	if len(b) < 2 || b[0] != chunkVersion {
		return 0, nil, nil, false
	}
	nd = int(b[1])
	b = b[2:]
	if len(b) < nd*idLen || (len(b)-nd*idLen)%recLen != 0 {
		return 0, nil, nil, false
	}
	return nd, b[:nd*idLen], b[nd*idLen:], true
}

// decodeRecord reads one record of a chunk with nd devices, dev naming its
// device by index.
func decodeRecord(rec []byte, nd int, dev func(int) string) (stored, bool) {
	f, d := int(rec[12]), int(rec[13])
	if f >= len(flagCodes) || d >= nd {
		return stored{}, false
	}
	return stored{T: int64(binary.LittleEndian.Uint32(rec)),
		V: round1(float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[4:])))),
		W: round1(float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[8:])))),
		F: flagCodes[f], D: dev(d)}, true
}
