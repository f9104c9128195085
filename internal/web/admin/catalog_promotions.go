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
	// Status is Active, Paused, Scheduled, Used up or Ended; Given is the
	// discount its uses gave.
	Status, Given string
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
	now := h.Promotions.Now()
	for _, p := range list {
		v := h.promotionViewOf(&p, now)
		d.List = append(d.List, v)
	}
	return h.render(w, r, h.promotions, "Promotions", d, err)
}

// promotionViewOf is how a promotion reads on the manager's pages.
func (h *Handlers) promotionViewOf(p *promo.Promotion, now time.Time) promotionView {
	v := promotionView{ID: p.ID, For: p.Target.Label(), Reach: p.Targeted() && h.rights.marketing != nil, Code: p.Code,
		Off: strconv.FormatInt(p.Value, 10) + "%", Window: "from " + p.StartsAt.Format(dateLayout), Status: p.Status(now), Given: "none"}
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
	var given []string
	for _, a := range p.Given {
		given = append(given, catalog.FormatPrice(a.Minor, a.Currency))
	}
	if len(given) > 0 {
		v.Given = strings.Join(given, ", ")
	}
	return v
}

// createPromotion adds a code: POST /admin/catalog/promotions. Dates are whole
// days in UTC; the end date is the last day the code works.
func (h *Handlers) createPromotion(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The form could not be read.")
	}
	values, p, fields := readPromotionForm(r)
	p.ID, p.TenantID, p.Code, p.CreatedAt = id.New(), tenant.FromContext(r.Context()).ID, values["code"], time.Now().UTC()
	if len(fields) > 0 {
		return h.promotionsPage(w, r, apperr.InvalidFields("Check the highlighted fields.", fields), values)
	}
	// The service validates the code before it stores it.
	if err := h.Promotions.Create(r.Context(), p); err != nil {
		return h.promotionsPage(w, r, err, values)
	}
	return seeOther(w, r, "/admin/catalog/promotions", "saved")
}

// readPromotionForm reads a promotion's rules from a posted form (the code
// too, for the new-code form): the values as typed, to show them again, the
// promotion, and the fields that could not be read. Dates are whole days in
// UTC; the end date is the last day the code works.
func readPromotionForm(r *http.Request) (map[string]string, *promo.Promotion, map[string]string) {
	values := map[string]string{}
	for _, k := range []string{"code", "kind", "value", "currency", "min_quantity", "usage_limit", "starts", "ends", "target_kind", "target_code"} {
		values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	p := &promo.Promotion{Kind: values["kind"], Currency: strings.ToUpper(values["currency"]),
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
	return values, p, fields
}

// promotionValues are a stored promotion's rules as the form shows them.
func promotionValues(p *promo.Promotion) map[string]string {
	v := map[string]string{"code": p.Code, "kind": p.Kind, "value": strconv.FormatInt(p.Value, 10), "currency": p.Currency,
		"starts": p.StartsAt.Format(dateLayout), "target_kind": p.Target.Kind, "target_code": p.Target.Code}
	if p.Kind == promo.Fixed {
		v["value"] = catalog.FormatDecimal(p.Value)
	}
	if p.MinQuantity > 0 {
		v["min_quantity"] = strconv.FormatInt(p.MinQuantity, 10)
	}
	if p.UsageLimit > 0 {
		v["usage_limit"] = strconv.FormatInt(p.UsageLimit, 10)
	}
	if !p.EndsAt.IsZero() {
		v["ends"] = p.EndsAt.Add(-time.Second).Format(dateLayout)
	}
	return v
}
