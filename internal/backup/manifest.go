// Package backup makes, checks and restores encrypted backups of Salve's three
// stores (DESIGN §4): a consistent snapshot of each store taken while Salve
// serves (SQLite: VACUUM INTO; PostgreSQL: a repeatable-read COPY of every
// table of the store's schema), plus the audit signing key and checkpoints,
// each file encrypted with age to recipients whose private keys live offline,
// and written to one or more targets (a directory, S3-compatible storage).
//
// A backup is a folder named by its id holding one .age file per stored file,
// manifest.age (the inner manifest: every file's plaintext size and SHA-256)
// and manifest.json, the outer manifest, in clear: the encrypted files' sizes
// and hashes, row counts, schema versions and the audit head, none of it PHI.
// The KEK is never in a backup: the keys inside are wrapped by it.
package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Format is the version of the backup layout this build writes and reads.
const Format = 1

// Names in a backup folder.
const (
	OuterManifest = "manifest.json"
	InnerManifest = "manifest.age"
	// Files of the data directory that a backup carries (the audit key, to
	// check and continue the chain; its checkpoints, to anchor it).
	AuditKeyFile        = "keys/audit-keys.json"
	AuditCheckpointFile = "keys/audit-checkpoints.jsonl"
)

// File is one file of a backup: its name, size and SHA-256 (hex).
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Store describes one store in a backup.
type Store struct {
	Kind          string `json:"kind"`
	SchemaVersion int    `json:"schema_version"`
	// Rows counts the rows of every table of the snapshot.
	Rows map[string]int64 `json:"rows"`
	// Tables lists the tables in load order (parents before children).
	Tables []string `json:"tables"`
}

// AuditHead is the last event of the audit snapshot.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"` // hex
}

// Manifest describes a backup. The outer one lists the encrypted files; the
// inner one the plaintext files. Both carry the same stores and audit head.
type Manifest struct {
	Format    int       `json:"format"`
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Engine    string    `json:"engine"`
	Stores    []Store   `json:"stores"`
	AuditHead AuditHead `json:"audit_head"`
	Files     []File    `json:"files"`
}

// file returns the entry named name.
func (m *Manifest) file(name string) (File, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// store returns the store of kind.
func (m *Manifest) store(kind string) (Store, bool) {
	for _, s := range m.Stores {
		if s.Kind == kind {
			return s, true
		}
	}
	return Store{}, false
}

// parseManifest reads and checks a manifest. Its names come from outside
// (a target anyone with write access could have changed), so each is checked
// to stay inside the backup folder.
func parseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("manifest: format %d, this build reads %d", m.Format, Format)
	}
	if err := checkID(m.ID); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	for _, f := range m.Files {
		if err := checkName(f.Name); err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
	}
	for _, s := range m.Stores {
		for _, t := range s.Tables {
			if !identifier(t) {
				return nil, fmt.Errorf("manifest: bad table name %q", t)
			}
		}
	}
	return &m, nil
}

// checkName refuses a file name that could leave the backup folder.
func checkName(n string) error {
	if n == "" || strings.HasPrefix(n, "/") || strings.Contains(n, "\\") || path.Clean(n) != n || n == ".." || strings.HasPrefix(n, "../") {
		return fmt.Errorf("bad file name %q", n)
	}
	return nil
}

// checkID refuses an id that is not one Create makes.
func checkID(id string) error {
	if id == "" || len(id) > 64 || strings.ContainsAny(id, "/\\.") {
		return errors.New("bad backup id")
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' {
			return errors.New("bad backup id")
		}
	}
	return nil
}

// identifier reports whether s is a plain SQL identifier (what Salve's
// migrations name tables), so it can be put in a statement unquoted.
func identifier(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		if (r < 'a' || r > 'z') && r != '_' && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}
