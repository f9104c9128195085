package messaging

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// File is an attachment as a page hands it in: its bytes (at most
// MaxAttachment), or TooLarge when the page stopped reading past it.
type File struct {
	Data     []byte
	TooLarge bool
	// Sniffed, when set, is what a second sniffer (the WHATWG algorithm,
	// http.DetectContentType) made of the bytes: it must agree with Sniff,
	// so that a file built to fool one check does not pass.
	Sniffed string
}

// NewThread is what a patient (or their proxy) writes to start a thread.
type NewThread struct {
	TeamID, Subject, Body string
	// About links an order or a prescription of the patient (optional).
	AboutKind About
	AboutID   string
	File      File
}

// Thread is a thread opened for someone allowed to read it.
type Thread struct {
	ID, PatientID, Subject string
	Team                   Team
	AboutKind              About
	AboutID                string
	Status                 Status
	AssignedTo             string
	Unread                 int
	LastAt, CreatedAt      time.Time
	Posts                  []Post
}

// Post is one message opened.
type Post struct {
	ID, AuthorID string
	Side         Side
	Body         string
	Attachment   *AttachmentInfo
	CreatedAt    time.Time
}

// Attachment is a file opened for someone allowed to read it.
type Attachment struct {
	ID, ContentType string
	Data            phi.Bytes
}

// checkText validates a subject and a body into fields.
func checkText(fields map[string]string, subject *string, body *string) {
	if subject != nil {
		*subject = strings.TrimSpace(*subject)
		switch {
		case *subject == "":
			fields["subject"] = "Enter a subject, such as the question in a few words."
		case utf8.RuneCountInString(*subject) > 120 || strings.ContainsAny(*subject, "\r\n\x00"):
			fields["subject"] = "Enter a subject of at most 120 characters on one line."
		}
	}
	*body = strings.TrimSpace(strings.ReplaceAll(*body, "\r\n", "\n"))
	switch {
	case *body == "":
		fields["body"] = "Write your message."
	case utf8.RuneCountInString(*body) > MaxBody || strings.ContainsRune(*body, 0):
		fields["body"] = fmt.Sprintf("Write at most %d characters; send the rest in another message.", MaxBody)
	}
}

// checkFile decides an attachment's type from its bytes.
func checkFile(fields map[string]string, f File) string {
	switch {
	case f.TooLarge || len(f.Data) > MaxAttachment:
		fields["file"] = "Attach a file of at most 10 MB."
	case len(f.Data) > 0:
		// Why by content: a name or a browser's type says what the sender
		// claims; the first bytes say what the file is. An HTML page named
		// photo.png is refused before it is stored or ever served.
		if ct := Sniff(f.Data); ct != "" && (f.Sniffed == "" || f.Sniffed == ct) {
			return ct
		}
		fields["file"] = "Attach a photo (PNG, JPEG, WebP or GIF) or a PDF."
	}
	return ""
}

// throttle refuses a message past MaxPerHour of its author's.
func (s *Service) throttle(ctx context.Context, tenantID, authorID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	n, err := s.d.Store.SentSince(ctx, tenantID, authorID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= MaxPerHour {
		// Why a limit: a stolen session or a script must not flood a team's
		// inbox (and their email) in a patient's name.
		return apperr.New(apperr.RateLimited, fmt.Sprintf("You have sent %d messages in the last hour, the most we take. "+
			"Please wait a while before sending another; if it is urgent, call us.", MaxPerHour))
	}
	return nil
}

// Start opens a thread for a patient with a team: the patient themselves or
// their proxy with the messages class. Bad input is an Invalid error naming
// each field, and nothing is stored.
func (s *Service) Start(ctx context.Context, tenantID, patientID string, in NewThread) (*Thread, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return nil, apperr.NotFoundError()
	}
	d, err := s.d.Auth.Authorize(ctx, tenantID, patientID, access.DataMessages, access.Write)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	fields := map[string]string{}
	team, err := s.team(ctx, tenantID, in.TeamID)
	if err != nil {
		fields["team"] = "Choose whom to write to."
	}
	checkText(fields, &in.Subject, &in.Body)
	ctype := checkFile(fields, in.File)
	if in.AboutKind != AboutNone || in.AboutID != "" {
		owns := false
		if s.d.Owns != nil && (in.AboutKind == AboutOrder || in.AboutKind == AboutPrescription) && id.Valid(in.AboutID) {
			if owns, err = s.d.Owns(ctx, tenantID, patientID, in.AboutKind, in.AboutID); err != nil && !apperr.Is(err, apperr.NotFound) {
				return nil, err
			}
		}
		if !owns {
			fields["about"] = "Choose one of the orders or prescriptions listed, or none."
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	now := s.d.Clock.Now()
	if err := s.throttle(ctx, tenantID, a.ID, now); err != nil {
		return nil, err
	}
	t := ThreadRecord{ID: id.NewAt(now), TenantID: tenantID, PatientID: patientID, TeamID: team.ID, AboutKind: in.AboutKind,
		AboutID: in.AboutID, Status: Open, StartedBy: a.ID, StaffUnread: 1, LastAt: now, CreatedAt: now, UpdatedAt: now}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "message_thread", ResourceID: t.ID, AuditAction: "message.start"})
	if err != nil {
		return nil, err
	}
	if t.SubjectCT, err = h.SealString(patientID, "message_threads", "subject_ct", t.ID, in.Subject); err != nil {
		return nil, err
	}
	p, att, err := s.seal(h, t, a.ID, SidePatient, in.Body, in.File.Data, ctype, now)
	if err != nil {
		return nil, err
	}
	if err := s.d.Store.InsertThread(ctx, t, p, att); err != nil {
		return nil, err
	}
	s.notify(ctx, t, SidePatient)
	s.received(ctx, t, p)
	return &Thread{ID: t.ID, PatientID: patientID, Subject: in.Subject, Team: team, Status: Open, LastAt: now, CreatedAt: now}, nil
}

