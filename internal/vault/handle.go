package vault

import (
	"fmt"

	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/phi"
)

// ciphertextV1 is the first byte of every sealed field: the format, so that a
// later format can be told apart. The Tink ciphertext after it starts with the
// id of the data key that sealed it.
const ciphertextV1 = 0x01

// Handle seals and opens the fields of the subjects it was obtained for, in
// its tenant, for its action. It is safe for concurrent use. Keep it for one
// request or job: its access was recorded once, when it was obtained.
type Handle struct {
	tenant string
	action access.Action
	keys   map[string]*subjectKey
}

// subjectKey is one subject's unwrapped data key, or why there is none.
type subjectKey struct {
	aead     tink.AEAD
	shredded bool
}

func (h *Handle) key(subject string, seal bool) (tink.AEAD, error) {
	if seal && h.action != access.Write {
		return nil, fmt.Errorf("%w: sealing needs a write access", ErrNotInHandle)
	}
	k, ok := h.keys[subject]
	switch {
	case !ok:
		return nil, ErrNotInHandle
	case k.shredded:
		return nil, ErrShredded
	case k.aead == nil:
		return nil, ErrNoKey
	}
	return k.aead, nil
}

// SealBytes encrypts a field of subject's row rowID in table.column.
func (h *Handle) SealBytes(subject, table, column, rowID string, plaintext []byte) ([]byte, error) {
	a, err := h.key(subject, true)
	if err != nil {
		return nil, err
	}
	ct, err := a.Encrypt(plaintext, fieldAAD(h.tenant, table, column, rowID, subject))
	if err != nil {
		return nil, fmt.Errorf("vault: seal %s.%s: %w", table, column, err)
	}
	return append([]byte{ciphertextV1}, ct...), nil
}

// SealString encrypts a text field; see SealBytes.
func (h *Handle) SealString(subject, table, column, rowID string, plaintext string) ([]byte, error) {
	return h.SealBytes(subject, table, column, rowID, []byte(plaintext))
}

// OpenBytes decrypts a field sealed for exactly this tenant, table, column, row
// and subject; anything else is ErrOpen.
func (h *Handle) OpenBytes(subject, table, column, rowID string, ct []byte) (phi.Bytes, error) {
	a, err := h.key(subject, false)
	if err != nil {
		return phi.Bytes{}, err
	}
	if len(ct) < 2 || ct[0] != ciphertextV1 {
		return phi.Bytes{}, ErrOpen
	}
	pt, err := a.Decrypt(ct[1:], fieldAAD(h.tenant, table, column, rowID, subject))
	if err != nil {
		// Why no detail: Tink's message says nothing useful, and the caller
		// must not learn which part of the binding failed.
		return phi.Bytes{}, ErrOpen
	}
	return phi.NewBytes(pt), nil
}

// OpenString decrypts a text field; see OpenBytes.
func (h *Handle) OpenString(subject, table, column, rowID string, ct []byte) (phi.String, error) {
	b, err := h.OpenBytes(subject, table, column, rowID, ct)
	if err != nil {
		return phi.String{}, err
	}
	return phi.NewString(string(b.Reveal())), nil
}
