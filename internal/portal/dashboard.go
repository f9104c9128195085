package portal

import (
	"context"
	"sync"
	"time"

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
	// The sources read without the request's cancellation. Why: database/sql
	// and the SQLite driver each start a goroutine per statement that waits
	// for a cancellable context to end (to close the rows, to interrupt the
	// statement), two per statement of every widget; with about ten
	// statements a view that was some 3 % of its CPU. What is given up is
	// small: the requests have no deadline (server.go), so only a client that
	// went away cancels one, and then its widgets' few short reads run to
	// their end (a few milliseconds) instead of being cut off. Its values
	// (tenant scope, actor, memos) are the same.
	sctx := uncancelled{ctx}
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
			sum, err := src.Summary(sctx, v.TenantID, v.PatientID)
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

// uncancelled is a context with ctx's values that is never cancelled and
// has no deadline (Dashboard says why its sources read under one). Why not
// context.WithoutCancel: its Value boxes the context anew on every lookup,
// an allocation for each of the many a source's reads make (tenant scope,
// actor, memos); here Value is the parent's own.
type uncancelled struct{ context.Context }

// Deadline implements context.Context: none.
func (uncancelled) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context: nil, never done.
func (uncancelled) Done() <-chan struct{} { return nil }

// Err implements context.Context: never an error.
func (uncancelled) Err() error { return nil }
