// Package config holds Salve's configuration: the Config struct, how it is loaded
// from flags and SALVE_* environment variables (secrets also from *_FILE), how it
// is validated, and how it is printed with every secret masked.
//
// Precedence, highest first: a command-line flag, SALVE_NAME, SALVE_NAME_FILE (for
// secrets), the default. Every setting is declared once in the table in
// settings.go, which also drives --help, `salve config` and the validation errors.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"time"
)

// Role says which parts of Salve a process runs.
type Role string

// The roles.
const (
	// RoleAll serves everything from one process.
	RoleAll Role = "all"
	// RoleStorefront serves only the public storefront. It opens only the catalog
	// store and holds no keys (PHI segmentation: a storefront replica that is
	// compromised holds no PHI and no way to decrypt it).
	RoleStorefront Role = "storefront"
	// RolePortal serves the signed-in portal, staff and admin pages and the API.
	RolePortal Role = "portal"
)

// Config is the effective configuration.
type Config struct {
	// Addr is where the HTTP(S) server listens.
	Addr string
	// DataDir holds the SQLite files, keys and checkpoints.
	DataDir string
	// CatalogDB, PHIDB and AuditDB are PostgreSQL URLs, or empty for a SQLite file
	// in DataDir.
	CatalogDB, PHIDB, AuditDB string

	// KEKFile is the key-encryption key file; empty for KEKFileName in DataDir.
	KEKFile string
	// ShredLedgerFile is the shred ledger (kept outside the stores and their
	// backups); empty for ShredLedgerFileName beside the KEK file.
	ShredLedgerFile string
	// AuditKeyFile holds the audit checkpoint signing key; AuditCheckpointFile
	// the signed checkpoints. Empty for their default names in DataDir.
	AuditKeyFile, AuditCheckpointFile string
	// AuditCheckpointEvery is how often a running server signs a checkpoint.
	AuditCheckpointEvery time.Duration

	// TLSCert and TLSKey are PEM files; ACMEDomains turn on automatic certificates.
	TLSCert, TLSKey string
	// TLSCertDir holds certificates per host name (HOST.crt and HOST.key, or
	// HOST.pem), picked by the name a client asks for.
	TLSCertDir  string
	ACMEDomains []string
	// ACMETenantHosts adds every host name a tenant claims to the ACME host
	// policy, read from the tenant resolver at each handshake.
	ACMETenantHosts bool
	ACMEEmail       string
	// ACMEDirectory is the certificate authority's ACME directory URL.
	ACMEDirectory string
	// RedirectAddr, if set, serves plain HTTP there that redirects to HTTPS (and
	// answers ACME HTTP-01 challenges).
	RedirectAddr string

	// MetricsAddr, if set, serves Prometheus metrics there. Loopback only.
	MetricsAddr string

	// Role selects the surfaces and stores of this process.
	Role Role
	// LogFormat is "json" or "text"; LogLevel the minimum level.
	LogFormat string
	LogLevel  slog.Level

	// MaxBody is the default request body limit in bytes.
	MaxBody int64
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix

	// SessionAbsolute is the longest a session lives, however active (12h at
	// most).
	SessionAbsolute time.Duration
	// StaffInactivity disables staff accounts unused this long.
	StaffInactivity time.Duration
	// SMTPAddr, when set, is the mail relay (host:port); without it email
	// waits in the outbox (admins see it masked at /admin/outbox).
	SMTPAddr, SMTPUser, SMTPPassword, SMTPFrom, SMTPTLS string

	// PaymentGateways are the ways to pay offered at checkout, in order:
	// "invoice", "stripe", and "test" (the demo's: no money moves).
	PaymentGateways []string
	// AllowTestPayments must be set for "test" to be listed: the test
	// gateway marks orders paid without moving money (--allow-test-payments).
	AllowTestPayments bool
	// WebhookLoopbackHTTP lets webhook subscriptions use http:// to a
	// loopback host (development and tests); otherwise only https:// URLs
	// are accepted (--webhook-loopback-http).
	WebhookLoopbackHTTP bool
	// WebhookPrivateNetworks lets webhook deliveries connect to private
	// network addresses (10/8, 172.16/12, 192.168/16, 100.64/10,
	// fc00::/7); otherwise only public ones (--webhook-private-networks).
	WebhookPrivateNetworks bool
	// StripeSecretKey and StripeWebhookSecret connect the "stripe" gateway;
	// StripeAPIURL replaces https://api.stripe.com (a local stripe-mock).
	StripeSecretKey, StripeWebhookSecret, StripeAPIURL string

	// BackupTo are the targets scheduled backups are written to (dir:/path,
	// s3://host/bucket/prefix); empty: Salve schedules no backups.
	BackupTo []string
	// BackupRecipients are the age public keys scheduled backups are
	// encrypted to (their private halves stay offline).
	BackupRecipients []string
	// BackupEvery is how often a scheduled backup is taken.
	BackupEvery time.Duration
	// BackupKeepDaily, BackupKeepWeekly and BackupKeepMonthly keep the newest
	// backup of each of that many last days, ISO weeks and months on every
	// target; BackupKeepWithin keeps every backup younger than it. All zero:
	// nothing is pruned. The newest verified backup is never pruned.
	BackupKeepDaily, BackupKeepWeekly, BackupKeepMonthly int
	BackupKeepWithin                                     time.Duration
	// BackupS3AccessKey and BackupS3SecretKey are the credentials of the S3
	// targets of scheduled backups.
	BackupS3AccessKey, BackupS3SecretKey string

	// sources records where each setting came from, for `salve config`.
	sources map[string]Source
}

