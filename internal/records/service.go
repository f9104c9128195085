package records

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Archive table and column: the AEAD's associated data binds the sealed zip
// to its row.
const (
	table  = "record_exports"
	column = "archive_ct"
)

// ListLimit is how many of a requester's exports the page shows.
const ListLimit = 10

// requester returns the actor in ctx when it is a patient (a person asking
// for their own copy, or a proxy's): staff and jobs do not ask here.
func requester(ctx context.Context) (access.Actor, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return a, apperr.NotFoundError()
	}
	return a, nil
}

// Request asks for a copy of patientID's record for the actor in ctx: the
// patient themselves, or a proxy with at least one granted data class (the
// copy then holds only those). Asking while an earlier request is still
// waiting or building returns that one: nothing is built twice. Anyone else
// gets NotFound, and the denial is audited.
func (s *Service) Request(ctx context.Context, tenantID, patientID string) (Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := requester(ctx)
	if err != nil {
		return Record{}, err
	}
	classes, err := s.readable(ctx, tenantID, patientID)
	if err != nil {
		return Record{}, err
	}
	if len(classes) == 0 {
		// Why audited: a person probing another patient's record is what
		// compliance looks for; the answer is the same 404 as no such person.
		if err := s.d.Audit.Append(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "records.export.request",
			ResourceType: "patient", ResourceID: patientID, Outcome: audit.Denied, Detail: "no readable class"}); err != nil {
			return Record{}, err
		}
		return Record{}, apperr.NotFoundError()
	}
	open, err := s.d.Store.ForRequester(ctx, tenantID, patientID, a.ID, ListLimit)
	if err != nil {
		return Record{}, err
	}
	for _, r := range open {
		if r.Status == Pending || r.Status == Building {
			return r, nil
		}
	}
	now := s.d.Clock.Now()
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: patientID, RequestedBy: a.ID, Classes: classes, Status: Pending,
		CreatedAt: now}
	// Why the event comes first: a request whose audit fails is not stored
	// (fail closed, like every step of the copy).
	if err := s.d.Audit.Append(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "records.export.request",
		ResourceType: "record_export", ResourceID: r.ID, Purpose: access.PurposeSelf, Detail: "classes=" + classesText(classes)}); err != nil {
		return Record{}, err
	}
	if err := s.d.Store.Insert(ctx, r); err != nil {
		return Record{}, err
	}
	return r, nil
}

// List returns the exports of patientID that the actor in ctx asked for,
// newest first (expired ones are gone). Anyone who may not ask gets NotFound.
// Why only the requester's own: a proxy's copy holds what the proxy may see,
// the patient's holds everything; neither sees the other's file.
func (s *Service) List(ctx context.Context, tenantID, patientID string) ([]Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := requester(ctx)
	if err != nil {
		return nil, err
	}
	classes, err := s.readable(ctx, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	if len(classes) == 0 {
		return nil, apperr.NotFoundError()
	}
	return s.d.Store.ForRequester(ctx, tenantID, patientID, a.ID, ListLimit)
}

// Download opens a ready export for the person who asked for it, while they
// may still read every class it holds (a proxy whose grant shrank or ended
// gets NotFound). The opening is audited.
func (s *Service) Download(ctx context.Context, tenantID, exportID string) (Record, []byte, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := requester(ctx)
	if err != nil {
		return Record{}, nil, err
	}
	if !id.Valid(exportID) {
		return Record{}, nil, apperr.NotFoundError()
	}
	r, err := s.d.Store.ByID(ctx, tenantID, exportID)
	if err != nil {
		return Record{}, nil, err
	}
	now := s.d.Clock.Now()
	if r.RequestedBy != a.ID || r.Status != Ready || !now.Before(r.ExpiresAt) {
		return Record{}, nil, apperr.NotFoundError()
	}
	classes, err := s.readable(ctx, tenantID, r.PatientID)
	if err != nil {
		return Record{}, nil, err
	}
	for _, c := range r.Classes {
		if !slices.Contains(classes, c) {
			if err := s.d.Audit.Append(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{r.PatientID}, Action: "records.export.download",
				ResourceType: "record_export", ResourceID: r.ID, Outcome: audit.Denied, Detail: "class " + string(c) + " no longer granted"}); err != nil {
				return Record{}, nil, err
			}
			return Record{}, nil, apperr.NotFoundError()
		}
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.PatientID}, Action: access.Read,
		Purpose: access.PurposeSelf, Resource: "record_export", ResourceID: r.ID, AuditAction: "records.export.download"})
	if err != nil {
		return Record{}, nil, err
	}
	b, err := h.OpenBytes(r.PatientID, table, column, r.ID, r.ArchiveCT)
	if err != nil {
		return Record{}, nil, err
	}
	return r, b.Reveal(), nil
}

