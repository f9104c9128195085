package messaging

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// admin checks that the actor is an admin of the tenant. Why admins only:
// who answers patients' messages is an operational decision, like roles;
// the teams hold no PHI, so an admin needs none to keep them.
func admin(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.Role != access.RoleAdmin {
		return apperr.DeniedError(errors.New("only an admin keeps message teams"))
	}
	return nil
}

// TeamView is a team with its members named, for the admin's page.
type TeamView struct {
	Team
	People []Member
}

// Teams returns the tenant's teams with their members named, for an admin.
func (s *Service) Teams(ctx context.Context, tenantID string) ([]TeamView, []Member, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := admin(ctx, tenantID); err != nil {
		return nil, nil, apperr.NotFoundError()
	}
	teams, err := s.d.Store.Teams(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	staff, err := s.staff(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]TeamView, 0, len(teams))
	for _, t := range teams {
		out = append(out, TeamView{Team: t, People: named(staff, t.Members)})
	}
	return out, staff, nil
}

// TeamNames returns the tenant's teams (ids, names and kinds only) for a
// patient choosing whom to write to; members are left out.
func (s *Service) TeamNames(ctx context.Context, tenantID string) ([]Team, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	teams, err := s.d.Store.Teams(ctx, tenantID)
	for i := range teams {
		teams[i].Members = nil
	}
	return teams, err
}

// staff lists the tenant's staff accounts, those who may answer messages.
func (s *Service) staff(ctx context.Context, tenantID string) ([]Member, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.Staff == nil {
		return nil, nil
	}
	all, err := s.d.Staff(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(m Member) bool { return !m.Role.Staff() }), nil
}

// named picks the members of a list in the list's order.
func named(staff []Member, ids []string) []Member {
	var out []Member
	for _, m := range staff {
		if slices.Contains(ids, m.ID) {
			out = append(out, m)
		}
	}
	return out
}

// CreateTeam adds a team for an admin. A name that is empty, too long or
// taken, and an unknown kind, are Invalid errors naming the field.
func (s *Service) CreateTeam(ctx context.Context, tenantID, name string, kind TeamKind) (Team, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := admin(ctx, tenantID); err != nil {
		return Team{}, apperr.NotFoundError()
	}
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "Enter the team's name, such as Pharmacy. Patients see it."
	case utf8.RuneCountInString(name) > 80 || strings.ContainsAny(name, "\r\n\x00"):
		fields["name"] = "Enter a name of at most 80 characters on one line."
	}
	if !slices.Contains(Kinds, kind) {
		fields["kind"] = "Choose what the team is for."
	}
	if len(fields) > 0 {
		return Team{}, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	now := s.d.Clock.Now()
	t := Team{ID: id.NewAt(now), TenantID: tenantID, Name: name, Kind: kind, CreatedAt: now}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "message_team.create", ResourceType: "message_team",
		ResourceID: t.ID, Purpose: access.PurposeOperations}); err != nil {
		return Team{}, err
	}
	if err := s.d.Store.CreateTeam(ctx, t); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Team{}, apperr.InvalidFields("Check the highlighted fields.", map[string]string{"name": "There is a team of that name already."})
		}
		return Team{}, err
	}
	return t, nil
}

// AddMember puts a staff account of the tenant on a team, for an admin; a
// patient's account or an unknown one is an Invalid error.
func (s *Service) AddMember(ctx context.Context, tenantID, teamID, userID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.teamOfAdmin(ctx, tenantID, teamID); err != nil {
		return err
	}
	staff, err := s.staff(ctx, tenantID)
	if err != nil {
		return err
	}
	// Why only staff: a patient on a team would read other patients'
	// messages; the policy would refuse them anyway, but the team page
	// must not pretend otherwise.
	if !slices.ContainsFunc(staff, func(m Member) bool { return m.ID == userID }) {
		return apperr.InvalidFields("Choose a member of staff.", map[string]string{"member": "Choose a member of staff."})
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{userID}, Action: "message_team.add_member",
		ResourceType: "message_team", ResourceID: teamID, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	return s.d.Store.AddMember(ctx, tenantID, teamID, userID, s.d.Clock.Now())
}

// RemoveMember takes a staff account off a team, for an admin.
func (s *Service) RemoveMember(ctx context.Context, tenantID, teamID, userID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.teamOfAdmin(ctx, tenantID, teamID); err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{userID}, Action: "message_team.remove_member",
		ResourceType: "message_team", ResourceID: teamID, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	return s.d.Store.RemoveMember(ctx, tenantID, teamID, userID)
}

// teamOfAdmin checks an admin acts on a team of their tenant.
func (s *Service) teamOfAdmin(ctx context.Context, tenantID, teamID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := admin(ctx, tenantID); err != nil {
		return apperr.NotFoundError()
	}
	if _, err := s.team(ctx, tenantID, teamID); err != nil {
		return err
	}
	return nil
}

// team returns a team of the tenant, or NotFound.
func (s *Service) team(ctx context.Context, tenantID, teamID string) (Team, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	teams, err := s.d.Store.Teams(ctx, tenantID)
	if err != nil {
		return Team{}, err
	}
	for _, t := range teams {
		if t.ID == teamID {
			return t, nil
		}
	}
	return Team{}, apperr.NotFoundError()
}

// MyTeams returns the teams the staff member in ctx is on.
func (s *Service) MyTeams(ctx context.Context, tenantID string) ([]Team, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || !a.Role.Staff() {
		return nil, apperr.NotFoundError()
	}
	teams, err := s.d.Store.Teams(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(teams, func(t Team) bool { return !slices.Contains(t.Members, a.ID) }), nil
}

// event records an audit event; failing to is failing the action.
func (s *Service) event(ctx context.Context, e audit.Entry) error {
	if err := s.d.Audit.Append(ctx, e); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}
