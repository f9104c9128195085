package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/jobs"
)

// Jobs holds the background job leases of the PHI store. It implements
// jobs.Leases.
type Jobs struct{ db *DB }

// NewJobs returns the job lease queries of a PHI store.
func NewJobs(db *DB) *Jobs { return &Jobs{db: db} }

var _ jobs.Leases = (*Jobs)(nil)

// Lease takes a job's lease for owner until leaseUntil when the job is due (its
// last run at or before dueBefore) and nobody else holds a live lease. Why a
// lease in the database: several Salve processes may share the stores, and a
// job such as "disable inactive staff" must run once, not once per process.
//
// It costs one statement when it takes the lease and two when it does not
// (the record is read to say when to ask again); the job's row is inserted
// only the first time.
func (q *Jobs) Lease(ctx context.Context, name, owner string, now, dueBefore, leaseUntil time.Time) (jobs.Lease, error) {
	for range 2 {
		res, err := q.db.w.ExecContext(ctx, `UPDATE job_runs SET leased_by = $2, lease_until = $3 WHERE name = $1
			AND (lease_until IS NULL OR lease_until <= $4) AND (last_run_at IS NULL OR last_run_at <= $5)`,
			name, owner, leaseUntil, now, dueBefore)
		if err != nil {
			return jobs.Lease{}, fmt.Errorf("lease job %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return jobs.Lease{Taken: err == nil}, err
		}
		var last, held sql.NullTime
		err = q.db.w.QueryRowContext(ctx, `SELECT last_run_at, lease_until FROM job_runs WHERE name = $1`, name).Scan(&last, &held)
		if err == nil {
			return jobs.Lease{LastRun: timeOf(last), HeldUntil: timeOf(held)}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return jobs.Lease{}, fmt.Errorf("job %s: %w", name, err)
		}
		// The job's first run on these stores: its row, then the lease.
		if _, err := q.db.w.ExecContext(ctx, `INSERT INTO job_runs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return jobs.Lease{}, fmt.Errorf("job %s: %w", name, err)
		}
	}
	return jobs.Lease{}, fmt.Errorf("job %s: no lease row", name)
}

// Renew extends owner's live lease of job name to leaseUntil; false when
// owner does not hold it any more.
func (q *Jobs) Renew(ctx context.Context, name, owner string, leaseUntil time.Time) (bool, error) {
	res, err := q.db.w.ExecContext(ctx, `UPDATE job_runs SET lease_until = $3 WHERE name = $1 AND leased_by = $2`, name, owner, leaseUntil)
	if err != nil {
		return false, fmt.Errorf("renew job %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("renew job %s: %w", name, err)
	}
	return n == 1, nil
}

// Done records a run and releases the lease.
func (q *Jobs) Done(ctx context.Context, name, owner string, now time.Time, errText string) error {
	_, err := q.db.w.ExecContext(ctx, `UPDATE job_runs SET last_run_at = $3, last_error = $4, lease_until = NULL, leased_by = ''
		WHERE name = $1 AND leased_by = $2`, name, owner, now, errText)
	if err != nil {
		return fmt.Errorf("job %s done: %w", name, err)
	}
	return nil
}