// BuildPending builds up to limit waiting exports (the records.build job)
// and returns how many it finished. A failed build is stored as failed with
// machine text and does not stop the others.
func (s *Service) BuildPending(ctx context.Context, limit int) (int, error) {
	now := s.d.Clock.Now()
	claimed, err := s.d.Store.Claim(ctx, now, now.Add(-StaleBuild), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range claimed {
		if err := s.build(ctx, r); err != nil {
			s.d.Log.ErrorContext(ctx, "record export failed", "export", r.ID, "err", err)
			// Machine text only: an error's cause may name a record.
			r.Status, r.Error, r.ArchiveCT = Failed, string(apperr.CodeOf(err)), nil
			if err := s.d.Store.Finish(ctx, r); err != nil {
				return n, err
			}
			continue
		}
		n++
	}
	return n, nil
}

// build reads every section the requester may see, as the requester, and
// stores the sealed zip.
//
// Why as the requester and not as a system job: the copy must hold exactly
// what that person may see when it is built (a proxy's grant is checked
// again here, not only when they asked), and each domain's read is then
// audited as theirs, with purpose self, which is what it is.
func (s *Service) build(ctx context.Context, r Record) error {
	ctx = access.WithActor(ctx, access.Actor{ID: r.RequestedBy, Role: access.RolePatient, TenantID: r.TenantID})
	classes, err := s.readable(ctx, r.TenantID, r.PatientID)
	if err != nil {
		return err
	}
	if len(classes) == 0 {
		return apperr.NotFoundError()
	}
	exps := s.Exporters()
	b := newBuilder(r, s.d.Clock.Now())
	for i, e := range exps {
		if !slices.Contains(classes, e.Class) {
			continue
		}
		sec, err := e.Export(ctx, r.TenantID, r.PatientID)
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Denied) {
			// The domain itself decided this requester may not read it
			// (lists are the patient's own, for example): left out.
			continue
		}
		if err != nil {
			return fmt.Errorf("section %s: %w", e.Name, err)
		}
		if err := b.add(e, sec); err != nil {
			return err
		}
		if err := s.d.Store.Progress(ctx, r.ID, 5+90*(i+1)/len(exps)); err != nil {
			return err
		}
	}
	zipped, err := b.zip()
	if err != nil {
		return err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: r.TenantID, Subjects: []string{r.PatientID}, Action: access.Write,
		Purpose: access.PurposeSelf, Resource: "record_export", ResourceID: r.ID, AuditAction: "records.export.build",
		Detail: fmt.Sprintf("sections=%d bytes=%d", len(b.arch.Sections), len(zipped))})
	if err != nil {
		return err
	}
	ct, err := h.SealBytes(r.PatientID, table, column, r.ID, zipped)
	if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	r.Status, r.Progress, r.ArchiveCT, r.Size, r.Classes = Ready, 100, ct, int64(len(zipped)), b.arch.Classes
	r.ReadyAt, r.ExpiresAt, r.Error = now, now.Add(Keep), ""
	return s.d.Store.Finish(ctx, r)
}

// Purge deletes exports whose 7 days are over, and failed ones as old, each
// deletion audited (the purge job). It returns how many it deleted.
func (s *Service) Purge(ctx context.Context, limit int) (int, error) {
	now := s.d.Clock.Now()
	old, err := s.d.Store.Expired(ctx, now, now.Add(-Keep), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, r := range old {
		jctx := access.WithActor(ctx, access.System("records.purge", r.TenantID))
		if err := s.d.Audit.Append(jctx, audit.Entry{TenantID: r.TenantID, Subjects: []string{r.PatientID}, Action: "records.export.delete",
			ResourceType: "record_export", ResourceID: r.ID, Purpose: access.PurposeSystem, Detail: "expired"}); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.d.Store.Delete(ctx, r.TenantID, r.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
