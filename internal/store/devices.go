package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Devices keeps devices, their sealed reading chunks, thresholds and
// alerts in the PHI store. It implements devices.Store and
// devices.Throttles; it never sees a value.
type Devices struct{ db *DB }

// NewDevices returns the device storage of a PHI store.
func NewDevices(db *DB) *Devices { return &Devices{db: db} }

var (
	_ devices.Store     = (*Devices)(nil)
	_ devices.Throttles = (*Devices)(nil)
)

const deviceColumns = `id, tenant_id, patient_id, kind, details_ct, pair_code_hash, pair_expires_at, token_hash, created_at, paired_at, revoked_at, last_reading_at`

func scanDevice(row interface{ Scan(...any) error }) (devices.Record, error) {
	var r devices.Record
	var kind string
	var exp, paired, revoked, last sql.NullTime
	err := row.Scan(&r.ID, &r.TenantID, &r.PatientID, &kind, &r.DetailsCT, &r.PairCodeHash, &exp, &r.TokenHash, &r.CreatedAt,
		&paired, &revoked, &last)
	r.Kind = devices.Kind(kind)
	r.CreatedAt = r.CreatedAt.UTC()
	r.PairExpiresAt, r.PairedAt, r.RevokedAt, r.LastReadAt = timeOf(exp), timeOf(paired), timeOf(revoked), timeOf(last)
	return r, err
}

// Insert stores a new device, refusing past limit devices of the patient.
func (s *Devices) Insert(ctx context.Context, r devices.Record, limit int) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices WHERE tenant_id = $1 AND patient_id = $2 AND revoked_at IS NULL`,
			r.TenantID, r.PatientID).Scan(&n); err != nil {
			return fmt.Errorf("count devices: %w", err)
		}
		if n >= limit {
			return apperr.New(apperr.Conflict, fmt.Sprintf("You have %d devices. Revoke one you no longer use first.", n))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (`+deviceColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.TenantID, r.PatientID, string(r.Kind), r.DetailsCT, r.PairCodeHash, nullTime(r.PairExpiresAt), r.TokenHash,
			r.CreatedAt.UTC(), nullTime(r.PairedAt), nullTime(r.RevokedAt), nullTime(r.LastReadAt)); err != nil {
			return fmt.Errorf("insert device: %w", err)
		}
		return nil
	})
}

