package gatt

import (
	"encoding/binary"
	"fmt"
)

// Record Access Control Point (0x2A52) op codes.
const (
	OpReportRecords  = 0x01
	OpDeleteRecords  = 0x02
	OpAbort          = 0x03
	OpReportCount    = 0x04
	OpCountResponse  = 0x05
	OpResponseCode   = 0x06
	OperatorNull     = 0x00
	OperatorAll      = 0x01
	OperatorLE       = 0x02
	OperatorGE       = 0x03
	OperatorRange    = 0x04
	OperatorFirst    = 0x05
	OperatorLast     = 0x06
	FilterSequence   = 0x01
	ResponseSuccess  = 0x01
	ResponseNoRecord = 0x06
)

// responses names the RACP response codes.
var responses = map[int]string{
	0x01: "success",
	0x02: "op code not supported",
	0x03: "invalid operator",
	0x04: "operator not supported",
	0x05: "invalid operand",
	0x06: "no records found",
	0x07: "abort unsuccessful",
	0x08: "procedure not completed",
	0x09: "operand not supported",
}

// AllRecords is the RACP request for every stored record.
func AllRecords() []byte { return []byte{OpReportRecords, OperatorAll} }

// RecordsFrom is the RACP request for the records whose sequence number is
// seq or more (filter type 0x01, sequence number): a reconnect asks for
// last stored + 1 and gets only what is new.
func RecordsFrom(seq int) []byte {
	b := []byte{OpReportRecords, OperatorGE, FilterSequence, 0, 0}
	binary.LittleEndian.PutUint16(b[3:], uint16(seq)) //nolint:gosec // sequence numbers are 16 bits on the wire
	return b
}

// CountFrom is the RACP request for how many records have a sequence
// number of seq or more.
func CountFrom(seq int) []byte {
	b := RecordsFrom(seq)
	b[0] = OpReportCount
	return b
}

// RACP is an indication on the Record Access Control Point.
type RACP struct {
	Op       int `json:"op"`
	Operator int `json:"operator"`
	// Count is the number of records (op 5).
	Count *int `json:"count,omitempty"`
	// Request and Response are the op code answered and its response code
	// (op 6), Result the response code in words.
	Request  *int   `json:"request,omitempty"`
	Response *int   `json:"response,omitempty"`
	Result   string `json:"result,omitempty"`
	// Operand is any other operand, as bytes.
	Operand []int `json:"operand,omitempty"`
}

// ParseRACP parses a Record Access Control Point value: a request a client
// writes or an indication the meter sends back.
func ParseRACP(b []byte) (*RACP, error) {
	r := &reader{b: b}
	p := &RACP{Op: r.u8(), Operator: r.u8()}
	switch p.Op {
	case OpCountResponse:
		p.Count = intp(r.u16())
	case OpResponseCode:
		p.Request, p.Response = intp(r.u8()), intp(r.u8())
		p.Result = responses[*p.Response]
		if p.Result == "" {
			p.Result = "reserved"
		}
	case OpReportRecords, OpDeleteRecords, OpAbort, OpReportCount:
		for _, c := range r.b {
			p.Operand = append(p.Operand, int(c))
		}
		r.b = nil
	default:
		if r.err == nil {
			return nil, fmt.Errorf("gatt: RACP op code %d is reserved", p.Op)
		}
	}
	return p, r.done()
}
