package staff

import (
	"errors"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/web"
)

// switchBrand is the brand switcher: POST /staff/brand with the brand to act
// in, for a member of staff with an organisation-level role (issue 20 point
// 4). The choice is kept in a host-only cookie that the guard checks against
// the role on every request (web.BrandSwitch); the switch is audited in both
// brands' logs. Why a 404 for anyone else and for a brand outside the
// organisation: deny by default, and the answer must not tell which brands
// exist.
func (h *Handlers) switchBrand(w http.ResponseWriter, r *http.Request) error {
	acting, ok := web.ActingFrom(r.Context())
	sess, signed := web.SessionFrom(r.Context())
	if !ok || !signed {
		return apperr.DeniedError(errors.New("no organisation role"))
	}
	choice := r.PostFormValue("brand")
	for _, b := range acting.Brands {
		if b.ID != choice {
			continue
		}
		if b.ID != acting.Current.ID {
			role := acting.OrgRole
			if b.ID == acting.Home.ID {
				role = sess.Role
			}
			if err := h.grants.RecordBrandSwitch(r.Context(), sess.UserID, acting.Current.ID, b.ID, acting.Role, role); err != nil {
				return err
			}
		}
		set := b.ID
		if b.ID == acting.Home.ID {
			set = "" // home again: no choice to keep
		}
		h.Cookies.SetBrand(w, set)
		http.Redirect(w, r, "/staff", http.StatusSeeOther)
		return nil
	}
	return apperr.DeniedError(errors.New("not a brand of the organisation"))
}
