package vault

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultRotateBatch is how many data keys one rotation transaction re-wraps.
const DefaultRotateBatch = 500

// RotateOptions tune Rotate.
type RotateOptions struct {
	// Batch is the number of keys re-wrapped per transaction.
	Batch int
	// Progress, if set, is called after each batch with the running total.
	Progress func(done int)
}

// RotateResult says what a rotation did.
type RotateResult struct {
	// Primary is the KEK version everything is now wrapped with.
	Primary string
	// Added is true when this call made a new version (false when it
	// finished an earlier, interrupted rotation).
	Added bool
	// Rewrapped counts the keys re-wrapped by this call.
	Rewrapped int
}

// Rotate makes a new KEK version primary and re-wraps every data key and vault
// secret with it, in batches of one transaction each. If an earlier rotation
// was interrupted (keys remain on an older version), it finishes that one
// instead of adding another version: a killed run continues where it stopped.
// Reads and writes go on meanwhile: older versions still unwrap until retired.
func (v *Vault) Rotate(ctx context.Context, opts RotateOptions) (RotateResult, error) {
	var res RotateResult
	primary, err := v.primary(ctx)
	if err != nil {
		return res, err
	}
	pending, err := v.pending(ctx, primary)
	if err != nil {
		return res, err
	}
	if pending == 0 {
		kv, err := v.kek.AddVersion(ctx)
		if err != nil {
			return res, fmt.Errorf("vault: add KEK version: %w", err)
		}
		primary, res.Added = kv.ID, true
	}
	res.Primary = primary
	n, err := v.rewrap(ctx, primary, opts)
	res.Rewrapped = n
	return res, err
}

func (v *Vault) primary(ctx context.Context) (string, error) {
	vs, err := v.kek.Versions(ctx)
	if err != nil {
		return "", err
	}
	for _, kv := range vs {
		if kv.Primary {
			return kv.ID, nil
		}
	}
	return "", errors.New("vault: the KEK has no primary version")
}

// pending counts keys and secrets not wrapped by version.
func (v *Vault) pending(ctx context.Context, version string) (int, error) {
	n, err := v.store.Pending(ctx, version)
	if err != nil {
		return 0, fmt.Errorf("vault: %w", err)
	}
	return n, nil
}

// rewrap moves every key to version. Each batch re-wraps outside the
// transaction and stores with a condition on the old wrapped bytes, so a key
// shredded meanwhile stays shredded.
func (v *Vault) rewrap(ctx context.Context, version string, opts RotateOptions) (int, error) {
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultRotateBatch
	}
	done := 0
	// The secrets first: there are few.
	if err := v.rewrapSecrets(ctx, version); err != nil {
		return done, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		items, err := v.store.StaleKeys(ctx, version, batch)
		if err != nil {
			return done, fmt.Errorf("vault: rotate: %w", err)
		}
		if len(items) == 0 {
			return done, nil
		}
		re := make([]Rewrapped, 0, len(items))
		for _, it := range items {
			h, err := unwrapKeyset(ctx, v.kek, it.KEKVersion, it.Wrapped, it.TenantID, it.Subject)
			if err != nil {
				return done, err
			}
			ver, w, err := wrapKeyset(ctx, v.kek, h, it.TenantID, it.Subject)
			if err != nil {
				return done, err
			}
			if ver != version {
				return done, fmt.Errorf("vault: rotate: the KEK's primary changed to %s during the rotation; run it again", ver)
			}
			re = append(re, Rewrapped{From: it, To: WrappedKey{KEKVersion: ver, Wrapped: w}})
		}
		if err := v.store.Rewrap(ctx, re, v.clock.Now()); err != nil {
			return done, fmt.Errorf("vault: rotate: %w", err)
		}
		done += len(items)
		if opts.Progress != nil {
			opts.Progress(done)
		}
	}
}

func (v *Vault) rewrapSecrets(ctx context.Context, version string) error {
	names, err := v.staleSecrets(ctx, version)
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := v.readSecret(ctx, n)
		if err != nil {
			return err
		}
		ver, w, err := v.kek.Wrap(ctx, b, secretAAD(n))
		if err != nil {
			return err
		}
		if err := v.store.RewrapSecret(ctx, n, ver, w); err != nil {
			return fmt.Errorf("vault: rotate: %w", err)
		}
	}
	return nil
}

func (v *Vault) staleSecrets(ctx context.Context, version string) ([]string, error) {
	names, err := v.store.StaleSecrets(ctx, version)
	if err != nil {
		return nil, fmt.Errorf("vault: rotate: %w", err)
	}
	return names, nil
}

// Retire destroys a KEK version once nothing is wrapped with it any more.
func (v *Vault) Retire(ctx context.Context, version string) error {
	n, err := v.store.WrappedBy(ctx, version)
	if err != nil {
		return fmt.Errorf("vault: retire: %w", err)
	}
	if n > 0 {
		// Why refuse: retiring a version that still wraps keys would shred
		// those subjects by accident.
		return fmt.Errorf("vault: KEK version %s still wraps %d keys; finish the rotation first ('salve keys rotate')", version, n)
	}
	return v.kek.Retire(ctx, version)
}

// VersionStatus is one KEK version with how many keys it wraps.
type VersionStatus struct {
	KEKVersion
	// Age is how long ago the version was created.
	Age time.Duration
	// Keys counts the data keys and vault secrets it wraps.
	Keys int
}

// Status is the state of the vault's keys.
type Status struct {
	Versions []VersionStatus
	// DataKeys counts the subjects with a data key; Shredded those destroyed.
	DataKeys, Shredded int
	// Pending counts keys not yet on the primary version (an unfinished
	// rotation).
	Pending int
}

// Status reports the KEK versions, their ages and key counts.
func (v *Vault) Status(ctx context.Context) (Status, error) {
	var st Status
	vs, err := v.kek.Versions(ctx)
	if err != nil {
		return st, err
	}
	counts, err := v.store.Counts(ctx)
	if err != nil {
		return st, fmt.Errorf("vault: status: %w", err)
	}
	now := v.clock.Now()
	primary := ""
	for _, kv := range vs {
		st.Versions = append(st.Versions, VersionStatus{KEKVersion: kv, Age: now.Sub(kv.Created), Keys: counts.ByVersion[kv.ID]})
		if kv.Primary {
			primary = kv.ID
		}
	}
	st.DataKeys, st.Shredded = counts.DataKeys, counts.Shredded
	st.Pending, err = v.pending(ctx, primary)
	return st, err
}