// seal builds a message and its file, sealed under the thread's patient.
func (s *Service) seal(h phi.Handle, t ThreadRecord, authorID string, side Side, body string, data []byte, ctype string,
	now time.Time) (PostRecord, *AttachmentRecord, error) {
	p := PostRecord{ID: id.NewAt(now), TenantID: t.TenantID, ThreadID: t.ID, PatientID: t.PatientID, AuthorID: authorID, Side: side, CreatedAt: now}
	var err error
	if p.BodyCT, err = h.SealString(t.PatientID, "message_posts", "body_ct", p.ID, body); err != nil {
		return p, nil, err
	}
	if ctype == "" {
		return p, nil, nil
	}
	a := &AttachmentRecord{ID: id.NewAt(now), TenantID: t.TenantID, ThreadID: t.ID, PostID: p.ID, PatientID: t.PatientID,
		ContentType: ctype, Size: int64(len(data)), CreatedAt: now}
	if a.DataCT, err = h.SealBytes(t.PatientID, "message_attachments", "data_ct", a.ID, data); err != nil {
		return p, nil, err
	}
	return p, a, nil
}

// authorized loads a thread and decides the actor's access to it: the
// patient's side through grants.Authorize (own, or a proxy with the
// messages class); staff must be on the thread's team as well. Anything
// else is the same NotFound as an unknown thread.
func (s *Service) authorized(ctx context.Context, tenantID, threadID string, act access.Action) (ThreadRecord, access.Decision, Side, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var none access.Decision
	a, ok := access.ActorFrom(ctx)
	if !ok || !id.Valid(threadID) {
		return ThreadRecord{}, none, "", apperr.NotFoundError()
	}
	t, err := s.d.Store.Thread(ctx, tenantID, threadID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return t, none, "", apperr.NotFoundError()
		}
		return t, none, "", err
	}
	side := SidePatient
	if a.Role.Staff() {
		side = SideStaff
		// Why team membership on top of the policy: customer service may
		// read messages of any patient, but a thread written to the pharmacy
		// is the pharmacy's; another team's staff get the same NotFound,
		// and the denial is audited like the policy's.
		member, err := s.member(ctx, tenantID, t.TeamID, a.ID)
		if err != nil {
			return t, none, side, err
		}
		if !member {
			if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{t.PatientID}, Action: "messages." + string(act),
				ResourceType: "message_thread", ResourceID: t.ID, Outcome: audit.Denied, Detail: "not on the thread's team"}); err != nil {
				return t, none, side, err
			}
			return t, none, side, apperr.NotFoundError()
		}
	} else if a.Role != access.RolePatient {
		return t, none, side, apperr.NotFoundError()
	}
	d, err := s.d.Auth.Authorize(ctx, tenantID, t.PatientID, access.DataMessages, act)
	if err != nil {
		return t, d, side, apperr.NotFoundError()
	}
	return t, d, side, nil
}

