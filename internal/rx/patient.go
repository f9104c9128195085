package rx

import (
	"bytes"
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Now is the service's time, for pages that tell expired and due
// prescriptions apart.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// Submission is what a patient hands in: a file (its bytes, at most
// MaxUpload), or the prescriber the pharmacy should contact.
type Submission struct {
	File []byte
	// TooLarge is set by the page when the upload went over MaxUpload (the
	// bytes were not all read).
	TooLarge                        bool
	PrescriberName, PrescriberPhone string
}

// Sniff returns the content type of an upload decided from its first bytes
// (its magic numbers), never from its name: JPEG, PNG or PDF; "" for
// anything else.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return TypePDF
	}
	return ""
}

func oneLine(v string, limit int) (string, bool) {
	v = strings.TrimSpace(v)
	return v, utf8.RuneCountInString(v) <= limit && !strings.ContainsAny(v, "\r\n\x00")
}

// Submit stores a new prescription for a patient, pending a pharmacist:
// the uploaded file sealed, or the prescriber named. Bad input is an Invalid
// error naming the field, and nothing is stored.
func (s *Service) Submit(ctx context.Context, tenantID, userID string, in Submission) (*Prescription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Auth.Authorize(ctx, tenantID, userID, access.DataRx, access.Write)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	var det Details
	src, ctype := SourceUpload, ""
	switch {
	case in.TooLarge || len(in.File) > MaxUpload:
		return nil, apperr.InvalidFields("The file is too large.", map[string]string{"file": "Upload a file of at most 10 MB."})
	case len(in.File) > 0:
		// Why by content: a name or a browser's type says what the sender
		// claims; the first bytes say what the file is. Anything else (an
		// executable renamed .pdf) is refused before it is stored.
		if ctype = Sniff(in.File); ctype == "" {
			return nil, apperr.InvalidFields("That file is not a prescription we can read.",
				map[string]string{"file": "Upload a JPEG or PNG photo, or a PDF."})
		}
	default:
		name, ok1 := oneLine(in.PrescriberName, 200)
		phone, ok2 := oneLine(in.PrescriberPhone, 40)
		fields := map[string]string{}
		if name == "" {
			fields["prescriber"] = "Upload your prescription, or name the prescriber we should contact."
		} else if !ok1 {
			fields["prescriber"] = "This is too long."
		}
		if phone == "" {
			fields["phone"] = "Enter the prescriber's phone number."
		} else if !ok2 {
			fields["phone"] = "This is too long."
		}
		if len(fields) > 0 {
			return nil, apperr.InvalidFields("Upload a prescription or name your prescriber.", fields)
		}
		src, det.PrescriberAsked, det.PrescriberPhone = SourcePrescriber, name, phone
	}
	now := s.d.Clock.Now()
	rowID := id.NewAt(now)
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "prescription", ResourceID: rowID, AuditAction: "rx.create"})
	if err != nil {
		return nil, err
	}
	ct, err := seal(h, userID, rowID, det)
	if err != nil {
		return nil, err
	}
	r := Record{ID: rowID, TenantID: tenantID, UserID: userID, Status: Pending, Source: src, DetailsCT: ct, Version: 1,
		CreatedAt: now, UpdatedAt: now}
	var up *Upload
	if src == SourceUpload {
		data, err := h.SealBytes(userID, "rx_uploads", "data_ct", rowID, in.File)
		if err != nil {
			return nil, err
		}
		up = &Upload{PrescriptionID: rowID, TenantID: tenantID, UserID: userID, ContentType: ctype, Size: int64(len(in.File)),
			DataCT: data, CreatedAt: now}
	}
	if err := s.d.Store.Insert(ctx, r, up); err != nil {
		return nil, err
	}
	return &Prescription{ID: rowID, UserID: userID, Status: Pending, Source: src, Details: det, Version: 1, CreatedAt: now, UpdatedAt: now}, nil
}

// List returns a person's prescriptions, newest first, under one audited
// access for all of them.
func (s *Service) List(ctx context.Context, tenantID, userID string) ([]*Prescription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Auth.Authorize(ctx, tenantID, userID, access.DataRx, access.Read)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	rows, err := s.d.Store.ByOwner(ctx, tenantID, userID, 200)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "prescription", AuditAction: "rx.list"})
	if err != nil {
		return nil, err
	}
	out := make([]*Prescription, 0, len(rows))
	for _, r := range rows {
		p, err := open(h, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Get returns one prescription for the actor in ctx, audited. Another
// person's (without a grant), another tenant's and an unknown id are the
// same NotFound.
func (s *Service) Get(ctx context.Context, tenantID, rxID string) (*Prescription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, d, err := s.authorized(ctx, tenantID, rxID, access.Read)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "prescription", ResourceID: r.ID, AuditAction: "rx.read"})
	if err != nil {
		return nil, err
	}
	return open(h, r)
}

// authorized loads a prescription and decides the actor's access to it.
func (s *Service) authorized(ctx context.Context, tenantID, rxID string, act access.Action) (Record, access.Decision, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(rxID) {
		return Record{}, access.Decision{}, apperr.NotFoundError()
	}
	r, err := s.d.Store.ByID(ctx, tenantID, rxID)
	if apperr.Is(err, apperr.NotFound) {
		return r, access.Decision{}, apperr.NotFoundError()
	}
	if err != nil {
		return r, access.Decision{}, err
	}
	d, err := s.d.Auth.Authorize(ctx, tenantID, r.UserID, access.DataRx, act)
	if err != nil {
		return r, d, apperr.NotFoundError()
	}
	return r, d, nil
}

// RefillVariant returns the variant a patient's Refill puts in their own
// cart: the prescription must be userID's own (a proxy's cart is theirs, and
// their order would not be covered by it), verified, unexpired and have a
// fill left; otherwise a clear Invalid error.
func (s *Service) RefillVariant(ctx context.Context, tenantID, userID, rxID string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := s.Get(ctx, tenantID, rxID)
	if err != nil {
		return "", err
	}
	switch {
	case p.UserID != userID:
		return "", apperr.NotFoundError()
	case p.Status != Verified:
		return "", apperr.New(apperr.Invalid, "This prescription is not verified, so it cannot be refilled yet.")
	case p.Expired(s.d.Clock.Now()):
		return "", apperr.New(apperr.Invalid, "This prescription has expired. Ask your prescriber for a new one.")
	case p.FillsLeft <= 0:
		return "", apperr.New(apperr.Invalid, "This prescription has no fills left. Ask your prescriber for a new one.")
	case p.VariantID == "":
		return "", apperr.New(apperr.Invalid, "This prescription names no product we sell.")
	}
	return p.VariantID, nil
}
