package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// VerifiedMarker is the file a backup folder holds once Check found every
// encrypted file as its manifest recorded. Pruning never removes the newest
// backup that has one.
const VerifiedMarker = "verified.json"

// Policy is how many backups a target keeps. A backup is kept when any rule
// keeps it: the newest of each of the last Daily days, of each of the last
// Weekly ISO weeks, of each of the last Monthly months (UTC), and every
// backup younger than Within. The newest verified backup is always kept. The
// zero Policy keeps everything.
type Policy struct {
	Daily, Weekly, Monthly int
	Within                 time.Duration
}

// Zero reports whether the policy keeps everything (no rule set).
func (p Policy) Zero() bool { return p == Policy{} }

func (p Policy) String() string {
	return fmt.Sprintf("daily %d, weekly %d, monthly %d, within %s", p.Daily, p.Weekly, p.Monthly, p.Within)
}

// Entry is one backup found on a target.
type Entry struct {
	ID      string
	Created time.Time
	// Complete: its outer manifest is there (written last by Create).
	Complete bool
	// Verified: Check found it intact and left the marker.
	Verified bool
}

// idTime reads the creation time Create put in a backup's id
// ("salve-20261207T013000Z-1a2b3c4d").
func idTime(id string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(id, "salve-")
	if !ok || len(rest) < len("20060102T150405Z") {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T150405Z", rest[:len("20060102T150405Z")])
	return t, err == nil && checkID(id) == nil
}

// List returns the backups on t, newest first. Folders whose name is not a
// backup id are not Salve's and are left out (and so never pruned).
func List(ctx context.Context, t Target) ([]Entry, error) {
	names, err := t.List(ctx, "")
	if err != nil {
		return nil, err
	}
	byID := map[string]*Entry{}
	for _, n := range names {
		id, file, ok := strings.Cut(n, "/")
		if !ok {
			continue
		}
		created, ok := idTime(id)
		if !ok {
			continue
		}
		e := byID[id]
		if e == nil {
			e = &Entry{ID: id, Created: created}
			byID[id] = e
		}
		switch file {
		case OuterManifest:
			e.Complete = true
		case VerifiedMarker:
			e.Verified = true
		}
	}
	out := make([]Entry, 0, len(byID))
	for _, e := range byID {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// staleAfter is how old a backup without its manifest must be before pruning
// takes it for an abandoned write, not one still being written.
const staleAfter = 24 * time.Hour

// Keep returns the ids the policy keeps among entries (newest first, as List
// returns them) at now. Incomplete backups are kept while they may still be
// being written, and counted by no rule.
func (p Policy) Keep(entries []Entry, now time.Time) map[string]bool {
	keep := map[string]bool{}
	if p.Zero() {
		for _, e := range entries {
			keep[e.ID] = true
		}
		return keep
	}
	// Why: pruning must never leave a target without a backup known to be
	// good, whatever the policy says and however many failed since.
	for _, e := range entries {
		if e.Complete && e.Verified {
			keep[e.ID] = true
			break
		}
	}
	bucket := func(n int, key func(time.Time) string) {
		seen := map[string]bool{}
		for _, e := range entries {
			if len(seen) >= n {
				return
			}
			if !e.Complete {
				continue
			}
			k := key(e.Created.UTC())
			if !seen[k] {
				seen[k] = true
				keep[e.ID] = true
			}
		}
	}
	bucket(p.Daily, func(t time.Time) string { return t.Format("2006-01-02") })
	bucket(p.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) })
	bucket(p.Monthly, func(t time.Time) string { return t.Format("2006-01") })
	for _, e := range entries {
		if (e.Complete && p.Within > 0 && now.Sub(e.Created) < p.Within) || (!e.Complete && now.Sub(e.Created) < staleAfter) {
			keep[e.ID] = true
		}
	}
	return keep
}

// Prune removes from t the backups the policy does not keep and returns their
// ids. It stops at the first removal that fails.
func Prune(ctx context.Context, t Target, p Policy, now time.Time) ([]string, error) {
	if p.Zero() {
		return nil, nil
	}
	entries, err := List(ctx, t)
	if err != nil {
		return nil, err
	}
	keep := p.Keep(entries, now)
	var removed []string
	for _, e := range entries {
		if keep[e.ID] {
			continue
		}
		if err := t.RemoveAll(ctx, e.ID); err != nil {
			return removed, err
		}
		removed = append(removed, e.ID)
	}
	return removed, nil
}

// Check reads backup id back from t and checks every encrypted file's size
// and SHA-256 against its outer manifest: what can be checked without the
// identity, which stays offline. When all is as recorded it writes the
// verified marker; otherwise it returns a *CorruptError naming the file.
// (`salve backup verify` goes further: it decrypts, counts rows and checks
// the audit chain.)
func Check(ctx context.Context, t Target, id string, now time.Time) error {
	if err := checkID(id); err != nil {
		return err
	}
	r, err := t.Open(ctx, id+"/"+OuterManifest)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &CorruptError{File: OuterManifest, Problem: "missing"}
		}
		return fmt.Errorf("backup %s: %w", id, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxManifest))
	_ = r.Close()
	if err != nil {
		return fmt.Errorf("backup %s: %w", id, err)
	}
	m, err := parseManifest(b)
	if err != nil {
		return &CorruptError{File: OuterManifest, Problem: err.Error()}
	}
	if m.ID != id {
		return &CorruptError{File: OuterManifest, Problem: "it names another backup"}
	}
	for _, f := range m.Files {
		if err := checkFile(ctx, t, id, f); err != nil {
			return err
		}
	}
	mark, err := json.Marshal(struct {
		VerifiedAt time.Time `json:"verified_at"`
		Files      int       `json:"files"`
		Method     string    `json:"method"`
	}{now.UTC(), len(m.Files), "size and SHA-256 of every encrypted file against manifest.json"})
	if err != nil {
		return err
	}
	return t.Put(ctx, id+"/"+VerifiedMarker, strings.NewReader(string(mark)), int64(len(mark)))
}

// checkFile reads one encrypted file and compares it with its entry.
func checkFile(ctx context.Context, t Target, id string, f File) error {
	r, err := t.Open(ctx, id+"/"+f.Name)
	if err != nil {
		return &CorruptError{File: f.Name, Problem: "cannot be read: " + err.Error()}
	}
	defer r.Close()
	c := newCounter(io.Discard)
	if _, err := io.Copy(c, io.LimitReader(r, f.Size+1)); err != nil {
		return &CorruptError{File: f.Name, Problem: "cannot be read: " + err.Error()}
	}
	if got := c.file(f.Name); got != f {
		return &CorruptError{File: f.Name, Problem: fmt.Sprintf("size %d and SHA-256 %s, the manifest says %d and %s", got.Size, got.SHA256, f.Size, f.SHA256)}
	}
	return nil
}
