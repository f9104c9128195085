package vault

import (
	"encoding/binary"
	"slices"
)

// lp appends each string with its length in front. Why length prefixes: with
// separators, ("a|b", "c") and ("a", "b|c") would give the same bytes, and a
// ciphertext could be moved between the two.
func lp(dst []byte, parts ...string) []byte {
	// Sized once: grown part by part, every field opened (each row of every
	// dashboard widget) reallocated its associated data several times.
	n := len(dst) + 4*len(parts)
	for _, p := range parts {
		n += len(p)
	}
	dst = slices.Grow(dst, n-len(dst))
	for _, p := range parts {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(p))) //nolint:gosec // field lengths are far below 4 GiB
		dst = append(dst, p...)
	}
	return dst
}

// fieldAAD is the associated data of a field: it binds the ciphertext to its
// tenant, table, column, row and subject, so a ciphertext copied anywhere else
// fails to open.
func fieldAAD(tenant, table, column, rowID, subject string) []byte {
	return lp(nil, "salve.vault.field.v1", tenant, table, column, rowID, subject)
}

// dataKeyAAD binds a wrapped data key to its subject, so a wrapped key copied to
// another subject's row does not unwrap.
func dataKeyAAD(tenant, subject string) []byte {
	return lp(nil, "salve.vault.datakey.v1", tenant, subject)
}

// secretAAD binds a wrapped vault secret to its name.
func secretAAD(name string) []byte { return lp(nil, "salve.vault.secret.v1", name) }