// Source says where a setting's value came from.
type Source string

// The sources.
const (
	FromDefault Source = "default"
	FromFlag    Source = "flag"
	FromEnv     Source = "env"
	FromFile    Source = "file"
)

// SourceOf tells where the setting with the given flag name came from.
func (c *Config) SourceOf(name string) Source {
	if s, ok := c.sources[name]; ok {
		return s
	}
	return FromDefault
}

// The SQLite file names in the data directory.
const (
	CatalogFile = "catalog.db"
	PHIFile     = "phi.db"
	AuditFile   = "audit.db"
)

// StoreDSN returns the DSN of a store ("catalog", "phi" or "audit"): the
// configured PostgreSQL URL, or the path of its SQLite file in the data directory.
func (c *Config) StoreDSN(kind string) string {
	switch kind {
	case "catalog":
		return orFile(c.CatalogDB, c.DataDir, CatalogFile)
	case "phi":
		return orFile(c.PHIDB, c.DataDir, PHIFile)
	case "audit":
		return orFile(c.AuditDB, c.DataDir, AuditFile)
	}
	panic(fmt.Sprintf("config: unknown store %q", kind))
}

func orFile(dsn, dir, file string) string {
	if dsn != "" {
		return dsn
	}
	return filepath.Join(dir, file)
}

// The key and checkpoint file names in the data directory.
const (
	KEKFileName             = "kek.json"
	AuditKeyFileName        = "audit-keys.json"
	AuditCheckpointFileName = "audit-checkpoints.jsonl"
	ShredLedgerFileName     = "shred-ledger.jsonl"
)

// ShredLedgerPath returns the shred ledger's path: the configured one, or
// beside the KEK file. Why settable: where the KEK comes from a read-only
// mount (a Kubernetes Secret, a systemd credential) the ledger, which every
// shred appends to, must live on writable storage that is not backed up with
// the stores.
func (c *Config) ShredLedgerPath() string {
	if c.ShredLedgerFile != "" {
		return c.ShredLedgerFile
	}
	return filepath.Join(filepath.Dir(c.KEKPath()), ShredLedgerFileName)
}

// KEKPath returns the key-encryption key file's path.
func (c *Config) KEKPath() string { return orFile(c.KEKFile, c.DataDir, KEKFileName) }

// AuditKeyPath returns the audit signing key file's path.
func (c *Config) AuditKeyPath() string { return orFile(c.AuditKeyFile, c.DataDir, AuditKeyFileName) }

// AuditCheckpointPath returns the audit checkpoint file's path.
func (c *Config) AuditCheckpointPath() string {
	return orFile(c.AuditCheckpointFile, c.DataDir, AuditCheckpointFileName)
}

// TLS reports whether the server terminates TLS itself.
func (c *Config) TLS() bool { return c.TLSCert != "" || c.TLSCertDir != "" || c.ACME() }

// ACME reports whether certificates come from an ACME certificate authority.
func (c *Config) ACME() bool { return len(c.ACMEDomains) > 0 || c.ACMETenantHosts }
