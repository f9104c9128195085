package staff

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// waitingCap is how far the staff home counts waiting orders.
const waitingCap = 99

// homeData is the staff home: the viewer's tasks, each with its count when
// it has one.
type homeData struct {
	Role  string
	Tasks []homeTask
}

type homeTask struct {
	web.Task
	// Count is what waits, as shown ("3", "99+"); empty when the task has
	// no count.
	Count, CountLabel string
}

// showHome is the staff home, GET /staff: what the viewer's role may do,
// with what waits for them (orders waiting, prescriptions to verify,
// break-glass reviews due), every
// staff page they may open linked from here. Counts only: no order or patient
// is opened.
func (h *Handlers) showHome(w http.ResponseWriter, r *http.Request) error {
	a, _ := access.ActorFrom(r.Context())
	t := tenant.FromContext(r.Context())
	d := homeData{Role: roleLabel(a.Role)}
	for _, task := range web.TasksOf(a.Role) {
		ht := homeTask{Task: task}
		switch task.Key {
		case "orders":
			n, more, err := h.orders.CountWaiting(r.Context(), t.ID, waitingCap)
			if err != nil {
				return err
			}
			ht.Count, ht.CountLabel = strconv.Itoa(n), "waiting"
			if more {
				ht.Count += "+"
			}
		case "prescriptions":
			rows, err := h.rx.Queue(r.Context(), t.ID, waitingCap+1)
			if err != nil {
				return err
			}
			ht.Count, ht.CountLabel = strconv.Itoa(min(len(rows), waitingCap)), "to verify"
			if len(rows) > waitingCap {
				ht.Count += "+"
			}
		case "results":
			if h.Labs == nil {
				break
			}
			// A count only: no report is opened for the home page.
			n, err := h.Labs.AttentionCount(r.Context(), t.ID)
			if err != nil {
				return err
			}
			ht.Count, ht.CountLabel = strconv.Itoa(n), "critical to review"
		case "reviews":
			n, err := h.grants.BreakGlassDue(r.Context(), t.ID)
			if err != nil {
				return err
			}
			ht.Count, ht.CountLabel = strconv.Itoa(n), "due"
		}
		d.Tasks = append(d.Tasks, ht)
	}
	return h.render(w, r, h.pages.home, http.StatusOK, "Staff home", d)
}

// roleLabel names a role as people say it.
func roleLabel(r access.Role) string {
	switch r {
	case access.RoleCustomerService:
		return "Customer service"
	case access.RolePharmacist:
		return "Pharmacist"
	case access.RoleClinician:
		return "Clinician"
	case access.RoleFulfillment:
		return "Fulfillment"
	case access.RoleStoreManager:
		return "Store manager"
	case access.RoleCompliance:
		return "Compliance officer"
	case access.RoleAdmin:
		return "Administrator"
	}
	return string(r)
}
