package phi

import (
	"context"
	"errors"

	"github.com/salvehealth/salve/internal/access"
)

// The contract between the domains and the vault. A domain asks Vault.Access
// for a Handle on some subjects' PHI and seals and opens their fields through
// it; internal/vault implements Vault, and only server and cli hand it over.
// Why here and not in vault: a domain that depends on this contract does not
// depend on the vault's keys, key files or storage, so the shop surface and
// the catalog can never reach a key, even by a chain of imports (DESIGN §3).

// Request is one intended access to the PHI of some subjects.
type Request struct {
	TenantID string
	// Subjects are the people whose data the handle will seal or open.
	Subjects []string
	Action   access.Action
	Purpose  access.Purpose
	// Resource is the resource type, e.g. "user"; ResourceID the row.
	Resource   string
	ResourceID string
	// AuditAction is the event's action, e.g. "user.read"; Resource+"."+Action
	// when empty.
	AuditAction string
	// High marks the access for compliance to look at first (an admin
	// opening an email); Detail is short machine text for the event, such
	// as the reason code given, never PHI.
	High   bool
	Detail string
	// TextHMAC is free text the access was asked with (a search term) as
	// the audit log's keyed hash (audit.Log.TextHMAC), never raw.
	TextHMAC []byte
}

// Handle seals and opens the fields of the subjects it was obtained for, in
// its tenant, for its action. Keep it for one request or job: its access was
// recorded once, when it was obtained.
type Handle interface {
	// SealBytes encrypts a field of subject's row rowID in table.column.
	SealBytes(subject, table, column, rowID string, plaintext []byte) ([]byte, error)
	// SealString encrypts a text field; see SealBytes.
	SealString(subject, table, column, rowID string, plaintext string) ([]byte, error)
	// OpenBytes decrypts a field sealed for exactly this tenant, table,
	// column, row and subject.
	OpenBytes(subject, table, column, rowID string, ct []byte) (Bytes, error)
	// OpenString decrypts a text field; see OpenBytes.
	OpenString(subject, table, column, rowID string, ct []byte) (String, error)
}

// Vault is the one door to PHI: Access records the access in the audit log,
// failing closed when it cannot, and only then returns a handle.
type Vault interface {
	Access(ctx context.Context, req Request) (Handle, error)
}

// Indexer computes keyed blind indexes, so that an email address is found
// without its plaintext ever being stored (internal/vault).
type Indexer interface {
	BlindIndex(tenantID, kind, value string) []byte
}

// ErrShredded says a subject's data key was destroyed: their PHI is gone.
var ErrShredded = errors.New("vault: the subject's data was shredded")
