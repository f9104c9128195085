package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

type promotionView struct {
	ID, Code, Off, Window, Limit string
	// For is who the code is offered to (a targeting rule); Reach is set
	// when its reach can be counted here.
	For   string
	Reach bool
}

type promotionsData struct {
	State  formState
	List   []promotionView
	Values map[string]string
}

const dateLayout = "2006-01-02"

// listPromotions shows the codes and a form for a new one:
// GET /admin/catalog/promotions.
func (h *Handlers) listPromotions(w http.ResponseWriter, r *http.Request) error {
	return h.promotionsPage(w, r, nil, map[string]string{"kind": promo.Percent, "starts": time.Now().UTC().Format(dateLayout)})
}

func (h *Handlers) promotionsPage(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	list, lerr := h.Promotions.List(r.Context(), tenant.FromContext(r.Context()).ID)
	if lerr != nil {
		return lerr
	}
	d := promotionsData{State: stateFrom(r, err), Values: values}
	for _, p := range list {
		v := promotionView{ID: p.ID, For: p.Target.Label(), Reach: p.Targeted() && h.rights.marketing != nil, Code: p.Code, Off: strconv.FormatInt(p.Value, 10) + "%", Window: "from " + p.StartsAt.Format(dateLayout)}
		if p.Kind == promo.Fixed {
			v.Off = catalog.FormatPrice(p.Value, p.Currency)
		}
		if !p.EndsAt.IsZero() {
			v.Window += " until " + p.EndsAt.Add(-time.Second).Format(dateLayout)
		}
		v.Limit = strconv.FormatInt(p.Used, 10) + " used"
		if p.UsageLimit > 0 {
			v.Limit += " of " + strconv.FormatInt(p.UsageLimit, 10)
		}
		if p.MinQuantity > 0 {
			v.Limit += "; at least " + strconv.FormatInt(p.MinQuantity, 10) + " items"
		}
		d.List = append(d.List, v)
	}
	return h.render(w, r, h.promotions, "Promotions", d, err)
}

// createPromotion adds a code: POST /admin/catalog/promotions. Dates are whole
// days in UTC; the end date is the last day the code works.
func (h *Handlers) createPromotion(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The form could not be read.")
	}
	values := map[string]string{}
	for _, k := range []string{"code", "kind", "value", "currency", "min_quantity", "usage_limit", "starts", "ends", "target_kind", "target_code"} {
		values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	p := &promo.Promotion{ID: id.New(), TenantID: tenant.FromContext(r.Context()).ID, Code: values["code"], Kind: values["kind"],
		Currency: strings.ToUpper(values["currency"]), CreatedAt: time.Now().UTC(),
		Target: promo.Target{Kind: values["target_kind"], Code: values["target_code"]}}
	fields := map[string]string{}
	num := func(k string, dst *int64) {
		if values[k] == "" {
			return
		}
		n, err := strconv.ParseInt(values[k], 10, 64)
		if err != nil {
			fields[k] = "Enter a whole number."
		}
		*dst = n
	}
	if p.Kind == promo.Fixed {
		v, err := catalog.ParsePrice(values["value"])
		if err != nil {
			fields["value"] = "Enter an amount such as 5.00."
		}
		p.Value = v
	} else {
		num("value", &p.Value)
	}
	num("min_quantity", &p.MinQuantity)
	num("usage_limit", &p.UsageLimit)
	starts, err := time.Parse(dateLayout, values["starts"])
	if err != nil {
		fields["starts"] = "Enter a date."
	}
	p.StartsAt = starts
	if values["ends"] != "" {
		ends, err := time.Parse(dateLayout, values["ends"])
		if err != nil {
			fields["ends"] = "Enter a date, or leave it empty."
		}
		p.EndsAt = ends.Add(24 * time.Hour)
	}
	if len(fields) > 0 {
		return h.promotionsPage(w, r, apperr.InvalidFields("Check the highlighted fields.", fields), values)
	}
	// The service validates the code before it stores it.
	if err := h.Promotions.Create(r.Context(), p); err != nil {
		return h.promotionsPage(w, r, err, values)
	}
	return seeOther(w, r, "/admin/catalog/promotions", "saved")
}