// member reports whether a staff account is on a team of the tenant.
func (s *Service) member(ctx context.Context, tenantID, teamID, userID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	t, err := s.team(ctx, tenantID, teamID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return slices.Contains(t.Members, userID), err
}

// Open returns a thread with its messages for the actor in ctx, audited
// (message.read), and marks it read for the actor's side.
func (s *Service) Open(ctx context.Context, tenantID, threadID string) (*Thread, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	t, d, side, err := s.authorized(ctx, tenantID, threadID, access.Read)
	if err != nil {
		return nil, err
	}
	posts, err := s.d.Store.Posts(ctx, tenantID, t.ID)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{t.PatientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "message_thread", ResourceID: t.ID, AuditAction: "message.read"})
	if err != nil {
		return nil, err
	}
	teams, err := s.d.Store.Teams(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out, err := openThread(h, t, side, teams)
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		body, err := h.OpenString(t.PatientID, "message_posts", "body_ct", p.ID, p.BodyCT)
		if err != nil {
			return nil, err
		}
		out.Posts = append(out.Posts, Post{ID: p.ID, AuthorID: p.AuthorID, Side: p.Side, Body: body.Reveal(), Attachment: p.Attachment,
			CreatedAt: p.CreatedAt})
	}
	if out.Unread > 0 {
		if err := s.d.Store.MarkRead(ctx, tenantID, t.ID, side); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openThread opens a thread's subject and names its team (from the
// tenant's teams, read once by the caller).
func openThread(h phi.Handle, t ThreadRecord, side Side, teams []Team) (*Thread, error) {
	subj, err := h.OpenString(t.PatientID, "message_threads", "subject_ct", t.ID, t.SubjectCT)
	if err != nil {
		return nil, err
	}
	var team Team
	for _, tm := range teams {
		if tm.ID == t.TeamID {
			team = tm
		}
	}
	team.Members = nil
	out := &Thread{ID: t.ID, PatientID: t.PatientID, Subject: subj.Reveal(), Team: team, AboutKind: t.AboutKind, AboutID: t.AboutID,
		Status: t.Status, AssignedTo: t.AssignedTo, LastAt: t.LastAt, CreatedAt: t.CreatedAt, Unread: t.PatientUnread}
	if side == SideStaff {
		out.Unread = t.StaffUnread
	}
	return out, nil
}

// Reply adds a message to a thread for the actor in ctx (the patient's side
// or a member of the thread's team); bad input is an Invalid error naming
// the field and nothing is stored.
func (s *Service) Reply(ctx context.Context, tenantID, threadID, body string, f File) error {
	ctx = tenant.WithScope(ctx, tenantID)
	t, d, side, err := s.authorized(ctx, tenantID, threadID, access.Write)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, nil, &body)
	ctype := checkFile(fields, f)
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	a, _ := access.ActorFrom(ctx)
	now := s.d.Clock.Now()
	if err := s.throttle(ctx, tenantID, a.ID, now); err != nil {
		return err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{t.PatientID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "message_thread", ResourceID: t.ID, AuditAction: "message.reply"})
	if err != nil {
		return err
	}
	p, att, err := s.seal(h, t, a.ID, side, body, f.Data, ctype, now)
	if err != nil {
		return err
	}
	if err := s.d.Store.InsertPost(ctx, p, att); err != nil {
		return err
	}
	s.notify(ctx, t, side)
	if side == SidePatient {
		s.received(ctx, t, p)
	}
	return nil
}

// received tells Deps.Received of a message from the patient's side: the
// thread's and the message's ids, never the patient's id, the subject or
// the text (a webhook receiver looks anything else up through the API,
// where access is checked and audited).
func (s *Service) received(ctx context.Context, t ThreadRecord, p PostRecord) {
	if s.d.Received != nil {
		s.d.Received(ctx, t.TenantID, t.ID, p.ID)
	}
}

// Attachment opens a file of a message for someone who may read its
// thread, audited (message.attachment); anyone else and an unknown id get
// the same NotFound.
func (s *Service) Attachment(ctx context.Context, tenantID, attachmentID string) (*Attachment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(attachmentID) {
		return nil, apperr.NotFoundError()
	}
	rec, err := s.d.Store.Attachment(ctx, tenantID, attachmentID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.NotFoundError()
		}
		return nil, err
	}
	t, d, _, err := s.authorized(ctx, tenantID, rec.ThreadID, access.Read)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{t.PatientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "message_attachment", ResourceID: rec.ID, AuditAction: "message.attachment"})
	if err != nil {
		return nil, err
	}
	data, err := h.OpenBytes(t.PatientID, "message_attachments", "data_ct", rec.ID, rec.DataCT)
	if err != nil {
		return nil, err
	}
	return &Attachment{ID: rec.ID, ContentType: rec.ContentType, Data: data}, nil
}

// Threads returns a patient's threads with their subjects for the patient
// or their proxy with the messages class, latest activity first, under one
// audited access; Unread is what the team wrote since the patient's side
// last opened each.
func (s *Service) Threads(ctx context.Context, tenantID, patientID string) ([]*Thread, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return nil, apperr.NotFoundError()
	}
	d, err := s.d.Auth.Authorize(ctx, tenantID, patientID, access.DataMessages, access.Read)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	return s.list(ctx, tenantID, patientID, d, SidePatient, nil, "message.list")
}

// list opens a patient's threads (those whose team is in teams, when set).
func (s *Service) list(ctx context.Context, tenantID, patientID string, d access.Decision, side Side, teams []string,
	action string) ([]*Thread, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.d.Store.ThreadsOf(ctx, tenantID, patientID, 200)
	if err != nil {
		return nil, err
	}
	if teams != nil {
		rows = slices.DeleteFunc(rows, func(t ThreadRecord) bool { return !slices.Contains(teams, t.TeamID) })
	}
	if len(rows) == 0 {
		return nil, nil
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "message_thread", AuditAction: action})
	if err != nil {
		return nil, err
	}
	all, err := s.d.Store.Teams(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]*Thread, 0, len(rows))
	for _, r := range rows {
		t, err := openThread(h, r, side, all)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
