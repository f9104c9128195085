// Package outbox queues email in the PHI store and delivers it: a message is
// queued in the same breath as the change it reports, sealed under its person
// (the recipient's address is PHI), and a background job opens it, audited,
// only to hand it to the mail server.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxAttempts is how often delivery is tried before a message is given up.
const MaxAttempts = 8

// Record is one queued email as the PHI store keeps it: who it is for and
// where it is in delivery in the clear, the message sealed by the vault under
// SubjectID.
type Record struct {
	ID            string
	TenantID      string
	SubjectID     string
	Kind          string
	MessageCT     []byte
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	SentAt        time.Time
	FailedAt      time.Time
	LastError     string
	// ToMasked is the recipient masked, "j***@e***.com" (MaskAddress): what
	// the admin's list shows without opening the message.
	ToMasked string
}

// Store is the queue in the PHI store (internal/store.Outbox).
type Store interface {
	// Insert queues a message.
	Insert(ctx context.Context, r Record) error
	// Due lists messages waiting to be sent whose next attempt is due,
	// oldest first, at most limit.
	Due(ctx context.Context, now time.Time, limit int) ([]Record, error)
	// Recent lists a tenant's newest messages, sent or not, at most limit.
	Recent(ctx context.Context, tenantID string, limit int) ([]Record, error)
	// ByID returns one of a tenant's messages; apperr NotFound when the
	// tenant has no such message.
	ByID(ctx context.Context, tenantID, id string) (Record, error)
	// Counts counts a tenant's messages by status.
	Counts(ctx context.Context, tenantID string) (Counts, error)
	// MarkSent records a delivered message.
	MarkSent(ctx context.Context, id string, now time.Time) error
	// MarkRetry records a failed attempt: the next one is at next, or never
	// (failed for good) when giveUp.
	MarkRetry(ctx context.Context, id string, next time.Time, giveUp bool, why string, now time.Time) error
	// Hold puts a message off until next without counting an attempt (it
	// was never handed to the relay), keeping why.
	Hold(ctx context.Context, id string, next time.Time, why string) error
}

// Gate decides whether the mail relay may be handed a tenant's email
// (vendors.Service: only while the relay's vendor has a current BAA).
type Gate interface {
	Allow(ctx context.Context, tenantID, integration string) error
}

// GateIntegration is the integration key the relay is gated under.
const GateIntegration = "smtp"

// HoldRefused is how long email refused by the gate waits before it is
// tried again: long enough not to flood the refusals list, short enough
// that mail flows soon after a BAA is recorded.
const HoldRefused = 10 * time.Minute

// Outbox queues and delivers email.
type Outbox struct {
	q      Store
	vault  phi.Vault
	sender notify.Sender // nil: nothing is delivered (the demo shows the queue instead)
	clock  clock.Clock
	log    *slog.Logger
	gate   Gate // nil: no gate (tests of the outbox alone)
	brand  BrandMailFunc
}

// BrandMailFunc returns how a tenant (brand) signs its email: its effective
// sender and footer, inherited from its organisation where it sets none.
type BrandMailFunc func(ctx context.Context, tenantID string) (notify.BrandMail, error)

// SetBrandMail makes every message queued carry its brand's sender and
// footer (notify.Message.Branded). Why here and not at each notify.Compose:
// every email a brand sends is queued through Enqueue, so none can leave
// without the brand's signature, whichever feature composed it.
func (o *Outbox) SetBrandMail(f BrandMailFunc) { o.brand = f }

// SetGate makes delivery ask g before handing a tenant's email to the relay.
// Why: an email address is PHI, so the relay is an integration carrying PHI
// and receives nothing while its vendor has no current BAA.
func (o *Outbox) SetGate(g Gate) { o.gate = g }

// New returns an outbox on its queue in the PHI store. sender may be nil:
// messages then wait in the queue, where admins see them masked (Overview).
func New(q Store, v phi.Vault, sender notify.Sender, c clock.Clock, log *slog.Logger) *Outbox {
	if c == nil {
		c = clock.System{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{q: q, vault: v, sender: sender, clock: c, log: log}
}

// Enqueue seals a composed message under subjectID and queues it, signed as
// its brand (SetBrandMail). The actor in ctx is recorded as writing it.
func (o *Outbox) Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error {
	ctx = tenant.WithScope(ctx, tenantID)
	now := o.clock.Now()
	if o.brand != nil {
		b, err := o.brand(ctx, tenantID)
		if err != nil {
			return fmt.Errorf("email %s: the brand's sender: %w", kind, err)
		}
		m = m.Branded(b)
	}
	msgID := id.NewAt(now)
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	h, err := o.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subjectID}, Action: access.Write,
		Purpose: access.PurposeOperations, Resource: "email", ResourceID: msgID, AuditAction: "email.queue"})
	if err != nil {
		return err
	}
	ct, err := h.SealBytes(subjectID, "outbox", "message_ct", msgID, body)
	if err != nil {
		return err
	}
	return o.q.Insert(ctx, Record{ID: msgID, TenantID: tenantID, SubjectID: subjectID, Kind: string(kind),
		MessageCT: ct, CreatedAt: now, NextAttemptAt: now, ToMasked: MaskAddress(m.To)})
}