func (s *Devices) one(ctx context.Context, q string, args ...any) (devices.Record, error) {
	r, err := scanDevice(s.db.r.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE `+q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("device: %w", err)
	}
	return r, nil
}

// ByID returns a device of a tenant, or NotFound.
func (s *Devices) ByID(ctx context.Context, tenantID, deviceID string) (devices.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.one(ctx, `id = $1 AND tenant_id = $2`, deviceID, tenantID)
}

// ByToken returns the unrevoked device of a token hash, or NotFound. Why
// no cache: a revocation must stop the very next request, so every request
// asks the database (a committed revocation is what every reader sees).
func (s *Devices) ByToken(ctx context.Context, tokenHash []byte) (devices.Record, error) {
	return s.one(ctx, `token_hash = $1 AND revoked_at IS NULL`, tokenHash)
}

// ByPatient returns a patient's devices, newest first.
func (s *Devices) ByPatient(ctx context.Context, tenantID, patientID string) ([]devices.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE tenant_id = $1 AND patient_id = $2
		ORDER BY created_at DESC, id DESC`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	defer rows.Close()
	var out []devices.Record
	for rows.Next() {
		r, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("devices: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetPairCode sets a device's pending pairing code.
func (s *Devices) SetPairCode(ctx context.Context, tenantID, deviceID string, hash []byte, expires time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := s.db.w.ExecContext(ctx, `UPDATE devices SET pair_code_hash = $1, pair_expires_at = $2 WHERE id = $3 AND tenant_id = $4 AND revoked_at IS NULL`,
		hash, expires.UTC(), deviceID, tenantID)
	if err != nil {
		return fmt.Errorf("set pairing code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// Pair spends a pairing code and sets the token hash, atomically: the
// UPDATE's conditions are the check, so two racing requests pair once.
func (s *Devices) Pair(ctx context.Context, tenantID string, codeHash, tokenHash []byte, now time.Time) (devices.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var deviceID string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE devices SET token_hash = $1, paired_at = $2, pair_code_hash = NULL, pair_expires_at = NULL
			WHERE tenant_id = $3 AND pair_code_hash = $4 AND pair_expires_at > $2 AND revoked_at IS NULL RETURNING id`,
			tokenHash, now.UTC(), tenantID, codeHash).Scan(&deviceID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("pair device: %w", err)
		}
		return nil
	})
	if err != nil {
		return devices.Record{}, err
	}
	return s.ByID(ctx, tenantID, deviceID)
}

// Revoke drops a device's token and code.
func (s *Devices) Revoke(ctx context.Context, tenantID, patientID, deviceID string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := s.db.w.ExecContext(ctx, `UPDATE devices SET token_hash = NULL, pair_code_hash = NULL, pair_expires_at = NULL, revoked_at = $1
		WHERE id = $2 AND tenant_id = $3 AND patient_id = $4 AND revoked_at IS NULL`, now.UTC(), deviceID, tenantID, patientID)
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// LastSeq returns the highest sequence number stored from a device, and
// false when none is.
func (s *Devices) LastSeq(ctx context.Context, deviceID string) (int64, bool, error) {
	var n sql.NullInt64
	if err := s.db.r.QueryRowContext(ctx, `SELECT MAX(seq) FROM device_seqs WHERE device_id = $1`, deviceID).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("last sequence number: %w", err)
	}
	return n.Int64, n.Valid, nil
}

// RecentBatches counts a device's batches received since a time.
func (s *Devices) RecentBatches(ctx context.Context, deviceID string, since time.Time) (int, error) {
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM device_batches WHERE device_id = $1 AND received_at > $2`,
		deviceID, since.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count batches: %w", err)
	}
	return n, nil
}

type dayKey struct {
	t   devices.Type
	day string
}

// Ingest stores a batch in one transaction (see devices.IngestBatch).
func (s *Devices) Ingest(ctx context.Context, b devices.IngestBatch) (devices.IngestResult, error) {
	ctx = tenant.WithScope(ctx, b.TenantID)
	var res devices.IngestResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = devices.IngestResult{}
		r, err := tx.ExecContext(ctx, `INSERT INTO device_batches (device_id, batch_id, stored, received_at) VALUES ($1, $2, 0, $3)
			ON CONFLICT (device_id, batch_id) DO NOTHING`, b.DeviceID, b.BatchID, b.Now.UTC())
		if err != nil {
			return fmt.Errorf("take batch id: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.Replayed = true
			if err := tx.QueryRowContext(ctx, `SELECT stored FROM device_batches WHERE device_id = $1 AND batch_id = $2`,
				b.DeviceID, b.BatchID).Scan(&res.Stored); err != nil {
				return fmt.Errorf("replayed batch: %w", err)
			}
			return nil
		}
		// Why a lock per patient on PostgreSQL: two batches of the same
		// patient (two devices, or one device's parallel posts) may merge
		// the same day's chunk; without it, each would read the chunk
		// before the other wrote it and one batch's readings would be
		// lost. SQLite needs none: its transaction holds the one write lock
		// from BEGIN.
		if err := s.lockPatient(ctx, tx, b.TenantID, b.PatientID); err != nil {
			return err
		}
		fresh, err := newSeqs(ctx, tx, b)
		if err != nil {
			return err
		}
		groups := map[dayKey][]devices.Input{}
		var order []dayKey
		var last time.Time
		for _, in := range b.Readings {
			if in.HasSeq {
				if !fresh[in.Seq] {
					res.Duplicates++
					continue
				}
				delete(fresh, in.Seq) // a second reading with the same number in this batch is a duplicate too
			}
			k := dayKey{in.Type, in.At.Format(devices.DayLayout)}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], in)
			res.Stored++
			if in.At.After(last) {
				last = in.At
			}
		}
		merged := map[devices.Type][]devices.Merged{}
		var types []devices.Type
		for _, k := range order {
			var chunkID string
			var existing []byte
			err := tx.QueryRowContext(ctx, `SELECT id, data_ct FROM device_chunks WHERE tenant_id = $1 AND patient_id = $2 AND type = $3 AND day = $4`,
				b.TenantID, b.PatientID, string(k.t), k.day).Scan(&chunkID, &existing)
			if errors.Is(err, sql.ErrNoRows) {
				chunkID, existing = id.NewAt(b.Now), nil
			} else if err != nil {
				return fmt.Errorf("device chunk: %w", err)
			}
			m, err := b.Merge(chunkID, k.t, k.day, existing, groups[k])
			if err != nil {
				return err
			}
			if _, ok := merged[k.t]; !ok {
				types = append(types, k.t)
			}
			merged[k.t] = append(merged[k.t], m)
			if _, err := tx.ExecContext(ctx, `INSERT INTO device_chunks (id, tenant_id, patient_id, type, day, readings, data_ct, summary_ct, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, patient_id, type, day)
				DO UPDATE SET readings = excluded.readings, data_ct = excluded.data_ct, summary_ct = excluded.summary_ct, updated_at = excluded.updated_at`,
				chunkID, b.TenantID, b.PatientID, string(k.t), k.day, m.Readings, m.DataCT, m.SummaryCT, b.Now.UTC()); err != nil {
				return fmt.Errorf("store device chunk: %w", err)
			}
			alerts := m.Alerts
			for _, a := range alerts {
				if _, err := tx.ExecContext(ctx, `INSERT INTO device_alerts (id, tenant_id, patient_id, type, measured_at, created_at)
					VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.TenantID, a.PatientID, string(a.Type), a.MeasuredAt.UTC(), a.CreatedAt.UTC()); err != nil {
					return fmt.Errorf("store device alert: %w", err)
				}
			}
			res.AlertList = append(res.AlertList, alerts...)
		}
		if b.Rollup != nil {
			for _, t := range types {
				if err := storeRollup(ctx, tx, b, t, merged[t]); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE device_batches SET stored = $1 WHERE device_id = $2 AND batch_id = $3`,
			res.Stored, b.DeviceID, b.BatchID); err != nil {
			return fmt.Errorf("batch count: %w", err)
		}
		if !last.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET last_reading_at = $1 WHERE id = $2 AND (last_reading_at IS NULL OR last_reading_at < $1)`,
				last.UTC(), b.DeviceID); err != nil {
				return fmt.Errorf("device last reading: %w", err)
			}
		}
		return nil
	})
	return res, err
}

// lockPatient takes the lock on a patient's chunks and roll-ups for the
// rest of tx on PostgreSQL (see Ingest); SQLite's transaction holds its one
// write lock already.
func (s *Devices) lockPatient(ctx context.Context, tx *sql.Tx, tenantID, patientID string) error {
	if s.db.Engine() != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 17))`, "device_chunks:"+tenantID+":"+patientID); err != nil {
		return fmt.Errorf("lock the patient's chunks: %w", err)
	}
	return nil
}

// rollupWindow returns a function reading a patient's chunks of a type
// from a day on, with their summaries and readings, in tx (a roll-up built
// again).
func rollupWindow(ctx context.Context, tx *sql.Tx, tenantID, patientID string, t devices.Type) func(from string) ([]devices.Chunk, error) {
	return func(from string) ([]devices.Chunk, error) {
		rows, err := tx.QueryContext(ctx, `SELECT id, day, summary_ct, data_ct FROM device_chunks
			WHERE tenant_id = $1 AND patient_id = $2 AND type = $3 AND day >= $4 ORDER BY day`,
			tenantID, patientID, string(t), from)
		if err != nil {
			return nil, fmt.Errorf("device roll-up chunks: %w", err)
		}
		defer rows.Close()
		var out []devices.Chunk
		for rows.Next() {
			c := devices.Chunk{Type: t}
			if err := rows.Scan(&c.ID, &c.Day, &c.SummaryCT, &c.DataCT); err != nil {
				return nil, fmt.Errorf("device roll-up chunks: %w", err)
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
}

// UnbuiltRollups returns up to limit roll-ups to be built again (data
// NULL: from before roll-ups, or the patient's range changed), grouped by
// patient: one statement on a partial index, so an idle run costs nothing.
func (s *Devices) UnbuiltRollups(ctx context.Context, limit int) ([]devices.RollupKey, error) {
	ctx = tenant.AcrossTenants(ctx) // the summary job walks every tenant
	rows, err := s.db.r.QueryContext(ctx, `SELECT tenant_id, patient_id, type, id FROM device_rollups
		WHERE data_ct IS NULL ORDER BY tenant_id, patient_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("unbuilt device roll-ups: %w", err)
	}
	defer rows.Close()
	var out []devices.RollupKey
	for rows.Next() {
		var k devices.RollupKey
		var typ string
		if err := rows.Scan(&k.TenantID, &k.PatientID, &typ, &k.ID); err != nil {
			return nil, fmt.Errorf("unbuilt device roll-ups: %w", err)
		}
		k.Type = devices.Type(typ)
		out = append(out, k)
	}
	return out, rows.Err()
}

// BuildRollup stores the roll-up build returns (given the type's chunks,
// see devices.Rollup) if it is still to be built, in one transaction under
// the patient's lock (so no batch merges meanwhile), and reports whether
// it did.
func (s *Devices) BuildRollup(ctx context.Context, k devices.RollupKey, now time.Time, build func(window func(from string) ([]devices.Chunk, error)) ([]byte, error)) (bool, error) {
	ctx = tenant.WithScope(ctx, k.TenantID)
	stored := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		stored = false
		if err := s.lockPatient(ctx, tx, k.TenantID, k.PatientID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM device_rollups WHERE tenant_id = $1 AND patient_id = $2 AND type = $3 AND id = $4 AND data_ct IS NULL`,
			k.TenantID, k.PatientID, string(k.Type), k.ID).Scan(&n); err != nil {
			return fmt.Errorf("device roll-up: %w", err)
		}
		if n == 0 {
			return nil // a batch built it meanwhile
		}
		ct, err := build(rollupWindow(ctx, tx, k.TenantID, k.PatientID, k.Type))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE device_rollups SET data_ct = $1, updated_at = $2 WHERE tenant_id = $3 AND patient_id = $4 AND type = $5 AND id = $6`,
			ct, now.UTC(), k.TenantID, k.PatientID, string(k.Type), k.ID); err != nil {
			return fmt.Errorf("store device roll-up: %w", err)
		}
		stored = true
		return nil
	})
	return stored, err
}

// storeRollup keeps a type's roll-up with a batch's merged days (see
// devices.Rollup), in the batch's transaction: on PostgreSQL under the
// patient's lock Ingest took, so two batches of a patient cannot both read
// the roll-up before the other wrote it.
func storeRollup(ctx context.Context, tx *sql.Tx, b devices.IngestBatch, t devices.Type, merged []devices.Merged) error {
	var rollupID string
	var existing []byte
	err := tx.QueryRowContext(ctx, `SELECT id, data_ct FROM device_rollups WHERE tenant_id = $1 AND patient_id = $2 AND type = $3`,
		b.TenantID, b.PatientID, string(t)).Scan(&rollupID, &existing)
	if errors.Is(err, sql.ErrNoRows) {
		rollupID, existing = id.NewAt(b.Now), nil
	} else if err != nil {
		return fmt.Errorf("device roll-up: %w", err)
	}
	ct, err := b.Rollup(rollupID, t, existing, merged, rollupWindow(ctx, tx, b.TenantID, b.PatientID, t))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO device_rollups (tenant_id, patient_id, type, id, data_ct, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, patient_id, type)
		DO UPDATE SET data_ct = excluded.data_ct, updated_at = excluded.updated_at`,
		b.TenantID, b.PatientID, string(t), rollupID, ct, b.Now.UTC()); err != nil {
		return fmt.Errorf("store device roll-up: %w", err)
	}
	return nil
}

// newSeqs records the batch's sequence numbers and returns those that were
// new: one multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING per 100
// (why 100: SQLite looks a numbered parameter up by name, linearly, so a
// statement of n parameters costs n², and 100 rows measured fastest)
// (the numbers already stored are not returned).
func newSeqs(ctx context.Context, tx *sql.Tx, b devices.IngestBatch) (map[int64]bool, error) {
	fresh := map[int64]bool{}
	var seqs []int64
	for _, in := range b.Readings {
		if in.HasSeq {
			seqs = append(seqs, in.Seq)
		}
	}
	for len(seqs) > 0 {
		part := seqs[:min(len(seqs), 100)]
		seqs = seqs[len(part):]
		var q strings.Builder
		q.WriteString(`INSERT INTO device_seqs (device_id, seq) VALUES `)
		args := []any{b.DeviceID}
		for i, n := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($1, $%d)", i+2)
			args = append(args, n)
		}
		q.WriteString(` ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq`)
		if err := returnedSeqs(ctx, tx, q.String(), args, fresh); err != nil {
			return nil, err
		}
	}
	return fresh, nil
}

// returnedSeqs runs the insert of newSeqs and adds the numbers it returned.
func returnedSeqs(ctx context.Context, tx *sql.Tx, query string, args []any, fresh map[int64]bool) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("device sequence numbers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return fmt.Errorf("device sequence numbers: %w", err)
		}
		fresh[n] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("device sequence numbers: %w", err)
	}
	return nil
}

// Chunks returns a patient's chunks of a type from one day to another.
func (s *Devices) Chunks(ctx context.Context, tenantID, patientID string, t devices.Type, from, to string) ([]devices.Chunk, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, type, day, readings, data_ct FROM device_chunks
		WHERE tenant_id = $1 AND patient_id = $2 AND type = $3 AND day >= $4 AND day <= $5 ORDER BY day`,
		tenantID, patientID, string(t), from, to)
	if err != nil {
		return nil, fmt.Errorf("device chunks: %w", err)
	}
	defer rows.Close()
	var out []devices.Chunk
	for rows.Next() {
		var c devices.Chunk
		var typ string
		if err := rows.Scan(&c.ID, &typ, &c.Day, &c.Readings, &c.DataCT); err != nil {
			return nil, fmt.Errorf("device chunks: %w", err)
		}
		c.Type = devices.Type(typ)
		out = append(out, c)
	}
	return out, rows.Err()
}

// DaySummaries calls each with a patient's sealed thresholds (if set, first,
// with an empty type) and then its chunks of a type from one day to another
// with their summaries, oldest first: one statement, and the minute-level
// ciphertext only where the caller needs it (see devices.Store). Why the
// thresholds in the same statement: the chart needs both on every view,
// and a statement is a round trip on PostgreSQL and a large share of a page
// on SQLite. Why a callback with the driver's bytes (sql.RawBytes): the
// caller opens each row at once and keeps none of its ciphertext, so
// copying 90 rows of it per view was garbage.
func (s *Devices) DaySummaries(ctx context.Context, tenantID, patientID string, t devices.Type, from, to, whole string, each func(devices.Chunk) error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, '' AS type, '' AS day, 0 AS readings, NULL AS summary_ct, data_ct FROM device_thresholds
		WHERE tenant_id = $1 AND patient_id = $2
		UNION ALL
		SELECT id, type, day, readings, summary_ct,
		CASE WHEN day = $6 OR summary_ct IS NULL THEN data_ct END FROM device_chunks
		WHERE tenant_id = $1 AND patient_id = $2 AND type = $3 AND day >= $4 AND day <= $5 ORDER BY day`,
		tenantID, patientID, string(t), from, to, whole)
	if err != nil {
		return fmt.Errorf("device day summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c devices.Chunk
		var typ string
		if err := rows.Scan(&c.ID, &typ, &c.Day, &c.Readings, (*sql.RawBytes)(&c.SummaryCT), (*sql.RawBytes)(&c.DataCT)); err != nil {
			return fmt.Errorf("device day summaries: %w", err)
		}
		c.Type = devices.Type(typ)
		if err := each(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Chart calls each with what a week, month or quarter chart reads, in one
// statement (see devices.Store): the patient's sealed thresholds if set
// (empty Type, ciphertext in DataCT), the chunk of day whole if there is one
// (its readings in DataCT), and the type's roll-up if there is one (empty
// Day, ciphertext in SummaryCT, nil when it is to be built again). The
// bytes are the driver's, valid only during the call (see DaySummaries).
func (s *Devices) Chart(ctx context.Context, tenantID, patientID string, t devices.Type, whole string, each func(devices.Chunk) error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	// Why the roll-up's branch first: PostgreSQL types a UNION's columns
	// branch by branch, and a column of NULLs in the first two would be
	// text, not bytea.
	rows, err := s.db.r.QueryContext(ctx, `SELECT 2 AS k, id, type, '' AS day, data_ct AS summary_ct, NULL AS data_ct FROM device_rollups
		WHERE tenant_id = $1 AND patient_id = $2 AND type = $3
		UNION ALL
		SELECT 0, id, '', '', NULL, data_ct FROM device_thresholds
		WHERE tenant_id = $1 AND patient_id = $2
		UNION ALL
		SELECT 1, id, type, day, NULL, data_ct FROM device_chunks
		WHERE tenant_id = $1 AND patient_id = $2 AND type = $3 AND day = $4 ORDER BY 1`,
		tenantID, patientID, string(t), whole)
	if err != nil {
		return fmt.Errorf("device chart: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c devices.Chunk
		var k int
		var typ string
		if err := rows.Scan(&k, &c.ID, &typ, &c.Day, (*sql.RawBytes)(&c.SummaryCT), (*sql.RawBytes)(&c.DataCT)); err != nil {
			return fmt.Errorf("device chart: %w", err)
		}
		c.Type = devices.Type(typ)
		if err := each(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Unsummarized returns up to limit chunks without a summary (stored before
// summaries, or their patient's thresholds changed since), grouped by
// patient: one statement on a partial index, so an idle run costs nothing.
func (s *Devices) Unsummarized(ctx context.Context, limit int) ([]devices.Unsummarized, error) {
	ctx = tenant.AcrossTenants(ctx) // the summary job walks every tenant
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, patient_id, type, day, readings, data_ct, updated_at
		FROM device_chunks WHERE summary_ct IS NULL ORDER BY tenant_id, patient_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("unsummarized device chunks: %w", err)
	}
	defer rows.Close()
	var out []devices.Unsummarized
	for rows.Next() {
		var c devices.Unsummarized
		var typ string
		if err := rows.Scan(&c.ID, &c.TenantID, &c.PatientID, &typ, &c.Day, &c.Readings, &c.DataCT, &c.UpdatedAt); err != nil {
			return nil, fmt.Errorf("unsummarized device chunks: %w", err)
		}
		c.Type = devices.Type(typ)
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetSummary stores a chunk's summary unless a batch wrote the chunk since
// was (its own summary is then newer).
func (s *Devices) SetSummary(ctx context.Context, chunkID string, summaryCT []byte, was, now time.Time) (bool, error) {
	ctx = tenant.AcrossTenants(ctx) // the summary job stores what Unsummarized found, in any tenant
	r, err := s.db.w.ExecContext(ctx, `UPDATE device_chunks SET summary_ct = $1, updated_at = $2 WHERE id = $3 AND updated_at = $4 AND summary_ct IS NULL`,
		summaryCT, now.UTC(), chunkID, was.UTC())
	if err != nil {
		return false, fmt.Errorf("device chunk summary: %w", err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// Summary counts a patient's readings per type.
func (s *Devices) Summary(ctx context.Context, tenantID, patientID string) ([]devices.TypeSummary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT type, SUM(readings), MAX(day) FROM device_chunks
		WHERE tenant_id = $1 AND patient_id = $2 GROUP BY type`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("device summary: %w", err)
	}
	defer rows.Close()
	got := map[devices.Type]devices.TypeSummary{}
	for rows.Next() {
		var ts devices.TypeSummary
		var typ string
		if err := rows.Scan(&typ, &ts.Readings, &ts.LastDay); err != nil {
			return nil, fmt.Errorf("device summary: %w", err)
		}
		ts.Type = devices.Type(typ)
		got[ts.Type] = ts
	}
	var out []devices.TypeSummary
	for _, t := range devices.Types {
		if ts, ok := got[t]; ok {
			out = append(out, ts)
		}
	}
	return out, rows.Err()
}

// Thresholds returns a patient's sealed thresholds, or NotFound.
func (s *Devices) Thresholds(ctx context.Context, tenantID, patientID string) (devices.ThresholdRecord, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r := devices.ThresholdRecord{TenantID: tenantID, PatientID: patientID}
	err := s.db.r.QueryRowContext(ctx, `SELECT id, data_ct, set_by, updated_at FROM device_thresholds WHERE tenant_id = $1 AND patient_id = $2`,
		tenantID, patientID).Scan(&r.ID, &r.DataCT, &r.SetBy, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundError()
	}
	if err != nil {
		return r, fmt.Errorf("device thresholds: %w", err)
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, nil
}

// SetThresholds stores a patient's thresholds (the row id changes with each
// version: the ciphertext is bound to it).
func (s *Devices) SetThresholds(ctx context.Context, r devices.ThresholdRecord) error {
	ctx = tenant.WithScope(ctx, r.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_thresholds (tenant_id, patient_id, id, data_ct, set_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, patient_id)
			DO UPDATE SET id = excluded.id, data_ct = excluded.data_ct, set_by = excluded.set_by, updated_at = excluded.updated_at`,
			r.TenantID, r.PatientID, r.ID, r.DataCT, r.SetBy, r.UpdatedAt.UTC()); err != nil {
			return fmt.Errorf("store device thresholds: %w", err)
		}
		// Why the day summaries are dropped with it: they counted time in
		// range against the old range. The charts read such days whole
		// until the devices.summarize job has sealed them again.
		if _, err := tx.ExecContext(ctx, `UPDATE device_chunks SET summary_ct = NULL WHERE tenant_id = $1 AND patient_id = $2 AND summary_ct IS NOT NULL`,
			r.TenantID, r.PatientID); err != nil {
			return fmt.Errorf("drop device day summaries: %w", err)
		}
		// The roll-ups likewise; the next batch or the job builds them again.
		if _, err := tx.ExecContext(ctx, `UPDATE device_rollups SET data_ct = NULL WHERE tenant_id = $1 AND patient_id = $2 AND data_ct IS NOT NULL`,
			r.TenantID, r.PatientID); err != nil {
			return fmt.Errorf("drop device roll-ups: %w", err)
		}
		return nil
	})
}

const alertColumns = `id, tenant_id, patient_id, type, measured_at, created_at, resolved_by, resolved_at`

func (s *Devices) alerts(ctx context.Context, query string, args ...any) ([]devices.Alert, error) {
	rows, err := s.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("device alerts: %w", err)
	}
	defer rows.Close()
	var out []devices.Alert
	for rows.Next() {
		var a devices.Alert
		var typ string
		var by sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&a.ID, &a.TenantID, &a.PatientID, &typ, &a.MeasuredAt, &a.CreatedAt, &by, &at); err != nil {
			return nil, fmt.Errorf("device alerts: %w", err)
		}
		a.Type, a.ResolvedBy, a.ResolvedAt = devices.Type(typ), by.String, timeOf(at)
		a.MeasuredAt, a.CreatedAt = a.MeasuredAt.UTC(), a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenAlerts returns a tenant's unresolved alerts, oldest first.
func (s *Devices) OpenAlerts(ctx context.Context, tenantID string, limit int) ([]devices.Alert, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.alerts(ctx, `SELECT `+alertColumns+` FROM device_alerts WHERE tenant_id = $1 AND resolved_at IS NULL ORDER BY created_at, id LIMIT $2`,
		tenantID, limit)
}

// PatientAlerts returns a patient's alerts, newest first.
func (s *Devices) PatientAlerts(ctx context.Context, tenantID, patientID string, limit int) ([]devices.Alert, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.alerts(ctx, `SELECT `+alertColumns+` FROM device_alerts WHERE tenant_id = $1 AND patient_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		tenantID, patientID, limit)
}

// ResolveAlert marks a patient's open alert resolved.
func (s *Devices) ResolveAlert(ctx context.Context, tenantID, patientID, alertID, by string, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	res, err := s.db.w.ExecContext(ctx, `UPDATE device_alerts SET resolved_by = $1, resolved_at = $2
		WHERE id = $3 AND tenant_id = $4 AND patient_id = $5 AND resolved_at IS NULL`, by, now.UTC(), alertID, tenantID, patientID)
	if err != nil {
		return fmt.Errorf("resolve device alert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundError()
	}
	return nil
}

// PairFailures counts a throttling key's failed pairings since a time.
func (s *Devices) PairFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	var last time.Time
	err := s.db.r.QueryRowContext(ctx, `SELECT failures, last_failure_at FROM throttles WHERE key = $1`, key).Scan(&n, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pairing throttle: %w", err)
	}
	if last.Before(since) {
		return 0, nil
	}
	return n, nil
}

// AddPairFailure counts a failed pairing (in the sign-in throttles table:
// a keyed hash of the client, never its address).
func (s *Devices) AddPairFailure(ctx context.Context, tenantID, key string, now, since time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.db.w.ExecContext(ctx, `INSERT INTO throttles (key, tenant_id, failures, last_failure_at) VALUES ($1, $2, 1, $3)
		ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN throttles.last_failure_at < $4 THEN 1 ELSE throttles.failures + 1 END,
		last_failure_at = excluded.last_failure_at`, key, tenantID, now.UTC(), since.UTC()); err != nil {
		return fmt.Errorf("pairing throttle: %w", err)
	}
	return nil
}

// CareTeam lists the clinicians with a current care relationship to a
// patient (who a device alert is emailed to).
func (s *Devices) CareTeam(ctx context.Context, tenantID, patientID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT clinician_id FROM care_relationships WHERE tenant_id = $1 AND patient_id = $2 AND ended_at IS NULL
		ORDER BY clinician_id`, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("care team: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("care team: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Latest returns each type's newest chunk of a patient: one statement.
func (s *Devices) Latest(ctx context.Context, tenantID, patientID string) ([]devices.Chunk, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, latestChunksSQL, tenantID, patientID)
	if err != nil {
		return nil, fmt.Errorf("latest device chunks: %w", err)
	}
	defer rows.Close()
	var out []devices.Chunk
	for rows.Next() {
		var c devices.Chunk
		var typ string
		if err := rows.Scan(&c.ID, &typ, &c.Day, &c.Readings, &c.DataCT); err != nil {
			return nil, fmt.Errorf("latest device chunks: %w", err)
		}
		c.Type = devices.Type(typ)
		out = append(out, c)
	}
	return out, rows.Err()
}

// latestChunksSQL reads each device type's newest chunk of a patient ($1
// tenant, $2 patient): one branch per type, each one step down the unique
// (tenant_id, patient_id, type, day) index. Why not MAX(day) GROUP BY type:
// that walks every chunk of the patient (a 90-day history is hundreds of
// index entries, about half a millisecond on SQLite) on each dashboard view,
// where a branch per type reads one entry each. The types are the known
// ones (devices.Types); a branch's subquery keeps its ORDER BY and LIMIT
// apart from the union's on both engines.
var latestChunksSQL = func() string {
	var b strings.Builder
	for i, t := range devices.Types {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		// The type is a constant of the devices package, never input.
		fmt.Fprintf(&b, `SELECT * FROM (SELECT id, type, day, readings, data_ct FROM device_chunks
		WHERE tenant_id = $1 AND patient_id = $2 AND type = '%s' ORDER BY day DESC LIMIT 1) AS t%d`, t, i)
	}
	return b.String()
}()
