package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"

	"github.com/salvehealth/salve/internal/phi"
)

// kekAEAD lets Tink encrypt a keyset with the KEK provider: Encrypt wraps with
// the primary version and remembers which, Decrypt unwraps with version.
type kekAEAD struct {
	ctx     context.Context //nolint:containedctx // Tink's AEAD interface has no context; this adapter lives for one call
	kek     KEKProvider
	version string
}

func (k *kekAEAD) Encrypt(pt, ad []byte) ([]byte, error) {
	v, ct, err := k.kek.Wrap(k.ctx, pt, ad)
	k.version = v
	return ct, err
}

func (k *kekAEAD) Decrypt(ct, ad []byte) ([]byte, error) {
	return k.kek.Unwrap(k.ctx, k.version, ct, ad)
}

// newDataKey makes a fresh AES-256-GCM keyset and returns it wrapped.
func (v *Vault) newDataKey(ctx context.Context, tenant, subject string) (version string, wrapped []byte, err error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return "", nil, fmt.Errorf("vault: new data key: %w", err)
	}
	return wrapKeyset(ctx, v.kek, h, tenant, subject)
}

func wrapKeyset(ctx context.Context, kek KEKProvider, h *keyset.Handle, tenant, subject string) (string, []byte, error) {
	var buf bytes.Buffer
	w := &kekAEAD{ctx: ctx, kek: kek}
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), w, dataKeyAAD(tenant, subject)); err != nil {
		return "", nil, fmt.Errorf("vault: wrap data key: %w", err)
	}
	return w.version, buf.Bytes(), nil
}

func unwrapKeyset(ctx context.Context, kek KEKProvider, version string, wrapped []byte, tenant, subject string) (*keyset.Handle, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)),
		&kekAEAD{ctx: ctx, kek: kek, version: version}, dataKeyAAD(tenant, subject))
	if err != nil {
		return nil, fmt.Errorf("vault: unwrap data key (KEK %s): %w", version, err)
	}
	return h, nil
}

func (v *Vault) unwrap(ctx context.Context, tenant, subject, version string, wrapped []byte) (*subjectKey, error) {
	d := sha256.New()
	d.Write(lp(nil, tenant, subject, version))
	d.Write(wrapped)
	var ck [32]byte
	copy(ck[:], d.Sum(nil))
	if k := v.cache.get(ck); k != nil {
		return k, nil
	}
	h, err := unwrapKeyset(ctx, v.kek, version, wrapped, tenant, subject)
	if err != nil {
		return nil, err
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("vault: data key: %w", err)
	}
	k := &subjectKey{aead: a}
	v.cache.put(ck, k)
	return k, nil
}

// loadKeys returns the keys of subjects, creating missing ones when create is
// set (unless the subject was shredded: its key is never made again).
func (v *Vault) loadKeys(ctx context.Context, tenant string, subjects []string, create bool) (map[string]*subjectKey, error) {
	// Why only for more than one: nearly every access names one subject,
	// and the sorted copy (an iterator and a slice) was a third of this
	// function's time on a dashboard view. The callee reads subjects only.
	if len(subjects) > 1 {
		subjects = slices.Compact(slices.Sorted(slices.Values(subjects)))
	}
	found, err := v.dataKeys(ctx, tenant, subjects, create)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	var missing []string
	for _, s := range subjects {
		if _, ok := found[s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 && create {
		more, err := v.createKeys(ctx, tenant, missing)
		if err != nil {
			return nil, err
		}
		for s, w := range more {
			found[s] = w
		}
	}
	out := make(map[string]*subjectKey, len(subjects))
	var absent []string
	for _, s := range subjects {
		w, ok := found[s]
		if !ok {
			absent = append(absent, s)
			out[s] = &subjectKey{}
			continue
		}
		k, err := v.unwrap(ctx, tenant, s, w.KEKVersion, w.Wrapped)
		if err != nil {
			return nil, err
		}
		out[s] = k
	}
	if len(absent) > 0 {
		shredded, err := v.store.Shredded(ctx, tenant, absent)
		if err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		for _, s := range shredded {
			out[s] = &subjectKey{shredded: true}
		}
	}
	return out, nil
}

// dataKeys reads the wrapped keys of subjects, once per view for reads under
// a phi.KeyMemo (see there why that still never uses a shredded key). A
// write (create) always reads afresh: it may add keys, and it mutates the
// map it gets.
func (v *Vault) dataKeys(ctx context.Context, tenant string, subjects []string, create bool) (map[string]WrappedKey, error) {
	m := phi.KeyMemoFrom(ctx)
	if m == nil || create {
		return v.store.DataKeys(ctx, tenant, subjects)
	}
	if len(subjects) == 1 {
		// The row this request read already (phi.WithKeyRow: the session's
		// person on their own dashboard), shared as the memo's would be.
		if r, ok := phi.KeyRowFrom(ctx, tenant, subjects[0]); ok {
			found := make(map[string]WrappedKey, 1)
			if r.Found {
				found[r.Subject] = WrappedKey{KEKVersion: r.KEKVersion, Wrapped: r.Wrapped}
			}
			return found, nil
		}
	}
	got, err := m.Do(tenant+"\x00"+strings.Join(subjects, "\x00"), func() (any, error) {
		return v.store.DataKeys(ctx, tenant, subjects)
	})
	if err != nil {
		return nil, err
	}
	// Shared by the view's handles: only read from here on (loadKeys
	// writes into found only when create is set).
	return got.(map[string]WrappedKey), nil
}

// createKeys makes data keys for subjects that have none and were never
// shredded, and returns the keys they have then. The store checks the ledger
// and inserts in one transaction under a lock on (tenant, subject), so a key
// cannot come back after a concurrent shred.
func (v *Vault) createKeys(ctx context.Context, tenant string, subjects []string) (map[string]WrappedKey, error) {
	ks := make([]SubjectKey, 0, len(subjects))
	for _, s := range subjects {
		ver, w, err := v.newDataKey(ctx, tenant, s)
		if err != nil {
			return nil, err
		}
		ks = append(ks, SubjectKey{TenantID: tenant, Subject: s, WrappedKey: WrappedKey{KEKVersion: ver, Wrapped: w}})
	}
	stored, err := v.store.CreateDataKeys(ctx, tenant, ks, v.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return stored, nil
}

// errNoSecret is internal: the named secret does not exist yet.
var errNoSecret = errors.New("no such secret")