// Deliver sends the messages that are due, at most limit, and returns how
// many were sent. A failure is retried later with a growing delay; the error
// kept is the sender's, with addresses scrubbed by the sender.
func (o *Outbox) Deliver(ctx context.Context, limit int) (int, error) {
	if o.sender == nil {
		return 0, nil
	}
	due, err := o.q.Due(ctx, o.clock.Now(), limit)
	if err != nil {
		return 0, err
	}
	sent := 0
	refused := map[string]error{} // by tenant: asked once per run
	for _, row := range due {
		if o.gate != nil {
			gerr, asked := refused[row.TenantID]
			if !asked {
				gerr = o.gate.Allow(ctx, row.TenantID, GateIntegration)
				refused[row.TenantID] = gerr
			}
			if gerr != nil {
				// Never opened, never handed over: it waits, with no attempt
				// counted, until the BAA is on file.
				if err := o.q.Hold(ctx, row.ID, o.clock.Now().Add(HoldRefused), "refused: no current BAA for the mail relay's vendor"); err != nil {
					return sent, err
				}
				continue
			}
		}
		m, err := o.open(ctx, row, access.PurposeOperations, "email.send")
		if errors.Is(err, phi.ErrShredded) {
			// Its person was disposed of: the message can never be sent.
			if err := o.q.MarkRetry(ctx, row.ID, row.NextAttemptAt, true, "key destroyed", o.clock.Now()); err != nil {
				return sent, err
			}
			continue
		}
		if err != nil {
			return sent, err
		}
		now := o.clock.Now()
		if err := o.sender.Send(ctx, m); err != nil {
			attempts := row.Attempts + 1
			giveUp := attempts >= MaxAttempts
			next := now.Add(time.Duration(1<<min(attempts, 12)) * 30 * time.Second)
			o.log.WarnContext(ctx, "email delivery failed", "email_id", row.ID, "kind", row.Kind, "attempt", attempts, "give_up", giveUp, "err", err)
			if err := o.q.MarkRetry(ctx, row.ID, next, giveUp, err.Error(), now); err != nil {
				return sent, err
			}
			continue
		}
		if err := o.q.MarkSent(ctx, row.ID, now); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func (o *Outbox) open(ctx context.Context, row Record, purpose access.Purpose, action string) (notify.Message, error) {
	jctx := ctx
	if _, ok := access.ActorFrom(ctx); !ok {
		jctx = access.WithActor(ctx, access.System("outbox", row.TenantID))
	}
	h, err := o.vault.Access(jctx, phi.Request{TenantID: row.TenantID, Subjects: []string{row.SubjectID}, Action: access.Read,
		Purpose: purpose, Resource: "email", ResourceID: row.ID, AuditAction: action})
	if err != nil {
		return notify.Message{}, err
	}
	b, err := h.OpenBytes(row.SubjectID, "outbox", "message_ct", row.ID, row.MessageCT)
	if err != nil {
		if errors.Is(err, phi.ErrShredded) {
			return notify.Message{}, fmt.Errorf("email %s: its person's key was destroyed: %w", row.ID, err)
		}
		return notify.Message{}, err
	}
	var m notify.Message
	if err := json.Unmarshal(b.Reveal(), &m); err != nil {
		return notify.Message{}, fmt.Errorf("email %s: %w", row.ID, err)
	}
	return m, nil
}

// Item is one message opened: its recipient and text.
type Item struct {
	ID        string
	Kind      string
	To        phi.String
	Subject   string
	Text      phi.String // carries one-time links
	CreatedAt time.Time
	SentAt    time.Time
	FailedAt  time.Time
	Attempts  int
	// Attachments are the files sent with the text (an appointment's
	// calendar file): built, like the text, from checked parameters.
	Attachments []notify.Attachment
}

// Recent opens a tenant's newest messages for the actor in ctx (tests read
// their links with it). Every message opened is audited.
func (o *Outbox) Recent(ctx context.Context, tenantID string, limit int) ([]Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := o.q.Recent(ctx, tenantID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(rows))
	for _, row := range rows {
		m, err := o.open(ctx, row, access.PurposeOperations, "email.read")
		if errors.Is(err, phi.ErrShredded) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, itemOf(row, m))
	}
	return out, nil
}

func itemOf(row Record, m notify.Message) Item {
	return Item{ID: row.ID, Kind: row.Kind, To: phi.NewString(m.To), Subject: m.Subject, Text: phi.NewString(m.Text),
		CreatedAt: row.CreatedAt, SentAt: row.SentAt, FailedAt: row.FailedAt, Attempts: row.Attempts, Attachments: m.Attachments}
}

// Counts are a tenant's messages by status.
type Counts struct{ Waiting, Sent, Failed int }

// Status names where a message is in delivery: "waiting", "sent" or "failed".
func (r Record) Status() string {
	switch {
	case !r.SentAt.IsZero():
		return "sent"
	case !r.FailedAt.IsZero():
		return "failed"
	}
	return "waiting"
}

// Summary is the outbox as an admin sees it without a reason: counts, and
// the newest messages' status, attempts, error and masked recipient. Nothing
// is opened, so nothing of anyone's PHI is read (minimum necessary).
type Summary struct {
	Counts Counts
	// Recent are the newest messages with their message sealed part left
	// out (MessageCT is nil).
	Recent []Record
}

// Overview lists a tenant's outbox without opening any message.
func (o *Outbox) Overview(ctx context.Context, tenantID string, limit int) (Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, err := o.q.Counts(ctx, tenantID)
	if err != nil {
		return Summary{}, err
	}
	rows, err := o.q.Recent(ctx, tenantID, limit)
	if err != nil {
		return Summary{}, err
	}
	for i := range rows {
		rows[i].MessageCT = nil
	}
	return Summary{Counts: c, Recent: rows}, nil
}

// OpenReasons are the reasons an admin may give to open one message, each
// with the purpose it is recorded under. Why a fixed list and not free text:
// the reason goes into the audit event in the clear, where free text could
// carry PHI; a code cannot.
var OpenReasons = []OpenReason{
	{Code: "delivery_problem", Label: "The recipient reported a missing or wrong email", Purpose: access.PurposeOperations},
	{Code: "no_mail_relay", Label: "No mail relay: handing a link to its recipient by hand (demo or trial)", Purpose: access.PurposeOperations},
	{Code: "investigation", Label: "A compliance or security investigation", Purpose: access.PurposeCompliance},
}

// OpenReason is one reason to open a message.
type OpenReason struct {
	Code, Label string
	Purpose     access.Purpose
}

// ErrNoReason says a message was to be opened without a known reason.
var ErrNoReason = apperr.InvalidFields("Say why you open this message.", map[string]string{"reason": "Choose a reason."})

// Open opens one of a tenant's messages for the actor in ctx, for a reason
// from OpenReasons. The vault records the access at high severity with the
// reason, before anything is decrypted; a message of another tenant, or none,
// is apperr NotFound.
func (o *Outbox) Open(ctx context.Context, tenantID, msgID, reason string) (Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	i := slices.IndexFunc(OpenReasons, func(r OpenReason) bool { return r.Code == reason })
	if i < 0 {
		return Item{}, ErrNoReason
	}
	row, err := o.q.ByID(ctx, tenantID, msgID)
	if err != nil {
		return Item{}, err
	}
	h, err := o.vault.Access(ctx, phi.Request{TenantID: row.TenantID, Subjects: []string{row.SubjectID}, Action: access.Read,
		Purpose: OpenReasons[i].Purpose, Resource: "email", ResourceID: row.ID, AuditAction: "email.open",
		High: true, Detail: "reason=" + reason})
	if err != nil {
		return Item{}, err
	}
	b, err := h.OpenBytes(row.SubjectID, "outbox", "message_ct", row.ID, row.MessageCT)
	if err != nil {
		if errors.Is(err, phi.ErrShredded) {
			// Its person was disposed of: there is nothing left to read.
			return Item{}, apperr.NotFoundError()
		}
		return Item{}, err
	}
	var m notify.Message
	if err := json.Unmarshal(b.Reveal(), &m); err != nil {
		return Item{}, fmt.Errorf("email %s: %w", row.ID, err)
	}
	return itemOf(row, m), nil
}

// MaskAddress masks an email address to "j***@e***.com": the first letter of
// the mailbox and of the domain, and the top-level domain. Enough to tell two
// recipients apart at a glance, not to know who they are.
func MaskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	first := func(s string) string {
		r, _ := utf8.DecodeRuneInString(s)
		return string(r) + "***"
	}
	masked := first(local) + "@" + first(domain)
	if dot := strings.LastIndexByte(domain, '.'); dot > 0 {
		masked += domain[dot:]
	}
	return masked
}
