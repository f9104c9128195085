package messaging

import (
	"context"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// StaffRoles are the roles whose work includes patients' messages (the
// access policy's messages class): customer service, pharmacists and
// clinicians. Other staff on a team still see nothing.
var StaffRoles = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician}

// InboxItem is a thread in a team's inbox: only what is stored in the
// clear (the inbox opens no one's record; the thread's page does, audited).
type InboxItem struct {
	ID, TeamID, TeamName  string
	Status                Status
	AssignedTo, Assignee  string
	AboutKind             About
	Unread                int
	LastAt, CreatedAt     time.Time
	AssignedToMe, Started bool
}

// InboxFilter narrows the inbox.
type InboxFilter struct {
	// TeamID is one of the actor's teams; all of them when empty.
	TeamID string
	// Status is Open, Closed, or "" for both.
	Status Status
	// Mine keeps the threads assigned to the actor.
	Mine bool
}

// Inbox returns the threads of the teams the staff member in ctx is on,
// latest activity first, with their teams; a clinician sees only threads of
// patients they care for (the care relationship of the access policy).
func (s *Service) Inbox(ctx context.Context, tenantID string, f InboxFilter) ([]InboxItem, []Team, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || !slices.Contains(StaffRoles, a.Role) {
		return nil, nil, apperr.NotFoundError()
	}
	teams, err := s.MyTeams(ctx, tenantID)
	if err != nil || len(teams) == 0 {
		return nil, teams, err
	}
	q := InboxQuery{TenantID: tenantID, Status: f.Status, Limit: 200}
	for _, t := range teams {
		if f.TeamID == "" || f.TeamID == t.ID {
			q.TeamIDs = append(q.TeamIDs, t.ID)
		}
	}
	if len(q.TeamIDs) == 0 {
		return nil, teams, nil
	}
	if a.Role == access.RoleClinician {
		q.CareOf = a.ID
	}
	if f.Mine {
		q.AssignedTo = a.ID
	}
	rows, err := s.d.Store.Inbox(ctx, q)
	if err != nil {
		return nil, teams, err
	}
	staff, err := s.staff(ctx, tenantID)
	if err != nil {
		return nil, teams, err
	}
	out := make([]InboxItem, 0, len(rows))
	for _, r := range rows {
		it := InboxItem{ID: r.ID, TeamID: r.TeamID, Status: r.Status, AssignedTo: r.AssignedTo, AboutKind: r.AboutKind,
			Unread: r.StaffUnread, LastAt: r.LastAt, CreatedAt: r.CreatedAt, AssignedToMe: r.AssignedTo == a.ID}
		for _, t := range teams {
			if t.ID == r.TeamID {
				it.TeamName = t.Name
			}
		}
		it.Assignee = nameOf(staff, r.AssignedTo)
		out = append(out, it)
	}
	for i := range teams {
		teams[i].Members = nil
	}
	return out, teams, nil
}

// nameOf names a staff account; "" for none.
func nameOf(staff []Member, userID string) string {
	if userID == "" {
		return ""
	}
	for _, m := range staff {
		if m.ID == userID {
			if m.Name != "" {
				return m.Name
			}
			return "A member of staff"
		}
	}
	return "A former member"
}

// StaffThread is a thread as a member of its team works it: the thread and
// its team's members to assign it to.
type StaffThread struct {
	*Thread
	Members  []Member
	Assignee string
}

// ForStaff opens a thread for a member of its team, audited, with the
// team's members (for assignment) and authors named.
func (s *Service) ForStaff(ctx context.Context, tenantID, threadID string) (*StaffThread, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || !a.Role.Staff() {
		return nil, apperr.NotFoundError()
	}
	t, err := s.Open(ctx, tenantID, threadID)
	if err != nil {
		return nil, err
	}
	team, err := s.team(ctx, tenantID, t.Team.ID)
	if err != nil {
		return nil, err
	}
	staff, err := s.staff(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return &StaffThread{Thread: t, Members: named(staff, team.Members), Assignee: nameOf(staff, t.AssignedTo)}, nil
}

// Assign gives a thread to a member of its team ("" for nobody), for a
// member of that team; someone off the team is an Invalid error.
func (s *Service) Assign(ctx context.Context, tenantID, threadID, userID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || !a.Role.Staff() {
		return apperr.NotFoundError()
	}
	t, _, _, err := s.authorized(ctx, tenantID, threadID, access.Write)
	if err != nil {
		return err
	}
	if userID != "" {
		member, err := s.member(ctx, tenantID, t.TeamID, userID)
		if err != nil {
			return err
		}
		if !member || !id.Valid(userID) {
			return apperr.InvalidFields("Choose a member of the team.", map[string]string{"assignee": "Choose a member of the team."})
		}
	}
	return s.d.Store.Assign(ctx, tenantID, t.ID, userID, s.d.Clock.Now())
}

// SetStatus opens or closes a thread, for a member of its team. A patient's
// next message opens a closed thread again.
func (s *Service) SetStatus(ctx context.Context, tenantID, threadID string, st Status) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || !a.Role.Staff() {
		return apperr.NotFoundError()
	}
	if st != Open && st != Closed {
		return apperr.New(apperr.Invalid, "Choose open or closed.")
	}
	t, _, _, err := s.authorized(ctx, tenantID, threadID, access.Write)
	if err != nil {
		return err
	}
	return s.d.Store.SetStatus(ctx, tenantID, t.ID, st, s.d.Clock.Now())
}
