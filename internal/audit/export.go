package audit

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// exportLine is one event as exported: JSON with stable field names.
type exportLine struct {
	Seq          int64     `json:"seq"`
	Time         time.Time `json:"time"`
	ActorID      string    `json:"actor_id"`
	ActorRole    string    `json:"actor_role"`
	TenantID     string    `json:"tenant_id"`
	Subjects     []string  `json:"subjects"`
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type,omitempty"`
	ResourceID   string    `json:"resource_id,omitempty"`
	Purpose      string    `json:"purpose,omitempty"`
	Outcome      string    `json:"outcome"`
	Severity     string    `json:"severity"`
	RequestID    string    `json:"request_id,omitempty"`
	SourceIP     string    `json:"source_ip,omitempty"`
	UserAgent    string    `json:"user_agent,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	TextHMAC     string    `json:"text_hmac,omitempty"`
	Hash         string    `json:"hash"`
}

// Export writes the events with from <= time < to (zero bounds are open) to w
// as JSON lines, oldest first, and returns how many it wrote.
func Export(ctx context.Context, s Store, w io.Writer, from, to time.Time) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	err := Each(ctx, s, from, to, func(r Record) error {
		n++
		return enc.Encode(exportLine{
			Seq: r.Seq, Time: r.Time, ActorID: r.ActorID, ActorRole: string(r.ActorRole), TenantID: r.TenantID,
			Subjects: nonNilStrings(r.Subjects), Action: r.Action, ResourceType: r.ResourceType, ResourceID: r.ResourceID,
			Purpose: string(r.Purpose), Outcome: string(r.Outcome), Severity: string(r.Severity), RequestID: r.RequestID,
			SourceIP: r.SourceIP, UserAgent: r.UserAgent, Detail: r.Detail, TextHMAC: hex.EncodeToString(r.TextHMAC),
			Hash: hex.EncodeToString(r.Hash),
		})
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("audit: export: %w", err)
	}
	return n, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
