package portal

import (
	"context"
	"sync"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Panel is one widget as a dashboard view shows it.
type Panel struct {
	Widget
	Summary Summary
	// First and Last say whether it can move up or down.
	First, Last bool
}

// Dashboard is one view of a patient's dashboard.
type Dashboard struct {
	Panels []Panel
	// Hidden are the widgets the viewer hid (offered to restore).
	Hidden []Widget
	// Arranged is true when the viewer arranged their dashboard themselves.
	Arranged bool
}

// View is who looks at whose dashboard.
type View struct {
	TenantID string
	// ViewerID is the signed-in patient: the arrangement is theirs.
	ViewerID string
	// PatientID is whose records are shown: the viewer, or someone who
	// granted them proxy access.
	PatientID string
	// Allowed says whether the viewer may read a data class of the
	// patient (access.Decide with the facts looked up once); the widgets of
	// the other classes are left out before their source is asked.
	Allowed func(access.DataClass) bool
}

// Dashboard fills the viewer's arrangement for the patient: each widget the
// viewer may see, from its source (a widget without one shows its empty
// state). A source's NotFound (a denial) leaves its widget out; any other
// error fails the view (no audit, no PHI). The sources share one memo, so
// one view reads each table once.
func (s *Service) Dashboard(ctx context.Context, v View, sources Sources) (Dashboard, error) {
	ctx = tenant.WithScope(ctx, v.TenantID)
	arr, err := s.Arrangement(ctx, v.TenantID, v.ViewerID)
	if err != nil {
		return Dashboard{}, err
	}
	ctx = WithMemo(ctx)
	// The widgets' vault accesses (each still recorded by its own audit
	// event) read the patient's key row once for the view.
	ctx = phi.WithKeyMemo(ctx)
	own := v.ViewerID == v.PatientID
	d := Dashboard{Arranged: arr.Own}
	// The widgets shown, in order, and what their sources answered.
	panels := make([]Panel, 0, len(arr.Visible))
	for _, k := range arr.Visible {
		w, _ := Lookup(k)
		// Why: the widgets of a person's own account are theirs alone, and
		// a class not granted is not even asked for.
		if (w.Own && !own) || (!w.Own && (v.Allowed == nil || !v.Allowed(w.Class))) {
			continue
		}
		panels = append(panels, Panel{Widget: w})
	}
	errs := make([]error, len(panels))
	var wg sync.WaitGroup
	for i := range panels {
		src := sources[panels[i].Key]
		if src == nil {
			continue
		}
		// Why at once: each source that opens a data class records its
		// audited access and waits for that record's commit before it reads
		// (no audit, no plaintext). Asked one after another, a view waited
		// for one commit (an fsync) per class; asked together, their events
		// join one group commit. Each source still waits for its own event,
		// so nothing is read before its access is recorded.
		// On a pooled worker (workers.go): its stack has grown already.
		wg.Add(1)
		widgetWorkers.run(func() {
			defer wg.Done()
			sum, err := src.Summary(ctx, v.TenantID, v.PatientID)
			if err == nil && len(sum.Lines) > MaxLines {
				sum.Lines = sum.Lines[:MaxLines]
			}
			panels[i].Summary, errs[i] = sum, err
		})
	}
	wg.Wait()
	// Kept in place (a widget left out only moves the later ones down): a
	// second array of panels was about 2 KB more to allocate on every view.
	d.Panels = panels[:0]
	for i, p := range panels {
		if apperr.Is(errs[i], apperr.NotFound) {
			continue
		}
		if errs[i] != nil {
			return Dashboard{}, errs[i]
		}
		d.Panels = append(d.Panels, p)
	}
	for i := range d.Panels {
		d.Panels[i].First, d.Panels[i].Last = i == 0, i == len(d.Panels)-1
	}
	if own {
		for _, k := range arr.Hidden {
			w, _ := Lookup(k)
			d.Hidden = append(d.Hidden, w)
		}
	}
	return d, nil
}
